"""Operator logs: each answer's outcome (answered / refused and why), LLM fallbacks, ingest failures and generation
switches, as key=value lines; no question text at the default level, never a secret."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.ingest import ingest
from rag.settings import Settings
from tests.conftest import make_settings, pack_records, write_records
from tests.llm_servers import FakeLLMServer

QUESTION = "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("rag")]


def test_answers_and_refusals_are_logged_without_the_question(pack_settings: Settings,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    assistant = Assistant(pack_settings)
    with caplog.at_level(logging.INFO, logger="rag"):
        assistant.ask(QUESTION)
        assistant.ask("What is the capital of Australia?")
        assistant.ask("What dose of cisplatin should my father take?")
    lines = _lines(caplog)
    assert any("event=answer outcome=answered" in line and "backend=extractive" in line for line in lines)
    assert any("outcome=refused reason=out-of-scope" in line for line in lines)
    assert any("outcome=refused reason=medical-advice" in line for line in lines)
    assert not any("omental" in line or "Australia" in line or "father" in line for line in lines)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="rag"):
        assistant.ask(QUESTION)
    assert any("event=question" in line and "omental" in line for line in _lines(caplog))


def test_llm_fallback_is_logged_without_secrets(pack_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with FakeLLMServer("openai") as server:
        server.status = 401
        settings = pack_settings.model_copy(update={"backend": "openai", "openai_base_url": server.url,
                                                    "openai_api_key": "sk-log-secret-123", "llm_timeout_s": 5.0})
        with caplog.at_level(logging.DEBUG, logger="rag"):
            answer = Assistant(settings).ask(QUESTION)
    assert answer.backend == "extractive"
    text = "\n".join(_lines(caplog))
    assert "event=llm_fallback backend=openai" in text and "requested=openai" in text
    assert "sk-log-secret-123" not in text and server.url not in text


def test_ingest_failures_and_generation_switches_are_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(3))
    (tmp_path / "corpus" / "empty.pdf").write_bytes(b"")
    settings = make_settings(tmp_path)
    with caplog.at_level(logging.INFO, logger="rag"):
        first = ingest(settings, progress=False, log=lambda _m: None)
        write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(4))
        second = ingest(settings, progress=False, log=lambda _m: None)
    lines = _lines(caplog)
    assert any("event=ingest_failure" in line and "empty.pdf" in line for line in lines)
    assert any(f"event=generation_switch previous=none current={first.generation}" in line for line in lines)
    assert any(f"previous={first.generation} current={second.generation}" in line for line in lines)
