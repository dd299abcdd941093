"""The fast query encoder (ONNX export + onnxruntime + tokenizers) gives the vectors and the answers of the
sentence-transformers model, and a cold `rag ask` imports only what answering needs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rag.answering import answer_question
from rag.embeddings import get_embeddings
from rag.evaluation import load_questions
from rag.generation.extractive import ExtractiveBackend
from rag.index import Index
from rag.query_encoder import OnnxEncoder, export_path, query_encoder
from rag.retrieval import HybridSearch
from rag.settings import Settings
from tests.conftest import ROOT, rag_env

DEV = load_questions(ROOT / "evals" / "questions" / "dev.jsonl")


def test_ingest_exported_the_model_and_queries_use_it(pack_settings: Settings) -> None:
    assert export_path(pack_settings).exists()
    assert isinstance(query_encoder(pack_settings), OnnxEncoder)


def test_onnx_vectors_equal_sentence_transformers(pack_settings: Settings) -> None:
    index = Index.open(pack_settings)
    texts = [q.question for q in DEV] + [c.embed_text for c in index.chunks[:40]] + ["", "x" * 3000, "TGF-β ↑ 5-FU"]
    onnx = query_encoder(pack_settings).encode(texts)  # type: ignore[attr-defined]
    torch = get_embeddings(pack_settings.embedding_model).encode(texts)
    assert onnx.shape == torch.shape
    assert float(np.abs(onnx - torch).max()) < 1e-5


def test_answers_on_the_dev_set_are_the_same_with_either_encoder(pack_settings: Settings) -> None:
    index = Index.open(pack_settings)
    fast = HybridSearch(index, query_encoder(pack_settings))  # type: ignore[arg-type]
    slow = HybridSearch(index, get_embeddings(pack_settings.embedding_model))
    for q in DEV:
        a = answer_question(fast, q.question, ExtractiveBackend(fast), 5)
        b = answer_question(slow, q.question, ExtractiveBackend(slow), 5)
        assert (a.answer, [c.chunk_id for c in a.citations], a.refused) == \
            (b.answer, [c.chunk_id for c in b.citations], b.refused), q.question


def test_without_the_export_queries_fall_back_to_sentence_transformers(pack_settings: Settings, tmp_path) -> None:
    other = pack_settings.model_copy(update={"data_dir": tmp_path / "empty"})
    assert type(query_encoder(other)).__name__ == "LocalEmbeddings"


HEAVY = ("torch", "sentence_transformers", "transformers", "gradio", "chromadb", "fastapi", "ranx", "matplotlib",
         "langchain_core", "langsmith", "wordfreq", "langchain_openai", "langchain_ollama", "numba")


@pytest.mark.parametrize("argv", [["ask", "How do fibroblast exosomes make pancreatic cancer resist gemcitabine?"],
                                  ["search", "miR-21 paclitaxel", "--k", "3"]])
def test_a_cold_command_imports_only_what_it_needs(pack_settings: Settings, argv: list[str]) -> None:
    probe = ("import sys\nfrom rag.cli import app\n"
             f"try:\n    app({argv!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
             "import json\nprint('MODULES=' + json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], env=rag_env(pack_settings), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.split("MODULES=")[-1]))
    assert "[1]" in done.stdout or argv[0] == "search"
    assert not [m for m in HEAVY if m in modules]
