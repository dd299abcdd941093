"""The one library object the CLI, the HTTP API and the UI share: index, retrieval and answering."""

from __future__ import annotations

from rag.index import Index, IndexHandle
from rag.settings import Settings


class Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._handle = IndexHandle(settings)

    def index(self) -> Index:
        """The current index generation (reopened after an ingest switches it)."""
        return self._handle.get()
