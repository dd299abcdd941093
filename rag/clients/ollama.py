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
