"""Evaluation outputs: summary.json, results.jsonl, report.md (worst questions first) and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag.evaluation import RETRIEVAL_METRICS, RetrievalRun


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


def summary_table(summary: dict[str, Any]) -> str:
    rows = [("backend", summary["backend"]), ("questions", f"{summary['n']} ({summary['n_in_scope']} in scope, "
                                                           f"{summary['n_out_of_scope']} out of scope)")]
    rows += [(f"retrieval {k}", f"{v:.3f}") for k, v in summary["retrieval"].items()]
    rows += [(k.replace("_", " "), f"{v:.3f}") for k, v in summary["answer"].items()]
    rows += [("answer latency p50 / p95", f"{summary['latency_ms']['p50']:.0f} / {summary['latency_ms']['p95']:.0f} ms")]
    return "| metric | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def _badness(row: dict[str, Any]) -> tuple:
    """Sort key: wrong refusals and misses first, then missing facts, then a late first expected source."""
    wrong_refusal = row["refused"] != (row["kind"] == "out-of-scope")
    rank = row["first_expected_rank"] or 99
    return (not wrong_refusal, row["kind"] == "out-of-scope", row["cites_expected"], -len(row["facts_missing"]), -rank)


def report_markdown(summary: dict[str, Any], rows: list[dict[str, Any]], retrieval: RetrievalRun,
                    questions_file: Path) -> str:
    worst = sorted(rows, key=_badness)
    lines = [
        "# Evaluation report", "", f"Questions: `{questions_file}`", "", summary_table(summary), "",
        "## Retrieval: system and baselines", "", retrieval_table(retrieval.metrics), "",
        "![recall@k](recall_at_k.png)", "", "![latency](latency.png)", "",
        "## Questions, worst first", "",
        "| id | kind | refused | cites expected | first expected rank | facts missing | question |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in worst:
        lines.append(
            f"| {row['id']} | {row['kind']} | {row['refused']} | {row['cites_expected']} | "
            f"{row['first_expected_rank'] or '-'} | {'; '.join(row['facts_missing']) or '-'} | "
            f"{row['question'].replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def plot(retrieval: RetrievalRun, latencies: list[float], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    paths = [out / "recall_at_k.png", out / "latency.png"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for method, curve in retrieval.curves.items():
        ax.plot(range(1, len(curve) + 1), curve, marker="o", label=method)
    ax.set(xlabel="k (distinct sources)", ylabel="recall@k", title="Retrieval recall@k by method", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[0], dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(latencies, bins=20, color="#4477aa")
    ax.set(xlabel="full answer latency (ms)", ylabel="questions", title="Answer latency (warm)")
    fig.tight_layout()
    fig.savefig(paths[1], dpi=110)
    plt.close(fig)
    return paths


def write_outputs(out: Path, summary: dict[str, Any], rows: list[dict[str, Any]], retrieval: RetrievalRun,
                  questions_file: Path) -> None:
    write_retrieval_report(retrieval.metrics, out, questions_file, summary["n_in_scope"])
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    plot(retrieval, [r["latency_ms"] for r in rows], out)
    (out / "report.md").write_text(report_markdown(summary, rows, retrieval, questions_file))

