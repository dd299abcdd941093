"""Benchmarks, side by side with the tutorial baseline (`make bench`; prints a table, writes evals/out/bench.json).

Measures: full-pack ingest (cold, embedding included) and its chunks/s, re-ingest with nothing changed, cold start to
first answer, warm retrieval and full-answer latency p50/p95, peak RSS of `rag serve` while answering, index size on
disk, and how ingest time and query latency grow at 1x, 10x and 50x the pack (filler records written here).
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACK = ROOT / "corpus" / "pack"
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals/questions/dev.jsonl").read_text().splitlines()]


def env_for(tmp: Path) -> dict[str, str]:
    return {**os.environ, "RAG_CORPUS_DIR": str(tmp / "corpus"), "RAG_DATA_DIR": str(tmp / "data")}


def timed_run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=3600)
    return time.perf_counter() - start


def filler(n: int, seed: int = 7) -> list[dict]:
    """Synthetic records with the pack's vocabulary, so BM25 and the vectors see realistic (but wrong) text."""
    rng = random.Random(seed)
    words = " ".join(json.loads(line)["summary"] for line in (PACK / "studies.jsonl").read_text().splitlines()).split()
    records = []
    for i in range(n):
        sentences = [" ".join(rng.choices(words, k=rng.randint(12, 24))).capitalize() + "." for _ in range(5)]
        records.append({"id": f"filler-{i}", "title": " ".join(rng.choices(words, k=8)), "summary": " ".join(sentences)})
    return records


def make_corpus(tmp: Path, scale: int) -> None:
    shutil.copytree(PACK, tmp / "corpus" / "pack")
    if scale > 1:
        n = 70 * (scale - 1)
        (tmp / "corpus" / "filler").mkdir(parents=True)
        (tmp / "corpus" / "filler" / "filler.jsonl").write_text("".join(json.dumps(r) + "\n" for r in filler(n)))


def warm_latency(tmp: Path) -> dict[str, float]:
    """Retrieval and full extractive answer latency, warm, in this process."""
    os.environ.update(env_for(tmp))
    from rag.assistant import Assistant
    from rag.settings import Settings

    assistant = Assistant(Settings())
    assistant.ask("warm up")
    search_ms, answer_ms = [], []
    for q in QUESTIONS:  # answer first: search would otherwise leave the query vector cached for it
        t = time.perf_counter()
        assistant.ask(q)
        answer_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        assistant.search(q + " ")  # a different string, so the cached vector is not reused
        search_ms.append((time.perf_counter() - t) * 1000)
    return {"search_p50": float(np.percentile(search_ms, 50)), "search_p95": float(np.percentile(search_ms, 95)),
            "answer_p50": float(np.percentile(answer_ms, 50)), "answer_p95": float(np.percentile(answer_ms, 95))}


