"""Corpus -> chunks -> a new index generation. Incremental (unchanged chunks keep their vectors), idempotent,
and atomic (the previous generation stays current until the new one is complete)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from chromadb.api import ClientAPI
from tqdm import tqdm

from rag.chunking import CHUNKER_VERSION, chunk_source
from rag.documents import Chunk, Source
from rag.embeddings import get_embeddings
from rag.filters import METADATA_VERSION, chunk_metadata
from rag.index import (
    LAYOUT_VERSION,
    Index,
    IndexMismatchError,
    IndexStoreError,
    Manifest,
    check_model,
    chroma_client,
    generations_dir,
    read_current,
    remove_generation,
    save_chunk_vectors,
    save_sentence_vectors,
    save_title_vectors,
    set_current,
    store_name,
    write_json_atomic,
    write_jsonl,
)
from rag.lexical import LEXICAL_VERSION, LexicalIndex
from rag.loaders import LoadReport, discover, load_file, load_paths
from rag.loaders.base import LoadError
from rag.logs import fields
from rag.merging import merge_same_work
from rag.model_files import Encoder
from rag.vocabulary import write_common_words
from rag.settings import Settings

Log = Callable[[str], None]

logger = logging.getLogger("rag.ingest")  # `log` is the progress callback parameter of ingest()


@dataclass
class IngestSummary:
    sources: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    generation: str = ""
    up_to_date: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Exit status rule: failure only when nothing could be ingested."""
        return self.sources > 0


class IngestBusyError(IndexStoreError):
    pass


class IngestWriteError(IndexStoreError):
    """The new generation could not be written (disk full, read-only, no permission); the old one stays current."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return os.strerror(exc.errno) + (f" ({exc.filename})" if exc.filename else "")
    return str(exc) or type(exc).__name__


def _disk_note(folder: Path) -> str:
    """Free space where the index is written: Chroma reports a full disk only as a failed compaction."""
    free_mb = shutil.disk_usage(folder).free / 2**20
    return f"the disk is full: {free_mb:.1f} MB free" if free_mb < 8 else f"{free_mb:.0f} MB free on that disk"


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time: Chroma's embedded store is not safe for concurrent writers."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = (settings.data_dir / "ingest.lock").open("w")
    except OSError as exc:
        raise IngestWriteError(f"cannot write to the data directory {settings.data_dir}: {_reason(exc)}. "
                               "The index there (if any) is unchanged.") from exc
    with lock as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusyError(f"another `rag ingest` is writing {settings.data_dir}; wait for it") from exc
        yield  # the lock is released when the file closes (also when the process is killed)


def load_corpus(settings: Settings) -> LoadReport:
    report = load_paths(list(discover(settings.corpus_dir)), root=settings.corpus_dir,
                        cache=settings.data_dir / "parsed")
    report.sources, merges = merge_same_work(report.sources)
    for note in merges:
        logger.info(fields(event="ingest_merge", note=note))
    seen: dict[str, str] = {}
    unique: list[Source] = []
    for source in report.sources:
        if source.id in seen:
            report.failures.append((source.origin, f"duplicate source id '{source.id}' (first in {seen[source.id]})"))
            continue
        seen[source.id] = source.origin
        unique.append(source)
    report.sources = unique
    return report


def fingerprint(settings: Settings, sources: list[Source], chunks: list[Chunk]) -> str:
    """Changes whenever anything that ends up in the index would change."""
    digest = hashlib.sha256()
    for part in (settings.embedding_model, CHUNKER_VERSION, LEXICAL_VERSION, LAYOUT_VERSION, METADATA_VERSION,
                 store_name(settings)):
        digest.update(part.encode())
    for source in sorted(sources, key=lambda s: s.id):
        digest.update(json.dumps(source.to_dict(), sort_keys=True).encode())
    for chunk in chunks:
        digest.update(chunk.id.encode())
    return digest.hexdigest()


def _previous_vectors(previous: Index | None, ids: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Chunk and sentence vectors of unchanged chunks, from the previous generation's files."""
    if previous is None or not ids:
        return {}, {}
    found = previous.vectors_of(ids)
    sentences = {cid: np.asarray(previous.sentence_vectors(previous.row_of[cid])) for cid in found}
    return found, sentences


def _open_previous(settings: Settings, rebuild: bool, log: Log) -> Index | None:
    if rebuild or read_current(settings) is None:
        return None
    try:
        return Index.open(settings)
    except IndexMismatchError:
        raise
    except IndexStoreError as exc:  # damaged or missing: start afresh rather than fail
        log(f"previous index unusable ({exc}); building a new one")
        return None


