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

from gate_cases import Case, best_threshold, fitting_sets, gated, show

from rag.embeddings import get_embeddings
from rag.grounding import grounded
from rag.index import Index
from rag.retrieval import HybridSearch
from rag.settings import get_settings
from rag.topic import CERTAIN_LOGIT, gate_refuses, passage_logit

REPORTING = ("terse_report", "gate_report5", "gate_report6", "short_report")
NEAR = 2.0  # log-odds either side of the threshold whose questions are printed


def gate_refused(search: HybridSearch, name: str) -> list[Case]:
    """The set's questions that the gate refuses without the certain-passage rule, by best passage log-odds."""
    cases = []
    for q in gated(search, name):
        best = max(h.score for h in q.hits)
        if gate_refuses(best, q.vector, grounded(search, q.question, q.hits)):
            cases.append(Case(passage_logit(best), q.in_scope, q.question))
    return cases


def main() -> None:
    settings = get_settings()
    search = HybridSearch(Index.open(settings), get_embeddings(settings.embedding_model))
    fitting = [c for name in fitting_sets(REPORTING) for c in gate_refused(search, name)]
    threshold = best_threshold(fitting, CERTAIN_LOGIT)
    show("fitting", fitting, threshold, NEAR)
    print(f"chosen log-odds {threshold:.2f} (shipped: CERTAIN_LOGIT = {CERTAIN_LOGIT})")
    for name in REPORTING:
        show(f"reporting ({name})", gate_refused(search, name), threshold, NEAR)


if __name__ == "__main__":
    main()
