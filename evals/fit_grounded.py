"""Choose the subject-margin floor of a grounded question (rag/grounding.py, rag/topic.GROUNDED_FLOOR) on fitting
questions; print it on the reporting set it never saw.

    python evals/fit_grounded.py

Fitting: every question set in evals/questions/ except the reporting set `short_report.jsonl` (session 19; its
24 short in-scope questions name one particular thing, its 20 near-domain ones name the same kind of thing off the
subject) and the conversations. Among fitting questions that are grounded and that the gate without this rule
refuses, the floor is the midpoint, between two neighbouring subject margins, that errs least (in-scope refused
plus out-of-scope answered), the widest gap breaking ties. Questions refused before the gate (medical advice, a
name the corpus never mentions) and those naming a source (judged by their passages alone) are left out, as in
the library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from rag.advice import is_personal_advice
from rag.embeddings import get_embeddings
from rag.grounding import grounded
from rag.index import Index
from rag.retrieval import HybridSearch
from rag.settings import get_settings
from rag.topic import GROUNDED_FLOOR, in_scope, subject_score

QUESTIONS = Path(__file__).parent / "questions"
REPORTING = ("short_report", "terse_report")
NOT_QUESTIONS = ("conversations",)


class Case(NamedTuple):
    margin: float
    in_scope: bool
    question: str


def refused_grounded(search: HybridSearch, name: str) -> list[Case]:
    """The set's grounded questions that the gate refuses without the grounded rule."""
    cases = []
    for line in (QUESTIONS / f"{name}.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        question = row.get("question")
        if not question or row["kind"] == "advice" or search.names_a_source(question):
            continue
        vector = search.query_vector(question)
        if is_personal_advice(question, vector) or search.unmentioned_names(question):
            continue
        hits = search.search(question, k=5)
        if hits and grounded(search, question, hits) and not in_scope(max(h.score for h in hits), vector):
            cases.append(Case(subject_score(vector), row["kind"] != "out-of-scope", question))
    return cases


def errors(cases: list[Case], floor: float) -> int:
    return sum((c.margin >= floor) != c.in_scope for c in cases)


def best_floor(cases: list[Case]) -> float:
    margins = sorted({c.margin for c in cases})
    candidates = [(a + b) / 2 for a, b in zip(margins, margins[1:])] or [GROUNDED_FLOOR]
    gaps = {(a + b) / 2: b - a for a, b in zip(margins, margins[1:])}
    return min(candidates, key=lambda f: (errors(cases, f), -gaps.get(f, 0.0)))


def show(title: str, cases: list[Case], floor: float) -> None:
    inside = [c for c in cases if c.in_scope]
    print(f"{title}: {len(inside)} in scope, {len(cases) - len(inside)} out of scope refused by the gate alone; "
          f"at floor {floor:.2f}: {sum(c.margin >= floor for c in inside)} in scope now answered, "
          f"{sum(c.margin >= floor for c in cases if not c.in_scope)} out of scope now answered")
    for c in sorted(cases):
        print(f"  {c.margin:6.2f} {'in ' if c.in_scope else 'out'} {c.question}")


def main() -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    names = sorted(p.stem for p in QUESTIONS.glob("*.jsonl") if p.stem not in REPORTING + NOT_QUESTIONS)
    fitting = [c for name in names for c in refused_grounded(search, name)]
    floor = best_floor(fitting)
    show("fitting", fitting, floor)
    print(f"chosen floor {floor:.2f} (shipped: GROUNDED_FLOOR = {GROUNDED_FLOOR})")
    for name in REPORTING:
        show(f"reporting ({name})", refused_grounded(search, name), floor)


if __name__ == "__main__":
    main()
