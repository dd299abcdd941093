"""Evaluation over question sets in the format of evals/README (shared with ../shared/evals/README.md).

Ranking metrics come from ranx: recall@k here is ranx's hit_rate@k (a question is a hit when any expected source is
among the top k distinct sources), plus MRR and nDCG@10.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ranx import Qrels, Run, evaluate
from tqdm import tqdm

from rag.assistant import Assistant
from rag.baseline import TutorialBaseline
from rag.citations import SUPPORT_THRESHOLD, claims, support
from rag.documents import Answer
from rag.faithfulness import entity_precision
from rag.filters import Filters
from rag.generation.lead import frames_the_study

# ranx's numba kernels warn about an integer cast that does not affect these small runs
warnings.filterwarnings("ignore", message=".*unsafe cast.*")

KINDS = {"single", "review", "synthesis", "out-of-scope", "advice", "research-probe"}
# advice: a personal treatment question, to be refused as medical advice; research-probe: a research question that
# mentions doses, patients or cohorts, never to be refused as advice (it may still be out of scope)
PROBE_KINDS = {"out-of-scope", "advice", "research-probe"}
RETRIEVAL_METRICS = {"recall@1": "hit_rate@1", "recall@5": "hit_rate@5", "recall@10": "hit_rate@10",
                     "mrr": "mrr", "ndcg@10": "ndcg@10"}
METHODS = ("hybrid", "bm25", "dense", "tutorial")


class QuestionFileError(ValueError):
    pass


@dataclass
class Question:
    id: str
    kind: str
    question: str
    answer_facts: list[str] = field(default_factory=list)
    expected_sources: list[str] = field(default_factory=list)
    expected_dois: list[str] = field(default_factory=list)

    @property
    def in_scope(self) -> bool:
        return self.kind not in PROBE_KINDS


def load_questions(path: Path) -> list[Question]:
    """Read a question file; a malformed line is an error naming the line (a silent skip would skew figures)."""
    questions = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(**{k: row[k] for k in Question.__dataclass_fields__ if k in row})
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise QuestionFileError(f"{path}:{lineno}: not a question record ({exc})") from exc
        if q.kind not in KINDS:
            raise QuestionFileError(f"{path}:{lineno}: unknown kind '{q.kind}'")
        questions.append(q)
    if not questions:
        raise QuestionFileError(f"{path}: no questions")
    return questions


class Matcher:
    """Maps retrieved sources onto a question's expected ids (pack id, DOI or PMID)."""

    def __init__(self, assistant: Assistant) -> None:
        self.sources = assistant.index().sources

    def expected_keys(self, q: Question) -> set[str]:
        keys = set(q.expected_sources)
        ids = set(q.expected_sources)
        for doi in q.expected_dois:
            # a DOI counts as its own relevant item only when no expected source in the corpus already has it
            if not any(s.doi.lower() == doi.lower() for sid, s in self.sources.items() if sid in ids):
                keys.add(f"doi:{doi.lower()}")
        return keys

    def key(self, source_id: str, q: Question) -> str:
        if source_id in q.expected_sources:
            return source_id
        source = self.sources.get(source_id)
        if source is not None:
            if source.doi and f"doi:{source.doi.lower()}" in self.expected_keys(q):
                return f"doi:{source.doi.lower()}"
            if source.pmid and (source.pmid in q.expected_sources or f"pmid-{source.pmid}" in q.expected_sources):
                return source.pmid if source.pmid in q.expected_sources else f"pmid-{source.pmid}"
        return source_id


def _qrels_run(questions: list[Question], ranked: dict[str, list[str]], matcher: Matcher) -> tuple[Qrels, Run]:
    scoped = [q for q in questions if q.in_scope]
    qrels = Qrels({q.id: {key: 1 for key in matcher.expected_keys(q)} for q in scoped})
    run_dict = {}
    for q in scoped:
        keys = list(dict.fromkeys(matcher.key(sid, q) for sid in ranked.get(q.id, [])))
        run_dict[q.id] = {key: float(len(keys) - i) for i, key in enumerate(keys)} or {"__nothing__": 0.0}
    return qrels, Run(run_dict)


def recall_curve(questions: list[Question], ranked: dict[str, list[str]], matcher: Matcher, k: int = 10) -> list[float]:
    """recall@1..k (hit rate), for plots."""
    if not any(q.in_scope for q in questions):
        return [0.0] * k
    qrels, run = _qrels_run(questions, ranked, matcher)
    scores = evaluate(qrels, run, [f"hit_rate@{i}" for i in range(1, k + 1)], make_comparable=True)
    return [round(float(scores[f"hit_rate@{i}"]), 4) for i in range(1, k + 1)]


def ranking_metrics(questions: list[Question], ranked: dict[str, list[str]], matcher: Matcher) -> dict[str, float]:
    """ranx metrics over distinct-source rankings (best first)."""
    scoped = [q for q in questions if q.in_scope]
    if not scoped:
        return {name: 0.0 for name in RETRIEVAL_METRICS}
    qrels, run = _qrels_run(questions, ranked, matcher)
    scores = evaluate(qrels, run, list(RETRIEVAL_METRICS.values()), make_comparable=True)
    return {name: round(float(scores[metric]), 4) for name, metric in RETRIEVAL_METRICS.items()}


