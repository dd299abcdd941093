"""Answer backends behind one interface: given a question and numbered passages, return answer text whose
sentences carry [n] markers. Only `extractive` exists so far; LLM backends plug in here."""

from __future__ import annotations

from typing import Protocol

from rag.retrieval import Hit


class Backend(Protocol):
    name: str

    def generate(self, question: str, hits: list[Hit]) -> str:
        """Answer text with a citation marker [n] (n = 1-based position in `hits`) after every sentence."""
        ...


class BackendError(RuntimeError):
    """A backend failed (timeout, connection, bad output); the caller falls back to the extractive answer."""


def get_backend(name: str, search: object) -> Backend:
    from rag.generation.extractive import ExtractiveBackend

    if name == "extractive":
        return ExtractiveBackend(search)  # type: ignore[arg-type]
    raise BackendError(f"unknown backend '{name}' (available: extractive)")
