"""Which of a question's technical words the corpus knows: evidence that a question is outside the corpus.

A near-domain question ("Which kinase does vemurafenib inhibit in melanoma?") shares cancer vocabulary with the
corpus, so its cosine and BM25 scores look respectable; what gives it away is that its technical words
(vemurafenib) never occur in the corpus. A word counts as technical when it contains a digit or is rare in general
English (wordfreq Zipf frequency below 3.5, i.e. fewer than ~3 per million words); it is known when its Snowball
stem occurs among the stems of the index vocabulary (so "maturing" meets "maturation").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import Stemmer

from rag.atomic import write_atomic
from rag.lexical import STOPWORDS
from rag.normalize import normalize

RARE_ZIPF = 3.5
LOWEST_ZIPF = 3.0  # the lowest threshold any caller uses (rag/generation/routes.py)
_PLAIN_WORD = re.compile(r"[a-z]+")
# Every plain English word at or above LOWEST_ZIPF with its Zipf frequency, written by `rag ingest` from wordfreq's list into the data
# folder: a new process then looks words up in a set instead of importing wordfreq (half a second of a cold
# `rag ask`). Words that are not plain letters still go to wordfreq, whose tokeniser splits them.
_common: dict[str, float] | None = None


def common_words_file(data_dir: Path) -> Path:
    return data_dir / "vocabulary" / f"common-en-wordfreq-{version('wordfreq')}-zipf{LOWEST_ZIPF}.txt"


def write_common_words(data_dir: Path) -> Path:
    target = common_words_file(data_dir)
    if target.exists():
        return target
    from wordfreq import top_n_list, zipf_frequency

    rows = [(w, zipf_frequency(w, "en")) for w in top_n_list("en", 100000) if _PLAIN_WORD.fullmatch(w)]
    write_atomic(target, "".join(f"{w} {z}\n" for w, z in rows if z >= LOWEST_ZIPF))
    return target


def use_common_words(data_dir: Path) -> None:
    """Load the word set written by ingest, when there is one for this wordfreq version."""
    global _common
    path = common_words_file(data_dir)
    if _common is None and path.exists():
        pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
        _common = {word: float(zipf) for word, zipf in pairs}


def is_rare(word: str, threshold: float = RARE_ZIPF) -> bool:
    """Rarer than `threshold` (a Zipf frequency) in general English."""
    if _common is not None and threshold >= LOWEST_ZIPF and _PLAIN_WORD.fullmatch(word):
        return _common.get(word, 0.0) < threshold
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < threshold


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def is_technical(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or is_rare(word)


class Vocabulary:
    def __init__(self, tokens: Iterable[str]) -> None:
        self._stems = set(_stemmer().stemWords(list(tokens)))

    def known_share(self, question: str) -> float:
        """Share of the question's technical words that the corpus knows (1.0 when it has none)."""
        words = {w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1}
        technical = [w for w in words if is_technical(w)]
        if not technical:
            return 1.0
        known = sum(_stemmer().stemWord(w) in self._stems for w in technical)
        return known / len(technical)
