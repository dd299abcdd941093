"""The review's map of the field, for the broad question ("how do exosomes cause chemoresistance?"): the subject
review's own framing, then one cited line per route it describes, each from the study that best answers the
question within that route. The routes are the pack's `category` values, which follow the review's sections.
A question about one route, named by its head noun ("How do lncRNAs in exosomes cause drug resistance?", "How could
blocking exosome secretion overcome chemoresistance?"), gets a review's sentence on it and that route's studies, one
line each (`route_of`)."""

from __future__ import annotations

import re

from rag import lay_terms
from rag.answer_types import AUXILIARY, FIELD_WORDS, asked_kinds, asks_for_list, asks_for_source, head_noun
from rag.catalog import CANCER_SITES
from rag.filters import Filters
from rag.generation.direction import changes
from rag.lexical import STOPWORDS, english_stemmer
from rag.normalize import normalize, specific_terms
from rag.ranking.signals import THE_REVIEW
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
# the non-coding RNA route's own classes, each answered by its best study as a route is: "Which types of RNA in
# exosomes cause drug resistance?"
RNA_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("MicroRNAs", ("ncrna-mirna",)), ("Long non-coding RNAs", ("ncrna-lncrna",)), ("Circular RNAs", ("ncrna-circrna",)),
)
# RNAs as a whole, or their classes asked for: "non-coding RNAs", "ncRNAs", "RNA types", "kinds of RNA"
_RNAS_AS_A_WHOLE = re.compile(r"\b(?:non-?coding RNAs|ncRNAs|RNAs?\s+(?:types|kinds|classes|sorts)|"
                              r"(?:types|kinds|classes|sorts)\s+of\s+(?:non-?coding\s+)?RNAs?)\b", re.IGNORECASE)
_RNA_WORDS = frozenset({"rna", "ncrna", "mirna", "lncrna", "circrna"})
_RNA_CLASS_TOKENS = frozenset({"mirna", "lncrna", "circrna"})
# The corpus's topic itself: a question naming nothing beyond these asks about the field as a whole.
TOPIC = frozenset({"exosome", "chemoresist"})
RESISTANCE = ("resist", "chemoresist")
TREATMENT = (*RESISTANCE, "chemo", "sensiti", "therap", "treat", "drug")  # resisting or responding to treatment
# what a route does to a tumour: resistance, or its reversal ("respond" the verb: a tumour responds to treatment
# again; not "response", which a biomarker question predicts)
OUTCOME = (*RESISTANCE, "sensiti", "chemosensiti", "respond")
DOCUMENT_WORDS = ("review", "study", "studies", "paper", "article", "author")
RARE_ZIPF = 3.0  # rarer than ~1 per million words: a word that names something particular
# Each route (and each kind of non-coding RNA) as the review describes it: what its studies are searched with
ROUTE_DESCRIPTIONS: dict[str, str] = {
    "ncrna-mirna": "exosomes that transport microRNAs into recipient cells",
    "ncrna-lncrna": "exosomes that transport long non-coding RNAs into recipient cells",
    "ncrna-circrna": "exosomes that transport circular RNAs into recipient cells",
    "protein-transfer": "exosomes that deliver functionally active proteins",
    "stromal-exosomes": "exosomes derived from stromal cells of the tumour microenvironment",
    "drug-efflux": "exosomes that directly carry drug molecules out of the cell (drug efflux)",
    "secretion-inhibition": "inhibiting exosome secretion",
}
# ... and the head words of its section: a question using one route's head word is about that route (drug efflux
# is also said as the verbs and nouns of its studies' titles: cells "expel" a drug, "pump" or "export" it)
ROUTE_HEADS: dict[str, str] = {
    "ncrna-mirna": "microRNAs", "ncrna-lncrna": "long non-coding RNAs", "ncrna-circrna": "circular RNAs",
    "protein-transfer": "proteins", "stromal-exosomes": "stromal cells, tumour microenvironment",
    "drug-efflux": "drug efflux, expel, expulsion, export, pump", "secretion-inhibition": "exosome secretion, release",
}
ROUTE_WORDS = frozenset(w for d in (*ROUTE_DESCRIPTIONS.values(), *ROUTE_HEADS.values())
                        for w in normalize(d).split() if w not in STOPWORDS)


def route_stems(text: str) -> frozenset[str]:
    """Stems of the words, the field's own words (exosome, drug, cancer, ...) left out."""
    words = [w for w in normalize(text).split() if w not in STOPWORDS and not w.startswith(FIELD_WORDS)]
    return frozenset(english_stemmer().stemWords(words))