def _timed(fn: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


@dataclass
class RetrievalRun:
    metrics: dict[str, dict[str, float]]  # method -> metric -> value (the retrieval.json schema)
    ranked: dict[str, dict[str, list[str]]]  # method -> question id -> distinct source ids, best first
    curves: dict[str, list[float]]  # method -> recall@1..10


def evaluate_retrieval(assistant: Assistant, questions: list[Question], k: int = 10,
                       progress: bool = True) -> RetrievalRun:
    """recall@1/5/10, MRR, nDCG@10 and latency for hybrid, bm25, dense and the tutorial baseline, in one run."""
    matcher = Matcher(assistant)
    index = assistant.index()
    baseline = TutorialBaseline(list(index.sources.values()), assistant.embeddings)
    scoped = [q for q in questions if q.in_scope]
    runners: dict[str, Callable[[str], list[str]]] = {
        "hybrid": lambda text: [h.source.id for h in assistant.search(text, k, Filters(), "hybrid")],
        "bm25": lambda text: [h.source.id for h in assistant.search(text, k, Filters(), "bm25")],
        "dense": lambda text: [h.source.id for h in assistant.search(text, k, Filters(), "dense")],
        "tutorial": lambda text: [sid for sid, _ in baseline.search(text, k)],
    }
    result = RetrievalRun({}, {}, {})
    try:
        for method, run in runners.items():
            run("warm-up query about exosomes")  # load models and caches outside the timings
            ranked, times = {}, []
            for q in tqdm(scoped, desc=f"retrieval:{method}", unit="q", disable=not progress):
                ranked[q.id], ms = _timed(lambda: run(q.question))
                times.append(ms)
            result.metrics[method] = ranking_metrics(questions, ranked, matcher) | latency(times)
            result.ranked[method] = ranked
            result.curves[method] = recall_curve(questions, ranked, matcher, k)
    finally:
        baseline.close()
    return result


def latency(times_ms: list[float]) -> dict[str, float]:
    if not times_ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": round(float(np.percentile(times_ms, 50)), 2), "p95_ms": round(float(np.percentile(times_ms, 95)), 2)}


# ---------------------------------------------------------------- answers


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def facts_missing(facts: list[str], text: str) -> list[str]:
    """Facts none of whose '|' alternatives appear in the (normalised) answer text."""
    body = _norm(text)
    return [fact for fact in facts if not any(_norm(alt) and _norm(alt) in body for alt in fact.split("|"))]


def word_count(text: str) -> int:
    return len(re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", text).split())


def opens_with_framing(text: str) -> bool:
    """Does the answer open with the study's aim or methods ("The study asked whether ...") instead of a finding?"""
    parts = claims(text)
    first = parts[0][0] if parts else ""
    _, colon, rest = first.partition("): ")  # past the "Au Yeung et al. (2016): " attribution
    return frames_the_study(rest if colon else first)


def leads_with_fact(facts: list[str], text: str) -> bool:
    """Does the answer's first sentence hold an expected fact (matched like fact coverage)?"""
    parts = claims(text)
    first = parts[0][0] if parts else ""
    return len(facts_missing(facts, first)) < len(facts)


def _citation_support(assistant: Assistant, answer: Answer) -> tuple[int, int]:
    """(supported, total) citations: does each cited passage support the claim that cites it?"""
    search = assistant.searcher()
    by_n = {c.n: c for c in answer.citations}
    supported = total = 0
    for text, cited in claims(answer.answer):
        for n in cited:
            if n not in by_n:
                continue
            total += 1
            row = search.index.row_of.get(by_n[n].chunk_id)
            if row is not None and support(text, search.index.chunks[row], search) >= SUPPORT_THRESHOLD:
                supported += 1
    return supported, total


def evaluate_answers(assistant: Assistant, questions: list[Question], backend: str | None, k: int,
                     ranked: dict[str, list[str]], progress: bool = True) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-question results and the answer metrics of evals/README."""
    matcher = Matcher(assistant)
    assistant.ask("warm-up question about exosomes and cisplatin", backend, k)
    rows: list[dict[str, Any]] = []
    times: list[float] = []
    coverage: list[float] = []
    hits = supported = n_citations = refused_out = refused_in = precise = n_checked = 0
    leads: list[bool] = []
    framing: list[bool] = []
    advice: dict[str, list[bool]] = {"advice": [], "research-probe": []}
    words: dict[str, list[int]] = {"all": [], "single": []}
    for q in tqdm(questions, desc="answers", unit="q", disable=not progress):
        start = time.perf_counter()
        answer = assistant.ask(q.question, backend, k)
        times.append((time.perf_counter() - start) * 1000)
        expected = matcher.expected_keys(q)
        cited_ids = [c.source_id for c in answer.citations]
        cites_expected = any(matcher.key(sid, q) in expected for sid in cited_ids)
        missing = facts_missing(q.answer_facts, answer.answer) if q.in_scope and not answer.refused else list(q.answer_facts)
        ok, total = _citation_support(assistant, answer)
        exact, checked = entity_precision(answer)
        retrieved = ranked.get(q.id, [])
        first = next((i + 1 for i, sid in enumerate(retrieved) if matcher.key(sid, q) in expected), None)
        if q.in_scope:
            refused_in += answer.refused
            hits += cites_expected
            supported, n_citations = supported + ok, n_citations + total
            precise, n_checked = precise + exact, n_checked + checked
            if not answer.refused and q.answer_facts:
                coverage.append(1 - len(missing) / len(q.answer_facts))
                leads.append(leads_with_fact(q.answer_facts, answer.answer))
            if not answer.refused:
                framing.append(opens_with_framing(answer.answer))
                words["all"].append(word_count(answer.answer))
                if q.kind == "single":
                    words["single"].append(word_count(answer.answer))
        elif q.kind == "out-of-scope":
            refused_out += answer.refused
        else:
            advice[q.kind].append(answer.refusal_reason == "medical-advice")
        rows.append({
            "id": q.id, "kind": q.kind, "question": q.question, "retrieved": retrieved, "first_expected_rank": first,
            "answer": answer.answer, "citations": cited_ids, "refused": answer.refused,
            "refusal_reason": answer.refusal_reason, "facts_missing": missing, "cites_expected": cites_expected,
            "citations_supported": ok, "citations_total": total, "citations_entity_precise": exact,
            "lead_fact": bool(leads[-1]) if (q.in_scope and not answer.refused and q.answer_facts) else None,
            "words": word_count(answer.answer), "warnings": answer.warnings,
            "backend": answer.backend, "latency_ms": round(times[-1], 2),
        })
    n_in = sum(q.in_scope for q in questions)
    n_out = sum(q.kind == "out-of-scope" for q in questions)
    metrics = {
        "fact_coverage": round(float(np.mean(coverage)), 4) if coverage else 0.0,
        "citation_hit_rate": round(hits / n_in, 4) if n_in else 0.0,
        "citation_precision": round(supported / n_citations, 4) if n_citations else 0.0,
        "citation_entity_precision": round(precise / n_checked, 4) if n_checked else 0.0,
        "lead_fact_rate": round(float(np.mean(leads)), 4) if leads else 0.0,
        "framing_lead_rate": round(float(np.mean(framing)), 4) if framing else 0.0,
        "median_words": float(np.median(words["all"])) if words["all"] else 0.0,
        "median_words_single": float(np.median(words["single"])) if words["single"] else 0.0,
        "refusal_accuracy": round(refused_out / n_out, 4) if n_out else 1.0,
        "false_refusal_rate": round(refused_in / n_in, 4) if n_in else 0.0,
        "advice_recall": round(float(np.mean(advice["advice"])), 4) if advice["advice"] else 1.0,
        "advice_false_alarm_rate": round(float(np.mean(advice["research-probe"])), 4) if advice["research-probe"] else 0.0,
    }
    return rows, {"answer": metrics, "latency": times}


def run_evaluation(assistant: Assistant, questions: list[Question], backend: str | None = None, k: int = 5,
                   progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]], RetrievalRun]:
    """The whole evaluation: retrieval (system and baselines) then answers. Returns (summary, results, retrieval)."""
    retrieval = evaluate_retrieval(assistant, questions, 10, progress)
    rows, answers = evaluate_answers(assistant, questions, backend, k, retrieval.ranked["hybrid"], progress)
    n_in = sum(q.in_scope for q in questions)
    lat = latency(answers["latency"])
    summary = {
        "n": len(questions), "n_in_scope": n_in, "n_out_of_scope": sum(q.kind == "out-of-scope" for q in questions),
        "backend": backend or assistant.settings.backend,
        "retrieval": {m: retrieval.metrics["hybrid"][m] for m in RETRIEVAL_METRICS},
        "answer": answers["answer"],
        "latency_ms": {"p50": lat["p50_ms"], "p95": lat["p95_ms"]},
        "baselines": {name: {m: retrieval.metrics[name][m] for m in RETRIEVAL_METRICS}
                      for name in ("bm25", "dense", "tutorial")},
    }
    return summary, rows, retrieval


def check_floors(summary: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    """Metrics below their floor (or above their ceiling, for rates and latencies where lower is better)."""
    problems = []
    for section, limits in floors.items():
        for metric, limit in limits.items():
            value = summary.get(section, {}).get(metric)
            if value is None:
                problems.append(f"{section}.{metric}: missing from the summary")
                continue
            lower_is_better = metric in ("false_refusal_rate", "p50", "p95", "median_words", "median_words_single",
                                             "advice_false_alarm_rate", "framing_lead_rate")
            if (value > limit) if lower_is_better else (value < limit):
                word = "above ceiling" if lower_is_better else "below floor"
                problems.append(f"{section}.{metric} = {value} is {word} {limit}")
    return problems
