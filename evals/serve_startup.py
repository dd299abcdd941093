"""Time from `rag serve` to its first answers: how long a person waits after `make run`.

    .venv/bin/python evals/serve_startup.py [--port 7869]

Starts `rag serve` on the current settings' index, polls /api/health until ready, then asks two questions."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx

QUESTIONS = ["How do fibroblast exosomes make pancreatic cancer resist gemcitabine?",
             "Which exosomal lncRNAs have been linked to drug resistance?"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7869)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    started = time.monotonic()
    rag = Path(sys.executable).parent / "rag"
    proc = subprocess.Popen([str(rag), "serve", "--port", str(args.port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit("rag serve exited (is there an index? run `rag ingest`)")
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        ready = time.monotonic()
        laps = []
        for question in QUESTIONS:
            t = time.monotonic()
            httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60).raise_for_status()
            laps.append(1000 * (time.monotonic() - t))
        print(f"ready after {ready - started:.1f} s; first answer {laps[0]:.0f} ms, second {laps[1]:.0f} ms; "
              f"rag serve -> first answer {ready - started + laps[0] / 1000:.1f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
