"""What kind of thing a question asks for, and which words of the index are things of that kind.

"Which gene does exosomal miR-500a-3p suppress?" asks for a target; "Which ABC transporters ...?" for a target;
"Which approved drugs ...?" for a drug; "Which microRNA ...?" for cargo; "Which macrophage subtype ...?" for a cell.
The question's kind is read from the words right after its question word (its head noun, or a verb such as
"target" or "sponge"); the things of each kind come from the index's own facets (every study's targets, cargo,
drugs and exosome sources), so the answer-lead model (rag/generation/lead.py) can tell a sentence that names the
asked-for kind of thing from one that names a cell line or a method.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from rag.faithfulness import named_words
from rag.documents import Source
from rag.index import Index
from rag.lexical import STOPWORDS
from rag.normalize import GENERIC_ENTITIES, normalize, specific_terms, stem
from rag.vocabulary import is_rare

# head nouns of a "which/what <noun> ..." question (prefixes of normalised words) and the kind they ask for
NOUNS = {
    "target": ("gene", "target", "protein", "transporter", "pump", "abc", "enzyme", "receptor", "kinase", "pathway",
               "molecule", "channel", "factor", "hydrolase", "gtpase", "transferase"),
    "cargo": ("mir", "microrna", "mirna", "rna", "lncrna", "circrna", "cargo"),
    "drug": ("drug", "inhibitor", "compound", "agent", "medicine", "chemotherap"),
    "cell": ("cell", "subtype", "macrophage", "fibroblast", "stromal"),
}
# verbs of a "what does X <verb>" question: the object asked for is of this kind
VERBS = {
    "target": ("target", "suppress", "inhibit", "regulat", "bind", "downregulat", "silenc", "activat"),
    "cargo": ("sponge", "deliver", "transfer", "carr", "package", "shuttle"),
}
_ALL_NOUNS = tuple(n for nouns in NOUNS.values() for n in nouns)
AUXILIARY = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could"})
_COPULA = frozenset({"is", "are", "was", "were"})
_DETERMINERS = frozenset({"the", "a", "an"})
FACET_OF = {"target": "targets", "cargo": "cargo", "drug": "drugs", "cell": "exosome_source"}
# a drug name is rarer than this in general English (wordfreq Zipf): cisplatin 2.2, tamoxifen 2.4; chemotherapy 3.6
DRUG_NAME_ZIPF = 2.5
# the stems of the corpus's own subject words: exosomes, chemotherapy, resistance, vesicles, tumours, cancer, drugs
FIELD_WORDS = ("exosom", "chemo", "resist", "vesicle", "tumour", "tumor", "cancer", "drug")
_QUESTION_WORD = re.compile(r"\b(which|what)\b", re.IGNORECASE)
_WINDOW = 4  # content words after the question word that may name the kind
_WORD = re.compile(r"[A-Za-z][\w-]*")  # a word as written, hyphenated ones whole


def rare_words(question: str) -> frozenset[str]:
    """The question's plain words rarer in English than a drug's name, the field's own words aside: "ferroptosis",
    "indomethacin"; not "exosomes", "chemoresistance"."""
    return frozenset(w for w in normalize(question).split()
                     if w.isalpha() and is_rare(w, DRUG_NAME_ZIPF) and not w.startswith(FIELD_WORDS))


# the drug a question asks resistance or sensitivity to: "resistant to sorafenib", "sensitivity to X", and the word
# joined to the outcome ("sorafenib-resistant", "sorafenib resistance")
_OUTCOME = r"(?:resistan(?:t|ce)|sensitiv(?:e|ity)|respon(?:d|se|sive))"
_RESISTED = (re.compile(rf"\b{_OUTCOME}\s+(?:to|against)\s+([A-Za-z][\w-]*)", re.IGNORECASE),
             re.compile(rf"\b([A-Za-z]\w*)[\s-]{_OUTCOME}\b", re.IGNORECASE))


def resisted_words(question: str) -> list[str]:
    """The words in the slot of what a cell resists ("How do exosomes make liver cancer resistant to sorafenib?" ->
    ["sorafenib"]; "... cells resistant ..." also gives "cells"), as written: a drug the corpus never mentions is
    read from them (rag/answering.py)."""
    return [w for pattern in _RESISTED for w in pattern.findall(question)]


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds a which/what question asks for (empty for how/why/yes-no questions)."""
    match = _QUESTION_WORD.search(question)
    if match is None:
        return frozenset()
    rest = normalize(_noun_phrase(question[match.end():])).split()
    if rest[:1] and rest[0] in _COPULA and rest[1:2] and rest[1] in _DETERMINERS:
        # "What is the evidence that exosomes transfer P-gp?" asks for what its noun names, not for the object of a
        # later verb ("transfer": cargo, and "Paclitaxel." opened); "What is the target of ...?" still asks a kind
        head = _head(rest[1:])
        return frozenset(kind for kind, nouns in NOUNS.items() if head is not None and head.startswith(nouns))
    if rest and rest[0] in AUXILIARY:  # "what does X target": the verb says what is asked for
        # a gerund is part of the subject, not the verb: "What did silencing Rab27a do to ...?" asks for an effect
        return frozenset(kind for kind, verbs in VERBS.items()
                         if any(_verb_form(w, v) for w in rest[1:] for v in verbs))
    head = _head(rest)
    return frozenset(kind for kind, nouns in NOUNS.items() if head is not None and head.startswith(nouns))


