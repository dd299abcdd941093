"""Drugs that lower exosome release, asked across the field ("Which drugs inhibit exosome secretion?", "Which drugs
could block exosomes to overcome chemoresistance?"), answered from the studies whose sentences have one of their
record's drugs lowering exosome release, secretion, production or formation. The records list a study's drugs
together, the chemotherapy it tested with the inhibitor it used (Richards: gemcitabine and GW4869), so which drug
blocks the vesicles is read from the sentence: the drug is the doer of the lowering (its subject, or after "with",
"by" or "using" before the verb: "Blocking exosome release ... with GW4869", "Pretreating cells with a PPI ...
reduced exosome secretion"), or the sentence calls the drugs it lists "inhibitors of exosome biogenesis". A drug
named in the same sentence as what the lowering helped ("improved the effect of ... cyclophosphamide") is not one.
rag/collection.py routes the question here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.answer_types import asked_kinds, asks_for_list
from rag.chunking import split_sentences
from rag.documents import Source
from rag.evidence import ANIMALS, PATIENTS, evidence_kinds
from rag.generation.direction import DOWN, agents
from rag.generation.routes import routes_named
from rag.lexical import english_stemmer
from rag.readings import COUNTS_STUDIES, Reading, abbreviations, first_value, names_in, ordered

_VESICLES = r"(?:exosom\w*|(?:micro)?vesicles?|EVs?)"
_RELEASE = r"(?:release|secretion|production|formation|biogenesis|generation|output|shedding)"
_LOWERING = "|".join((*DOWN, "lowering", "blocking", "inhibiting", "suppressing", "preventing", "decreasing"))
# exosome release lowered, in the orders English says it: "lowered exosome release", "reduced the release of
# vesicles", "inhibitors of exosome biogenesis"
_LOWERS_RELEASE = re.compile(
    rf"\b(?:{_LOWERING})\b(?:\W+\w+){{0,3}}?\W+{_VESICLES}\W+{_RELEASE}\b|"
    rf"\b(?:{_LOWERING})\b(?:\W+\w+){{0,2}}?\W+{_RELEASE}\W+of\W+(?:\w+\W+)?{_VESICLES}|"
    rf"\binhibitors?\s+of\s+{_VESICLES}\W+{_RELEASE}", re.IGNORECASE)
_CALLED_INHIBITORS = re.compile(rf"\binhibitors?\s+of\s+{_VESICLES}", re.IGNORECASE)
_AFTER_MARKER = re.compile(r"\b(?:with|by|using|via)\s+(?:(?:a|an|the)\s+)?([\w-]+)", re.IGNORECASE)
_LIST_VERB = re.compile(r"^\s*(?:list|name)\s+(?:the\s+|all\s+)?", re.IGNORECASE)
# a second question joined on ("..., and does that help chemotherapy work?"), which a listing would leave unanswered
_SECOND_QUESTION = re.compile(r",?\s+and\s+(?:does|do|did|is|are|was|were|can|could|will|would|how|what|why|which|"
                              r"whether)\b", re.IGNORECASE)
_EVIDENCE_SAID = {ANIMALS: "in animals", PATIENTS: "in patients"}


def asks_inhibitors(question: str) -> bool:
    """Does the question ask which drugs lower exosome release (a list of drugs, compounds or inhibitors about
    blocking secretion, and nothing more), how many studies report one ("How many studies looked at exosome
    inhibitors?"), or whether any exist or were tested ("Are there drugs that block exosome release?", "Have exosome
    inhibitors been tested in patients?")? "Which genes control exosome secretion?", "Which drugs increase exosome
    release?" and "Is there a way to stop tumour cells from releasing these vesicles?" do not; the caller checks
    that it names nothing particular beyond a cancer, a drug or the kind of evidence."""
    listed = _LIST_VERB.sub("Which ", question, count=1)
    drugs_asked = bool(re.match(r"\s*(?:which|what)\b", listed, re.IGNORECASE) and asks_for_list(listed)
                       and asked_kinds(listed) == {"drug"})
    exist_asked = bool(_ASKS_IF_ANY.match(question) and _THE_DRUGS.search(question))
    return bool((drugs_asked or exist_asked or COUNTS_STUDIES.match(question))
                and "secretion-inhibition" in routes_named(question) and not _SECOND_QUESTION.search(question))


# whether any exist, or were tested: "Is there any clinical trial of ...", "Have exosome inhibitors been tested ..."
_ASKS_IF_ANY = re.compile(r"^\s*(?:(?:is|are)\s+there\b|"
                          r"(?:have|has)\b.*\bbeen\s+(?:tested|tried|used|given|studied)\b)", re.IGNORECASE)
# ... of the drugs themselves or the studies of them, not of "a way" to block release
_THE_DRUGS = re.compile(r"\b(?:inhibitors?|drugs?|compounds?|blockers?|agents?|medicines?|trials?|studies)\b",
                        re.IGNORECASE)


def inhibitors(source: Source, text: str, sentences: Iterable[str] | None = None) -> Reading | None:
    """The record's drugs that its text has lowering exosome release, with the first sentence saying so; its
    details: cancer, the other drugs it tested them with, how far its evidence reaches. `sentences`: the text's,
    when the caller has them split already."""
    drugs = source.facets.get("drugs", [])
    if source.type != "study" or not drugs:
        return None
    found: dict[str, str] = {}
    for sentence in split_sentences(text) if sentences is None else sentences:
        lowered = _LOWERS_RELEASE.search(sentence)
        if lowered is None:
            continue
        for drug in drugs:
            if drug not in found and any(_does_it(name, sentence, lowered.end()) for name in _names(drug, text)):
                found[drug] = sentence
    if not found:
        return None
    with_drugs = [first_value([d]) for d in drugs if d not in found]
    kinds = evidence_kinds(source)
    reach = ", ".join(said for kind, said in _EVIDENCE_SAID.items() if kind in kinds) or "cell culture only"
    return Reading(source, next(iter(found.values())), tuple(first_value([d]) for d in found),
                   (("cancer", first_value(source.facets.get("cancer_types", []))),
                    ("drug", f"alongside {', '.join(with_drugs)}" if with_drugs else ""), ("evidence", reach)))


def readings(texts: Iterable[tuple[Source, str]]) -> list[Reading]:
    return ordered([r for s, text in texts if (r := inhibitors(s, text)) is not None])


def _names(drug: str, text: str) -> set[str]:
    """A drug value's names: as written, its note ("cannabidiol (CBD)"), and an abbreviation the text defines for it
    ("proton pump inhibitors (PPIs)")."""
    base = drug.split(" (")[0].strip()
    names = {base, *re.findall(r"\(([^()]+)\)", drug)}
    return {n for n in names | abbreviations(base, text) if n}


def _does_it(name: str, sentence: str, lowered_at: int) -> bool:
    """Is the drug the doer of the lowering the sentence states (ending at `lowered_at`)?"""
    if not names_in(name, sentence):
        return False
    stemmer = english_stemmer()
    stems = set(stemmer.stemWords([t.lower() for t in re.findall(r"[\w-]+", name)]))
    marked = set(stemmer.stemWords([w.lower() for w in _AFTER_MARKER.findall(sentence[:lowered_at])]))
    called = _CALLED_INHIBITORS.search(sentence)
    listed_before = called is not None and name.lower() in sentence[:called.start()].lower()
    return bool(stems & agents(sentence, -1) or stems & marked or listed_before)
