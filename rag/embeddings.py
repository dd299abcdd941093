"""The embedding model, loaded from local files only (the packaged all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.model_files import EmbeddingModelError, Encoder, resolve_model_path
from rag.settings import PACKAGED_MODEL

__all__ = ["EmbeddingModelError", "Encoder", "LocalEmbeddings", "get_embeddings", "resolve_model_path"]


class LocalEmbeddings(Embeddings):
    """A sentence-transformers model behind LangChain's Embeddings interface (normalised vectors)."""

    def __init__(self, name: str = PACKAGED_MODEL, batch_size: int = 32, device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self.device = pick_device(device)
        self._model = SentenceTransformer(str(resolve_model_path(name)), device=self.device)
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

    def transformer(self) -> object:
        """The Hugging Face module inside (what rag/query_encoder.py exports to ONNX)."""
        return self._model[0].auto_model

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def pick_device(device: str) -> str:
    """'auto' -> 'cuda' when torch sees a GPU, else 'cpu'; 'cuda' without one is an error that says so."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise EmbeddingModelError("RAG_DEVICE=cuda but torch sees no CUDA GPU (this torch is "
                                  f"{torch.__version__}; a CPU build has none): install a CUDA build of torch "
                                  "(README, 'Ingest on a GPU') or use RAG_DEVICE=auto")
    return device


@lru_cache(maxsize=4)
def get_embeddings(name: str = PACKAGED_MODEL, batch_size: int = 32, device: str = "cpu") -> LocalEmbeddings:
    """One loaded model per process, name and device (loading costs seconds)."""
    return LocalEmbeddings(name, batch_size, device)
