"""Hybrid retrieval: BM25 and dense candidates, entity/field matching, fusion, per-source de-duplication, MMR,
and a calibrated relevance score (rag/retriever.py exposes it as a LangChain ``BaseRetriever``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from rag.documents import Chunk, Source
from rag.filters import Filters
from rag.index import Index
from rag.lexical import tokenize
from rag.normalize import canonical_entities, normalize, stem, synonyms
from rag.vocabulary import Vocabulary, use_common_words

if TYPE_CHECKING:
    from rag.model_files import Encoder

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

    def __init__(self, index: Index, embeddings: Encoder, weights: Weights | None = None) -> None:
        _single_thread_blas()
        self.index = index
        self.embeddings = embeddings
        self.weights = weights or Weights()
        self._vectors = index.vectors  # memory-mapped: only the rows a query touches are read
        self._source_fields = [self._fields(s) for s in index.sources.values()]
        self._source_index = {sid: i for i, sid in enumerate(index.sources)}
        # Dense candidates: an exact scan of the vectors for indexes up to RAG_EXACT_DENSE_MAX chunks (faster than
        # an ANN query at that size, and Chroma is never opened), Chroma's HNSW index above it and in server mode.
        self._ann = bool(index.settings.chroma_url) or len(index.chunks) > index.settings.exact_dense_max
        self._query_cache: dict[str, np.ndarray] = {}
        subject = [s.type == SUBJECT_REVIEW for s in index.sources.values()]
        self._subject_review = np.array(subject, dtype=np.float32)[index.source_row] if len(index.chunks) else \
            np.zeros(0, dtype=np.float32)
        use_common_words(index.settings.data_dir)
        self._vocabulary = Vocabulary(index.lexical.vocabulary)
        self._subject_journals = {normalize(s.journal).strip() for s in index.sources.values()
                                  if s.type == SUBJECT_REVIEW and s.journal}

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

    def _candidates(self, query: str, filters: Filters, method: Method, k: int = 5) -> _Candidates:
        n = len(self.index.chunks)
        mask = self._mask(filters)
        tokens = tokenize(query)
        lexical_raw = (self.index.lexical.scores(tokens, None if mask is None else mask.astype(np.float32))
                       if tokens else np.zeros(n, dtype=np.float32))
        qv = self.query_vector(query) if method != "bm25" else np.zeros(0, dtype=np.float32)
        rows = self._candidate_rows(qv, lexical_raw, mask, filters, method, [])
        # One long document can fill both pools; widen with the other sources until k of them are candidates.
        for _round in range(3):
            seen = list(dict.fromkeys(self.index.chunks[r].source_id for r in rows))
            if len(seen) >= k or len(seen) >= len(self.index.sources):
                break
            others = ~np.isin(self.index.source_row, [self._source_index[sid] for sid in seen])
            extra = self._candidate_rows(qv, lexical_raw, others if mask is None else mask & others, filters,
                                         method, seen)
            if not extra:
                break
            have = set(rows)
            rows += [r for r in extra if r not in have]
        dense = np.zeros(n, dtype=np.float32)
        sentence = np.zeros(n, dtype=np.float32)
        title = np.zeros(n, dtype=np.float32)
        if method != "bm25" and rows:  # exact re-scoring of the candidates only
            picked = np.array(rows)
            dense[picked] = np.asarray(self._vectors[picked]) @ qv
            sentence[picked] = self._sentence_scores(qv, picked)
            title[picked] = self.index.title_matrix[self.index.source_row[picked]] @ qv
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

    def _candidate_rows(self, qv: np.ndarray, lexical_raw: np.ndarray, mask: np.ndarray | None, filters: Filters,
                        method: Method, exclude: list[str]) -> list[int]:
        """Up to `pool` nearest chunks and `pool` best BM25 chunks within the mask (and not of `exclude` sources)."""
        rows: list[int] = []
        pool = self.weights.pool
        if method != "bm25":
            rows.extend(self._dense_candidates(qv, mask, filters, exclude))
        if method != "dense" and len(lexical_raw):
            lexical = lexical_raw if mask is None else np.where(mask, lexical_raw, 0.0)
            top = np.argpartition(-lexical, min(pool, len(lexical)) - 1)[:pool]
            rows.extend(int(r) for r in top[np.argsort(-lexical[top], kind="stable")] if lexical[r] > 0)
        rows = list(dict.fromkeys(rows))
        return [r for r in rows if mask[r]] if mask is not None else rows

    def _mask(self, filters: Filters) -> np.ndarray | None:
        """Which chunks pass the filters: evaluated once per source, spread to chunks by one index array."""
        if not filters.active():
            return None
        per_source = np.array([filters.matches(m) for m in self.index.source_metadata], dtype=bool)
        return per_source[self.index.source_row] if len(per_source) else np.zeros(0, dtype=bool)

    def _dense_candidates(self, qv: np.ndarray, mask: np.ndarray | None, filters: Filters,
                          exclude: list[str]) -> list[int]:
        """The `pool` chunks nearest the question (within the filters, outside the excluded sources)."""
        if self._ann:
            clauses = [c for c in (filters.where(), {"source_id": {"$nin": exclude}} if exclude else None) if c]
            where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
            return [r for r, _ in self.index.dense(qv.tolist(), self.weights.pool, where)]
        if not len(self._vectors):
            return []
        scores = np.asarray(self._vectors @ qv)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        pool = min(self.weights.pool, len(scores))
        top = np.argpartition(-scores, pool - 1)[:pool]
        return [int(r) for r in top[np.argsort(-scores[top])] if scores[r] > -np.inf]

    def _sentence_scores(self, qv: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Best cosine between the question and any one sentence of each candidate chunk: questions often
        paraphrase one finding, which a whole-passage vector dilutes. Only the candidates' sentences are read
        (one gather, one product, one reduceat over their runs)."""
        starts, ends = self.index.sentence_start[rows], self.index.sentence_start[rows + 1]
        counts = ends - starts
        if not len(self.index.sentence_matrix) or np.any(counts <= 0):
            return np.full(len(rows), -1.0, dtype=np.float32)
        gather = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])
        sims = np.asarray(self.index.sentence_matrix[gather]) @ qv
        return np.maximum.reduceat(sims, np.concatenate([[0], np.cumsum(counts)[:-1]]))

    def _entity_scores(self, entities: list[str], rows: list[int], n: int, generic_weight: float) -> np.ndarray:
        """Weighted share of the question's named entities found in a source's title and facet fields."""
        score = np.zeros(n, dtype=np.float32)
        weights = {e: generic_weight if e in GENERIC_ENTITIES else 1.0 for e in entities}
        total = sum(weights.values())
        if total:
            for r in rows:
                fields = self._source_fields[self.index.source_row[r]]
                score[r] = sum(w for e, w in weights.items() if e in fields) / total
        return score

    def search(self, query: str, k: int = 5, filters: Filters | None = None, method: Method = "hybrid",
               diversify: bool | None = None) -> list[Hit]:
        filters = filters or Filters()
        c = self._candidates(query, filters, method, k)
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