ROUTE_HEAD_STEMS = {category: route_stems(heads) - route_stems("cells") for category, heads in ROUTE_HEADS.items()}


def is_broad(question: str) -> bool:
    """About exosomes and resistance to treatment, asking how it works, and naming nothing in particular: no drug,
    cargo, gene or cancer (specific terms), no rare word besides the field's own ("macrophage",
    "microenvironment", a journal's name make a question particular), and not asking for a document ("which
    review ..."). A yes/no question about the whole field ("Is it shown in patients or only in cell lines?", "Can
    exosomes deliver drugs to resistant tumours?") is answered from its passages, not with the map."""
    words = [w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1]
    # "How does the review classify the mechanisms?": the subject review is about exosomes and resistance, and its
    # mechanisms are the routes (not "How does the review define exosomes?", which asks for no mechanism)
    of_the_review = bool(THE_REVIEW.search(question)) and bool(_ITS_MECHANISMS.match(question))
    about = (any(w.startswith("exosom") for w in words) and asks_outcome(question)) or of_the_review
    particular = bool(specific_terms(question) - TOPIC) or any(w in CANCER_SITES for w in words)
    # a particular thing said plainly counts as well ("low oxygen": hypoxia)
    rare = [w for w in _said(question, words) if is_rare(w, RARE_ZIPF) and not w.startswith((*FIELD_WORDS, *OUTCOME))]
    asks_for_document = any(w.startswith(DOCUMENT_WORDS) for w in words if not (of_the_review and w == "review"))
    # a list question about the whole field ("Which exosomal proteins transfer resistance?") gets the map too: its
    # routes' lines name the things asked for
    asks_mechanism = asks_how(question) or asks_for_list(question) or of_the_review
    return about and asks_mechanism and not particular and not rare and not asks_for_document


# the review's mechanisms asked for, or how it sorts them ("Which mechanisms does the review cover?", "How does the
# review classify ...?"); not a question that only mentions them ("According to the review, why is understanding
# resistance mechanisms the key ...?")
_ITS_MECHANISMS = re.compile(
    r"^\s*(?:(?:what|which)\s+(?:(?:main|major|different)\s+)?(?:mechanisms?|routes?|categor\w*|classes|groups|"
    r"(?:types?|kinds?)\s+of\s+(?:mechanisms?|routes?))\b|how\s+(?:does|do|did)\s+(?:the|this)\s+review\s+"
    r"(?:classif\w*|group\w*|sort\w*|organi[sz]\w*|divide\w*|categori[sz]\w*|split\w*)\b)", re.IGNORECASE)


# how a question asks for a mechanism: "how"/"why" (not "how many"/"how much"), or a noun for one
_HOW = re.compile(r"^\s*(?:how|why)\b(?!\s+(?:many|much|often|long|big|large|small|fast|far|well|quickly|soon|"
                  r"rapidly|early|late|frequently|common|likely|strongly)\b)|"
                  r"\b(?:mechanism|way|route|pathway|process|means|role)s?\b|\bexplain|"
                  # "What makes stomach cancer stop responding ...?" asks for the cause
                  r"^\s*what\s+(?:makes|made|causes|caused|drives|drove|lets|allows|enables)\b", re.IGNORECASE)


# "How do/does/can ... ?" asks how an effect comes about; "How were exosomes isolated?" asks for a procedure
_HOW_IT_ACTS = re.compile(r"^\s*how\s+(?:do|does|did|can|could|may|might|would)\b", re.IGNORECASE)


def asks_how_it_acts(question: str) -> bool:
    """The question asks how something brings an effect about ("How do exosomes make ... resistant to tamoxifen?"),
    not how a study did something ("How were M2 macrophages generated?")."""
    return bool(_HOW_IT_ACTS.match(question))


def asks_how(question: str) -> bool:
    """The question asks how something works ("How do exosomes ...?", "What are the mechanisms ...?")."""
    return bool(_HOW.search(question))


