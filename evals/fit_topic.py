"""Fit the subject model of the relevance gate (rag/topic.py) on fitting questions; report it on questions it never saw.

    python evals/fit_topic.py            # fit, print, and write rag/data/topic_model.npz
    python evals/fit_topic.py --dry-run  # fit and print only

Fitting sets: dev.jsonl, lay_fit.jsonl, topic_fit.jsonl and lead_fit.jsonl (in scope), scope_fit.jsonl,
scope_probes.jsonl and scope_lay_fit.jsonl (out of scope), gate_fit.jsonl, gate_fit2.jsonl and gate_fit3.jsonl
(both; sessions 10-12). Reporting sets (only printed): gate_report5.jsonl and gate_report4.jsonl (session 14,
the cleanest), gate_report3, gate_report2, gate_report, technical_report, heldout, answers_report, lay, lay_report,
scope_report, scope_lay_report; README "Session 9" to "Session 14" say which of them were seen while the design was
chosen. gate_fit4.jsonl and gate_fit5.jsonl (session 14) are fitting questions written for a refit that was tried
and not adopted (README, session 14): add them to FITTING to repeat it.

1. An RBF support-vector machine on the question embedding (kernel width sklearn's "scale"), for each
   regularisation strength, scored out of fold (10-fold CV, five shuffles) so that the gate weights below are
   chosen on scores the model did not fit.
2. The gate is `logit(best passage relevance) + w * max(subject margin, floor) + b >= 0`. Among the
   (strength, w, b, floor) on the
   grid that refuse no dev question and refuse no more in-scope fitting questions than the relevance curve alone,
   the one with the lowest balanced error (in-scope refused rate + out-of-scope accepted rate) wins; the model is
   then refitted on all fitting questions. Medical-advice questions are left out: the answer layer refuses them first.
   A question that names a source (a review, or a first author as one cites a paper) is judged by its passages
   alone (rag.topic.in_scope), here as in the library.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import SVC

from rag.advice import is_personal_advice
from rag.embeddings import get_embeddings
from rag.index import Index
from rag.retrieval import HybridSearch
from rag.settings import get_settings
from rag.topic import MODEL_PATH, passage_logit, subject_score, subject_term

QUESTIONS = Path(__file__).parent / "questions"
FITTING = ("dev", "lay_fit", "topic_fit", "scope_fit", "scope_probes", "scope_lay_fit", "gate_fit", "lead_fit",
           "gate_fit2", "gate_fit3")
REPORTING = ("gate_report5", "gate_report4", "gate_report3", "gate_report2", "gate_report", "technical_report", "heldout", "answers_report", "lay",
             "lay_report", "scope_report", "scope_lay_report")
STRENGTHS = (1.0, 3.0, 10.0, 30.0)
# an SVM margin is about +-1 where a logistic model's log-odds reach +-5, hence weights up to 20
GATE_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 14.0, 20.0)
GATE_OFFSETS = tuple(np.arange(-6.0, 3.01, 0.5))
FLOORS = (-np.inf, -3.0, -2.0, -1.0, 0.0)
SHUFFLES = 5


class QuestionSet:
    """One question file: embeddings, the best passage's relevance (top 5, as the answer layer sees them), labels."""

    def __init__(self, search: HybridSearch, name: str) -> None:
        rows = [json.loads(line) for line in (QUESTIONS / f"{name}.jsonl").open(encoding="utf-8") if line.strip()]
        vectors = [search.query_vector(r["question"]) for r in rows]
        keep = [i for i, r in enumerate(rows) if not is_personal_advice(r["question"], vectors[i])]
        self.name = name
        self.questions = [rows[i]["question"] for i in keep]
        self.x = np.array([vectors[i] for i in keep])
        self.best = np.array([max((h.score for h in search.search(q, k=5)), default=0.0) for q in self.questions])
        self.y = np.array([rows[i]["kind"] != "out-of-scope" for i in keep])
        self.subject = np.array([not search.names_a_source(q) for q in self.questions])  # as rag.answering

    def curve_z(self) -> np.ndarray:
        """The relevance curve alone (the gate with w = b = 0)."""
        return np.array([passage_logit(b) for b in self.best])


def rates(y: np.ndarray, accepted: np.ndarray) -> tuple[int, int, float]:
    refused, wrongly = int((y & ~accepted).sum()), int((~y & accepted).sum())
    return refused, wrongly, refused / max(y.sum(), 1) + wrongly / max((~y).sum(), 1)


