"""The tutorial baseline that every figure is compared with: LangChain's RecursiveCharacterTextSplitter(1000, 200)
and a plain Chroma similarity search with the same embedding model, over the same sources."""

from __future__ import annotations

import tempfile

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.documents import Source
from rag.embeddings import LocalEmbeddings


class TutorialBaseline:
    def __init__(self, sources: list[Source], embeddings: LocalEmbeddings) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        documents = [
            Document(page_content=piece, metadata={"source_id": s.id})
            for s in sources
            for piece in splitter.split_text(s.text)
        ]
        self._dir = tempfile.TemporaryDirectory(prefix="tutorial-baseline-")
        self.store = Chroma.from_documents(
            documents, embeddings, collection_name="tutorial-baseline", persist_directory=self._dir.name
        )
        self.n_chunks = len(documents)

    def search(self, query: str, k: int = 10) -> list[tuple[str, str]]:
        """Distinct sources of the top passages, best first: (source id, passage)."""
        seen: dict[str, str] = {}
        for doc in self.store.similarity_search(query, k=k * 3):
            seen.setdefault(doc.metadata["source_id"], doc.page_content)
        return list(seen.items())[:k]

    def close(self) -> None:
        self._dir.cleanup()
