"""How much of the field's evidence comes from cell culture, animals or patients ("Is the evidence for
exosome-mediated resistance mostly from cell lines?", "What proportion of the studies used patient samples?"),
answered from the records' experimental systems (rag/evidence.py reads each study's kinds of evidence) as counts
across the review's route studies; rag/collection.py cites each kind's first studies as it cites a facet's
values. A reader weighing the field asks this first, and an answer of findings, three studies chosen by their
words, cannot say it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents import Source
from rag.evidence import ANIMALS, CULTURE_ONLY, PATIENTS, evidence_kinds
from rag.generation.routes import ROUTE_OF
from rag.index import Index

NAMED_PER_KIND = 3  # studies named for each kind of evidence; the rest are counted
# a share of the evidence asked for: "mostly", "what proportion", "what kinds of evidence"
_SHARE = re.compile(r"\b(?:mostly|mainly|largely|primarily|predominantly|chiefly|proportion|share|fraction|"
                    r"percentage|percent|(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of\s+evidence)\b", re.IGNORECASE)
# ... of the evidence or the studies, not of a thing measured ("What proportion of plasma miRNA is in exosomes?")
_OF_EVIDENCE = re.compile(r"\b(?:evidence|stud(?:y|ies)|experiments?|data|research|papers?|findings|results|work)\b",
                          re.IGNORECASE)
_SAID = {CULTURE_ONLY: "cell culture only", ANIMALS: "experiments in animals (in vivo)",
         PATIENTS: "patients or human samples"}


def asks_share(question: str) -> bool:
    """Does the question ask how the field's evidence divides between cell culture, animals and patients? The
    caller checks that it names nothing in particular (a cancer, a drug, a cargo, an author or a year)."""
    return bool(_SHARE.search(question) and _OF_EVIDENCE.search(question))


def studies(index: Index) -> list[Source]:
    """The primary studies of the review's routes, sound ones first, newest first."""
    found = [s for s in index.sources.values() if s.type == "study" and s.category in ROUTE_OF]
    return sorted(found, key=lambda s: (s.retracted, -(s.year or 0), s.title.lower()))


@dataclass(frozen=True)
class Count:
    """The studies of each kind of evidence (a study may have animals and patients both)."""

    studies: list[Source]
    of_kind: dict[str, list[Source]]  # CULTURE_ONLY, ANIMALS, PATIENTS, in that order
    both: list[Source]  # animals and patients
    unlisted: int  # studies whose record lists no experimental system

    def groups(self) -> list[tuple[str, list[Source]]]:
        """Each kind as an answer says it, with its studies."""
        return [(_SAID[kind], found) for kind, found in self.of_kind.items()]


def count(sources: list[Source]) -> Count:
    kinds = {s.id: evidence_kinds(s) for s in sources}
    return Count(sources, {kind: [s for s in sources if kind in kinds[s.id]] for kind in _SAID},
                 [s for s in sources if {ANIMALS, PATIENTS} <= kinds[s.id]], sum(1 for s in sources if not kinds[s.id]))


def opening(counted: Count, described: str) -> str:
    """'Of the 50 studies ..., 15 report cell culture only; 25 report experiments in animals (in vivo) and 23
    report patients or human samples, 13 report both.' (`described`: what the question named, the studies' filter)"""
    scope = f" with {described}" if described else ""
    kinds = counted.of_kind
    return (f"Of the {len(counted.studies)} studies of exosomes in chemotherapy resistance in the collection{scope}, "
            f"{_count(kinds[CULTURE_ONLY])} cell culture only; {_count(kinds[ANIMALS])} "
            f"experiments in animals (in vivo) and {_count(kinds[PATIENTS])} patients or human samples, "
            f"{_count(counted.both)} both.")


def closing(counted: Count) -> str:
    """How many list no experimental system and how many are retracted ("" when none)."""
    text = ""
    if counted.unlisted:
        text += f" {counted.unlisted} of them list{'s' if counted.unlisted == 1 else ''} no experimental system."
    retracted = sum(s.retracted for s in counted.studies)
    if retracted:
        text += f" {retracted} of the {len(counted.studies)} are retracted."
    return text


def _count(studies: list[Source]) -> str:
    """'15 report', '1 reports', 'none report'."""
    return f"{len(studies)} report{'s' if len(studies) == 1 else ''}" if studies else "none report"
