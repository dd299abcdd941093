"""Broader names of cancer types: a study of glioblastoma is a study of glioma too.

The pack records each study's cancer type as its abstract names it ("glioblastoma", "diffuse large B-cell
lymphoma"), and a filter or a collection question matches the words of that value. Someone asking for "glioma"
studies means the glioblastoma studies as well (glioblastoma is the grade 4 glioma), so a cancer-type value is
also searchable by the broader names below. Narrower to broader only: a question about glioblastoma is not answered
by a study of another glioma. Each name is a normalised token (rag/normalize.py folds "DLBCL" and "diffuse large
B-cell lymphoma" to "dlbcl"), and a value gains the broader names of every token it holds.
"""

from __future__ import annotations

from rag.normalize import normalize

BROADER: dict[str, tuple[str, ...]] = {
    "glioblastoma": ("glioma",),
    "dlbcl": ("lymphoma",),
    "osteosarcoma": ("sarcoma",),
    "tnbc": ("breast",),
    "nsclc": ("lung",),
    "escc": ("esophageal",),
    "hcc": ("liver", "hepatocellular"),
    "pdac": ("pancreatic",),
}


def broader_names(values: list[str]) -> list[str]:
    """The broader names the cancer-type values do not already say ("glioblastoma" -> ["glioma"])."""
    tokens = {t for v in values for t in normalize(v).split()}
    return sorted({b for t in tokens for b in BROADER.get(t, ())} - tokens)
