"""The index on disk: generations of (Chroma collection + BM25 + chunk and source records) and a CURRENT pointer.

Every ingest writes a complete new generation and then switches CURRENT with one atomic rename, so a reader
(or an ingest killed half-way) always sees a whole index. Only ``rag ingest`` writes; servers read.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
import numpy as np

from rag.atomic import write_atomic
from rag.documents import Chunk, Source
from rag.filters import source_metadata
from rag.lexical import LexicalIndex
from rag.logs import fields
from rag.settings import Settings

if TYPE_CHECKING:  # chromadb is imported where a store is opened: it costs a second of a cold start
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

# Bump when the files of a generation change: the next ingest then writes a complete new generation.
LAYOUT_VERSION = "layout-3"  # 2: title vectors; 3: chunk vectors as a memory-mapped .npy

logger = logging.getLogger("rag.index")


class IndexStoreError(RuntimeError):
    """Base of index errors; the message tells the user what to run."""


class IndexMissingError(IndexStoreError):
    pass


class IndexMismatchError(IndexStoreError):
    pass


class StoreUnavailableError(IndexStoreError):
    """The Chroma server cannot be reached (down or restarting); the next request tries again."""


@contextmanager
def store_call(settings: Settings) -> Iterator[None]:
    """Turn a lost connection to the Chroma server into StoreUnavailableError (other errors pass through)."""
    try:
        yield
    except IndexStoreError:
        raise
    except Exception as exc:  # httpx errors, or chromadb's ValueError("Could not connect ...")
        if not settings.chroma_url or not _is_connection_error(exc):
            raise
        raise StoreUnavailableError(f"the Chroma server {settings.chroma_url} is not reachable: {exc}") from exc


def _is_connection_error(exc: BaseException) -> bool:
    for err in (exc, exc.__cause__, exc.__context__):
        if isinstance(err, (httpx.TransportError, ConnectionError)):
            return True
        if err is not None and "could not connect" in str(err).lower():
            return True
    return False


@dataclass
class Manifest:
    generation: str
    collection: str
    embedding_model: str
    dimension: int
    chunker_version: str
    lexical_version: str
    store: str  # "embedded" or the Chroma server URL
    created: str
    n_sources: int
    n_chunks: int
    fingerprint: str
    chunking: str = ""  # chunker version and settings: equal means an unchanged source's chunks can be reused

    def collection_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedding_model,
            "dimension": self.dimension,
            "chunker_version": self.chunker_version,
            "generation": self.generation,
        }


# ---------------------------------------------------------------- layout


def generations_dir(settings: Settings) -> Path:
    return settings.data_dir / "generations"


def current_file(settings: Settings) -> Path:
    return settings.data_dir / "CURRENT"


def read_current(settings: Settings) -> str | None:
    try:
        return json.loads(current_file(settings).read_text())["generation"]
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        return None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write to a temporary file, fsync, rename over (then fsync the folder, so the rename survives a crash)."""
    write_atomic(path, json.dumps(data, indent=1))
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def set_current(settings: Settings, generation: str) -> None:
    write_json_atomic(current_file(settings), {"generation": generation})


# ---------------------------------------------------------------- Chroma


def chroma_client(settings: Settings, generation_dir: Path) -> ClientAPI:
    """Chroma's HTTP client when RAG_CHROMA_URL is set, else an embedded store inside the generation folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise IndexStoreError(f"RAG_CHROMA_URL '{settings.chroma_url}' is not a URL like http://127.0.0.1:8000")
        with store_call(settings):
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
    store = generation_dir / "chroma"
    if store.exists() and not os.access(store, os.W_OK):
        # Chroma's embedded store writes to its folder even to read; say so rather than show a SQLite error.
        raise IndexStoreError(f"the index in {generation_dir.parent.parent} is read-only, and Chroma's embedded "
                              "store needs write access to open it: make that folder writable, or serve from a "
                              "Chroma server (RAG_CHROMA_URL)")
    return chromadb.PersistentClient(path=str(store), settings=chroma_settings)


def store_name(settings: Settings) -> str:
    return settings.chroma_url or "embedded"


# ---------------------------------------------------------------- records


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def save_sentence_vectors(folder: Path, per_chunk: list[np.ndarray], dimension: int) -> None:
    """Sentence vectors of every chunk, stacked, with the owning chunk row of each."""
    matrix = np.concatenate(per_chunk) if per_chunk else np.zeros((0, dimension), dtype=np.float32)
    owner = np.repeat(np.arange(len(per_chunk), dtype=np.int32), [len(m) for m in per_chunk])
    np.save(folder / "sentence_vectors.npy", matrix.astype(np.float32))
    np.save(folder / "sentence_owner.npy", owner)


def load_sentence_vectors(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Memory-mapped: a query reads only the sentences of its candidate chunks."""
    return np.load(folder / "sentence_vectors.npy", mmap_mode="r"), np.load(folder / "sentence_owner.npy")


