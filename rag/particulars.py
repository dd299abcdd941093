"""The particular things of each study: the genes, RNAs and compounds its record lists, and how many records list
each. A name listed by one or two records ("ALOX15", "TRIM14", "GW4869") belongs to those studies, not to the field
(cisplatin: ten records, PTEN: three). Retrieval counts such a name as an entity of the question
(rag/ranking/signals.py) and the gate grounds a short question on it (rag/grounding.py)."""

from __future__ import annotations

import weakref
from collections import Counter

from rag.answer_types import FACET_OF, facet_names
from rag.index import Index
from rag.word_users import users

PARTICULAR_KINDS = ("target", "cargo", "drug")  # what a study is about; a cancer or a cell type is its setting
MAX_RECORDS = 2  # a name more records list (cisplatin: 10, PTEN: 3) is the field's, not one study's


class Records:
    """The particular things each source's record lists, and how many records list each."""

    def __init__(self, index: Index) -> None:
        # weakly: the cache below is keyed by the index, and a value holding its key would keep an old generation's
        # memory-mapped files open after a switch
        self._index = weakref.ref(index)
        facets = [FACET_OF[kind] for kind in PARTICULAR_KINDS]
        # the names as read when the gate's grounded floor was fitted: with "Survivin" a name, "What is Survivin's
        # role in cell division?" (out of scope) passed the gate
        self.names = {sid: frozenset().union(*(facet_names(s, f, proper=False) for f in facets))
                      for sid, s in index.sources.items()}
        self.counts = Counter(name for names in self.names.values() for name in names)
        self.of_studies = frozenset().union(*(names for sid, names in self.names.items()
                                              if not index.sources[sid].is_review))
        self.proper_only = frozenset().union(*(facet_names(s, f) - facet_names(s, f, proper=False)
                                               for s in index.sources.values() for f in facets))

    def mentioned_by_few(self, name: str) -> bool:
        """The texts (records and passages) of one or two primary studies use the name, which no record need list
        as a facet ("ZEB1" is only in the text of the SBF2-AS1 study)."""
        index = self._index()
        used = users(index, "normalised", primary_only=True) if index is not None else {}
        return 0 < len(used.get(name, ())) <= MAX_RECORDS

    def particular_to(self, source_id: str, names: frozenset[str]) -> bool:
        """Every name is listed by this source's record and by few records in all."""
        listed = self.names.get(source_id, frozenset())
        return all(n in listed and self.counts[n] <= MAX_RECORDS for n in names)

    def is_particular(self, name: str) -> bool:
        """A primary study's record lists the name, and few records do ("ABC" only in a review's is a class)."""
        return name in self.of_studies and self.counts[name] <= MAX_RECORDS


_CACHE: weakref.WeakKeyDictionary[Index, Records] = weakref.WeakKeyDictionary()


def records(index: Index) -> Records:
    """The records of one index generation (built once)."""
    found = _CACHE.get(index)
    if found is None:
        found = _CACHE[index] = Records(index)
    return found
