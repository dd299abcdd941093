"""The one library object the CLI, the HTTP API and the UI share: index, retrieval and answering."""

from __future__ import annotations

import threading

from rag.answering import Turn, answer_question
from rag.documents import Answer
from rag.embeddings import LocalEmbeddings, get_embeddings
from rag.filters import Filters
from rag.generation import Backend, llm_backend
from rag.generation.extractive import ExtractiveBackend
from rag.index import Index, IndexHandle
from rag.retrieval import HybridSearch, Hit, Method
from rag.settings import Settings


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
    def embeddings(self) -> LocalEmbeddings:
        return get_embeddings(self.settings.embedding_model, self.settings.embedding_batch_size)

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

    def backend(self, name: str | None = None) -> Backend:
        """The named answer backend (default from settings), built once per process."""
        name = name or self.settings.backend
        search = self.searcher()
        if name == "extractive":
            return ExtractiveBackend(search)
        with self._lock:
            if name not in self._backends:
                self._backends[name] = llm_backend(name, self.settings)
            return self._backends[name]

    def ask(self, question: str, backend: str | None = None, k: int | None = None, filters: Filters | None = None,
            history: list[Turn] | None = None) -> Answer:
        """A cited answer, or a refusal with the closest sources as 'see also'."""
        return answer_question(self.searcher(), question, self.backend(backend), k or self.settings.top_k, filters,
                               history)
