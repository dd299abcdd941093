"""Questions about the collection itself ("Which of these studies were retracted?", "How many studies used
cisplatin?", "Which papers cover gastric cancer?", "Which cancers do the circRNA studies cover?"), answered from the
index metadata as a cited list in the same Answer schema. A question is about the collection when it asks for
studies (a list or a count), or for one facet of them, and everything it says beyond that is a value the index
knows: a cancer, a drug, a cargo, the cell the exosomes came from, a category (circRNA, stromal, drug efflux ...),
a year, or retraction; or, failing those, one or two technical words its studies' text mentions ("Which studies
looked at hypoxia?")."""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rag import biomarker_listing, cargo_listing, evidence_share, inhibitor_listing, prompts
from rag.catalog import drug_name, options
from rag.citations import Citation, citation_for
from rag.conversation import GENERIC, EntityTypes, depends_on_previous, standalone
from rag.documents import Answer, Source, surname, unnamed
from rag.evidence import ANIMALS, CULTURE_ONLY, PATIENTS, evidence_asked, evidence_kinds
from rag.filters import Filters, source_metadata
from rag.generation.routes import ROUTE_HEAD_STEMS, ROUTES, about_a_route_only, is_broad, route_stems, routes_named
from rag.index import Index
from rag.lexical import STOPWORDS
from rag.normalize import is_entity, normalize, spaced, specific_terms, stem
from rag.ranking.signals import THE_REVIEW
from rag.readings import COUNTS_STUDIES, SENTENCES_MAX, Reading, of_evidence
from rag.retrieval import Hit
from rag.vocabulary import is_technical
from rag.word_users import using_all

SHOWN = 15  # sources listed in full; the rest are counted
MAX_MENTIONED = 2  # technical words a question may ask the studies' text to mention
VALUES_SHOWN = 10  # values of an asked-for facet listed in full ...
STUDIES_PER_VALUE = 3  # ... each with at most this many of its studies named
_DOCUMENTS = re.compile(r"\b(stud(y|ies)|papers?|articles?|sources?|records?|publications?|references?|reports?|"
                        r"reviews?|collection|corpus)\b", re.IGNORECASE)
# "Which cancers ...", "What types of drug ...", "How many cancer types ...": the facet asked for across the studies
# (not "Which cancer studies ...": there the facet word qualifies the studies)
_ASKED_FACET = re.compile(
    r"^\s*(?:which|what|how many)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?(?P<noun>(?:cancer|tumou?r) types?|cancers?|"
    r"tumou?rs?|drugs?|chemotherap(?:y|ies)|agents?|cargos?|cargoes|targets?|target genes|genes|source cells?|"
    r"cell types?|cells?)(?:\s+(?:types?|kinds?|classes))?\b(?!\s+(?:stud|paper|article|source|record|publication|"
    r"report))", re.IGNORECASE)  # "Which cargo types ...": "types" belongs to the facet asked, it names no cancer
_FACET_OF_NOUN = (("cancer", "cancer_types"), ("tumo", "cancer_types"), ("drug", "drugs"), ("chemo", "drugs"),
                  ("agent", "drugs"), ("cargo", "cargo"), ("target", "targets"), ("gene", "targets"),
                  ("source", "exosome_source"), ("cell", "exosome_source"))
_FIELD = frozenset({"exosome", "drug", "cancer", "chemoresist"})  # words of the field, never a source cell's name
_FACET_LABEL = {"cancer_types": ("cancer type", "cancer types"), "drugs": ("drug", "drugs"),
                "cargo": ("cargo", "cargoes"), "targets": ("target", "targets"),
                "exosome_source": ("exosome source", "exosome sources")}
# a facet asked of what was studied, the documents left unsaid: "Which cancer types are studied most?"
_STUDIED = re.compile(r"\b(?:studied|covered|investigated|examined|researched)\b", re.IGNORECASE)
# "why" only with retraction: the listing gives each record's retraction note, all the corpus knows of why
_ASKS = re.compile(r"^\s*(which|what|how many|list|show|name|are there|is there|are any|were any|do any|does any|"
                   r"why(?=.*\bretract)|who(?=.*\b(?:wrote|authors?)\b))\b", re.IGNORECASE)
# words by which a reader asks for the studies the records mark as retracted, the only judgement they hold
_UNSOUND = ("unreliable", "untrustworthy", "discredited", "flawed")
# "What did GW4869 do in the fibroblast study?" asks what something did or found, not for studies; "How many
# patients were in the TNBC study?" counts something other than studies or a facet of them
_ASKS_WHAT_HAPPENED = re.compile(
    r"^\s*(?:(?:what|which)\s+(?:do|does|did|can|could)\b|how many\s+(?!(?:[\w-]+\s+){0,2}?(?:stud|papers?\b|"
    r"articles?\b|sources?\b|records?\b|publications?\b|references?\b|reports?\b|reviews?\b|of\b|cancer|"
    r"tumou?r|drugs?\b|chemo|agents?\b|cargo|targets?\b|genes\b|source cells?\b|cell types?\b|kinds?\b|"
    r"types?\b|sorts?\b)))", re.IGNORECASE)
# a surname as written, after "by" or before "'s" ("studies by Wang", "Zhang's papers")
_AUTHOR = re.compile(r"\bby ([A-Z][\w'-]+)|\b([A-Z][\w-]+)'s\b")
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
# a year or a span of years as a question writes it: "before 2010", "since 2018", "between 2014 and 2018",
# "2014-2018", "in the 1980s", "in 2018"; one pattern so that a span's two years are read together
_YEARS = re.compile(
    rf"\b(?:(?P<before>before|prior to|earlier than|older than|until|up to)\s+(?P<b>{_YEAR})"
    rf"|(?P<after>after|later than|newer than)\s+(?P<a>{_YEAR})"
    # "from 2014" alone is the year itself ("Which studies are from 2014?"); "from 2014 on" is a start
    rf"|(?:since\s+|from\s+(?=\d{{4}}\s+(?:on|onwards?)\b))(?P<s>{_YEAR})(?!\s*(?:-|–|to|and|until)\s*\d)"
    rf"|(?:between|from)?\s*(?P<lo>{_YEAR})\s*(?:-|–|to|and|until)\s*(?P<hi>{_YEAR})"
    r"|(?:the\s+)?(?P<decade>(?:19[5-9]|20[0-4])0)'?s"  # "the 1980s"
    rf"|(?P<one>{_YEAR}))\b", re.IGNORECASE)
