"""The relevance probability: whether the best passage answers the question at all (the refusal's evidence)."""

from __future__ import annotations

import math

from rag.ranking.signals import Candidates

RELEVANCE_THRESHOLD = 0.5
FEATURES = ("dense", "bm25_per_token", "entity", "known_share")


def relevance_features(c: Candidates, row: int) -> tuple[float, float, float, float]:
    """What the curve reads for one candidate (evals/calibrate_relevance.py fits on exactly these)."""
    return float(c.dense[row]), min(float(c.lexical_per_token[row]), 3.0), float(c.entity[row]), c.known_share


def relevance(dense: float, lexical_per_token: float, entity: float, known_share: float = 1.0) -> float:
    """Calibrated probability-like score from absolute evidence (not from ranks, which always have a top 1).

    A logistic curve over the cosine similarity, BM25 per query token, the named-entity field share, and the share
    of the question's technical words the corpus knows (near-domain questions about drugs or genes the corpus never
    mentions fail there). Fitted by `evals/calibrate_relevance.py` on the dev and held-out questions plus the
    near-domain probes of evals/questions/scope_probes.jsonl (README, "Retrieval", step 7).
    """
    z = 14.0 * dense + 4.7 * min(lexical_per_token, 3.0) + 3.2 * entity + 6.1 * known_share - 16.0
    return 1.0 / (1.0 + math.exp(-z))
