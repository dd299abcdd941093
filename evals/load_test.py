"""Load test: N concurrent clients asking questions over the HTTP API for a bounded time, on loopback.

    .venv/bin/python evals/load_test.py --api http://127.0.0.1:7860 --clients 50 --seconds 60

Each client loops over the questions of a question file until the time is up (and at most --max-requests in all),
then the script prints requests, errors, throughput and latency percentiles as JSON. Aim it only at your own server:
start that with RAG_RATE_LIMIT= (empty) or every client shares one address's limit."""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions" / "dev.jsonl"


def questions_from(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("kind") != "out-of-scope"] or [r["question"] for r in rows]


def run(api: str, clients: int, seconds: float, questions: list[str], max_requests: int = 100_000) -> dict:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    budget = itertools.count()

    def client(offset: int) -> None:
        with httpx.Client(base_url=api, timeout=120) as http:
            for i in itertools.count(offset):
                if time.monotonic() >= deadline or next(budget) >= max_requests:
                    return
                started = time.perf_counter()
                try:
                    status = str(http.post("/api/ask", json={"question": questions[i % len(questions)]}).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    latencies.append(1000 * (time.perf_counter() - started))
                    statuses[status] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    errors = sum(n for status, n in statuses.items() if status != "200")
    lat = np.array(latencies) if latencies else np.zeros(1)
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies), "errors": errors,
            "statuses": dict(statuses), "throughput_rps": round(len(latencies) / elapsed, 2),
            "latency_ms": {"p50": round(float(np.percentile(lat, 50)), 1),
                           "p95": round(float(np.percentile(lat, 95)), 1), "max": round(float(lat.max()), 1)}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:7860")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    args = parser.parse_args()
    result = run(args.api, args.clients, args.seconds, questions_from(args.questions), args.max_requests)
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