def choose(x: np.ndarray, y: np.ndarray, z: np.ndarray, dev: np.ndarray,
           subject: np.ndarray) -> tuple[float, float, float, float]:
    """(strength, w, b, floor) by the rule in the module docstring, on out-of-fold subject scores."""
    curve_refused = rates(y, z >= 0)[0]
    scores: dict[tuple[float, float, float, float], list[tuple[int, int, float]]] = {}
    for strength in STRENGTHS:
        for seed in range(SHUFFLES):
            folds = StratifiedKFold(10, shuffle=True, random_state=seed)
            oof = cross_val_predict(_model(strength), x, y, cv=folds, method="decision_function")
            for w, b, floor in itertools.product(GATE_WEIGHTS, GATE_OFFSETS, FLOORS):
                accepted = z + subject * subject_term(oof, w, b, floor) >= 0
                refused, wrongly, error = rates(y, accepted)
                key = (strength, w, float(b), float(floor))
                scores.setdefault(key, []).append((refused, int((y & dev & ~accepted).sum()), error))
    allowed = {k: v for k, v in scores.items()
               if np.mean([r for r, _, _ in v]) <= curve_refused and max(d for _, d, _ in v) == 0}
    best = min(allowed, key=lambda k: np.mean([e for _, _, e in allowed[k]]))
    print(f"fitting: the curve alone refuses {curve_refused} in-scope and accepts {rates(y, z >= 0)[1]} out-of-scope")
    for key in sorted(allowed, key=lambda k: np.mean([e for _, _, e in allowed[k]]))[:5]:
        v = allowed[key]
        print(f"  C={key[0]:<5} w={key[1]:<5} b={key[2]:<5} floor={key[3]:<5} "
              f"CV error {np.mean([e for _, _, e in v]):.3f}, in-scope refused {np.mean([r for r, _, _ in v]):.1f}")
    return best


def _model(strength: float) -> SVC:
    return SVC(C=strength, kernel="rbf", gamma="scale", class_weight="balanced")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    sets = {name: QuestionSet(search, name) for name in FITTING + REPORTING}
    fit = [sets[n] for n in FITTING]
    x, y = np.concatenate([s.x for s in fit]), np.concatenate([s.y for s in fit])
    z = np.concatenate([s.curve_z() for s in fit])
    subject = np.concatenate([s.subject for s in fit])
    dev = np.concatenate([np.full(len(s.y), s.name == "dev") for s in fit])
    print(f"fitting: {y.sum()} in-scope, {(~y).sum()} out-of-scope questions")
    strength, w, b, floor = choose(x, y, z, dev, subject)
    model = _model(strength).fit(x, y)
    print(f"chosen: C={strength}, gate weight {w}, gate offset {b}, floor {floor}")
    for name, s in sets.items():
        topic = model.decision_function(s.x)
        before = rates(s.y, s.curve_z() >= 0)
        after = rates(s.y, s.curve_z() + s.subject * subject_term(topic, w, b, floor) >= 0)
        role = "fit" if name in FITTING else "REPORT"
        print(f"  {role:6s} {name:16s} in-scope refused {before[0]} -> {after[0]} of {s.y.sum()}, "
              f"out-of-scope accepted {before[1]} -> {after[1]} of {(~s.y).sum()}")
    if not args.dry_run:
        _write(model, w, b, floor, strength)
        check = sets["dev"]  # rag.topic computes the margin itself: it must agree with sklearn's
        assert np.allclose([subject_score(v) for v in check.x], model.decision_function(check.x), atol=1e-3)
        print(f"wrote {MODEL_PATH} ({len(model.support_)} support vectors)")


def _write(model: SVC, w: float, b: float, floor: float, strength: float) -> None:
    """The fitted SVM in the form rag.topic reads: support vectors, their signed weights, intercept, kernel width."""
    with MODEL_PATH.open("wb") as out:
        np.savez_compressed(out, support=model.support_vectors_.astype(np.float32),
                            dual=model.dual_coef_[0].astype(np.float32), intercept=np.float64(model.intercept_[0]),
                            gamma=np.float64(model._gamma),  # the width "scale" resolved to at fit time
                            gate_weight=np.float64(w), gate_offset=np.float64(b),
                            floor=np.float64(floor), strength=np.float64(strength))


if __name__ == "__main__":
    main()
