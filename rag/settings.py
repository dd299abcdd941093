"""One settings object for the whole product, read from the environment (prefix ``RAG_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where ingest embeds: 'auto' takes a CUDA GPU when torch sees one. Queries always run "
                            "the ONNX encoder on the CPU (one short text: a GPU would not be faster).")
    chunk_max_chars: int = Field(1200, ge=200, description="Longest chunk; shorter records stay whole.")
    chunk_overlap_sentences: int = Field(1, ge=0)

    # --- retrieval ---
    top_k: int = Field(5, ge=1, le=50)
    exact_dense_max: int = Field(20000, ge=0, description="Up to this many chunks, dense candidates come from an "
                                 "exact scan of the memory-mapped vectors (Chroma is not opened to answer); above "
                                 "it, and always with RAG_CHROMA_URL, from Chroma's HNSW index.")

    # --- answering ---
    answer_max_words: int = Field(95, ge=20, le=1000, description="Word budget of an extractive answer, counting "
                                  "attributions and caveats (its opening sentence is always kept).")
    subject_gate: bool = Field(True, description="Let the subject model (rag/topic.py, fitted on questions about "
                               "this corpus) refuse off-subject questions with it; turn off for a corpus on another "
                               "subject, leaving the passage relevance curve alone.")
    backend: Literal["extractive", "openai", "ollama", "llamacpp"] = Field(
        "extractive", description="Default answer backend; a request may name another."
    )
    llm_timeout_s: float = Field(60.0, gt=0, description="Per LLM call; on timeout the extractive answer is shown.")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_max_tokens: int = Field(512, ge=16)
    openai_base_url: str = Field("https://api.openai.com/v1", description="Any OpenAI-compatible endpoint.")
    openai_api_key: SecretStr = Field(SecretStr("not-needed"), description="Key for the OpenAI-compatible endpoint.")
    openai_model: str = "gpt-4o-mini"
    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.1:8b"
    llamacpp_model_path: Path | None = Field(None, description="GGUF file; default: the packaged Gemma 3 270M.")
    llamacpp_n_ctx: int = Field(4096, ge=512)
    llamacpp_threads: int = Field(2, ge=1)

    # --- online corpus builder (`rag fetch`) ---
    review_doi: str = Field("10.32604/oncologie.2022.020993", description="The review whose text and references "
                                                                          "`rag fetch` downloads.")
    review_url: str | None = Field(None, description="The review's JATS XML; default: `fulltext.jats_xml` of the "
                                                     "pack record with that DOI.")
    review_html_url: str | None = Field(None, description="HTML fallback; default: the pack's `fulltext.html`.")
    eutils_url: str = Field("https://eutils.ncbi.nlm.nih.gov/entrez/eutils", description="NCBI E-utilities base.")
    europepmc_url: str = Field("https://www.ebi.ac.uk/europepmc/webservices/rest", description="Europe PMC REST base.")
    ncbi_email: str = Field("", description="Sent to NCBI with every request (NCBI asks for a contact address).")
    ncbi_api_key: SecretStr | None = Field(None, description="NCBI API key: 10 requests/s instead of 3.")
    fetch_dir: Path | None = Field(None, description="Where `rag fetch` writes; default: <corpus_dir>/fetched.")
    fetch_timeout_s: float = Field(30.0, gt=0, description="Per request.")
    fetch_retries: int = Field(4, ge=0, description="Retries on 429, 5xx and timeouts, with exponential backoff.")
    fetch_backoff_s: float = Field(1.0, ge=0, description="First backoff delay (doubles each retry; a server's "
                                                          "Retry-After wins when longer).")

    # --- serving ---
    host: str = "127.0.0.1"
    port: int = 7860
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # --- the HTTP edge (API and widget) ---
    api_token: SecretStr | None = Field(None, description="When set, every /api/ call except health needs "
                                                            "'Authorization: Bearer <token>'.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed to call the API from a browser; "
                                          "empty means localhost origins only ('*' allows any).")
    rate_limit: str = Field("60/minute", description="Per-client limit in `limits` notation, e.g. '10/second;"
                                                     "100/minute'; empty disables.")
    public_backends: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["extractive"],
        description="Backends a client without the API token may choose (the default backend is always used "
                    "when a request names none).")
    max_question_chars: int = Field(2000, ge=10)
    max_history_turns: int = Field(20, ge=0)
    max_history_chars: int = Field(20000, ge=0, description="Total characters of all history turns.")

    @field_validator("cors_origins", "public_backends", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """'a, b' from the environment -> ['a', 'b']."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
