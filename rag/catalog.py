"""The corpus as a catalogue: list, filter, search and count the sources of an index (for /api/sources, the
widget and the evidence explorer)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.documents import FACET_FIELDS, Source
from rag.filters import Filters, source_metadata
from rag.index import Index
from rag.normalize import normalize, spaced

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


# ------------------------------------------------------------------ filter options, the evidence map, empty results

# Display grouping of the pack's free-text cancer types into sites for the evidence map: each site is the one word
# that, used as a cancer_type filter, finds its studies ("breast" matches "HER2-positive breast cancer").
CANCER_SITES = ("breast", "gastric", "pancreatic", "colorectal", "ovarian", "prostate", "hepatocellular", "lung",
                "glioblastoma", "glioma", "leukemia", "lymphoma", "myeloma", "melanoma", "osteosarcoma",
                "esophageal", "neck")
OTHER = "other"


def options(index: Index) -> dict[str, list[str]]:
    """Values offered by the filter menus: categories, and the facet values of the index, most frequent first."""
    counts = _facet_counts(list(index.sources.values()))
    years = [int(y) for y in counts["year"] if y.isdigit()]
    return {"category": sorted(counts["category"]), "cancer_type": list(counts["cancer_types"]),
            "drug": list(counts["drugs"]), "cargo": list(counts["cargo"]),
            "exosome_source": list(counts["exosome_source"]), "target": list(counts["targets"]),
            "years": [min(years, default=1980), max(years, default=2030)]}


def cancer_site(value: str) -> str:
    words = spaced(value).split()  # not normalize(): its synonyms fold 'pancreatic ductal adenocarcinoma' to 'pdac'
    return next((site for site in CANCER_SITES if site in words), OTHER)


def drug_name(value: str) -> str:
    """'adriamycin (doxorubicin)' -> 'doxorubicin': the name before any parenthesis, synonyms folded."""
    return normalize(value.split(" (")[0]).strip()


def cross_counts(index: Index, rows: str, columns: str, limit: int = 10) -> dict[str, Any]:
    """Study counts for a heat map: rows and columns are 'category', 'cancer_site' or 'drug'; the `limit` most
    frequent column values are kept. Returns {"rows", "columns", "counts": {row: {column: n}}}."""
    keyed = {"category": lambda s: [s.category or "none"],
             "cancer_site": lambda s: sorted({cancer_site(v) for v in s.facets.get("cancer_types", [])}),
             "drug": lambda s: sorted({drug_name(v) for v in s.facets.get("drugs", [])})}
    table: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for source in index.sources.values():
        for r in keyed[rows](source):
            for c in keyed[columns](source):
                table.setdefault(r, Counter())[c] += 1
                totals[c] += 1
    kept = [c for c, _ in totals.most_common(limit)]
    return {"rows": sorted(table), "columns": kept,
            "counts": {r: {c: table[r][c] for c in kept if table[r][c]} for r in sorted(table)}}


def by_year(index: Index) -> dict[int, int]:
    return dict(sorted(Counter(s.year for s in index.sources.values() if s.year).items()))


def excluding_filters(index: Index, filters: Filters) -> list[str]:
    """The active filters that on their own match no source ("drug = 'aspirin'"); when each matches something
    but together they match nothing, all of them."""
    defaults = asdict(Filters())
    active = {k: v for k, v in asdict(filters).items() if v != defaults[k]}
    metas = [source_metadata(s) for s in index.sources.values()]
    alone = [k for k, v in active.items() if not any(Filters(**{k: v}).matches(m) for m in metas)]
    return [f"{k} = {active[k]!r}" for k in (alone or list(active))]
