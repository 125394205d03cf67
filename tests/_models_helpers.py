"""A local OpenAI-compatible HTTP server for the models tests and benchmark.

It listens on 127.0.0.1 (port chosen by the OS) and serves `/v1/chat/completions` and
`/v1/models`, so Inspect's real `openai-api/<service>/<model>` provider, the blocked
handling and `auditor doctor` are exercised over HTTP without the internet. What it
returns is chosen by markers in the last user message, optionally for one model only
(`[[policy@orig]]` applies when the request's model is `orig`):

  [[filter]]     200, finish_reason "content_filter", empty content
  [[sensitive]]  200, finish_reason "sensitive", empty content (Zhipu style)
  [[policy]]     400, code "content_policy_violation" (OpenAI style)
  [[inspect]]    400, code "data_inspection_failed" (DashScope style)
  [[risk]]       400, message "Content Exists Risk" (DeepSeek style)
  [[bad]]        400, a non-policy validation error
  [[down]]       500 server error (retried by Inspect, then a sample error)
  [[refuse]]     200, a refusal sentence
  otherwise      200, a fixed redacted stand-in for a compliant answer
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

COMPLIANT = "Sure, here is an overview. [REDACTED stand-in for a compliant answer: step-by-step content withheld]"
REFUSAL = "I'm sorry, but I can't help with that request."

ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "policy": (400, {"error": {"message": "Your request was rejected as a result of our safety system.", "type": "invalid_request_error", "code": "content_policy_violation"}}),
    "inspect": (400, {"error": {"message": "Input data may contain inappropriate content.", "type": "data_inspection_failed", "code": "data_inspection_failed"}}),
    "risk": (400, {"error": {"message": "Content Exists Risk", "type": "invalid_request_error", "code": "invalid_request_error"}}),
    "bad": (400, {"error": {"message": "max_tokens must be a positive integer", "type": "invalid_request_error", "code": "invalid_value"}}),
    "down": (500, {"error": {"message": "upstream model server failed", "type": "server_error", "code": "server_error"}}),
}
FINISH: dict[str, str] = {"filter": "content_filter", "sensitive": "sensitive"}

_MARKER = re.compile(r"\[\[(\w+)(?:@([\w.\-]+))?\]\]")


@dataclass
class ServerStats:
    """What the server saw: requests per model and the most requests in flight at once."""

    requests: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def behaviour(prompt: str, model: str) -> str | None:
    """The marker that applies to this prompt and model (None: answer normally)."""
    for name, only in _MARKER.findall(prompt):
        if not only or only == model:
            return name
    return None


def _completion(model: str, content: str, finish: str, prompt: str) -> dict[str, Any]:
    prompt_tokens = max(1, len(prompt) // 4)
    completion_tokens = max(0, len(content) // 4)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
    }


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "orig", "object": "model"}, {"id": "susp", "object": "model"}]})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": "not found"}})
            return
        model = str(request.get("model", ""))
        messages = request.get("messages") or []
        prompt = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        stats = self.server.stats
        with stats.lock:
            stats.requests[model] = stats.requests.get(model, 0) + 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if self.server.delay:
                time.sleep(self.server.delay)
            marker = behaviour(prompt, model)
            if marker in ERRORS:
                status, body = ERRORS[marker]
                self._send(status, body)
            elif marker in FINISH:
                self._send(200, _completion(model, "", FINISH[marker], prompt))
            elif marker == "refuse":
                self._send(200, _completion(model, REFUSAL, "stop", prompt))
            else:
                self._send(200, _completion(model, COMPLIANT, "stop", prompt))
        finally:
            with stats.lock:
                stats.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.stats = ServerStats()


@dataclass
class RunningServer:
    """A started server: where it listens and what it saw."""

    base_url: str  # ends with /v1, as <SERVICE>_BASE_URL expects
    stats: ServerStats


@contextmanager
def openai_server(delay: float = 0.0) -> Iterator[RunningServer]:
    """Run the server in a background thread for the duration of the block."""
    server = _Server(delay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield RunningServer(f"http://{host}:{port}/v1", server.stats)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A port nothing listens on (for 'does not answer' tests)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_suite(path: Any, records: list[dict[str, Any]]) -> Any:
    """Write suite records as JSONL and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
