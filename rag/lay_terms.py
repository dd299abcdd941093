"""Plain-language questions searched in the literature's terms.

A reader may ask about "support cells", "tiny bubbles" or "a platinum drug"; the studies say "cancer-associated
fibroblasts", "exosomes" and "cisplatin". `rag/data/lay_terms.tsv` maps everyday phrases to the technical terms
(the idea of a consumer health vocabulary). At query time the matched technical terms are added to the question
for BM25, the dense query and the entity share, and the lay words they explain no longer count as words the
corpus does not know (rag/vocabulary.py). The index is not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.normalize import PhraseTable, phrase_table, spaced, synonyms


@dataclass(frozen=True)
class LayReading:
    terms: tuple[str, ...]  # technical terms for the lay phrases found, in order of first mention
    covered: frozenset[str]  # the spaced words of those lay phrases

    def expanded(self, question: str) -> str:
        """The question with its technical terms in brackets (the question itself when none were found)."""
        return f"{question} ({'; '.join(self.terms)})" if self.terms else question


@lru_cache(maxsize=1)
def _table() -> PhraseTable:
    return phrase_table(Path(__file__).parent / "data" / "lay_terms.tsv", plural="(?:s|es)?", lower_heads=False,
                        y_plural=True)


def phrases(question: str) -> list[tuple[str, str]]:
    """Each everyday phrase of a question (spaced, as matched) with its technical terms, in order. A phrase inside a
    longer name of the synonym table is part of that name ("pump" in "proton pump inhibitors" is no drug pump)."""
    table, text = _table(), spaced(question)
    names = [m.span() for m in synonyms().pattern.finditer(text)]
    return [(m.group(0).strip(), table.head(m.group(0))) for m in table.pattern.finditer(text)
            if not any(a <= m.start() and m.end() <= b and b - a > m.end() - m.start() for a, b in names)]


@lru_cache(maxsize=4096)
def read(question: str) -> LayReading:
    """The technical terms for the everyday phrases of a question."""
    terms: list[str] = []
    covered: set[str] = set()
    for found, technical in phrases(question):
        if technical not in terms:
            terms.append(technical)
        covered.update(found.split())
    return LayReading(tuple(terms), frozenset(covered))
