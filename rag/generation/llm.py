"""LLM backends: numbered, quoted sources in; answer text with [n] markers out. Every failure becomes BackendError
so the caller can fall back to the extractive answer."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from rag import prompts
from rag.generation import BackendError, NoAnswer
from rag.retrieval import Hit


def _quote(text: str) -> str:
    """Source text as inert data: escaping stops a document from closing its <source> tag and posing as the user."""
    return html.escape(text, quote=True)


def source_blocks(hits: list[Hit]) -> str:
    return "\n\n".join(
        prompts.SOURCE_BLOCK.format(n=n, title=_quote(h.source.title), year=h.source.year or "n.d.",
                                    text=_quote(h.chunk.text))
        for n, h in enumerate(hits, start=1)
    )


def answer_messages(question: str, hits: list[Hit]) -> list:
    return [SystemMessage(prompts.ANSWER_SYSTEM),
            HumanMessage(prompts.ANSWER_USER.format(sources=source_blocks(hits), question=question))]


class LLMBackend:
    def __init__(self, name: str, factory: Callable[[], BaseChatModel]) -> None:
        self.name = name
        self._factory = factory
        self._model: BaseChatModel | None = None
        self._building = threading.Lock()

    @property
    def model(self) -> BaseChatModel:
        """Built on first use, once: concurrent first requests wait for one build (a GGUF is loaded only once)."""
        with self._building:
            if self._model is None:
                try:
                    self._model = self._factory()
                except Exception as exc:  # missing package, bad path, unloadable GGUF
                    raise BackendError(f"cannot start: {_describe(exc)}") from exc
            return self._model

    def _invoke(self, messages: list) -> str:
        try:
            reply = self.model.invoke(messages)
        except BackendError:
            raise
        except Exception as exc:  # timeouts, refused connections, HTTP 4xx/5xx, protocol errors
            raise BackendError(_describe(exc)) from exc
        content = reply.content if isinstance(reply.content, str) else ""
        if not content.strip():
            raise BackendError("empty or malformed completion")
        return content.strip()

    def generate(self, question: str, hits: list[Hit]) -> str:
        return _validated(self._invoke(answer_messages(question, hits)))

    def stream(self, question: str, hits: list[Hit]) -> Iterator[str]:
        """The answer text piece by piece as the model writes it; validated like generate() at the end. The
        first few characters are held back so a bare NO_ANSWER is never shown as answer text."""
        pieces: list[str] = []
        held = True
        try:
            for chunk in self.model.stream(answer_messages(question, hits)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                pieces.append(piece)
                if held and len("".join(pieces).strip()) > len(prompts.NO_ANSWER) + 2:
                    held = False
                    yield "".join(pieces)
                elif not held and piece:
                    yield piece
        except BackendError:
            raise
        except Exception as exc:  # as in _invoke: every failure becomes BackendError
            raise BackendError(_describe(exc)) from exc
        text = _validated("".join(pieces).strip())
        if held:
            yield text

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        # earlier answers quote corpus text: quoted and escaped like sources, so a passage cannot pose as the user
        transcript = "\n".join(prompts.TURN_BLOCK.format(role=role, text=_quote(content)) for role, content in history[-6:])
        messages = [SystemMessage(prompts.CONDENSE_SYSTEM),
                    HumanMessage(prompts.CONDENSE_USER.format(history=transcript, question=question))]
        return self._invoke(messages).splitlines()[0].strip()


def _validated(text: str) -> str:
    if not text.strip():
        raise BackendError("empty or malformed completion")
    if text.strip().strip(".").upper() == prompts.NO_ANSWER:
        raise NoAnswer()
    if "[" not in text:
        raise BackendError("malformed completion: no citation markers")
    return text


_URL = re.compile(r"\b\w+://\S+")


def _describe(exc: Exception) -> str:
    """A short reason for a failure, safe to show a user: endpoint addresses are left out."""
    name = type(exc).__name__
    text = _URL.sub("<endpoint>", str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
    if "timeout" in name.lower() or "timed out" in text.lower():
        return f"timed out ({name})"
    return f"{name}: {text[:200]}" if text else name
