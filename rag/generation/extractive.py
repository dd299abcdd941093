"""Extractive answers: corpus sentences only, cited, composed to read as an answer. The sentence most likely to
hold the asked-for fact opens (rag/generation/lead.py), then the best of its study's other findings, then at most a
line or two from other studies, within a word budget. A broad "how do exosomes cause resistance" question gets the
review's framing and one line per route (rag/generation/routes.py). Deterministic, needs no LLM, and cannot say
anything the corpus does not."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np

from rag import inhibitor_listing, lay_terms
from rag.answer_types import (FIELD_WORDS, asked_kinds, asked_phrase, asks_for_list, asks_for_person,
                              asks_for_source, facet_names, gazetteer, head_noun, people_named, rare_words,
                              states_asked_amount, states_asked_count, states_asked_name, states_asked_size,
                              states_asked_time)
from rag.citations import SUPPORT_THRESHOLD, joined_claims, support
from rag.conversation import entity_types
from rag.documents import Source, surname, unnamed
from rag.evidence import (ANIMALS, PATIENTS, carries_culture_note, evidence_asked, evidence_kinds,
                          states_kind)
from rag.faithfulness import named_words
from rag.filters import Filters
from rag.generation.lead import (FEATURES, QuestionTerms, asks_for_findings, distinctive_coverage, features,
                                 frames_the_study, interprets, lead_scores, local_idf, sentence_stems)
from rag.generation.direction import states_the_opposite
from rag.generation.routes import (RNA_CLASSES, ROUTE_DESCRIPTIONS, ROUTES, TOPIC, asks_about_rnas, asks_how,
                                   asks_how_it_acts, asks_outcome, is_broad, names_route, rna_class_hits, route_hits,
                                   route_listed, route_of, route_study_hits, routes_named, states_outcome_asked)
from rag.generation.setting import setting_and_name, setting_studies, studies_of_named_cancer
from rag.generation.short_answer import (ShortAnswer, gathered_names, lists_rna_class, name_answer,
                                         names_of_asked_kind, particular, short_answer, yes_answer)
from rag.lexical import tokenize
from rag.normalize import normalize, specific_terms, stem
from rag.particulars import records
from rag.prompts import IN_VITRO_IN_TEXT
from rag.retrieval import MAX_NAMED, RELEVANCE_THRESHOLD, Hit, HybridSearch
from rag.vocabulary import is_technical
from rag.word_users import users

MAX_WORDS = 95  # default answer budget (RAG_ANSWER_MAX_WORDS), attributions and notes included; the opening
# sentence is always kept. Chosen on dev: at 90 the median answer has 83 words and fact coverage is 0.882, at 95 87
# words and 0.909.
MAX_PER_OTHER_SOURCE = 1  # the lead's study may give several sentences, the others one each
MAX_OTHER_SOURCES = 2
TOP_SOURCE_FLOOR = 0.55  # share of the best sentence's relevance a sentence needs to open the answer
SUPPORT_FLOOR = 0.5  # ... to follow it from the lead's study (dev fact coverage: 0.896 at 0.55, 0.909 at 0.5)
OTHER_SOURCE_FLOOR = 0.7  # ... and from another study (higher: it must earn its place)
REDUNDANT_COSINE = 0.85
MAX_LIST_STUDIES = 5  # a list question gathers one finding from each of at most this many studies
KIND_SEARCH_DEPTH = 15  # passages searched for the studies of a list question about a kind (_kind_hits)
MAX_CLASS_ADDED = 2  # studies of the RNA class a question is about, added when retrieval found none (_with_class)
MAX_DISTINCTIVE_USERS = 2  # sources using a technical word of the question, for it to point at them (_distinctive)
REVIEW_SENTENCES = 2  # a review opening a route's answer may give this many sentences, each study one
PEER_SHARE = 0.9  # a study whose relevance is this share of the lead study's is its peer (fitted on dev)
PEER_SENTENCE_SHARE = 0.9  # ... and, when ordering an answer, one whose best sentence is this share of the lead's
# A document's own reference markers ("as shown before [12].") are shown as "(ref. 12)" so that no reader and no
# citation check takes them for the answer's markers.
# English determiners and pronouns that open a sentence about something the previous sentence named (closed class)
_REFERS_BACK = re.compile(r"(?:The|This|These|Those|That|It|Its|They|Their|Such|Both|Each)\b")
# ... those that open a sentence about a thing the one before named ("It kept miR-330-3p from binding TRIM14", "These
# knocked down oncogenic KRAS"; "This open-access review covers ..." names itself, and "They" after a study's
# attribution reads as its authors) ...
_SELF_NAMING = r"(?!(?:\s+[\w-]+){0,2}\s+(?:review|study|article|paper|work|abstract|position statement)\b)"
_LEANS_ON_A_THING = re.compile(rf"(?:(?:This|These|Those|That)\b{_SELF_NAMING}|(?:It|Its|Such|Both|Each)\b)")
# ... or that speak of a result the sentence before reported ("Blocking exosome secretion reduced these effects"): a
# demonstrative before a noun for a result (closed class), or standing for the result before a verb of holding ("The
# abstract says this held both in vitro and in vivo"; not "that", which opens relative clauses)
_BACK_TO_A_RESULT = re.compile(r"\b(?:these|this|those|such) (?:effects?|changes?|gains?|findings?|results?|"
                               r"phenotypes?|properties)\b|\b(?:this|these) (?:held|holds|hold|applied|applies|"
                               r"was|were|is|are)\b", re.IGNORECASE)
# ... and those that cannot stand alone as a study's line in a list ("The" opens most findings, "Here" leans back)
_LEANS_BACK = re.compile(rf"(?:{_LEANS_ON_A_THING.pattern}|(?:They|Their|Here)\b)")
_DOC_MARKER = re.compile(r"\s?\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")


@dataclass(eq=False)  # compared by identity: two sentences are never the same candidate
class Candidate:
    hit_index: int
    position: int  # sentence order inside its passage
    text: str
    vector: np.ndarray
    score: float  # relevance to the question
    lead: float = 0.0  # log-odds that it holds the answer
    in_context: float = 0.0  # relevance read with the sentence before it ("The miRNA acted by suppressing FBXW7.")
    frames: bool = False  # states the study's aim or methods rather than a finding (lead.frames_the_study)

    @cached_property
    def terms(self) -> frozenset[str]:
        """What it names (faithfulness.named_words), read by the rules on what a question names, several times per
        sentence."""
        return frozenset(named_words(self.text))


@dataclass
class Piece:
    """One sentence of an answer and the hit it cites."""

    text: str
    hit_index: int


def document_text(sentence: str) -> str:
    return _DOC_MARKER.sub(lambda m: f" (ref. {m.group(1)})", sentence)


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, search: HybridSearch, max_words: int = MAX_WORDS) -> None:
        self.search = search
        self.max_words = max_words

    def candidates(self, question: str, hits: list[Hit]) -> list[Candidate]:
        """Every sentence of the retrieved passages, scored for relevance and for answering."""
        out, matrix = self.candidate_features(question, hits)
        for cand, lead in zip(out, lead_scores(matrix)):
            cand.lead = float(lead)
        return out

    def candidate_features(self, question: str, hits: list[Hit]) -> tuple[list[Candidate], np.ndarray]:
        """The sentences with their relevance, and the lead model's feature rows (evals/fit_lead.py fits on these)."""
        qv = self.search.query_vector(question)
        terms = QuestionTerms.of(question, gazetteer(self.search.index).slot_terms(question))
        out: list[Candidate] = []
        placed = []  # each sentence's cosine, position, passage size and passage rank, for its feature row
        for i, hit in enumerate(hits):
            vectors = self.search.index.sentence_vectors(self.search.index.row_of[hit.chunk.id])
            n = len(hit.chunk.sentences)
            for j, (sentence, vector) in enumerate(zip(hit.chunk.sentences, vectors)):
                cosine = float(vector @ qv)
                coverage = len(terms.tokens & set(tokenize(sentence))) / max(len(terms.tokens), 1)
                # the passage's own rank matters: a sentence of the best source answers more often
                score = 0.55 * cosine + 0.35 * coverage + 0.10 * hit.score / (1 + i)
                # a sentence that refers back ("The miRNA acted by ...", "This ...", "It ...") is about what the one
                # before names: it keeps half of that sentence's relevance when that is higher than its own. Only a
                # back-reference inherits, so an unrelated sentence (an instruction planted after a finding) does not.
                before = out[-1].in_context if j > 0 and _REFERS_BACK.match(sentence) else score
                out.append(Candidate(i, j, sentence, vector, score, in_context=max(score, (score + before) / 2),
                                     frames=frames_the_study(sentence)))
                placed.append((cosine, j, n, i))
        # how rare each question word is among all these sentences: the words that tell them apart weigh most
        stems = [sentence_stems(c.text) for c in out]
        idf = local_idf(terms, stems)
        rows = [features(terms, c.text, cosine, j, n, i, hits[i].score, distinctive_coverage(idf, st))
                for c, (cosine, j, n, i), st in zip(out, placed, stems)]
        return out, (np.stack(rows) if rows else np.zeros((0, len(FEATURES)), dtype=np.float32))

    def select(self, question: str, hits: list[Hit]) -> tuple[ShortAnswer | None, list[Candidate]]:
        """The short answer (when the question asks for a named thing), the lead, then supporting sentences by how
        likely they answer, within the floors and the word budget."""
        cands = self.candidates(question, hits)
        if not cands:
            return None, []
        best = max(c.score for c in cands)
        # "What were the main results of the Richards study?", "What did Binenbaum show?": every finding of the study
        # answers, however little it shares with the question's few words (its aim restated them, and the findings
        # measured against it fell under the floors: the answer was the aim alone, or one finding)
        all_findings = asks_for_findings(question) and self.search.names_a_source(question)
        asked = self._named(question)
        of_cancer = studies_of_named_cancer(question, self.search.index)
        lead = self._lead(question, cands, hits, asked, of_cancer, self._distinctive(question))
        own = [c for c in cands if c.hit_index == lead.hit_index]
        # a review's passing mention ("exosomes that carry ABC transporters ...") is not a finding to answer with;
        # a sentence relevant enough to follow the lead may give the names ("The miRNA acted by suppressing FBXW7"
        # scores low on its own)
        short = None if is_review(hits[lead.hit_index]) else \
            short_answer(question, own, floor_of(SUPPORT_FLOOR, best), hits[lead.hit_index].source)
        if short is None and not is_review(hits[lead.hit_index]):
            peer = self._peer_answering(question, cands, hits, lead, asked, best, of_cancer)
            lead, own, short = peer or (lead, own, short)
        # "What did they call the vesicles?": "Exosomes.", then the authors' naming, which frames the study
        short = short or name_answer(question, lead) or self._yes(question, lead, asked, hits)
        chosen = [lead]
        if short is not None and short.source is not lead:
            # the sentence the short answer quotes is always shown: it opens when it states a finding, and follows
            # the lead when it describes the study's methods (never methods first)
            source = cast(Candidate, short.source)  # one of `own`: short_answer returns the sentence it was given
            chosen = [lead, source] if source.frames else [source]
            lead = chosen[0]
        else:
            chosen += _framed_answer(lead, own)
        antecedent = _antecedent(lead, own, hits)
        if antecedent is not None and antecedent not in chosen:
            chosen.append(antecedent)
        words = sum(len(c.text.split()) for c in chosen) + _study_words(hits[lead.hit_index])
        words += len(short.text.split()) if short else 0
        per_source = {lead.hit_index: len(chosen)}
        named = _named_by(lead, cands, gazetteer(self.search.index).names_in(question))
        if short is not None:
            # the asked-for thing itself ("miR21."): another study joins on it, not with a different microRNA
            named |= specific_terms(short.text)
        for cand in self._order(cands, lead, named):
            if cand is lead or cand in chosen or \
                    not self._admissible(cand, chosen, per_source, best, hits, named, all_findings):
                continue
            cost = len(cand.text.split()) + (0 if cand.hit_index in per_source else _study_words(hits[cand.hit_index]))
            if words + cost > self.max_words:
                continue
            chosen.append(cand)
            words += cost
            per_source[cand.hit_index] = per_source.get(cand.hit_index, 0) + 1
        # each study's findings in their order, then its aim or methods as context
        # (the sentence a short answer quotes comes right after the lead, so the name is read in its sentence)
        rest = sorted(chosen[1:], key=lambda c: (short is None or c is not short.source,
                                                 c.hit_index != lead.hit_index, c.hit_index, c.frames, c.position))
        if antecedent is not None:  # the sentence the lead leans on comes first
            return short, [antecedent, lead, *(c for c in rest if c is not antecedent)]
        return short, [lead, *rest]

    def _peer_answering(self, question: str, cands: list[Candidate], hits: list[Hit], lead: Candidate,
                        asked: frozenset[str], best: float, of_cancer: frozenset[str] | None
                        ) -> tuple[Candidate, list[Candidate], ShortAnswer] | None:
        """When the lead study names no thing of the kind asked for, a peer study that does (about as relevant, of
        the cancer the question names, naming what it names but its drugs, sound if the lead is): its lead, its
        sentences and its short answer. "Which fibroblast microRNA makes colorectal cancer cells resistant to 5-FU
        and oxaliplatin?" opened with Hu's 2015 study, which names no microRNA, ahead of miR-92a-3p's."""
        needed = particular(asked) - entity_types(self.search.index).drug
        peer_floor = PEER_SHARE * hits[lead.hit_index].score
        classes = _rna_classes_named(question)  # "miRNAs": a study of a protein answers nothing about them
        for i, hit in enumerate(hits):
            own = [c for c in cands if c.hit_index == i]
            of_class = not classes or any(hit.source.category == k or
                                          lists_rna_class(hit.source, k.removeprefix("ncrna-")) for k in classes)
            if i == lead.hit_index or is_review(hit) or hit.score < peer_floor or not own or not of_class or \
                    (of_cancer is not None and hit.source.id not in of_cancer) or \
                    (hit.source.retracted and not hits[lead.hit_index].source.retracted) or \
                    not needed <= frozenset().union(*(c.terms for c in own)):
                continue
            short = short_answer(question, own, floor_of(SUPPORT_FLOOR, best), hit.source)
            if short is not None:
                return max(eligible_leads(own) or own, key=lambda c: c.lead), own, short
        return None

    def _distinctive(self, question: str) -> dict[str, frozenset[str]]:
        """The question's technical words (rarer in English than everyday words) that only one or two sources of
        the corpus use, as BM25 reads them ("hypoxia" meets "hypoxic"), with those sources: what the question is
        about in particular, however common it is in English compared with a drug's name."""
        used = users(self.search.index, "bm25")
        words = [w for w in normalize(question).split()
                 if w.isalpha() and is_technical(w) and not w.startswith(FIELD_WORDS)]
        return {t: used[t] for w in words for t in tokenize(w) if 0 < len(used.get(t, ())) <= MAX_DISTINCTIVE_USERS}

    @staticmethod
    def _lead(question: str, cands: list[Candidate], hits: list[Hit], asked: frozenset[str] = frozenset(),
              of_cancer: frozenset[str] | None = None,
              distinctive: dict[str, frozenset[str]] | None = None) -> Candidate:
        """The sentence that opens: the lead model's choice among the eligible ones. When the question asks which
        review or study says something ("Which review goes cancer by cancer ...?", "Who first named ...?"), only
        sources of that type are eligible; and a review is identified by what it covers rather than by a finding,
        so for one review the sentence that best matches the description (the most relevant) opens rather than the
        one with the most new names. Otherwise a study of every specific thing the question names (and among
        `of_cancer`, the studies of the cancer it names) opens before one that is not, and a sound source before a
        retracted one (_covering_lead, _sound_lead); a how-question whose eligible openers are all aims opens with
        those studies' findings (_findings_of)."""
        wanted = asks_for_source(question)
        if wanted == "review" and not asks_for_list(question):
            # what a review covers is said in "aim" sentences ("The authors present ..."): those count here
            reviews = [c for c in eligible_leads(cands, findings_only=False) if is_review(hits[c.hit_index])]
            if asks_for_findings(question):  # "What does the review conclude?" asks for its findings, not its aim
                reviews = [c for c in reviews if not c.frames] or reviews
            if reviews:
                return max(reviews, key=lambda c: c.in_context)
        leads = eligible_leads(cands)
        if (asks_how(question) or asked_kinds(question) or asks_for_findings(question)) and \
                all(c.frames for c in leads):
            leads = _findings_of(leads, cands) or leads
        listing = asks_for_list(question)
        if wanted is None and listing:
            wanted = "study"  # "Which exosomal microRNAs ...?" is answered by the studies that name them
        typed = [c for c in leads if is_review(hits[c.hit_index]) == (wanted == "review")] if wanted else []
        lead = max(typed or leads, key=lambda c: c.lead)
        if wanted == "study" and not listing and typed and not asks_for_person(question):
            # "Which study showed that doxorubicin is expelled in vesicles?" names a study by what it showed: the
            # sentence that best matches the description opens (the lead model preferred Mao's "packed miRNAs")
            lead = max(typed, key=lambda c: c.in_context)
        if lead.frames and (wanted == "study" or _ASKS_IF_STUDIED.match(question)) and not listing:
            # "Is there a study on cisplatin resistance in head and neck cancer?": the study's aim restates the
            # question best, but its finding opens (never the aim first), and the aim may follow
            lead = max(_findings_of([lead], cands), key=lambda c: c.lead, default=lead)
        # "How big are exosomes?" is answered by a sentence that gives a length, "When ...?" by one that gives a year
        sized = [c for c in leads if states_asked_size(question, c.text) or states_asked_time(question, c.text)
                 or states_asked_amount(question, c.text)]
        if sized:
            lead = max(sized, key=lambda c: c.lead)
        # "How many patients ...?" by one that counts them, a method sentence as likely as a finding ("Microarrays
        # were used to compare ... 12 patients with a complete response and 12 without"), however little else of
        # the question it repeats; the opening study's count first ("They tested 4,580 compounds" answers how many
        # compounds were screened, from the second study)
        counted = [c for c in cands if states_asked_count(question, c.text)]
        if counted:
            lead = max(counted, key=lambda c: (c.hit_index == lead.hit_index, c.lead))
        # "What did they call the vesicles?" is answered by the authors naming them, which frames the study
        naming = [c for c in eligible_leads(cands, findings_only=False) if states_asked_name(question, c.text)]
        if naming and wanted is None:
            lead = max(naming, key=lambda c: c.lead)
        pointed = asked | rare_words(question)  # "M2 macrophages", "ferroptosis"

        distinctive = distinctive or {}

        def names_pointed(cand: Candidate) -> bool:  # ... or "hypoxia", which one study's "hypoxic" names
            return bool(pointed & cand.terms or distinctive.keys() & set(tokenize(cand.text)))

        if wanted is None and (pointed or distinctive) and is_review(hits[lead.hit_index]) and \
                not names_pointed(lead):
            # a review's sentence that names none of what the question names does not open before a study's that
            # does ("exosomes that carry ABC transporters ..." for "What do exosomes from M2 macrophages carry?")
            naming = [c for c in leads if names_pointed(c) and not is_review(hits[c.hit_index])]
            lead = max(naming, key=lambda c: c.lead) if naming else lead
        # "CAF", "cisplatin"; not a class word ("RNAs", "taxane", "small RNA")
        specific = particular(asked & specific_terms(question))
        if wanted is None and not listing and (specific or of_cancer is not None):
            lead = _covering_lead(lead, leads, cands, hits, specific, of_cancer)
            lead = _naming_all(lead, leads, particular(specific_terms(question) - TOPIC),
                               hits[lead.hit_index].source)
            lead = _stating_outcome(question, lead, leads, cands, specific, hits[lead.hit_index].source)
        # the distinctive words of the thing asked for ("Which cation channel ...?"), not of its context (a drug
        # class, "taxane", says which studies may answer, not which one)
        described = {t for w in asked_phrase(question) for t in tokenize(w)}
        describing = {t: ids for t, ids in distinctive.items() if t in described}
        if wanted is None and not listing and describing and \
                not any(hits[lead.hit_index].source.id in ids for ids in describing.values()):
            # a source that never uses them is not what the question asks about, whatever else it shares with it
            # ("Which cation channel ... resist adriamycin?" opened with GSTP1's adriamycin study)
            naming = [c for c in leads
                      if describing.keys() & set(tokenize(c.text)) and not is_review(hits[c.hit_index])]
            lead = max(naming, key=lambda c: c.lead) if naming else lead
        names_particular = bool(particular(asked)) or of_cancer is not None
        if wanted is None and not listing and not names_particular and not asked_kinds(question):
            lead = _class_lead(question, lead, leads, hits)
        if asks_how_it_acts(question) and asks_outcome(question) and wanted is None and not listing:
            lead = _mechanism_lead(question, lead, leads, hits)
        if wanted is None and not listing and not states_asked_name(question, lead.text):
            lead = _standing_alone(lead, leads)
        if wanted is None and not listing and _evidence_kind(question) == ANIMALS and \
                not states_kind(lead.text, ANIMALS):
            # "What happens to MDSCs when mice get amiloride?": the lead study's eligible sentence on its mice (not
            # for patients: a question mentioning them is usually about a clinical study already, and the lead
            # moved to sentences on how its samples were measured)
            stating = [c for c in leads if c.hit_index == lead.hit_index and states_kind(c.text, ANIMALS)]
            lead = max(stating, key=lambda c: c.lead) if stating else lead
        if hits[lead.hit_index].source.retracted:
            # every named thing counts here, a drug's plain name too: "... resistance to gefitinib?" is not
            # opened by a review that never names it, in place of the one (retracted) study that does
            lead = _sound_lead(question, lead, leads, cands, hits, particular(asked))
        if asks_for_person(question):
            lead = _naming_the_people(cands, hits, lead)
        if listing:
            # a list that one study answers opens as that study's line in a list answer would: with its finding that
            # names the asked-for things ("Tipifarnib, neticonazole ... were confirmed as inhibitors"), not with the
            # sentence that shares the question's words ("They tested 4,580 compounds ..."), when it is as relevant
            own = [c for c in cands if c.hit_index == lead.hit_index]
            line, named = _list_line(question, own, hits[lead.hit_index].source, particular(asked))
            if named and (lead.frames or not line.frames) and line.in_context >= lead.in_context:
                return line
        return lead

    @staticmethod
    def _order(cands: list[Candidate], lead: Candidate, named: frozenset[str]) -> list[Candidate]:
        """Most likely to answer first; but a study about as relevant as the lead's (a question two studies answer)
        gets its best sentence in before the lead study's further ones, so the budget does not crowd it out."""
        # findings first; the study's aim or methods only as context after them, when the budget leaves room
        by_lead = sorted(cands, key=lambda c: (c.frames, -c.lead))
        # a peer by its sentences, not its passage's relevance (that saturates near 1 for every on-topic study)
        best_of: dict[int, float] = {}
        for cand in cands:
            best_of[cand.hit_index] = max(best_of.get(cand.hit_index, 0.0), cand.score)
        main = best_of[lead.hit_index]
        # and a peer on what the question names (`named`, _named_by): of "Does exosomal miR-21 cause cisplatin
        # resistance?", a study of another microRNA and cisplatin is not the peer of a lead study naming both
        peers: dict[int, Candidate] = {}
        for cand in by_lead:
            if cand.hit_index != lead.hit_index and best_of[cand.hit_index] >= PEER_SENTENCE_SHARE * main \
                    and named <= cand.terms:
                peers.setdefault(cand.hit_index, cand)
        return list(peers.values()) + by_lead

    @staticmethod
    def _admissible(cand: Candidate, chosen: list[Candidate], per_source: dict[int, int], best: float,
                    hits: list[Hit], named: frozenset[str], all_findings: bool = False) -> bool:
        main = chosen[0].hit_index
        if all_findings and cand.hit_index == main and not cand.frames:
            best = -math.inf  # a finding of the study asked about: no floor (the redundancy check below still applies)
        if cand.hit_index != main:
            if cand.frames:
                return False  # another study earns its line with a finding, not with what it set out to do
            if not named <= cand.terms:
                return False  # asked about miR-21 and cisplatin, a line on miR-100-5p and cisplatin is padding
            if per_source.get(cand.hit_index, 0) >= MAX_PER_OTHER_SOURCE:
                return False
            others = sum(1 for i in per_source if i != main)
            if cand.hit_index not in per_source and others >= MAX_OTHER_SOURCES:
                return False
            if is_review(hits[cand.hit_index]) and not is_review(hits[main]):
                return False  # a general review next to a study's finding is padding
        floor = SUPPORT_FLOOR if cand.hit_index == main else OTHER_SOURCE_FLOOR
        if cand.in_context < floor_of(floor, best):
            return False  # much weaker than the best sentence: it would dilute the answer
        return not any(float(cand.vector @ c.vector) > REDUNDANT_COSINE for c in chosen)

    def evidence(self, question: str, hits: list[Hit]) -> list[Hit]:
        """The passages to answer from: the retrieved ones; for a question about one route, that route's best
        studies; for a broad question, the review and one study per route. Studies with the kind of evidence the
        question asks for come first (_evidence_first)."""
        route = route_of(self.search, question)
        if route is not None:
            found = route_study_hits(self.search, question, route, hits) or hits
        elif (listed := route_listed(self.search, question)) is not None:
            found = route_study_hits(self.search, question, listed, hits, k=MAX_LIST_STUDIES) or hits
        elif asks_about_rnas(question):
            return rna_class_hits(self.search, question)
        elif self._broad(question):
            return route_hits(self.search, question)
        else:
            found = self._class_hits(question, hits) or self._setting_hits(question, hits) or \
                self._kind_hits(question, hits) or self._with_class(question, hits)
        if self.search.names_a_source(question):
            return found
        return _evidence_first(question, found, self._asked(question))

    def _kind_hits(self, question: str, hits: list[Hit]) -> list[Hit]:
        """For a list of things of a kind ("Which target genes do exosomal microRNAs suppress ...?"), the relevant
        studies of a deeper search first, up to MAX_LIST_STUDIES, then the retrieved reviews: the names asked for
        are in the studies, and reviews took three of the five places (Kanlikilicer's Cav1 and Zeng's XRCC4 ranked
        sixth and ninth). Only when a review ranks first and the question asks for no review: a study ranked
        first answers ("Which ABC transporters line the ... vesicles of ... breast cancer cells?": Goler-Baron's)."""
        if not (asks_for_list(question) and asked_kinds(question)) or not hits or not is_review(hits[0]) or \
                asks_for_source(question) == "review":
            return []
        deeper = self.search.search(question, k=KIND_SEARCH_DEPTH)
        studies = [h for h in deeper if not is_review(h) and h.score >= RELEVANCE_THRESHOLD][:MAX_LIST_STUDIES]
        if len(studies) < 2:
            return []
        return studies + [h for h in hits if is_review(h)]

    def _broad(self, question: str) -> bool:
        """A broad mechanism question (routes.is_broad) that names no cancer in everyday words either: "How do brain
        tumours resist their standard chemo through exosomes?" asks about the glioma studies, not the review's map."""
        return is_broad(question) and studies_of_named_cancer(question, self.search.index) is None

    def _yes(self, question: str, lead: Candidate, asked: frozenset[str], hits: list[Hit]) -> ShortAnswer | None:
        """"Yes: CBD lowered exosome release." (short_answer.yes_answer), only when the citation check will keep
        that composed claim (a dropped one would leave a warning and no answer first), and never on a retracted
        study's word: its caveat follows the finding, and a bare yes would stand before it."""
        if hits[lead.hit_index].source.retracted:
            return None
        yes = yes_answer(question, lead, asked)
        if yes is None or support(yes.text, hits[lead.hit_index].chunk, self.search) < SUPPORT_THRESHOLD:
            return None
        return yes

    def _named(self, question: str) -> frozenset[str]:
        """The things the question names that some record lists (Gazetteer.names_in), or that the passages of one or
        two studies use, written as a symbol ("Which lncRNA is regulated by ZEB1?": no record lists ZEB1)."""
        index = self.search.index
        symbols = {t for t in specific_terms(question) if records(index).mentioned_by_few(t)}
        return gazetteer(index).names_in(question) | symbols

    def _asked(self, question: str) -> frozenset[str]:
        """The particular things the question names (class words aside)."""
        return particular(self._named(question))

    def _particular(self, question: str) -> bool:
        """The question names a particular thing (HOTTIP, cisplatin) or a cancer: what it asks is about that, and
        the RNA class it names is the kind of thing asked for or a detail ("... was serum exosomal lncRNA linked to
        temozolomide response in glioma?" is answered by the glioma study of a circRNA)."""
        return bool(self._asked(question)) or \
            studies_of_named_cancer(question, self.search.index) is not None

    def _with_class(self, question: str, hits: list[Hit]) -> list[Hit]:
        """The hits, and, when the question is about one class of non-coding RNA of which they hold no study, that
        class's relevant studies closest to the question (_class_lead lets one open): "Is there evidence from
        patients that exosomal lncRNAs predict response ...?" retrieved two serum microRNA studies and three
        reviews, and the serum lncRNA studies (HOTTIP, SNHG14) ranked just below."""
        kinds = _rna_classes_named(question)
        if len(kinds) != 1 or asks_for_list(question) or asked_kinds(question) or \
                any(h.source.category in kinds for h in hits) or self._particular(question):
            return hits
        found = self.search.search(question, k=MAX_CLASS_ADDED, filters=Filters(category=next(iter(kinds))))
        return hits + [h for h in found if h.score >= RELEVANCE_THRESHOLD]

    def _class_hits(self, question: str, hits: list[Hit]) -> list[Hit]:
        """For a list of one RNA class of whose studies retrieval found fewer than two ("Which circRNAs in exosomes
        promote cisplatin resistance?" retrieves lncRNA and miRNA studies of cisplatin, "Which exosomal microRNAs
        cause drug resistance?" reviews), that class's studies closest to the question: the things asked for are
        of that kind, whatever else the question names; else none."""
        kind = _asked_route(question)
        if kind is None or not asks_for_list(question) or self._of_the_class(question, hits) > 1:
            return []
        return self.search.search(f"{question} {ROUTE_DESCRIPTIONS[kind]}", k=MAX_LIST_STUDIES,
                                  filters=Filters(category=kind))

    def _of_a_class_only(self, question: str, hits: list[Hit]) -> bool:
        """The hits are the asked RNA class's studies, none naming what else the question names (the class's
        studies _class_hits found): each is one of the things asked for, as far as the corpus goes."""
        kind = _asked_route(question)
        if kind is None or not asks_for_list(question) or len(hits) < 2 or \
                any(h.source.category != kind for h in hits):
            return False
        asked = self._asked(question)
        return bool(asked) and not any(asked <= frozenset(named_words(h.chunk.text)) for h in hits)

    @staticmethod
    def _of_the_class(question: str, hits: list[Hit]) -> int:
        """How many relevant studies of the asked RNA class the hits hold ("Which exosomal lncRNAs ...?"): filed
        under it, or listing such cargo (the CAF studies of miR-103a-3p and miR-130a are filed as stromal)."""
        kind = _asked_route(question)
        return len({h.source.id for h in hits if kind is not None and h.score >= RELEVANCE_THRESHOLD and
                    (h.source.category == kind or lists_rna_class(h.source, kind.removeprefix("ncrna-")))})

    def _setting_hits(self, question: str, hits: list[Hit]) -> list[Hit]:
        """For a how-question about a setting several sound studies share (rag/generation/setting.py), those
        studies' passages in rank order (a study retrieval missed is added when the setting has few); else none."""
        setting = setting_studies(question, self.search.index)
        if len(setting) < 2:
            return []
        if len(setting) <= MAX_NAMED:
            hits = self.search.with_named(question, hits, setting)
        own = [h for h in hits if h.source.id in setting]
        return own if len({h.source.id for h in own}) > 1 else []

    def compose(self, question: str, hits: list[Hit]) -> list[Piece]:
        """The answer as sentences, each naming its study the first time that study speaks."""
        route = route_of(self.search, question)
        if route is not None and all(h.source.category == route or is_review(h) for h in hits):
            return self._one_route_lines(question, hits, route)
        if route is None and route_listed(self.search, question) is not None:
            # the route's studies, one line each: each is one of the things asked for, and a general review's
            # sentence that the route's proteins exist ("vesicles carrying genetic material, proteins ...") is none
            studies = frozenset(h.source.id for h in hits if not is_review(h))
            return self._lines_of(question, hits, studies) if studies else self._list_lines(question, hits)
        if asks_about_rnas(question):
            return self._route_lines(question, hits, RNA_CLASSES)
        if self._broad(question):
            return self._route_lines(question, hits)
        if self._of_a_class_only(question, hits):
            return self._list_lines(question, hits, every=True)  # one RNA class's studies (_class_hits)
        if asks_for_list(question) and (sum(h.score >= PEER_SHARE * hits[0].score for h in hits) > 1 or
                                        self._of_the_class(question, hits) > 1):
            # more than one study answers about as well as the best, or names a thing of the RNA class asked for
            return self._list_lines(question, hits)
        named = self.search.named_sources(question) if self.search.names_a_source(question) else frozenset()
        if 1 < len(named & {h.source.id for h in hits}) and len(named) <= MAX_NAMED:
            # "What did Ding et al. (2020) and Zeng et al. (2018) find?": each named paper's finding on its line
            return self._lines_of(question, hits, named)
        setting, shared = setting_and_name(question, self.search.index)
        if len(hits) > 1 and all(h.source.id in setting for h in hits):
            # "How do exosomes make glioblastoma resistant to temozolomide?": each study of the setting (evidence)
            return self._list_lines(question, hits, every=True, about=shared)
        return self._sentences(question, hits)

    def _lines_of(self, question: str, hits: list[Hit], sources: frozenset[str]) -> list[Piece]:
        """Each of `sources`' finding on its line, each piece pointing into `hits` (its markers cite those)."""
        kept = [h for h in hits if h.source.id in sources]
        return [Piece(p.text, hits.index(kept[p.hit_index])) for p in self._list_lines(question, kept, every=True)]

    def _sentences(self, question: str, hits: list[Hit]) -> list[Piece]:
        """The short answer, the lead and its support (select), each study named the first time it speaks."""
        short, chosen = self.select(question, hits)
        pieces: list[Piece] = [Piece(short.text, short.source.hit_index)] if short else []
        introduced: set[int] = set()
        for c in chosen:
            lead = ""
            if c.hit_index not in introduced:  # name the study once, so the reader knows whose finding it is
                lead = f"{attribution(hits[c.hit_index])}: "
                introduced.add(c.hit_index)
            pieces.append(Piece(f"{lead}{document_text(c.text)}", c.hit_index))
        return pieces

    def _list_lines(self, question: str, hits: list[Hit], every: bool = False, about: str | None = None
                    ) -> list[Piece]:
        """A list question ("Which exosomal microRNAs ...?") gathered across studies: each relevant study's best
        finding on one line, in rank order, within the word budget (the first line always). With `every` (the
        papers a question names), each study gets its line however it scores; with `about` (the one thing several
        studies list: setting.setting_and_name), a line that names it ("Exosomal miR-21 ... lowered PTEN", not "M2
        macrophages increased the cisplatin resistance ...")."""
        cands = self.candidates(question, hits)
        pieces: list[Piece] = []
        lines: list[tuple[str, Source]] = []  # each piece's sentence and study
        words = 0
        studies = hits[:MAX_LIST_STUDIES]
        peer_floor = PEER_SHARE * hits[0].score
        # the things a list question asks for are named by the studies; a review lists them only when asked for
        studies_only = asks_for_source(question) != "review" and \
            not all(is_review(h) for h in studies if h.score >= peer_floor)
        asked = self._asked(question)
        kind = _asked_route(question)
        of_cancer = studies_of_named_cancer(question, self.search.index)
        # a retracted study's line is written last, with what budget the sound studies leave ("Which exosomal
        # microRNAs lower PTEN ...?": the retracted miR-32-5p paper ranks first)
        for i, hit in sorted(enumerate(studies), key=lambda pair: (pair[1].source.retracted,
                                                                  not _speaks_of(question, cands, pair[0], about))):
            own = [c for c in cands if c.hit_index == i]
            if about and pieces and not _speaks_of(question, cands, i, about, outcome=False):
                continue  # a study whose record lists the thing but whose text never names it has no line on it
            if about:  # its finding on the shared thing, the one that says the asked outcome first
                naming = [c for c in own if about in c.terms and not c.frames]
                own = [c for c in naming if states_outcome_asked(question, c.text)] or naming or own
            if not own or (is_review(hit) and studies_only):
                continue  # a general review among studies' findings is padding, as in any answer
            if kind is not None and not is_review(hit) and hit.source.category not in (kind, None) and \
                    not lists_rna_class(hit.source, kind.removeprefix("ncrna-")):
                # "Which exosomal lncRNAs ...?" is not answered by a microRNA study; "Which microRNAs in CAF
                # exosomes ...?" is by a CAF study (filed as stromal) whose exosomes carry miR-130a
                continue
            # "Which microRNAs ... target PTEN?": a study whose passage never names PTEN is no answer (but papers
            # named one by one each answer: "the HOTTIP and H19 studies" names HOTTIP in one of them only)
            if not every and not asked <= frozenset().union(*(c.terms for c in own)):
                continue
            if states_the_opposite(question, " ".join(c.text for c in own)):
                continue  # "Which compounds reduce exosome release?" does not list a drug found to raise it
            best, named = _list_line(question, own, hit.source, asked)
            # one of the answers: about as relevant as the best, or relevant and naming a thing of the asked kind
            # (a generic "Which exosomal circRNAs ...?" scores each circRNA study lower than the review it skips)
            if hit.score < peer_floor and not (named and hit.score >= RELEVANCE_THRESHOLD) and not every:
                continue
            room = self.max_words - words - _study_words(hit)
            if pieces and len(best.text.split()) > room:
                # a shorter line of the same kind from this study, rather than no line for it
                # (one of its eligible findings naming a thing of the asked kind: not filler to use up the budget)
                shorter = [c for c in eligible_leads(own) if len(c.text.split()) <= room]
                if not shorter:
                    continue
                best, short_named = _list_line(question, shorter, hit.source, asked)
                if not (short_named or every):  # each of the papers or studies of a setting is an answer itself
                    continue
            cost = len(best.text.split()) + _study_words(hit)
            pieces.append(Piece(f"{attribution(hit)}: {document_text(best.text)}", i))
            # only a peer study (or any study of the RNA class asked for) of the cancer asked about gives the
            # opening list its names: "Which drugs did lymphoma cells pump out ...?" is not answered by a breast
            # cancer study's paclitaxel, nor "Which small GTPases ...?" by the ESCRT of a study it ranks lower
            of_the_cancer = of_cancer is None or hit.source.id in of_cancer
            gives = (hit.score >= peer_floor or kind is not None) and of_the_cancer \
                and asked <= best.terms  # its line names what the question names ("... lower PTEN")
            lines.append((best.text if gives else "", hit.source))
            words += cost
        if not pieces or (about and len(pieces) < 2):  # one study speaks of the shared thing: its answer, in full
            return self._sentences(question, hits)
        return _gathered(question, lines, pieces)

    def _route_lines(self, question: str, hits: list[Hit],
                     routes: tuple[tuple[str, tuple[str, ...]], ...] = ROUTES) -> list[Piece]:
        """The review's framing sentence, then one line per route: "Drug efflux: Koch et al. (2016): ..." (or per
        RNA class: "Circular RNAs: Ding et al. (2020): ...")."""
        pieces = []
        everything = " ".join(label for label, _ in routes)
        label_of = {category: label for label, categories in routes for category in categories}
        for i, hit in enumerate(hits):
            framing = i == 0 and is_review(hit)  # the subject review for the routes; any review for RNA classes
            label = label_of.get(hit.source.category or "")
            # the framing sentence is the one naming the routes; a route's line the finding about that route
            cands = self.candidates(f"{question} {everything if framing else label or ''}", [hit])
            if not cands:
                continue
            if not framing:  # a route's line states a finding, not what the study set out to do, ...
                cands = [c for c in cands if not c.frames] or cands
                # ... and, when the question asks how resistance arises, a finding on resistance
                cands = [c for c in cands if states_outcome_asked(question, c.text)] or cands
            best = max(cands, key=lambda c: c.score + (0.0 if framing else 0.1 * c.lead))
            prefix = f"{label}: " if label and not framing else ""
            pieces.append(Piece(f"{prefix}{attribution(hit)}: {document_text(best.text)}", i))
        return pieces

    def _one_route_lines(self, question: str, hits: list[Hit], route: str) -> list[Piece]:
        """A review's sentences on the route (when one was retrieved: what the route is and why it matters), then
        the route's studies, each with its finding that best answers the question read with the route's
        description, in rank order within the word budget (the first always)."""
        pieces: list[Piece] = []
        words = 0
        for i, hit in enumerate(hits):
            review = is_review(hit)
            cands = self.candidates(f"{question} {ROUTE_DESCRIPTIONS[route]}", [hit])
            if review:  # the review's sentences on the route ("lncRNAs act as sponges ...")
                cands = [c for c in cands if names_route(c.text, route)]
            findings = _of_asked_evidence(question, [c for c in cands if not c.frames] or cands)
            ranked = sorted(findings, key=lambda c: c.lead if review else c.score + 0.1 * c.lead, reverse=True)
            chosen = sorted(ranked[:REVIEW_SENTENCES if review else 1], key=lambda c: c.position)
            cost = sum(len(c.text.split()) for c in chosen) + _study_words(hit)
            if not chosen or (pieces and words + cost > self.max_words):
                continue
            pieces.append(Piece(f"{attribution(hit)}: {document_text(chosen[0].text)}", i))
            pieces += [Piece(document_text(c.text), i) for c in chosen[1:]]
            words += cost
        return pieces

    def generate(self, question: str, hits: list[Hit]) -> str:
        return joined_claims([f"{p.text} [{p.hit_index + 1}]" for p in self.compose(question, hits)])


