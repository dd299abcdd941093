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

from rag.atomic import write_atomic
from rag.lexical import STOPWORDS, english_stemmer, fold_derivation, tokenize
from rag.normalize import GENERIC_ENTITIES, canonical_entities, joined_compounds, normalize, specific_terms, stem

RARE_ZIPF = 3.5
# a word this rare in English before an unmentioned symbol names its family ("annexin" 1.6, "caspase" 2.3), where a
# commoner one is the question's own ("lack" 4.9, "recognise" 3.9, "checkpoint" 3.4)
FAMILY_ZIPF = 2.5
LOWEST_ZIPF = 1.5  # words down to here are written with their frequency (unknown_rarity grades rarity below 3.5)
_PLAIN_WORD = re.compile(r"[a-z]+")
_ROMAN = re.compile(r"[ivx]+")  # "stage III": a numeral, not a symbol
_WORD = re.compile(r"[^\s,;:?!()\[\]\"]+")
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


def zipf(word: str) -> float:
    """How common a word is in general English (Zipf scale: 3 is about one per million words; 0 for unseen)."""
    if _common is not None and _PLAIN_WORD.fullmatch(word):
        return _common.get(word, 0.0)
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def unseen(word: str) -> bool:
    """General English has never seen the word (wordfreq knows it not at all): a coined name such as a new drug's
    ("venetoclax") or a gene symbol, not an everyday word the corpus happens not to use ("blebs", "hemp")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") == 0.0


def is_rare(word: str, threshold: float = RARE_ZIPF) -> bool:
    """Rarer than `threshold` (a Zipf frequency) in general English."""
    return zipf(word) < threshold


@lru_cache(maxsize=65536)
def is_technical(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or is_rare(word)


class Vocabulary:
    def __init__(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        self._tokens = frozenset(tokens)
        self._stems = set(english_stemmer().stemWords(tokens))

    def known_share(self, question: str, explained: frozenset[str] = frozenset()) -> float:
        """Share of the question's technical words that the corpus knows (1.0 when it has none). `explained` words
        (everyday phrases that rag/lay_terms.py gave technical terms) do not count."""
        technical = _technical_words(question, explained)
        if not technical:
            return 1.0
        return sum(self.knows(w) for w in technical) / len(technical)

    def unknown_words(self, question: str, explained: frozenset[str] = frozenset()) -> list[str]:
        """The question's technical words the corpus does not know ("Griscelli" in "Is Rab27a mutated in Griscelli
        syndrome?"), each read also as the index folds it ("KRAS" and "RNAs" are indexed as "kra" and "rna")."""
        return [w for w in self._unknown(question, explained) if not self.knows(stem(w))]

    def _unknown(self, question: str, explained: frozenset[str]) -> list[str]:
        # the relevance curve's features (known_share, unknown_rarity) read words this way, without the index's
        # plural folding: its weights were fitted so (evals/calibrate_relevance.py refits them after a change)
        return [w for w in _technical_words(question, explained) if not self.knows(w)]

    def unknown_rarity(self, question: str, explained: frozenset[str] = frozenset()) -> float:
        """How rare in general English the rarest technical word the corpus does not know is (RARE_ZIPF minus its
        Zipf frequency; 0 when the corpus knows them all). A drug name the corpus never mentions ("osimertinib",
        Zipf 0) weighs far more than an everyday word the studies happen not to use ("regrow", Zipf 2.4)."""
        unknown = self._unknown(question, explained)
        return max((RARE_ZIPF - (0.0 if any(ch.isdigit() for ch in w) else zipf(w)) for w in unknown), default=0.0)

    def unmentioned_names(self, question: str) -> list[str]:
        """The specific names of a question (gene and protein symbols, named entities: MHC, PD-1, TGF-beta) as the
        question spells them, when the corpus mentions none of them: the corpus cannot say anything about what such
        a question asks, however well its other words ("exosomes", "tumour cells") match. Empty when the question
        also names something specific the corpus knows ("Which TRIM protein does circ_0091741 act through?" may be
        answered under a member's name), and for a question in capitals, whose every word looks like a symbol.
        Each name is judged whole ("PD-1" is not mentioned because "PD" and "1" are). Quantities and numerals are no
        names; the subject's class words (exosome, microRNA) are no anchor."""
        words = question.split()
        if sum(w.isupper() for w in words) * 2 > len(words):
            return []
        if any(e not in GENERIC_ENTITIES and self.mentions(e) for e in canonical_entities(question)):
            return []  # a multi-word entity the corpus knows ("non-small cell lung cancer") anchors the question
        words = _WORD.findall(question)
        named = [i for i, w in enumerate(words) if _is_name(w)]
        names = [_name_part(words[i].strip(".'")) for i in named]
        unknown = [self._as_written(words, i, name) for i, name in zip(named, names) if not self._mentions_name(name)]
        return list(dict.fromkeys(unknown)) if unknown and len(unknown) == len(names) else []

    def _as_written(self, words: list[str], i: int, name: str) -> str:
        """The name with the word before it when that word is rare in English and the corpus does not know it
        either: a symbol that is a family member ("annexin A3") is told back whole, not as "A3"; not
        "lack GPX4" or "recognise CD19"."""
        before = words[i - 1].strip(".'") if i else ""
        if before.isalpha() and before.islower() and is_rare(before, FAMILY_ZIPF) and not self.mentions(before):
            return f"{before} {name}"
        return name

    def _mentions_name(self, word: str) -> bool:
        entities = [e for e in canonical_entities(word) if e not in GENERIC_ENTITIES]
        if entities and all(self.mentions(e) for e in entities):
            return True  # another spelling of a name the corpus uses ("MDR-1" for P-gp)
        compounds = joined_compounds(word)  # "PD-1" as the corpus would write it: the token "pd1"
        return all(c in self._tokens for c in compounds) if compounds else self.mentions(word)

    def mentions(self, word: str) -> bool:
        """The index holds the word as its BM25 tokeniser writes it ("KRAS" is the token "kra")."""
        return all(token in self._tokens for token in tokenize(word))

    def knows(self, word: str) -> bool:
        # the index vocabulary is the BM25 one, where a noun is written as its adjective ("ferroptotic")
        return english_stemmer().stemWord(fold_derivation(word)) in self._stems


def _name_part(word: str) -> str:
    """The name in a word joined to an ordinary one ("HIV-infected" -> "HIV", "ONECUT2-targeting" -> "ONECUT2");
    a compound of short parts is one name ("PD-L1", "BCR-ABL", "TGF-beta")."""
    parts = re.split(r"[-_/]", word)
    plain = [p for p in parts if p.isalpha() and p.islower() and len(p) > 4]
    return "-".join(p for p in parts if p not in plain) if plain and len(plain) < len(parts) else word


def _is_name(word: str) -> bool:
    """A word that names something specific (rag.normalize.specific_terms), not a quantity, a numeral or a class."""
    # a long number is an identifier ("circ_0091741"), a short one a quantity
    return any(not (t.isdigit() and len(t) < 4) and not _ROMAN.fullmatch(t) and t not in STOPWORDS
               and t not in GENERIC_ENTITIES for t in specific_terms(word))


@lru_cache(maxsize=4096)  # known_share and unknown_rarity read the same words of each question
def _technical_words(question: str, explained: frozenset[str]) -> tuple[str, ...]:
    words = {w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1 and w not in explained}
    return tuple(sorted(w for w in words if is_technical(w)))
