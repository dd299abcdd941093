"""Cold `rag ask`: wall time of a new process answering one question, five times each, with the ONNX query encoder
(what ingest sets up) and with the sentence-transformers fallback (the same index without its ONNX export).

    .venv/bin/python evals/cold_start.py        (part of `make bench`; needs `rag ingest` first)
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTION = "How do fibroblast exosomes make pancreatic cancer resist gemcitabine?"
RUNS = 5


def timed_ask(env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "rag"), "ask", QUESTION, "--json"], env=env, capture_output=True, text=True,
                          check=True, timeout=300)
    return time.perf_counter() - start, json.loads(done.stdout)["answer"]


def main() -> None:
    from rag.settings import get_settings

    settings = get_settings()
    env = {**__import__("os").environ, "RAG_DATA_DIR": str(settings.data_dir.resolve()),
           "RAG_CORPUS_DIR": str(settings.corpus_dir.resolve())}
    timed_ask(env)  # page cache warm, as on a machine that has run the app before
    onnx = [timed_ask(env) for _ in range(RUNS)]
    with tempfile.TemporaryDirectory() as tmp:  # the same index, without the ONNX export: torch answers
        copy = Path(tmp) / "data"
        shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("encoders"), symlinks=True)
        torch = [timed_ask({**env, "RAG_DATA_DIR": str(copy)}) for _ in range(RUNS)]
    same = {answer for _, answer in onnx} == {answer for _, answer in torch}
    result = {"onnx_median_s": statistics.median(t for t, _ in onnx), "onnx_max_s": max(t for t, _ in onnx),
              "torch_median_s": statistics.median(t for t, _ in torch), "torch_max_s": max(t for t, _ in torch),
              "same_answer": same}
    print(f"cold `rag ask` ({RUNS} runs each): ONNX query encoder median {result['onnx_median_s']:.2f} s "
          f"(max {result['onnx_max_s']:.2f}); sentence-transformers median {result['torch_median_s']:.2f} s "
          f"(max {result['torch_max_s']:.2f}); same answer: {same}  (target <= 4 s)")
    out = ROOT / "evals" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "cold_start.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
