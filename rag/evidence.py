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

# experimental systems that reach beyond a culture dish: animals, in vivo assays, patients and their samples
_BEYOND_CULTURE = re.compile(
    r"in vivo|xenograft|\bmice\b|\bmouse (?:model|tumou?r|breast|xenograft)|\bmurine \w+ model|"
    r"\btumou?r (?:model|growth)|"
    r"\b(?:animal|metastasis|tumorigenesis) (?:model|assay)|patient(?!-derived)|tissue|serum|plasma|clinical|sample|"
    r"cerebrospinal|donor|chorioallantoic|\bcam\b|tcga|in mice|rats?\b", re.IGNORECASE)


def in_vitro_only(source: Source) -> bool:
    """Does the study's record list experimental systems, all of them cell culture?"""
    models = source.facets.get("models", [])
    if source.type != "study" or not models or source.category == "exosome-biology":
        return False
    return not any(_BEYOND_CULTURE.search(m) for m in models)


def carries_culture_note(source: Source) -> bool:
    """Does an answer citing this source get the cell-culture note? (A retracted study gets the retraction caution
    instead.)"""
    return not source.retracted and in_vitro_only(source)
