"""Shared fixtures: real corpora in temporary folders, the real embedding model, a real Chroma server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "corpus" / "pack"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pack_records(limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in (PACK / "studies.jsonl").read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def write_records(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def make_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"corpus_dir": tmp / "corpus", "data_dir": tmp / "data"}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Settings:
    """Ten pack records in a fresh corpus folder, with an empty index folder."""
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(10))
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def pack_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The whole knowledge pack, ingested once per test session into an embedded store."""
    from rag.ingest import ingest

    tmp = tmp_path_factory.mktemp("pack")
    shutil.copytree(PACK, tmp / "corpus" / "pack")
    settings = make_settings(tmp)
    summary = ingest(settings, progress=False, log=lambda _m: None)
    assert summary.sources == 70 and not summary.failures
    return settings


def _wait_http(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {seconds}s")


class ChromaProcess:
    """A real Chroma server (`chroma run`) on loopback storing in `path`; can be stopped and started again on the
    same port and data, as an operator restarting it would."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path, self.port = path, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / "server.log").open("a") as log:
            self._proc = subprocess.Popen(
                [str(BIN / "chroma"), "run", "--path", str(self.path / "data"), "--host", "127.0.0.1",
                 "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        _wait_http(f"{self.url}/api/v2/heartbeat")
        return self.url

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=20)
            self._proc = None


@contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[ChromaProcess]:
    server = ChromaProcess(path, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on loopback: RAG_TEST_CHROMA_URL if CI started one, else one started here."""
    given = os.environ.get("RAG_TEST_CHROMA_URL")
    if given:
        _wait_http(f"{given}/api/v2/heartbeat")
        yield given
        return
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server.url


def rag_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a `rag` subprocess working on these settings."""
    env = dict(os.environ)
    env.update({"RAG_CORPUS_DIR": str(settings.corpus_dir), "RAG_DATA_DIR": str(settings.data_dir)})
    if settings.chroma_url:
        env["RAG_CHROMA_URL"] = settings.chroma_url
    env.update(extra)
    return env


def make_pdf(path: Path, pages: list[str], title: str = "", author: str = "") -> Path:
    """A real text PDF written with reportlab (one string per page)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    for text in pages:
        y = 800
        words, line = text.split(), ""
        for word in words:
            if len(line) + len(word) > 90:
                pdf.drawString(40, y, line)
                y, line = y - 14, ""
            line = f"{line} {word}".strip()
        pdf.drawString(40, y, line)
        pdf.showPage()
    pdf.save()
    return path


@contextmanager
def rag_server(settings: Settings, **env: str) -> Iterator[str]:
    """`rag serve` in a subprocess on a free loopback port (extra RAG_* variables in `env`); yields its URL once
    /api/health answers, which `rag serve` only does after loading the index and the embedding model."""
    port = free_port()
    log = (Path(settings.data_dir).parent / f"serve-{port}.log").open("w")
    proc = subprocess.Popen([str(BIN / "rag"), "serve", "--port", str(port)], env=rag_env(settings, **env),
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/api/health", 120)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # an open stream can hold a graceful shutdown: do not hang the suite
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def hostile_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The pack plus one record whose every field carries HTML, script or Markdown that must stay text."""
    from rag.ingest import ingest

    tmp = tmp_path_factory.mktemp("hostile")
    shutil.copytree(PACK, tmp / "corpus" / "pack")
    shutil.copy(FIXTURES / "hostile.jsonl", tmp / "corpus" / "hostile.jsonl")
    settings = make_settings(tmp)
    summary = ingest(settings, progress=False, log=lambda _m: None)
    assert summary.sources == 71 and not summary.failures
    return settings