# endings after a verb's stem that make it a noun or a gerund: "inhibitors", "regulation", "carriers", "binding"
_NOT_A_VERB = ("ing", "or", "ors", "ion", "ions", "ers", "ment", "ments")


def _verb_form(word: str, verb: str) -> bool:
    """`word` is the verb `verb` (a stem: "regulat", "carr") as it follows "does"/"did" ("regulate", "carry",
    "transfer"), not a noun or gerund made from it: "What did the screen find about secretion inhibitors?" asks for
    a finding, not for a target."""
    return word.startswith(verb) and not word[len(verb):].endswith(_NOT_A_VERB)


# "How big are exosomes?", "What size ...?": the answer is a length, and a sentence states one with its unit
_ASKS_SIZE = re.compile(r"\b(?:how (?:big|large|small|wide)|what (?:size|diameter)|(?:size|diameter) of)\b",
                        re.IGNORECASE)
_LENGTH = re.compile(r"\d+(?:\.\d+)?\s*(?:[-\u2013]\s*\d+(?:\.\d+)?\s*)?(?:nm|\u00b5m|nanomet|micromet)\b",
                     re.IGNORECASE)


def states_asked_size(question: str, sentence: str) -> bool:
    """The question asks how big something is, and the sentence gives a length ("40-150 nm vesicles")."""
    return bool(_ASKS_SIZE.search(question) and _LENGTH.search(sentence))


# "How many patients ...?": the answer is a count of the asked noun, and a sentence states one ("12 patients with a
# complete response", "five sources", "patients (n=24)")
_ASKS_COUNT = re.compile(r"\bhow many\s+(?P<first>[a-z-]+)(?:\s+(?P<second>[a-z-]+))?", re.IGNORECASE)
_NUMBER = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|dozens|"
           r"hundreds|thousands)")


def states_asked_count(question: str, sentence: str) -> bool:
    """The question asks how many of something there were, and the sentence gives a number of them: a number up to
    three words before the asked noun, or "(n=12)" right after it."""
    asked = _ASKS_COUNT.search(question)
    if asked is None:
        return False
    # the noun counted is the first word after "how many", or the second after a modifier ("how many Rab GTPases")
    nouns = {stem(w.lower()) for w in (asked.group("first"), asked.group("second") or "")
             if w and w.lower() not in STOPWORDS and w.lower() not in AUXILIARY}
    words = re.findall(r"[\w,.=-]+", sentence.lower())
    for i, word in enumerate(words):
        if stem(word.strip(",.")) not in nouns:
            continue
        # the number right before the noun, or before the noun's own modifiers ("five Rab GTPases"), never across a
        # function word ("43 miRNAs differed between patients" counts miRNAs)
        before = words[max(0, i - 3):i]
        while before and before[-1].strip(",.") not in STOPWORDS and not re.fullmatch(_NUMBER, before[-1].strip(",.")):
            before.pop()
        after = " ".join(words[i + 1:i + 3])
        if (before and re.fullmatch(_NUMBER, before[-1].strip(",."))) or re.match(r"\(?n\s*=\s*\d", after):
            return True
    return False