def _speaks_of(question: str, cands: list[Candidate], hit_index: int, about: str | None,
               outcome: bool = True) -> bool:
    """One of the study's findings names `about` (and, with `outcome`, speaks of the outcome the question asks
    about): "How does exosomal miR-21 cause resistance?" is answered first by the studies whose miR-21 made cells
    resistant, then by one where it went with circulating tumour cells."""
    return about is not None and any(
        c.hit_index == hit_index and about in c.terms and not c.frames and
        (not outcome or states_outcome_asked(question, c.text)) for c in cands)


def _gathered(question: str, lines: list[tuple[str, Source]], pieces: list[Piece]) -> list[Piece]:
    """A list answer's lines, opened by the names they give gathered into one line, each cited to its study's line:
    "miR-100-5p [1], miR-500a-3p [2] and HOTTIP. [3]"; then those studies' lines in that order (the list, then its
    evidence), then the other lines. No opening line when fewer than two studies name a thing of the asked kind."""
    names = gathered_names(question, lines)
    groups: list[tuple[list[str], int]] = []  # consecutive names of one line share its marker
    for name, position in names:
        if groups and groups[-1][1] == position:
            groups[-1][0].append(name)
        else:
            groups.append(([name], position))
    lead = []
    for n, (group, position) in enumerate(groups):
        text = ", ".join(group)
        text = text if n == 0 else (f"and {text}." if n == len(groups) - 1 else f", {text}")
        lead.append(Piece(text, pieces[position].hit_index))
    first = list(dict.fromkeys(position for _, position in names))
    # the other lines keep their order: _list_lines already wrote retracted studies' lines last
    return lead + [pieces[i] for i in first] + [p for i, p in enumerate(pieces) if i not in first]


