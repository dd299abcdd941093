"""`rag serve` starts over a built index and answers on loopback (what `make run` ends with)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from rag.settings import Settings
from tests.conftest import BIN, rag_env, rag_server


@pytest.fixture(scope="module")
def server(pack_settings: Settings) -> Iterator[str]:
    with rag_server(pack_settings) as url:
        yield url


def test_health_and_stats(server: str) -> None:
    assert httpx.get(f"{server}/api/health").json()["status"] == "ok"
    stats = httpx.get(f"{server}/api/stats").json()
    assert stats["sources"] == 70 and stats["embedding_model"] == "all-MiniLM-L6-v2"


def test_ui_page_is_served(server: str) -> None:
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_serve_without_index_fails_clearly(tmp_path) -> None:
    settings = Settings(corpus_dir=tmp_path / "c", data_dir=tmp_path / "d")
    result = subprocess.run([str(BIN / "rag"), "serve"], env=rag_env(settings), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "run `rag ingest` first" in result.stderr


def test_search_endpoint(server: str) -> None:
    body = {"query": "miR-365 gemcitabine macrophages", "k": 3, "filters": {"year_min": 2015}}
    data = httpx.post(f"{server}/api/search", json=body, timeout=60).json()
    assert data["results"][0]["source_id"] == "binenbaum-2018-mir365"
    assert all(r["year"] >= 2015 for r in data["results"])
    bad = httpx.post(f"{server}/api/search", json={"query": "x", "filters": {"retracted": "maybe"}}, timeout=60)
    assert bad.status_code == 422


def test_ask_endpoint(server: str) -> None:
    body = {"question": "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"}
    data = httpx.post(f"{server}/api/ask", json=body, timeout=60).json()
    assert not data["refused"] and data["citations"][0]["source_id"] == "au-yeung-2016-mir21"
    refused = httpx.post(f"{server}/api/ask", json={"question": "What is the capital of Australia?"}, timeout=60).json()
    assert refused["refused"] and refused["see_also"]
    follow = {"question": "and in gastric cancer?",
              "history": [{"role": "user", "content": "How do fibroblast exosomes cause cisplatin resistance?"}]}
    assert httpx.post(f"{server}/api/ask", json=follow, timeout=60).status_code == 200


def test_ui_chat_answers_with_references(server: str) -> None:
    from gradio_client import Client

    reply = Client(server, verbose=False).predict(
        "How do macrophage exosomes make pancreatic cancer resistant to gemcitabine?", api_name="/respond"
    )
    assert "[1]" in reply and "**References**" in reply and "Binenbaum" in reply