# "What dose of GW4869 was used?", "How much cannabidiol ...?": the answer is an amount, with its unit
# (not "how much more viable ...", a fold; not "how much of the drug ...", a share; not "what dose-response")
_ASKS_DOSE = re.compile(r"\b(?:what|which|at what)\s+(?:doses?|dosages?|concentrations?|amounts?)(?![\w-])|"
                        r"^\s*how much\s+(?!(?:more|less|higher|lower|longer|shorter|better|worse|faster|slower|"
                        r"greater|smaller|larger|bigger|of)\b)", re.IGNORECASE)
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:(?:-|\u2013|and|or|to)\s*\d+(?:\.\d+)?\s*)?"
                     r"(?:[\u00b5\u03bcu]M|[nmp]M|mg/kg|mg/m2|mg/ml|[\u00b5\u03bcu]g/ml|ng/ml|mg|[\u00b5\u03bcu]g|ng|"
                     r"Gy|IU)(?![\w])")


def asks_dose(question: str) -> bool:
    """The question asks for a dose, a concentration or an amount of something."""
    return bool(_ASKS_DOSE.search(question))


def states_amount(text: str) -> bool:
    """The text gives an amount with its unit ("1 and 5 \u03bcM", "10 mg/kg")."""
    return bool(_AMOUNT.search(text))


def states_asked_amount(question: str, sentence: str) -> bool:
    """The question asks for a dose or a concentration, and the sentence gives an amount with its unit."""
    return asks_dose(question) and states_amount(sentence)


# "When were exosomes first described?", "In what year ...?": the answer is a time, a year or a decade
_ASKS_TIME = re.compile(r"^\s*when\b|\b(?:what|which) (?:year|decade)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d(?:s|\u2019s|'s)?\b")


def states_asked_time(question: str, sentence: str) -> bool:
    """The question asks when something happened, and the sentence gives a year or a decade ("the 1980s"). Not
    when it asks about a document ("When was the Oncologie review received?"): another text's year is no answer
    to that."""
    if not (_ASKS_TIME.search(question) and _YEAR.search(sentence)):
        return False
    return not any(w in SOURCE_NOUNS for w in normalize(question).split())  # not about a document


# "What did Johnstone call the vesicles?", "What name was given to ...?": the answer is a name, and a sentence gives
# one with a verb of naming ("... and called these vesicles exosomes")
_ASKS_NAME = re.compile(r"^\s*(?:what|which)\b.*\b(?:call|called|name|named|term|termed|coin|coined|dub|dubbed)\b",
                        re.IGNORECASE)
_GIVES_NAME = re.compile(r"\b(?:called|calling|named|termed|coined|dubbed)\b", re.IGNORECASE)


# the name given: quoted, or the words after the verb and its object ("called these vesicles exosomes")
_NAME_GIVEN = re.compile(r"\b(?:called|calling|named|termed|dubbed)\s+"
                         r"(?:(?:this|these|them|it|the|such)\s+(?:[a-z]+\s+)?)?"
                         r"(?:['\u2018\"\u201c]([^'\u2019\"\u201d]{2,60})['\u2019\"\u201d]|([A-Za-z][\w-]*))")


def states_asked_name(question: str, sentence: str) -> bool:
    """The question asks what something was called, and the sentence names it ("called these vesicles exosomes")."""
    return bool(_ASKS_NAME.search(question) and _GIVES_NAME.search(sentence))


def name_given(sentence: str) -> str | None:
    """The name a sentence gives, as written: "exosomes" in "... and called these vesicles exosomes", "exosomal
    shuttle RNA" in "named this cargo 'exosomal shuttle RNA' (esRNA)"."""
    match = _NAME_GIVEN.search(sentence)
    name = None if match is None else (match.group(1) or match.group(2))
    return None if name is None or name.lower() in STOPWORDS else name


def asks_for_list(question: str) -> bool:
    """A which/what question whose head noun is plural ("Which exosomal microRNAs ...", "Which compounds ...",
    "Which findings ...") asks for a list gathered across studies."""
    match = _QUESTION_WORD.search(question)
    if match is None:
        return False
    # the words as written: normalising folds "microRNAs" to "mirna" and so loses the plural
    words = _written_words(_noun_phrase(question[match.end():]))
    # the head noun of a kind, else after "which" the phrase's first word ("Which findings about ..."); after
    # "what" that word may be a verb ("What happens ...")
    head = _head(words, normalised=False)
    if head is None and match.group(1).lower() == "which":
        head = next(iter(_phrase(words)), None)
    return head is not None and _plural(head.lower())


