"""Extractive answers: the sentences of the retrieved passages that best answer the question, cited, with
redundancy removed. Deterministic, needs no LLM, and cannot say anything the corpus does not."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.documents import surname
from rag.lexical import tokenize
from rag.retrieval import Hit, HybridSearch

MAX_SENTENCES = 6
MAX_PER_OTHER_SOURCE = 1  # the best source may give several sentences, the others one each
MAX_OTHER_SOURCES = 2  # related findings from at most two more studies keep the answer focused
TOP_SOURCE_FLOOR = 0.55  # share of the best sentence's score a sentence of the top source needs
OTHER_SOURCE_FLOOR = 0.7  # ... and a sentence of another source
REDUNDANT_COSINE = 0.85


@dataclass
class Candidate:
    hit_index: int
    position: int  # sentence order inside its passage
    text: str
    vector: np.ndarray
    score: float


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, search: HybridSearch) -> None:
        self.search = search

    def _candidates(self, question: str, hits: list[Hit]) -> list[Candidate]:
        qv = self.search.query_vector(question)
        q_terms = set(tokenize(question))
        out = []
        for i, hit in enumerate(hits):
            vectors = self.search.index.sentence_vectors(self.search.index.row_of[hit.chunk.id])
            for j, (sentence, vector) in enumerate(zip(hit.chunk.sentences, vectors)):
                coverage = len(q_terms & set(tokenize(sentence))) / max(len(q_terms), 1)
                # the passage's own rank matters: a sentence of the best source answers more often
                score = 0.55 * float(vector @ qv) + 0.35 * coverage + 0.10 * hit.score / (1 + i)
                out.append(Candidate(i, j, sentence, vector, score))
        return out

    def select(self, question: str, hits: list[Hit]) -> list[Candidate]:
        chosen: list[Candidate] = []
        per_source: dict[int, int] = {}
        for cand in sorted(self._candidates(question, hits), key=lambda c: -c.score):
            if len(chosen) == MAX_SENTENCES:
                break
            limit = MAX_SENTENCES if cand.hit_index == 0 else MAX_PER_OTHER_SOURCE
            if per_source.get(cand.hit_index, 0) >= limit:
                continue
            others = sum(1 for i in per_source if i != 0)
            if cand.hit_index != 0 and cand.hit_index not in per_source and others >= MAX_OTHER_SOURCES:
                continue
            floor = TOP_SOURCE_FLOOR if cand.hit_index == 0 else OTHER_SOURCE_FLOOR
            if chosen and cand.score < floor * chosen[0].score:
                continue  # much weaker than the best sentence: it would dilute the answer
            if any(float(cand.vector @ c.vector) > REDUNDANT_COSINE for c in chosen):
                continue
            chosen.append(cand)
            per_source[cand.hit_index] = per_source.get(cand.hit_index, 0) + 1
        # read as an answer: sources in rank order, and each source's sentences in the order its authors wrote them
        return sorted(chosen, key=lambda c: (c.hit_index, c.position))

    def generate(self, question: str, hits: list[Hit]) -> str:
        parts, introduced = [], set()
        for c in self.select(question, hits):
            lead = ""
            if c.hit_index not in introduced:  # name the study once, so the reader knows whose finding it is
                lead = f"{'Related, ' if introduced else ''}{attribution(hits[c.hit_index])}: "
                introduced.add(c.hit_index)
            parts.append(f"{lead}{c.text} [{c.hit_index + 1}]")
        return " ".join(parts)


def attribution(hit: Hit) -> str:
    """'Au Yeung et al. (2016)' / 'Zhang et al. (2022, review)'."""
    source = hit.source
    first = surname(source.authors[0]) if source.authors and source.authors[0] != "et al." else ""
    who = f"{first} et al." if first else source.title
    when = [str(source.year)] if source.year else []
    if source.type == "review" or source.category == "review":
        when.append("review")
    return f"{who} ({', '.join(when)})" if when else who
