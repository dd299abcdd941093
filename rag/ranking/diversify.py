"""One passage per source, and maximal marginal relevance for broad questions."""

from __future__ import annotations

import numpy as np


def best_per_source(fused: dict[int, float], source_of: np.ndarray) -> list[int]:
    """Rows sorted by score, keeping each source's best chunk only (`source_of`: each row's source)."""
    seen: set[int] = set()
    out = []
    for r in sorted(fused, key=lambda r: -fused[r]):
        if int(source_of[r]) not in seen:
            seen.add(int(source_of[r]))
            out.append(r)
    return out


def mmr(ranked: list[int], fused: dict[int, float], vectors: np.ndarray, k: int, lam: float) -> list[int]:
    """Trade a little score for passages unlike those already chosen (among the top max(3k, 15))."""
    if len(ranked) <= 1:
        return ranked
    pool = ranked[: max(3 * k, 15)]
    top = max(fused[r] for r in pool) or 1.0
    chosen = [pool[0]]
    rest = pool[1:]
    while rest and len(chosen) < k:
        sims = np.asarray(vectors[rest]) @ np.asarray(vectors[chosen]).T
        scores = [lam * fused[r] / top - (1 - lam) * float(sims[i].max()) for i, r in enumerate(rest)]
        chosen.append(rest.pop(int(np.argmax(scores))))
    return chosen + [r for r in ranked if r not in chosen]
