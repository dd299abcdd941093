"""Ask a list of questions over the HTTP API and write one CSV row per answer.

    .venv/bin/python evals/ask_api.py evals/questions/dev.jsonl --api http://127.0.0.1:7860 --out answers.csv

Questions come from a JSON-lines file in the evals format (a "question" field, optional "id") or a plain text file
(one question per line). Rate limits are respected: on 429 the script waits as long as `Retry-After` says."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import httpx
from tqdm import tqdm

COLUMNS = ["id", "question", "refused", "refusal_reason", "answer", "cited_sources", "cited_dois", "backend",
           "warnings", "total_ms"]


def read_questions(path: Path) -> list[tuple[str, str]]:
    """(id, question) pairs from a JSONL file with a 'question' field, or from plain lines."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            row = json.loads(line)
            out.append((str(row.get("id", n)), row["question"]))
        else:
            out.append((str(n), line.strip()))
    return out


def ask(client: httpx.Client, question: str, backend: str | None, retries: int = 5) -> dict:
    body = {"question": question, **({"backend": backend} if backend else {})}
    for _ in range(retries):
        response = client.post("/api/ask", json=body)
        if response.status_code == 429:  # rate limited: wait as told, then try again
            time.sleep(float(response.headers.get("Retry-After", "5")))
            continue
        if response.status_code >= 400:
            raise SystemExit(f"error {response.status_code}: {response.json().get('message', response.text)}")
        return response.json()
    raise SystemExit("still rate limited after several waits; raise RAG_RATE_LIMIT or slow down")


def row(qid: str, question: str, answer: dict) -> dict:
    return {"id": qid, "question": question, "refused": answer["refused"], "refusal_reason": answer["refusal_reason"],
            "answer": answer["answer"], "cited_sources": " ".join(c["source_id"] for c in answer["citations"]),
            "cited_dois": " ".join(c["doi"] for c in answer["citations"] if c["doi"]), "backend": answer["backend"],
            "warnings": " | ".join(answer["warnings"]), "total_ms": answer["timings_ms"].get("total", "")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--api", default="http://127.0.0.1:7860", help="the server's base URL")
    parser.add_argument("--out", type=Path, default=Path("answers.csv"))
    parser.add_argument("--backend", default=None, help="answer backend (default: the server's)")
    parser.add_argument("--token", default=os.environ.get("RAG_API_TOKEN"), help="API token, if the server needs one")
    args = parser.parse_args(argv)
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    questions = read_questions(args.questions)
    with httpx.Client(base_url=args.api, headers=headers, timeout=120) as client, \
            args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for qid, question in tqdm(questions, desc="asking", unit="q", file=sys.stderr):
            writer.writerow(row(qid, question, ask(client, question, args.backend)))
    print(f"wrote {len(questions)} answers to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
