"""Grid search of the hybrid fusion weights on a question set, with an honest estimate of how the choice carries
over to unseen questions.

    python evals/tune_fusion.py evals/questions/dev.jsonl

Five weights (dense, sentence, lexical, entity, title) on a simplex in steps of 0.05, scored with the library's own
fusion formula and subject-review rule (rag/ranking/fusion.py), over all grid points at once. Prints the best settings by MRR, the settings whose neighbourhood (every grid
point within 0.2 in L1 distance) scores best on average (a flat region carries over better than a sharp peak),
and a 5-fold cross-validated MRR / recall@1 of picking weights that way. The chosen weights live in
rag/ranking/fusion.py (Weights); the README records the result.
"""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np

from rag.embeddings import get_embeddings
from rag.filters import Filters
from rag.index import Index
from rag.ranking.fusion import SIGNALS, fuse, review_yields, signal_matrix
from rag.retrieval import HybridSearch
from rag.settings import get_settings

NAMES = SIGNALS


def grid(step: float = 0.05) -> np.ndarray:
    values = np.round(np.arange(0, 1 + 1e-9, step), 3)
    combos = [(*c, round(1 - sum(c), 3)) for c in itertools.product(values, repeat=len(NAMES) - 1)]
    return np.array([c for c in combos if c[-1] >= -1e-9])


def ranks(search: HybridSearch, questions: list[dict], weights: np.ndarray) -> np.ndarray:
    """(grid point, question) -> 0-based rank of the first expected source among distinct sources (ties count
    against it)."""
    out = np.zeros((len(weights), len(questions)), dtype=np.int32)
    for j, q in enumerate(questions):
        c = search.signals.candidates(q["question"], Filters(), "hybrid")
        rows = sorted(c.rows, key=lambda r: search.index.chunks[r].source_id)
        owners = [search.index.chunks[r].source_id for r in rows]
        scores = fuse(weights, signal_matrix(c, rows))
        starts = [i for i, sid in enumerate(owners) if i == 0 or sid != owners[i - 1]]
        per_source = np.maximum.reduceat(scores, starts, axis=1)  # a source scores as its best chunk
        expected = set(q["expected_sources"])
        relevant = np.array([owners[i] in expected for i in starts])
        if not relevant.any():
            out[:, j] = 99
            continue
        best = per_source[:, relevant].max(1, keepdims=True)
        out[:, j] = (per_source[:, ~relevant] >= best).sum(1)
        # the subject review, when first and not asked about, may yield first place to the second
        review_first = c.subject_review[[rows[i] for i in starts]][per_source.argmax(1)] > 0
        top_two = -np.sort(-per_source, axis=1)[:, :2] if per_source.shape[1] > 1 else np.zeros((len(weights), 2))
        yields = review_yields(top_two[:, 0], top_two[:, 1], review_first, search.weights.subject_review_margin)
        out[yields & (out[:, j] == 1), j] = 0
    return out


def neighbourhood_pick(weights: np.ndarray, mrr: np.ndarray) -> int:
    near = np.abs(weights[:, None, :] - weights[None, :, :]).sum(2) <= 0.21
    smooth = (near * mrr[None, :]).sum(1) / near.sum(1)
    return int(np.argmax(smooth + 1e-3 * mrr))


def main(path: str) -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    questions = [q for q in map(json.loads, filter(str.strip, open(path, encoding="utf-8"))) if q["kind"] != "out-of-scope"]
    weights = grid()
    r = ranks(search, questions, weights)
    mrr, r1 = (1 / (r + 1)).mean(1), (r == 0).mean(1)
    print("best by MRR:        mrr    r@1   " + " ".join(f"{n:>8s}" for n in NAMES))
    for i in np.argsort(-mrr, kind="stable")[:10]:
        print(f"                    {mrr[i]:.3f}  {r1[i]:.3f} " + " ".join(f"{v:8.2f}" for v in weights[i]))
    pick = neighbourhood_pick(weights, mrr)
    print(f"neighbourhood pick: {mrr[pick]:.3f}  {r1[pick]:.3f} " + " ".join(f"{v:8.2f}" for v in weights[pick]))
    current = search.weights.vector()
    now = ranks(search, questions, current[None, :])[0]
    print(f"current weights:    {(1 / (now + 1)).mean():.3f}  {(now == 0).mean():.3f} "
          + " ".join(f"{v:8.2f}" for v in current))
    for seed in range(3):
        folds = np.random.default_rng(seed).permutation(len(questions)) % 5
        held = np.zeros(len(questions), dtype=np.int32)
        for f in range(5):
            train = folds != f
            chosen = neighbourhood_pick(weights, (1 / (r[:, train] + 1)).mean(1))
            held[~train] = r[chosen, ~train]
        print(f"5-fold CV (seed {seed}): mrr {(1 / (held + 1)).mean():.3f}  r@1 {(held == 0).mean():.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evals/questions/dev.jsonl")