def _stating_outcome(question: str, lead: Candidate, leads: list[Candidate], cands: list[Candidate],
                     specific: frozenset[str], source: Source) -> Candidate:
    """A question on what a named thing does to resistance ("What is the role of Rab27a in drug resistance?") opens
    with a sentence that names it and speaks of resistance or sensitivity, when the lead's study tested no drug (so
    none of its sentences can) and another study's sentence does: Ostrowski's Rab27a knockdown sentences say nothing
    of drugs; Binenbaum's Rab27a/b-deficient mice responded better to gemcitabine. A study with a drug was chosen
    for the question as a whole (Federici's low-pH finding for melanoma cells resisting cisplatin). The eligible
    openers first, then any other finding: "Does blocking Rab27a reduce resistance?" shares all its words but one
    with Ostrowski's secretion screen, which puts Binenbaum's sentences under the floor for opening."""
    if not specific or facet_names(source, "drugs") or not asks_outcome(question) or \
            states_outcome_asked(question, lead.text):
        return lead
    findings = [c for c in cands if not c.frames and not interprets(c.text)]
    for pool in (leads, findings):
        stating = [c for c in pool if specific <= c.terms and states_outcome_asked(question, c.text)]
        if stating:
            return max(stating, key=lambda c: c.lead)
    return lead


