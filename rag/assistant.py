"""The one library object the CLI, the HTTP API and the UI share: index, retrieval and answering."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from rag.answering import Event, Turn, answer_events, answer_question
from rag.documents import Answer
from rag.filters import Filters
from rag.generation import Backend, llm_backend
from rag.generation.extractive import ExtractiveBackend
from rag.index import Index, IndexHandle
from rag.retrieval import HybridSearch, Hit, Method
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.model_files import Encoder


class Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._handle = IndexHandle(settings)
        self._search: HybridSearch | None = None
        self._lock = threading.Lock()
        self._backends: dict[str, Backend] = {}

    def index(self) -> Index:
        """The current index generation (reopened after an ingest switches it)."""
        return self._handle.get()

    @property
    def embeddings(self) -> Encoder:
        from rag.query_encoder import query_encoder

        return query_encoder(self.settings)  # type: ignore[return-value]

    def searcher(self) -> HybridSearch:
        index = self.index()
        with self._lock:
            if self._search is None or self._search.index is not index:
                self._search = HybridSearch(index, self.embeddings)
            return self._search

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               method: Method = "hybrid") -> list[Hit]:
        """Ranked passages, one per source, each with a calibrated relevance score."""
        return self.searcher().search(query, k or self.settings.top_k, filters or Filters(), method)

    def backend(self, name: str | None = None, search: HybridSearch | None = None) -> Backend:
        """The named answer backend (default from settings); LLM backends are built once per process."""
        name = name or self.settings.backend
        if name == "extractive":
            return ExtractiveBackend(search or self.searcher(), self.settings.answer_max_words)
        with self._lock:
            if name not in self._backends:
                self._backends[name] = llm_backend(name, self.settings)
            return self._backends[name]

    def configured_backends(self) -> list[str]:
        """Backends that can answer here: extractive always; an LLM backend when its settings or package say it is
        set up (no network call: a configured endpoint that is down still falls back to extractive per request)."""
        s = self.settings
        configured = {
            "openai": bool({"openai_base_url", "openai_api_key", "openai_model"} & s.model_fields_set),
            "ollama": bool({"ollama_url", "ollama_model"} & s.model_fields_set),
            "llamacpp": importlib.util.find_spec("llama_cpp") is not None,
        }
        names = ["extractive", s.backend] + [name for name, ok in configured.items() if ok]
        return list(dict.fromkeys(names))

    def available_backends(self) -> list[str]:
        """Configured backends that answer a quick check now (extractive always), for the UI's backend menu."""
        from rag.clients import llamacpp, ollama, openai_compat

        probes = {"openai": openai_compat.reachable, "ollama": ollama.reachable, "llamacpp": llamacpp.reachable}
        return [name for name in self.configured_backends() if name == "extractive" or probes[name](self.settings)]

    def warm_up(self) -> None:
        """Open the index, load the query encoder and run one whole extractive answer (retrieval, the advice and
        lead models, the citation check; the Chroma store too when it is used), so the first request is as fast as
        later ones. `rag serve` accepts connections only after this."""
        self.ask("How do exosomes make cancer cells resist chemotherapy?", backend="extractive")
        self.searcher().search("exosome chemoresistance", 1, Filters(), "hybrid")

    def ask(self, question: str, backend: str | None = None, k: int | None = None, filters: Filters | None = None,
            history: list[Turn] | None = None) -> Answer:
        """A cited answer, or a refusal with the closest sources as 'see also'."""
        search = self.searcher()  # once: an ingest switching generations mid-request must not mix two indexes
        return answer_question(search, question, self.backend(backend, search), k or self.settings.top_k, filters,
                               history)

    def ask_events(self, question: str, backend: str | None = None, k: int | None = None,
                   filters: Filters | None = None, history: list[Turn] | None = None) -> Iterator[Event]:
        """The same answer as a stream: retrieval results, answer text as produced, the final Answer."""
        search = self.searcher()
        return answer_events(search, question, self.backend(backend, search), k or self.settings.top_k, filters,
                             history)
