"""The fusion formula: a weighted sum of the candidate signals, and the rule that lets the subject review yield
first place to a runner-up that matches nearly as well. Written for many weight settings at once, so
evals/tune_fusion.py scores its grid with this very code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.ranking.signals import Candidates

# The signals the formula weighs, in the order of `Weights.vector()` and `signal_matrix` rows.
SIGNALS = ("dense", "sentence", "lexical", "entity", "title")


@dataclass(frozen=True)
class Weights:
    """Fusion weights, chosen on the dev set by `python evals/tune_fusion.py` (README, "Retrieval", has the grid,
    the neighbourhood it was picked from, and a cross-validated estimate)."""

    dense: float = 0.45  # cosine of question and passage (with its title and facets)
    sentence: float = 0.05  # best cosine of question and any one sentence of the passage
    lexical: float = 0.2  # BM25 / the query's best BM25
    entity: float = 0.05  # share of the question's specific named entities in the source's title and facets
    title: float = 0.25  # cosine of question and the source's title
    subject_review_margin: float = 0.1  # see review_yields
    pool: int = 40  # candidates taken from each of BM25 and the dense side
    mmr_lambda: float = 0.75  # used for broad questions (no specific entity named)

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in SIGNALS], dtype=np.float64)


def signal_matrix(c: Candidates, rows: list[int]) -> np.ndarray:
    """(signal, row) matrix of the ranking signals of the given candidate rows, in SIGNALS order. The entity signal
    used for ranking is the share of the question's *specific* entities (generic ones do not tell studies apart)."""
    return np.stack([c.dense[rows], c.sentence[rows], c.lexical[rows], c.specific[rows], c.title[rows]]).astype(
        np.float64)


def fuse(weights: np.ndarray, signals: np.ndarray) -> np.ndarray:
    """Fused scores: weights (5,) or (settings, 5) against signals (5, rows)."""
    return weights @ signals


def review_yields(first: Any, second: Any, first_is_review: Any, margin: float) -> Any:
    """Where the subject review ranks first and the runner-up scores within `margin`, the runner-up takes first
    place. The review's record summarises every topic, so it loosely matches any broad question; unless the question
    asks about the review (then `first_is_review` is False), the source the review rests on should lead, with the
    review right behind it. A clear lead keeps the review first. Scalars for one ranking, arrays for a grid of
    weight settings (evals/tune_fusion.py)."""
    return first_is_review & (second >= first - margin)