def _mechanism_lead(question: str, lead: Candidate, leads: list[Candidate], hits: list[Hit]) -> Candidate:
    """How resistance comes about is answered by what carries it: the lead study's eligible sentence that names a
    cargo or target its record lists, and the outcome asked, opens before one that names none ("How do exosomes make
    breast cancer resistant to tamoxifen?" opened with Wei's exosome sizes, not the miR-221/222 transfer that lowered
    p27 and ERalpha and made the cells tamoxifen resistant)."""
    own = [c for c in leads if c.hit_index == lead.hit_index]
    return _carrying(question, lead, own, hits[lead.hit_index].source)


def _evidence_first(question: str, hits: list[Hit], asked: frozenset[str] = frozenset()) -> list[Hit]:
    """For a question asking for evidence in animals or in patients ("Does blocking vesicle release make chemo work
    better in mice?"), the studies whose records list that kind of evidence first, each group in rank order: two
    cell-culture compound screens opened that answer, and Chalmin's three mouse models came third. Studies whose
    passage names every particular thing the question names (`asked`) come before those that do not: "... resistant
    to tamoxifen? Is that shown in patients?" is answered by the tamoxifen study, with its note that it is cell
    culture only, not by an adriamycin study that has patients. Asked about resistance, a study of one of the
    review's routes comes before an exosome-biology study with the same evidence: "Do exosomes from resistant cells
    make sensitive cells resistant in mice as well as in dishes?" opened with Kim's paclitaxel-delivery mice, not
    Qin's resistance transfer in mice."""
    kind = _evidence_kind(question)
    if kind is None:
        return hits
    about_resistance = asks_outcome(question)
    # stable: rank order within each group
    return sorted(hits, key=lambda h: (not asked <= frozenset(named_words(h.chunk.text)),
                                       kind not in evidence_kinds(h.source),
                                       about_resistance and h.source.category == "exosome-biology"))


