"""Fit the personal-advice classifier (rag/advice.py) on the fitting half of the advice probes; report on the other.

    .venv/bin/python evals/fit_advice.py

Questions are embedded exactly as at answer time (`HybridSearch.query_vector`); a logistic regression (regularisation
chosen by 5-fold cross-validation within the fitting half) is fitted on split == "fit" only, at threshold 0.5. Printed: precision and recall of "personal" on
every split, with the old regex on the same questions for comparison. "report" was seen before the person signals
were added (the embedding-only model scored precision 0.85, recall 0.85 there); "report2" was written afterwards. Its
two misses under a fixed C=1 (both a described individual: "a 30 kg child") were seen before C was left to
cross-validation, and 16 fitting questions with described individuals ("a 68-year-old woman", "mice weighing
20 g") were then added to the fitting half. "report3" (8 + 8) was written after all of that and run once: the clean
figure. Session 34: the fitting half had one first-person research question, so "Which paper should I read first
...?" and "What concentration of GW4869 should I use in my experiment?" were refused as advice; 24 fitting questions
of a student's or a lab's first person (and 8 personal ones) and "report4" (10 + 10, first-person research against
personal) were written before the refit, then 4 personal fitting questions of a drug "given to me" after the refit
missed report's adv-p30 (so report is not clean for that). Writes rag/data/advice_model.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegressionCV

from rag.advice import MODEL_PATH, advice_features
from rag.assistant import Assistant
from rag.settings import get_settings

# The rule the classifier replaced (rag/answering.py until this change), kept here as the comparison.
_MEDICAL_ADVICE = re.compile(
    r"\b(dose|doses|dosage|dosing|mg/m2|how much \w+ should)\b"
    r"|\b(my|his|her|our) (father|mother|dad|mum|mom|wife|husband|son|daughter|child|patient|partner|friend)\b"
    r"|\bshould (i|he|she|we|they) (take|stop|start|get|switch|receive)\b"
    r"|\b(treatment|chemo\w*|drug) (for|to give) (me|my|him|her)\b",
    re.IGNORECASE,
)
PROBES = Path("evals/questions/advice_probes.jsonl")
THRESHOLD = 0.5


def scores(predicted: list[bool], personal: list[bool]) -> str:
    tp = sum(p and y for p, y in zip(predicted, personal))
    fp = sum(p and not y for p, y in zip(predicted, personal))
    fn = sum(y and not p for p, y in zip(predicted, personal))
    precision = tp / (tp + fp) if tp + fp else 1.0
    return f"precision {precision:.3f} recall {tp / (tp + fn):.3f} (personal refused {tp}/{tp + fn}, research refused {fp})"


def main() -> None:
    rows = [json.loads(line) for line in PROBES.read_text().splitlines() if line.strip()]
    search = Assistant(get_settings()).searcher()
    vectors = np.stack([search.query_vector(r["question"]) for r in rows])
    inputs = np.stack([advice_features(r["question"], v) for r, v in zip(rows, vectors)])
    personal = np.array([r["label"] == "personal" for r in rows])
    fit = np.array([r["split"] == "fit" for r in rows])
    # regularisation chosen by 5-fold cross-validation inside the fitting half only
    model = LogisticRegressionCV(Cs=10, cv=5, scoring="neg_log_loss", max_iter=5000).fit(inputs[fit], personal[fit])
    MODEL_PATH.write_text(json.dumps({
        "weights": [round(float(w), 6) for w in model.coef_[0]], "bias": round(float(model.intercept_[0]), 6),
        "threshold": THRESHOLD, "C": float(model.C_[0]), "fitted_on": f"{PROBES.as_posix()} split=fit", "n_fit": int(fit.sum()),
    }) + "\n")
    from rag.advice import _model, is_personal_advice

    _model.cache_clear()
    splits = np.array([r["split"] for r in rows])
    for name in ("fit", "report", "report2", "report3", "report4"):
        idx = np.flatnonzero(splits == name)
        model_says = [is_personal_advice(rows[i]["question"], vectors[i]) for i in idx]
        regex_says = [bool(_MEDICAL_ADVICE.search(rows[i]["question"])) for i in idx]
        truth = [bool(personal[i]) for i in idx]
        print(f"{name:6s} classifier: {scores(model_says, truth)}")
        print(f"{name:6s} old regex:  {scores(regex_says, truth)}")
        for i, said in zip(idx, model_says):
            if said != personal[i] and name != "fit":
                print(f"   wrong: {rows[i]['id']} {rows[i]['question']}")
    print(f"written {MODEL_PATH}")


if __name__ == "__main__":
    main()