def save_chunk_vectors(folder: Path, matrix: np.ndarray) -> None:
    """One vector per chunk, in the order of chunks.jsonl (the exact vectors the ranking scores with)."""
    np.save(folder / "chunk_vectors.npy", matrix.astype(np.float32))


def load_chunk_vectors(folder: Path) -> np.ndarray | None:
    """Memory-mapped chunk vectors; None for a generation written before they were saved (layout-2)."""
    try:
        return np.load(folder / "chunk_vectors.npy", mmap_mode="r")
    except FileNotFoundError:
        return None


def save_title_vectors(folder: Path, matrix: np.ndarray) -> None:
    """One vector per source title, in the order of sources.jsonl."""
    np.save(folder / "title_vectors.npy", matrix.astype(np.float32))


def load_title_vectors(folder: Path, n_sources: int, dimension: int) -> np.ndarray:
    """Title vectors; zeros for a generation written before they existed (until the next ingest writes them, the
    title adds the same to every source, which leaves the ranking as it was)."""
    try:
        return np.load(folder / "title_vectors.npy")
    except FileNotFoundError:
        return np.zeros((n_sources, dimension), dtype=np.float32)


# ---------------------------------------------------------------- reader


class Index:
    """A read-only view of one complete generation."""

    def __init__(self, settings: Settings, manifest: Manifest, folder: Path) -> None:
        self.settings = settings
        self.manifest = manifest
        self.folder = folder
        self.sources: dict[str, Source] = {
            row["id"]: Source.from_dict(row) for row in read_jsonl(folder / "sources.jsonl")
        }
        self.chunks: list[Chunk] = [Chunk.from_dict(row) for row in read_jsonl(folder / "chunks.jsonl")]
        self.row_of: dict[str, int] = {c.id: i for i, c in enumerate(self.chunks)}
        self.lexical = LexicalIndex.load(folder / "bm25")
        self.sentence_matrix, self.sentence_owner = load_sentence_vectors(folder)
        # row i's sentences are sentence_matrix[sentence_start[i]:sentence_start[i + 1]]
        self.sentence_start = np.searchsorted(self.sentence_owner, np.arange(len(self.chunks) + 1))
        self.title_matrix = load_title_vectors(folder, len(self.sources), manifest.dimension)
        source_row = {sid: i for i, sid in enumerate(self.sources)}
        self.source_row = np.array([source_row[c.source_id] for c in self.chunks], dtype=np.int64)  # chunk -> source
        # What filters read, once per source (a filter is evaluated per source and broadcast to chunks).
        self.source_metadata = [source_metadata(s) for s in self.sources.values()]
        self._vectors = load_chunk_vectors(folder)
        # Chroma is opened on first use: a small embedded index answers from the memory-mapped vectors without
        # importing chromadb (a second of every cold `rag ask`); large indexes and server mode query it.
        self._store = _Store(settings, manifest, folder)
        self._release = weakref.finalize(self, _Store.close, self._store)

    @property
    def collection(self) -> Collection:
        return self._store.collection()

    @property
    def vectors(self) -> np.ndarray:
        """Chunk vectors in chunk order (memory-mapped; read from Chroma for a generation that predates them)."""
        if self._vectors is None:
            by_id = self.all_vectors()
            self._vectors = np.stack([np.asarray(by_id[c.id], dtype=np.float32) for c in self.chunks]) \
                if by_id else np.zeros((0, max(self.manifest.dimension, 1)), dtype=np.float32)
        return self._vectors

    @classmethod
    def open(cls, settings: Settings) -> Index:
        generation = read_current(settings)
        if generation is None:
            raise IndexMissingError(f"no index in {settings.data_dir}: run `rag ingest` first")
        folder = generations_dir(settings) / generation
        try:
            manifest = Manifest(**json.loads((folder / "manifest.json").read_text()))
        except (FileNotFoundError, TypeError, json.JSONDecodeError) as exc:
            raise IndexMissingError(f"index generation {generation} is damaged: run `rag ingest --rebuild`") from exc
        check_model(settings, asdict(manifest), settings.data_dir)
        if manifest.store != store_name(settings):
            raise IndexMismatchError(
                f"the index was built in Chroma store '{manifest.store}', the settings point to "
                f"'{store_name(settings)}': run `rag ingest --rebuild`"
            )
        try:
            return cls(settings, manifest, folder)
        except FileNotFoundError as exc:
            raise IndexMissingError(
                f"index generation {generation} is incomplete ({exc.filename}): run `rag ingest --rebuild`"
            ) from exc

    def vector_count(self) -> int:
        with store_call(self.settings):
            return self.collection.count()

    def all_vectors(self) -> dict[str, list[float]]:
        """Every chunk vector by chunk id, read from the store."""
        with store_call(self.settings):
            got = self.collection.get(include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def vectors_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Vectors of the given chunks (for reuse by the next ingest)."""
        if self._vectors is not None:
            return {cid: np.asarray(self._vectors[self.row_of[cid]], dtype=np.float32) for cid in ids}
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 500):
            with store_call(self.settings):
                got = self.collection.get(ids=ids[start : start + 500], include=["embeddings"])
            found |= {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
        return found

    def close(self) -> None:
        self._release()

    @property
    def closed(self) -> bool:
        return not self._release.alive

    def dense(self, vector: list[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        """Nearest chunks by cosine similarity: (row in self.chunks, similarity), best first."""
        k = min(k, len(self.chunks))
        if k == 0:
            return []
        with store_call(self.settings):
            found = self.collection.query(query_embeddings=[vector], n_results=k, where=where or None,
                                          include=["distances"])
        return [(self.row_of[cid], 1.0 - float(d)) for cid, d in zip(found["ids"][0], found["distances"][0])]

    def title_vectors(self) -> dict[str, np.ndarray]:
        """Title text -> vector, for reuse by the next ingest."""
        return {s.title: self.title_matrix[i] for i, s in enumerate(self.sources.values()) if self.title_matrix[i].any()}

    def sentence_vectors(self, row: int) -> np.ndarray:
        """Vectors of the sentences of chunk `row`, in order."""
        return self.sentence_matrix[self.sentence_start[row] : self.sentence_start[row + 1]]

    def stats(self) -> dict[str, Any]:
        by_format: dict[str, int] = {}
        for source in self.sources.values():
            by_format[source.format] = by_format.get(source.format, 0) + 1
        return {
            "generation": self.manifest.generation,
            "created": self.manifest.created,
            "store": self.manifest.store,
            "collection": self.manifest.collection,
            "embedding_model": self.manifest.embedding_model,
            "dimension": self.manifest.dimension,
            "chunker_version": self.manifest.chunker_version,
            "sources": len(self.sources),
            "chunks": len(self.chunks),
            "vectors": self.vector_count(),
            "retracted_sources": sum(s.retracted for s in self.sources.values()),
            "sources_by_format": by_format,
        }


class _Store:
    """The generation's Chroma client and collection, opened on first use and closed with the Index."""

    def __init__(self, settings: Settings, manifest: Manifest, folder: Path) -> None:
        self.settings, self.manifest, self.folder = settings, manifest, folder
        self.client: ClientAPI | None = None
        self._collection: Collection | None = None
        self._lock = threading.Lock()

    def collection(self) -> Collection:
        with self._lock:
            if self._collection is None:
                self._collection = self._open()
            return self._collection

    def _open(self) -> Collection:
        self.client = chroma_client(self.settings, self.folder)
        try:
            with store_call(self.settings):
                collection = self.client.get_collection(self.manifest.collection, embedding_function=None)
        except StoreUnavailableError:
            raise
        except Exception as exc:  # chromadb raises NotFoundError/ValueError depending on client and version
            raise IndexMissingError(
                f"Chroma collection '{self.manifest.collection}' is missing from {self.manifest.store}: "
                "run `rag ingest --rebuild`"
            ) from exc
        check_model(self.settings, collection.metadata or asdict(self.manifest), self.settings.data_dir)
        return collection

    def close(self) -> None:
        with self._lock:
            client, self.client, self._collection = self.client, None, None
        if client is None:
            return
        try:
            client.close()
        except Exception as exc:  # closing must never fail a request; a leak is logged, not raised
            logger.warning(fields(event="store_close_failed", reason=str(exc)))


def check_model(settings: Settings, recorded: dict[str, Any], where: Path) -> None:
    """An index embedded with one model cannot be searched with vectors of another."""
    built_with = recorded.get("embedding_model")
    if built_with and built_with != settings.embedding_model:
        raise IndexMismatchError(
            f"the index in {where} was built with embedding model '{built_with}' "
            f"({recorded.get('dimension')} dimensions, chunker {recorded.get('chunker_version')}), "
            f"but the settings ask for '{settings.embedding_model}'. Run `rag ingest --rebuild` to rebuild it."
        )


class IndexHandle:
    """The current index for a long-running server: reopens when an ingest switches CURRENT."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._index: Index | None = None
        self._lock = threading.Lock()

    def get(self) -> Index:
        """The current generation; if a newer one cannot be opened, the one already open keeps answering."""
        generation = read_current(self.settings)
        with self._lock:
            if self._index is None or self._index.manifest.generation != generation:
                try:
                    self._index = Index.open(self.settings)
                except IndexStoreError as exc:
                    if self._index is None:
                        raise
                    logger.error(fields(event="generation_open_failed", generation=generation or "none",
                                        serving=self._index.manifest.generation, reason=str(exc)))
                    return self._index
                logger.info(fields(event="generation_opened", generation=self._index.manifest.generation))
            return self._index


def remove_generation(settings: Settings, generation: str, client: ClientAPI | None = None) -> None:
    """Delete a generation's folder and, in server mode, its collection."""
    if settings.chroma_url and client is not None:
        try:
            client.delete_collection(f"{settings.collection_prefix}-{generation}")
        except Exception:  # already gone: nothing to clean
            pass
    shutil.rmtree(generations_dir(settings) / generation, ignore_errors=True)
