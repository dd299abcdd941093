"""A list of one class of exosomal cargo asked across the field ("Which microRNAs do exosomes transfer to cause
resistance?", "Which genes do exosomal miRNAs target?", "Which exosomal proteins cause cisplatin resistance?"),
answered from the records as a catalogue: each study's cargo of that class (microRNAs, lncRNAs, circRNAs or
proteins), the RNAs' targets, its cancer and its drug, cited. The review's microRNA route alone has some twenty
studies; an answer of findings has room for three of them, chosen by how closely a passage repeats the question's
words, so the reader never sees the rest. The records list exactly what such a question asks for
(rag/collection.py answers other questions about the collection so)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.answer_types import asked_kinds, asks_for_list
from rag.documents import Source
from rag.generation.routes import about_a_route_only, asks_outcome, routes_named
from rag.generation.short_answer import NUCLEIC_ACID, lists_rna_class
from rag.normalize import normalize, specific_terms
from rag.readings import first_value

# fewer sound studies than this fit in an answer of findings (one line each within the word budget), which says
# more of each; the catalogue is for a class with more studies than that
CATALOGUE_MIN = 4
SHOWN = 12  # studies listed with their targets, cancer and drug; the rest by their cargo and authors only
TARGETS_SHOWN = 2  # a record lists its direct target first, then the pathway or process
LABELS = {"ncrna-mirna": "microRNAs", "ncrna-lncrna": "long non-coding RNAs", "ncrna-circrna": "circular RNAs",
          "protein-transfer": "proteins"}
PROTEIN = "protein-transfer"
# the routes whose studies' cargo proteins are the finding: a transferred protein, or a pump the vesicles carry
# (P-gp, ABCG2); a secretion study's Hsp72 or a stromal study's "cytokines" is not what is asked
_PROTEIN_ROUTES = frozenset({"protein-transfer", "drug-efflux"})
# a microRNA as records write it: "miR-21", "miR-100-5p", "miR21" (in "miR21 (miR-21) isomiRNAs")
_MIRNA = re.compile(r"\bmiR-?(\d+[a-z]?(?:-[35]p)?)\b")
CLASS_PREFIX = re.compile(r"^(?:lncRNA|circRNA)\s+", re.IGNORECASE)  # "lncRNA HOTTIP": the name is HOTTIP
# the list is what the question asks ("Which microRNAs ...?", "List the exosomal microRNAs ..."), not a clause of
# a how-question ("How did the cells choose which miRNAs to export?")
_ASKS_A_LIST = re.compile(r"^\s*(?:which|what|list|name)\b", re.IGNORECASE)
_LIST_VERB = re.compile(r"^\s*(?:list|name)\b", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|all)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    """One study's line of the catalogue."""

    source: Source
    names: tuple[str, ...]  # its cargo of the class: "miR-221", "miR-222"; "P-glycoprotein"
    targets: tuple[str, ...]  # "p27", "ERα"
    cancer: str
    drug: str

    def text(self, who: str, n: int, asked: frozenset[str] = frozenset()) -> str:
        """'miR-21 (target PTEN; gastric cancer; cisplatin): Zheng et al., 2017 [1]', without the facets the
        question itself named (`asked`: "cancer", "drug"), which every line would repeat."""
        said = [f"target{'s' if len(self.targets) > 1 else ''} {', '.join(self.targets)}"] if self.targets else []
        said += [v for facet, v in (("cancer", self.cancer), ("drug", self.drug)) if v and facet not in asked]
        detail = f" ({'; '.join(said)})" if said else ""
        return f"{', '.join(self.names)}{detail}: {self.named(who, n).split(': ', 1)[1]}"

    def named(self, who: str, n: int) -> str:
        """'miR-130a: Zhang et al., 2021 [13]'."""
        retracted = " (retracted)" if self.source.retracted else ""
        return f"{', '.join(self.names)}: {who}{retracted} [{n}]"


