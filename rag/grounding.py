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

from rag.answer_types import gazetteer
from rag.normalize import stem
from rag.particulars import records
from rag.retrieval import Hit, HybridSearch


def grounded(search: HybridSearch, question: str, hits: list[Hit]) -> bool:
    """The question names particular things of the top-ranked source only, in words the corpus knows."""
    if not hits:
        return False
    known = records(search.index)
    names = frozenset(stem(n) for n in gazetteer(search.index).names_in(question)) - known.proper_only
    return bool(names) and known.particular_to(hits[0].source.id, names) \
        and not search.unknown_words(question)
