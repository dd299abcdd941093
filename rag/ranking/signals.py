"""Candidates and their evidence: the `pool` nearest chunks (an exact scan of the memory-mapped vectors, or
Chroma's HNSW index for large indexes and server mode) and the `pool` best BM25 chunks, within the filters, widened
when one long document fills both pools; then, for the candidates only, the passage, best-sentence and title
cosines, BM25, and the named-entity share of the source's title and facets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from rag import lay_terms
from rag.documents import Source, surname
from rag.filters import Filters
from rag.index import Index
from rag.lexical import STOPWORDS, tokenize
from rag.normalize import GENERIC_ENTITIES, canonical_entities, normalize, specific_terms, stem, synonyms
from rag.vocabulary import Vocabulary, use_common_words

if TYPE_CHECKING:
    from rag.model_files import Encoder

Method = Literal["hybrid", "bm25", "dense"]

# Source.type of the subject review's record (the pack's review.json); studies are "study", user files "document".
SUBJECT_REVIEW = "review"
_REVIEW_WORD = re.compile(r"\breview", re.IGNORECASE)
# "the review", "this review" (singular, no name or journal before it): the review the corpus is built around
THE_REVIEW = re.compile(r"\b(?:the|this)\s+review\b(?!s)", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_YEAR_AFTER_NAME = re.compile(r"(?:\s+et\s+al\.?)?,?\s*\(?((?:19|20)\d\d)\b")  # "Zhang et al. (2019)", "Zhang 2019"
# "the osteosarcoma study", "the HOTTIP paper": one to three words before a document noun
_DESCRIBED = re.compile(
    r"\bthe ((?:[\w-]+ ){0,2}[\w-]+) (?:stud(?:y|ies)|papers?|articles?|work|reports?|experiments?)\b", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+|\s*,\s*", re.IGNORECASE)  # "the HOTTIP and H19 studies": two descriptions
_GENERIC_DESCRIPTION = frozenset({"exosome", "cancer", "chemoresist", "same", "first", "other", "new", "recent",
                                  "whole", "mouse", "human", "clinical", "original", "above", "latest", "last"})
MAX_DESCRIBED = 2
_DEFINING = frozenset({"mean", "means", "stand", "stands", "known", "tell", "explain", "define", "definition"})
_COINED = re.compile(r"\b([A-Za-z]{3,})-?(?:19|20)\d\d\b")  # a name its title gives a document: "MISEV2018"


def _by_first_author(sources: Iterable[Source]) -> dict[str, list[Source]]:
    """The sources under their first author's surname (the name a question cites them by)."""
    found: dict[str, list[Source]] = {}
    for source in sources:
        name = surname(source.authors[0]) if source.authors and source.authors[0] != "et al." else ""
        if name:
            found.setdefault(name, []).append(source)
    return found


def _by_coined_name(sources: Iterable[Source]) -> dict[str, list[str]]:
    """The documents whose title coins a dated name ("MISEV2018"), under that name without its year, lower case: a
    question cites such a document by its name ("the MISEV2018 guidelines", "MISEV"), not by its first author."""
    found: dict[str, list[str]] = {}
    for source in sources:
        for name in {m.group(1).lower() for m in _COINED.finditer(source.title)}:
            found.setdefault(name, []).append(source.id)
    return found


# what a surname before it makes a citation of: "the Kreger study", "the Datta screen", "the Koch group's data"
_WORK_WORDS = "study|paper|article|work|screen|experiments?|team|group|lab|findings|results|data|report|trial"


