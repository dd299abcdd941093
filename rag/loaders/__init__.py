"""Turn files into Sources. One module per format; this module picks the loader by extension and content."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.atomic import write_atomic
from rag.documents import Source
from rag.loaders.base import LoadError, SourceList
from rag.loaders import jats, pack, pdf, pubmed, text

__all__ = ["LoadError", "LoadReport", "load_file", "load_paths", "discover", "SUPPORTED_SUFFIXES", "LOADER_VERSION"]

# Bump when any loader's output changes: parsed files cached under the data folder are then read again.
LOADER_VERSION = "loaders-2"

Loader = Callable[[Path, str], list[Source]]

_BY_SUFFIX: dict[str, Loader] = {
    ".pdf": pdf.load,
    ".jsonl": pack.load_jsonl,
    ".json": pack.load_json,
    ".md": text.load,
    ".markdown": text.load,
    ".txt": text.load,
}
SUPPORTED_SUFFIXES = frozenset(_BY_SUFFIX) | {".xml", ".nxml"}
# Files that document a folder rather than being part of the corpus (manifest.json: what `rag fetch` did).
_SKIPPED_NAMES = {"readme.md", "readme.txt", "readme", "license", "license.txt", ".gitkeep", "manifest.json"}


@dataclass
class LoadReport:
    """What a batch of files yielded: the sources, and each failure with its reason."""

    sources: list[Source] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file or file:line, reason)


# How XML documents open: a declaration, a doctype, or the root element of an article or PubMed set.
_XML_START = re.compile(rb"<(\?xml|!DOCTYPE|article[\s>]|PubmedArticleSet[\s>]|pmc-articleset[\s>])", re.IGNORECASE)


def _sniff(path: Path, head: bytes) -> Loader | None:
    """Pick a loader from the first bytes, so a mislabelled file still loads."""
    if head.startswith(b"%PDF-"):
        return pdf.load
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _XML_START.match(stripped):
        return _xml_loader(head)
    if stripped.startswith(b"<") and path.suffix.lower() in (".xml", ".nxml"):
        return _xml_loader(head)
    return None  # e.g. a Markdown note that opens with an HTML comment: the extension decides


def _xml_loader(head: bytes) -> Loader:
    if b"PubmedArticle" in head:
        return pubmed.load
    return jats.load  # jats.load fails clearly when the root is not <article>


def _choose(path: Path) -> Loader:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise LoadError("empty file")
    sniffed = _sniff(path, head)
    if sniffed is not None:
        return sniffed
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise LoadError("not a PDF (no %PDF- header): corrupt or mislabelled")
    if suffix in (".xml", ".nxml"):
        raise LoadError("not XML (does not start with '<')")
    loader = _BY_SUFFIX.get(suffix)
    if loader is None:
        raise LoadError(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    return loader


def load_file(path: Path, origin: str | None = None) -> list[Source]:
    """Load one file; raise LoadError (with a reason a person can act on) when it cannot be read."""
    origin = origin or path.name
    loader = _choose(path)
    sources = loader(path, origin)
    if not sources:
        raise LoadError("no text could be extracted")
    return sources


def discover(root: Path) -> Iterator[Path]:
    """Every candidate corpus file below root, in a stable order, skipping hidden files and READMEs."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.name.lower() not in _SKIPPED_NAMES:
            yield path


def load_paths(paths: list[Path], root: Path | None = None, cache: Path | None = None) -> LoadReport:
    """Load many files; a bad file is reported by name and the rest still load. With `cache`, a file whose bytes
    were parsed before (same digest, name and loader version) is read from its cached parse, not parsed again."""
    report = LoadReport()
    first_with: dict[str, str] = {}  # content digest -> the file that had it first
    parses = _ParseCache(cache) if cache else None
    for path in paths:
        origin = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        try:
            digest = _digest(path)
            if digest in first_with:  # the same document under another name: one source, not two competing ones
                report.failures.append((origin, f"same content as {first_with[digest]}: skipped"))
                continue
            first_with[digest] = origin
            sources = parses.get(digest, origin) if parses else None
            if sources is None:
                sources = load_file(path, origin)
                if parses:
                    parses.put(digest, origin, sources)
        except LoadError as exc:
            report.failures.append((origin, str(exc)))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            report.failures.append((origin, f"cannot read file: {exc}"))
            continue
        report.sources.extend(sources)
        report.failures.extend(getattr(sources, "failures", []))
    if parses:
        parses.prune()
    return report


class _ParseCache:
    """Parsed sources by file digest and name, as JSON under the data folder (a PDF is parsed once)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def _path(self, digest: str, origin: str) -> Path:
        key = hashlib.sha256(f"{LOADER_VERSION}\x1f{digest}\x1f{origin}".encode()).hexdigest()[:32]
        self.used.add(key)
        return self.folder / f"{key}.json"

    def get(self, digest: str, origin: str) -> SourceList | None:
        try:
            data = json.loads(self._path(digest, origin).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        sources = SourceList([Source.from_dict(row) for row in data["sources"]])
        sources.failures = [tuple(f) for f in data["failures"]]  # type: ignore[misc]
        return sources

    def put(self, digest: str, origin: str, sources: list[Source]) -> None:
        data = {"sources": [s.to_dict() for s in sources], "failures": getattr(sources, "failures", [])}
        try:
            write_atomic(self._path(digest, origin), json.dumps(data))
        except OSError:
            pass  # a cache that cannot be written (read-only, full disk) only costs time

    def prune(self) -> None:
        """Drop parses of files that are gone or changed."""
        try:
            for path in self.folder.glob("*.json"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            pass


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (a 1,000-page PDF is not held in memory twice)."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
