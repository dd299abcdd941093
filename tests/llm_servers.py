"""Small OpenAI-compatible and Ollama-compatible HTTP servers on loopback that return canned completions.

They speak the real wire formats (JSON chat completions, Ollama's NDJSON stream), so the real LangChain clients
talk to them over real HTTP. A test sets `reply`, `status` or `delay` and reads `requests` afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLMServer:
    def __init__(self, flavour: str) -> None:
        assert flavour in ("openai", "ollama")
        self.flavour = flavour
        self.reply = "NO_ANSWER"
        self.status = 200
        self.delay = 0.0
        self.raw: bytes | None = None  # send these bytes instead of a well-formed body
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}" + ("/v1" if self.flavour == "openai" else "")

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def prompt_text(self) -> str:
        """Everything the client sent in its last request's messages."""
        return "\n".join(m.get("content", "") for m in self.requests[-1].get("messages", []))

    def _body(self, request: dict[str, Any]) -> tuple[bytes, str]:
        if self.raw is not None:
            return self.raw, "application/json"
        if self.flavour == "openai" and request.get("stream"):
            return self._openai_stream(request), "text/event-stream"
        if self.flavour == "openai":
            body = {
                "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                "model": request.get("model", "test"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            return json.dumps(body).encode(), "application/json"
        base = {"model": request.get("model", "test"), "created_at": "2026-01-01T00:00:00Z"}
        if request.get("stream", True):
            lines = [
                {**base, "message": {"role": "assistant", "content": self.reply}, "done": False},
                {**base, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                 "total_duration": 1, "eval_count": 1, "prompt_eval_count": 1},
            ]
            return b"".join(json.dumps(line).encode() + b"\n" for line in lines), "application/x-ndjson"
        body = {**base, "message": {"role": "assistant", "content": self.reply}, "done": True, "done_reason": "stop"}
        return json.dumps(body).encode(), "application/json"

    def _openai_stream(self, request: dict[str, Any]) -> bytes:
        """The reply as chat.completion.chunk server-sent events, a few words per chunk, then [DONE]."""
        words = self.reply.split(" ")
        pieces = [" ".join(words[i:i + 3]) + (" " if i + 3 < len(words) else "") for i in range(0, len(words), 3)]
        base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": request.get("model", "test")}
        chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": p},
                                        "finish_reason": None}]} for p in pieces]
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802: the model lists the backend menu's quick check reads
                models = {"object": "list", "data": [{"id": "test", "object": "model"}]} if outer.flavour == "openai" \
                    else {"models": [{"name": "test"}]}
                payload = json.dumps(models).encode()
                self.send_response(200 if outer.status == 200 else outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append(request)
                if outer.delay:
                    time.sleep(outer.delay)
                if outer.status != 200:
                    payload = json.dumps({"error": {"message": "simulated failure", "type": "server_error"}}).encode()
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                body, kind = outer._body(request)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
