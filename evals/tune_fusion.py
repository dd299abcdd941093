"""Grid search of the hybrid fusion weights on a question set: prints the best settings by MRR.

    python evals/tune_fusion.py evals/questions/dev.jsonl

The chosen weights live in rag/retrieval.py (Weights); README records the result and why.
"""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np

from rag.embeddings import get_embeddings
from rag.filters import Filters
from rag.index import Index
from rag.retrieval import HybridSearch
from rag.settings import get_settings


def main(path: str) -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    rows = [json.loads(line) for line in open(path) if line.strip()]
    questions = [q for q in rows if q["kind"] != "out-of-scope"]
    features = [(search._candidates(q["question"], Filters(), "hybrid"), set(q["expected_sources"])) for q in questions]
    grid = np.round(np.arange(0, 1.01, 0.1), 2)
    results = []
    for wd, ws, wl in itertools.product(grid, grid, grid):
        we = round(1 - wd - ws - wl, 2)
        if we < 0:
            continue
        r1 = mrr = 0.0
        for c, expected in features:
            fused = {r: wd * c.dense[r] + ws * c.sentence[r] + wl * c.lexical[r] + we * c.entity[r] for r in c.rows}
            ids = [search.index.chunks[r].source_id for r in search._best_per_source(fused)]
            ranks = [i for i, sid in enumerate(ids) if sid in expected]
            if ranks:
                mrr += 1 / (ranks[0] + 1)
                r1 += ranks[0] == 0
        results.append((mrr / len(features), r1 / len(features), wd, ws, wl, we))
    results.sort(reverse=True)
    print("mrr    r@1    dense sentence lexical entity")
    for row in results[:15]:
        print("{:.3f}  {:.3f}  {:.1f}   {:.1f}      {:.1f}     {:.1f}".format(*row))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evals/questions/dev.jsonl")
