"""A mechanism question about a setting, a cancer or a drug or both and nothing more particular ("How do exosomes
make glioblastoma resistant to temozolomide?", "Why does gastric cancer stop responding to cisplatin?"), is asked of
every study of that setting: each is one answer (miR-151a loss, SBF2-AS1, ...). Ranked sentence by sentence, the
study whose summary repeats the question's words fills the answer alone. So the studies are found as a collection
question finds them, from the index metadata (the record's cancer types and drugs), and each gives one finding.

A question that names anything else the corpus knows (a cargo, a gene, the cell the exosomes came from: "How do
macrophage exosomes make pancreatic cancer resist gemcitabine?") asks about one study's finding and is answered as
any other question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from typing import Any

from rag import lay_terms, word_users
from rag.answer_types import asks_for_list, gazetteer
from rag.catalog import CANCER_SITES
from rag.collection import terms
from rag.conversation import entity_types, is_drug_name
from rag.generation.routes import ROUTE_OF, asks_how, asks_outcome
from rag.generation.short_answer import particular
from rag.index import Index
from rag.lexical import STOPWORDS, english_stemmer
from rag.vocabulary import is_technical
from rag.normalize import is_entity, normalize, spaced, specific_terms, stem, synonyms

MAX_TOPIC_STUDIES = 2  # a word more studies use (chemotherapy, vesicles, apoptosis) is the field's, not a topic
FIELD_TERMS = frozenset({"exosome", "chemoresist"})  # specific_terms' names for the subject itself
CANCER_NOUNS = ("cancer", "carcinoma", "tumour", "tumor", "neoplasm", "malignan")
_VESICLE_STEMS = ("exosom", "vesic", "microvesic", "micropartic")


def setting_studies(question: str, index: Index) -> frozenset[str]:
    """The ids of the sound primary studies of the question's setting (none retracted, no review), when the
    question asks how or why and names only a cancer, a drug and/or the cells the exosomes came from ("How do
    tumour-associated macrophages pass drug resistance to cancer cells through exosomes?"), or the one particular
    thing it names that several studies list (_sharing_the_name); empty otherwise."""
    return setting_and_name(question, index)[0]


def setting_and_name(question: str, index: Index) -> tuple[frozenset[str], str | None]:
    """setting_studies, and the one thing several studies list when that is what the setting is (_sharing_the_name),
    normalised ("mir21"): each study's line speaks of it (rag/generation/extractive.py); None otherwise."""
    if not asks_how(question) or asks_for_list(question):
        return frozenset(), None
    # read in the literature's terms: "pump proteins" names P-gp, "brain tumours" glioma (rag/lay_terms.py)
    text = lay_terms.read(question).expanded(question)
    found = _types_of(text, index)
    # exosomes "from tumour cells" and "vesicles" are the field's own: no setting ("How does hypoxia change exosome
    # release from tumour cells?" was asked of the two studies whose record says "tumour cells")
    cells = {c for c in _source_cells(text, index) if not c.startswith((*CANCER_NOUNS, *_VESICLE_STEMS))}
    lay = None if _types_of(question, index)["cancer"] else _lay_cancer(question)
    if lay is not None:  # "brain tumours": glioma or glioblastoma, each a setting's cancer on its own
        found["cancer"] -= lay[1]
        cells -= {stem(w) for w in lay[0].split()}  # the tumours of "brain tumours" are no exosome source
    setting = found["cancer"] | found["drug"] | (lay[1] if lay else set())
    if found["cargo"] or _names_more(text, setting | cells, index):
        name = _the_one_name(text, setting, index) if lay is None and not cells else None
        shared = _sharing_the_name(text, found, setting, name, index) if name else frozenset()
        return shared, (name if shared else None)
    if not (setting or cells):
        return frozenset(), None
    # cells asked about as a cause of resistance are studied as one in the review's routes: macrophages that load
    # paclitaxel into their exosomes to overcome it (an exosome-biology study) are not a finding about that
    routes_only = bool(cells) and asks_outcome(question)
    of_lay = _studies_of_any(index, lay[1]) if lay else frozenset()
    studies = frozenset(s.id for s, meta in zip(index.sources.values(), index.source_metadata)
                        if not s.is_review and not s.retracted
                        and _of_cancer_and_drug(meta, found)
                        and (lay is None or s.id in of_lay)
                        and _lists_all(meta, "exosome_source_terms", cells)
                        and (not routes_only or s.category in ROUTE_OF))
    return (frozenset() if _narrowed(text, setting | cells, studies, index) else studies), None


def _sharing_the_name(text: str, found: Mapping[str, set[str]], setting: set[str], name: str,
                      index: Index) -> frozenset[str]:
    """The sound primary studies whose record lists `name`, the one particular thing the question names besides its
    setting, in the same role, as cargo or as target, when two or more do ("How does exosomal miR-21 cause
    resistance?": the gastric macrophage and the ovarian fibroblast studies; "Why does FBXW7 matter ...?":
    miR-500a-3p's and miR-92a-3p's), each of the setting's cancer and drug; empty otherwise. Ranked sentence by
    sentence, the study whose summary repeats the name fills the answer alone, and the other's finding on the same
    thing is lost. One role: miR-151a is one study's cargo and the target another's lncRNA sponges, and "How does
    restoring miR-151a re-sensitise ...?" asks about the first."""
    for role in ("cargo_terms", "targets_terms"):
        studies = frozenset(s.id for s, meta in zip(index.sources.values(), index.source_metadata)
                            if not s.is_review and not s.retracted and _lists_all(meta, role, {name})
                            and _of_cancer_and_drug(meta, found))
        if len(studies) >= 2:
            return frozenset() if _narrowed(text, setting | {name}, studies, index) else studies
    return frozenset()


def _of_cancer_and_drug(meta: Mapping[str, Any], found: Mapping[str, set[str]]) -> bool:
    """The record lists every word of the cancer the question names and one of the drugs it names: a drug word is
    one drug's name, and several are alternatives (the lay table reads "platinum drugs" as cisplatin, oxaliplatin or
    carboplatin); a cancer's words are parts of one name ("head and neck")."""
    return _lists_all(meta, "cancer_types_terms", found["cancer"]) and \
        (not found["drug"] or any(_lists_all(meta, "drugs_terms", {d}) for d in found["drug"]))


def _the_one_name(text: str, setting: set[str], index: Index) -> str | None:
    """The one particular thing the text names besides the field and its setting (a name some record lists, or a
    gene or RNA symbol), normalised; None when it names none or several. A class of molecule is no particular thing
    ("How did the study show that mouse exosomal mRNA was translated ...?" asks about one study's mRNA)."""
    names = {stem(w) for w in particular(gazetteer(index).names_in(text) | specific_terms(text))}
    names -= FIELD_TERMS | setting
    return next(iter(names)) if len(names) == 1 else None


def _source_cells(text: str, index: Index) -> set[str]:
    """The words naming cells exosomes come from that some record lists ("macrophage", "caf")."""
    known = terms(index, entity_types(index)).sources
    return {stem(w) for w in normalize(text).split() if stem(w) in known}


def studies_of_named_cancer(question: str, index: Index) -> frozenset[str] | None:
    """The ids of the sources whose record lists the cancer a question names ("... help lung cancer cells survive
    cisplatin?"), or None when it names none the index knows: a study of another cancer answers it less well. A
    cancer named in everyday words ("stomach cancer", "brain tumours") counts when none is named as written."""
    cancer = _types_of(question, index)["cancer"]
    if cancer:
        return _studies_listing(index, cancer, reviews=True)
    lay = _lay_cancer(question)
    return _studies_of_any(index, lay[1], reviews=True) if lay else None


def _lay_cancer(question: str) -> tuple[str, set[str]] | None:
    """The first cancer the question names in everyday words (rag/lay_terms.py), as matched ("stomach cancer"),
    and its site words, each an alternative: the lay table reads "brain tumour" as glioma or glioblastoma."""
    for found, technical in lay_terms.phrases(question):
        sites = {w for w in spaced(technical).split() if w in CANCER_SITES}
        if sites:
            return found, sites
    return None


def _studies_of_any(index: Index, sites: Set[str], reviews: bool = False) -> frozenset[str]:
    return frozenset().union(*(_studies_listing(index, {site}, reviews) for site in sites))


def other_cancer(question: str, index: Index, ids: Iterable[str]) -> tuple[str, list[str]]:
    """The cancer site the question names, as written ("docetaxel-resistant prostate cancer cells": "prostate
    cancer"), and which of the primary studies `ids` are not of it (reviews, and records listing no cancer, never
    are). Empty when the question names no site (studies_of_site)."""
    sites, phrase = _sites(question, index, abbreviated=True)
    if phrase:
        of_site = _studies_listing(index, sites)
    elif not _types_of(question, index)["cancer"] and (lay := _lay_cancer(question)) is not None:
        phrase, of_site = lay[0], _studies_of_any(index, lay[1])  # "stomach cancer": a study of gastric cancer
    else:
        return "", []
    other = [i for i in ids if (source := index.sources.get(i)) is not None and not source.is_review
             and source.facets.get("cancer_types") and i not in of_site]
    return phrase, other


def other_drug(question: str, index: Index, ids: Iterable[str]) -> tuple[str, list[str]]:
    """The one drug the question names that some record lists, as written ("... resistant to gefitinib?"), and which
    of the primary studies `ids` list drugs but not it (a study of cisplatin answering a gefitinib question). Empty
    when the question names no such drug, or more than one."""
    # drugs by their own names only: a class ("taxane", "anthracyclines", "multidrug chemotherapy") may hold the
    # drug asked about, and "KRAS" in "siRNA against KRAS" is no drug
    drugs = {d for d in _types_of(question, index)["drug"] if is_drug_name(d)}
    if len(drugs) != 1:
        return "", []
    drug = next(iter(drugs))
    testing = frozenset(s.id for s, meta in zip(index.sources.values(), index.source_metadata)
                        if _lists_all(meta, "drugs_terms", {drug}))
    other = [i for i in ids if (source := index.sources.get(i)) is not None and not source.is_review
             and i not in testing and any(is_drug_name(t) for v in source.facets.get("drugs", [])
                                          for t in normalize(v).split())]
    written = next((w for w in re.findall(r"[\w-]+", question) if normalize(w).strip() == drug), drug)
    return written, other


def studies_of_site(question: str, index: Index, abbreviated: bool = False) -> frozenset[str]:
    """The primary studies whose record lists the cancer site the question names. Only a site word counts
    ("breast", "myeloma", "neck": rag/catalog.CANCER_SITES): a modifier the records also use ("metastatic",
    "HER2-positive") is no cancer of its own, and a site word qualifying another noun ("a lung-cancer pill")
    names none. With `abbreviated`, a canonical name counts by its site words ("HCC": hepatocellular); the answer
    layer's relevance rule reads the site words as written only (the pancreatic "PDAC" studies, read so, padded
    two lay answers with an exosome-delivery study)."""
    sites, phrase = _sites(question, index, abbreviated)
    return _studies_listing(index, sites) if phrase else frozenset()


def _studies_listing(index: Index, cancer: Set[str], reviews: bool = False) -> frozenset[str]:
    """The sources (primary studies only, unless `reviews`) whose record lists every one of the cancer words."""
    return frozenset(s.id for s, meta in zip(index.sources.values(), index.source_metadata)
                     if (reviews or not s.is_review) and _lists_all(meta, "cancer_types_terms", cancer))


def _sites(question: str, index: Index, abbreviated: bool = False) -> tuple[set[str], str]:
    """The site words of the cancer the question names, and the words naming it as written; with `abbreviated`,
    also those of a canonical name ("HCC", "liver cancer": hepatocellular)."""
    cancer = _types_of(question, index)["cancer"]
    of_word = {w: _site_words(w, abbreviated) for w in cancer}
    sites = set().union(*of_word.values())
    naming = {w for w, found in of_word.items() if found}
    return sites, (_phrase(question, naming, cancer) if sites else "")


def _site_words(word: str, abbreviated: bool) -> set[str]:
    """A site word itself; with `abbreviated`, also the site words of the names a canonical token stands for
    ("hcc": hepatocellular carcinoma or liver cancer; "nsclc": non-small cell lung cancer)."""
    if word in CANCER_SITES:
        return {word}
    forms = synonyms().phrases.get(word, ()) if abbreviated else ()
    return {w for form in forms for w in spaced(form).split() if w in CANCER_SITES}


def _phrase(question: str, naming: set[str], cancer: set[str]) -> str:
    """The words naming the site (`naming`: its site words or canonical names), widened to the cancer words next
    to it ("head and neck", "triple-negative breast") and its noun ("cancer", "tumours"); empty when it only
    qualifies another noun (a "lung-cancer pill" is a drug, not the cancer studied)."""
    words = re.findall(r"[\w'-]+", question)

    def named(start: int, end: int) -> set[str]:
        return set(normalize(" ".join(words[start:end])).split()) & cancer

    # the shortest run of words naming it: the synonym table reads "liver cancer" or "HCC" as one name
    span = next(((i, i + n) for n in (1, 2, 3) for i in range(len(words))
                 if set(normalize(" ".join(words[i:i + n])).split()) & naming), None)
    if span is None or re.search(r"-(?:cancer|tumou?r|carcinoma)$", words[span[1] - 1], re.IGNORECASE):
        return ""
    start, end = span
    while start > 0 and len(named(start - 1, end)) > len(named(start, end)):
        start -= 1
    while end < len(words) and len(named(start, end + 1)) > len(named(start, end)):
        end += 1
    for back in (2, 1):  # "head and neck": a joining word between two of its words
        if start - back >= 0 and len(named(start - back, end)) > len(named(start, end)):
            start -= back
            break
    if end < len(words) and normalize(words[end]).strip().startswith(CANCER_NOUNS):
        end += 1  # "prostate cancer", "gastric carcinoma", "brain tumours"
    return " ".join(words[start:end])


def _types_of(text: str, index: Index) -> dict[str, set[str]]:
    """The cancers, drugs and cargo the text names (rag/conversation.EntityTypes)."""
    return entity_types(index).of({w for w in normalize(text).split() if w not in STOPWORDS})


def _lists_all(meta: Mapping[str, Any], field: str, words: Set[str]) -> bool:
    """Every word is a word of the record's facet as the filters read it (rag/filters.source_metadata, kept once per
    source by the index: stemmed, with a cancer's broader names); "head and neck cancer" for {"head", "neck"}."""
    return {stem(w) for w in words} <= set(meta.get(field, ()))


def _names_more(text: str, setting: set[str], index: Index) -> bool:
    """Something particular besides the setting: a name some record lists or a gene or RNA symbol."""
    if {stem(w) for w in gazetteer(index).names_in(text)} - setting:
        return True
    return bool({stem(w) for w in specific_terms(text)} - FIELD_TERMS - setting)


def _narrowed(text: str, setting: set[str], studies: frozenset[str], index: Index) -> bool:
    """A technical word besides the setting that only one or two studies use (or none) makes the question
    theirs ("Why does ferroptosis matter for cisplatin resistance in stomach cancer?" asks about miR-522's
    ferroptosis finding, not every gastric cisplatin study); a word every study of the setting uses narrows nothing
    ("maturing" in "How were exosomes first discovered in maturing reticulocytes?")."""
    used, names, types = word_users.users(index, "stem", primary_only=True), gazetteer(index).names, entity_types(index)
    everyday = lay_terms.read(text).covered  # "chemo" of "chemo pill" is the lay table's, read as the setting
    words = {w for w in normalize(text).split()  # synonyms folded: "glioblastoma" is the name "gbm"
             if w.isalpha() and w not in STOPWORDS and w not in everyday and not is_entity(w) and is_technical(w)
             and stem(w) not in setting and stem(w) not in names  # a cancer, drug or cell: the setting, not a topic
             and not any(types.of({w, stem(w)}).values())}  # "glioblastomas" is a cancer too
    users = (used.get(english_stemmer().stemWord(w), frozenset()) for w in words)
    # a word no record uses narrows too: the setting's studies do not speak of it ("hypoxia", where Zhu's record
    # says "hypoxic"), so their list cannot answer it and the ranked answer does
    return any(len(u) <= MAX_TOPIC_STUDIES and not (u and studies <= u) for u in users)