def _model(settings: Settings, encoder: Encoder | None) -> Encoder:
    return encoder or get_embeddings(settings.embedding_model, settings.embedding_batch_size, settings.device)


def _embed(
    settings: Settings, chunks: list[Chunk], progress: bool, log: Log, encoder: Encoder | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Embed each chunk (with its context) and each of its sentences (for sentence-level matching and answers)."""
    if not chunks:
        return {}, {}
    model = _model(settings, encoder)
    texts = [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentences]
    log(f"embedding {len(chunks)} chunks ({len(texts)} texts with their sentences) with {settings.embedding_model} "
        f"on {getattr(model, 'device', 'cpu')}")
    parts = []
    batch = settings.embedding_batch_size
    with tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress) as bar:
        for start in range(0, len(texts), batch):
            parts.append(model.encode(texts[start : start + batch]))
            bar.update(len(parts[-1]))
    out = np.concatenate(parts)
    vectors = {c.id: out[i] for i, c in enumerate(chunks)}
    sentences: dict[str, np.ndarray] = {}
    offset = len(chunks)
    for c in chunks:
        sentences[c.id] = out[offset : offset + len(c.sentences)]
        offset += len(c.sentences)
    return vectors, sentences


def _title_vectors(settings: Settings, sources: list[Source], previous: Index | None,
                   encoder: Encoder | None = None) -> np.ndarray:
    """One vector per source title (a field the ranking compares with the question); unchanged titles keep theirs."""
    known = previous.title_vectors() if previous is not None else {}
    todo = list(dict.fromkeys(s.title for s in sources if s.title not in known))
    if todo:
        known = known | dict(zip(todo, _model(settings, encoder).encode(todo)))
    return np.stack([np.asarray(known[s.title], dtype=np.float32) for s in sources])


def _write_generation(
    settings: Settings,
    generation: str,
    sources: list[Source],
    chunks: list[Chunk],
    vectors: dict[str, np.ndarray],
    sentence_vectors: dict[str, np.ndarray],
    title_vectors: np.ndarray,
    print_: str,
) -> Manifest:
    folder = generations_dir(settings) / generation
    folder.mkdir(parents=True)
    dimension = len(next(iter(vectors.values()))) if vectors else 0
    manifest = Manifest(
        generation=generation,
        collection=f"{settings.collection_prefix}-{generation}",
        embedding_model=settings.embedding_model,
        dimension=dimension,
        chunker_version=CHUNKER_VERSION,
        lexical_version=LEXICAL_VERSION,
        store=store_name(settings),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        n_sources=len(sources),
        n_chunks=len(chunks),
        fingerprint=print_,
        chunking=chunking_key(settings),
    )
    client = chroma_client(settings, folder)
    try:
        _add_vectors(client, manifest, sources, chunks, vectors)
    finally:
        client.close()  # the store's files are flushed and released before the folder is published
    write_jsonl(folder / "sources.jsonl", [s.to_dict() for s in sources])
    write_jsonl(folder / "chunks.jsonl", [c.to_dict() for c in chunks])
    LexicalIndex.build([c.embed_text for c in chunks]).save(folder / "bm25")
    save_sentence_vectors(folder, [sentence_vectors[c.id] for c in chunks], dimension)
    save_chunk_vectors(folder, np.stack([vectors[c.id] for c in chunks]))
    save_title_vectors(folder, title_vectors)
    # The manifest is written last: a folder without one is an unfinished generation.
    write_json_atomic(folder / "manifest.json", manifest.__dict__)
    return manifest


def _add_vectors(client: ClientAPI, manifest: Manifest, sources: list[Source], chunks: list[Chunk],
                 vectors: dict[str, np.ndarray]) -> None:
    collection = client.create_collection(
        manifest.collection,
        metadata=manifest.collection_metadata(),
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    by_id = {s.id: s for s in sources}
    step = min(client.get_max_batch_size(), 1000)
    for start in range(0, len(chunks), step):
        part = chunks[start : start + step]
        collection.add(
            ids=[c.id for c in part],
            embeddings=np.stack([vectors[c.id] for c in part]),
            documents=[c.text for c in part],
            metadatas=[chunk_metadata(c, by_id[c.source_id]) for c in part],
        )


def _discard(settings: Settings, generation: str) -> None:
    """Remove what a failed write left behind (its folder; its collection in server mode), best effort."""
    client = None
    if settings.chroma_url:
        try:
            client = chroma_client(settings, generations_dir(settings))
        except IndexStoreError:
            pass
    remove_generation(settings, generation, client)
    if client is not None:
        client.close()


def _clean_old(settings: Settings, keep: set[str]) -> None:
    """Drop generations other than the current and the previous one (a server may still be reading it)."""
    root = generations_dir(settings)
    stale = [p.name for p in root.iterdir() if p.is_dir() and p.name not in keep] if root.exists() else []
    client = chroma_client(settings, root) if settings.chroma_url else None
    for generation in stale:
        remove_generation(settings, generation, client)
    if client is not None:  # collections left by an ingest that was killed before writing its folder
        prefix = f"{settings.collection_prefix}-"
        for name in [c if isinstance(c, str) else c.name for c in client.list_collections()]:
            if name.startswith(prefix) and name[len(prefix) :] not in keep:
                client.delete_collection(name)
        client.close()


def ingest(settings: Settings, rebuild: bool = False, progress: bool = True, log: Log = print,
           encoder: Encoder | None = None) -> IngestSummary:
    """Make the index mirror the corpus folder (and make sure the fast query encoder exists). `encoder` replaces
    the embedding model (the scale benchmark uses one that replays measured vectors)."""
    with ingest_lock(settings):
        summary = _ingest(settings, rebuild, progress, log, encoder)
        if summary.chunks:
            _speed_ups(settings, log)
        return summary


def _speed_ups(settings: Settings, log: Log) -> None:
    """Files that make a new process answer fast; without them queries are slower, never wrong, so a failure to
    write them (a full disk) is logged and the ingest still succeeds."""
    try:
        write_common_words(settings.data_dir)
        _ensure_query_encoder(settings, log)
    except OSError as exc:
        logger.warning(fields(event="speedup_files_failed", reason=_reason(exc)))


def _ensure_query_encoder(settings: Settings, log: Log) -> None:
    """Export the embedding model to ONNX once per model (rag/query_encoder.py): queries then start fast. The
    export runs in a child process: it needs the torch model and a traced graph (about a gigabyte for a moment),
    which would otherwise add to the peak memory of an ingest that has just held a large corpus."""
    from rag.query_encoder import export_path

    if export_path(settings).exists():
        return
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_EMBEDDING_MODEL": settings.embedding_model}
    try:
        done = subprocess.run([sys.executable, "-m", "rag.query_encoder"], env=env, capture_output=True, text=True,
                              timeout=900)
    except subprocess.TimeoutExpired:
        logger.warning(fields(event="query_encoder_export_failed", reason="timed out"))
        return
    if done.returncode == 0 and export_path(settings).exists():
        log(f"query encoder: exported {settings.embedding_model} to {export_path(settings)}")
    else:
        logger.warning(fields(event="query_encoder_export_failed", reason=done.stderr.strip()[-300:]))


def chunking_key(settings: Settings) -> str:
    return f"{CHUNKER_VERSION}:{settings.chunk_max_chars}:{settings.chunk_overlap_sentences}"


def _chunk_all(settings: Settings, sources: list[Source], previous: Index | None, progress: bool) -> list[Chunk]:
    """Chunks of every source; a source identical to the previous generation's keeps its chunks (sentence
    segmentation is the slow part of a large re-ingest)."""
    reusable: dict[str, list[Chunk]] = {}
    if previous is not None and previous.manifest.chunking == chunking_key(settings):
        for chunk in previous.chunks:
            reusable.setdefault(chunk.source_id, []).append(chunk)
    chunks: list[Chunk] = []
    for source in tqdm(sources, desc="chunking", unit="source", disable=not progress or len(sources) < 1000):
        before = previous.sources.get(source.id) if previous is not None else None
        if before is not None and source.id in reusable and before.to_dict() == source.to_dict():
            chunks.extend(reusable[source.id])
        else:
            chunks.extend(chunk_source(source, settings.chunk_max_chars, settings.chunk_overlap_sentences))
    return chunks


def _ingest(settings: Settings, rebuild: bool, progress: bool, log: Log, encoder: Encoder | None) -> IngestSummary:
    started = time.perf_counter()
    report = load_corpus(settings)
    for path, reason in report.failures:
        logger.warning(fields(event="ingest_failure", file=path, reason=reason))
    previous = _open_previous(settings, rebuild, log) if report.sources else None
    chunks = _chunk_all(settings, report.sources, previous, progress)
    return _index(settings, report.sources, chunks, previous, progress, log, encoder, started, report.failures)


def ingest_chunks(settings: Settings, sources: list[Source], chunks: list[Chunk], encoder: Encoder | None = None,
                  progress: bool = False, log: Log = print) -> IngestSummary:
    """Index sources already cut into chunks (the scale benchmark generates them with their sentences known,
    skipping the sentence segmenter), through the same embedding, writing and switching as `ingest`."""
    with ingest_lock(settings):
        previous = _open_previous(settings, False, log)
        summary = _index(settings, sources, chunks, previous, progress, log, encoder, time.perf_counter(), [])
        _speed_ups(settings, log)
        return summary


def _index(settings: Settings, sources: list[Source], chunks: list[Chunk], previous: Index | None, progress: bool,
           log: Log, encoder: Encoder | None, started: float, failures: list[tuple[str, str]]) -> IngestSummary:
    """Embed what changed, write a new generation and switch to it (unless nothing changed)."""
    summary = IngestSummary(sources=len(sources), failures=failures, chunks=len(chunks))
    if not chunks:
        summary.seconds = time.perf_counter() - started
        return summary  # keep whatever index exists: an empty corpus is more likely a mistake
    print_ = fingerprint(settings, sources, chunks)
    if previous is not None and previous.manifest.fingerprint == print_:
        summary.up_to_date, summary.reused = True, len(chunks)
        summary.generation = previous.manifest.generation
        summary.seconds = time.perf_counter() - started
        return summary
    reused, reused_sentences = _previous_vectors(previous, [c.id for c in chunks if previous and c.id in previous.row_of])
    todo = [c for c in chunks if c.id not in reused]
    new, new_sentences = _embed(settings, todo, progress, log, encoder)
    vectors, sentence_vectors = reused | new, reused_sentences | new_sentences
    summary.embedded, summary.reused = len(todo), len(reused)
    summary.removed = len(set(previous.row_of) - {c.id for c in chunks}) if previous else 0
    generation = datetime.now(timezone.utc).strftime("%Y%m%dt%H%M%S") + "-" + uuid.uuid4().hex[:6]
    titles = _title_vectors(settings, sources, previous, encoder)
    try:
        _write_generation(settings, generation, sources, chunks, vectors, sentence_vectors, titles, print_)
        set_current(settings, generation)
    except Exception as exc:  # disk full, read-only, quota: discard the half-written generation, keep the old
        disk = _disk_note(settings.data_dir)  # before the discard frees the space again
        _discard(settings, generation)
        serving = previous.manifest.generation if previous else "none"
        logger.error(fields(event="ingest_write_failed", generation=generation, serving=serving,
                            reason=_reason(exc), disk=disk))
        raise IngestWriteError(f"could not write the new index to {settings.data_dir} ({disk}): {_reason(exc)}. "
                               f"Nothing was switched: the previous index ({serving}) is still the current one."
                               ) from exc
    logger.info(fields(event="generation_switch", previous=previous.manifest.generation if previous else "none",
                     current=generation, sources=len(sources), chunks=len(chunks)))
    summary.generation = generation
    _clean_old(settings, {generation} | ({previous.manifest.generation} if previous else set()))
    summary.seconds = time.perf_counter() - started
    return summary


def add_files(settings: Settings, paths: list[Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """Copy files that load into the corpus folder (``added/``), so the index keeps mirroring the corpus."""
    target = settings.corpus_dir / "added"
    files: list[Path] = []
    failures: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(discover(path))
        elif path.is_file():
            files.append(path)
        else:
            failures.append((str(path), "no such file or folder"))
    copied: list[str] = []
    for path in files:
        try:
            load_file(path, path.name)
        except (LoadError, OSError, UnicodeDecodeError) as exc:
            failures.append((str(path), str(exc)))
            continue
        target.mkdir(parents=True, exist_ok=True)
        copied.append(str(_copy_unique(path, target).relative_to(settings.corpus_dir)))
    return copied, failures


def _copy_unique(path: Path, target: Path) -> Path:
    """Same name and same bytes: nothing to do; same name, other bytes: keep both."""
    destination = target / path.name
    counter = 1
    while destination.exists():
        if destination.read_bytes() == path.read_bytes():
            return destination
        destination = target / f"{path.stem}-{counter}{path.suffix}"
        counter += 1
    shutil.copy2(path, destination)
    return destination
