"""Which sources use a word. For each token of a source's text (its record's title and facets, and its passages),
the ids of the sources that use it, built once per index generation for each way of reading a word. Collection
questions ask it ("studies that mention hypoxia"), setting questions narrowed by a topic word ask it
(rag/generation/setting.py), so do symbols only one or two studies' passages use (rag/particulars.py), and so does
the lead when a question's technical word points at the few sources using it (rag/generation/extractive.py)."""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

from rag.index import Index
from rag.lexical import english_stemmer, tokenize
from rag.normalize import normalize

Reading = Literal["bm25", "stem", "normalised"]


def _stems(text: str) -> Iterable[str]:
    return english_stemmer().stemWords(re.findall(r"[a-z]+", text.lower()))


# "bm25": the index's own tokens ("hypoxia" meets "hypoxic"); "stem": Snowball stems of the letters only;
# "normalised": synonyms folded, symbols kept whole ("ZEB1", "miR-21")
_READINGS: dict[Reading, Callable[[str], Iterable[str]]] = {
    "bm25": tokenize, "stem": _stems, "normalised": lambda text: normalize(text).split()}

# weakly keyed, as every per-index cache: a replaced generation (and its memory-mapped files) must be freed
_CACHE: weakref.WeakKeyDictionary[Index, dict[tuple[Reading, bool], dict[str, frozenset[str]]]] = \
    weakref.WeakKeyDictionary()


def users(index: Index, reading: Reading, primary_only: bool = False) -> Mapping[str, frozenset[str]]:
    """Each token, read one way, with the sources that use it (only the primary studies, not the reviews, when
    asked). Built on the first such question of a generation, not on every question's path."""
    built = _CACHE.setdefault(index, {})
    key = (reading, primary_only)
    if key not in built:
        built[key] = _build(index, _READINGS[reading], primary_only)
    return built[key]


def _build(index: Index, read: Callable[[str], Iterable[str]], primary_only: bool) -> dict[str, frozenset[str]]:
    found: defaultdict[str, set[str]] = defaultdict(set)
    for source_id, text in _texts(index).items():
        if not (primary_only and index.sources[source_id].is_review):
            for token in set(read(text)):
                found[token].add(source_id)
    return {token: frozenset(ids) for token, ids in found.items()}


def _texts(index: Index) -> dict[str, str]:
    """Each source's words: its record's title and facets, then its passages. Not the authors, journal or year of
    the chunks' context: "clinical" of "Clinical Cancer Research" is no study's topic."""
    texts: dict[str, list[str]] = {}
    for chunk in index.chunks:
        if chunk.source_id not in texts:
            source = index.sources[chunk.source_id]
            texts[chunk.source_id] = [source.title, *(v for values in source.facets.values() for v in values)]
        texts[chunk.source_id].append(chunk.text)
    return {source_id: " ".join(parts) for source_id, parts in texts.items()}


def using_all(index: Index, reading: Reading, words: Iterable[str]) -> frozenset[str]:
    """The sources that use every token of every word ("hypoxia" as BM25 reads it), all sources when none."""
    used = users(index, reading)
    tokens = {token for word in words for token in _READINGS[reading](word)}
    if not tokens:
        return frozenset(source for ids in used.values() for source in ids)
    # from the cached map alone: re-joining every source's text on each question was work done twice
    return frozenset.intersection(*(used.get(token, frozenset()) for token in tokens))