_YEAR_WORDS = frozenset({"before", "prior", "earlier", "older", "until", "up", "after", "later", "newer", "than",
                         "since", "between", "and", "to", "s", "on", "onward", "onwards"})
# words that only say "studies about": they may surround the facet value without making a question about content
_CANCER_CELLS = frozenset({"cell", "cells", "line", "lines"})
_FRAME = frozenset({"which", "what", "why", "how", "many", "list", "show", "name", "are", "is", "there", "any", "these",
                    "this", "those", "collection", "corpus", "included", "include", "cover", "covered", "covers",
                    "about", "on", "use", "used", "using", "look", "looked", "looking", "examine", "examined",
                    "investigate", "investigated", "test", "tested", "study", "studies", "paper", "papers",
                    "article", "articles", "source", "sources", "record", "records", "publication", "publications",
                    "reference", "references", "report", "reports", "were", "was", "been", "have", "has", "do",
                    "does", "did", "retracted", "retraction", "retractions", "published", "from", "year", "years",
                    "cancer", "cancers", "drug", "drugs", "cargo", "exosome", "mirna", "involve", "involving",
                    "deal", "concern", "mention", "mentioned", "count", "number", "withdrawn", "in", "with",
                    "done", "performed", "conducted", "carried", "out", "run", "made", "focus", "focused", "came",
                    "come", "appeared", "appear", "who", "wrote", "write", "written", "author", "authors",
                    "discuss", "discusses", "discussed", "cite", "cites", "cited", "describe", "describes",
                    "described", "flagged", "marked", "labelled", "labeled", "listed", "studied", "researched", "most",
                    "often", "frequently", "commonly", "common", "finding", "findings", "result", "results",
                    *_UNSOUND})  # "Which findings come from retracted papers?": the studies are what they are in


_EVIDENCE_SAID = {ANIMALS: "experiments in animals (in vivo)", PATIENTS: "patients or human samples",
                  CULTURE_ONLY: "cell culture only"}


@dataclass(frozen=True)
class CollectionTerms:
    """What a collection question may name, read off one index generation."""

    types: EntityTypes  # cancers, drugs and cargo (rag/conversation.py)
    categories: dict[str, frozenset[str]]  # a word of a category's name -> the categories it names
    sources: frozenset[str]  # names of the cells exosomes came from ("caf", "macrophage", "a549"), stemmed
    authors: frozenset[str] = frozenset()  # first authors' surnames, normalised ("wang", "au yeung" as "yeung")
    cancer_phrases: dict[str, str] = field(default_factory=dict)  # "head and neck" -> "head and neck cancer"
    records: tuple[Source, ...] = ()  # every source, for what a parse must count (cargo_listing.enough)
    drug_words: frozenset[str] = frozenset()  # every word of the records' drug values ("neoadjuvant")
    spelled: dict[str, str] = field(default_factory=dict)  # a drug or cargo token as written ("gw4869": "GW4869")

    @classmethod
    def of(cls, index: Index, types: EntityTypes) -> CollectionTerms:
        found = options(index)
        return cls(types, _category_words(found["category"]), _source_names(found["exosome_source"], types),
                   frozenset(_first_author_key(s) for s in index.sources.values()) - {""},
                   _cancer_phrases(found["cancer_type"], types), tuple(index.sources.values()),
                   _drug_words(index.sources.values()), _spellings(index.sources.values()))


def _spellings(sources: Iterable[Source]) -> dict[str, str]:
    """The records' one-word drugs and cargo as written, by their normalised token: a listing says "drug 'GW4869'"
    and "cargo 'miR-21'", not the tokens "gw4869" and "mir21" it matched on."""
    spellings: dict[str, Counter[str]] = {}
    for source in sources:
        for value in (*source.facets.get("drugs", []), *source.facets.get("cargo", [])):
            written = value.split(" (")[0].strip()
            tokens = normalize(written).split()
            if len(tokens) == 1 and tokens[0] != written:
                spellings.setdefault(tokens[0], Counter())[written] += 1
    # the spelling most records use ("miR-21", not Au Yeung's "miR21")
    return {token: counts.most_common(1)[0][0] for token, counts in spellings.items()}


def _cancer_phrases(values: Iterable[str], types: EntityTypes) -> dict[str, str]:
    """The stored cancer types named by more than one word ("head and neck cancer", "epithelial ovarian cancer"),
    keyed by their words before the general ones ("head and neck"): as separate tokens they would make a filter
    value ("head neck") that no stored type equals. A phrase must name a cancer ("cancer patients" does not)."""
    phrases: dict[str, str] = {}
    for value in values:
        words = normalize(value.split("(")[0]).split()
        while words and words[-1] in GENERIC:
            words.pop()
        content = [w for w in words if w not in STOPWORDS]
        if len(content) > 1 and not set(content) & GENERIC and set(content) & types.cancer:
            phrases.setdefault(" ".join(words), value)
    return phrases


def _cancer_phrase(question: str, phrases: dict[str, str]) -> tuple[str | None, set[str]]:
    """The longest stored multi-word cancer type the question names, and its words."""
    text = f" {normalize(question)} "
    for words in sorted(phrases, key=len, reverse=True):
        if f" {words} " in text:
            return phrases[words], set(words.split())
    return None, set()


def _category_words(categories: Iterable[str]) -> dict[str, frozenset[str]]:
    """Stems of the words that name a category: a route of the review by its head noun (rag/generation/routes.py:
    "circRNA" names 'ncrna-circrna', "proteins" 'protein-transfer', "secretion" 'secretion-inhibition'), any other
    category by the words of its name ('review', 'exosome-biology' by "biology"); the relation words of a route's
    name ("transfer", "inhibition") name nothing, and the field's own words ("exosome", "drug") none either."""
    named: dict[str, set[str]] = {}
    for category in categories:
        if category == "none":
            continue
        # route_stems leaves out the field's own words
        for word in ROUTE_HEAD_STEMS.get(category) or route_stems(category.replace("-", " ")):
            named.setdefault(word, set()).add(category)
    for label, grouped in ROUTES:  # a route of several categories by its own name: "ncRNA" names all three
        if len(grouped) > 1:
            for word in route_stems(label):
                named.setdefault(word, set()).update(c for c in grouped if c in categories)
    return {word: frozenset(c) for word, c in named.items() if c}


