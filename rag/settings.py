"""One settings object for the whole product, read from the environment (prefix ``RAG_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every knob of the assistant. Each field is documented in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # --- corpus and storage ---
    corpus_dir: Path = Field(Path("corpus"), description="Folder of source files; the index mirrors it.")
    data_dir: Path = Field(Path(".rag"), description="Where index generations (Chroma, BM25, manifest) live.")
    chroma_url: str | None = Field(None, description="Chroma server URL; unset means the embedded store.")
    collection_prefix: str = Field("exorag", description="Prefix of Chroma collection names.")

    # --- embedding and chunking ---
    embedding_model: str = Field(
        PACKAGED_MODEL, description="'all-MiniLM-L6-v2' (packaged, offline) or a local sentence-transformers folder."
    )
    embedding_batch_size: int = Field(32, ge=1)
    chunk_max_chars: int = Field(1200, ge=200, description="Longest chunk; shorter records stay whole.")
    chunk_overlap_sentences: int = Field(1, ge=0)

    # --- retrieval ---
    top_k: int = Field(5, ge=1, le=50)

    # --- serving ---
    host: str = "127.0.0.1"
    port: int = 7860
    log_level: Literal["debug", "info", "warning", "error"] = "info"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
