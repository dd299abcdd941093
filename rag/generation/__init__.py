"""Answer backends behind one interface: given a question and numbered passages, return answer text whose
sentences carry [n] markers. `extractive` needs no model; `openai`, `ollama` and `llamacpp` are LLM backends."""

from __future__ import annotations

from typing import Protocol

from rag.retrieval import Hit

__all__ = ["BACKENDS", "Backend", "BackendError", "NoAnswer", "llm_backend"]


class Backend(Protocol):
    name: str

    def generate(self, question: str, hits: list[Hit]) -> str:
        """Answer text with a citation marker [n] (n = 1-based position in `hits`) after every sentence."""
        ...


class BackendError(RuntimeError):
    """A backend failed (timeout, connection, bad output); the caller falls back to the extractive answer."""


class NoAnswer(Exception):
    """The model said the sources do not answer the question."""


BACKENDS = ("extractive", "openai", "ollama", "llamacpp")


def llm_backend(name: str, settings: object) -> Backend:
    """An LLM backend by name; the chat model is built on first use (so a missing server fails then, not here).
    Imported here, not at the top: LangChain's chat-model stack costs a second of every cold `rag ask`."""
    from rag.generation.llm import LLMBackend

    if name == "openai":
        from rag.clients.openai_compat import chat_model
    elif name == "ollama":
        from rag.clients.ollama import chat_model
    elif name == "llamacpp":
        from rag.clients.llamacpp import chat_model
    else:
        raise BackendError(f"unknown backend '{name}' (available: {', '.join(BACKENDS)})")
    return LLMBackend(name, lambda: chat_model(settings))  # type: ignore[arg-type]
