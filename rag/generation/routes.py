"""The review's map of the field, for the broad question ("how do exosomes cause chemoresistance?"): the subject
review's own framing, then one cited line per route it describes, each from the study that best answers the
question within that route. The routes are the pack's `category` values, which follow the review's sections."""

from __future__ import annotations

from rag.catalog import CANCER_SITES
from rag.faithfulness import specific_terms
from rag.filters import Filters
from rag.lexical import STOPWORDS
from rag.normalize import normalize
from rag.retrieval import SUBJECT_REVIEW, Hit, HybridSearch
from rag.vocabulary import is_rare

ROUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Non-coding RNAs", ("ncrna-mirna", "ncrna-lncrna", "ncrna-circrna")),
    ("Active proteins", ("protein-transfer",)),
    ("Stromal-cell exosomes", ("stromal-exosomes",)),
    ("Drug efflux", ("drug-efflux",)),
    ("Blocking exosome secretion", ("secretion-inhibition",)),
)
ROUTE_OF = {category: label for label, categories in ROUTES for category in categories}
# The corpus's topic itself: a question naming nothing beyond these asks about the field as a whole.
TOPIC = frozenset({"exosome", "chemoresist"})
FIELD_WORDS = ("exosom", "chemo", "resist", "vesicle", "tumour", "tumor", "cancer", "drug")
RESISTANCE = ("resist", "chemoresist")
DOCUMENT_WORDS = ("review", "study", "studies", "paper", "article", "author")
RARE_ZIPF = 3.0  # rarer than ~1 per million words: a word that names something particular


def is_broad(question: str) -> bool:
    """About exosomes and resistance to treatment and naming nothing in particular: no drug, cargo, gene or cancer
    (specific terms), no rare word besides the field's own ("macrophage", "microenvironment", a journal's name
    make a question particular), and not asking for a document ("which review ...")."""
    words = [w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1]
    about = any(w.startswith("exosom") for w in words) and any(w.startswith(RESISTANCE) for w in words)
    particular = bool(specific_terms(question) - TOPIC) or any(w in CANCER_SITES for w in words)
    rare = [w for w in words if is_rare(w, RARE_ZIPF) and not w.startswith(FIELD_WORDS)]
    asks_for_document = any(w.startswith(DOCUMENT_WORDS) for w in words)
    return about and not particular and not rare and not asks_for_document


def subject_review(search: HybridSearch, question: str) -> Hit | None:
    """The subject review's passage closest to the question, if the corpus holds it."""
    hits = [h for h in search.search(question, k=10, filters=Filters()) if h.source.type == SUBJECT_REVIEW]
    if hits:
        return hits[0]
    rows = [i for i, c in enumerate(search.index.chunks) if search.index.sources[c.source_id].type == SUBJECT_REVIEW]
    if not rows:
        return None
    chunk = search.index.chunks[rows[0]]
    return Hit(chunk=chunk, source=search.index.sources[chunk.source_id], score=1.0, fused=0.0)


def route_hits(search: HybridSearch, question: str) -> list[Hit]:
    """The subject review (framing) first, then the best study of each route, one source each."""
    found: list[Hit] = []
    review = subject_review(search, question)
    if review is not None:
        found.append(review)
    for label, categories in ROUTES:
        query = f"{question} {label}"
        best = [h for c in categories for h in search.search(query, k=1, filters=Filters(category=c))]
        if best:
            found.append(max(best, key=lambda h: h.score))
    seen: set[str] = set()
    return [h for h in found if not (h.source.id in seen or seen.add(h.source.id))]  # type: ignore[func-returns-value]
