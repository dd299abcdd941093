"""How far a study's evidence reaches: cell culture only, or animals and patients too.

A finding from cell lines alone reads differently from one shown in mice or in patients' samples, so an answer that
cites a study whose record lists only in vitro models says so next to that study's finding. The level is read from
the record's `models` facet (the experimental systems the pack lists for every study): no animal model, in vivo
experiment, patient sample or tissue among them means in vitro only. Records without models (reviews, user files)
are never labelled, nor are studies of exosome biology itself (their claims are about cells, not treatment).
"""

from __future__ import annotations

import re

from rag.documents import Source

# experimental systems that reach beyond a culture dish: animals and in vivo assays ("mouse" alone may be a cell
# line's species: "MC/9 mouse mast cell line") ...
_IN_ANIMALS = re.compile(
    r"in vivo|xenograft|\bmice\b|\bmouse (?:model|tumou?r|breast|xenograft)|\bmurine \w+ model|"
    r"\btumou?r (?:model|growth)|\b(?:animal|metastasis|tumorigenesis) (?:model|assay)|chorioallantoic|\bcam\b|"
    r"\brats?\b", re.IGNORECASE)
# ... and patients and their samples
_FROM_PATIENTS = re.compile(r"patient(?!-derived)|tissue|serum|plasma|clinical|sample|cerebrospinal|donor|tcga",
                            re.IGNORECASE)
ANIMALS, PATIENTS, CULTURE_ONLY = "animals", "patients", "culture-only"  # the kinds of evidence a study may have


# words that ask where a study's evidence comes from ("done in mice", "used patient samples", "only in cell
# culture"): collection listings by evidence, and the note on a named study's evidence (rag/answering.py)
_EVIDENCE_WORDS = {ANIMALS: frozenset({"mice", "mouse", "murine", "animal", "animals", "vivo",
                                       "rodent", "rodents", "rat", "rats", "xenograft", "xenografts"}),
                   PATIENTS: frozenset({"patient", "patients", "clinical", "serum", "plasma", "tissue", "tissues",
                                        "sample", "samples", "donor", "donors"}),
                   CULTURE_ONLY: frozenset({"vitro", "culture", "cultured", "dish", "lines", "line"})}
_CELLS_OF = frozenset({"tissue", "tissues"})
_ONLY = frozenset({"only", "alone", "just", "solely", "purely", "exclusively"})  # culture needs one: "only in vitro"


def evidence_asked(words: list[str], strict: bool = False) -> tuple[str | None, frozenset[str]]:
    """The kind of evidence a question (its normalised words) asks about ("done in mice", "used patient samples",
    "only in cell culture"), and the words that said it; (None, {}) for none, or for more than one kind. With
    `strict`, "tissue" says nothing: in a question about a subject rather than a study it names cells ("connective
    tissue cells", "scar tissue" for fibroblasts)."""
    ignored = _CELLS_OF if strict else frozenset()
    said = {kind: set(words) & (kind_words - ignored) for kind, kind_words in _EVIDENCE_WORDS.items()}
    only = set(words) & _ONLY
    # "cell lines" without "only" is how most studies worked, not a kind of evidence asked for
    said[CULTURE_ONLY] = said[CULTURE_ONLY] | {"cell", "cells"} | only if said[CULTURE_ONLY] and only else set()
    asked = [kind for kind, found in said.items() if found]
    if len(asked) != 1:
        return None, frozenset()
    return asked[0], frozenset(said[asked[0]])


def states_kind(text: str, kind: str) -> bool:
    """Does a sentence speak of evidence of this kind ("... in three mouse tumor models", "In patients, high serum
    exosomal HOTTIP ...")?"""
    pattern = {ANIMALS: _IN_ANIMALS, PATIENTS: _FROM_PATIENTS}.get(kind)
    return bool(pattern and pattern.search(text))


def in_vitro_only(source: Source) -> bool:
    """Does the study's record list experimental systems, all of them cell culture?"""
    models = source.facets.get("models", [])
    if source.type != "study" or not models or source.category == "exosome-biology":
        return False
    return not any(_IN_ANIMALS.search(m) or _FROM_PATIENTS.search(m) for m in models)


def evidence_kinds(source: Source) -> frozenset[str]:
    """What the study's record says its evidence comes from: animals (in vivo), patients or their samples, or cell
    culture only (a study may have the first two; reviews and records without models have none)."""
    models = source.facets.get("models", [])
    if source.type != "study" or not models:
        return frozenset()
    kinds = {ANIMALS for m in models if _IN_ANIMALS.search(m)} | {PATIENTS for m in models if _FROM_PATIENTS.search(m)}
    return frozenset(kinds or {CULTURE_ONLY})


def carries_culture_note(source: Source) -> bool:
    """Does an answer citing this source get the cell-culture note? (A retracted study gets the retraction caution
    instead.)"""
    return not source.retracted and in_vitro_only(source)