def server_peak_rss(tmp: Path) -> float:
    """Peak resident memory (MiB) of `rag serve` after answering every dev question over HTTP."""
    port = 7899
    proc = subprocess.Popen([str(BIN / "rag"), "serve", "--port", str(port)], env=env_for(tmp),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        for q in QUESTIONS:
            httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": q}, timeout=60)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def dir_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def tutorial_baseline() -> dict[str, float]:
    """The tutorial pipeline: split + embed into Chroma, then 'answer' with the top passages (no prompt, no LLM)."""
    from rag.baseline import TutorialBaseline
    from rag.embeddings import get_embeddings
    from rag.loaders import load_file

    sources = load_file(PACK / "studies.jsonl") + load_file(PACK / "review.json")
    embeddings = get_embeddings()
    start = time.perf_counter()
    baseline = TutorialBaseline(sources, embeddings)
    ingest_s = time.perf_counter() - start
    baseline.search("warm up")
    times = []
    for q in QUESTIONS:
        t = time.perf_counter()
        "\n\n".join(passage for _, passage in baseline.search(q, 3))  # the "top passages" answer
        times.append((time.perf_counter() - t) * 1000)
    size = dir_mib(Path(baseline._dir.name))
    baseline.close()
    return {"ingest_s": ingest_s, "chunks": baseline.n_chunks, "answer_p50": float(np.percentile(times, 50)),
            "answer_p95": float(np.percentile(times, 95)), "index_mib": size}


def main() -> None:
    results: dict[str, object] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    scaling = {}
    for scale in (1, 10, 50):
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-{scale}x-"))
        make_corpus(tmp, scale)
        ingest_s = timed_run([str(BIN / "rag"), "ingest", "-q"], env_for(tmp))
        chunks = json.loads(subprocess.run([str(BIN / "rag"), "stats", "--json"], env=env_for(tmp), check=True,
                                           capture_output=True, text=True).stdout)["chunks"]
        row = {"chunks": chunks, "ingest_s": ingest_s, "chunks_per_s": chunks / ingest_s}
        if scale == 1:
            row["reingest_s"] = timed_run([str(BIN / "rag"), "ingest", "-q"], env_for(tmp))
            row["cold_first_answer_s"] = timed_run([str(BIN / "rag"), "ask", QUESTIONS[0]], env_for(tmp))
            row["server_peak_rss_mib"] = server_peak_rss(tmp)
            row["index_mib"] = dir_mib(tmp / "data")
        row |= subprocess_latency(tmp)
        scaling[f"{scale}x"] = row
        print(f"{scale}x: {json.dumps({k: round(v, 2) for k, v in row.items()})}", flush=True)
        shutil.rmtree(tmp, ignore_errors=True)
    results["scaling"] = scaling
    results["tutorial"] = tutorial_baseline()
    print_table(results)
    out = ROOT / "evals" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2))


def subprocess_latency(tmp: Path) -> dict[str, float]:
    """Warm latency measured in a fresh process per corpus, so scales do not share caches."""
    code = f"import json,sys; sys.path.insert(0, {str(ROOT / 'evals')!r}); import bench; print(json.dumps(bench.warm_latency(__import__('pathlib').Path({str(tmp)!r}))))"
    out = subprocess.run([sys.executable, "-c", code], env=env_for(tmp), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(r: dict) -> None:
    one, ten, fifty, tut = r["scaling"]["1x"], r["scaling"]["10x"], r["scaling"]["50x"], r["tutorial"]
    rows = [
        ("full pack ingest, cold (s)", f"{one['ingest_s']:.1f}", f"{tut['ingest_s']:.1f} (model already loaded)"),
        ("ingest throughput (chunks/s)", f"{one['chunks_per_s']:.1f}", f"{tut['chunks'] / tut['ingest_s']:.1f}"),
        ("re-ingest, nothing changed (s)", f"{one['reingest_s']:.1f}", "n/a (rebuilds)"),
        ("cold start to first answer (s)", f"{one['cold_first_answer_s']:.1f}", "-"),
        ("warm retrieval p50 / p95 (ms)", f"{one['search_p50']:.1f} / {one['search_p95']:.1f}", "-"),
        ("warm full answer p50 / p95 (ms)", f"{one['answer_p50']:.1f} / {one['answer_p95']:.1f}",
         f"{tut['answer_p50']:.1f} / {tut['answer_p95']:.1f} (top passages)"),
        ("server peak RSS (MiB)", f"{one['server_peak_rss_mib']:.0f}", "-"),
        ("index size on disk (MiB)", f"{one['index_mib']:.1f}", f"{tut['index_mib']:.1f}"),
    ]
    print(f"\nmachine: {r['machine']}\n")
    print("| measure | exorag | tutorial baseline |\n|---|---|---|")
    for name, ours, theirs in rows:
        print(f"| {name} | {ours} | {theirs} |")
    print("\n| corpus | chunks | ingest (s) | chunks/s | retrieval p50 (ms) | answer p50 (ms) |\n|---|---|---|---|---|---|")
    for name, row in (("1x", one), ("10x", ten), ("50x", fifty)):
        print(f"| {name} | {row['chunks']} | {row['ingest_s']:.1f} | {row['chunks_per_s']:.1f} | "
              f"{row['search_p50']:.1f} | {row['answer_p50']:.1f} |")
    print(f"\nquery latency 50x / 1x: retrieval {fifty['search_p50'] / one['search_p50']:.2f}x, "
          f"answer {fifty['answer_p50'] / one['answer_p50']:.2f}x")


if __name__ == "__main__":
    main()