def about_a_route_only(question: str, treatment: bool = True, documents: bool = False) -> bool:
    """About exosomes (and, with `treatment`, about treatment) and naming nothing particular beyond the words the
    routes are described in ("lncRNAs", "stromal", "efflux", "secretion"): no other specific term, cancer, rare
    word or document (with `documents`, the studies it asks for aside)."""
    words = [w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1]
    said = _said(question, words)
    about = any(w.startswith(("exosom", "vesicle")) for w in said) and \
        (not treatment or any(w.startswith(TREATMENT) for w in said))
    # a cancer said plainly counts ("brain tumours": glioma)
    particular = bool(specific_terms(question) - TOPIC - ROUTE_WORDS) or any(w in CANCER_SITES for w in said)
    # an outcome word is the topic, however rarely English spells it so ("sensitise")
    # and a word the lay table explains is an everyday one ("sacs", rare by frequency, is exosomes said plainly)
    everyday = lay_terms.read(question).covered
    rare = [w for w in words if is_rare(w, RARE_ZIPF) and not w.startswith((*FIELD_WORDS, *OUTCOME))
            and w not in ROUTE_WORDS and w not in everyday]
    asks_for_document = not documents and any(w.startswith(DOCUMENT_WORDS) for w in words)
    return about and not particular and not rare and not asks_for_document


def route_of(search: HybridSearch, question: str) -> str | None:
    """The category of the one route the question is about, or None (a particular question, or one as close to
    several). A question about resistance that uses one route's head noun is about that route. (The closest
    description by embedding was tried as well and dropped: MiniLM put "How do exosomes make tumours resist drugs?"
    in drug efflux.)"""
    if asks_for_list(question) or _asks_for_a_name(question):
        return None
    named = routes_said(question)
    if len(named) != 1 or not _present(search, next(iter(named))):
        return None
    route = next(iter(named))
    # stopping the vesicles' release is the route itself: "Is there a way to stop tumour cells from releasing these
    # particles?" names no treatment ("Does blocking exosome secretion reduce tumour growth?" asks about another
    # effect of blocking it, which the route's lines on treatment do not answer)
    stops_release = route == "secretion-inhibition" and bool(_STOPS_RELEASE.search(question))
    if not about_a_route_only(question, treatment=not stops_release):
        return None
    # the route's answer says how it makes tumours resist (or, blocked, respond again); a question on another use
    # of the route's cargo ("Is there clinical evidence that exosomal microRNAs predict chemotherapy response?")
    # is not about that. Drug efflux names its outcome itself: the drug leaves the cell; blocking secretion is about
    # treatment whenever the question names one ("Can blocking exosome release make chemotherapy work better?"),
    # and is itself asked about when the question asks to stop the release
    said = normalize(question).split()
    own_outcome = route == "drug-efflux" or stops_release or (route == "secretion-inhibition" and
                                                              any(w.startswith(TREATMENT) for w in said))
    return route if own_outcome or speaks_of_outcome(question) else None


def route_listed(search: HybridSearch, question: str) -> str | None:
    """The one route whose things a list question asks for ("Which drugs have been used to block exosome release?",
    "Which exosomal proteins transfer chemoresistance?"): the route's studies hold the names asked for, while
    retrieval alone ranks any study using the question's words first (exosome-packed paclitaxel for "block exosome
    release"). Like `route_of`, but for a question that asks for names."""
    if not (asks_for_list(question) and _asks_for_a_name(question)):
        return None
    # "Which studies show that exosomes carry drugs out of cancer cells?" asks for the studies of a route, which
    # may be said in everyday words as route_of reads them; retrieval ranks the general reviews first
    studies = asks_for_source(question) == "study"
    named = routes_said(question) if studies else routes_named(question)
    if len(named) != 1:
        return None
    route = next(iter(named))
    # a list of one RNA class is gathered from retrieval within that class (extractive._asked_route): retrieval
    # ranks that class's studies by the question, while a search within the class ranks by the class's description
    if route.startswith("ncrna-") or not _present(search, route):
        return None
    # drug efflux and blocking secretion name what they do themselves (a drug leaves, release falls: "Which
    # compounds block exosome release?"); the other routes' things are asked for as causes of resistance
    own_outcome = route in ("drug-efflux", "secretion-inhibition")
    if not about_a_route_only(question, treatment=not own_outcome, documents=studies):
        return None
    return route if own_outcome or asks_outcome(question) else None


def asks_outcome(question: str) -> bool:
    """The question asks about resistance or sensitivity ("... resist cisplatin?", "... less sensitive to chemo?"),
    in the literature's words or in everyday ones the lay table reads as resistance ("help it shrug off chemo")."""
    return speaks_of_outcome(question) or any(speaks_of_outcome(t) for t in lay_terms.read(question).terms)


