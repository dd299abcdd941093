"""The short answer that opens a which/what answer: the asked-for thing itself ("XRCC4.", "P-gp.", "miR-21.").

A question that asks for a gene, a protein, an RNA or a drug (rag/answer_types.py) is answered first by the names
of that kind that one relevant sentence of the lead study holds, that the study's record lists (its targets, cargo
or drugs) and that the question does not name. The words are copied from that sentence as written, the sentence
itself follows in the answer, and the citation check confirms the short answer against the passage like any other
claim. No such name in a relevant sentence, or more than MAX_NAMES of them (a list, not an answer), means no short
answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.answer_types import (DRUG_NAME_ZIPF, asked_kinds, asks_for_list, asks_for_vesicle_cargo, facet_names,
                              head_noun, name_given, states_asked_name)
from rag.documents import Source
from rag.generation.direction import (agents, asked_direction, change_phrases, changed_against, changes,
                                      stem_of)
from rag.generation.routes import ROUTE_OF
from rag.lexical import STOPWORDS, tokenize
from rag.normalize import normalize, specific_terms, stem
from rag.ranking.signals import GENERIC_ENTITIES
from rag.vocabulary import is_rare

MAX_NAMES = 3
MAX_GATHERED = 6  # names a list answer's opening line gathers across its studies
# names of whole classes of molecule, which a record may list as cargo ("mRNAs (unspecified)") but which answer no
# "what do they carry?" ("mRNAs." said nothing Xiao's sentence did not)
CLASS_NAMES = frozenset({*GENERIC_ENTITIES, "mrna", "rna", "dna", "protein", "lipid"})


def particular(names: frozenset[str]) -> frozenset[str]:
    """The names that are not a class word, in the singular or the plural ("RNAs" is no more particular than
    "RNA": "Which ring-shaped RNAs ...?" names no thing in particular)."""
    return frozenset(n for n in names if n not in CLASS_NAMES and stem(n) not in CLASS_NAMES)

NEAR = 2  # words between a name and the question's head noun
# the record facets whose names answer each kind of question: a protein or RNA may be listed as a study's cargo or
# as its target ("P-gp" is both), a drug only as a drug. A cell type is answered by the sentence itself (a short
# "A2780" would name a cell line where "M2-type macrophages" was asked for).
NAMED_FACETS = {"target": ("targets", "cargo"), "cargo": ("cargo", "targets"), "drug": ("drugs",)}
# normalised name forms of the two RNA classes with a naming rule (miR-21 -> mir21; ciRS-122, CircNFIX), the head
# nouns that ask for each, and the head nouns that ask for a gene or protein
_RNA_NAME = {"mirna": ("mir",), "circrna": ("circ", "cirs")}
_RNA_HEAD = {"mirna": ("mir", "microrna", "mirna"), "circrna": ("circ",)}
_LNC_HEAD = ("lncrna", "lnc")
_PROTEIN_HEAD = ("gene", "protein", "transporter", "enzyme", "receptor", "kinase", "channel", "hydrolase",
                 "transferase", "factor", "pathway")  # no RNA name answers these (a pathway is no miRNA)
_PATHWAY_WORDS = ("pathway", "signal", "axis", "cascade")
# heads that only a protein answers: not a gene (H19 is one), a factor or a pathway
_ONLY_PROTEIN_HEAD = ("protein", "transporter", "enzyme", "receptor", "kinase", "channel", "hydrolase", "transferase")
# a record's cargo value that is a nucleic acid: "lncRNA H19", "MDR-1 mRNA", "mtDNA", "miR21 (miR-21) isomiRNAs"
NUCLEIC_ACID = re.compile(r"\b(?:\w*RNAs?|DNA)\b|\bmiR", re.IGNORECASE)
_QUALIFIER = re.compile(r"(?:-[a-z]{4,})+$")  # "-dependent", "-treated", "-positive" ("P-gp", "miR-21" keep theirs)
# a word as written, compound names whole: "P-gp", "miR-221/222", "M2-type", "SBF2-AS1"
_WORD = re.compile(r"[A-Za-z0-9\u0370-\u03ff][\w\u0370-\u03ff]*(?:[-/][\w\u0370-\u03ff]+)*")


class Sentence(Protocol):
    text: str
    hit_index: int
    lead: float
    in_context: float


@dataclass(frozen=True)
class ShortAnswer:
    text: str  # "P-gp." / "p27 and ERα."
    source: Sentence  # the sentence the names were copied from


def names_of_asked_kind(question: str, sentence: str, source: Source) -> list[str]:
    """The sentence's words (as written) that name a thing its study's record lists under the kind the question
    asks for, and that the question itself does not name, in order of appearance."""
    head = head_noun(question)
    pathways = _record_pathways(source) if head == "pathway" else set()
    # a pathway the record lists is a name of the asked kind whatever the facet's reading kept ("Bcl-2 signaling
    # pathway" reads as "bcl 2", no gene-like term: "Which pathway does PART1 act through?" got no short answer)
    wanted = _wanted(question, source) | {t for t in pathways if t.isalpha() and not t.startswith(_PATHWAY_WORDS)}
    if not wanted:
        return []
    asked = {stem(t) for t in normalize(question).split()}
    words = _WORD.findall(sentence)
    # a name the sentence changes the other way from the one the question asks is not what it asks for
    against = changed_against(question, sentence)
    # a drug asked for as the doer of a change ("Which drug blocks ABCA3?") is one the sentence has doing it, not a
    # drug it names as what was pumped out or treated with ("doxorubicin and pixantrone" in Koch's efflux sentence)
    direction = asked_direction(question) if "drug" in asked_kinds(question) else None
    doers = agents(sentence, direction) if direction is not None else None
    found: dict[int, set[str]] = {}  # word position -> its name tokens
    for i, word in enumerate(words):
        tokens = {stem(t) for t in normalize(word).split()}
        # a word repeating a name already found ("PTEN-PI3K/AKT" after "PTEN") adds nothing
        repeats = any(tokens & earlier for earlier in found.values())
        if tokens & wanted and not tokens & asked and not repeats and fits_head(tokens, head) \
                and not tokens <= CLASS_NAMES and not {stem_of(part) for part in word.split("/")} & against \
                and (head != "pathway" or _called_a_pathway(words, i) or tokens & pathways) \
                and (doers is None or stem_of(word) in doers) and not _denied(words, i):
            found[i] = tokens
    # several names: the one next to the question's head noun ("the repair gene XRCC4") is the asked one
    near = [i for i in found if head is not None
            and any(_is_head(w, head) for w in words[max(i - NEAR, 0):i + NEAR + 1])]
    names = [_name(words[i], sentence) for i in (near if len(found) > 1 and near else found)]
    return [n for n in names if n]


_DENIAL = frozenset({"not", "no", "without", "independent", "independently", "neither", "nor", "unlike"})
DENIAL_SPAN = 4  # words before a name within which a denial is read as about it


def _denied(words: list[str], i: int) -> bool:
    """The sentence denies the name at `i` a part ("did not depend on the ESCRT machinery", "an ESCRT-independent
    route"): no answer to "Which enzyme makes ceramide ...?"."""
    return words[i].lower().endswith("-independent") or \
        any(w.lower() in _DENIAL for w in words[max(i - DENIAL_SPAN, 0):i])


def _called_a_pathway(words: list[str], i: int) -> bool:
    """The sentence calls the name at `i` a pathway ("the PI3K/Akt pathway", "TLR2/MyD88 signalling", "the
    USP7/hnRNPA1 axis"): a gene the pathway acts on ("FBXW7", "XRCC4") answers no "Which pathway ...?"."""
    return any(w.lower().startswith(_PATHWAY_WORDS) for w in words[i + 1:i + NEAR + 1])


def _record_pathways(source: Source) -> set[str]:
    """Name tokens the study's record lists as a pathway ("PI3K/Akt pathway", "Wnt/β-catenin pathway")."""
    return {stem(t) for facet in ("targets", "cargo") for value in source.facets.get(facet, [])
            if any(w in value.lower() for w in _PATHWAY_WORDS) for t in normalize(value).split()} - CLASS_NAMES


def typed_names(question: str, sentence: str) -> list[str]:
    """Names the sentence gives the very kind of thing the question asks for, by apposition: "Which transcription
    factor controls SBF2-AS1?" is answered by "The transcription factor ZEB1 bound ..." whether or not the study's
    record lists ZEB1. The sentence must repeat the question's head noun with the word before it ("transcription
    factor", "RNA-binding protein") when the question has one, directly followed by a gene-like name."""
    head = head_noun(question)
    if head is None:
        return []
    asked = _WORD.findall(question)
    modifier = _modifier(asked, head)
    words = _WORD.findall(sentence)
    asked_names = {w.lower() for w in asked}
    names: list[str] = []
    for i, (word, name) in enumerate(zip(words, words[1:])):
        narrowed = modifier is None or (i > 0 and words[i - 1].lower() == modifier)
        if _is_head(word, head) and narrowed and _gene_like(name) and name.lower() not in asked_names \
                and name not in names:
            names.append(name)
    return names


def _modifier(asked: list[str], head: str) -> str | None:
    """The word before the question's head noun when it narrows the kind ("transcription" factor), not when it is
    the question word or a function word ("Which protein")."""
    for i, word in enumerate(asked):
        if _is_head(word, head):
            before = asked[i - 1].lower() if i else ""
            return before if before and before not in STOPWORDS else None  # STOPWORDS holds which/what
    return None


def _is_head(word: str, head: str) -> bool:
    return normalize(word).strip().startswith(head)


def _gene_like(word: str) -> bool:
    """A symbol such as ZEB1, Pum2, hnRNPA1 or PTEN: a digit, or two capitals, in a word that is not a number."""
    return (any(c.isdigit() for c in word) or sum(c.isupper() for c in word) >= 2) and not word.isdigit()


def _wanted(question: str, source: Source) -> set[str]:
    """Name tokens of the study's record under the facets that answer the question's kinds."""
    facets = {f for kind in asked_kinds(question) for f in NAMED_FACETS.get(kind, ())}
    if "cargo" in facets and asks_for_vesicle_cargo(question):
        facets = {"cargo"}  # "Which protein on tumour exosomes ...?": what the vesicles carry, not its targets
    wanted = set().union(*(facet_names(source, f) for f in facets))
    head = head_noun(question)
    return wanted - _not_proteins(source) if head is not None and head.startswith(_ONLY_PROTEIN_HEAD) else wanted


def _not_proteins(source: Source) -> set[str]:
    """Name tokens of the record that are no protein: its drugs and the RNA or DNA its cargo lists ("lncRNA H19"),
    unless a protein of its cargo shares the token ("MDR-1 mRNA" and "P-glycoprotein" both read as P-gp)."""
    cargo = source.facets.get("cargo", [])
    nucleic = {stem(t) for v in cargo if NUCLEIC_ACID.search(v) for t in specific_terms(v)}
    protein = {stem(t) for v in cargo if not NUCLEIC_ACID.search(v) for t in specific_terms(v)}
    return (nucleic - protein) | facet_names(source, "drugs")


def _name(word: str, sentence: str) -> str:
    """The name without a trailing English qualifier ("TLR2-dependent" -> "TLR2"); empty when the sentence's search
    terms do not hold it without the qualifier ("Hsp72/TLR2-dependent" is one term), as the citation check reads
    those terms and a name with "-dependent" attached is no answer."""
    qualifier = _QUALIFIER.search(word)
    # an English word, not a name's own part: "Wnt/beta-catenin" keeps "-catenin" (Zipf 2.2, rarer than a drug name)
    english = qualifier is not None and not any(is_rare(w, DRUG_NAME_ZIPF) for w in qualifier.group(0).split("-") if w)
    bare = _QUALIFIER.sub("", word) if english else word
    return bare if bare == word or set(tokenize(bare)) <= set(tokenize(sentence)) else ""


def lists_rna_class(source: Source, rna: str) -> bool:
    """A study of one of the review's routes whose record lists cargo of the RNA class ("mirna", "circrna",
    "lncrna"), by the name's form ("miR-130a") or its label ("lncRNA H19"), whichever route it is filed under. Not
    an exosome-biology study: Chevillet's miRNA counts are no resistance finding."""
    if source.category not in ROUTE_OF:
        return False
    prefixes = _RNA_NAME.get(rna, ())
    return any(rna in tokens or any(t.startswith(prefixes) for t in tokens)
               for tokens in (normalize(v).split() for v in source.facets.get("cargo", [])))


def fits_head(tokens: set[str], head: str | None) -> bool:
    """A name fits the question's head noun by its own form: a microRNA question is answered by a miR name, a
    circRNA question by a circ name, and a gene, protein or lncRNA question by no miR or circ name."""
    if head is None:
        return True
    rna = {kind for t in tokens for kind, prefixes in _RNA_NAME.items() if t.startswith(prefixes)}
    for kind, heads in _RNA_HEAD.items():
        if head.startswith(heads):
            return kind in rna
    # lncRNA names have no form of their own (HOTTIP, H19, SBF2-AS1), but a miR or circ name is none of them
    return not ((head.startswith(_PROTEIN_HEAD) or head.startswith(_LNC_HEAD)) and rna)


def short_answer(question: str, sentences: Sequence[Sentence], floor: float, source: Source) -> ShortAnswer | None:
    """From the most answer-like sentence of one study (highest lead score, relevance at least `floor`) that names
    things of the asked kind: those names as a short answer. None for a list question (answered study by study) or
    a question that asks for no kind of thing."""
    if not asked_kinds(question) & NAMED_FACETS.keys() or asks_for_list(question):
        return None
    relevant = sorted((s for s in sentences if s.in_context >= floor), key=lambda s: -s.lead)
    # a sentence that names the asked kind outright answers before one holding a listed name of any role
    finders = (lambda text: typed_names(question, text), lambda text: names_of_asked_kind(question, text, source))
    for find in finders:
        for sentence in relevant:
            names = find(sentence.text)
            if names:
                return ShortAnswer(_joined(names) + ".", sentence) if len(names) <= MAX_NAMES else None
    return None


def name_answer(question: str, sentence: Sentence) -> ShortAnswer | None:
    """For a question asking what something was called, the name the sentence gives ("Exosomes." from "... and
    called these vesicles exosomes"), unless the question says that very name ("What is the circBase name of
    ciRS-122?" is not answered by "named ciRS-122")."""
    name = name_given(sentence.text) if states_asked_name(question, sentence.text) else None
    if not name or f" {normalize(name).strip()} " in f" {normalize(question)} ":
        return None
    # "exosomes" opens with its capital, "iExosomes" and "exosomal shuttle RNA" keep theirs past the first word
    return ShortAnswer(f"{name[0].upper() + name[1:] if name.split()[0].islower() else name}.", sentence)


# a yes/no question opens with its auxiliary; a sentence that denies or hedges anything is never read as a yes
_YES_NO = re.compile(r"^\s*(?:does|do|did|can|could)\b", re.IGNORECASE)
_HEDGED = re.compile(r"\b(?:not|no|never|nor|without|failed|unclear|whether|may|might|unaffected|unlike|instead)\b"
                     r"|n't\b", re.IGNORECASE)
_JOINERS = frozenset({"and", "or", "but", "which", "that", "while", "whereas"})  # "represses Cav1 [and acts ...]"


def yes_answer(question: str, sentence: Sentence, names: frozenset[str]) -> ShortAnswer | None:
    """"Yes: CBD lowered exosome release." for a does/do/did/can question asking one change ("Does CBD reduce
    exosome release ...?") when the sentence has a thing the question names doing that very change, the same way,
    to a word the question changes, names every specific thing the question names (`names`, normalised) and denies
    or hedges nothing. The words are the sentence's own (the doer, the verb and what it changes), so the citation
    check confirms the claim like a quotation. Never "No.": a study that did not look is not one that found
    otherwise."""
    asked = changes(question)
    if not names or not _YES_NO.match(question) or len({d for d, _ in asked}) != 1 or _HEDGED.search(sentence.text):
        return None
    if not names <= set(normalize(sentence.text).split()):
        return None
    direction, changed = asked[0][0], frozenset().union(*(stems for _, stems in asked))
    for change in change_phrases(sentence.text):
        # the doer: the asked name nearest before the verb, not one the verb itself changes ("... its target Cav1
        # ... miR-1246 represses Cav1")
        changed_here = {normalize(w).strip() for w in change.phrase.split()[1:]}
        doers = [w for w in change.before if normalize(w).strip() in names - changed_here]
        if change.direction == direction and change.stems & changed and doers:
            phrase = list(itertools.takewhile(lambda w: w.lower() not in _JOINERS, change.phrase.split()))
            if any(stem_of(w) in changed for w in phrase[1:]):  # it still says what is changed
                return ShortAnswer(f"Yes: {doers[-1]} {' '.join(phrase)}.", sentence)
    return None



def gathered_names(question: str, lines: Sequence[tuple[str, Source]]) -> list[tuple[str, int]]:
    """The names of the asked kind that the studies' lines of a list answer give (up to MAX_NAMES each, a name
    once), each with its line's position: the list's answer in one opening line ("miR-100-5p [1], miR-500a-3p [2]
    and HOTTIP [3]"), each name cited to the sentence it was copied from. Empty unless two studies give names. A
    retracted study's names stay on its own line, beside its caveat: the opening list is what a reader takes away."""
    found: list[tuple[str, int]] = []
    seen: set[str] = set()
    for position, (sentence, source) in enumerate(lines):
        for name in names_of_asked_kind(question, sentence, source)[:MAX_NAMES] if not source.retracted else []:
            if name.lower() not in seen:
                seen.add(name.lower())
                found.append((name, position))
    return found[:MAX_GATHERED] if len({position for _, position in found}) > 1 else []


def _joined(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"; a lower-case word opening the answer gets its capital ("Doxorubicin."), a
    gene or RNA name keeps its form ("p27", "miR-21")."""
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text[0].upper() + text[1:] if names[0].isalpha() and names[0].islower() else text
