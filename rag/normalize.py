"""Biomedical text normalisation shared by indexing and querying, so that variants of one entity meet.

`miR-21`, `miR21`, `microRNA-21` and `hsa-miR-21-5p` all become the token `mir21`; the synonym table
(`rag/data/synonyms.tsv`) maps `P-gp`, `P-glycoprotein`, `MDR1` and `ABCB1` to one canonical token, and so on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "σ": "sigma", "τ": "tau", "ω": "omega",
}
_GREEK_RE = re.compile("|".join(GREEK))
# hsa-miR-21-5p, miR-21, microRNA 21, mir21, miR-106b, miR-17-92 -> "mir21"/"mir106b"/"mir17"
_MIRNA = re.compile(r"\b(?:hsa[- ]?)?(?:mir|microrna|mirna|mi r)[- ]?(\d+[a-z]?)(?:[- ][35]p)?\b")
_MIRNA_TOKEN = re.compile(r"mir\d+[a-z]?")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def spaced(text: str) -> str:
    """Lower case, Greek letters spelled out, accents dropped, every non-alphanumeric run a single space."""
    text = _GREEK_RE.sub(lambda m: GREEK[m.group(0)], text.replace("Β", "β"))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " " + _NON_ALNUM.sub(" ", text).strip() + " "


@dataclass(frozen=True)
class SynonymTable:
    pattern: re.Pattern[str]  # every variant, longest first, in one alternation over spaced text
    canonical_of: dict[str, str]  # variant with spaces removed -> canonical token
    labels: dict[str, str]  # canonical token -> first written variant (for query expansion)
    variants: dict[str, tuple[str, ...]]

    def canonical(self, matched: str) -> str:
        key = matched.replace(" ", "")
        return self.canonical_of.get(key) or self.canonical_of[key[:-1]]  # a plural 's' the variant lacks


def _variant_pattern(variant: str) -> str:
    # "P-gp" -> "p gp" and also "pgp": spaces in a variant are optional, so joined spellings match too
    return r" ?".join(re.escape(w) for w in spaced(variant).split()) + "s?"


@lru_cache(maxsize=1)
def synonyms() -> SynonymTable:
    text = (Path(__file__).parent / "data" / "synonyms.tsv").read_text(encoding="utf-8")
    canonical_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    variants: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, _, rest = line.partition("\t")
        forms = tuple(v.strip() for v in rest.split("|") if v.strip())
        canonical = canonical.strip().lower()
        labels[canonical], variants[canonical] = forms[0], forms
        canonical_of.update({spaced(v).replace(" ", ""): canonical for v in forms})
    forms_all = sorted({v for forms in variants.values() for v in forms}, key=lambda v: -len(spaced(v)))
    # longest variants first, so "non-small cell lung cancer" wins over "lung cancer"; one pass over the text
    alternation = "|".join(_variant_pattern(v) for v in forms_all)
    return SynonymTable(re.compile(rf"(?<= )(?:{alternation})(?= )"), canonical_of, labels, variants)


def is_entity(token: str) -> bool:
    return token in synonyms().labels or bool(_MIRNA_TOKEN.fullmatch(token))


def canonical_entities(text: str) -> list[str]:
    """Canonical tokens (synonym groups and miRNA names) mentioned in a text, in order of first mention."""
    return list(dict.fromkeys(t for t in normalize(text).split() if is_entity(t)))


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Spaced text with miRNA names and synonym variants replaced by their canonical token (cached: passages and
    their sentences are normalised again at every question)."""
    table = synonyms()
    s = _MIRNA.sub(lambda m: f" mir{m.group(1)} ", spaced(text))
    return table.pattern.sub(lambda m: table.canonical(m.group(0)), s)


def joined_compounds(text: str) -> list[str]:
    """'SBF2-AS1' -> 'sbf2as1', 'circ_0091741' -> 'circ0091741': compound names searched as one token too."""
    out = []
    for compound in re.findall(r"[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)+", text):
        parts = re.split(r"[-_/]", compound)
        if any(ch.isdigit() for ch in compound) or all(len(p) <= 4 for p in parts):
            out.append("".join(parts).lower())
    return out


def stem(token: str) -> str:
    """Light plural folding (exosomes -> exosome, CAFs -> caf) that leaves gene names alone."""
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")) and not token[-2].isdigit():
        return token[:-1]
    return token
