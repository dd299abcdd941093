"""Choose the passage relevance above which the subject model no longer vetoes a question (rag/topic.py,
CERTAIN_LOGIT) on fitting questions; print it on the reporting sets it never saw.

    python evals/fit_certain.py

The subject model weighs 14 times its margin against the best passage's log-odds, so a terse question in the
literature's own terms that the model finds unfamiliar ("How does ONECUT2 loss affect stemness?", margin -0.83) was
refused although its best passage scored 0.999 (log-odds 6.7). Fitting: every question set in evals/questions/
except the reporting sets below and the conversations. Among fitting questions the gate refuses, the threshold is
the midpoint, between two neighbouring passage log-odds, that errs least (in-scope refused plus out-of-scope
answered), the widest gap breaking ties. Questions refused before the gate (medical advice, a name the corpus
never mentions) and those naming a source (judged by their passages alone) are left out, as in the library.
Reporting: `terse_report.jsonl` (session 28: 24 terse in-scope questions naming one study's RNA, gene or drug and
20 near-domain ones naming the same kind of thing off the subject, written before this rule) and the clean
near-domain sets gate_report5, gate_report6 and short_report.
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
from rag.topic import CERTAIN_LOGIT, gate_refuses, passage_logit

QUESTIONS = Path(__file__).parent / "questions"
REPORTING = ("terse_report", "gate_report5", "gate_report6", "short_report")
NOT_QUESTIONS = ("conversations",)


class Case(NamedTuple):
    logit: float
    in_scope: bool
    question: str


def gate_refused(search: HybridSearch, name: str) -> list[Case]:
    """The set's questions that the gate refuses without the certain-passage rule."""
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
        if not hits:
            continue
        best = max(h.score for h in hits)
        if gate_refuses(best, vector, grounded(search, question, hits)):
            cases.append(Case(passage_logit(best), row["kind"] != "out-of-scope", question))
    return cases


def errors(cases: list[Case], threshold: float) -> int:
    return sum((c.logit >= threshold) != c.in_scope for c in cases)


def best_threshold(cases: list[Case]) -> float:
    logits = sorted({c.logit for c in cases})
    gaps = {(a + b) / 2: b - a for a, b in zip(logits, logits[1:])}
    return min(gaps or {CERTAIN_LOGIT: 0.0}, key=lambda t: (errors(cases, t), -gaps.get(t, 0.0)))


def show(title: str, cases: list[Case], threshold: float, every: bool = False) -> None:
    inside = [c for c in cases if c.in_scope]
    print(f"{title}: {len(inside)} in scope, {len(cases) - len(inside)} out of scope refused by the gate; at "
          f"log-odds {threshold:.2f}: {sum(c.logit >= threshold for c in inside)} in scope now answered, "
          f"{sum(c.logit >= threshold for c in cases if not c.in_scope)} out of scope now answered")
    for c in sorted(cases, reverse=True):
        if every or c.logit >= threshold - 2.0:  # the neighbourhood of the threshold
            print(f"  {c.logit:6.2f} {'in ' if c.in_scope else 'out'} {c.question}")


def main() -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    names = sorted(p.stem for p in QUESTIONS.glob("*.jsonl") if p.stem not in REPORTING + NOT_QUESTIONS)
    fitting = [c for name in names for c in gate_refused(search, name)]
    threshold = best_threshold(fitting)
    show("fitting", fitting, threshold)
    print(f"chosen log-odds {threshold:.2f} (shipped: CERTAIN_LOGIT = {CERTAIN_LOGIT})")
    for name in REPORTING:
        show(f"reporting ({name})", gate_refused(search, name), threshold)


if __name__ == "__main__":
    main()