def class_asked(question: str) -> str | None:
    """The cargo class (its category) a list question asks for across the field, or None: it asks for a list of
    things of that class or of their targets, about resistance, and names nothing in particular once the cancer
    and drug it names (filters, which the caller has taken out) are set aside."""
    if not _ASKS_A_LIST.match(question) or not (asks_for_list(question) or _LIST_VERB.match(question)):
        return None
    classes = {c for c in routes_named(question) if c in LABELS}
    verb = _LIST_VERB.match(question)  # "Name the exosomal microRNAs ...": the kind, as "Which exosomal ...?" asks
    kinds = asked_kinds("Which " + _DETERMINER.sub("", question[verb.end():].strip())) if verb else \
        asked_kinds(question)
    if len(classes) != 1 or not kinds or not kinds <= {"cargo", "target"}:
        return None
    if not (about_a_route_only(question, treatment=False) and asks_outcome(question)):
        return None
    return next(iter(classes))


def is_of_class(source: Source, category: str) -> bool:
    """A study of the class: filed under it, or of another route and carrying RNA of it (the CAF studies of
    miR-130a and miR-103a-3p are filed as stromal); for proteins, a study of protein transfer or of drug efflux
    whose cargo names a protein."""
    if category == PROTEIN:
        return source.category in _PROTEIN_ROUTES and bool(protein_names(source))
    return source.category == category or lists_rna_class(source, category.removeprefix("ncrna-"))


def item(source: Source, category: str) -> Item:
    if category == PROTEIN:  # a protein record's "targets" say what the protein does, not a gene it silences
        names, targets = protein_names(source), ()
    else:
        names, targets = rna_names(source.facets.get("cargo", []), category), \
            target_names(source.facets.get("targets", []))
    return Item(source, names, targets, first_value(source.facets.get("cancer_types", [])),
                first_value(source.facets.get("drugs", [])))


def protein_names(source: Source) -> tuple[str, ...]:
    """The proteins a record's cargo names ("P-glycoprotein", "UCH-L1", "Survivin"): a name as written, without
    its note, that is no nucleic acid ("MDR-1 mRNA"), none of the study's drugs ("cisplatin (native form)") and no
    description ("sequestered antitumor drugs", "other small molecules", which records write in lower case)."""
    drugs = {normalize(d.split(" (")[0]) for d in source.facets.get("drugs", [])}
    found = []
    for value in source.facets.get("cargo", []):
        name = value.split(" (")[0].strip()
        if name and not NUCLEIC_ACID.search(name) and normalize(name) not in drugs \
                and (name[0].isupper() or bool(specific_terms(name))):
            found.append(name)
    return tuple(dict.fromkeys(found))


def rna_names(cargo: Iterable[str], category: str) -> tuple[str, ...]:
    """The named RNAs of the class in a record's cargo ("miR-21"), never a class word ("microRNAs (top 30 ...)")."""
    found: list[str] = []
    for value in cargo:
        if category == "ncrna-mirna":
            found += [f"miR-{m}" for m in _MIRNA.findall(value)]
        else:
            name = CLASS_PREFIX.sub("", value.split(" (")[0]).strip()
            if specific_terms(name) and not _MIRNA.search(name):
                found.append(name)
    return tuple(dict.fromkeys(found))


def target_names(targets: Iterable[str]) -> tuple[str, ...]:
    """The record's first named targets ("PTEN", "Cav1"), not a process ("apoptosis") or a phrase of its own."""
    named = [v.split(" (")[0].strip() for v in targets]
    return tuple(v for v in named if specific_terms(v) and len(v.split()) <= 2)[:TARGETS_SHOWN]



def catalogue(sources: Iterable[Source], category: str) -> tuple[list[Item], int]:
    """The items of the studies naming cargo of the class, sound ones first, those naming a target first among
    them, newest first within each; and how many studies of the class name none in particular."""
    items = [item(s, category) for s in sources if is_of_class(s, category)]
    # a study naming the RNA's target shows the mechanism; one without (a biomarker panel) follows
    named = sorted((i for i in items if i.names), key=lambda i: (i.source.retracted, not i.targets,
                                                                -(i.source.year or 0), i.names[0].lower()))
    return named, len(items) - len(named)


def enough(items: list[Item]) -> bool:
    """More sound studies than an answer of findings has lines for."""
    return sum(not i.source.retracted for i in items) >= CATALOGUE_MIN