def _source_names(values: Iterable[str], types: EntityTypes) -> frozenset[str]:
    """The words of the exosome-source facet that name something (a cell type, a line, an abbreviation), not the
    record's plain English ("isolated from", "the abstract read")."""
    words = {w for v in values for w in {*normalize(v).split(), *spaced(v).split()}}
    named = {w for w in words if w not in STOPWORDS | GENERIC and not w.isdigit() and len(w) > 2
             and (is_entity(w) or is_technical(w))}
    return frozenset(stem(w) for w in named - types.drug - types.cancer) - _FIELD


_TERMS: weakref.WeakKeyDictionary[Index, CollectionTerms] = weakref.WeakKeyDictionary()


def terms(index: Index, types: EntityTypes) -> CollectionTerms:
    """The CollectionTerms of one index generation (built once)."""
    found = _TERMS.get(index)
    if found is None:
        found = _TERMS[index] = CollectionTerms.of(index, types)
    return found


@dataclass(frozen=True)
class CollectionQuery:
    filters: Filters
    described: str  # "retracted", "cancer type 'gastric'", ... ("" for the whole collection)
    categories: frozenset[str] = frozenset()  # any of these ("circRNA studies": ncrna-circrna)
    facet: str | None = None  # the facet asked for across the matches ("Which cancers ...": cancer_types)
    mentions: tuple[str, ...] = ()  # technical words the studies' text must mention ("hypoxia")
    evidence: str | None = None  # where the studies' evidence comes from (rag/evidence.py: animals, patients ...)
    author: str | None = None  # a first author's surname, normalised ("Which studies by Wang ...?")
    cargo_class: str | None = None  # a cargo class (RNA or proteins) listed across the field: its category
    evidence_share: bool = False  # how the field's evidence divides by kind (rag/evidence_share.py)
    reading: str | None = None  # a listing read from sentences: "biomarkers" or "inhibitors" (_READINGS)
    counted: bool = False  # "How many studies ...?" of a listing read from sentences: the number first


def parse(question: str, known: CollectionTerms) -> CollectionQuery | None:
    """The filter (and the facet) a collection question asks for, or None for a question about findings."""
    # before the field's drugs: "Which drugs could block exosomes ...?" asks for inhibitors, not every drug
    for reading, asks in (("biomarkers", biomarker_listing.asks_biomarkers),
                          ("inhibitors", inhibitor_listing.asks_inhibitors)):
        if asks(question) and (listing := _reading_listing(question, known, reading)) is not None:
            return listing
    if (facet := _facet_of_the_field(question)) is not None:
        return CollectionQuery(Filters(), "", facet=facet)
    if (listing := _cargo_class_listing(question, known)) is not None:
        return listing
    if evidence_share.asks_share(question) and (share := _evidence_share(question, known)) is not None:
        return share
    asks_studies = _DOCUMENTS.search(question) or (_ASKED_FACET.match(question) and _STUDIED.search(question))
    if not (asks_studies and _ASKS.search(question)) or _ASKS_WHAT_HAPPENED.match(question):
        return None
    asked = _ASKED_FACET.match(question)
    facet = _facet_of(asked.group("noun")) if asked else None
    tokens = normalize(question).split()
    evidence, evidence_words = evidence_asked(tokens)
    # a lone letter is a possessive's ("Zhang's" -> "zhang s") or an initial: it says nothing
    words = [w for w in tokens if w not in STOPWORDS and not (len(w) == 1 and w.isalpha())]
    author = _author_asked(question, known)
    evidence_nouns = _EVIDENCE_NOUNS if evidence and not _ASKS_FOR_A_MODEL.match(question) else frozenset()
    words = [w for w in words if w not in evidence_words | evidence_nouns and w != author]
    facet_words = set(normalize(asked.group(0)).split()) if asked else set()
    named_categories = {w for w in words if _category_stem(w) in known.categories}
    if THE_REVIEW.search(question):  # "the review" is the subject review, whose literature is the collection
        words = [w for w in words if w != "review"]
        named_categories.discard("review")
    categories = frozenset().union(*(known.categories[_category_stem(w)] for w in named_categories))
    phrase, phrase_words = _cancer_phrase(question, known.cancer_phrases)
    found = known.types.of(set(words) - named_categories - facet_words - phrase_words)
    # the facet's own noun names no source ("Which tumour types ...?" asks for cancers, not tumour-derived exosomes)
    sources = {w for w in words if stem(w) in known.sources} - named_categories - set().union(*found.values()) \
        - facet_words - phrase_words
    retracted = any(w.startswith(("retract", "withdrawn", *_UNSOUND)) for w in words)
    years = _YEARS.search(question)
    year_words = set(normalize(years.group(0)).split()) | _YEAR_WORDS if years else set()
    said_words = set().union(*found.values()) | named_categories | sources | facet_words | year_words | phrase_words
    # cells of a named cancer are that cancer ("lung cancer cells", "B-cell lymphoma")
    qualifiers = _CANCER_CELLS if phrase or found["cancer"] else frozenset()
    rest = list(dict.fromkeys(w for w in words if w not in _FRAME | qualifiers and w not in said_words))
    if rest and (phrase or any(found.values()) or sources or not _mentionable(rest, question)):
        return None  # it says something beyond a facet: a question about content
    values, said = _filter_values(found, sources, years, retracted, phrase, known.spelled)
    if rest:
        said.append(f"text mentioning {' and '.join(repr(w) for w in rest)}")
    if evidence:
        said.append(_EVIDENCE_SAID[evidence])
    if author:
        said.append(f"first author '{author.title()}'")
    if categories:
        quoted = [f"'{c}'" for c in sorted(categories)]
        said.append(f"category {quoted[0]}" if len(quoted) == 1 else
                    f"categories {', '.join(quoted[:-1])} or {quoted[-1]}")
    if not values and not categories and facet is None and not rest and not evidence and not author:
        return None
    return CollectionQuery(Filters.from_mapping(values), " and ".join(said), categories, facet, tuple(rest),
                           evidence, author)