def _of_asked_evidence(question: str, cands: list[Candidate]) -> list[Candidate]:
    """The sentences that speak of the kind of evidence the question asks for (animals, patients), when some do: a
    study's line for "... in mice?" is its mouse finding ("In humans, exosomes ... activated MDSCs" opened
    Chalmin's line)."""
    kind = _evidence_kind(question)
    if kind is None:
        return cands
    return [c for c in cands if states_kind(c.text, kind)] or cands


def _evidence_kind(question: str) -> str | None:
    """Animals or patients, when the question asks for that kind of evidence (cell culture is no evidence asked
    for in a subject question: the answer's notes say when a study has no more)."""
    kind, _ = evidence_asked(normalize(question).split(), strict=True)
    return kind if kind in (ANIMALS, PATIENTS) else None


def _class_lead(question: str, lead: Candidate, leads: list[Candidate], hits: list[Hit]) -> Candidate:
    """A question about one class of non-coding RNA ("... that exosomal lncRNAs predict response ...?") does not
    open with a study of another class (a serum microRNA panel) when a study of the class asked was retrieved and is
    eligible (Wang's serum HOTTIP); a review's or a protein study's lead stays."""
    kinds = _rna_classes_named(question)
    category = hits[lead.hit_index].source.category or ""
    if len(kinds) != 1 or not category.startswith("ncrna-") or category in kinds:
        return lead
    same = [c for c in leads if hits[c.hit_index].source.category in kinds]
    return max(same, key=lambda c: c.lead) if same else lead


