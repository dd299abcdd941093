"""Readers' thumbs up/down and comments, appended as JSON lines to `feedback.jsonl` in the data folder."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger("rag.feedback")
_LOCK = threading.Lock()


def feedback_path(data_dir: Path) -> Path:
    return Path(data_dir) / "feedback.jsonl"


def record(data_dir: Path, question: str, answer: dict[str, Any], rating: str, comment: str = "") -> bool:
    """Append one feedback line; False (and a log line) when it cannot be written. Never raises: feedback must
    not break the chat."""
    row = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rating": rating,
           "comment": comment[:2000], "question": question, "answer": answer.get("answer", ""),
           "citations": [c.get("source_id") for c in answer.get("citations", [])],
           "backend": answer.get("backend", ""), "refused": answer.get("refused", False)}
    try:
        with _LOCK, feedback_path(data_dir).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return True
    except OSError as exc:
        log.warning("could not record feedback: %s", exc)
        return False