def _evidence_share(question: str, known: CollectionTerms) -> CollectionQuery | None:
    """How the evidence divides by kind, of the whole field or of the cancer, drug, cargo or category named ("Is
    the evidence on gastric cancer mostly from cell lines?", "Is the microRNA evidence mostly in vitro?"); None when
    it names a source cell, an author or a year, which the share does not filter by."""
    words = {w for w in normalize(question).split() if w not in STOPWORDS}
    phrase, phrase_words = _cancer_phrase(question, known.cancer_phrases)
    if any(stem(w) in known.sources for w in words) or _author_asked(question, known) or _YEARS.search(question):
        return None
    named = {w for w in words if _category_stem(w) in known.categories}
    categories = frozenset().union(*(known.categories[_category_stem(w)] for w in named))
    values, said = _filter_values(known.types.of(words - phrase_words - named), set(), None, False, phrase,
                                  known.spelled)
    said += [f"category '{c}'" for c in sorted(categories)]
    return CollectionQuery(Filters.from_mapping(values), " and ".join(said), categories, evidence_share=True)


def _cargo_class_listing(question: str, known: CollectionTerms) -> CollectionQuery | None:
    """"Which exosomal microRNAs (proteins) cause cisplatin resistance?": the cargo class's catalogue
    (rag/cargo_listing.py), of the studies of the cancer and drug it names, when they are more than an answer of
    findings has room for."""
    tokens = normalize(question).split()
    words = {w for w in tokens if w not in STOPWORDS}
    classes = {w for w in words if _category_stem(w) in known.categories}
    phrase, phrase_words = _cancer_phrase(question, known.cancer_phrases)
    found = known.types.of(words - classes - phrase_words)
    if found["cargo"]:
        return None  # a particular RNA is named: a question about it
    named = found["cancer"] | found["drug"] | phrase_words
    # the question as written without them ("Which microRNAs cause resistance?"): its plural is the list it asks for
    unnamed = " ".join(w for w in question.split() if not set(normalize(w).split()) & named)
    category = cargo_listing.class_asked(unnamed)
    if category is None:
        return None
    values, said = _filter_values({**found, "cargo": set()}, set(), None, False, phrase, known.spelled)
    filters = Filters.from_mapping(values)
    listed = cargo_listing.catalogue([s for s in known.records if filters.matches(source_metadata(s))], category)[0]
    # none of the class for that cancer or drug is an answer too, which the class's own catalogue follows; but
    # only when the collection has that cancer and that drug at all: "ER-positive breast cancer" makes the value
    # 'breast positive', which no stored type equals, and that says nothing of the microRNAs
    if not (cargo_listing.enough(listed) or (values and not listed and _each_matches(values, known.records))):
        return None
    return CollectionQuery(filters, " and ".join(said), cargo_class=category)


def _reading_listing(question: str, known: CollectionTerms, reading: str) -> CollectionQuery | None:
    """"Which exosomal microRNAs predict cisplatin resistance in patients?": the listing (_READINGS) of the cancer
    and drug it names, for markers also of the cargo class and treatment setting, for inhibitors of the evidence
    ("tested in mice"); None when it names a particular cargo (a question about that thing) or a cancer or drug the
    collection does not have (the gate and the unmentioned-name check answer for those)."""
    words = {w for w in normalize(question).split() if w not in STOPWORDS}
    classes = {w for w in words if _category_stem(w) in known.categories}
    phrase, phrase_words = _cancer_phrase(question, known.cancer_phrases)
    found = known.types.of(words - classes - phrase_words)
    if found["cargo"]:
        return None
    values, said = _filter_values({**found, "cargo": set()}, set(), None, False, phrase, known.spelled)
    if values and not _each_matches(values, known.records):
        return None
    counted = bool(COUNTS_STUDIES.match(question))
    if reading == "inhibitors":  # every marker study has patients; an inhibitor may be tested in mice or not
        named = found["cancer"] | found["drug"] | phrase_words
        # nothing particular besides: "Which compounds did a high-throughput screen find ...?" asks about a screen
        # "How many studies ...", "Is there any clinical trial ...": the studies are what it asks for
        if not about_a_route_only(" ".join(w for w in question.split() if not set(normalize(w).split()) & named),
                                  treatment=False, documents=True):
            return None
        evidence, _ = evidence_asked(normalize(question).split(), strict=True)
        said += [_EVIDENCE_SAID[evidence]] if evidence else []
        return CollectionQuery(Filters.from_mapping(values), " and ".join(said), evidence=evidence, reading=reading,
                               counted=counted)
    categories = frozenset(c for c in routes_named(question) if c in cargo_listing.LABELS)
    said += [f"exosomal {cargo_listing.LABELS[c]}" for c in sorted(categories)]
    # how the drugs were given, which no drug name says: "neoadjuvant", "platinum-based"
    setting = tuple(sorted((words & known.drug_words) - found["drug"] - _TREATMENT))
    said += [f"text mentioning {' and '.join(repr(w) for w in setting)}"] if setting else []
    return CollectionQuery(Filters.from_mapping(values), " and ".join(said), categories, mentions=setting,
                           reading=reading, counted=counted)


_TREATMENT = frozenset({"chemotherapy", "chemo", "therapy", "treatment", "drug", "drugs", "based", "agents", "named"})


def _drug_words(records: Iterable[Source]) -> frozenset[str]:
    """Every word of the records' drug values ("neoadjuvant chemotherapy (regimen not stated in abstract)")."""
    return frozenset(w for s in records for v in s.facets.get("drugs", []) for w in normalize(v.split(" (")[0]).split()
                     if w not in STOPWORDS)