def asks_outcome_only(question: str) -> bool:
    """The question asks about resistance or sensitivity and says nothing of vesicles, plainly or otherwise ("Why do
    some tumours stop responding to chemo after a while?"): resistance in general, of which the corpus covers the
    part exosomes carry."""
    said = _said(question, normalize(question).split())
    # of cancer: "How do bacteria share drug resistance genes?" is another field's question
    return asks_outcome(question) and not any(w.startswith(_VESICLE_WORDS) for w in said) and \
        any(w.startswith(_CANCER_WORDS) or w == "chemo" for w in said)


_VESICLE_WORDS = ("exosom", "vesicle", "microvesicle", "microparticle")
# cancer or its treatment, said in any of the ways normalisation and the lay table leave: "tumours", "chemo",
# "leukaemia" -> "leukemia", "stomach cancer"
# ("chemoresist" is normalisation's name for any "drug resistance", so the treatment is "chemother" or "chemo" only)
_CANCER_WORDS = ("cancer", "tumo", "carcinom", "chemother", "malignan", "leukem", "lymphom", "myelom", "gliom",
                 "glioblastom", "sarcom", "melanom", "metasta", "oncolog")


def speaks_of_outcome(text: str) -> bool:
    """The text uses a word of resistance or sensitivity."""
    return any(w.startswith(OUTCOME) for w in normalize(text).split())


def states_outcome_asked(question: str, text: str) -> bool:
    """The text speaks of the outcome the question asks about (resistance, or sensitivity regained), or the
    question asks about none."""
    return not asks_outcome(question) or speaks_of_outcome(text)


# the vesicles themselves as what is blocked ("blocking exosomes", "stop tumour cells' vesicles", "exosome
# inhibitors"): blocking their secretion, said without the route's own head noun
_BLOCKED_VESICLES = re.compile(
    r"\b(?:block|inhibit|stop|prevent|suppress)\w*\s+(?:(?:the|their|its|tumou?r|cancer)\s+)*(?:exosomes?|vesicles?)"
    r"\b(?![\s-]*(?:mediated|derived|carr|transfer|deliver))|\b(?:exosomes?|vesicles?)\s+(?:inhibitors?|blockers?)\b",
    re.IGNORECASE)


def routes_named(text: str) -> set[str]:
    """The routes whose head noun the text uses; blocking secretion only when the text lowers something or names
    an inhibitor ("Does exosome secretion increase after chemotherapy?" is not about blocking it), and also when
    it blocks the vesicles themselves and names no other route ("Can blocking exosomes make chemotherapy work?")."""
    stems = route_stems(text)
    named = {c for c, heads in ROUTE_HEAD_STEMS.items() if heads & stems}
    if "secretion-inhibition" in named and not _lowers(text):
        named.discard("secretion-inhibition")
    if not named and _BLOCKED_VESICLES.search(text):
        named.add("secretion-inhibition")
    return named


def routes_said(question: str) -> set[str]:
    """The routes the question names, or else those its everyday words name as the lay table reads them ("get rid
    of chemo drugs", "out of cancer cells": drug efflux)."""
    return routes_named(question) or routes_named(" ".join(lay_terms.read(question).terms))


def _lowers(text: str) -> bool:
    words = normalize(text).split()
    # a gerund lowers too ("Can stopping exosome release ...?"); direction.changes reads finite verbs only
    return any(d < 0 for d, _ in changes(text)) or any(w.startswith(("inhibit", "block", "stopping", "preventing",
                                                                     "suppressing", "lowering", "reducing"))
                                                       for w in words) or bool(_STOPS_RELEASE.search(text))


# a verb of stopping before the release it stops: "stop tumour cells (from) releasing ...", "prevent their
# release"; not "Does exosome release stop after chemotherapy?", where the release is what stops
_STOPS_RELEASE = re.compile(r"\b(?:stop|prevent|halt)\w*\s+(?:[\w'-]+\s+){0,4}?(?:from\s+)?(?:releas|secret|shed)",
                            re.IGNORECASE)


def _asks_for_a_name(question: str) -> bool:
    """"Which stromal cell types ...?", "What proteins ...?", "What blocks ...?" ask for named things, which the
    list and lead paths answer; a route's lines answer "how", "why", "can", "does", and "What is the evidence that
    ...?", "What does blocking secretion do to ...?" (a what-question whose verb is an auxiliary and that names no
    kind of thing)."""
    words = question.lower().split()
    if not words or words[0] not in ("which", "what", "name", "list"):
        return False
    asks_through_auxiliary = words[0] == "what" and len(words) > 1 and words[1] in AUXILIARY
    return not asks_through_auxiliary or head_noun(question) is not None or bool(asked_kinds(question))


