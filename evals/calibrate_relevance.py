"""Fit the relevance curve (rag/ranking/calibration.py: relevance) on in-scope vs out-of-scope questions.

    python evals/calibrate_relevance.py evals/questions/dev.jsonl evals/questions/heldout.jsonl \
        evals/questions/scope_probes.jsonl

Features of each question's top hit: passage cosine, BM25 per query token (capped at 3), named-entity field share,
and the share of the question's technical words the corpus knows (rag/vocabulary.py). Medical-advice questions are
left out: the answer layer refuses them by rule whatever their relevance. Prints a class-balanced logistic fit, its
10-fold cross-validated errors, and the errors of the curve currently in rag/ranking/calibration.py.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from rag.advice import is_personal_advice
from rag.embeddings import get_embeddings
from rag.filters import Filters
from rag.index import Index
from rag.ranking.calibration import FEATURES, RELEVANCE_THRESHOLD, relevance, relevance_features
from rag.retrieval import HybridSearch
from rag.settings import get_settings

NAMES = FEATURES


def features(search: HybridSearch, question: str) -> list[float]:
    """The curve's inputs for the question's top hit, read by the library's own relevance_features."""
    c = search.signals.candidates(question, Filters(), "hybrid")
    top = search.search(question, k=1)[0]
    return list(relevance_features(c, search.index.row_of[top.chunk.id]))


def main(paths: list[str]) -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    rows = [json.loads(line) for path in paths for line in open(path, encoding="utf-8") if line.strip()]
    rows = [r for r in rows if not is_personal_advice(r["question"], search.query_vector(r["question"]))]
    x = np.array([features(search, r["question"]) for r in rows])
    y = np.array([r["kind"] != "out-of-scope" for r in rows])
    print(f"{y.sum()} in-scope, {(~y).sum()} out-of-scope questions")
    model = LogisticRegression(C=10, class_weight="balanced", max_iter=10000)
    folds = StratifiedKFold(10, shuffle=True, random_state=0)
    held = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1] >= RELEVANCE_THRESHOLD
    model.fit(x, y)
    print("fit: z = " + " + ".join(f"{w:.2f} * {n}" for w, n in zip(model.coef_[0], NAMES)) + f" + {model.intercept_[0]:.2f}")
    print(f"10-fold CV: in-scope refused {(y & ~held).sum()}, out-of-scope accepted {(~y & held).sum()}")
    scores = np.array([relevance(*f) for f in x])
    current = scores >= RELEVANCE_THRESHOLD
    print(f"current curve: in-scope refused {(y & ~current).sum()}, out-of-scope accepted {(~y & current).sum()}; "
          f"lowest in-scope score {scores[y].min():.3f}, highest out-of-scope score {scores[~y].max():.3f}")
    for r, ok, f in zip(rows, current, x):
        if ok != (r["kind"] != "out-of-scope"):
            print(f"  wrong: {r['id']} {np.round(f, 2).tolist()} {r['question']}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["evals/questions/dev.jsonl"])
