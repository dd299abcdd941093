"""Faults a deployment meets, each checked by what a user sees afterwards: an ingest killed at random points, a full
disk, a read-only data directory, the Chroma server going away and coming back while two app processes use it, a
1,000-page PDF, and a server letting go of an old generation's store after a switch."""

from __future__ import annotations

import gc
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from rag.api import STORE_DOWN
from rag.assistant import Assistant
from rag.index import Index, generations_dir, read_current
from rag.ingest import ingest
from rag.settings import Settings
from tests.conftest import (BIN, ChromaProcess, make_pdf, make_settings, pack_records, rag_env, rag_server,
                            write_records)

pytestmark = pytest.mark.slow

QUESTION = "How do stromal exosomes make ovarian cancer cells resist paclitaxel?"


def quiet(settings: Settings) -> object:
    return ingest(settings, progress=False, log=lambda _m: None)


def fillers(tag: str, n: int) -> list[dict]:
    return [{"id": f"filler-{tag}-{i}", "title": f"Filler record {tag} {i}",
             "summary": f"Filler text {tag} number {i} about nothing in particular. Its second sentence, {i}."}
            for i in range(n)]


def assert_whole(settings: Settings) -> Index:
    """The current generation opens, every part has the size its manifest promises, and it answers."""
    index = Index.open(settings)
    assert len(index.sources) == index.manifest.n_sources
    assert len(index.chunks) == index.manifest.n_chunks == index.vector_count()
    first = pack_records(1)[0]
    hits = Assistant(settings).search(first["title"], k=1)
    assert hits and hits[0].source.id == first["id"]
    return index


def open_files_under(folder: Path) -> list[str]:
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def rag_ingest(settings: Settings, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN / "rag"), "ingest", "-q"], env=rag_env(settings), text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)  # type: ignore[call-overload]


