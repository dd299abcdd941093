"""An answer-quality check independent of the citation check: the specific entities of a cited sentence (genes,
RNAs, proteins, drugs, cell lines, numbers) must all appear in the passage it cites or in that source's
bibliographic record. It shares no score or threshold with `citations.support()`, which filtered the answer, so it
can disagree with it."""

from __future__ import annotations

from rag.citations import claims
from rag.documents import Answer, Citation
from rag.lexical import STOPWORDS
from rag.normalize import normalize, specific_terms
from rag.vocabulary import is_rare


def named_words(sentence: str) -> set[str]:
    """What a sentence names: its specific terms and its words rare in general English ("indomethacin",
    "lymphoma"), which name things in lower case (read by the answer's rules on what a question names; the
    citation metrics keep specific_terms)."""
    return specific_terms(sentence) | {t for t in normalize(sentence).split()
                                       if t.isalpha() and len(t) > 3 and t not in STOPWORDS and is_rare(t)}


def _reference_text(citation: Citation) -> set[str]:
    record = " ".join([citation.passage, citation.title, " ".join(citation.authors), str(citation.year or ""),
                       citation.journal])
    return set(normalize(record).split())


def entity_precision(answer: Answer) -> tuple[int, int]:
    """(precise, total) citations: a citation is precise when every specific term of its claim is in its source."""
    by_n = {c.n: c for c in answer.citations}
    known = {n: _reference_text(c) for n, c in by_n.items()}
    precise = total = 0
    for text, cited in claims(answer.answer):
        terms = specific_terms(text)
        for n in cited:
            if n in by_n:
                total += 1
                precise += terms <= known[n]
    return precise, total