def _each_matches(values: dict[str, object], sources: Iterable[Source]) -> bool:
    """Every filter value, on its own, matches some study."""
    return all(any(Filters.from_mapping({name: value}).matches(source_metadata(s)) for s in sources)
               for name, value in values.items())


def _year_span(years: re.Match[str]) -> tuple[int | None, int | None, str]:
    """The first and last year a match admits (None: open), and how to say it."""
    if years["b"]:
        return None, int(years["b"]) - 1, f"publication before {years['b']}"
    if years["a"]:
        return int(years["a"]) + 1, None, f"publication after {years['a']}"
    if years["s"]:
        return int(years["s"]), None, f"publication in {years['s']} or later"
    if years["lo"]:
        low, high = sorted((int(years["lo"]), int(years["hi"])))
        return low, high, f"publication in {low}-{high}"
    if years["decade"]:
        return int(years["decade"]), int(years["decade"]) + 9, f"publication in the {years['decade']}s"
    return int(years["one"]), int(years["one"]), f"publication in {years['one']}"


def _author_asked(question: str, known: CollectionTerms) -> str | None:
    """A first author the question lists studies by ("Which studies by Wang ...?", "List Zhang's papers"): a known
    surname written with its capital (so that "pan-cancer" names no one)."""
    for match in _AUTHOR.finditer(question):
        name = normalize(match.group(1) or match.group(2)).strip()
        if name in known.authors:
            return name
    return None


def _first_author_key(source: Source) -> str:
    """The first author's surname as a question writes it, normalised ("au yeung" as "yeung"); "" without one."""
    name = _first_surname(source)
    return normalize(name).strip().split()[-1] if name else ""


def follow_up(question: str, previous: str, known: CollectionTerms) -> CollectionQuery | None:
    """A follow-up on a listing: a facet asked of the studies it just gave ("Which drugs did they use?", "Which
    cancers?" after "Which studies are on lncRNAs?"), or another value in its place ("What about breast cancer?"
    after "Which studies cover gastric cancer?")."""
    if not previous or not depends_on_previous(question, known.types):
        return None
    before = parse(previous, known)
    if before is None:
        return None
    asked = _ASKED_FACET.match(question)
    if asked is not None:
        return replace(before, facet=_facet_of(asked.group("noun")))
    evidence, _ = evidence_asked(normalize(question).split())
    if evidence is not None and before.evidence is not None:  # "What about patients?" after "... in mice?"
        said = before.described.replace(_EVIDENCE_SAID[before.evidence], _EVIDENCE_SAID[evidence])
        return replace(before, evidence=evidence, described=said)
    return parse(standalone(question, previous, known.types), known)  # "What about breast cancer?"


# the nouns that go with a kind of evidence asked for: "mouse models", "animal experiments", "patient data"
_EVIDENCE_NOUNS = frozenset({"model", "models", "experiment", "experiments", "work", "evidence", "data", "system",
                             "systems", "assay", "assays"})
# ... unless the question asks for the model itself ("Which mouse model of multiple myeloma was used ...?")
_ASKS_FOR_A_MODEL = re.compile(r"\s*(?:which|what)\s+(?!(?:studies|papers|articles|sources|publications)\b)"
                               r"(?:[\w-]+\s+){0,2}?(?:models?|experiments?|systems?|assays?)\b", re.IGNORECASE)


def _mentionable(rest: list[str], question: str) -> bool:
    """A question asking for studies that mention a thing names one or two technical words and nothing else
    ("Which studies looked at hypoxia?"); a word of everyday English ("transfer", "show") makes it a question
    about findings, and so does a facet asked across the studies ("Which cancers ... hypoxia?") or a cancer, drug,
    cargo or source cell named beside it ("Which cytokines were used to polarise macrophages to M2 ...?")."""
    return len(rest) <= MAX_MENTIONED and all(is_technical(w) for w in rest) and not _ASKED_FACET.match(question)


def _category_stem(word: str) -> str:
    return next(iter(route_stems(word)), "")


_FIELD_FACETS = frozenset({"drugs", "cancer_types"})  # what the review's map of routes does not name


def _facet_of_the_field(question: str) -> str | None:
    """The drugs or cancers asked for across the whole field ("Which drugs do cancer cells become resistant to
    through exosomes?": routes.is_broad, naming nothing particular), answered from every record, as "Which drugs
    do the studies cover?" is; the map of routes, which answered it, names mechanisms, not drugs. Cargo, genes and
    cells asked so are the routes' own things, and the map names them."""
    asked = _ASKED_FACET.match(question)
    facet = _facet_of(asked.group("noun")) if asked else None
    return facet if facet in _FIELD_FACETS and is_broad(question) else None


def _facet_of(noun: str) -> str:
    return next(facet for prefix, facet in _FACET_OF_NOUN if noun.lower().startswith(prefix))


def _filter_values(found: dict[str, set[str]], sources: set[str], years: re.Match[str] | None,
                   retracted: bool, cancer: str | None = None, spelled: dict[str, str] | None = None
                   ) -> tuple[dict[str, object], list[str]]:
    """The Filters mapping of what the question names (`cancer`: a stored cancer type it names in full), and how
    to say it (`spelled`: a drug or cargo as the records write it)."""
    values: dict[str, object] = {}
    said: list[str] = []
    named = {"cancer_type": found["cancer"], "drug": found["drug"], "cargo": found["cargo"],
             "exosome_source": sources}
    for name, tokens in named.items():
        value = cancer if name == "cancer_type" and cancer and not tokens else " ".join(sorted(tokens))
        if value:
            values[name] = value
            shown = (spelled or {}).get(value, value) if name in ("drug", "cargo") else value
            said.append(f"{name.replace('_', ' ')} '{shown}'")
    if years:
        low, high, said_years = _year_span(years)
        values["year_min"], values["year_max"] = low, high
        said.append(said_years)
    if retracted:
        values["retracted"] = "only"
        said.append("retracted")
    return values, said