def _rna_classes_named(question: str) -> set[str]:
    """The categories of the non-coding RNA classes the question names ("exosomal lncRNAs": ncrna-lncrna)."""
    return {k for k in routes_named(question) if k.startswith("ncrna-")}


def _carrying(question: str, best: Candidate, own: list[Candidate], source: Source) -> Candidate:
    """`best`, or, when it names none of the cargo and targets the study's record lists or does not speak of the
    outcome asked, the study's sentence in `own` that names one and the outcome (Richards' Snail in place of "CAFs
    were inherently resistant"; Zhu's miR-223 raising resistance in place of its patients' miR-223 and recurrence)."""
    carried = facet_names(source, "cargo") | facet_names(source, "targets")
    if not carried or (_names_any(best, carried) and states_outcome_asked(question, best.text)):
        return best
    naming = [c for c in own if _names_any(c, carried) and states_outcome_asked(question, c.text)
              and not _CARRIES_ON.search(re.split(r"[,;:]", c.text, maxsplit=1)[0])]
    return max(naming, key=lambda c: c.lead) if naming else best


# a sentence that carries on from the one before ("In parallel, ...", "... supported this antiviral/NOTCH3 axis")
# cannot open in its place: a closed class of connectives, and demonstratives in its first clause (after it, "and
# these exosomes raised Snail" points back within the sentence)
_CONNECTIVE = re.compile(r"(?:In parallel|In addition|Also|Moreover|Furthermore|Likewise|Similarly)\b")
_CARRIES_ON = re.compile(rf"^{_CONNECTIVE.pattern}|^{_LEANS_BACK.pattern}|\b(?:this|these|those)\b", re.IGNORECASE)


