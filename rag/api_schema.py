"""The HTTP API's request bodies and query parameters, with the examples /docs shows. Filters are the library's
own `Filters` dataclass, parsed by `Filters.from_mapping` (unknown names and unparseable values are errors)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from rag.filters import Filters
from rag.generation import BACKENDS


def _filters(value: Any) -> Any:
    """A JSON object of filters -> Filters (FilterError is a ValueError, so pydantic reports it as a 422)."""
    return Filters.from_mapping(value) if isinstance(value, dict) else value


FiltersField = Annotated[Filters, BeforeValidator(_filters)]
BackendName = Literal[BACKENDS]  # type: ignore[valid-type]

FILTERS_DOC = ("category (exact), cancer_type, drug, cargo, exosome_source, target (word or phrase, synonyms "
               "understood), year ('2015-2019' or 2018), year_min, year_max, retracted (include|exclude|only)")
# Absolute ceilings on what is parsed at all; the configured limits (RAG_MAX_*) are checked after parsing.
HARD_MAX_TURNS = 200
HARD_MAX_TURN_CHARS = 100_000


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=HARD_MAX_TURN_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question": "How do fibroblast exosomes make pancreatic cancer resist gemcitabine?",
        "filters": {"year": "2015-2022", "retracted": "exclude"},
        "history": [], "k": 5}]})
    question: str = Field(max_length=HARD_MAX_TURN_CHARS, description="Limited to RAG_MAX_QUESTION_CHARS.")
    history: list[Turn] = Field(default_factory=list, max_length=HARD_MAX_TURNS,
                                description="Earlier turns, oldest first (RAG_MAX_HISTORY_TURNS / _CHARS).")
    filters: FiltersField = Field(default_factory=Filters, description=FILTERS_DOC)
    backend: BackendName | None = Field(None, description="Default: RAG_BACKEND. Anonymous clients may choose "
                                                          "only RAG_PUBLIC_BACKENDS.")
    k: int = Field(5, ge=1, le=20, description="Passages retrieved.")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "query": "miR-365 gemcitabine macrophages", "k": 3, "filters": {"year_min": 2015}}]})
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(5, ge=1, le=50)
    method: Literal["hybrid", "bm25", "dense"] = "hybrid"
    filters: FiltersField = Field(default_factory=Filters, description=FILTERS_DOC)


class SourcesQuery(BaseModel):
    """Query parameters of GET /api/sources."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field("", max_length=200, description="Words that must all occur in title, authors, journal or facets.")
    category: str | None = Field(None, max_length=200)
    cancer_type: str | None = Field(None, max_length=200)
    drug: str | None = Field(None, max_length=200)
    cargo: str | None = Field(None, max_length=200)
    exosome_source: str | None = Field(None, max_length=200)
    target: str | None = Field(None, max_length=200)
    year: str | None = Field(None, max_length=20, description="'2015-2019' or '2018'.")
    year_min: int | None = None
    year_max: int | None = None
    retracted: Literal["include", "exclude", "only"] = "include"
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)

    def filters(self) -> Filters:
        return Filters.from_mapping(self.model_dump(exclude={"q", "page", "page_size"}, exclude_none=True))