def matching(index: Index, query: CollectionQuery) -> list[Source]:
    mentioning = using_all(index, "bm25", query.mentions) if query.mentions else None
    found = [s for s in index.sources.values() if query.filters.matches(source_metadata(s))
             and (query.cargo_class is None or cargo_listing.is_of_class(s, query.cargo_class))
             and (not query.categories or s.category in query.categories)
             and (mentioning is None or s.id in mentioning)
             and (query.evidence is None or query.evidence in evidence_kinds(s))
             and (query.author is None or _first_author_key(s) == query.author)]
    return sorted(found, key=lambda s: (-(s.year or 0), s.title.lower()))


def answer(index: Index, query: CollectionQuery) -> Answer:
    """'3 studies in the collection are retracted: Title (Han et al., 2020) [1]; ...', each item cited; or, for a
    facet asked across them, 'glioma: Ding et al., 2020 [1]; ...'."""
    if query.evidence_share:
        return _evidence_share_answer(index, query)
    if query.reading is not None:
        return _reading_answer(index, query)
    sources = matching(index, query)
    if not sources and query.cargo_class is not None:  # "Which circRNAs cause cisplatin resistance?"
        return _cargo_class_answer(index, matching(index, replace(query, filters=Filters())), query, matched=False)
    if not sources:
        return Answer(f"No study in the collection matches {query.described}.", refused=True,
                      refusal_reason="collection-empty", backend="collection")
    if query.facet is not None:
        return _facet_answer(index, sources, query)
    if query.cargo_class is not None:
        return _cargo_class_answer(index, sources, query)
    asked_retracted = query.filters.retracted == "only"
    citations, items = [], []
    for n, source in enumerate(sources[:SHOWN], start=1):
        citations.append(_citation(index, n, source))
        items.append(f"{source.title}{_retraction(source, asked_retracted)} ({_who(source)}) [{n}]")
    noun = "study" if len(sources) == 1 else "studies"
    more = f"; and {len(sources) - SHOWN} more" if len(sources) > SHOWN else ""
    text = f"{len(sources)} {noun} in the collection {_matches(len(sources), query.described)}: " + \
        "; ".join(items) + more + "."
    return Answer(text, citations=citations, backend="collection")


# "Was that study retracted?", "Has the HOTTIP paper been withdrawn?", "Is the SNHG14 study reliable?": the status
# of one study (not "Are any studies retracted?", a listing)
_ASKS_STATUS = re.compile(r"^\s*(?:is|was|has|have|had|are|were)\b(?!.*\bany\b).*\b(?P<word>retract\w*|withdrawn|"
                          r"reliable|trustworthy|trusted|credible|valid)\b", re.IGNORECASE)
_POINTS_AT_A_STUDY = re.compile(r"\b(?:stud(?:y|ies)|papers?|articles?|work|reports?|it|that|this|they|them|those|"
                                r"these)\b", re.IGNORECASE)


def asks_status(question: str) -> bool:
    """The question asks whether one study is retracted or to be trusted."""
    return bool(_ASKS_STATUS.search(question) and _POINTS_AT_A_STUDY.search(question))


def status_answer(index: Index, source: Source, question: str) -> Answer:
    """What the study's record says of retraction, cited: the only judgement of a study the collection holds."""
    asked = _ASKS_STATUS.search(question)
    about_retraction = bool(asked) and not asked["word"].lower().startswith(
        ("reliable", "trust", "credible", "valid"))
    who = f"{_first_author(source)} ({source.year})" if source.year else _first_author(source)
    if source.retracted:
        note = source.retraction_note.strip().rstrip(".") or "the record gives no note"
        text = prompts.STATUS_RETRACTED.format(yes="Yes. " if about_retraction else "", who=who,
                                               title=source.title, note=note)
    else:
        text = prompts.STATUS_SOUND.format(no="No. " if about_retraction else "", who=who, title=source.title)
    return Answer(text, citations=[_citation(index, 1, source)], backend="collection")


# "Who wrote the review?", "Which journal published the HOTTIP study?", "When was the Valadi paper published?",
# "What is the DOI of that study?": one study's bibliographic record
_ASKS_RECORD = re.compile(
    r"^\s*(?:who\s+(?:wrote|authored|are\s+the\s+authors|were\s+the\s+authors|is\s+the\s+(?:first\s+|last\s+)?author)|"
    r"(?:in\s+)?(?:which|what)\s+journal|(?:where|when|in\s+which\s+year|what\s+year)\s+(?:was|were|did)\b.*\bpublish|"
    r"what(?:\s+is|'s)\s+the\s+(?:doi|reference|citation|full\s+reference)\b)", re.IGNORECASE)


_SEVERAL = re.compile(r"\b(?:studies|papers|articles|reviews|reports)\b", re.IGNORECASE)  # a listing, not one record


def asks_record(question: str) -> bool:
    """The question asks for one study's (or the review's) authors, journal, year or DOI."""
    return bool(_ASKS_RECORD.search(question)) and not _SEVERAL.search(question) and \
        bool(_POINTS_AT_A_STUDY.search(question) or re.search(r"\breview\b", question, re.IGNORECASE))


def record_answer(index: Index, source: Source) -> Answer:
    """The study's bibliographic record as one cited sentence: who wrote it, where and when it appeared."""
    authors = ", ".join(a for a in source.authors if a != "et al.")
    if authors and source.authors[-1] == "et al.":
        authors += " et al."
    volume = f", {source.volume}" if source.volume else ""
    pages = f":{source.pages}" if source.pages else ""
    venue = f"{source.journal or 'an unnamed journal'}{volume}{pages}" + (f" ({source.year})" if source.year else "")
    doi = f", DOI {source.doi}" if source.doi else ""
    text = prompts.RECORD.format(title=source.title, authors=authors or prompts.RECORD_NO_AUTHORS, venue=venue,
                                 doi=doi)
    return Answer(text, citations=[_citation(index, 1, source)], backend="collection")


def _matches(n: int, described: str) -> str:
    """'matches cancer type 'glioma'' / 'match ...' / 'are retracted', agreeing with the number of studies."""
    if described == "retracted":
        return "is retracted" if n == 1 else "are retracted"
    return f"{'matches' if n == 1 else 'match'} {described}"


def _retraction(source: Source, asked: bool) -> str:
    """' (retracted)' after a retracted study's title; when retraction is what was asked for, with the record's
    note on who retracted it and when (what the corpus knows of why)."""
    if not source.retracted:
        return ""
    note = source.retraction_note.strip().rstrip(".")
    return f" (retracted: {note})" if asked and note else " (retracted)"