# "Which study ...?", "Which review ...?", "Who ...?": the answer is a source, of this type
SOURCE_NOUNS = {"study": "study", "studies": "study", "paper": "study", "papers": "study", "article": "study",
                "articles": "study", "trial": "study", "trials": "study", "group": "study", "authors": "study",
                "review": "review", "reviews": "review", "overview": "review"}


def asks_for_source(question: str) -> str | None:
    """'review' or 'study' when the question asks which source says something ("Which review goes cancer by
    cancer ...?", "Which study first showed ...?", "Who first used the name ...?"), else None."""
    if re.match(r"\s*who\b", question, re.IGNORECASE):
        return "study"  # who found or named something: the authors of a study
    match = _QUESTION_WORD.search(question)
    if match is None:
        return None
    first = next(iter(_phrase(_written_words(question[match.end():]))), "")
    return SOURCE_NOUNS.get(first.lower())


# a person named as one cites a paper: "Pan et al.", "Johnstone and colleagues"
_PERSON = re.compile(r"\b[A-Z][a-z\u00e0-\u00ff'-]+\s+(?:et\s+al\b|and\s+(?:colleagues|co-?workers)\b)")


def asks_for_person(question: str) -> bool:
    """"Who first described exosomes?": the answer is a person (the authors of a study)."""
    return bool(re.match(r"\s*(?:who|whose|by whom)\b", question, re.IGNORECASE))


def people_named(sentence: str) -> set[str]:
    """The researchers a sentence names the way one cites them ("the discovery of exosomes by Pan et al.": Pan)."""
    return {m.group(0).split()[0] for m in _PERSON.finditer(sentence)}


_VESICLE = "exosome"  # normalised token of exosome, exosomal, extracellular vesicle, EV, ...
_BORNE_BY = frozenset({"on", "in", "inside", "within", "carried", "packed", "packaged", "loaded", "enriched"})


def asks_for_vesicle_cargo(question: str) -> bool:
    """The asked-for thing is described as carried by vesicles: "Which exosomal protein ...?", "Which heat shock
    protein on tumour exosomes ...?". Its answer is a study's cargo, not a pathway the cargo acts through."""
    match = _QUESTION_WORD.search(question)
    if match is None:
        return False
    words = normalize(question[match.end():]).split()
    head = _head(words)
    if head is None:
        return False
    phrase = _phrase(words)
    at = words.index(head)
    if _VESICLE in phrase[:phrase.index(head)]:
        return True  # "exosomal protein"
    after = words[at + 1:at + 6]  # "protein on tumour exosomes", "transporter is carried in exosomes"
    if after and after[0] in AUXILIARY:
        after = after[1:]
    return bool(after) and after[0] in _BORNE_BY and _VESICLE in after[:4]


def _noun_phrase(text: str) -> str:
    """The text after the question word, up to and including its first plural kind noun, where an English noun
    phrase ends ("Which exosomal microRNAs | target PTEN?", "Which exosomal lncRNAs | drive drug resistance?"):
    otherwise a verb or object spelled like a kind noun ("target", "drug") would be read as the head."""
    words = list(_WORD.finditer(text))
    if words and words[0].group().lower() in AUXILIARY:
        return text  # "What do exosomes from hypoxic macrophages target ...?": the verb says what is asked for
    for word in words:
        written = word.group()
        if _plural(written.lower()) and normalize(written).strip().startswith(_ALL_NOUNS):
            return text[:word.end()]
    return text


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "is", "us"))


def _written_words(text: str) -> list[str]:
    """Words as written (not normalised), hyphenated ones whole."""
    return _WORD.findall(text)


def asked_phrase(question: str) -> list[str]:
    """The normalised words of the noun phrase that says what a which/what question asks for ("cation channel" in
    "Which cation channel is transferred ...?"), empty for other questions."""
    match = _QUESTION_WORD.search(question)
    return [] if match is None else _phrase(normalize(_noun_phrase(question[match.end():])).split())


def head_noun(question: str) -> str | None:
    """The normalised head noun of a which/what question ("gene" in "Which DNA repair gene ..."), if it has one."""
    match = _QUESTION_WORD.search(question)
    if match is None:
        return None
    return _head(normalize(_noun_phrase(question[match.end():])).split())


