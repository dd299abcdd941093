"""HybridSearch as a LangChain ``BaseRetriever`` (its own module: LangChain's retriever and tracing stack costs
most of a second to import, which the command line's answer path does not need)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.filters import Filters


class HybridRetriever(BaseRetriever):
    """LangChain retriever over HybridSearch: Documents carry the passage and the source's citation fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search_engine: Any
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.search_engine.search(query, k=self.k, filters=self.filters)
        return [Document(page_content=h.chunk.text, metadata={k: v for k, v in h.to_dict().items() if k != "passage"})
                for h in hits]
