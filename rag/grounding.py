"""Is a question about a particular thing of the top-ranked study: its gene, RNA or compound?

A short question naming one of the corpus's particular things ("What is GW4869 used for?", "Why is TRIM14
relevant?") asks about the study whose record lists it, and retrieval ranks that study first; but with two or
three words to match, its passages score low on the relevance curve and the subject model, fitted on longer
questions, is unsure, so the gate refused about one in three of them (session 19). Such a question is grounded
when every particular thing it names (a target, a cargo or a drug the index's records list, not a cancer or a cell
type) is listed by the top-ranked source's record and by at most `MAX_RECORDS` records in all (a name particular to
a study, not cisplatin), and every technical word it uses is one the corpus knows: "Is Rab27a mutated in Griscelli
syndrome?" names Ostrowski's Rab27a but asks about a syndrome no passage mentions. The gate then asks only that
the subject model does not speak clearly against it (rag/topic.py)."""

from __future__ import annotations

import weakref
from collections import Counter

from rag.answer_types import FACET_OF, facet_names, gazetteer
from rag.index import Index
from rag.normalize import stem
from rag.retrieval import Hit, HybridSearch

PARTICULAR_KINDS = ("target", "cargo", "drug")  # what a study is about; a cancer or a cell type is its setting
MAX_RECORDS = 2  # a name more records list (cisplatin: 10, PTEN: 3) is the field's, not one study's


class Records:
    """The particular things each source's record lists, and how many records list each."""

    def __init__(self, index: Index) -> None:
        facets = [FACET_OF[kind] for kind in PARTICULAR_KINDS]
        # the names as read when the gate's grounded floor was fitted: with "Survivin" a name, "What is Survivin's
        # role in cell division?" (out of scope) passed the gate
        self.names = {sid: frozenset().union(*(facet_names(s, f, proper=False) for f in facets))
                      for sid, s in index.sources.items()}
        self.counts = Counter(name for names in self.names.values() for name in names)
        self.proper_only = frozenset().union(*(facet_names(s, f) - facet_names(s, f, proper=False)
                                               for s in index.sources.values() for f in facets))

    def particular_to(self, source_id: str, names: frozenset[str]) -> bool:
        """Every name is listed by this source's record and by few records in all."""
        listed = self.names.get(source_id, frozenset())
        return all(n in listed and self.counts[n] <= MAX_RECORDS for n in names)


_CACHE: weakref.WeakKeyDictionary[Index, Records] = weakref.WeakKeyDictionary()


def records(index: Index) -> Records:
    """The records of one index generation (built once)."""
    found = _CACHE.get(index)
    if found is None:
        found = _CACHE[index] = Records(index)
    return found


def grounded(search: HybridSearch, question: str, hits: list[Hit]) -> bool:
    """The question names particular things of the top-ranked source only, in words the corpus knows."""
    if not hits:
        return False
    known = records(search.index)
    names = frozenset(stem(n) for n in gazetteer(search.index).names_in(question)) - known.proper_only
    return bool(names) and known.particular_to(hits[0].source.id, names) \
        and not search.unknown_words(question)