def _cited_author_pattern(surnames: Iterable[str]) -> re.Pattern[str] | None:
    """First authors' surnames followed by what marks a citation ("et al.", "'s", a year, or a word for a piece of
    work as in "the Kreger study"; case as written: "Pan" alone is not a name), or as the subject of "did" (a study
    is reported in the past: "What drug did Koch combine with indomethacin?", not "Which kinase does Koch
    inhibit?") or after "according to" or "by"."""
    names = sorted(surnames, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"\b(?P<cited>{alternatives})(?:\s+et\s+al\b|\s+and\s+(?:colleagues|co-?workers|co-?authors)\b"
                      rf"|'s\b|\s+\(?(?:19|20)\d\d\b|\s+(?:{_WORK_WORDS})\b)"
                      rf"|\b(?i:did|according\s+to|by)\s+(?P<subject>{alternatives})\b")


@dataclass
class Candidates:
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
    unknown_rarity: float = 0.0  # how rare in English the rarest technical word the corpus lacks is
    lay_phrases: int = 0  # everyday phrases of the question that rag/lay_terms.py translated


def _single_thread_blas() -> None:
    """Keep numpy's BLAS on one thread. The matrix-vector products here are small; a multi-threaded OpenBLAS
    leaves its threads spinning after each call and they fight the query encoder for the cores: measured on 2
    cores at 10x the pack, search took 33 ms with default threads and 13 ms with one."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _journal_phrases(journal: str) -> tuple[str, ...]:
    """How a question names a review by its journal (normalised): "the Oncologie review", "a review in Cells"."""
    return f"{journal} review", f"review in {journal}", f"{journal} paper"


class CandidateSignals:
    """Candidate generation and signal scoring over one index generation."""

    def __init__(self, index: Index, embeddings: Encoder, pool: int = 40) -> None:
        _single_thread_blas()
        self.index = index
        self.embeddings = embeddings
        self.pool = pool
        self._vectors = index.vectors  # memory-mapped: only the rows a query touches are read
        self._source_fields = [self._fields(s) for s in index.sources.values()]
        self._source_ids = list(index.sources)  # in source-row order
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
        self._first_authors = _by_first_author(index.sources.values())
        self._cited_author = _cited_author_pattern(self._first_authors)
        self._coined = _by_coined_name(index.sources.values())
        self._reviews = [s for s in index.sources.values() if s.type == SUBJECT_REVIEW or s.category == "review"]

    @staticmethod
    def _fields(source: Source) -> frozenset[str]:
        """Normalised tokens of the title and facet fields: where a named entity 'counts' most."""
        text = " ".join([source.title] + [v for values in source.facets.values() for v in values])
        return frozenset(stem(t) for t in normalize(text).split()) | frozenset(canonical_entities(text))

    def asks_about_review(self, query: str) -> bool:
        """The question names a review or the subject review's journal ("according to the Oncologie review")."""
        spaced_query = normalize(query)
        return bool(_REVIEW_WORD.search(query)) or any(f" {j} " in spaced_query for j in self._subject_journals)

    def names_a_source(self, query: str) -> bool:
        """The question asks what a document of the index says: it names a review, or a first author the way one
        cites a paper ("Koch and colleagues", "Koch et al.", "Koch's study", "Koch (2016)"), or the name its title
        coins ("MISEV2018")."""
        return self.asks_about_review(query) or bool(self._cited_author and self._cited_author.search(query)) \
            or bool(self._coined_names(query)) or bool(self._described(query)) or bool(self._only_a_title_name(query))

    def unknown_words(self, query: str) -> list[str]:
        """The question's technical words the corpus does not know, everyday phrases the lay table explains aside."""
        return self._vocabulary.unknown_words(query, explained=lay_terms.read(query).covered)

    def unmentioned_names(self, query: str) -> list[str]:
        """The question's specific names, when the corpus mentions none of them (rag/vocabulary.py)."""
        return self._vocabulary.unmentioned_names(query)

    def _only_a_title_name(self, query: str) -> list[Source]:
        """"What is PART1?": a question whose only content is one specific name that the titles of at most
        MAX_DESCRIBED studies hold asks about those studies' subject (a question with more content, such as "What
        does PKM2 do in normal muscle cells?", is judged like any other)."""
        words = [w for w in normalize(query).split() if w not in STOPWORDS and w not in _DEFINING]
        if len(words) != 1 or words[0] not in specific_terms(query):
            return []
        titled = [s for s in self.index.sources.values()
                  if s.type == "study" and words[0] in normalize(s.title).split()]
        return titled if len(titled) <= MAX_DESCRIBED else []

    def _described(self, query: str) -> list[Source]:
        """The studies a question points at by what they are about ("the osteosarcoma study", "the HOTTIP paper"):
        the words before "study" match the title and facets of at most MAX_DESCRIBED studies (the fields named
        entities are read from), so "the fibroblast study" of many papers names none."""
        found: list[Source] = []
        for match in _DESCRIBED.finditer(query):
            for description in _AND.split(match.group(1)):  # "the HOTTIP and H19 studies" describes two
                # a year in the description is the study's ("the 1987 reticulocyte study"); reviews are named as such
                years = {int(y) for y in _YEAR.findall(description)}
                words = {stem(t) for t in normalize(_YEAR.sub(" ", description)).split()} - _GENERIC_DESCRIPTION
                if not words:
                    continue
                studies = [s for s, fields in zip(self.index.sources.values(), self._source_fields)
                           if s.type == "study" and not s.is_review and words <= fields
                           and (not years or s.year in years)]
                if 0 < len(studies) <= MAX_DESCRIBED:
                    found += studies
        return found

    def _cited(self, query: str) -> list[tuple[str, int | None]]:
        """Each first author the question cites, with the year written right after the name, if any."""
        if self._cited_author is None:
            return []
        cited = []
        for match in self._cited_author.finditer(query):
            group = "cited" if match.group("cited") else "subject"  # the two ways the pattern finds a surname
            year = _YEAR_AFTER_NAME.match(query, match.end(group))
            cited.append((match.group(group), int(year.group(1)) if year else None))
        return cited

    def _coined_names(self, query: str) -> list[str]:
        """Ids of the documents whose coined name the question writes, with or without its year."""
        words = re.findall(r"[a-z]+", query.lower())
        return [i for word in dict.fromkeys(words) for i in self._coined.get(word, [])]

    def named_sources(self, query: str) -> frozenset[str]:
        """Ids of the documents a question names as one cites them: by first author ("Johnstone and colleagues"),
        or a review by its journal or year ("the Oncologie review", "the 2022 review"; "the review" alone is the
        subject review), or by the name its title coins ("MISEV2018"). A year in the question narrows several papers
        of one surname."""
        named: list[Source] = []
        for name, year in self._cited(query):
            # a year written with the name ("Zhang et al. (2019)") picks that paper among the surname's papers
            papers = self._first_authors[name]
            named += [s for s in papers if s.year == year] or papers if year else papers
        named += [self.index.sources[i] for i in self._coined_names(query)]
        years = {int(y) for y in _YEAR.findall(query)}
        if self.asks_about_review(query):
            spaced_query = normalize(query)
            reviews = self._reviews
            # "the Zhang et al. review": that author's reviews, not every paper of the surname
            named = [s for s in named if s in reviews] or named
            # a journal counts next to the word review only: "the Cells review", not "stromal cells"
            journal = [s for s in reviews if s.journal and any(
                f" {phrase} " in spaced_query for phrase in _journal_phrases(normalize(s.journal).strip()))]
            dated_reviews = [s for s in reviews if s.year in years]
            named += journal or dated_reviews or [s for s in reviews if s.type == SUBJECT_REVIEW]
        named += self._described(query) + self._only_a_title_name(query)
        dated = [s for s in named if s.year in years]
        return frozenset(s.id for s in (dated or named))

    def query_vector(self, query: str) -> np.ndarray:
        """The dense query, with abbreviations spelled out and everyday phrases given their technical terms, so the
        embedding model sees what the literature calls them (cached: the answer layer asks for the same vector
        again)."""
        cached = self._query_cache.get(query)
        if cached is not None:
            return cached
        labels = synonyms().phrases
        spelled = [labels[e][1] for e in canonical_entities(query) if e in labels and len(labels[e]) > 1]
        spelled += lay_terms.read(query).terms
        text = f"{query} ({'; '.join(spelled)})" if spelled else query
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        if len(self._query_cache) > 256:
            self._query_cache.clear()
        self._query_cache[query] = vector
        return vector

    def candidates(self, query: str, filters: Filters, method: Method = "hybrid", k: int = 5) -> Candidates:
        """Candidate rows (up to `pool` from each side, widened until k sources are among them) and every
        signal of each, scored exactly."""
        n = len(self.index.chunks)
        mask = self._mask(filters)
        lay = lay_terms.read(query)
        searched = lay.expanded(query)  # BM25 and the entity share also read the technical terms of lay phrases
        tokens = tokenize(searched)
        lexical_raw = (self.index.lexical.scores(self.index.lexical.query_terms(tokens),
                                                 None if mask is None else mask.astype(np.float32))
                       if tokens else np.zeros(n, dtype=np.float32))
        qv = self.query_vector(query) if method != "bm25" else np.zeros(0, dtype=np.float32)
        rows = self._candidate_rows(qv, lexical_raw, mask, filters, method, [])
        # One long document can fill both pools; widen with the other sources until k of them are candidates.
        for _round in range(3):
            seen = np.unique(self.index.source_row[rows])
            if len(seen) >= k or len(seen) >= len(self.index.sources):
                break
            others = ~np.isin(self.index.source_row, seen)
            extra = self._candidate_rows(qv, lexical_raw, others if mask is None else mask & others, filters,
                                         method, [self._source_ids[i] for i in seen])
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
        mentioned = canonical_entities(searched)
        mentioned += self._particular_names(searched, mentioned)
        specific = [e for e in mentioned if e not in GENERIC_ENTITIES]
        subject = self._subject_review * (0.0 if self.asks_about_review(query) else 1.0)
        return Candidates(rows, dense, sentence, per_token, lexical_raw / top_lex if top_lex > 0 else lexical_raw,
                           entity=self._entity_scores(mentioned, rows, n, generic_weight=0.3),
                           specific=self._entity_scores(specific, rows, n, generic_weight=0.0),
                           title=title, subject_review=subject, entities=specific,
                           known_share=self._vocabulary.known_share(query, explained=lay.covered),
                           unknown_rarity=self._vocabulary.unknown_rarity(query, explained=lay.covered),
                           lay_phrases=len(lay.terms))

    def _candidate_rows(self, qv: np.ndarray, lexical_raw: np.ndarray, mask: np.ndarray | None, filters: Filters,
                        method: Method, exclude: list[str]) -> list[int]:
        """Up to `pool` nearest chunks and `pool` best BM25 chunks within the mask (and not of `exclude` sources)."""
        rows: list[int] = []
        pool = self.pool
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
            return [r for r, _ in self.index.dense(qv.tolist(), self.pool, where)]
        if not len(self._vectors):
            return []
        scores = np.asarray(self._vectors @ qv)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        pool = min(self.pool, len(scores))
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

    def _particular_names(self, text: str, mentioned: list[str]) -> list[str]:
        """Symbols the synonym table does not hold but one or two records list ("ALOX15", "TRIM14"): entities of the
        question too, else "How is ALOX15 linked to exosomes?" ranks every study titled with exosomes above the
        one record that lists ALOX15 and never says "exosome" in its title."""
        # imported here: rag.particulars reads facets with the answer modules, which import this module
        from rag.particulars import records
        known = records(self.index)
        # written as a symbol (specific_terms): "cyclophosphamide" and "multidrug" are words a near-domain question
        # borrows, and with them the gate answered "Which enzyme activates cyclophosphamide in the liver?"
        return list(dict.fromkeys(t for t in map(stem, sorted(specific_terms(text)))
                                  if t not in mentioned and known.is_particular(t)))

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
