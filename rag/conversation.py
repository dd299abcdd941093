"""Follow-up questions: does a question lean on the previous turn, and if so, what does it ask in full?

A follow-up is elliptical ("Which cargo?", "And in NSCLC?"), opens with a continuation ("what about ...", "and ..."),
or points back ("does it ...", "their targets?") without naming its own subject. A question that names its own
subject stands alone, whatever its first word. Entities are typed (cancer, drug, cargo) from the index's own facet
values read through the normaliser and synonym table, so "HCC", "osteosarcoma" or "5-FU" are recognised because the
corpus names them, not because a list does.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from rag.answer_types import asked_kinds, head_noun
from rag.catalog import CANCER_SITES, options
from rag.generation.routes import routes_named
from rag.index import Index
from rag.lexical import STOPWORDS
from rag.normalize import is_entity, normalize, specific_terms
from rag.vocabulary import is_technical

_CONTINUATION = re.compile(r"^\s*(and|what about|how about|also|same for|same|but|or)\b", re.IGNORECASE)
_POINTING = re.compile(r"\b(it|its|they|them|their|this|that|these|those|such)\b", re.IGNORECASE)
# English constructions whose pronoun points at nothing: the expletive "it" ("is it known that ...", "it is true
# that ...") and the discourse marker "that said"; they are removed before looking for a pointing word
_NOT_POINTING = re.compile(r"\b(?:(?:is|was|isn't|wasn't) it|it (?:is|was))\s+(?:\w+ly\s+)?(?:known|true|possible|"
                           r"clear|likely|established|reported|shown|the case)\b|^\s*that said\b", re.IGNORECASE)
# WHO International Nonproprietary Name stems of anticancer drugs: a drug the corpus never names ("sorafenib",
# "olaparib", "pertuzumab") is still recognised as a drug, so it replaces the previous question's drug
_INN_STEM = re.compile(r"[a-z]{2,}(?:platin|taxel|rubicin|citabine|tinib|rafenib|ciclib|parib|lisib|zomib|mab|"
                       r"mustine|tecan|poside|trexed|trexate|fosfamide|lutamide|terone|cristine|blastine|relbine|"
                       r"mycin|phalan|fenib|degib|xaban|xifen|zolomide)$")


def is_drug_name(token: str) -> bool:
    """A normalised token that is an anticancer drug's own name by its INN stem ("gefitinib"), not a class."""
    return bool(_INN_STEM.fullmatch(token))


GENERIC = frozenset({"cancer", "cancers", "carcinoma", "tumour", "tumor", "cell", "cells", "exosome", "mirna",
                      "ncrna", "lncrna", "circrna", "chemoresist", "human", "mouse", "resistant", "drug", "drugs",
                      "line", "lines", "protein", "proteins", "rna", "rnas", "patient", "patients", "chemotherapy",
                      "therapy", "treatment", "treated", "neoadjuvant", "adjuvant", "model", "models", "primary",
                      "advanced", "resistance", "sensitive", "normal", "tissue", "tissues", "study", "type"})
_PREPOSITION = re.compile(r"^(in|for|with|on|of|to|by)$", re.IGNORECASE)
SHORT = 3  # content words: "which cargo" has one, "and in NSCLC" one


@dataclass(frozen=True)
class EntityTypes:
    """Normalised tokens of each entity type the corpus names."""

    cancer: frozenset[str]
    drug: frozenset[str]
    cargo: frozenset[str]

    @classmethod
    def from_facets(cls, cancers: Iterable[str], drugs: Iterable[str], cargo: Iterable[str]) -> EntityTypes:
        def tokens(values: Iterable[str], named_only: bool = False) -> frozenset[str]:
            found = {t for v in values for t in normalize(v).split()
                     if t not in GENERIC and t not in STOPWORDS and len(t) > 2}
            # drug and cargo values are phrases ("mRNA (about 1300 genes)"): only their names count, not "about"
            return frozenset(t for t in found if is_entity(t) or is_technical(t)) if named_only else frozenset(found)

        # a token belongs to one type only, a drug name first, then a cargo name, then a cancer
        drug = tokens(drugs, named_only=True)
        carried = tokens(cargo, named_only=True) - drug
        return cls((tokens(cancers) | frozenset(CANCER_SITES)) - drug - carried, drug, carried)

    def of(self, tokens: set[str]) -> dict[str, set[str]]:
        drugs = (tokens & self.drug) | {t for t in tokens - self.cargo - self.cancer if _INN_STEM.fullmatch(t)}
        return {"cancer": tokens & self.cancer, "drug": drugs, "cargo": tokens & self.cargo}


