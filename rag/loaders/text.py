"""Markdown and plain text: headings become sections; the first heading (or the file name) is the title."""

from __future__ import annotations

import re
from pathlib import Path

from rag.documents import Section, Source
from rag.loaders.base import LoadError, source_id_for

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _split(lines: list[str]) -> tuple[str, list[Section]]:
    title, heading, buffer, sections = "", "", [], []

    def flush() -> None:
        body = "\n".join(buffer).strip()
        if body:
            sections.append(Section(text=body, heading=heading))
        buffer.clear()

    for line in lines:
        match = _HEADING.match(line)
        if match:
            flush()
            if len(match.group(1)) == 1 and not title:
                title = match.group(2)
            heading = match.group(2)
        else:
            buffer.append(line)
    flush()
    return title, sections


def load(path: Path, origin: str) -> list[Source]:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise LoadError("binary content in a text file")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("latin-1")  # old exports; never lose a file over its encoding
    title, sections = _split(content.splitlines())
    if not sections:
        raise LoadError("no text besides headings")
    for section in sections:
        section.text = re.sub(r"[ \t]*\n[ \t]*(?=\S)", " ", section.text).replace("  ", " ")
    return [
        Source(
            id=source_id_for(fallback=path.stem),
            title=title or path.stem.replace("_", " ").replace("-", " "),
            sections=sections,
            type="document",
            origin=origin,
            format="text",
        )
    ]
