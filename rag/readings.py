"""One study's line in a listing read from its sentences (exosomal markers in patients, drugs that lower exosome
release): the sentence that says it, the names it gives, and the facets that place it. rag/biomarker_listing.py and
rag/inhibitor_listing.py find them; rag/collection.py answers with them, a few with their sentences and more as a
catalogue of one cited line each."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.chunking import split_sentences
from rag.documents import Source
from rag.evidence import states_kind

# "How many studies tested exosome inhibitors?": the listing's studies, counted first
COUNTS_STUDIES = re.compile(r"^\s*how\s+many\s+(?:studies|papers|reports|articles|trials)\b", re.IGNORECASE)

SENTENCES_MAX = 3  # up to this many studies are answered with their sentences; more get one catalogue line each


@dataclass(frozen=True)
class Reading:
    source: Source
    sentence: str  # the corpus sentence the line rests on, and the passage its citation points at
    names: tuple[str, ...]  # what was asked for: "miR-500a-3p"; "tipifarnib", "ketoconazole"
    details: tuple[tuple[str, str], ...]  # ("cancer", "gastric cancer"), ("drug", "cisplatin"), ("fluid", "serum")

    def detail(self, facet: str) -> str:
        return next((value for name, value in self.details if name == facet), "")

    def line(self, who: str, n: int, asked: frozenset[str] = frozenset()) -> str:
        """'HOTTIP (gastric cancer; cisplatin; serum): Wang et al., 2019 [1]', without the facets the question
        named (`asked`), which every line would repeat."""
        said = [value for facet, value in self.details if value and facet not in asked]
        detail = f" ({'; '.join(said)})" if said else ""
        retracted = " (retracted)" if self.source.retracted else ""
        return f"{', '.join(self.names) or 'not named'}{detail}: {who}{retracted} [{n}]"


def first_value(values: list[str]) -> str:
    """A record's first value as written, without its note ("adriamycin (doxorubicin)": adriamycin)."""
    return values[0].split(" (")[0].strip() if values else ""


def ordered(readings: list[Reading]) -> list[Reading]:
    """Sound studies first, newest first."""
    return sorted(readings, key=lambda r: (r.source.retracted, -(r.source.year or 0), r.source.title.lower()))


def of_evidence(reading: Reading, text: str, kind: str) -> Reading:
    """The reading resting on the study's sentence about the kind of evidence asked for, when one of its sentences
    names what the reading gives in that setting ("Have exosome inhibitors been tested in patients?": Chalmin's
    patients taking amiloride, not its three mouse models)."""
    if states_kind(reading.sentence, kind):
        return reading
    names = {a for n in reading.names for a in (n, *abbreviations(n, text))}
    said = next((s for s in split_sentences(text) if states_kind(s, kind) and any(names_in(n, s) for n in names)),
                None)
    return replace(reading, sentence=said) if said else reading


def abbreviations(name: str, text: str) -> set[str]:
    """The abbreviations the text defines for a name: "proton pump inhibitors (PPIs)" gives "PPI"."""
    return {m.group(1) for m in re.finditer(rf"{re.escape(name)}\s*\(([A-Za-z0-9-]+?)s?\)", text, re.IGNORECASE)}


def names_in(name: str, sentence: str) -> bool:
    """Does the sentence use the name (or its plural) as a word of its own?"""
    return bool(re.search(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])", sentence, re.IGNORECASE))
