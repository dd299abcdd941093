"""Fit the relevance curve (rag/ranking/calibration.py) on fitting questions; report it on questions it never saw.

    python evals/calibrate_relevance.py

Fitting sets (choose the features and the weights): dev.jsonl, lay_fit.jsonl (plain-language paraphrases),
scope_fit.jsonl and scope_probes.jsonl (near-domain and out-of-scope probes), scope_lay_fit.jsonl (out-of-scope
questions in everyday words). Reporting sets (only printed): heldout.jsonl, lay.jsonl, lay_report.jsonl,
scope_report.jsonl, scope_lay_report.jsonl.

Features of each question's top hit come from the library's own relevance_features. Candidate feature subsets and
regularisation strengths are fixed below; the one with the fewest 10-fold cross-validated errors on the fitting
sets (false refusals and false accepts, each as a rate, summed) is fitted on all fitting questions and printed as
the WEIGHTS to put in calibration.py. Medical-advice questions are left out: the answer layer refuses them first.

Second, the weight of `lay_phrases` alone, with every other weight as calibration.py has it: a grid of weights is
scored on the fitting sets (same error rate), and the middle of the lowest plateau is printed (the value in use).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from rag.advice import is_personal_advice
from rag.embeddings import get_embeddings
from rag.filters import Filters
from rag.index import Index
from rag.ranking.calibration import FEATURES, RELEVANCE_THRESHOLD, WEIGHTS, relevance, relevance_features
from rag.retrieval import HybridSearch
from rag.settings import get_settings

QUESTIONS = Path(__file__).parent / "questions"
FITTING = ("dev", "lay_fit", "scope_fit", "scope_probes", "scope_lay_fit")
REPORTING = ("heldout", "lay", "lay_report", "scope_report", "scope_lay_report")
SUBSETS = (
    ("dense", "bm25_per_token", "entity", "known_share"),
    ("dense", "sentence", "bm25_per_token", "entity", "known_share"),
    ("dense", "sentence", "bm25_per_token", "entity", "known_share", "unknown_rarity"),
    ("dense", "sentence", "bm25_per_token", "unknown_rarity"),
    ("dense", "sentence", "known_share", "unknown_rarity"),
    ("dense", "sentence", "bm25_per_token", "entity", "unknown_rarity"),
)
STRENGTHS = (1.0, 10.0)
LAY_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)


def features(search: HybridSearch, question: str) -> list[float]:
    """The curve's inputs for the question's top hit, read by the library's own relevance_features."""
    c = search.signals.candidates(question, Filters(), "hybrid")
    top = search.search(question, k=1)[0]
    return list(relevance_features(c, search.index.row_of[top.chunk.id]))


def load(search: HybridSearch, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    rows = [json.loads(line) for n in names for line in (QUESTIONS / f"{n}.jsonl").open(encoding="utf-8")
            if line.strip()]
    rows = [r for r in rows if not is_personal_advice(r["question"], search.query_vector(r["question"]))]
    return np.array([features(search, r["question"]) for r in rows]), np.array([r["kind"] != "out-of-scope"
                                                                                  for r in rows])


def errors(y: np.ndarray, accepted: np.ndarray) -> tuple[int, int]:
    return int((y & ~accepted).sum()), int((~y & accepted).sum())


def choose(x: np.ndarray, y: np.ndarray) -> tuple[tuple[str, ...], float]:
    """The subset and strength with the lowest cross-validated error rate on the fitting questions."""
    folds = StratifiedKFold(10, shuffle=True, random_state=0)
    best: tuple[float, tuple[str, ...], float] | None = None
    for subset in SUBSETS:
        cols = [FEATURES.index(n) for n in subset]
        for strength in STRENGTHS:
            model = LogisticRegression(C=strength, class_weight="balanced", max_iter=10000)
            held = cross_val_predict(model, x[:, cols], y, cv=folds, method="predict_proba")[:, 1] >= RELEVANCE_THRESHOLD
            refused, accepted = errors(y, held)
            rate = refused / y.sum() + accepted / (~y).sum()
            print(f"  CV {rate:.3f}: refused {refused}/{y.sum()}, accepted {accepted}/{(~y).sum()}  C={strength} {subset}")
            if best is None or rate < best[0]:
                best = (rate, subset, strength)
    assert best is not None
    return best[1], best[2]


def error_rate(x: np.ndarray, y: np.ndarray, weights: dict[str, float]) -> float:
    accepted = np.array([relevance(tuple(f), weights=weights) >= RELEVANCE_THRESHOLD for f in x])
    refused, wrongly = errors(y, accepted)
    return refused / y.sum() + wrongly / (~y).sum()


def fit_lay_weight(x: np.ndarray, y: np.ndarray) -> float:
    """The lay_phrases weight with the others fixed: the middle of the lowest plateau of fitting-set error."""
    rates = [error_rate(x, y, WEIGHTS | {"lay_phrases": w}) for w in LAY_GRID]
    for w, rate in zip(LAY_GRID, rates):
        print(f"  lay_phrases {w:.1f}: fitting error {rate:.3f}")
    best = min(rates)
    first = rates.index(best)
    last = first
    while last + 1 < len(rates) and rates[last + 1] == best:
        last += 1
    return (LAY_GRID[first] + LAY_GRID[last]) / 2


def main() -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    sets = {name: load(search, (name,)) for name in FITTING + REPORTING}  # each question's features once
    x = np.concatenate([sets[n][0] for n in FITTING])
    y = np.concatenate([sets[n][1] for n in FITTING])
    print(f"fitting: {y.sum()} in-scope, {(~y).sum()} out-of-scope questions")
    print(f"lay_phrases weight (others as in calibration.py): {fit_lay_weight(x, y)}")
    subset, strength = choose(x, y)
    cols = [FEATURES.index(n) for n in subset]
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=10000).fit(x[:, cols], y)
    weights = {n: 0.0 for n in FEATURES} | {n: round(float(w), 2) for n, w in zip(subset, model.coef_[0])}
    intercept = round(float(model.intercept_[0]), 2)
    print(f"chosen: C={strength}\nWEIGHTS = {weights}\nINTERCEPT = {intercept}")
    for label, kwargs in (("fitted now", {"weights": weights, "intercept": intercept}), ("in calibration.py", {})):
        print(f"{label}:")
        for name, (xs, ys) in sets.items():
            accepted = np.array([relevance(tuple(f), **kwargs) >= RELEVANCE_THRESHOLD for f in xs])
            refused, wrongly = errors(ys, accepted)
            role = "fit" if name in FITTING else "REPORT"
            print(f"  {role:6s} {name:13s} in-scope refused {refused}/{ys.sum()}, out-of-scope accepted {wrongly}/{(~ys).sum()}")


if __name__ == "__main__":
    main()