def _cited_names(index: Index, studies: list[Source], shown: int, numbers: dict[str, int],
                 citations: list[Citation]) -> str:
    """'Ding et al., 2020 [1], Zhang et al., 2019 [2] and 3 more': the first `shown` studies, each numbered once
    across the answer (`numbers`) and its citation added to `citations` the first time."""
    named = []
    for source in studies[:shown]:
        if source.id not in numbers:
            numbers[source.id] = len(numbers) + 1
            citations.append(_citation(index, numbers[source.id], source))
        named.append(f"{_who(source)} [{numbers[source.id]}]")
    more = f" and {len(studies) - shown} more" if len(studies) > shown else ""
    return ", ".join(named) + more


def _evidence_share_answer(index: Index, query: CollectionQuery) -> Answer:
    """The counts of rag/evidence_share.py, then each kind's first studies, cited like a facet's values."""
    studies = [s for s in evidence_share.studies(index) if query.filters.matches(source_metadata(s))
               and (not query.categories or s.category in query.categories)]
    if not studies:
        return Answer(f"No study in the collection matches {query.described}.", refused=True,
                      refusal_reason="collection-empty", backend="collection")
    counted = evidence_share.count(studies)
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    listed = "; ".join(f"{label}: {_cited_names(index, group, evidence_share.NAMED_PER_KIND, numbers, citations)}"
                       for label, group in counted.groups() if group)
    text = evidence_share.opening(counted, query.described) + (f" {listed[0].upper()}{listed[1:]}." if listed else "")
    return Answer(text + evidence_share.closing(counted), citations=citations, backend="collection")


# each listing read from sentences: how its studies are found, what they did, and what none of them did
_READINGS = {"biomarkers": (biomarker_listing.markers, "measured an exosomal marker in patients and linked it to "
                            "treatment response, resistance or outcome", "reads an exosomal marker in patients"),
             "inhibitors": (inhibitor_listing.readings, "report one of their drugs lowering exosome release",
                            "reports a drug lowering exosome release")}


def _reading_answer(index: Index, query: CollectionQuery) -> Answer:
    """A few studies with the sentence each rests on; more as a catalogue of one cited line each
    (rag/readings.py). None for the cancer, drug or class asked: that said, then the whole field's."""
    found = _readings(index, query)
    everywhere = found or _readings(index, CollectionQuery(Filters(), "", reading=query.reading))
    _, did, did_not = _READINGS[query.reading or ""]
    if not everywhere:
        return Answer(f"No study in the collection {did_not}.", refused=True, refusal_reason="collection-empty",
                      backend="collection")
    asked = frozenset(f for f, name in (("cancer", "cancer_type"), ("drug", "drug"))
                      if found and getattr(query.filters, name))
    citations = [_sentence_citation(index, n, r.source, r.sentence) for n, r in enumerate(everywhere, start=1)]
    scope = f" with {query.described}" if query.described else ""
    if found and query.counted:  # the number asked for, then the studies it counts
        listed = "; ".join(r.line(_who(r.source), n, asked) for n, r in enumerate(found, start=1))
        counted = f"{len(found)} studies in the collection{scope} {did}" if len(found) > 1 else \
            f"1 study in the collection{scope} {did_not}"
        return Answer(f"{counted}: {listed}.", citations=citations, backend="collection")
    if found and len(found) <= SENTENCES_MAX:
        head = _and([f"{', '.join(r.names)} [{n}]" for n, r in enumerate(found, start=1)])
        said = " ".join(f"{_first_author(r.source)} ({_year_and_caveat(r)}): {r.sentence} [{n}]"
                        for n, r in enumerate(found, start=1))
        return Answer(f"{_capitalised(head)}. {said}", citations=citations, backend="collection")
    listed = _capitalised("; ".join(r.line(_who(r.source), n, asked) for n, r in enumerate(everywhere, start=1)))
    if not found:
        return Answer(f"No study in the collection{scope} {did_not}. These are the {len(everywhere)} studies in the "
                      f"collection that {did}. {listed}.", citations=citations, backend="collection")
    return Answer(f"{listed}. These are the {len(everywhere)} studies in the collection{scope} that {did}.",
                  citations=citations, backend="collection")


def _capitalised(text: str) -> str:
    """An answer opens with a capital, unless its first word is a name written otherwise ("miR-21", "circNFIX"):
    "Cannabidiol (prostate cancer; ...)"."""
    first = text.split(" ", 1)[0]
    return text[0].upper() + text[1:] if first.isalpha() and first.islower() else text


def _year_and_caveat(reading: Reading) -> str:
    """'2018', '2018, retracted', '2018, cell culture only': what changes how the sentence after it reads."""
    caveat = "retracted" if reading.source.retracted else \
        "cell culture only" if reading.detail("evidence") == "cell culture only" else ""
    return ", ".join(str(v) for v in (reading.source.year, caveat) if v)


def _readings(index: Index, query: CollectionQuery) -> list[Reading]:
    """The readings of the studies the query's filters, cargo classes and words keep."""
    mentioning = using_all(index, "bm25", query.mentions) if query.mentions else None
    kept = [s for s in index.sources.values() if query.filters.matches(source_metadata(s))
            and (not query.categories or any(cargo_listing.is_of_class(s, c) for c in query.categories))
            and (mentioning is None or s.id in mentioning)
            and (query.evidence is None or query.evidence in evidence_kinds(s))]
    passages: dict[str, list[str]] = {s.id: [] for s in kept}
    for chunk in index.chunks:  # one pass over the chunks, not one per study
        if chunk.source_id in passages:
            passages[chunk.source_id].append(chunk.text)
    texts = {i: " ".join(p) for i, p in passages.items()}
    found = _READINGS[query.reading or ""][0]((s, texts[s.id]) for s in kept)
    if query.evidence is None:
        return found
    return [of_evidence(r, texts[r.source.id], query.evidence) for r in found]


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence_citation(index: Index, n: int, source: Source, sentence: str) -> Citation:
    """The study's passage holding the sentence an answer line rests on."""
    chunks = [c for c in index.chunks if c.source_id == source.id]
    chunk = next((c for c in chunks if sentence in c.text), chunks[0])
    return citation_for(n, Hit(chunk=chunk, source=source, score=1.0, fused=0.0))


