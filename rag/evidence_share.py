"""How much of the field's evidence comes from cell culture, animals or patients ("Is the evidence for
exosome-mediated resistance mostly from cell lines?", "What proportion of the studies used patient samples?"),
answered from the records' experimental systems (rag/evidence.py reads each study's kinds of evidence) as counts
across the review's route studies, each kind with its first studies cited. A reader weighing the field asks this
first, and an answer of findings, three studies chosen by their words, cannot say it."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.citations import Citation
from rag.documents import Answer, Source
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


def answer(sources: list[Source], described: str, cite: Callable[[int, Source], Citation],
           who: Callable[[Source], str]) -> Answer:
    """'Of the 50 studies ..., 15 report cell culture only; 25 report experiments in animals (in vivo) and 23
    report patients or human samples, 13 report both.' then the first studies of each kind, cited (`sources`: the
    route studies matching what the question names, `described`)."""
    kinds = {s.id: evidence_kinds(s) for s in sources}
    of_kind = {kind: [s for s in sources if kind in kinds[s.id]] for kind in _SAID}
    both = [s for s in sources if {ANIMALS, PATIENTS} <= kinds[s.id]]
    none = sum(1 for s in sources if not kinds[s.id])
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    lines = []
    for kind, said in _SAID.items():
        named = []
        for source in of_kind[kind][:NAMED_PER_KIND]:
            if source.id not in numbers:
                numbers[source.id] = len(numbers) + 1
                citations.append(cite(numbers[source.id], source))
            named.append(f"{who(source)} [{numbers[source.id]}]")
        more = len(of_kind[kind]) - NAMED_PER_KIND
        if named:
            lines.append(f"{said}: {', '.join(named)}{f' and {more} more' if more > 0 else ''}")
    retracted = sum(s.retracted for s in sources)
    scope = f" with {described}" if described else ""
    text = (f"Of the {len(sources)} studies of exosomes in chemotherapy resistance in the collection{scope}, "
            f"{_count(of_kind[CULTURE_ONLY])} cell culture only; {_count(of_kind[ANIMALS])} "
            f"experiments in animals (in vivo) and {_count(of_kind[PATIENTS])} patients or human samples, "
            f"{_count(both)} both.")
    listed = "; ".join(lines)
    if listed:
        text += f" {listed[0].upper()}{listed[1:]}."
    if none:
        text += f" {none} of them list{'s' if none == 1 else ''} no experimental system."
    if retracted:
        text += f" {retracted} of the {len(sources)} are retracted."
    return Answer(text, citations=citations, backend="collection")


def _count(studies: list[Source]) -> str:
    """'15 report', '1 reports', 'none report'."""
    return f"{len(studies)} report{'s' if len(studies) == 1 else ''}" if studies else "none report"