def _head(words: list[str], normalised: bool = True) -> str | None:
    """The head noun of the noun phrase after the question word: the last word naming a kind of thing before the
    first function word ("Which macrophage exosomal microRNA drives ..." -> "microRNA", "Which DNA repair gene is
    ..." -> "gene"). A name ("miR-1246", with a digit) is never the head."""
    heads = [w for w in _phrase(words) if not any(ch.isdigit() for ch in w)
             and (w if normalised else normalize(w).strip()).startswith(_ALL_NOUNS)]
    return heads[-1] if heads else None


def _phrase(words: list[str]) -> list[str]:
    """The first few words after the question word, up to the first function word: its noun phrase."""
    phrase = itertools.dropwhile(lambda w: w.lower() in STOPWORDS, words)
    return list(itertools.takewhile(lambda w: w.lower() not in STOPWORDS, phrase))[:_WINDOW]


@dataclass(frozen=True)
class Gazetteer:
    """Normalised tokens of the index's facet values, by kind."""

    tokens: dict[str, frozenset[str]]
    names: frozenset[str]  # every kind's tokens together, those of more than one kind included

    @classmethod
    def of(cls, sources: Iterable) -> Gazetteer:  # type: ignore[type-arg]
        kinds: dict[str, set[str]] = {kind: set() for kind in FACET_OF}
        for source in sources:
            for kind, facet in FACET_OF.items():
                kinds[kind].update(facet_names(source, facet))
        # a token that is more than one kind (e.g. "exosome" in cargo and source phrases) tells nothing of the kind
        common = {t for a in kinds for b in kinds if a < b for t in kinds[a] & kinds[b]}
        return cls({kind: frozenset(v - common) for kind, v in kinds.items()}, frozenset().union(*kinds.values()))

    def slot_terms(self, question: str) -> frozenset[str]:
        """Index tokens of the kinds the question asks for."""
        return frozenset().union(*(self.tokens[k] for k in asked_kinds(question)))

    def names_in(self, text: str) -> frozenset[str]:
        """The text's specific terms that name a thing some record lists (miR-21, cisplatin, CAFs), not the
        subject's general words (exosome, chemoresistance)."""
        return frozenset(t for t in named_words(text) if stem(t) in self.names)


def facet_names(source: Source, facet: str, proper: bool = True) -> set[str]:
    """Normalised tokens of the named things in one facet of a study's record: "FBXW7", not "autophagy". A drug is
    named in lower case ("tipifarnib"), so in the drugs facet a word rare in general English is a name too (not
    "chemotherapy (agents not named in abstract)"). Without `proper`, a protein written as a proper name
    ("Snail") is not one (the reading rag/grounding.py was fitted with)."""
    # a number is no name ("IL-6", "HGC-27" leave "6", "27"), but an identifier's long run of digits is: the
    # circRNA written "circ_0091741" normalises to "circ 0091741"
    return {stem(t) for value in source.facets.get(facet, []) for t in _named_terms(value, facet, proper)
            if t not in GENERIC_ENTITIES and len(t) > 2 and (not t.isdigit() or len(t) >= _ID_DIGITS)}


_ID_DIGITS = 5  # the pack's longest count is "about 1300 genes"; circBase ids run to 7 digits


def _named_terms(value: str, facet: str, proper: bool = True) -> set[str]:
    terms = specific_terms(value)
    if facet == "drugs":
        # plain words only: one with a digit is a specific term already, and would send the lookup to wordfreq
        terms |= {t for t in normalize(value).split()
                  if t.isalpha() and t not in STOPWORDS and is_rare(t, DRUG_NAME_ZIPF)}
    elif proper and facet in ("cargo", "targets") and _PROPER_NAME.fullmatch(value.strip()):
        # a record writes a protein it names as a proper name ("Snail", "Survivin"), a process in lower case
        # ("autophagy"): the capital is the only sign that "Snail" is not the English word
        terms.add(normalize(value).strip())
    return terms


# one word with a capital first letter and lower case after it: "Snail", not "RNAs" (a specific term already)
_PROPER_NAME = re.compile(r"[A-Z][a-z]+")


_CACHE: weakref.WeakKeyDictionary[Index, Gazetteer] = weakref.WeakKeyDictionary()


def gazetteer(index: Index) -> Gazetteer:
    """The gazetteer of one index generation (built once)."""
    found = _CACHE.get(index)
    if found is None:
        found = _CACHE[index] = Gazetteer.of(index.sources.values())
    return found
