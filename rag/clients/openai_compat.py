"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, LM Studio) through langchain-openai."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from rag.settings import Settings


def chat_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        model=settings.openai_model,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # the caller falls back to the extractive answer instead of waiting on retries
    )


def reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """A quick check that the endpoint answers (its model list), for the UI's backend menu."""
    import httpx

    try:
        key = settings.openai_api_key.get_secret_value()
        response = httpx.get(f"{settings.openai_base_url.rstrip('/')}/models", timeout=timeout,
                             headers={"Authorization": f"Bearer {key}"})
        return response.status_code < 400
    except httpx.HTTPError:
        return False