def _names_any(cand: Candidate, names: set[str]) -> bool:
    # every word, not only the specific terms: a protein the record writes as a proper name ("Snail") is an
    # ordinary word in a sentence
    return any(stem(w) in names for w in normalize(cand.text).split())


def _standing_alone(lead: Candidate, leads: list[Candidate]) -> Candidate:
    """A lead whose first clause points back inside its study ("Analyses of primary human and mouse breast cancers
    supported this antiviral/NOTCH3 axis, ...") gives way to the study's best eligible sentence that does not; one
    that opens by leaning back, or speaks of the results before it ("... reduced these effects"), keeps its place
    and is read after its antecedent (_antecedent)."""
    first_clause = re.split(r"[,;:]", lead.text, maxsplit=1)[0]
    if not _POINTS_BACK.search(first_clause) or _BACK_TO_A_RESULT.search(first_clause):
        return lead
    # about as relevant as the lead (the lead may be the one sentence holding what is asked: "... supported this
    # antiviral/NOTCH3 axis, and adding gamma secretase inhibitors to therapy abolished stroma-mediated resistance"
    # answers which drug class abolished it), and then the most relevant
    alone = [c for c in leads if c.hit_index == lead.hit_index and stands_alone(c.text)
             and c.in_context >= PEER_SENTENCE_SHARE * lead.in_context]
    return max(alone, key=lambda c: c.in_context) if alone else lead


def stands_alone(text: str) -> bool:
    """Neither opens by leaning on the sentence before or carrying on from it ("In parallel, ...") nor points back
    in its first clause."""
    return not _LEANS_BACK.match(text) and not _CONNECTIVE.match(text) and \
        not _POINTS_BACK.search(re.split(r"[,;:]", text, maxsplit=1)[0])


# a demonstrative inside a sentence's first clause, after its first word: not one naming the document ("this
# review"), nor "those" in a comparison ("differed from those of sensitive cells")
_POINTS_BACK = re.compile(rf"(?<=\S)\s(?:this|these|those){_SELF_NAMING}(?!\s+(?:of|from|in|that|which|who)\b)\b",
                          re.IGNORECASE)


def _antecedent(lead: Candidate, own: list[Candidate], hits: list[Hit]) -> Candidate | None:
    """The sentence before a study's lead that is about a thing that sentence named ("It kept miR-330-3p from binding
    TRIM14" follows "circ_0091741 was elevated in gastric cancer cells and their exosomes ..."): the lead cannot be
    read without it. A review's "It" is the review, named just before; and the study's aim or methods never open
    (the lead stays alone after "The authors loaded exosomes ... calling them iExosomes")."""
    # in its first clause: "CAFs made CRC cells more stem-like, ... and the title attributes these effects to ..."
    # speaks of its own results
    first_clause = re.split(r"[,;:]", lead.text, maxsplit=1)[0]
    if is_review(hits[lead.hit_index]) or not (_LEANS_ON_A_THING.match(lead.text) or
                                               _BACK_TO_A_RESULT.search(first_clause)):
        return None
    before = next((c for c in own if c.position == lead.position - 1), None)
    return None if before is None or before.frames else before


def _naming_the_people(cands: list[Candidate], hits: list[Hit], lead: Candidate) -> Candidate:
    """For "Who first described exosomes?": a relevant sentence that names researchers ("the discovery of exosomes
    by Pan et al. ... and their later definition by Johnstone et al."), from a review as well as a study, opens
    instead of a lead whose study is not by any of them (Xiao's finding names nobody); a lead from the named
    researchers' own study stays."""
    naming = [c for c in eligible_leads(cands, findings_only=False) if people_named(c.text)]
    named = set().union(*(people_named(c.text) for c in naming))
    authors = hits[lead.hit_index].source.authors
    if not naming or (authors and surname(authors[0]) in named):
        return lead
    return max(naming, key=lambda c: c.lead)


def _asked_route(question: str) -> str | None:
    """The kind of non-coding RNA the question's head noun is ("Which exosomal lncRNAs ...?": the lncRNA studies'
    category), or None. Only these: a study's category names the one RNA class it is about, whereas a protein or a
    stromal cell is the subject of studies of several categories."""
    head = head_noun(question) or ""
    named = routes_named(head)
    lay = lay_terms.read(question)
    if not named and head in lay.covered:  # said in everyday words: "long RNAs", "ring-shaped RNAs"
        named = routes_named(" ".join(lay.terms))
    kind = next(iter(named)) if len(named) == 1 else None
    return kind if kind is not None and kind.startswith("ncrna-") else None


def _study_words(hit: Hit) -> int:
    """Words a study adds besides its sentences, within the budget: its attribution ("Au Yeung et al. (2016):") and
    the note the answer layer adds after a cell-culture-only study's first finding."""
    note = len(IN_VITRO_IN_TEXT.split()) if carries_culture_note(hit.source) else 0
    return len(attribution(hit).split()) + note


def floor_of(share: float, best: float) -> float:
    """A share of the best sentence's score as a floor; none when the best is not positive (a question that
    matches no sentence's words, "What did Crow and colleagues find?", answered from the paper it names, scores
    every sentence below zero, and a share of a negative best would lie above the best itself)."""
    return share * best if best > 0 else -math.inf


def eligible_leads(cands: list[Candidate], findings_only: bool = True) -> list[Candidate]:
    """Sentences relevant enough to open an answer: the lead model ranks these only, so a sentence full of new
    terms but off the question (an instruction planted in a document, a list of methods) never opens."""
    best = max(c.score for c in cands)
    relevant = [c for c in cands if c.in_context >= floor_of(TOP_SOURCE_FLOOR, best)]
    # an answer opens with a finding, never with the study's aim or methods, unless there is nothing else; nor with
    # the authors' reading of it ("They suggest ... may explain ...": "The authors suggest" already frames the study)
    findings = [c for c in relevant if not c.frames and not interprets(c.text)] if findings_only else []
    return findings or relevant


_ASKS_IF_STUDIED = re.compile(r"\s*(?:is|are|was|were)\s+there\s+(?:a|an|any)\s+(?:\w+\s+)?"
                              r"(?:study|studies|paper|papers|evidence|research|work)\b", re.IGNORECASE)


