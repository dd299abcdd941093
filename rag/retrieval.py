"""Hybrid retrieval: BM25 and dense candidates, entity/field matching, fusion, per-source de-duplication, MMR,
and a calibrated relevance score. Also exposed as a LangChain ``BaseRetriever``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.documents import Chunk, Source
from rag.embeddings import LocalEmbeddings
from rag.filters import Filters
from rag.index import Index
from rag.lexical import tokenize
from rag.normalize import canonical_entities, normalize, stem, synonyms
from rag.vocabulary import Vocabulary

Method = Literal["hybrid", "bm25", "dense"]

# Entities too generic to tell one study from another in this corpus (every study is about exosomes and resistance).
GENERIC_ENTITIES = frozenset({"exosome", "chemoresist", "mirna", "lncrna", "circrna", "ncrna"})
# Source.type of the subject review's record (the pack's review.json); studies are "study", user files "document".
SUBJECT_REVIEW = "review"
_REVIEW_WORD = re.compile(r"\breview", re.IGNORECASE)


@dataclass(frozen=True)
class Weights:
    """Fusion weights, chosen on the dev set by `python evals/tune_fusion.py` (README, "Retrieval", has the grid,
    the neighbourhood it was picked from, and a cross-validated estimate)."""

    dense: float = 0.45  # cosine of question and passage (with its title and facets)
    sentence: float = 0.05  # best cosine of question and any one sentence of the passage
    lexical: float = 0.2  # BM25 / the query's best BM25
    entity: float = 0.05  # share of the question's specific named entities in the source's title and facets
    title: float = 0.25  # cosine of question and the source's title
    subject_review_margin: float = 0.1  # see HybridSearch._subject_review_second
    pool: int = 40  # candidates taken from each of BM25 and Chroma
    mmr_lambda: float = 0.75  # used for broad questions (no specific entity named)


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


RELEVANCE_THRESHOLD = 0.5
COMPONENTS = ("dense", "sentence", "lexical", "entity", "title")


def relevance(dense: float, lexical_per_token: float, entity: float, known_share: float = 1.0) -> float:
    """Calibrated probability-like score from absolute evidence (not from ranks, which always have a top 1).

    A logistic curve over the cosine similarity, BM25 per query token, the named-entity field share, and the share
    of the question's technical words the corpus knows (near-domain questions about drugs or genes the corpus never
    mentions fail there). Fitted by `evals/calibrate_relevance.py` on the dev and held-out questions plus the
    near-domain probes of evals/questions/scope_probes.jsonl (README, "Retrieval", step 7).
    """
    z = 14.0 * dense + 4.7 * min(lexical_per_token, 3.0) + 3.2 * entity + 6.1 * known_share - 16.0
    return 1.0 / (1.0 + math.exp(-z))


@dataclass
class _Candidates:
    rows: list[int]
    dense: np.ndarray
    sentence: np.ndarray
    lexical_per_token: np.ndarray  # raw BM25 / distinct query tokens: absolute evidence for relevance()
    lexical: np.ndarray  # BM25 / the best BM25 of this query: for ranking
    entity: np.ndarray  # share of all named entities (generic ones count less) in title/facets: for relevance()
    specific: np.ndarray  # share of the specific named entities in title/facets: for ranking
    title: np.ndarray
    subject_review: np.ndarray  # 1 for chunks of the subject review when the question does not ask about it
    entities: list[str] = field(default_factory=list)  # specific (non-generic) entities the question names
    known_share: float = 1.0  # share of the question's technical words the corpus knows (rag/vocabulary.py)


def _single_thread_blas() -> None:
    """Keep numpy's BLAS on one thread. The matrix-vector products here are small; a multi-threaded OpenBLAS
    leaves its threads spinning after each call and they fight torch (the query encoder) for the cores:
    measured on 2 cores at 10x the pack, search took 33 ms with default threads and 13 ms with one."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class HybridSearch:
    """The retrieval core over one index generation."""

    def __init__(self, index: Index, embeddings: LocalEmbeddings, weights: Weights | None = None) -> None:
        _single_thread_blas()
        self.index = index
        self.embeddings = embeddings
        self.weights = weights or Weights()
        self._vectors = self._load_vectors()
        self._field_tokens = [self._fields(index.sources[c.source_id]) for c in index.chunks]
        starts = index.sentence_start[:-1]
        # every chunk has at least one sentence; if not, reduceat would be wrong, so sentence scores are skipped
        self._sentence_starts = starts if len(starts) and bool(np.all(np.diff(index.sentence_start) > 0)) else np.array([])
        self._query_cache: dict[str, np.ndarray] = {}
        subject = [index.sources[c.source_id].type == SUBJECT_REVIEW for c in index.chunks]
        self._subject_review = np.array(subject, dtype=np.float32)
        self._vocabulary = Vocabulary(index.lexical.vocabulary)
        self._subject_journals = {normalize(s.journal).strip() for s in index.sources.values()
                                  if s.type == SUBJECT_REVIEW and s.journal}

    def _load_vectors(self) -> np.ndarray:
        by_id = self.index.all_vectors()
        matrix = np.stack([np.asarray(by_id[c.id], dtype=np.float32) for c in self.index.chunks]) if by_id else None
        return matrix if matrix is not None else np.zeros((0, 1), dtype=np.float32)

    @staticmethod
    def _fields(source: Source) -> frozenset[str]:
        """Normalised tokens of the title and facet fields: where a named entity 'counts' most."""
        text = " ".join([source.title] + [v for values in source.facets.values() for v in values])
        return frozenset(stem(t) for t in normalize(text).split()) | frozenset(canonical_entities(text))

    def asks_about_review(self, query: str) -> bool:
        """The question names a review or the subject review's journal ("according to the Oncologie review")."""
        spaced_query = normalize(query)
        return bool(_REVIEW_WORD.search(query)) or any(f" {j} " in spaced_query for j in self._subject_journals)

    def query_vector(self, query: str) -> np.ndarray:
        """The dense query, with abbreviations spelled out so the embedding model sees their meaning (cached: the
        answer layer asks for the same vector again)."""
        cached = self._query_cache.get(query)
        if cached is not None:
            return cached
        labels = synonyms().variants
        spelled = [labels[e][1] for e in canonical_entities(query) if e in labels and len(labels[e]) > 1]
        text = f"{query} ({'; '.join(spelled)})" if spelled else query
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        if len(self._query_cache) > 256:
            self._query_cache.clear()
        self._query_cache[query] = vector
        return vector

    def _candidates(self, query: str, filters: Filters, method: Method) -> _Candidates:
        n = len(self.index.chunks)
        mask = None
        if filters.active():
            mask = np.array([filters.matches(m) for m in self.index.metadata], dtype=np.float32)
        tokens = tokenize(query)
        lexical_raw = self.index.lexical.scores(tokens, mask) if tokens else np.zeros(n, dtype=np.float32)
        rows: list[int] = []
        dense = np.zeros(n, dtype=np.float32)
        sentence = np.zeros(n, dtype=np.float32)
        title = np.zeros(n, dtype=np.float32)
        if method != "bm25":
            qv = self.query_vector(query)
            found = self.index.dense(qv.tolist(), self.weights.pool, filters.where())
            rows.extend(r for r, _ in found)
            if len(self._vectors) == n:
                dense = self._vectors @ qv
            for r, sim in found:
                dense[r] = sim
            sentence = self._sentence_scores(qv)
            title = (self.index.title_matrix @ qv)[self.index.title_row] if n else title
        if method != "dense":
            top = np.argsort(-lexical_raw)[: self.weights.pool]
            rows.extend(int(r) for r in top if lexical_raw[r] > 0)
        rows = list(dict.fromkeys(rows))
        if mask is not None:
            rows = [r for r in rows if mask[r] > 0]
        # BM25 per query token, so long questions do not look more relevant than short ones
        per_token = lexical_raw / max(len(set(tokens)), 1)
        top_lex = float(lexical_raw.max()) if n else 0.0
        mentioned = canonical_entities(query)
        specific = [e for e in mentioned if e not in GENERIC_ENTITIES]
        subject = self._subject_review * (0.0 if self.asks_about_review(query) else 1.0)
        return _Candidates(rows, dense, sentence, per_token, lexical_raw / top_lex if top_lex > 0 else lexical_raw,
                           entity=self._entity_scores(mentioned, rows, n, generic_weight=0.3),
                           specific=self._entity_scores(specific, rows, n, generic_weight=0.0),
                           title=title, subject_review=subject, entities=specific,
                           known_share=self._vocabulary.known_share(query))

    def _sentence_scores(self, qv: np.ndarray) -> np.ndarray:
        """Best cosine between the question and any one sentence of each chunk: questions often paraphrase one
        finding, which a whole-passage vector dilutes. Sentences are stored grouped by chunk, so one reduceat
        gives every chunk's maximum (ufunc.at would be far slower on large corpora)."""
        n = len(self.index.chunks)
        if not len(self.index.sentence_matrix) or len(self._sentence_starts) != n:
            return np.full(n, -1.0, dtype=np.float32)
        return np.maximum.reduceat(self.index.sentence_matrix @ qv, self._sentence_starts)

    def _entity_scores(self, entities: list[str], rows: list[int], n: int, generic_weight: float) -> np.ndarray:
        """Weighted share of the question's named entities found in a source's title and facet fields."""
        score = np.zeros(n, dtype=np.float32)
        weights = {e: generic_weight if e in GENERIC_ENTITIES else 1.0 for e in entities}
        total = sum(weights.values())
        if total:
            for r in rows:
                score[r] = sum(w for e, w in weights.items() if e in self._field_tokens[r]) / total
        return score

    def search(self, query: str, k: int = 5, filters: Filters | None = None, method: Method = "hybrid",
               diversify: bool | None = None) -> list[Hit]:
        filters = filters or Filters()
        c = self._candidates(query, filters, method)
        w = self.weights
        if method == "dense":
            fused = {r: float(c.dense[r]) for r in c.rows}
        elif method == "bm25":
            fused = {r: float(c.lexical[r]) for r in c.rows}
        else:
            fused = {r: self._fuse(c, r) for r in c.rows}
        best = self._best_per_source(fused)
        if method == "hybrid":
            best = self._subject_review_second(best, fused, c)
        broad = not c.entities
        if method == "hybrid" and (diversify if diversify is not None else broad):
            best = self._mmr(best, fused, k)
        hits = []
        for r in best[:k]:
            chunk = self.index.chunks[r]
            hits.append(Hit(chunk, self.index.sources[chunk.source_id],
                            relevance(float(c.dense[r]), float(c.lexical_per_token[r]), float(c.entity[r]), c.known_share),
                            fused[r], float(c.dense[r]), float(c.lexical[r]), float(c.entity[r]), float(c.sentence[r]),
                            float(c.title[r])))
        return hits

    def _fuse(self, c: _Candidates, r: int) -> float:
        w = self.weights
        return (w.dense * float(c.dense[r]) + w.sentence * float(c.sentence[r]) + w.lexical * float(c.lexical[r])
                + w.entity * float(c.specific[r]) + w.title * float(c.title[r]))

    def _subject_review_second(self, ranked: list[int], fused: dict[int, float], c: _Candidates) -> list[int]:
        """The subject review's record summarises every topic, so it loosely matches any broad question. Unless the
        question asks about the review, it gives first place to a runner-up that matches nearly as well (the source
        the review itself rests on) and follows right behind it; a clear lead keeps it first."""
        if len(ranked) > 1 and c.subject_review[ranked[0]]:
            if fused[ranked[1]] >= fused[ranked[0]] - self.weights.subject_review_margin:
                ranked[0], ranked[1] = ranked[1], ranked[0]
        return ranked

    def _best_per_source(self, fused: dict[int, float]) -> list[int]:
        """Rows sorted by score, keeping each source's best chunk only."""
        seen: set[str] = set()
        out = []
        for r in sorted(fused, key=lambda r: -fused[r]):
            sid = self.index.chunks[r].source_id
            if sid not in seen:
                seen.add(sid)
                out.append(r)
        return out

    def _mmr(self, ranked: list[int], fused: dict[int, float], k: int) -> list[int]:
        """Maximal marginal relevance: trade a little score for passages unlike those already chosen."""
        if len(self._vectors) != len(self.index.chunks) or len(ranked) <= 1:
            return ranked
        pool = ranked[: max(3 * k, 15)]
        top = max(fused[r] for r in pool) or 1.0
        chosen = [pool[0]]
        rest = pool[1:]
        lam = self.weights.mmr_lambda
        while rest and len(chosen) < k:
            sims = self._vectors[rest] @ self._vectors[chosen].T
            scores = [lam * fused[r] / top - (1 - lam) * float(sims[i].max()) for i, r in enumerate(rest)]
            pick = rest.pop(int(np.argmax(scores)))
            chosen.append(pick)
        return chosen + [r for r in ranked if r not in chosen]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over HybridSearch: Documents carry the passage and the source's citation fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search_engine: Any
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.search_engine.search(query, k=self.k, filters=self.filters)
        return [Document(page_content=h.chunk.text, metadata={k: v for k, v in h.to_dict().items() if k != "passage"})
                for h in hits]
