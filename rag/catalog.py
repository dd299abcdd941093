"""The corpus as a catalogue: list, filter, search and count the sources of an index (for /api/sources, the
widget and the evidence explorer)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rag.documents import FACET_FIELDS, Source
from rag.filters import Filters, source_metadata
from rag.index import Index
from rag.normalize import normalize

# facet name in the listing -> where its values come from
FACETS = ("category", "year", *FACET_FIELDS)


@dataclass
class Page:
    total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "page": self.page, "page_size": self.page_size, "items": self.items,
                "facets": self.facets}


def summary(source: Source) -> dict[str, Any]:
    """A source as a catalogue row: what a citation shows plus its category and facets."""
    return {**source.bibliographic(), "type": source.type, "category": source.category,
            "facets": {k: list(v) for k, v in source.facets.items() if v}}


def detail(index: Index, source: Source) -> dict[str, Any]:
    """A catalogue row plus the source's passages (in document order) and its reference list."""
    passages = [{"chunk_id": c.id, "section": c.section, "page": c.page, "text": c.text}
                for c in index.chunks if c.source_id == source.id]
    return {**summary(source), "passages": passages, "references": list(source.references)}


def _matches_text(source: Source, words: list[str]) -> bool:
    haystack = normalize(" ".join([source.title, " ".join(source.authors), source.journal, str(source.year or ""),
                                   *(v for values in source.facets.values() for v in values)]))
    return all(w in haystack for w in words)


def _facet_counts(sources: list[Source]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for s in sources:
        counts["category"][s.category or "none"] += 1
        counts["year"][str(s.year) if s.year else "unknown"] += 1
        for name in FACET_FIELDS:
            counts[name].update(dict.fromkeys(s.facets.get(name, []), 1))
    return {name: dict(c.most_common()) for name, c in counts.items()}


def list_sources(index: Index, filters: Filters | None = None, query: str = "", page: int = 1,
                 page_size: int = 20) -> Page:
    """Sources matching the filters and every word of `query` (title, authors, journal, year, facets), sorted by
    year (newest first) then title; facet counts are over all matches, not just the page."""
    filters = filters or Filters()
    words = normalize(query).split()
    matched = [s for s in index.sources.values()
               if filters.matches(source_metadata(s)) and (not words or _matches_text(s, words))]
    matched.sort(key=lambda s: (-(s.year or 0), s.title.lower()))
    start = (page - 1) * page_size
    return Page(len(matched), page, page_size, [summary(s) for s in matched[start:start + page_size]],
                _facet_counts(matched))
