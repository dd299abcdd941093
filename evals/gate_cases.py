"""The questions a gate rule is fitted on, and the one-threshold fit both gate scripts use (evals/fit_grounded.py,
evals/fit_certain.py): the questions of a set that reach the relevance gate as in the library (not refused before
it as medical advice or for a name the corpus never mentions, not naming a source, which is judged by its passages
alone), and the threshold on one score that errs least on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rag.advice import is_personal_advice
from rag.retrieval import Hit, HybridSearch

QUESTIONS = Path(__file__).parent / "questions"
NOT_QUESTIONS = ("conversations",)


class Case(NamedTuple):
    score: float  # what the threshold is set on: a subject margin, a passage's log-odds
    in_scope: bool
    question: str


class Gated(NamedTuple):
    question: str
    in_scope: bool
    vector: np.ndarray
    hits: list[Hit]


def gated(search: HybridSearch, name: str) -> Iterator[Gated]:
    """The set's questions that the gate decides, with their embedding and top 5 passages."""
    for line in (QUESTIONS / f"{name}.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        question = row.get("question")
        if not question or row["kind"] == "advice" or search.names_a_source(question):
            continue
        vector = search.query_vector(question)
        if is_personal_advice(question, vector) or search.unmentioned_names(question):
            continue
        hits = search.search(question, k=5)
        if hits:
            yield Gated(question, row["kind"] != "out-of-scope", vector, hits)


def fitting_sets(reporting: tuple[str, ...]) -> list[str]:
    """Every question set but the reporting ones and the conversations."""
    return sorted(p.stem for p in QUESTIONS.glob("*.jsonl") if p.stem not in reporting + NOT_QUESTIONS)


def errors(cases: list[Case], threshold: float) -> int:
    """In-scope questions left refused plus out-of-scope ones answered, answering at `score >= threshold`."""
    return sum((c.score >= threshold) != c.in_scope for c in cases)


def best_threshold(cases: list[Case], default: float) -> float:
    """The midpoint between two neighbouring scores that errs least, the widest gap breaking ties."""
    scores = sorted({c.score for c in cases})
    gaps = {(a + b) / 2: b - a for a, b in zip(scores, scores[1:])}
    return min(gaps or {default: 0.0}, key=lambda t: (errors(cases, t), -gaps.get(t, 0.0)))


def show(title: str, cases: list[Case], threshold: float, near: float = float("inf")) -> None:
    """How many of the refused cases the threshold answers, and the cases within `near` of it."""
    inside = [c for c in cases if c.in_scope]
    print(f"{title}: {len(inside)} in scope, {len(cases) - len(inside)} out of scope refused by the gate alone; "
          f"at {threshold:.2f}: {sum(c.score >= threshold for c in inside)} in scope now answered, "
          f"{sum(c.score >= threshold for c in cases if not c.in_scope)} out of scope now answered")
    for c in sorted(cases, reverse=True):
        if abs(c.score - threshold) <= near:
            print(f"  {c.score:6.2f} {'in ' if c.in_scope else 'out'} {c.question}")
