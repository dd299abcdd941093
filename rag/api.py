"""HTTP API (FastAPI) with the Gradio UI mounted at '/'. A thin layer over rag.assistant."""

from __future__ import annotations

from typing import Any

from typing import Literal

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from rag.answering import Turn
from rag.assistant import Assistant
from rag.filters import FilterError, Filters
from rag.generation import BackendError
from rag.index import IndexStoreError
from rag.retrieval import RELEVANCE_THRESHOLD
from rag.settings import Settings


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(5, ge=1, le=50)
    method: Literal["hybrid", "bm25", "dense"] = "hybrid"
    filters: Filters = Field(default_factory=Filters)  # the library dataclass, validated by pydantic


class TurnModel(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str = Field(max_length=2000)
    backend: Literal["extractive", "openai", "ollama", "llamacpp"] | None = None
    k: int = Field(5, ge=1, le=20)
    filters: Filters = Field(default_factory=Filters)  # the library dataclass, validated by pydantic
    history: list[TurnModel] = Field(default_factory=list, max_length=20)


def create_app(settings: Settings, assistant: Assistant | None = None, with_ui: bool = True) -> FastAPI:
    assistant = assistant or Assistant(settings)
    api = FastAPI(title="exorag", version="0.1.0", description="Cited answers over exosome chemoresistance literature.")

    @api.get("/api/health")
    def health() -> dict[str, Any]:
        """Liveness, and whether an index is loaded."""
        try:
            generation = assistant.index().manifest.generation
        except IndexStoreError as exc:
            return {"status": "no-index", "detail": str(exc)}
        return {"status": "ok", "generation": generation}

    @api.get("/api/stats")
    def stats() -> dict[str, Any]:
        """What the index holds and which model built it."""
        try:
            return assistant.index().stats()
        except IndexStoreError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc

    @api.post("/api/search")
    def search(request: SearchRequest) -> dict[str, Any]:
        """Ranked sources (one passage each) with calibrated relevance scores in [0, 1]."""
        try:
            hits = assistant.search(request.query, request.k, request.filters, request.method)
        except FilterError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        except IndexStoreError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        return {"query": request.query, "threshold": RELEVANCE_THRESHOLD, "results": [h.to_dict() for h in hits]}

    @api.post("/api/ask")
    def ask(request: AskRequest) -> dict[str, Any]:
        """A cited answer (Answer JSON schema, see README), or a refusal with 'see_also' sources."""
        try:
            history = [Turn(t.role, t.content) for t in request.history]
            return assistant.ask(request.question, request.backend, request.k, request.filters, history).to_dict()
        except BackendError as exc:  # unknown backend only: runtime failures fall back inside ask()
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        except IndexStoreError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc

    if with_ui:
        import gradio as gr

        from ui.app import build_ui

        api = gr.mount_gradio_app(api, build_ui(assistant), path="/")
    return api
