"""The query encoder: the embedding model exported once to ONNX (at ingest, from the local weights) and run with
onnxruntime and `tokenizers`, so a new process answers without importing torch and sentence-transformers (about
8 s of a cold `rag ask`). Vectors agree with sentence-transformers to ~1e-7 (tests/test_query_encoder.py).

The export lives in `<data_dir>/encoders/`, named by the model and a digest of its weights, and is shared by all
generations. When it is missing (no ingest yet with this release, or a model whose pooling is not a mean), the
sentence-transformers model is used as before."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.model_files import resolve_model_path
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.model_files import Encoder

logger = logging.getLogger("rag.encoder")
EXPORT_VERSION = "onnx-v1"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _model_folder(name: str) -> Path:
    return resolve_model_path(name)


def _weights_digest(folder: Path) -> str:
    """Changes when the weights or the configuration change (size and bytes of the small files, size of the rest)."""
    digest = hashlib.sha256(EXPORT_VERSION.encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
            if path.stat().st_size < 1_000_000:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _pooling_is_mean(folder: Path) -> bool:
    config = folder / "1_Pooling" / "config.json"
    if not config.exists():
        return False
    modes = json.loads(config.read_text())
    return bool(modes.get("pooling_mode_mean_tokens")) and not any(
        v for k, v in modes.items() if k.startswith("pooling_mode") and k != "pooling_mode_mean_tokens")


def _max_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    return int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.exists() else 256


_PATHS: dict[tuple[str, str], Path] = {}


def export_path(settings: Settings) -> Path:
    """`<data_dir>/encoders/<model>-<digest>.onnx` (remembered per process: the digest reads the model folder)."""
    key = (str(settings.data_dir), settings.embedding_model)
    if key not in _PATHS:
        folder = _model_folder(settings.embedding_model)
        name = "".join(ch if ch.isalnum() else "-" for ch in folder.name)[:40]
        _PATHS[key] = settings.data_dir / "encoders" / f"{name}-{_weights_digest(folder)}.onnx"
    return _PATHS[key]


def export_onnx(settings: Settings, transformer: object) -> Path | None:
    """Write the ONNX export of `transformer` (the Hugging Face module inside the sentence-transformers model) once;
    None when this model cannot be served this way (its pooling is not a mean, or the exporter failed)."""
    target = export_path(settings)
    if target.exists():
        return target
    folder = _model_folder(settings.embedding_model)
    if not _pooling_is_mean(folder) or not (folder / "tokenizer.json").exists():
        logger.info("query encoder: %s is not a mean-pooled model with tokenizer.json; keeping torch", folder)
        return None
    try:
        _export(transformer, target)
    except Exception as exc:  # an exporter problem must never fail an ingest: queries fall back to torch
        logger.warning("query encoder: ONNX export failed (%s); queries use sentence-transformers", exc)
        return None
    return target


def _export(transformer: object, target: Path) -> None:
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    if any(p.device.type != "cpu" for p in transformer.parameters()):  # type: ignore[attr-defined]
        transformer = copy.deepcopy(transformer).cpu()  # embedded on a GPU; the export runs (and serves) on CPU
    example = torch.ones((1, 8), dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(".export-*"):  # left by an ingest killed mid-export (ingest holds the lock)
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".onnx")
    os.close(fd)
    try:
        with warnings.catch_warnings():  # the exporter's notes on aten::index do not apply to these inputs
            warnings.simplefilter("ignore")
            torch.onnx.export(LastHidden(transformer).eval(), (example, example, torch.zeros_like(example)), tmp,
                              input_names=list(_INPUTS), output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*_INPUTS, "last_hidden_state")},
                              opset_version=17, dynamo=False)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


class OnnxEncoder:
    """Mean-pooled, L2-normalised sentence vectors from the ONNX export. It has LangChain's Embeddings methods
    without subclassing it: importing LangChain's base class pulls in its callback stack (a quarter second)."""

    def __init__(self, model_file: Path, model_folder: Path, name: str, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = name
        self._tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(_max_length(model_folder))
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self.dimension = int(self.encode(["dimension probe"]).shape[1])

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dimension", 0)), dtype=np.float32)
        with self._lock:
            encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=4)
def _onnx_encoder(model_file: Path, model_folder: Path, name: str) -> OnnxEncoder:
    return OnnxEncoder(model_file, model_folder, name)


def query_encoder(settings: Settings) -> Encoder:
    """The ONNX encoder when this model's export exists and onnxruntime is installed, else sentence-transformers."""
    try:
        path = export_path(settings)
        if path.exists():
            return _onnx_encoder(path, _model_folder(settings.embedding_model), settings.embedding_model)
    except ImportError:
        pass
    except Exception as exc:  # a damaged export: say so, answer with torch
        logger.warning("query encoder: cannot load %s (%s); using sentence-transformers", export_path(settings), exc)
    from rag.embeddings import get_embeddings

    return get_embeddings(settings.embedding_model, settings.embedding_batch_size)


def main() -> int:
    """`python -m rag.query_encoder`: export the configured model for RAG_DATA_DIR (run by `rag ingest`)."""
    from rag.embeddings import get_embeddings

    settings = Settings()
    model = get_embeddings(settings.embedding_model, settings.embedding_batch_size, "cpu")
    return 0 if export_onnx(settings, model.transformer()) is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
