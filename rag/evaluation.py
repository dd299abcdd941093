"""Evaluation over question sets in the format of evals/README (shared with ../shared/evals/README.md).

Ranking metrics come from ranx: recall@k here is ranx's hit_rate@k (a question is a hit when any expected source is
among the top k distinct sources), plus MRR and nDCG@10.
"""

from __future__ import annotations

import json
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
from rag.filters import Filters

# ranx's numba kernels warn about an integer cast that does not affect these small runs
warnings.filterwarnings("ignore", message=".*unsafe cast.*")

KINDS = {"single", "review", "synthesis", "out-of-scope"}
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
        return self.kind != "out-of-scope"


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


def ranking_metrics(questions: list[Question], ranked: dict[str, list[str]], matcher: Matcher) -> dict[str, float]:
    """ranx metrics over distinct-source rankings (best first)."""
    scoped = [q for q in questions if q.in_scope]
    if not scoped:
        return {name: 0.0 for name in RETRIEVAL_METRICS}
    qrels = Qrels({q.id: {key: 1 for key in matcher.expected_keys(q)} for q in scoped})
    run_dict = {}
    for q in scoped:
        keys = list(dict.fromkeys(matcher.key(sid, q) for sid in ranked.get(q.id, [])))
        run_dict[q.id] = {key: float(len(keys) - i) for i, key in enumerate(keys)} or {"__nothing__": 0.0}
    scores = evaluate(qrels, Run(run_dict), list(RETRIEVAL_METRICS.values()), make_comparable=True)
    return {name: round(float(scores[metric]), 4) for name, metric in RETRIEVAL_METRICS.items()}


def _timed(fn: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def evaluate_retrieval(assistant: Assistant, questions: list[Question], k: int = 10,
                       progress: bool = True) -> dict[str, dict[str, float]]:
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
    report: dict[str, dict[str, float]] = {}
    try:
        for method, run in runners.items():
            run("warm-up query about exosomes")  # load models and caches outside the timings
            ranked, times = {}, []
            for q in tqdm(scoped, desc=f"retrieval:{method}", unit="q", disable=not progress):
                ranked[q.id], ms = _timed(lambda: run(q.question))
                times.append(ms)
            report[method] = ranking_metrics(questions, ranked, matcher) | latency(times)
    finally:
        baseline.close()
    return report


def latency(times_ms: list[float]) -> dict[str, float]:
    if not times_ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": round(float(np.percentile(times_ms, 50)), 2), "p95_ms": round(float(np.percentile(times_ms, 95)), 2)}


def retrieval_table(report: dict[str, dict[str, float]]) -> str:
    keys = list(RETRIEVAL_METRICS) + ["p50_ms", "p95_ms"]
    lines = ["| method | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for method, values in report.items():
        lines.append(f"| {method} | " + " | ".join(f"{values[k]:.3f}" if k in RETRIEVAL_METRICS else f"{values[k]:.1f}"
                                                   for k in keys) + " |")
    return "\n".join(lines)


def write_retrieval_report(report: dict[str, Any], out: Path, questions_file: Path, n: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "retrieval.json").write_text(json.dumps(report, indent=2))
    (out / "retrieval.md").write_text(
        f"# Retrieval evaluation\n\nQuestions: `{questions_file}` ({n} in scope)\n\n{retrieval_table(report)}\n"
    )