def _facet_answer(index: Index, sources: list[Source], query: CollectionQuery) -> Answer:
    """The asked-for facet's values across the matching studies, most studied first, each with its studies cited:
    '3 cancer types across the 3 studies that match category 'ncrna-circrna': glioma: Ding et al., 2020 [1]; ...'."""
    facet = query.facet or ""
    groups: dict[str, tuple[str, list[Source]]] = {}
    for source in sources:
        for value in dict.fromkeys(source.facets.get(facet, [])):
            label = value.split(" (")[0].strip() or value
            key = drug_name(value) if facet == "drugs" else normalize(label).strip()
            groups.setdefault(key, (label, []))[1].append(source)
    ordered = sorted(groups.values(), key=lambda g: (-len(g[1]), g[0].lower()))
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    items = [f"{label}: {_cited_names(index, studies, STUDIES_PER_VALUE, numbers, citations)}"
             for label, studies in ordered[:VALUES_SHOWN]]
    one, many = _FACET_LABEL[facet]
    noun = "study" if len(sources) == 1 else "studies"
    scope = f"the {len(sources)} {noun} in the collection" + (f" that {_matches(len(sources), query.described)}"
                                                                 if query.described else "")
    if not groups:
        return Answer(f"None of {scope} names a {one}.", refused=True, refusal_reason="collection-empty",
                      backend="collection")
    rest = f"; and {len(ordered) - VALUES_SHOWN} more" if len(ordered) > VALUES_SHOWN else ""
    without = sum(1 for s in sources if not s.facets.get(facet))
    gap = f" ({without} of them name{'s' if without == 1 else ''} no {one}.)" if without else ""
    text = f"{len(groups)} {one if len(groups) == 1 else many} across {scope}: " + "; ".join(items) + rest + "." + gap
    return Answer(text, citations=citations, backend="collection")


def _cargo_class_answer(index: Index, sources: list[Source], query: CollectionQuery, matched: bool = True) -> Answer:
    """'miR-21 (target PTEN; gastric cancer; cisplatin): Zheng et al., 2017 [1]; ... These are the 20 studies in
    the collection that name exosomal microRNAs in chemotherapy resistance.', retracted studies last and marked;
    a study naming none of the class's RNAs in particular is counted. Not `matched`
    (no study of the class matches the cancer or drug asked): that said, then the class's whole catalogue."""
    items, unnamed = cargo_listing.catalogue(sources, query.cargo_class or "")
    label = cargo_listing.LABELS[query.cargo_class or ""]
    asked = frozenset(f for f, name in (("cancer", "cancer_type"), ("drug", "drug"))
                      if matched and getattr(query.filters, name))
    citations, lines, rest = [], [], []
    for n, item in enumerate(items, start=1):
        citations.append(_citation(index, n, item.source, item.text("", n, asked)))
        if n <= cargo_listing.SHOWN:
            lines.append(item.text(_who(item.source), n, asked))
        else:  # named only: every study of the class stays on the list, the details of the first ones
            rest.append(item.named(_who(item.source), n))
    # the count and the framing are sentences of their own: claims about the collection, not about a study a line
    # cites
    more = f" By name only, the others: {'; '.join(rest)}." if rest else ""
    none = f" {unnamed} more {'study names' if unnamed == 1 else 'studies name'} none in particular." \
        if unnamed else ""
    listed = "; ".join(lines) + "." + more
    if not matched:
        return Answer(f"No study in the collection that matches {query.described} names exosomal {label}. The "
                      f"{len(items)} that do, each with its own cancer and drug, are these. {listed}{none}",
                      citations=citations, backend="collection")
    # the list first, as any answer gives what was asked first; then how many studies it covers
    scope = f" with {query.described}" if query.described else ""
    text = f"{listed} These are the {len(items)} studies in the collection{scope} that name exosomal {label} in " \
        f"chemotherapy resistance.{none}"
    return Answer(text, citations=citations, backend="collection")


def _citation(index: Index, n: int, source: Source, claim: str = "") -> Citation:
    """The study's passage naming most of the claim's specific terms (its first passage for a bare listing): a
    catalogue line's target is often said in a later passage than its RNA."""
    chunks = [c for c in index.chunks if c.source_id == source.id]
    wanted = specific_terms(claim)
    chunk = max(chunks, key=lambda c: len(wanted & specific_terms(c.text))) if wanted else chunks[0]
    return citation_for(n, Hit(chunk=chunk, source=source, score=1.0, fused=0.0))


# a listing's own words ("1 study in the collection matches ...", "3 studies in the collection are retracted: ...")
# and how it names each study ("(Zhu et al., 2019) [1]"): read back when a follow-up points at what was listed
_LISTING = re.compile(r"^\d+ stud(?:y|ies) in the collection ")
_LISTED = re.compile(r"\(([^()]+? et al\.), ((?:19|20)\d\d)\) \[\d+\]")
MAX_POINTED = 3  # studies a follow-up's "it" or "they" may stand for


def listed_studies(answer_text: str) -> list[str]:
    """The studies a listing answer names, as one cites them ("Zhu et al. (2019)"); [] for any other answer, or for
    a listing too long for "they" to stand for."""
    if not _LISTING.match(answer_text):
        return []
    named = [f"{who} ({year})" for who, year in _LISTED.findall(answer_text)]
    return named if len(named) <= MAX_POINTED else []


def _who(source: Source) -> str:
    """'Ding et al., 2020'."""
    return f"{_first_author(source)}, {source.year}" if source.year else _first_author(source)


def _first_author(source: Source) -> str:
    """'Ding et al.'; a record without authors by its journal or its title's start, as the answers name it."""
    name = _first_surname(source)
    return f"{name} et al." if name else unnamed(source)


def _first_surname(source: Source) -> str:
    first = source.authors[0] if source.authors and source.authors[0] != "et al." else ""
    return surname(first) if first else ""
