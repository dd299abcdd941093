"""The knowledge pack: JSON records (``studies.jsonl``, ``review.json``) with a summary as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag.documents import FACET_FIELDS, Section, Source
from rag.loaders.base import LoadError, SourceList

_STRING_FIELDS = ("journal", "volume", "pages", "doi", "pmid", "pmcid", "url", "category", "retraction_note")


def _strings(value: Any, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise LoadError(f"field '{name}' must be a string or a list of strings")


def _sections(record: dict[str, Any]) -> list[Section]:
    """The summary, then any further sections (a fetched full text: [{"heading": ..., "text": ...}])."""
    first = "Abstract" if record.get("fetched") else "Summary"
    sections = [Section(text=record["summary"].strip(), heading=first)]
    extra = record.get("sections") or []
    if not isinstance(extra, list):
        raise LoadError("'sections' must be a list of {heading, text} objects")
    for item in extra:
        if not (isinstance(item, dict) and isinstance(item.get("text"), str)):
            raise LoadError("'sections' must be a list of {heading, text} objects")
        if item["text"].strip():
            sections.append(Section(text=item["text"].strip(), heading=str(item.get("heading") or "")))
    return sections


def _references(record: dict[str, Any]) -> list[dict[str, str]]:
    refs = record.get("references") or []
    if not isinstance(refs, list) or not all(isinstance(r, dict) for r in refs):
        raise LoadError("'references' must be a list of objects")
    return [{str(k): str(v) for k, v in r.items() if v is not None} for r in refs]


def record_to_source(record: Any, origin: str) -> Source:
    """Validate one pack record and turn it into a Source; LoadError names the first problem."""
    if not isinstance(record, dict):
        raise LoadError("record is not a JSON object")
    for required in ("id", "title", "summary"):
        value = record.get(required)
        if not isinstance(value, str) or not value.strip():
            raise LoadError(f"missing or empty '{required}'")
    year = record.get("year")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        raise LoadError(f"'year' must be an integer or null, got {year!r}")
    retracted = record.get("retracted", False)
    if not isinstance(retracted, bool):
        raise LoadError("'retracted' must be true or false")
    strings = {}
    for name in _STRING_FIELDS:
        value = record.get(name) or ""
        if not isinstance(value, (str, int)):
            raise LoadError(f"field '{name}' must be a string")
        strings[name] = str(value).strip()
    facets = {name: _strings(record.get(name), name) for name in FACET_FIELDS}
    return Source(
        id=record["id"].strip(),
        title=record["title"].strip(),
        type=str(record.get("type") or "study"),
        authors=_strings(record.get("authors"), "authors"),
        year=year,
        facets={k: v for k, v in facets.items() if v},
        retracted=retracted,
        sections=_sections(record),
        references=_references(record),
        origin=origin,
        format="fetched" if record.get("fetched") else "pack",
        **strings,
    )


def load_jsonl(path: Path, origin: str) -> list[Source]:
    """One record a line; a malformed line is reported (file:line) and the other lines still load."""
    sources = SourceList()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{origin}:{lineno}"
            try:
                record = json.loads(line)
                if _bibliographic_only(record):
                    continue
                sources.append(record_to_source(record, origin))
            except json.JSONDecodeError as exc:
                sources.failures.append((where, f"invalid JSON: {exc.msg}"))
            except LoadError as exc:
                sources.failures.append((where, str(exc)))
    if not sources and sources.failures:
        raise LoadError(f"no valid record ({len(sources.failures)} malformed; first: {sources.failures[0][1]})")
    return sources


def _bibliographic_only(record: Any) -> bool:
    """A fetched reference with no abstract: kept in the file for its bibliographic data, with nothing to index."""
    return isinstance(record, dict) and record.get("text_available") is False


def load_json(path: Path, origin: str) -> list[Source]:
    """A single record (like ``review.json``) or a list of records."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg} (line {exc.lineno})") from exc
    records = data if isinstance(data, list) else [data]
    return [record_to_source(r, origin) for r in records if not _bibliographic_only(r)]
