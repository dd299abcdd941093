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
