"""Plain-language questions searched in the literature's terms.

A reader may ask about "support cells", "tiny bubbles" or "a platinum drug"; the studies say "cancer-associated
fibroblasts", "exosomes" and "cisplatin". `rag/data/lay_terms.tsv` maps everyday phrases to the technical terms
(the idea of a consumer health vocabulary). At query time the matched technical terms are added to the question
for BM25, the dense query and the entity share, and the lay words they explain no longer count as words the
corpus does not know (rag/vocabulary.py). The index is not changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.normalize import spaced


@dataclass(frozen=True)
class LayReading:
    terms: tuple[str, ...]  # technical terms for the lay phrases found, in order of first mention
    covered: frozenset[str]  # the spaced words of those lay phrases

    def expanded(self, question: str) -> str:
        """The question with its technical terms in brackets (the question itself when none were found)."""
        return f"{question} ({'; '.join(self.terms)})" if self.terms else question


@dataclass(frozen=True)
class _Table:
    pattern: re.Pattern[str]  # every lay phrase, longest first, over spaced text; spaces inside a phrase optional
    technical_of: dict[str, str]  # lay phrase with spaces removed -> technical terms


def _phrase_pattern(phrase: str) -> str:
    return r" ?".join(re.escape(w) for w in spaced(phrase).split()) + "(?:s|es)?"


@lru_cache(maxsize=1)
def _table() -> _Table:
    technical_of: dict[str, str] = {}
    phrases: list[str] = []
    for line in (Path(__file__).parent / "data" / "lay_terms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        technical, _, lay = line.partition("\t")
        for phrase in (p.strip() for p in lay.split("|") if p.strip()):
            technical_of[spaced(phrase).replace(" ", "")] = technical.strip()
            phrases.append(phrase)
    # longest phrases first, so "platinum drug" is read as one phrase before any shorter one inside it
    phrases.sort(key=lambda p: -len(spaced(p)))
    alternation = "|".join(_phrase_pattern(p) for p in phrases)
    return _Table(re.compile(rf"(?<= )(?:{alternation})(?= )"), technical_of)


@lru_cache(maxsize=4096)
def read(question: str) -> LayReading:
    """The technical terms for the everyday phrases of a question."""
    table = _table()
    text = spaced(question)
    terms: list[str] = []
    covered: set[str] = set()
    for match in table.pattern.finditer(text):
        found = match.group(0)
        key = found.replace(" ", "")
        technical = table.technical_of.get(key) or table.technical_of.get(key.removesuffix("es")) \
            or table.technical_of[key.removesuffix("s")]
        if technical not in terms:
            terms.append(technical)
        covered.update(found.split())
    return LayReading(tuple(terms), frozenset(covered))
