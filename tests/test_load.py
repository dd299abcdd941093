"""50 concurrent clients for a minute against a real server on loopback: zero errors (figures printed with -s and
kept in test-artifacts/load.json)."""

from __future__ import annotations

import json
import sys

import pytest

from rag.settings import Settings
from tests.browser import ARTIFACTS
from tests.conftest import ROOT, rag_server

pytestmark = pytest.mark.slow
sys.path.insert(0, str(ROOT / "evals"))
from load_test import DEFAULT_QUESTIONS, questions_from, run  # noqa: E402


def test_fifty_clients_for_a_minute_without_errors(pack_settings: Settings) -> None:
    with rag_server(pack_settings, RAG_RATE_LIMIT="") as url:
        result = run(url, clients=50, seconds=60, questions=questions_from(DEFAULT_QUESTIONS), max_requests=20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    assert result["errors"] == 0, result["statuses"]
    assert result["requests"] >= 100 and result["statuses"] == {"200": result["requests"]}
