"""Exosomal markers of treatment response across the field ("Which exosomal biomarkers predict chemotherapy
resistance?", "Which exosomal markers in patient serum predict cisplatin resistance?"), answered from the studies
that measured an exosomal cargo in patients and linked its level to response, resistance or outcome. A clinician asks
this first; an answer of findings gives the three passages that best repeat the question's words, which were
reviews ("discusses exosomes as possible biomarkers") and one study, while a dozen studies report such a marker.

A study counts when its record lists patients or their samples (rag/evidence.py) and one of its sentences, not one
that frames the study's aim, speaks of exosomes or vesicles in patients or their body fluids together with a
clinical reading (response, prognosis, survival, recurrence, a predictor or marker). That sentence is what the
answer cites, and the names it uses are the markers the line gives. rag/collection.py routes the question here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.answer_types import asks_for_list
from rag.cargo_listing import CLASS_PREFIX
from rag.chunking import split_sentences
from rag.documents import Source
from rag.evidence import PATIENTS, evidence_asked, evidence_kinds
from rag.generation.lead import frames_the_study
from rag.generation.routes import ROUTE_OF, asks_outcome
from rag.normalize import normalize, specific_terms
from rag.readings import COUNTS_STUDIES, Reading, first_value, ordered

# the question asks what predicts or marks response: "biomarkers", "predict", "liquid biopsy", "blood test"
_ASKS_MARKER = re.compile(r"\b(?:bio)?markers?\b|\bpredict\w*|\bprognos\w*|\bliquid[- ]biops\w*|\bblood[- ]tests?\b|"
                          r"\bindicators?\b", re.IGNORECASE)
_ASKS_A_LIST = re.compile(r"^\s*(?:which|what|list|name|are there|is there)\b", re.IGNORECASE)
# a list said by its noun: "What exosomal biomarkers exist ...?", "Are there ... blood tests ...?"
_MARKERS = re.compile(r"\b(?:bio)?markers\b|\bpredictors\b|\bindicators\b|\btests\b", re.IGNORECASE)
_RESPONSE = re.compile(r"\brespon(?:se|ses|ders?)\b", re.IGNORECASE)  # "predict response", "non-responders"
_VESICLES = re.compile(r"\b(?:exosom\w*|(?:micro)?vesicles?|EVs?|particles?)\b", re.IGNORECASE)
# where a marker was measured in patients, as records say it, and how an answer names it
_FLUID = re.compile(r"\b(serum|plasma|blood|circulating(?! tumou?r cells)|cerebrospinal fluid|urine|saliva)\b",
                    re.IGNORECASE)
_FLUID_SAID = {"circulating": "blood"}
_AIM = re.compile(r"\bwhether\b", re.IGNORECASE)  # "asked whether exosomal microRNAs can predict ...": no reading
_IN_PATIENTS = re.compile(r"\bpatients?\b|\bclinical(?:ly)?\b|\bcohort\b|\bliquid[- ]biops\w*", re.IGNORECASE)
# a clinical reading of the level: response, prognosis, survival, recurrence; "exosome marker" (TSG101) is a
# vesicle's identity, not a reading, "survival" alone is often a cell's, and "resistance" alone is often what
# exosomes from patients' cells caused in culture ("exosomes from MM patients' BMSCs promoted drug resistance")
_CLINICAL = re.compile(r"\brespon\w*|\bnon-?responders?\b|\bprognos\w*|\bpredict\w*|\bbiomarkers?\b|"
                       r"(?<!exosome )\bmarkers?\b|\bliquid[- ]biops\w*|\bindicators?\b|\boverall survival\b|"
                       r"\bprogression-free\b|\brecurrence\b|\brelaps\w*|\bpCR\b|\bAUC\b", re.IGNORECASE)


def asks_biomarkers(question: str) -> bool:
    """Does the question ask for the exosomal markers of response across the field (a list: "Which exosomal
    microRNAs predict ...?", "What exosomal biomarkers exist for chemoresistance?")? It speaks of vesicles, of a
    marker or prediction, and of resistance or response to treatment: markers that detect a cancer early ("Which
    exosomal microRNAs are biomarkers of early pancreatic cancer?") or another disease ("... predict a heart
    attack?") are not this collection's subject; the caller checks it names no particular cargo. Evidence asked of
    patients is the same list."""
    marker = bool(_ASKS_MARKER.search(question) and (asks_for_list(question) or _MARKERS.search(question)
                                                      or COUNTS_STUDIES.match(question)))
    return bool((_ASKS_A_LIST.match(question) or COUNTS_STUDIES.match(question)) and _VESICLES.search(question)
                and (marker or _asks_evidence_in_patients(question))
                and (asks_outcome(question) or bool(_RESPONSE.search(question))))


def _asks_evidence_in_patients(question: str) -> bool:
    """"What evidence is there in patients for exosome-mediated resistance?", "Is there clinical evidence that
    exosomes cause chemoresistance?": the patient studies are those that read an exosomal level against response."""
    return bool(_EVIDENCE.search(question)) and evidence_asked(normalize(question).split(), strict=True)[0] == PATIENTS


_EVIDENCE = re.compile(r"\b(?:evidence|data|proof)\b", re.IGNORECASE)


def marker(source: Source, text: str) -> Reading | None:
    """The study's marker, read from its text (its passages joined), or None: no patients in its record, or no
    sentence reading an exosomal level in patients clinically. Its details: cancer, drug, the fluid measured."""
    if source.type != "study" or source.category not in ROUTE_OF or PATIENTS not in evidence_kinds(source):
        return None
    reading = [s for s in split_sentences(text) if _reads_in_patients(s)]
    if not reading:
        return None
    # a result before the authors' proposal ("The authors put forward TrpC5-containing vesicles ... as a candidate
    # biomarker", kept when it is all there is), and a level measured in a body fluid before one in tumour samples
    sentence = min(reading, key=lambda s: (frames_the_study(s), not _FLUID.search(s)))
    fluid = _FLUID.search(sentence)
    said = fluid.group(1).lower() if fluid else ""
    return Reading(source, sentence, _names(source, sentence),
                   (("cancer", first_value(source.facets.get("cancer_types", []))),
                    ("drug", first_value(source.facets.get("drugs", []))), ("fluid", _FLUID_SAID.get(said, said))))


def markers(texts: Iterable[tuple[Source, str]]) -> list[Reading]:
    """Each study's marker, sound studies first, newest first."""
    return ordered([m for s, text in texts if (m := marker(s, text)) is not None])


def _reads_in_patients(sentence: str) -> bool:
    return bool(_VESICLES.search(sentence) and (_FLUID.search(sentence) or _IN_PATIENTS.search(sentence))
                and _CLINICAL.search(sentence) and not _AIM.search(sentence))


def _names(source: Source, sentence: str) -> tuple[str, ...]:
    """The record's cargo names the sentence uses ("UCH-L1", not the P-glycoprotein it also lists); all of them
    when it uses none."""
    cargo = [CLASS_PREFIX.sub("", v.split(" (")[0]).strip() for v in source.facets.get("cargo", [])]
    named = [c for c in cargo if specific_terms(c)]
    used = [c for c in named if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", sentence, re.IGNORECASE)]
    return tuple(dict.fromkeys(used or named))
