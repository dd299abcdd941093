"""Operator logs: one `key=value` line per event (request outcome, LLM fallback, ingest failure, generation
switch), through the standard `logging` module under the `rag` logger. Question text is logged only at debug level;
secrets are never passed to a log call."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(level: str = "info") -> None:
    """Send `rag.*` logs to stderr at `level` (RAG_LOG_LEVEL), once per process."""
    logger = logging.getLogger("rag")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_rag", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._rag = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def fields(**values: object) -> str:
    """'outcome=answered backend=extractive ...' with values quoted when they contain spaces."""
    parts = []
    for key, value in values.items():
        text = str(value)
        parts.append(f"{key}={text!r}" if any(c.isspace() for c in text) or not text else f"{key}={text}")
    return " ".join(parts)
