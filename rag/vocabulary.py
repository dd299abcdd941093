"""Which of a question's technical words the corpus knows: evidence that a question is outside the corpus.

A near-domain question ("Which kinase does vemurafenib inhibit in melanoma?") shares cancer vocabulary with the
corpus, so its cosine and BM25 scores look respectable; what gives it away is that its technical words
(vemurafenib) never occur in the corpus. A word counts as technical when it contains a digit or is rare in general
English (wordfreq Zipf frequency below 3.5, i.e. fewer than ~3 per million words); it is known when its Snowball
stem occurs among the stems of the index vocabulary (so "maturing" meets "maturation").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from wordfreq import zipf_frequency

from rag.lexical import STOPWORDS
from rag.normalize import normalize

RARE_ZIPF = 3.5


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def is_technical(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or zipf_frequency(word, "en") < RARE_ZIPF


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