def names_route(text: str, category: str) -> bool:
    """The text names this route and no other: the subject review's sentence listing every route frames the broad
    question, not a question about one of them. (Allowing one other route, so that "exosomal lncRNAs and circRNAs
    act as miRNA sponges" counts, opened fewer route_fit answers with a route's own finding.)"""
    return routes_named(text) == {category}


def speaks_of_route(text: str, category: str) -> bool:
    """A review's sentence on the route and on treatment ("... secretion could help prevent and treat chemotherapy
    resistance"), not one that only names the route's noun ("biogenesis, secretion and fate after release")."""
    return names_route(text, category) and any(w.startswith(TREATMENT) for w in normalize(text).split())


def _present(search: HybridSearch, category: str) -> bool:
    return any(s.category == category for s in search.index.sources.values())


def route_study_hits(search: HybridSearch, question: str, category: str, hits: list[Hit], k: int = 4) -> list[Hit]:
    """A review among the retrieved passages that speaks of the route (its framing), then the route's studies that
    best answer the question."""
    framing = [h for h in hits if h.source.is_review
               and any(speaks_of_route(s, category) for s in h.chunk.sentences)][:1]
    return framing + search.search(f"{question} {ROUTE_DESCRIPTIONS[category]}", k=k,
                                   filters=Filters(category=category))


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


def _said(question: str, words: list[str]) -> list[str]:
    """The question's words and the lay table's technical terms for its everyday ones ("these particles": exosomes,
    "chemo": chemotherapy), so that vesicles and treatment said plainly count."""
    return [*words, *normalize(" ".join(lay_terms.read(question).terms)).split()]


def asks_about_rnas(question: str) -> bool:
    """About exosomal non-coding RNAs as a whole and resistance, asking how or which ("How do exosomal ncRNAs cause
    drug resistance?", "Which types of RNA in vesicles cause drug resistance?"), naming no one class ("lncRNAs" is
    that route's question) and nothing particular."""
    if not _RNAS_AS_A_WHOLE.search(question) or routes_named(question):
        return False
    words = [w for w in normalize(question).split() if w not in STOPWORDS and len(w) > 1]
    about = any(w.startswith(("exosom", "vesicle")) for w in _said(question, words))
    particular = bool(specific_terms(question) - TOPIC - _RNA_WORDS) or any(w in CANCER_SITES for w in words)
    return about and asks_outcome(question) and not particular and (asks_how(question) or bool(
        re.match(r"\s*(?:which|what)\b", question, re.IGNORECASE)))


def rna_class_hits(search: HybridSearch, question: str) -> list[Hit]:
    """The review passage closest to the question on the RNA classes (its framing: "The authors describe two main
    mechanisms: exosomal miRNAs block translation ..., lncRNAs and circRNAs act as miRNA sponges"), then the best
    study of each class."""
    classes = " ".join(label for label, _ in RNA_CLASSES)
    reviews = [h for h in search.search(f"{question} {classes}", k=5, filters=Filters()) if h.source.is_review]
    # the review passage naming most of the classes frames them (a circRNA review's passage frames one)
    framing = sorted(reviews, key=lambda h: -len(_RNA_CLASS_TOKENS & set(normalize(h.chunk.text).split())))[:1]
    return framing + [h for h in route_hits(search, question, RNA_CLASSES, described=True)
                      if not h.source.is_review]


def route_hits(search: HybridSearch, question: str,
               routes: tuple[tuple[str, tuple[str, ...]], ...] = ROUTES, described: bool = False) -> list[Hit]:
    """The subject review (framing) first, then the best study of each route (or of each RNA class), one source
    each; searched with the route's label, or with `described`, with its description ("exosomes that transport
    microRNAs into recipient cells": a study of the transfer, not a miRNA biomarker panel)."""
    found: list[Hit] = []
    review = subject_review(search, question)
    if review is not None:
        found.append(review)
    for label, categories in routes:
        def query(category: str) -> str:
            return f"{question} {ROUTE_DESCRIPTIONS[category] if described else label}"

        # a sound study speaks for its route before a retracted one
        best = [h for c in categories for h in search.search(query(c), k=1, filters=Filters(category=c,
                                                                                            retracted="exclude"))] or \
            [h for c in categories for h in search.search(query(c), k=1, filters=Filters(category=c))]
        if best:
            found.append(max(best, key=lambda h: h.score))
    seen: set[str] = set()
    return [h for h in found if not (h.source.id in seen or seen.add(h.source.id))]  # type: ignore[func-returns-value]
