"""Hybrid retrieval: candidates and signals (rag/ranking/signals.py), the fusion formula and subject-review rule
(fusion.py), one passage per source and MMR (diversify.py), and a calibrated relevance score (calibration.py),
put together by HybridSearch. rag/retriever.py exposes it as a LangChain ``BaseRetriever``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.documents import Chunk, Source
from rag.filters import Filters
from rag.index import Index
from rag.ranking.calibration import RELEVANCE_THRESHOLD, relevance, relevance_features
from rag.ranking.diversify import best_per_source, mmr
from rag.ranking.fusion import Weights, fuse, review_yields, signal_matrix
from rag.ranking.signals import GENERIC_ENTITIES, SUBJECT_REVIEW, Candidates, CandidateSignals, Method

if TYPE_CHECKING:
    from rag.model_files import Encoder

__all__ = ["COMPONENTS", "GENERIC_ENTITIES", "RELEVANCE_THRESHOLD", "SUBJECT_REVIEW", "Hit", "HybridSearch", "Method",
           "Weights", "relevance"]

COMPONENTS = ("dense", "sentence", "lexical", "entity", "title")


MAX_NAMED = 3  # papers a question may name one by one ("Ding et al. (2020), Zhang et al. (2019) and Zeng ...")


@dataclass
class Hit:
    chunk: Chunk
    source: Source
    score: float  # calibrated relevance in [0, 1]: above RELEVANCE_THRESHOLD means "this answers the question"
    fused: float  # the ranking score
    dense: float = 0.0
    lexical: float = 0.0
    entity: float = 0.0
    sentence: float = 0.0
    title: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.source.bibliographic(),
            "chunk_id": self.chunk.id,
            "section": self.chunk.section,
            "page": self.chunk.page,
            "passage": self.chunk.text,
            "score": round(self.score, 4),
            "components": {k: round(getattr(self, k), 4) for k in COMPONENTS},
        }


class HybridSearch:
    """The retrieval core over one index generation."""

    def __init__(self, index: Index, embeddings: Encoder, weights: Weights | None = None) -> None:
        self.index = index
        self.embeddings = embeddings
        self.weights = weights or Weights()
        self.signals = CandidateSignals(index, embeddings, self.weights.pool)

    def query_vector(self, query: str) -> np.ndarray:
        return self.signals.query_vector(query)

    def asks_about_review(self, query: str) -> bool:
        return self.signals.asks_about_review(query)

    def names_a_source(self, query: str) -> bool:
        return self.signals.names_a_source(query)

    def named_sources(self, query: str) -> frozenset[str]:
        return self.signals.named_sources(query)

    def unknown_words(self, query: str) -> list[str]:
        return self.signals.unknown_words(query)

    def unmentioned_names(self, query: str) -> list[str]:
        return self.signals.unmentioned_names(query)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, method: Method = "hybrid",
               diversify: bool | None = None) -> list[Hit]:
        c = self.signals.candidates(query, filters or Filters(), method, k)
        if method == "dense":
            scores = c.dense[c.rows]
        elif method == "bm25":
            scores = c.lexical[c.rows]
        else:
            scores = fuse(self.weights.vector(), signal_matrix(c, c.rows))
        fused = {r: float(s) for r, s in zip(c.rows, scores)}
        best = best_per_source(fused, self.index.source_row)
        if method == "hybrid":
            best = self._subject_review_second(best, fused, c)
        if method == "hybrid" and (diversify if diversify is not None else not c.entities):
            best = mmr(best, fused, self.index.vectors, k, self.weights.mmr_lambda)
        return [self._hit(r, fused[r], c) for r in best[:k]]

    def with_named(self, query: str, hits: list[Hit], named: frozenset[str]) -> list[Hit]:
        """The hits plus, for each source the question names that retrieval did not reach, its passage nearest the
        question ("What did Ding et al. (2020), Zhang et al. (2019) and Zeng et al. (2018) find?" names three
        papers; a question of names alone retrieves by names and years and may miss one). Scored like any hit."""
        missing = named - {h.source.id for h in hits}
        if not missing or len(named) > MAX_NAMED:
            return hits  # a surname alone may name many papers: then the question's words choose among them
        c = self.signals.candidates(query, Filters(), "hybrid", len(hits))
        qv = self.query_vector(query)
        rows = [r for r, chunk in enumerate(self.index.chunks) if chunk.source_id in missing]
        by_cosine = sorted(rows, key=lambda r: float(self.index.vectors[r] @ qv))
        nearest = {self.index.chunks[r].source_id: r for r in by_cosine}  # a source's last row is its nearest
        return hits + [self._hit(r, 0.0, c) for r in nearest.values()]

    def _hit(self, r: int, fused: float, c: Candidates) -> Hit:
        chunk = self.index.chunks[r]
        return Hit(chunk, self.index.sources[chunk.source_id], relevance(relevance_features(c, r)), fused,
                   float(c.dense[r]), float(c.lexical[r]), float(c.entity[r]), float(c.sentence[r]), float(c.title[r]))

    def _subject_review_second(self, ranked: list[int], fused: dict[int, float], c: Candidates) -> list[int]:
        if len(ranked) > 1 and review_yields(fused[ranked[0]], fused[ranked[1]], bool(c.subject_review[ranked[0]]),
                                             self.weights.subject_review_margin):
            ranked[0], ranked[1] = ranked[1], ranked[0]
        return ranked