_TYPES: weakref.WeakKeyDictionary[Index, EntityTypes] = weakref.WeakKeyDictionary()


def entity_types(index: Index) -> EntityTypes:
    """Cancer, drug and cargo names of this index generation (computed once per generation)."""
    types = _TYPES.get(index)
    if types is None:
        facets = options(index)
        types = _TYPES[index] = EntityTypes.from_facets(facets["cancer_type"], facets["drug"], facets["cargo"])
    return types


def _content(text: str) -> list[str]:
    return [w for w in normalize(text).split() if w not in STOPWORDS and len(w) > 1]


def depends_on_previous(question: str, types: EntityTypes) -> bool:
    """Does the question need the previous turn to be understood?"""
    if _CONTINUATION.search(question):
        return True
    words = _content(question)
    if len(words) <= SHORT:
        return True
    names_subject = bool(specific_terms(question) - {"exosome", "chemoresist"}) or any(types.of(set(words)).values())
    return points_back(question) and not names_subject


def points_back(question: str) -> bool:
    """A pointing word ("it", "they", "their") that is not an expletive ("is it known that ...")."""
    return bool(_POINTING.search(_NOT_POINTING.sub(" ", question)))


# a follow-up that is a whole question of its own, pointing back with "it" ("Which studies show it moving between
# cells?"): its "it" can stand for the one thing the previous question named
_WHOLE_QUESTION = re.compile(r"^\s*(?:which|what|how|why|where|when|who|does|do|did|is|are|was|were|can|could)\b"
                             r"(?:\s+\S+){3}", re.IGNORECASE)
_IT = re.compile(r"\b(it|its)\b", re.IGNORECASE)
_FIELD = frozenset({"exosome", "chemoresist", "mirna", "lncrna", "circrna", "ncrna"})


def condense(question: str, previous: str, types: EntityTypes) -> str:
    """The follow-up with its "it" replaced by the one particular thing the previous question named ("What is
    P-glycoprotein?" -> "Which studies show P-glycoprotein moving ...?"), so that it keeps its own form (a list);
    otherwise the previous question's words with the entities the follow-up replaces taken out, then the
    follow-up."""
    named = _one_named(previous, types)
    if named and _WHOLE_QUESTION.match(question) and _IT.search(_NOT_POINTING.sub(" ", question)):
        return _IT.sub(lambda m: f"{named}'s" if m.group(1).lower() == "its" else named, question, count=1)
    new = types.of(set(normalize(question).split()))
    replaced = {kind for kind, found in new.items() if found}
    routes = routes_named(question)
    kept = []
    for word in previous.rstrip("?").split():
        tokens = set(normalize(word).split())
        if any(types.of(tokens)[kind] for kind in replaced):
            continue  # the follow-up names another entity of this kind: the old one goes
        if routes and routes_named(word) - routes:
            continue  # "What about proteins?" after a question on lncRNAs: the review's other route replaces it
        kept.append(word)
    follow = _CONTINUATION.sub("", question).strip()
    first = follow.split()[0] if follow.split() else ""
    while kept and _PREPOSITION.match(first) and _PREPOSITION.match(kept[-1]):
        kept.pop()  # "... resistance in" + "in NSCLC?": one "in"
    return f"{' '.join(kept)} {follow}".strip()


def _one_named(previous: str, types: EntityTypes) -> str | None:
    """The one particular thing (a gene, protein, RNA or drug; not a cancer, nor the field's own words) the
    previous question names, as it was written; None when it names none or several, or when it asked for a named
    thing ("Which circRNA promotes oxaliplatin resistance?": "its targets" are the answer's, not oxaliplatin's)."""
    if asked_kinds(previous) or head_noun(previous) is not None:
        return None
    wanted = specific_terms(previous) - _FIELD - types.cancer
    written = {w.strip("?.,;:!()'\"") for w in previous.split() if set(normalize(w).split()) & wanted}
    return next(iter(written)) if len(written) == 1 else None


def point_at(question: str, studies: list[str]) -> str:
    """The follow-up with its pointing word standing for the studies just listed: "What did it find?" after a
    listing of one study -> "What did Zhu et al. (2019) find?" (a question that cites a study by its author is
    answered from that study)."""
    named = " and ".join(studies)
    return _POINTING.sub(lambda m: f"{named}'s" if m.group(1).lower() in ("its", "their") else named, question,
                         count=1)


def standalone(question: str, previous: str, types: EntityTypes) -> str:
    if not previous or not depends_on_previous(question, types):
        return question
    return condense(question, previous, types)
