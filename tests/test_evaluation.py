"""`rag eval` end to end on a small question file, including ids the corpus does not hold."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rag.evaluation import check_floors, facts_missing
from rag.settings import Settings
from tests.conftest import BIN, rag_env

QUESTIONS = [
    {"id": "q1", "kind": "single", "question": "Which microRNA do omental fibroblasts pass to ovarian cancer cells?",
     "answer_facts": ["miR-21|miR21"], "expected_sources": ["au-yeung-2016-mir21"], "expected_dois": []},
    {"id": "q2", "kind": "single", "question": "How do macrophage exosomes make pancreatic cancer resist gemcitabine?",
     "answer_facts": ["miR-365"], "expected_sources": ["not-in-this-corpus"], "expected_dois": ["10.9999/nowhere"]},
    {"id": "q3", "kind": "synthesis", "question": "Can exosomes transfer P-glycoprotein to drug-sensitive cells?",
     "answer_facts": ["P-gp|P-glycoprotein"], "expected_sources": [], "expected_dois": ["10.1038/leu.2009.76"]},
    {"id": "q4", "kind": "out-of-scope", "question": "What is the capital of Australia?", "answer_facts": [],
     "expected_sources": [], "expected_dois": []},
]
SUMMARY_KEYS = {"n", "n_in_scope", "n_out_of_scope", "backend", "retrieval", "answer", "latency_ms", "baselines"}
RETRIEVAL_KEYS = {"recall@1", "recall@5", "recall@10", "mrr", "ndcg@10"}
ANSWER_KEYS = {"fact_coverage", "citation_hit_rate", "citation_precision", "refusal_accuracy", "false_refusal_rate",
               "citation_entity_precision", "lead_fact_rate", "framing_lead_rate", "median_words", "median_words_single",
               "advice_recall",
               "advice_false_alarm_rate"}


def test_rag_eval_writes_all_outputs(pack_settings: Settings, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    out = tmp_path / "out"
    result = subprocess.run([str(BIN / "rag"), "eval", "--questions", str(questions), "--out", str(out), "-q"],
                            env=rag_env(pack_settings), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "fact coverage" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert (summary["n"], summary["n_in_scope"], summary["n_out_of_scope"]) == (4, 3, 1)
    assert set(summary["retrieval"]) == RETRIEVAL_KEYS and set(summary["answer"]) == ANSWER_KEYS
    assert set(summary["latency_ms"]) == {"p50", "p95"}
    assert set(summary["baselines"]) == {"bm25", "dense", "tutorial"}
    # q1 hits by id, q3 by DOI; q2's expected source is not in the corpus: a miss, not an error
    assert abs(summary["retrieval"]["recall@5"] - 2 / 3) < 1e-3
    assert summary["answer"]["refusal_accuracy"] == 1.0
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "q4"]
    assert rows[1]["first_expected_rank"] is None and rows[0]["first_expected_rank"] == 1
    assert rows[2]["first_expected_rank"] is not None  # matched through its DOI alone
    assert rows[3]["refused"] and rows[0]["facts_missing"] == []
    report = (out / "report.md").read_text()
    assert report.index("| q2 |") < report.index("| q1 |")  # worst questions first
    for png in ("recall_at_k.png", "latency.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    retrieval = json.loads((out / "retrieval.json").read_text())
    assert set(retrieval) == {"hybrid", "bm25", "dense", "tutorial"}
    assert set(retrieval["hybrid"]) == RETRIEVAL_KEYS | {"p50_ms", "p95_ms"}

    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"retrieval": {"recall@1": 0.99}}))
    gated = subprocess.run([str(BIN / "rag"), "eval", "--questions", str(questions), "--out", str(out), "-q",
                            "--floors", str(floors)], env=rag_env(pack_settings), capture_output=True, text=True, timeout=600)
    assert gated.returncode == 1 and "below floor" in gated.stderr


def test_bad_question_file_is_reported(pack_settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "kind": "single", "question": "q"}\nnot json\n')
    result = subprocess.run([str(BIN / "rag"), "eval", "--questions", str(bad), "-q"], env=rag_env(pack_settings),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "bad.jsonl:2" in result.stderr


def test_fact_matching_and_floors() -> None:
    assert facts_missing(["miR-21|miR21", "APAF1"], "Stromal MIR 21 suppresses apaf-1.") == []
    assert facts_missing(["CDA|cytidine deaminase"], "nothing here") == ["CDA|cytidine deaminase"]
    summary = {"answer": {"false_refusal_rate": 0.1, "fact_coverage": 0.9}, "latency_ms": {"p50": 10}}
    problems = check_floors(summary, {"answer": {"false_refusal_rate": 0.05, "fact_coverage": 0.85},
                                      "latency_ms": {"p50": 150}})
    assert problems == ["answer.false_refusal_rate = 0.1 is above ceiling 0.05"]
