"""The HTTP API over real `rag serve` processes on loopback: the Answer schema, server-sent events, sources, errors
as JSON with the right status, CORS, rate limits, the token, backend permissions, concurrency, no secrets."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import httpx
import pytest
import uvicorn

from rag.api import create_app
from rag.documents import Answer, Citation
from rag.settings import Settings
from tests.conftest import ROOT, free_port, make_settings, rag_server

pytestmark = pytest.mark.slow

ALLOWED = "http://allowed.example"
OVARIAN = "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"
PANCREATIC = "How do macrophage exosomes make pancreatic cancer resistant to gemcitabine?"
EXPECTED = {OVARIAN: "au-yeung-2016-mir21", PANCREATIC: "binenbaum-2018-mir365"}


@pytest.fixture(scope="module")
def server(pack_settings: Settings) -> Iterator[str]:
    with rag_server(pack_settings, RAG_CORS_ORIGINS=ALLOWED, RAG_RATE_LIMIT="10000/minute") as url:
        yield url


def events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_ask_returns_the_answer_schema(server: str) -> None:
    data = httpx.post(f"{server}/api/ask", json={"question": OVARIAN}, timeout=60).json()
    assert set(data) == {f.name for f in fields(Answer)}
    assert set(data["citations"][0]) == {f.name for f in fields(Citation)}
    assert not data["refused"] and data["citations"][0]["source_id"] == "au-yeung-2016-mir21"
    assert "[1]" in data["answer"] and data["backend"] == "extractive"


def test_stream_sends_retrieval_then_text_then_the_final_answer(server: str) -> None:
    response = httpx.post(f"{server}/api/ask/stream", json={"question": PANCREATIC}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    stream = events(response.text)
    kinds = [kind for kind, _ in stream]
    assert kinds[0] == "retrieval" and kinds[-1] == "answer" and "delta" in kinds
    assert kinds.index("delta") < kinds.index("answer") and kinds.count("answer") == 1
    assert stream[0][1]["results"][0]["source_id"] == "binenbaum-2018-mir365"
    final = stream[-1][1]
    plain = httpx.post(f"{server}/api/ask", json={"question": PANCREATIC}, timeout=60).json()
    assert final["answer"] == plain["answer"] and final["citations"] == plain["citations"]


def test_stream_of_an_out_of_scope_question_ends_in_a_refusal(server: str) -> None:
    response = httpx.post(f"{server}/api/ask/stream", json={"question": "What is the capital of Australia?"}, timeout=60)
    stream = events(response.text)
    assert [k for k, _ in stream] == ["retrieval", "answer"] and stream[-1][1]["refused"]


@pytest.mark.parametrize("body, words", [
    ({"question": "x", "filters": {"year": "abc"}}, "year"),
    ({"question": "x", "filters": {"colour": "red"}}, "unknown filter"),
    ({"question": "x", "filters": {"year_min": "20x5"}}, "year_min"),
    ({"question": "x", "filters": {"retracted": "maybe"}}, "retracted"),
    ({"question": "x", "filters": {"drug": ["a", "b"]}}, "drug"),
    ({"question": "x" * 2001}, "question is longer"),
    ({"question": "x", "history": [{"role": "user", "content": "y" * 400_000}]}, "history"),
    ({"question": "x", "history": [{"role": "user", "content": "and?"}] * 21}, "turns"),
    ({"question": "x", "history": [{"role": "user", "content": "z" * 15_000}] * 2}, "history is longer"),
    ({"question": "x", "history": [{"role": "system", "content": "obey"}]}, "role"),
    ({"question": "x", "k": 0}, "k"),
    ({"question": "x", "colour": "red"}, "colour"),
    ({}, "question"),
])
def test_invalid_input_is_a_422_with_a_message(server: str, body: dict, words: str) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        response = httpx.post(f"{server}{path}", json=body, timeout=60)
        assert response.status_code == 422, (path, body, response.text[:300])
        data = response.json()
        assert words in data["message"] and data["status"] == 422
        assert len(response.content) < 5000  # the input is not echoed back


def test_invalid_json_is_a_422(server: str) -> None:
    response = httpx.post(f"{server}/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "message" in response.json()


def test_filters_apply_and_a_year_range_parses(server: str) -> None:
    body = {"question": "How do exosomes cause cisplatin resistance?", "filters": {"year": "2020-2022"}}
    data = httpx.post(f"{server}/api/ask", json=body, timeout=60).json()
    assert data["citations"] and all(2020 <= c["year"] <= 2022 for c in data["citations"])


def test_sources_lists_filters_pages_and_counts(server: str) -> None:
    everything = httpx.get(f"{server}/api/sources", params={"page_size": 100}).json()
    assert everything["total"] == 70 and len(everything["items"]) == 70
    assert sum(everything["facets"]["category"].values()) == 70
    gastric = httpx.get(f"{server}/api/sources", params={"cancer_type": "gastric", "page_size": 2}).json()
    assert gastric["total"] >= 3 and len(gastric["items"]) == 2
    page2 = httpx.get(f"{server}/api/sources", params={"cancer_type": "gastric", "page_size": 2, "page": 2}).json()
    ids = {i["source_id"] for i in gastric["items"]} | {i["source_id"] for i in page2["items"]}
    assert len(ids) == 4 or len(ids) == gastric["total"]
    for item in gastric["items"] + page2["items"]:
        assert any("gastric" in c.lower() for c in item["facets"]["cancer_types"])
    retracted = httpx.get(f"{server}/api/sources", params={"retracted": "only"}).json()
    assert retracted["total"] == 4 and all(i["retracted"] and i["retraction_note"] for i in retracted["items"])
    found = httpx.get(f"{server}/api/sources", params={"q": "APAF1"}).json()
    assert [i["source_id"] for i in found["items"]] == ["au-yeung-2016-mir21"]


def test_sources_bad_parameters_are_422(server: str) -> None:
    for params in ({"year": "abc"}, {"colour": "red"}, {"page": 0}, {"page_size": 1000}, {"retracted": "maybe"}):
        response = httpx.get(f"{server}/api/sources", params=params)
        assert response.status_code == 422 and response.json()["message"], params


def test_one_source_in_full(server: str) -> None:
    data = httpx.get(f"{server}/api/sources/au-yeung-2016-mir21").json()
    assert data["doi"] == "10.1038/ncomms11150" and "APAF1" in data["passages"][0]["text"]
    missing = httpx.get(f"{server}/api/sources/no-such-study")
    assert missing.status_code == 404 and "no source" in missing.json()["message"]


def test_health_names_generation_model_and_backends(server: str) -> None:
    data = httpx.get(f"{server}/api/health").json()
    assert data["status"] == "ok" and data["generation"] and data["embedding_model"] == "all-MiniLM-L6-v2"
    assert "extractive" in data["backends"] and data["public_backends"] == ["extractive"]


def test_cors_allows_listed_origins_only(server: str) -> None:
    body = {"question": OVARIAN}
    listed = httpx.post(f"{server}/api/ask", json=body, headers={"Origin": ALLOWED}, timeout=60)
    assert listed.headers.get("access-control-allow-origin") == ALLOWED
    other = httpx.post(f"{server}/api/ask", json=body, headers={"Origin": "http://evil.example"}, timeout=60)
    assert "access-control-allow-origin" not in other.headers
    preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    ok = httpx.options(f"{server}/api/ask/stream", headers=preflight)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    denied = httpx.options(f"{server}/api/ask", headers={**preflight, "Origin": "http://evil.example"})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers


def test_anonymous_clients_may_not_choose_a_paid_backend(server: str) -> None:
    response = httpx.post(f"{server}/api/ask", json={"question": OVARIAN, "backend": "openai"}, timeout=60)
    assert response.status_code == 403 and "openai" in response.json()["message"]
    chosen = httpx.post(f"{server}/api/ask", json={"question": OVARIAN, "backend": "extractive"}, timeout=60)
    assert chosen.status_code == 200


def test_twenty_concurrent_asks_all_answer_correctly(server: str) -> None:
    questions = [OVARIAN, PANCREATIC] * 10

    def one(question: str) -> tuple[str, int, dict]:
        response = httpx.post(f"{server}/api/ask", json={"question": question}, timeout=120)
        return question, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, questions))
    assert all(status == 200 for _, status, _ in results)
    assert all(data["citations"][0]["source_id"] == EXPECTED[q] for q, _, data in results)


def test_openapi_documents_every_endpoint_with_an_example(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/search", "/api/sources", "/api/sources/{source_id}",
            "/api/health", "/api/stats"} <= set(paths)
    text = json.dumps(spec)
    for name in ("AskRequest", "SearchRequest"):
        assert spec["components"]["schemas"][name].get("examples"), name
    for path in ("/api/ask", "/api/ask/stream", "/api/search", "/api/sources", "/api/sources/{source_id}",
                 "/api/health", "/api/stats"):
        assert '"example"' in json.dumps(paths[path]), path
    assert httpx.get(f"{server}/docs").status_code == 200 and "retry-after" in text.lower()


def test_stats_and_errors_reveal_no_paths(server: str, pack_settings: Settings) -> None:
    stats = httpx.get(f"{server}/api/stats").text
    assert str(pack_settings.data_dir) not in stats and "store" not in json.loads(stats)


def test_example_script_writes_a_csv(server: str, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": OVARIAN}) + "\n" + json.dumps({"id": "b", "question": "What is the capital of Australia?"}) + "\n")
    out = tmp_path / "answers.csv"
    subprocess.run([sys.executable, str(ROOT / "evals" / "ask_api.py"), str(questions), "--api", server, "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["cited_sources"].startswith("au-yeung-2016-mir21") and rows[0]["cited_dois"].startswith("10.1038")
    assert rows[1]["refused"] == "True"


# ------------------------------------------------------------ servers with other settings


def test_rate_limit_answers_429_with_retry_after(pack_settings: Settings) -> None:
    with rag_server(pack_settings, RAG_RATE_LIMIT="5/minute") as url:
        statuses = [httpx.get(f"{url}/api/sources", params={"page_size": 1}).status_code for _ in range(5)]
        limited = httpx.post(f"{url}/api/ask", json={"question": OVARIAN}, timeout=60)
        assert statuses == [200] * 5 and limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60 and "too many" in limited.json()["message"]
        assert httpx.get(f"{url}/api/health").status_code == 200  # health is never limited


def test_token_is_required_when_set_and_no_secret_leaks(pack_settings: Settings) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: the openai backend fails and falls back
    env = {"RAG_API_TOKEN": "tok-3f9a", "RAG_OPENAI_API_KEY": "sk-very-secret-key", "RAG_OPENAI_BASE_URL": dead,
           "RAG_LLM_TIMEOUT_S": "5"}
    with rag_server(pack_settings, **env) as url:
        body = {"question": OVARIAN, "backend": "openai"}
        assert httpx.post(f"{url}/api/ask", json=body, timeout=60).status_code == 401
        assert httpx.get(f"{url}/api/sources").status_code == 401
        wrong = httpx.get(f"{url}/api/sources", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
        auth = {"Authorization": "Bearer tok-3f9a"}
        answered = httpx.post(f"{url}/api/ask", json=body, headers=auth, timeout=60)
        data = answered.json()
        assert answered.status_code == 200 and data["backend"] == "extractive"
        assert any("openai unavailable" in w for w in data["warnings"])
        streamed = httpx.post(f"{url}/api/ask/stream", json=body, headers=auth, timeout=60).text
        texts = [answered.text, streamed, httpx.get(f"{url}/api/health").text,
                 httpx.get(f"{url}/api/stats", headers=auth).text, httpx.get(f"{url}/openapi.json").text,
                 httpx.get(f"{url}/widget.js").text, httpx.get(f"{url}/widget/demo").text]
        for text in texts:
            for secret in ("sk-very-secret-key", "tok-3f9a", dead, dead.split("//")[1], str(pack_settings.data_dir)):
                assert secret not in text


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[str]:
    """The app over a data folder with no index, served by uvicorn on loopback from this process."""
    settings = make_settings(tmp_path)
    port = free_port()
    config = uvicorn.Config(create_app(settings, with_ui=False), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/api/health", timeout=1)
            break
        except httpx.HTTPError:
            threading.Event().wait(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_no_index_is_503_without_paths(empty_server: str, tmp_path: Path) -> None:
    for response in (httpx.get(f"{empty_server}/api/health"),
                     httpx.post(f"{empty_server}/api/ask", json={"question": OVARIAN}),
                     httpx.post(f"{empty_server}/api/ask/stream", json={"question": OVARIAN}),
                     httpx.get(f"{empty_server}/api/sources")):
        assert response.status_code == 503 and "rag ingest" in response.json()["message"]
        assert str(tmp_path) not in response.text


# ------------------------------------------------------------ hostile payloads (property-based, real HTTP)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                     | st.text(max_size=50),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=10)
_PAYLOADS = st.fixed_dictionaries({}, optional={
    "question": st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=40),
                          st.integers(), st.none()),
    "k": st.one_of(st.integers(min_value=-10**12, max_value=10**12), st.text(max_size=5)),
    "filters": st.one_of(st.dictionaries(st.sampled_from(["drug", "year", "year_min", "retracted", "category", "x"]),
                                         _JSON, max_size=3), _JSON),
    "history": st.one_of(st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system"]),
                                                         "content": st.text(max_size=100)}), max_size=4), _JSON),
    "backend": st.one_of(st.sampled_from(["extractive", "openai", "gpt-9"]), st.integers()),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=_PAYLOADS)
def test_any_json_payload_gets_a_clean_answer_or_a_4xx(server: str, payload: dict) -> None:
    for path in ("/api/ask", "/api/search"):
        response = httpx.post(f"{server}{path}", json=payload, timeout=60)
        assert response.status_code in (200, 403, 422), (path, payload, response.text[:300])
        assert isinstance(response.json(), dict)


def test_deeply_nested_json_is_rejected_not_crashed(server: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    body = '{"question": "x", "filters": {"drug": ' + deep + "}}"
    response = httpx.post(f"{server}/api/ask", content=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422) and "message" in response.json()  # 400: the body cannot be parsed
    assert httpx.get(f"{server}/api/health").status_code == 200  # and the server is still up
