"""A local or remote Ollama server through langchain-ollama."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from rag.settings import Settings


def chat_model(settings: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        base_url=settings.ollama_url,
        model=settings.ollama_model,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout_s},
    )


def reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """A quick check that the server answers (its model list), for the UI's backend menu."""
    import httpx

    try:
        return httpx.get(f"{settings.ollama_url.rstrip('/')}/api/tags", timeout=timeout).status_code < 400
    except httpx.HTTPError:
        return False
