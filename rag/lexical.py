"""Lexical side of the index: tokenisation and a persisted bm25s index over the same chunks as Chroma."""

from __future__ import annotations

import sys
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import Stemmer

from rag.normalize import joined_compounds, normalize, stem, synonym_table_digest

def _import_bm25s():  # type: ignore[no-untyped-def]
    """bm25s imports numba and scipy when they are installed (both are, for ranx), only for optional backends
    this index does not use (backend and CSC construction are numpy): a third of a second of every cold
    `rag ask`. Hide them while bm25s is imported, then let anyone else import them normally."""
    if "bm25s" in sys.modules:
        return sys.modules["bm25s"]
    hidden = [name for name in ("numba", "scipy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        import bm25s
    finally:
        for name in hidden:
            del sys.modules[name]
    return bm25s


bm25s = _import_bm25s()

# Bump when tokenisation or filter terms change: the next ingest then rebuilds BM25 and metadata (vectors are reused).
# The synonym table's digest is part of it, so an edited table never leaves an index normalised the old way.
LEXICAL_VERSION = f"tok-v6-syn{synonym_table_digest()}"

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers how
    i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
    same she should so some such than that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours et al""".split()
)
# The noun and adjective of a medical Greek or Latin word are one search term ("hypoxia" asks about "hypoxic
# macrophages", "apoptosis" about "apoptotic cells", "metastasis" about "metastatic breast cancer"): the noun is
# written as its adjective. Regular suffix pairs of English, not a word list; a word that only looks like one
# (media -> medic) folds the same way in questions and passages, so it matches no less than before.
_NOUN_TO_ADJECTIVE = (("osis", "otic"), ("asis", "atic"), ("ia", "ic"))
_MIN_FOLDED = 6  # letters: "via" and "asia" stay as they are


@lru_cache(maxsize=1)
def english_stemmer() -> Stemmer.Stemmer:
    """Snowball's English stemmer (one instance for the process): for matching words by stem outside BM25, which
    keeps gene names whole with its light plural folding instead."""
    return Stemmer.Stemmer("english")


def fold_derivation(token: str) -> str:
    """'hypoxia' -> 'hypoxic', 'apoptosis' -> 'apoptotic', 'metastasis' -> 'metastatic'; others unchanged."""
    if len(token) >= _MIN_FOLDED and token.isalpha():
        for noun, adjective in _NOUN_TO_ADJECTIVE:
            if token.endswith(noun):
                return token[: -len(noun)] + adjective
    return token


def other_spellings(token: str) -> list[str]:
    """The American spellings a British one may have: 'tumour' -> 'tumor' (-our, six letters or more, so not
    'four'), 'leukaemic' -> 'leukemic' (ae inside the word), 'oesophageal' -> 'esophageal' (oe at its start)."""
    if not token.isalpha():
        return []
    out = [token[:-3] + "or"] if len(token) >= 6 and token.endswith("our") else []
    if "ae" in token[1:]:
        out.append(token[0] + token[1:].replace("ae", "e"))
    if token.startswith("oe"):
        out.append("e" + token[2:])
    return out


def tokenize(text: str) -> list[str]:
    """Normalised tokens: entity variants folded to one token, light plural and derivational folding
    (fold_derivation), compounds also joined."""
    words = [fold_derivation(stem(t)) for t in normalize(text).split() if t not in STOPWORDS]
    return words + joined_compounds(text)


class LexicalIndex:
    """BM25 over chunk texts; row i of the index is chunk i of the generation's chunk list."""

    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        model = bm25s.BM25()
        # create_empty_token keeps the index valid when a text has no token at all
        model.index([tokenize(t) for t in texts] or [[""]], show_progress=False)
        return cls(model)

    @property
    def vocabulary(self) -> list[str]:
        """Every token the index holds."""
        return list(self._model.vocab_dict)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(folder), show_progress=False))

    @cached_property
    def _members(self) -> dict[str, list[str]]:
        """Gene-family names of the vocabulary: "rab27" -> ["rab27a", "rab27b"] (a name with a digit, then one
        letter: the paralog convention of gene symbols). Not microRNAs: there a final letter may be an arm
        ("mir95p" is miR-9-5p, not a member of a miR-95 family), and the normaliser folds their variants already."""
        members: dict[str, list[str]] = {}
        for token in self.vocabulary:
            family = token[:-1]
            if token.startswith(("mir", "microrna")):
                continue
            if len(family) > 2 and token[-1].isalpha() and family[-1].isdigit() and family[0].isalpha():
                members.setdefault(family, []).append(token)
        return members

    def query_terms(self, tokens: list[str]) -> list[str]:
        """The query tokens, a family name ("rab27") read with its members ("rab27a", "rab27b"): a question about
        Rab27 is about the papers on Rab27a and Rab27b too; and a British spelling the index never holds read as
        the American one it does ("leukaemia" -> "leukemia", `other_spellings`)."""
        vocabulary = self._model.vocab_dict
        out: list[str] = []
        for token in tokens:
            if token not in vocabulary:
                token = next((v for v in other_spellings(token) if v in vocabulary), token)
            out += [token, *self._members.get(token, [])]
        return out

    def scores(self, tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for the query tokens (rows outside `mask` score 0)."""
        return np.asarray(self._model.get_scores(tokens, weight_mask=mask), dtype=np.float32)
