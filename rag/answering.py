"""Question -> retrieval -> refusal checks -> backend -> citation check -> Answer."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from rag import prompts
from rag.citations import check, citation_for, renumber
from rag.documents import Answer
from rag.filters import Filters
from rag.generation import Backend, BackendError
from rag.generation.extractive import ExtractiveBackend
from rag.generation.llm import NoAnswer
from rag.lexical import tokenize
from rag.retrieval import RELEVANCE_THRESHOLD, Hit, HybridSearch

# Personal medical advice: a dose, or a treatment decision for a particular person.
_MEDICAL_ADVICE = re.compile(
    r"\b(dose|doses|dosage|dosing|mg/m2|how much \w+ should)\b"
    r"|\b(my|his|her|our) (father|mother|dad|mum|mom|wife|husband|son|daughter|child|patient|partner|friend)\b"
    r"|\bshould (i|he|she|we|they) (take|stop|start|get|switch|receive)\b"
    r"|\b(treatment|chemo\w*|drug) (for|to give) (me|my|him|her)\b",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|also|same|in|for|with)\b|\b(it|they|them|this|that|these|those)\b",
                        re.IGNORECASE)


@dataclass
class Turn:
    role: str  # "user" or "assistant"
    content: str


def is_medical_advice(question: str) -> bool:
    return bool(_MEDICAL_ADVICE.search(question))


_CANCER_TYPE = re.compile(r"^(ovarian|pancreatic|gastric|breast|lung|colorectal|colon|liver|prostate|bladder|"
                          r"esophageal|oesophageal|cervical|renal|head|neck|cancer|carcinoma|tumou?r)$", re.IGNORECASE)
_NAMES_CANCER = re.compile(r"\b(cancer|carcinoma|leuka?emia|glioma|glioblastoma|melanoma|lymphoma|myeloma|sarcoma)\b",
                           re.IGNORECASE)


def standalone_question(question: str, history: list[Turn]) -> str:
    """Extractive condensation: a short follow-up ('and in gastric cancer?') carries the previous question's words,
    minus its cancer type when the follow-up names a new one."""
    previous = next((t.content for t in reversed(history) if t.role == "user"), "")
    if not previous or not _FOLLOW_UP.search(question) or len(tokenize(question)) > 8:
        return question
    words = previous.rstrip("?").split()
    if _NAMES_CANCER.search(question):
        words = [w for w in words if not _CANCER_TYPE.match(w.strip(",.;:()"))]
    return f"{' '.join(words)} {question.strip()}"


def _see_also(hits: list[Hit]) -> list:
    return [citation_for(n, h) for n, h in enumerate(hits[:3], start=1)]


def _retraction_warnings(answer: Answer) -> None:
    """A retracted study is named in the warnings and in the answer text itself, so no reader can miss it."""
    for c in answer.citations:
        if c.retracted:
            note = c.retraction_note or "Retracted."
            answer.warnings.append(prompts.RETRACTED_WARNING.format(title=c.title, source_id=c.source_id, note=note))
            answer.answer += " " + prompts.RETRACTED_IN_TEXT.format(n=c.n, note=note)


def condensed_query(question: str, history: list[Turn], backend: Backend, warnings: list[str]) -> str:
    """LLM backends condense the conversation; extractive (or a failing LLM) carries the previous turn's terms."""
    if history and _FOLLOW_UP.search(question) and hasattr(backend, "condense"):
        try:
            return backend.condense(question, [(t.role, t.content) for t in history])  # type: ignore[attr-defined]
        except BackendError as exc:
            warnings.append(f"{backend.name} could not condense the follow-up ({exc}); used the previous question's terms")
    return standalone_question(question, history)


def answer_question(search: HybridSearch, question: str, backend: Backend, k: int = 5,
                    filters: Filters | None = None, history: list[Turn] | None = None) -> Answer:
    started = time.perf_counter()
    question = question.strip()
    if not question:
        return Answer(prompts.REFUSAL_EMPTY_QUESTION, refused=True, refusal_reason="empty", backend=backend.name)
    if is_medical_advice(question):
        return Answer(prompts.REFUSAL_MEDICAL_ADVICE, refused=True, refusal_reason="medical-advice",
                      backend=backend.name, timings_ms={"retrieve": 0.0, "generate": 0.0, "total": _ms(started)})
    warnings: list[str] = []
    query = condensed_query(question, history or [], backend, warnings)
    hits = search.search(query, k=k, filters=filters or Filters())
    retrieved = _ms(started)
    relevant = [h for h in hits if h.score >= RELEVANCE_THRESHOLD]
    if not relevant:
        answer = Answer(prompts.REFUSAL_OUT_OF_SCOPE, see_also=_see_also(hits), refused=True,
                        refusal_reason="out-of-scope", backend=backend.name)
    else:
        answer = _generate(search, query, relevant, backend)
    answer.warnings[:0] = warnings
    _retraction_warnings(answer)
    answer.timings_ms = {"retrieve": retrieved, "generate": round(_ms(started) - retrieved, 2), "total": _ms(started)}
    return answer


def _refusal(reason: str, hits: list[Hit], backend: str, warnings: list[str]) -> Answer:
    return Answer(prompts.REFUSAL_NO_SUPPORT, see_also=_see_also(hits), refused=True, refusal_reason=reason,
                  backend=backend, warnings=warnings)


def _generate(search: HybridSearch, query: str, hits: list[Hit], backend: Backend) -> Answer:
    warnings: list[str] = []
    used = backend.name
    try:
        text = backend.generate(query, hits)
    except NoAnswer:
        return _refusal("llm-no-answer", hits, used, warnings)
    except BackendError as exc:
        warnings.append(prompts.FALLBACK_WARNING.format(backend=backend.name, reason=exc))
        text, used = ExtractiveBackend(search).generate(query, hits), "extractive"
    checked = check(text, hits, search)
    warnings.extend(checked.warnings)
    if not checked.text:
        return _refusal("no-supported-sentence", hits, used, warnings)
    body, citations = renumber(checked, hits)
    return Answer(body, citations=citations, backend=used, warnings=warnings)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