def wait_for_embedding(proc: subprocess.Popen[str]) -> float:
    """Block until the child says it is embedding (loading and chunking are done); returns that moment."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("embedding"):
            return time.monotonic()
    raise AssertionError("ingest ended before embedding")


def test_the_old_generation_store_is_released_after_a_switch(small_corpus: Settings) -> None:
    quiet(small_corpus)
    assistant = Assistant(small_corpus)  # what a long-running server holds
    assistant.search(QUESTION)
    old = assistant.index().folder
    assert open_files_under(old)  # the embedded store is open while it is served
    rows = pack_records(10)
    rows[0]["summary"] += " An added sentence on exosomal PD-L1."
    write_records(small_corpus.corpus_dir / "pack" / "studies.jsonl", rows)
    quiet(small_corpus)
    assistant.search(QUESTION)  # the next request moves to the new generation
    gc.collect()
    assert assistant.index().folder != old
    assert open_files_under(old) == []


def test_kill_at_random_points_of_ingest_never_leaves_a_broken_index(small_corpus: Settings) -> None:
    quiet(small_corpus)
    corpus = small_corpus.corpus_dir / "filler.jsonl"
    write_records(corpus, fillers("calibrate", 150))
    before = read_current(small_corpus)
    proc = rag_ingest(small_corpus)
    started = wait_for_embedding(proc)
    while read_current(small_corpus) == before:  # embedding + writing + switching: the part worth interrupting
        assert proc.poll() is None, "calibration ingest ended without switching"
        time.sleep(0.02)
    span = time.monotonic() - started
    assert proc.wait(timeout=300) == 0
    rng = random.Random(20261128)
    outcomes = []
    for trial in range(6):
        before = read_current(small_corpus)
        write_records(corpus, fillers(f"t{trial}", 150))
        proc = rag_ingest(small_corpus)
        delay = rng.uniform(0.2, 1.15) * span  # the last draws land after the switch, in the clean-up
        started = wait_for_embedding(proc)
        time.sleep(max(0.0, started + delay - time.monotonic()))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = read_current(small_corpus)
        index = assert_whole(small_corpus)
        if after != before:  # switched: the new generation is the whole new corpus, not a part of it
            assert f"filler-t{trial}-149" in index.sources
        half = [g.name for g in generations_dir(small_corpus).iterdir() if not (g / "manifest.json").exists()]
        outcomes.append("switched" if after != before else "kept previous" + (" (half-written left)" if half else ""))
    print(f"kill -9 at random points: {outcomes} (span {span:.1f}s)")
    # the next ingest completes over whatever the kills left, and clears the debris
    write_records(corpus, fillers("final", 150))
    quiet(small_corpus)
    assert_whole(small_corpus)
    assert all((g / "manifest.json").exists() for g in generations_dir(small_corpus).iterdir())


@contextmanager
def small_filesystem(path: Path, megabytes: int) -> Iterator[bool]:
    """A tmpfs of the given size at `path` when this process may mount (root in CI); False when it may not."""
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
                             capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_fails_clearly_and_keeps_the_previous_index(tmp_path: Path) -> None:
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(10))
    with small_filesystem(tmp_path / "disk", 3) as mounted:
        settings = make_settings(tmp_path, data_dir=tmp_path / "disk" / "data")
        quiet(settings)
        gc.collect()
        served = read_current(settings)
        write_records(tmp_path / "corpus" / "filler.jsonl", fillers("big", 700))
        # without a mount, a file-size limit makes writes fail the same way (EFBIG instead of ENOSPC)
        extra = {} if mounted else {"preexec_fn": lambda: _limit_file_size(1_500_000)}
        proc = rag_ingest(settings, **extra)
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 2, err
        assert "could not write the new index" in err and f"({served})" in err, err
        assert ("the disk is full" in err) if mounted else ("File too large" in err), err
        assert read_current(settings) == served
        assert sorted(p.name for p in generations_dir(settings).iterdir()) == [served]  # no half generation left
        assert_whole(settings)
        (tmp_path / "corpus" / "filler.jsonl").unlink()
        assert quiet(settings).up_to_date  # type: ignore[attr-defined]


def test_a_read_only_data_directory_refuses_ingest_clearly_and_still_answers(tmp_path: Path) -> None:
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(10))
    with small_filesystem(tmp_path / "disk", 64) as mounted:
        settings = make_settings(tmp_path, data_dir=tmp_path / "disk" / "data")
        quiet(settings)
        gc.collect()  # no store left open for writing, or the remount is refused
        served = read_current(settings)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(tmp_path / "disk")], check=True)
        elif os.geteuid() != 0:
            subprocess.run(["chmod", "-R", "a-w", str(settings.data_dir)], check=True)
        else:
            pytest.skip("root without mount permission cannot make a directory read-only")
        write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(12))
        proc = rag_ingest(settings)
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 2
        assert "cannot write to the data directory" in err and ("Read-only" in err or "ermission" in err), err
        assert read_current(settings) == served
        answer = subprocess.run([str(BIN / "rag"), "ask", QUESTION], env=rag_env(settings), capture_output=True,
                                text=True, timeout=300)
        # A small index answers from its memory-mapped vectors without opening Chroma (which would need write
        # access): read-only serving works.
        assert answer.returncode == 0 and "[1]" in answer.stdout, answer.stderr
        assert "Traceback" not in answer.stderr
        # made writable again, the untouched previous index answers
        if mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(tmp_path / "disk")], check=True)
        else:
            subprocess.run(["chmod", "-R", "u+w", str(settings.data_dir)], check=False)
        assert read_current(settings) == served
        assert_whole(settings)


def _ask(url: str) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60)


def test_two_servers_survive_the_chroma_server_going_away_and_coming_back(tmp_path: Path) -> None:
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(10))
    chroma = ChromaProcess(tmp_path / "chroma")
    settings = make_settings(tmp_path, chroma_url=chroma.start())
    try:
        quiet(settings)
        with rag_server(settings, RAG_RATE_LIMIT="") as first, rag_server(settings, RAG_RATE_LIMIT="") as second:
            for url in (first, second):
                response = _ask(url)
                assert response.status_code == 200 and response.json()["citations"]
            chroma.stop()
            down = _ask(first)
            assert down.status_code == 503 and down.json()["message"] == STORE_DOWN
            assert down.headers["retry-after"] == "5" and chroma.url not in down.text
            health = httpx.get(f"{second}/api/health", timeout=30)
            assert health.status_code == 503 and health.json()["status"] == "store-unreachable"
            chroma.start()  # same port, same data: an operator's restart
            for url in (first, second):
                back = _ask(url)  # the very next request recovers
                assert back.status_code == 200 and back.json()["citations"], back.text
    finally:
        chroma.stop()


# Run a command from a small Python and report the command's own peak RSS. Measured straight from the test
# process, the figure would start at this process's size: a child spawned by vfork/fork carries its parent's
# resident set until exec, and Linux keeps that high-water mark in the child's ru_maxrss.
_PEAK_PROBE = ("import os, subprocess, sys\n"
               "with open(sys.argv[1], 'w') as log:\n"
               "    p = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log)\n"
               "    _pid, status, usage = os.wait4(p.pid, 0)\n"
               "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n")


def peak_rss_mb(command: list[str], env: dict[str, str], log: Path) -> tuple[int, float]:
    """(exit status, peak resident memory in MB) of `command`, its output in `log`."""
    done = subprocess.run([sys.executable, "-c", _PEAK_PROBE, str(log), *command], env=env, capture_output=True,
                          text=True, check=True, timeout=1800)
    status, kilobytes = done.stdout.split()
    return int(status), int(kilobytes) / 1024


def test_a_thousand_page_pdf_ingests_in_bounded_memory(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.corpus_dir.mkdir(parents=True)
    pages = [f"Page {i} of a generated report. Exosomal marker EXM{i} was measured in sample S{i} after cisplatin. "
             f"Its level rose {i % 7 + 2}-fold in resistant cells of line L{i}." for i in range(1, 1001)]
    make_pdf(settings.corpus_dir / "report.pdf", pages, title="A generated thousand-page exosome report")
    # The query encoder's one-time ONNX export depends on the model, not the document: measured on its own here,
    # so the ingest below measures what the document costs.
    status, export_mb = peak_rss_mb([sys.executable, "-m", "rag.query_encoder"], rag_env(settings), tmp_path / "export.log")
    print(f"one-time query-encoder export: peak RSS {export_mb:.0f} MB")
    assert status == 0 and export_mb < 2500
    status, peak_mb = peak_rss_mb([str(BIN / "rag"), "ingest", "-q"], rag_env(settings), tmp_path / "ingest.log")
    print(f"1,000-page PDF: peak RSS {peak_mb:.0f} MB")
    assert status == 0, (tmp_path / "ingest.log").read_text()
    index = Index.open(settings)
    assert len(index.sources) == 1 and max(c.page or 0 for c in index.chunks) == 1000
    hit = Assistant(settings).search("exosomal marker EXM999 in sample S999", k=1)[0]
    assert hit.chunk.page == 999
    assert peak_mb < 1500, f"peak RSS {peak_mb:.0f} MB"
