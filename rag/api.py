"""HTTP API (FastAPI) with the Gradio UI mounted at '/'. A thin layer over rag.assistant."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

from rag.assistant import Assistant
from rag.index import IndexStoreError
from rag.settings import Settings


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

    if with_ui:
        import gradio as gr

        from ui.app import build_ui

        api = gr.mount_gradio_app(api, build_ui(assistant), path="/")
    return api
