"""Answer quality on a question set until `rag eval` (the evaluation issue) lands:

    .venv/bin/python evals/answer_metrics.py evals/questions/dev.jsonl

Metrics as defined in evals/README (../shared/evals/README.md): fact coverage, citation hit rate, citation precision,
refusal accuracy, false refusal rate, and warm latency p50/p95 of a full extractive answer.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np

from rag.assistant import Assistant
from rag.citations import SUPPORT_THRESHOLD, claims, support
from rag.evaluation import load_questions
from rag.settings import get_settings


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def main(path: str) -> None:
    assistant = Assistant(get_settings())
    search = assistant.searcher()
    questions = load_questions(Path(path))
    assistant.ask("warm-up: exosomes and cisplatin")
    coverage, hits, supported, n_citations, refused_out, refused_in, times = [], 0, 0, 0, 0, 0, []
    for q in questions:
        start = time.perf_counter()
        answer = assistant.ask(q.question)
        times.append((time.perf_counter() - start) * 1000)
        if not q.in_scope:
            refused_out += answer.refused
            continue
        if answer.refused:
            refused_in += 1
            continue
        if q.answer_facts:
            present = [any(norm(alt) in norm(answer.answer) for alt in fact.split("|")) for fact in q.answer_facts]
            coverage.append(sum(present) / len(present))
        hits += any(c.source_id in q.expected_sources or (c.doi and c.doi in q.expected_dois) for c in answer.citations)
        by_n = {c.n: c for c in answer.citations}
        search_hits = {h.chunk.id: h for h in search.search(q.question, k=10)}
        for text, cited in claims(answer.answer):
            for n in cited:
                n_citations += 1
                hit = search_hits.get(by_n[n].chunk_id)
                supported += hit is not None and support(text, hit, search) >= SUPPORT_THRESHOLD
    n_in = sum(q.in_scope for q in questions)
    n_out = len(questions) - n_in
    answered = n_in - refused_in
    print(f"questions: {len(questions)} ({n_in} in scope, {n_out} out of scope)")
    print(f"fact coverage       {np.mean(coverage) if coverage else 0:.3f}")
    print(f"citation hit rate   {hits / max(answered, 1):.3f}")
    print(f"citation precision  {supported / max(n_citations, 1):.3f}")
    print(f"refusal accuracy    {refused_out / max(n_out, 1):.3f}")
    print(f"false refusal rate  {refused_in / max(n_in, 1):.3f}")
    print(f"latency p50 / p95   {np.percentile(times, 50):.1f} / {np.percentile(times, 95):.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evals/questions/dev.jsonl")
