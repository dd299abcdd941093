"""Biomedical text normalisation shared by indexing and querying, so that variants of one entity meet.

`miR-21`, `miR21`, `microRNA-21` and `hsa-miR-21-5p` all become the token `mir21`; the synonym table
(`rag/data/synonyms.tsv`) maps `P-gp`, `P-glycoprotein`, `MDR1` and `ABCB1` to one canonical token, and so on.
"""

from __future__ import annotations

import hashlib
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
class PhraseTable:
    """A table of `head <TAB> phrase | phrase | ...` lines, compiled to one pass over spaced text. The synonym table
    (heads are canonical tokens) and the lay-terms table (rag/lay_terms.py: heads are technical terms) are two."""

    pattern: re.Pattern[str]  # every phrase, longest first, in one alternation over spaced text
    head_of: dict[str, str]  # phrase with spaces removed -> its head
    phrases: dict[str, tuple[str, ...]]  # head -> its phrases as written

    def head(self, matched: str) -> str:
        """The head of a matched phrase, allowing for the plural ending ('s', 'es') the written phrase lacks."""
        key = matched.replace(" ", "")
        for form in (key, key[:-1], key[:-2], f"{key[:-3]}y"):  # as written; + s; + es; y -> ies
            if form in self.head_of:
                return self.head_of[form]
        raise KeyError(matched)


def phrase_table(path: Path, plural: str = "s?", lower_heads: bool = True, y_plural: bool = False) -> PhraseTable:
    """Read a phrase table; a phrase matches with its spaces optional ("P-gp" as "p gp" or "pgp") and `plural`, and
    with `y_plural` a phrase ending in consonant + y also as its -ies plural ("energy factory": "energy factories")."""
    head_of: dict[str, str] = {}
    phrases: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, rest = line.partition("\t")
        head = head.strip().lower() if lower_heads else head.strip()
        forms = tuple(v.strip() for v in rest.split("|") if v.strip())
        phrases[head] = forms
        head_of.update({spaced(v).replace(" ", ""): head for v in forms})
    every = sorted({v for forms in phrases.values() for v in forms}, key=lambda v: -len(spaced(v)))
    # longest phrases first, so "non-small cell lung cancer" wins over "lung cancer"; one pass over the text
    alternation = "|".join(_phrase_pattern(spaced(v).split(), plural, y_plural) for v in every)
    return PhraseTable(re.compile(rf"(?<= )(?:{alternation})(?= )"), head_of, phrases)


def _phrase_pattern(words: list[str], plural: str, y_plural: bool) -> str:
    *first, last = words
    if y_plural and re.fullmatch(r"\w*[^aeiou\d]y", last):
        last_pattern = f"{re.escape(last[:-1])}(?:y|ies)"
    else:
        last_pattern = re.escape(last) + plural
    return r" ?".join([*(re.escape(w) for w in first), last_pattern])


SYNONYM_TABLE = Path(__file__).parent / "data" / "synonyms.tsv"


@lru_cache(maxsize=1)
def synonyms() -> PhraseTable:
    return phrase_table(SYNONYM_TABLE)


def synonym_table_digest() -> str:
    """Short digest of the synonym table: indexed text is normalised with it, so it versions the lexical index."""
    return hashlib.sha256(SYNONYM_TABLE.read_bytes()).hexdigest()[:12]


def is_entity(token: str) -> bool:
    return token in synonyms().phrases or bool(_MIRNA_TOKEN.fullmatch(token))


def canonical_entities(text: str) -> list[str]:
    """Canonical tokens (synonym groups and miRNA names) mentioned in a text, in order of first mention."""
    return list(dict.fromkeys(t for t in normalize(text).split() if is_entity(t)))


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Spaced text with miRNA names and synonym variants replaced by their canonical token (cached: passages and
    their sentences are normalised again at every question)."""
    table = synonyms()
    s = _MIRNA.sub(lambda m: f" mir{m.group(1)} ", spaced(text))
    return table.pattern.sub(lambda m: table.head(m.group(0)), s)


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


# Entities too generic to tell one study from another in this corpus (every study is about exosomes and resistance).
GENERIC_ENTITIES = frozenset({"exosome", "chemoresist", "mirna", "lncrna", "circrna", "ncrna"})

# A token is specific when it names something checkable: it has a digit (miR-21, A549, 2.5-fold, 5-FU), or it was
# written as a symbol in capitals (PTEN, CDA) or with a capital inside the word (CircNFIX, circNFIX, TrpC5, mTOR),
# or the synonym table / miRNA rule knows it. A Greek letter may end a symbol (ERα, PDGFβ). Tokens are taken from
# the normalised whole sentence, so "miR-32-5p" is one token (mir32) and "circular RNA" one entity (circrna).
_SYMBOL = re.compile(r"\b(?:[A-Z][A-Z0-9]+[α-ω]?|[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*)\b")


def specific_terms(sentence: str) -> set[str]:
    """Normalised specific tokens of a sentence."""
    symbols = {normalize(s).strip() for s in _SYMBOL.findall(sentence)}
    return {t for t in normalize(sentence).split()
            if any(ch.isdigit() for ch in t) or is_entity(t) or t in symbols}
