"""Metadata filters, applied the same way to Chroma (`where` clauses) and to the BM25 side (a row mask)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from rag.cancer_terms import broader_names
from rag.documents import Chunk, Source
from rag.normalize import normalize, spaced, stem

# filter name -> chunk metadata field that holds its searchable terms
FACET_FILTERS = {
    "cancer_type": "cancer_types_terms",
    "drug": "drugs_terms",
    "cargo": "cargo_terms",
    "exosome_source": "exosome_source_terms",
    "target": "targets_terms",
}
Retracted = Literal["include", "exclude", "only"]


MAX_VALUE_CHARS = 200
# what the metadata stored with each vector holds; part of the index fingerprint, so `rag ingest` rewrites an
# index whose stored terms are older (2: a cancer type's broader names, rag/cancer_terms.py)
METADATA_VERSION = "meta-2"


class FilterError(ValueError):
    pass


def terms(values: list[str]) -> list[str]:
    """Searchable terms of facet values: each whole value and each word, normalised (so 'CAFs' meets 'fibroblast')."""
    out: list[str] = []
    for value in values:
        words = [stem(w) for w in normalize(value).split()]
        out.append(" ".join(words))
        out.extend(words)
        out.extend(stem(w) for w in spaced(value).split())  # the words as written too ("fibroblast" in "CAFs")
    return sorted(set(t for t in out if t))


def source_metadata(source: Source) -> dict[str, Any]:
    """The fields every filter reads; the same for all chunks of a source."""
    meta: dict[str, Any] = {
        "source_id": source.id,
        "title": source.title[:500],
        "type": source.type,
        "category": source.category or "none",
        "year": source.year if source.year is not None else -1,
        "retracted": source.retracted,
    }
    for name, values in source.facets.items():
        if values:
            # a cancer type is also found by its broader names ("glioma" finds the glioblastoma studies)
            meta[f"{name}_terms"] = terms(values + broader_names(values) if name == "cancer_types" else values)
    return meta


def chunk_metadata(chunk: Chunk, source: Source) -> dict[str, Any]:
    """The metadata stored with each vector in Chroma (scalars and lists of strings only)."""
    return {**source_metadata(source), "section": chunk.section,
            "page": chunk.page if chunk.page is not None else -1, "ordinal": chunk.ordinal}


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    cancer_type: str | None = None
    drug: str | None = None
    cargo: str | None = None
    exosome_source: str | None = None
    target: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    retracted: Retracted = "include"

    @classmethod
    def parse(cls, pairs: list[str] | None) -> Filters:
        """From CLI-style 'key=value' strings; 'year=2015-2019' sets a range."""
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)} | {"year"}
        for pair in pairs or []:
            key, sep, value = pair.partition("=")
            key, value = key.strip().replace("-", "_"), value.strip()
            if not sep or key not in known or not value:
                raise FilterError(f"bad filter '{pair}': use key=value with key in {', '.join(sorted(known))}")
            values.update(_year_range(value) if key == "year" else {key: value})
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Filters:
        """From a JSON object or query parameters: every name must be known and every value must parse."""
        values = dict(values)
        year = values.pop("year", None)
        if year not in (None, ""):  # "2015-2019", "2018" or 2018
            values.update(_year_range(str(year)))
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise FilterError(f"unknown filter(s): {', '.join(sorted(map(str, unknown)))}")
        for name, value in values.items():
            numeric = name in ("year_min", "year_max")
            allowed = (str, int) if numeric else (str,)
            if value is not None and (not isinstance(value, allowed) or isinstance(value, bool)):
                raise FilterError(f"filter '{name}' must be {'a whole number' if numeric else 'text'}")
            if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
                raise FilterError(f"filter '{name}' is longer than {MAX_VALUE_CHARS} characters")
        for key in ("year_min", "year_max"):
            if values.get(key) not in (None, ""):
                try:
                    values[key] = int(values[key])
                except (TypeError, ValueError) as exc:
                    raise FilterError(f"{key} must be a whole number (a 'year' may be a range like 2015-2019), "
                                      f"not {str(values[key])[:20]!r}") from exc
        if values.get("retracted", "include") not in ("include", "exclude", "only"):
            raise FilterError("retracted must be include, exclude or only")
        return cls(**{k: v for k, v in values.items() if v not in (None, "")})

    def active(self) -> bool:
        return self != Filters()

    def _clauses(self) -> list[tuple[str, str, Any]]:
        """(field, operator, value) triples: the single definition both back-ends evaluate."""
        out: list[tuple[str, str, Any]] = []
        if self.category:
            out.append(("category", "$eq", self.category))
        for name, field in FACET_FILTERS.items():
            value = getattr(self, name)
            if value:
                out.append((field, "$contains", " ".join(stem(w) for w in normalize(value).split())))
        if self.year_min is not None or self.year_max is not None:
            out.append(("year", "$gte", self.year_min or 0))  # records without a year are stored as -1
        if self.year_max is not None:
            out.append(("year", "$lte", self.year_max))
        if self.retracted != "include":
            out.append(("retracted", "$eq", self.retracted == "only"))
        return out

    def where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause."""
        clauses = [{f: {op: v}} for f, op, v in self._clauses()]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, meta: dict[str, Any]) -> bool:
        """The same clauses evaluated in Python, for the BM25 side."""
        for field, op, value in self._clauses():
            have = meta.get(field)
            if op == "$contains" and (not isinstance(have, list) or value not in have):
                return False
            if op == "$eq" and have != value:
                return False
            if op == "$gte" and (have is None or have < value):
                return False
            if op == "$lte" and (have is None or have > value):
                return False
        return True


def _year_range(value: str) -> dict[str, Any]:
    low, sep, high = value.partition("-")
    return {"year_min": low or None, "year_max": (high if sep else low) or None}
