"""Shared pieces of the loaders."""

from __future__ import annotations

import re

from rag.documents import Source


class LoadError(Exception):
    """A file (or record) that cannot be turned into a Source; the message says why."""


class SourceList(list[Source]):
    """Sources read from one file, plus the records of that file that failed (file:line, reason)."""

    def __init__(self, sources: list[Source] | None = None) -> None:
        super().__init__(sources or [])
        self.failures: list[tuple[str, str]] = []


# Letters and digits of any script ('论文', 'статья' stay distinct), everything else a hyphen; ASCII names keep the
# ids they always had.
_SLUG = re.compile(r"[\W_]+")


def slug(text: str, limit: int = 60) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-") or "untitled"


def source_id_for(doi: str = "", pmid: str = "", fallback: str = "") -> str:
    """Ids for user files: by PMID, else DOI, else the file name, so re-ingesting keeps the id."""
    if pmid:
        return f"pmid-{pmid}"
    if doi:
        return f"doi-{slug(doi, 80)}"
    return f"file-{slug(fallback, 80)}"


def clean_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
