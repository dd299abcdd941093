"""Fit the answer-lead model (rag/generation/lead.py) on fitting question sets and report it on another.

    .venv/bin/python evals/fit_lead.py --fit evals/questions/dev.jsonl evals/questions/lead_fit.jsonl \
        --report evals/questions/heldout.jsonl [--dry-run]

Every in-scope question with answer facts gives its retrieved sentences (the same hits and features the extractive
backend uses); a sentence is labelled positive when it holds an expected fact. A pairwise logistic regression (fact
sentence vs. another sentence of the same question) is fitted on the --fit sets only; the report shows, on each set,
how often the top-scored sentence holds a fact, next to the old rule (first sentence of the best passage) and the
relevance score alone. Writes rag/data/lead_model.json (not with --dry-run).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from rag.assistant import Assistant
from rag.evaluation import facts_missing, load_questions
from rag.generation.extractive import ExtractiveBackend, eligible_leads
from rag.generation.lead import FEATURES, MODEL_PATH
from rag.retrieval import RELEVANCE_THRESHOLD
from rag.settings import get_settings

Group = tuple[np.ndarray, np.ndarray, np.ndarray]  # features, labels, relevance scores of one question's sentences


def groups(assistant: Assistant, path: Path) -> list[Group]:
    backend = ExtractiveBackend(assistant.searcher())
    out = []
    for q in load_questions(path):
        if not q.in_scope or not q.answer_facts:
            continue
        hits = [h for h in assistant.search(q.question, k=assistant.settings.top_k) if h.score >= RELEVANCE_THRESHOLD]
        cands, matrix = backend.candidate_features(q.question, hits)
        if not cands:
            continue
        keep = {id(c) for c in eligible_leads(cands)}  # the model only ever ranks these
        rows = [i for i, c in enumerate(cands) if id(c) in keep]
        cands, matrix = [cands[i] for i in rows], matrix[rows]
        labels = np.array([len(facts_missing(q.answer_facts, c.text)) < len(q.answer_facts) for c in cands])
        out.append((matrix, labels, np.array([c.score for c in cands])))
    return out


def pairs(groups_: list[Group]) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise ranking data: (fact sentence - other sentence of the same question) is +1, its negation -1, so the
    model learns to order sentences within a question (what choosing the lead needs), not to score them globally."""
    diffs = []
    for matrix, labels, _ in groups_:
        pos, neg = matrix[labels], matrix[~labels]
        if len(pos) and len(neg):
            diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, matrix.shape[1]))
    x = np.concatenate(diffs)
    return np.concatenate([x, -x]), np.concatenate([np.ones(len(x)), np.zeros(len(x))])


def top1(groups_: list[Group], score) -> float:  # type: ignore[no-untyped-def]
    """Share of questions whose best-scored sentence holds a fact (questions where no sentence does count as 0)."""
    return float(np.mean([labels[int(np.argmax(score(m, rel)))] for m, labels, rel in groups_]))


def cross_validated(groups_: list[Group], c: float, folds: int = 5) -> float:
    """Top-1 on each fifth of the fitting questions by a model fitted on the other four fifths: the figure that
    chooses between model variants without looking at the reporting set."""
    hits = []
    for k in range(folds):
        train = [g for i, g in enumerate(groups_) if i % folds != k]
        x, y = pairs(train)
        w = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(x, y).coef_[0]
        hits.append(top1([g for i, g in enumerate(groups_) if i % folds == k], lambda m, rel: m @ w))
    return float(np.mean(hits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", type=Path, nargs="+",
                        default=[Path("evals/questions/dev.jsonl"), Path("evals/questions/lead_fit.jsonl")])
    parser.add_argument("--report", type=Path, default=Path("evals/questions/heldout.jsonl"))
    # 0.03: best 5-fold CV top-1 on dev+lead_fit among 0.003-1 (session 10; 1.0 before lead_fit existed)
    parser.add_argument("--c", type=float, default=0.03, help="inverse regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, leave the model file alone")
    args = parser.parse_args()
    assistant = Assistant(get_settings())
    fit = [g for path in args.fit for g in groups(assistant, path)]
    report = groups(assistant, args.report)
    fitted = "+".join(p.name for p in args.fit)
    x, y = pairs(fit)
    model = LogisticRegression(C=args.c, fit_intercept=False, max_iter=5000).fit(x, y)
    weights = model.coef_[0]
    rules = {
        "lead model": lambda m, rel: m @ weights,
        "relevance only": lambda m, rel: rel,
        "first sentence of best passage": lambda m, rel: -np.arange(len(m)),
    }
    print(f"{'lead model, 5-fold CV on fit set':32s} fit({fitted}) {cross_validated(fit, args.c):.3f}")
    for name, rule in rules.items():
        print(f"{name:32s} fit({fitted}) {top1(fit, rule):.3f}   report({args.report.name}) {top1(report, rule):.3f}")
    print(f"ceiling (a fact is in some retrieved sentence): fit {np.mean([l.any() for _, l, _ in fit]):.3f}, "
          f"report {np.mean([l.any() for _, l, _ in report]):.3f}")
    if args.dry_run:
        return
    MODEL_PATH.write_text(json.dumps({
        "features": list(FEATURES), "weights": [round(float(w), 5) for w in weights],
        "fitted_on": [p.as_posix() for p in args.fit], "questions": len(fit), "pairs": int(len(y) // 2),
        "reported_on": args.report.as_posix(), "report_top1": round(top1(report, rules["lead model"]), 4),
    }, indent=1) + "\n")
    print(f"written {MODEL_PATH}")


if __name__ == "__main__":
    main()
