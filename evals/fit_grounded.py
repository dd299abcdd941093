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

from gate_cases import Case, best_threshold, fitting_sets, gated, show

from rag.embeddings import get_embeddings
from rag.grounding import grounded
from rag.index import Index
from rag.retrieval import HybridSearch
from rag.settings import get_settings
from rag.topic import GROUNDED_FLOOR, in_scope, subject_score

REPORTING = ("short_report", "terse_report")


def refused_grounded(search: HybridSearch, name: str) -> list[Case]:
    """The set's grounded questions that the gate refuses without the grounded rule, by subject margin."""
    return [Case(subject_score(q.vector), q.in_scope, q.question) for q in gated(search, name)
            if grounded(search, q.question, q.hits) and not in_scope(max(h.score for h in q.hits), q.vector)]


def main() -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    fitting = [c for name in fitting_sets(REPORTING) for c in refused_grounded(search, name)]
    floor = best_threshold(fitting, GROUNDED_FLOOR)
    show("fitting", fitting, floor)
    print(f"chosen floor {floor:.2f} (shipped: GROUNDED_FLOOR = {GROUNDED_FLOOR})")
    for name in REPORTING:
        show(f"reporting ({name})", refused_grounded(search, name), floor)


if __name__ == "__main__":
    main()
