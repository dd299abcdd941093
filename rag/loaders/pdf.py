"""PDF files through pypdf: one section per page, so every chunk keeps its page number."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from rag.documents import Section, Source
from rag.loaders.base import LoadError, clean_space, source_id_for


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path)
    except (PdfReadError, PyPdfError, ValueError) as exc:
        raise LoadError(f"corrupt or unreadable PDF: {exc}") from exc
    if reader.is_encrypted:
        # Many "protected" PDFs only restrict editing and open with an empty password.
        try:
            if not reader.decrypt(""):
                raise LoadError("encrypted PDF: a password is required")
        except (FileNotDecryptedError, NotImplementedError, PyPdfError) as exc:
            raise LoadError(f"encrypted PDF cannot be opened: {exc}") from exc
    return reader


# Placeholders that PDF writers put in empty metadata fields.
_PLACEHOLDERS = {"untitled", "anonymous", "unknown", "none", "microsoft word"}


def _field(value: object) -> str:
    text = clean_space(str(value)) if value else ""
    return "" if text.lower() in _PLACEHOLDERS else text


def _meta(reader: PdfReader) -> tuple[str, list[str]]:
    try:
        info = reader.metadata
    except (PdfReadError, PyPdfError):
        info = None
    title = _field(info.title) if info else ""
    author = _field(info.author) if info else ""
    separators = author.replace(" and ", ";").replace(",", ";")
    authors = [a.strip() for a in separators.split(";") if a.strip()]
    return title, authors


def load(path: Path, origin: str) -> list[Source]:
    reader = _open(path)
    sections = []
    try:
        for number, page in enumerate(reader.pages, start=1):
            text = clean_space(page.extract_text() or "")
            if text:
                sections.append(Section(text=text, heading="", page=number))
    except (PdfReadError, PyPdfError, KeyError, ValueError) as exc:
        raise LoadError(f"corrupt PDF (page {len(sections) + 1}): {exc}") from exc
    if not sections:
        raise LoadError("PDF has no extractable text (scanned images need OCR first)")
    title, authors = _meta(reader)
    title = title or path.stem.replace("_", " ")
    return [
        Source(
            id=source_id_for(fallback=path.stem),
            title=title,
            authors=authors,
            sections=sections,
            type="document",
            origin=origin,
            format="pdf",
        )
    ]