def _findings_of(aims: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
    """When only studies' aims are near the best sentence of a how-question ("The authors tested whether ... cells
    spread resistance to neighbouring tumor cells"), those studies' own findings, ranked among themselves: the
    aim says the study answers, its finding says how."""
    studies = {c.hit_index for c in aims}
    own = [c for c in cands if c.hit_index in studies and not c.frames]
    own = [c for c in own if not interprets(c.text)] or own  # a result, not the authors' reading of it
    top = max((c.in_context for c in own), default=0.0)
    return [c for c in own if c.in_context >= floor_of(TOP_SOURCE_FLOOR, top)]


def _covering_lead(lead: Candidate, leads: list[Candidate], cands: list[Candidate], hits: list[Hit],
                   asked: frozenset[str], of_cancer: frozenset[str] | None) -> Candidate:
    """The lead from a study that covers more of the question: names everything it names (Gazetteer.names_in: "CAF",
    "cisplatin") and is among `of_cancer`, the studies of the cancer it names. A study replaces the lead model's
    choice only when it covers at least as much on both counts and more on one: "How do CAF exosomes help lung cancer
    cells survive cisplatin?" opened with a study of A549 cells' own exosomes (cisplatin and lung, no CAFs) while two
    studies of CAF exosomes in lung cancer were retrieved; but a gastric cisplatin study is not replaced by a head
    and neck CAF one."""
    coverage = {i: (asked <= named, of_cancer is None or hits[i].source.id in of_cancer)
                for i, named in _study_names(cands).items()}
    mine = coverage[lead.hit_index]
    better = [c for c in leads if coverage[c.hit_index] != mine
              and all(a >= b for a, b in zip(coverage[c.hit_index], mine))]
    return max(better, key=lambda c: (coverage[c.hit_index], c.lead)) if better else lead


def _naming_all(lead: Candidate, leads: list[Candidate], specific: frozenset[str], source: Source) -> Candidate:
    """Within the lead's study, a sentence naming every particular thing a question names when there are several
    and the lead does not: "What is the relation between ZEB1 and SBF2-AS1?" opened with SBF2-AS1's level in
    resistant cells, and "Does exosomal miR-100-5p target mTOR ...?" with the count of miRNAs that changed. The
    study's cancer and drugs are its setting, which its sentences need not repeat ("How does miR-155 make
    pancreatic cancer cells ... resist gemcitabine?" keeps its lead on how miR-155 acts)."""
    # an inhibitor the study used is what it tested, not its setting ("Does GW4869 reverse gemcitabine
    # resistance?" opened with the CAFs' resistance to gemcitabine, before the sentence blocking them with GW4869)
    own = [c.text for c in leads if c.hit_index == lead.hit_index]
    blocking = inhibitor_listing.inhibitors(source, " ".join(own), own)
    tested = {stem(t) for name in (blocking.names if blocking else ()) for t in normalize(name).split()}
    setting = (facet_names(source, "cancer_types") | facet_names(source, "drugs")) - tested
    specific = frozenset(n for n in specific if stem(n) not in setting)
    if not specific or specific <= lead.terms or (len(specific) < 2 and not specific & tested):
        return lead
    naming = [c for c in leads if c.hit_index == lead.hit_index and specific <= c.terms]
    return max(naming, key=lambda c: c.lead) if naming else lead


def _sound_lead(question: str, lead: Candidate, leads: list[Candidate], cands: list[Candidate], hits: list[Hit],
                specific: frozenset[str]) -> Candidate:
    """A retracted study's claim does not open an answer that a sound source's eligible sentence can open (one of a
    source naming every specific thing the question names): "Do cancer cells send their drug resistance to other
    cells?" opened with the retracted miR-32-5p paper. A question asking for a named thing ("Which lncRNA was
    reported to drive trastuzumab resistance?") keeps the lead model's choice, with its caution (rag/answering.py):
    the thing may be named by the retracted paper only, and a sound study's sentence naming another thing of that
    kind would answer a different question."""
    if asked_kinds(question):
        return lead  # what a which-question asks for may be named by the retracted paper only
    names = _study_names(cands)
    # an RNA class asked about is part of what is named: a sound HER2 study does not answer "Do long RNAs ... make
    # breast cancer ignore HER2-targeted drugs?" in place of the retracted lncRNA one
    classes = _rna_classes_named(question) | _rna_classes_named(" ".join(lay_terms.read(question).terms))
    sound = [c for c in leads if not hits[c.hit_index].source.retracted and specific <= names[c.hit_index]
             and (not classes or hits[c.hit_index].source.category in classes)]
    return max(sound, key=lambda c: c.lead) if sound else lead


def _study_names(cands: list[Candidate]) -> dict[int, set[str]]:
    """The things each retrieved study names anywhere in its passage (its sentences' terms), by hit index."""
    names: dict[int, set[str]] = {}
    for cand in cands:
        names.setdefault(cand.hit_index, set()).update(cand.terms)
    return names


def _named_by(lead: Candidate, cands: list[Candidate], asked: frozenset[str]) -> frozenset[str]:
    """The things the question names (Gazetteer.names_in) that the lead's study names too."""
    return asked & frozenset().union(*(c.terms for c in cands if c.hit_index == lead.hit_index))


def _framed_answer(lead: Candidate, own: list[Candidate]) -> list[Candidate]:
    """The lead study's sentence most likely to answer, when the lead model and relevance both put it first but it
    gives the authors' reading of their results ("The authors proposed ... and called these vesicles exosomes"): it
    cannot open (findings first), so it follows the lead instead of waiting behind every finding for the budget.
    A study's aim or methods never earns this place ("The study asked whether ..." is not evidence)."""
    best = max(eligible_leads(own, findings_only=False), key=lambda c: c.lead)
    if best is lead or not interprets(best.text) or best.in_context < lead.in_context:
        return []
    return [best]


def _list_line(question: str, own: list[Candidate], source: Source,
               asked: frozenset[str] = frozenset()) -> tuple[Candidate, bool]:
    """A study's line in a list answer, and whether it names a thing of the asked kind: its most answer-like
    relevant sentence that does (the list is of those names: "SBF2-AS1 was higher in ...", not "A reporter array
    pointed to ..."), a finding before the study's aim; without such a sentence, its most answer-like one."""
    # a line stands alone: a sentence that leans on the one before ("Here the exosomal miRNA sensitises ...",
    # "It also ...") cannot be a study's only line when it has another
    own = [c for c in own if stands_alone(c.text)] or [c for c in own if not _LEANS_BACK.match(c.text)] or own
    # its findings by their own floor: the study's aim restates the question, so it outscores every finding
    # ("The study asked whether exosomes enriched in the lncRNA SBF2-AS1 ...") and would leave none eligible
    findings = eligible_leads([c for c in own if not c.frames] or own)
    for pool in (findings, eligible_leads(own, findings_only=False)):
        naming = [c for c in pool if names_of_asked_kind(question, c.text, source)]
        # "Which exosomal lncRNAs are linked to chemoresistance?": the line that ties the name to the outcome
        # asked about ("SBF2-AS1 ... enhanced temozolomide resistance"), not one about its promoter
        naming = [c for c in naming if states_outcome_asked(question, c.text)] or naming
        # "Which exosomal microRNAs lower PTEN ...?": the line that names PTEN beside the microRNA ("Exosomal miR-21
        # ... lowered PTEN"), not the one that only finds miR-21 in M2 macrophages
        naming = [c for c in naming if asked <= c.terms] or naming
        if naming:
            return max(naming, key=lambda c: c.lead), True
    best = max(_of_asked_evidence(question, findings), key=lambda c: c.lead)
    if asks_how_it_acts(question) and asks_outcome(question):  # the study's line says what carries the effect
        best = _carrying(question, best, findings, source)
    return best, False


def is_review(hit: Hit) -> bool:
    return hit.source.is_review


def attribution(hit: Hit) -> str:
    """'Au Yeung et al. (2016)' / 'Zhang et al. (2022, review)'."""
    source = hit.source
    first = surname(source.authors[0]) if source.authors and source.authors[0] != "et al." else ""
    who = f"{first} et al." if first else unnamed(source)
    when = [str(source.year)] if source.year else []
    if is_review(hit):
        when.append("review")
    return f"{who} ({', '.join(when)})" if when else who
