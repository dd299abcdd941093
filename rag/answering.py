"""Question -> retrieval -> refusal checks -> backend -> citation check -> Answer."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag import collection, prompts
from rag.advice import is_personal_advice
from rag.answer_types import (DRUG_NAME_ZIPF, asks_dose, facet_names, rare_words, resisted_words,
                              states_amount)
from rag.catalog import excluding_filters
from rag.conversation import EntityTypes, depends_on_previous, entity_types, point_at, points_back, standalone
from rag.citations import check, citation_for, renumber
from rag.documents import Answer, Source
from rag.evidence import carries_culture_note, evidence_asked, evidence_kinds
from rag.filters import Filters
from rag.index import Index
from rag.generation import Backend, BackendError, NoAnswer
from rag.generation.extractive import ExtractiveBackend
from rag.generation.routes import asks_outcome, asks_outcome_only, states_outcome_asked
from rag.generation.setting import other_cancer, other_drug, studies_of_site
from rag.generation.short_answer import particular
from rag.grounding import grounded
from rag.logs import fields
from rag.normalize import normalize, specific_terms
from rag.ranking.signals import THE_REVIEW
from rag.readings import first_value
from rag.retrieval import RELEVANCE_THRESHOLD, Hit, HybridSearch
from rag.topic import in_scope
from rag.vocabulary import is_rare, unseen

log = logging.getLogger("rag.answering")
SHORT_ANSWER_WORDS = 6  # a claim this short is a bare name ("p27 and ERα."), not a finding a caveat qualifies

@dataclass
class Turn:
    role: str  # "user" or "assistant"
    content: str


def standalone_question(question: str, history: list[Turn], types: EntityTypes) -> str:
    """A follow-up ('and in gastric cancer?', 'Which cargo?') in full, from the previous user question; a question
    that names its own subject is left as it is."""
    return standalone(question, _previous_question(history), types)


def _previous_question(history: list[Turn]) -> str:
    return next((t.content for t in reversed(history) if t.role == "user"), "")


def _previous_answer(history: list[Turn]) -> str:
    return next((t.content for t in reversed(history) if t.role == "assistant"), "")


def _see_also(hits: list[Hit]) -> list:
    return [citation_for(n, h) for n, h in enumerate(hits[:3], start=1)]


def _retraction_warnings(answer: Answer) -> None:
    """A retracted study is named in the warnings and in the answer text itself, right after the first sentence
    that cites it (a caveat read after the finding, not after everything else), so no reader can miss it; an answer
    from the records (the study's standing) says so itself."""
    for c in answer.citations:
        if c.retracted:
            note = c.retraction_note or "Retracted."
            answer.warnings.append(prompts.RETRACTED_WARNING.format(title=c.title, source_id=c.source_id, note=note))
            if answer.backend != "collection":
                answer.answer = _after_first(answer.answer, f"[{c.n}]",
                                             prompts.RETRACTED_IN_TEXT.format(n=c.n, note=note))


def _evidence_caveats(answer: Answer, index: Index, asked: tuple[str, str] | None = None) -> None:
    """A study whose record lists only cell-culture models (rag/evidence.py) gets a note right after the first
    sentence that cites it, so its finding is read as in vitro evidence; not when that sentence says so itself (a
    summary may end "... (cell-culture evidence only)"). With `asked` (a kind of evidence and the one study the
    question names: "Was the HOTTIP study done in animals?"), that study's note says instead whether its record
    lists that kind, with its models: the answer to the question, which its findings may not state."""
    for c in answer.citations:
        source = index.sources.get(c.source_id)
        if source is None:
            continue
        if asked is not None and asked[1] == c.source_id:
            kind, models = asked[0], source.facets.get("models", [])
            verdict = prompts.EVIDENCE_VERDICT[(kind, kind in evidence_kinds(source))]
            note = prompts.EVIDENCE_ASKED_IN_TEXT.format(n=c.n, verdict=verdict, models="; ".join(models))
            answer.answer = _after_first(answer.answer, f"[{c.n}]", note)
        elif carries_culture_note(source) and not _says_in_vitro(answer.answer, c.n):
            answer.answer = _after_first(answer.answer, f"[{c.n}]", prompts.IN_VITRO_IN_TEXT.format(n=c.n))


def _cancer_caveats(answer: Answer, index: Index, query: str) -> None:
    """A primary study of another cancer than the one the question names gets a note right after the first sentence
    that cites it ("Reference 1 is a study of breast cancer, not of prostate cancer."): its finding answers the
    question only by analogy (rag/generation/setting.other_cancer)."""
    asked, other = other_cancer(query, index, [c.source_id for c in answer.citations])
    for c in answer.citations:
        if c.source_id in other:
            studied = " and ".join(index.sources[c.source_id].facets.get("cancer_types", []))
            note = prompts.OTHER_CANCER_IN_TEXT.format(n=c.n, studied=studied, asked=asked)
            answer.answer = _after_first(answer.answer, f"[{c.n}]", note)


def _other_drug_caveats(answer: Answer, index: Index, query: str) -> None:
    """A primary study that tested other drugs than the one the question names gets a note right after the first
    sentence that cites it ("Reference 2 tested cisplatin, not gefitinib."), as a study of another cancer does."""
    asked, other = other_drug(query, index, [c.source_id for c in answer.citations])
    for c in answer.citations:
        if c.source_id in other:
            tested = " and ".join(first_value([d]) for d in index.sources[c.source_id].facets.get("drugs", [])[:3])
            answer.answer = _after_first(answer.answer, f"[{c.n}]",
                                         prompts.OTHER_DRUG_IN_TEXT.format(n=c.n, tested=tested, asked=asked))


def _drug_caveat(answer: Answer, search: HybridSearch, query: str) -> None:
    """A drug the question asks resistance to that no source mentions (a word in that slot the corpus does not know,
    rarer in English than a drug name: "sorafenib", not "chemo") is named after the first finding: the answer is the
    closest evidence, about other drugs. An answer opening with bare names ("HOTTIP [1], H19 [2] and SBF2-AS1.")
    opens with the note instead: a name read first is read as the answer to the drug asked about."""
    slot = resisted_words(query)
    unknown = set(search.unknown_words(query)) if slot else set()
    drugs = [w for w in dict.fromkeys(slot) if w.lower() in unknown and is_rare(w, DRUG_NAME_ZIPF)]
    if drugs and answer.citations:
        note = prompts.UNMENTIONED_DRUG_IN_TEXT.format(drugs=" or ".join(drugs))
        opens_with_names = len(answer.answer.split("[", 1)[0].split()) <= SHORT_ANSWER_WORDS
        answer.answer = f"{note} {answer.answer}" if opens_with_names else \
            _after_first(answer.answer, f"[{answer.citations[0].n}]", note)


def _amount_caveat(answer: Answer, query: str) -> None:
    """A question asking for a dose or a concentration ("What dose of GW4869 was used?") whose cited passages state
    none is told so after the first finding: the findings cited are about the thing, not its amount."""
    if asks_dose(query) and answer.citations and not any(states_amount(c.passage) for c in answer.citations):
        answer.answer = _after_first(answer.answer, f"[{answer.citations[0].n}]", prompts.NO_AMOUNT_IN_TEXT)


def _evidence_asked_of(search: HybridSearch, query: str, named: frozenset[str]) -> tuple[str, str] | None:
    """The kind of evidence a question asks of the one study it names, when its record lists models."""
    kind, _ = evidence_asked(normalize(query).split())
    studies = [search.index.sources[i] for i in named if search.index.sources[i].type == "study"]
    if kind is None or len(studies) != 1 or not studies[0].facets.get("models"):
        return None
    return kind, studies[0].id


_IN_VITRO_NOTE = re.compile(re.escape(prompts.IN_VITRO_IN_TEXT).replace(re.escape("{n}"), r"\d+"))
_IN_VITRO_SAID = re.compile(prompts.IN_VITRO_SAID, re.IGNORECASE)


def _says_in_vitro(text: str, n: int) -> bool:
    """The claim the note would follow (the first citing [n] that is more than a bare name: _after_first) already
    reads as cell-culture evidence (the notes added for other references aside)."""
    citing = [c for c in re.split(r"(?<=\])\s+", _IN_VITRO_NOTE.sub("", text)) if f"[{n}]" in c]
    first = next((c for c in citing if len(c.split("[", 1)[0].split()) > SHORT_ANSWER_WORDS), "")
    return bool(_IN_VITRO_SAID.search(first))


def _after_first(text: str, marker: str, insert: str) -> str:
    """`insert` placed after the first sentence citing `marker` (and any markers right after it); at the end if it
    is absent. A bare name that opens the answer ("P-gp. [1]", rag/generation/short_answer.py) is no finding to
    qualify: the note follows the sentence after it."""
    matches = list(re.finditer(re.escape(marker) + r"(?:\s*\[\d+\])*", text))
    if not matches:
        return f"{text} {insert}"
    claim_start = [0] + [m.end() for m in re.finditer(r"\]\s", text)]  # each claim starts after a marker
    for match in matches:
        start = max(s for s in claim_start if s <= match.start())
        if len(text[start: match.start()].split()) > SHORT_ANSWER_WORDS:
            break
    else:
        match = matches[0]
    return f"{text[: match.end()]} {insert}{text[match.end():]}"


def condensed_query(question: str, history: list[Turn], backend: Backend, index: Index,
                    warnings: list[str]) -> str:
    """LLM backends condense a follow-up with the model; extractive (or a failing LLM) by the rule in conversation."""
    types = entity_types(index)
    previous = _previous_question(history)
    if not previous or not depends_on_previous(question, types):
        return question
    listed = collection.listed_studies(_previous_answer(history))
    if listed and points_back(question):
        return point_at(question, listed)  # "What did it find?" after a listing: the studies it listed
    if hasattr(backend, "condense"):
        try:
            return backend.condense(question, [(t.role, t.content) for t in history])  # type: ignore[attr-defined]
        except BackendError as exc:
            warnings.append(f"{backend.name} could not condense the follow-up ({exc}); used the previous question's terms")
    return standalone(question, previous, types)


# What answer_events yields: ("retrieval", list[Hit]) once the passages are known, ("delta", str) for answer text as
# it is produced (an LLM's raw text is provisional: the checked answer may drop or re-cite sentences), and
# ("answer", Answer) last, always.
Event = tuple[str, Any]


def answer_question(search: HybridSearch, question: str, backend: Backend, k: int = 5,
                    filters: Filters | None = None, history: list[Turn] | None = None) -> Answer:
    """The final Answer of answer_events."""
    final: Answer | None = None
    for kind, payload in answer_events(search, question, backend, k, filters, history, stream=False):
        if kind == "answer":
            final = payload
    assert final is not None  # answer_events always ends with an answer
    return final


def answer_events(search: HybridSearch, question: str, backend: Backend, k: int = 5,
                  filters: Filters | None = None, history: list[Turn] | None = None,
                  stream: bool = True) -> Iterator[Event]:
    """Question -> refusal checks -> retrieval -> backend -> citation check, as a stream of events. With `stream`,
    a backend that can stream (LLMs) passes its text on piece by piece; otherwise it answers in one call."""
    started = time.perf_counter()
    question = question.strip()
    log.debug(fields(event="question", text=question[:300]))  # question text only at debug level
    if not question:
        yield _done(Answer(prompts.REFUSAL_EMPTY_QUESTION, refused=True, refusal_reason="empty",
                           backend=backend.name), backend.name)
        return
    warnings: list[str] = []
    query = condensed_query(question, history or [], backend, search.index, warnings)
    # judged as understood: "What about doxorubicin?" after a research question is that question about doxorubicin,
    # and "Should I take it?" after one about cisplatin asks about taking cisplatin
    if is_personal_advice(query, search.query_vector(query)):
        yield _done(Answer(prompts.REFUSAL_MEDICAL_ADVICE, refused=True, refusal_reason="medical-advice",
                           backend=backend.name, timings_ms={"retrieve": 0.0, "generate": 0.0, "total": _ms(started)}),
                    backend.name)
        return
    known = collection.terms(search.index, entity_types(search.index))
    # a follow-up on a listing first: "What cancers did they study?" after the retracted ones asks about those
    listing = None if collection.asks_record(question) else \
        collection.follow_up(question, _previous_question(history or []), known) or collection.parse(question, known) \
        or (collection.parse(query, known) if query != question else None)  # "Which studies used it?" after GW4869
    if listing is not None:  # about the collection itself: answered from the index metadata
        yield "retrieval", []
        answer = collection.answer(search.index, listing)
        answer.timings_ms = {"retrieve": 0.0, "generate": _ms(started), "total": _ms(started)}
        yield _done(answer, backend.name)
        return
    hits = search.search(query, k=k, filters=filters or Filters())
    retrieved = _ms(started)
    yield "retrieval", hits
    names_a_source = search.names_a_source(query)
    subject = search.index.settings.subject_gate and not names_a_source
    named = search.named_sources(query) if names_a_source else frozenset()
    hits = search.with_named(query, hits, named)
    # a review question is answered from the reviews it names only when it names one: "the review" (the subject
    # review), not "which review ...?"
    asks_any_review = search.asks_about_review(query) and not THE_REVIEW.search(query)
    cited = names_a_source and not asks_any_review and any(h.source.id in named for h in hits)
    # only the subject gate weighs a particular name (a question naming a source is judged by its passages)
    particular = subject and grounded(search, query, hits)
    relevant = _relevant(hits, search.query_vector(query), subject, named, cited,
                         studies_of_site(query, search.index) | _stating_outcome(query, hits), particular,
                         rare_words(query),
                         any(unseen(w) for w in search.unknown_words(query)))
    if not hits and filters is not None and filters.active():
        # the filters, not the question, left nothing to search: say which one
        blocking = excluding_filters(search.index, filters)
        which = blocking[0] if len(blocking) == 1 else " and ".join(blocking) + " (together)"
        answer = Answer(prompts.REFUSAL_FILTERED.format(filters=which), refused=True,
                        refusal_reason="filters-exclude-all", backend=backend.name)
    elif unmentioned := (search.unmentioned_names(query) if not names_a_source else []):
        # what the question asks about is a name the corpus never uses: no passage can speak to it, whatever scores
        answer = Answer(_unmentioned_text(unmentioned), see_also=_see_also(hits), refused=True,
                        refusal_reason="unmentioned-name", backend=backend.name)
    elif collection.asks_status(question) and (study := _study_asked(relevant, named)) is not None:
        answer = collection.status_answer(search.index, study, question)  # from its record, like a listing
    elif collection.asks_record(question) and (study := _study_asked(relevant, named, review=True)) is not None:
        answer = collection.record_answer(search.index, study)
    elif not relevant:
        text = prompts.REFUSAL_RESISTANCE_IN_GENERAL if asks_outcome_only(query) else prompts.REFUSAL_OUT_OF_SCOPE
        answer = Answer(text, see_also=_see_also(hits), refused=True,
                        refusal_reason="out-of-scope", backend=backend.name)
    else:
        answer = yield from _generate(search, query, relevant, backend, stream)
    answer.warnings[:0] = warnings
    _retraction_warnings(answer)
    if answer.backend != "collection":  # the study's standing, from its record, is not a finding to qualify
        _evidence_caveats(answer, search.index, _evidence_asked_of(search, query, named))
    if not answer.refused and answer.backend != "collection":
        _cancer_caveats(answer, search.index, query)
        _other_drug_caveats(answer, search.index, query)
        _drug_caveat(answer, search, query)
        _amount_caveat(answer, query)
    answer.timings_ms = {"retrieve": retrieved, "generate": round(_ms(started) - retrieved, 2), "total": _ms(started)}
    yield _done(answer, backend.name)


def _relevant(hits: list[Hit], vector: np.ndarray, subject: bool = True,
              named: frozenset[str] = frozenset(), cited: bool = False,
              of_site: frozenset[str] = frozenset(), particular: bool = False,
              rare: frozenset[str] = frozenset(), unknown: bool = False) -> list[Hit]:
    """The passages an answer may use: none when the gate (best passage + the question's subject) refuses; else
    those above the relevance threshold, or the best one alone when only the subject score carried the gate. A
    question that names a document ("What did Johnstone and colleagues call the vesicles?") is answered from that
    document's passages when they were retrieved, however low they score: which paper is asked about is the
    evidence, and a short question scores low against a whole abstract. With `cited` (it names papers by author, by
    a coined name or by what they are about, not a review), it is answered from them even when others score
    higher; "Which review ...?" and "Is there a review ...?" name no particular review. `particular`: the question
    names a particular thing of the top-ranked study (rag/grounding.py), which the gate weighs. The top-ranked
    passage also stays when it holds every `rare` word of the question: "Is there a link between exosomes and
    ferroptosis?" ranks the ferroptosis study first at 0.47, and the answer came from three general reviews. A
    question with an `unknown` name (a word neither the corpus nor general English knows) is not carried by its
    subject alone: the carry is for everyday wording of what the corpus covers, and "Why do cancer cells resist
    venetoclax in acute myeloid leukemia?" asks about a drug no document names (its best passage scores 0.16).
    Words English knows ("hemp", "diuretic", "blebs") are everyday wording, whatever the corpus calls them."""
    if not hits:
        return []
    asked_of = [h for h in hits if h.source.id in named]
    if not in_scope(max(h.score for h in hits), vector, subject, particular):
        return asked_of
    if cited:  # "According to Valadi, what do exosomes carry?": from Valadi, not from a review that scores higher
        return asked_of
    # a retrieved study of the cancer the question names stays, however low it scores: "How do helper cells in the
    # bone marrow keep myeloma cells alive ...?" scores the myeloma study below two studies of other cancers
    pinpointed = bool(rare) and rare <= frozenset(normalize(hits[0].chunk.text).split())
    if unknown and all(h.score < RELEVANCE_THRESHOLD for h in hits):
        return []  # nor by the cancer it names: the leukemia study is no answer on venetoclax
    return [h for h in hits if h.score >= RELEVANCE_THRESHOLD or h.source.id in of_site
            or (h is hits[0] and pinpointed)] or [max(hits, key=lambda h: h.score)]


def _stating_outcome(question: str, hits: list[Hit]) -> frozenset[str]:
    """The studies that say what the question's named thing does to the outcome it asks about, when the top-ranked
    study cannot (its record lists no drug, and its passage does not): "Does blocking Rab27a reduce resistance?"
    ranks Ostrowski's Rab27a secretion screen first and Binenbaum's Rab27a-deficient mice, which responded better
    to gemcitabine, at 0.09, under the relevance threshold."""
    specific = particular(frozenset(specific_terms(question)))
    if not hits or not specific or not asks_outcome(question) or facet_names(hits[0].source, "drugs") or \
            states_outcome_asked(question, hits[0].chunk.text):
        return frozenset()
    return frozenset(h.source.id for h in hits[1:] if not h.source.is_review and not h.source.retracted
                     and specific <= specific_terms(h.chunk.text) and states_outcome_asked(question, h.chunk.text))


def _study_asked(relevant: list[Hit], named: frozenset[str], review: bool = False) -> Source | None:
    """The one study a question about a study's standing or record points at: the one it names, else the best
    relevant primary study ("Was that study retracted?" is searched with the question before it), or with `review`
    the best relevant source of any kind."""
    studies = [h.source for h in relevant if h.source.id in named] or \
        [h.source for h in relevant if review or not h.source.is_review]
    return studies[0] if studies else None


def _unmentioned_text(names: list[str]) -> str:
    """The refusal naming what the corpus never mentions ("BRCA2 or PALB2")."""
    if len(names) == 1:
        return prompts.REFUSAL_UNMENTIONED.format(names=names[0], which="the name", one="it")
    joined = ", ".join(names[:-1]) + " or " + names[-1]
    return prompts.REFUSAL_UNMENTIONED.format(names=joined, which="these names", one="one of them")


def _done(answer: Answer, requested: str) -> Event:
    """The final event, logged for the operator: answered or refused (and why), and which backend answered."""
    outcome = {"outcome": "refused", "reason": answer.refusal_reason} if answer.refused else \
        {"outcome": "answered", "citations": len(answer.citations)}
    log.info(fields(event="answer", **outcome, backend=answer.backend, requested=requested,
                    total_ms=answer.timings_ms.get("total", 0.0)))
    return "answer", answer


def _refusal(reason: str, hits: list[Hit], backend: str, warnings: list[str]) -> Answer:
    return Answer(prompts.REFUSAL_NO_SUPPORT, see_also=_see_also(hits), refused=True, refusal_reason=reason,
                  backend=backend, warnings=warnings)


def _backend_text(backend: Backend, query: str, hits: list[Hit], stream: bool) -> Generator[Event, None, str]:
    """The backend's raw answer text; a streaming backend's pieces are passed on as they arrive."""
    pieces_of = getattr(backend, "stream", None) if stream else None
    if pieces_of is None:
        text = backend.generate(query, hits)
        yield "delta", text
        return text
    pieces: list[str] = []
    for piece in pieces_of(query, hits):
        pieces.append(piece)
        yield "delta", piece
    return "".join(pieces)


def _generate(search: HybridSearch, query: str, hits: list[Hit], backend: Backend,
              stream: bool) -> Generator[Event, None, Answer]:
    warnings: list[str] = []
    used = backend.name
    evidence = getattr(backend, "evidence", None)
    if evidence is not None:  # the extractive backend widens a broad question to the review's routes
        hits = evidence(query, hits)
    try:
        text = yield from _backend_text(backend, query, hits, stream)
    except NoAnswer:
        return _refusal("llm-no-answer", hits, used, warnings)
    except BackendError as exc:
        log.warning(fields(event="llm_fallback", backend=backend.name, reason=str(exc)))
        warnings.append(prompts.FALLBACK_WARNING.format(backend=backend.name, reason=exc))
        fallback = ExtractiveBackend(search)
        hits = fallback.evidence(query, hits)
        text, used = fallback.generate(query, hits), "extractive"
    checked = check(text, hits, search)
    warnings.extend(checked.warnings)
    if not checked.text:
        return _refusal("no-supported-sentence", hits, used, warnings)
    body, citations = renumber(checked, hits)
    return Answer(body, citations=citations, backend=used, warnings=warnings)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
