"""A fake OpenAI-compatible API on 127.0.0.1 (ephemeral port) for the chat and embedding tests.

It serves POST /v1/chat/completions and /v1/embeddings (Bearer key, like OpenAI and local
OpenAI-compatible servers) and POST /openai/deployments/{name}/chat/completions or /embeddings
?api-version=... (`api-key` header, like Azure OpenAI). Chat replies are scripted in order: text,
or tool calls (`tools`/`tool_calls` in the real shape), each with its token usage; a reply may be
a function of the request body. It checks what the real API checks about tool calls (every
tool_call answered by a tool message with its id, no stray tool messages) and records every
request, with the model it asked for. Embeddings need no script: each input's vector is a hashed
bag of its words (`fake_embedding`), so texts sharing words are close, in the float or base64
encoding asked for.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "fake-openai-key-0123456789"
AZURE_KEY = "fake-azure-key-abcdef"
AZURE_API_VERSION = "2024-08-01-preview"
DEFAULT_MODEL = "gpt-4o-2024-08-06"
_AZURE_PATH = re.compile(
    r"^/openai/deployments/(?P<deployment>[^/]+)/(?P<endpoint>chat/completions|embeddings)$"
)
EMBEDDING_DIMENSIONS = 64
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Reply:
    """One scripted completion: text, or tool calls as (name, arguments) pairs."""

    content: str | None = None
    calls: tuple[tuple[str, dict[str, Any] | str], ...] = ()
    usage: tuple[int, int] = (100, 20)  # prompt, completion tokens
    model: str | None = None  # default: the fake's model


Script = Reply | Callable[[dict[str, Any]], Reply]


def text(content: str, *, usage: tuple[int, int] = (100, 20), model: str | None = None) -> Reply:
    return Reply(content=content, usage=usage, model=model)


def tools(*calls: tuple[str, dict[str, Any] | str], usage: tuple[int, int] = (100, 20)) -> Reply:
    return Reply(calls=calls, usage=usage)


def sql_call(sql: str) -> tuple[str, dict[str, Any]]:
    return ("query_library", {"sql": sql})


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def model(self) -> str:
        """The model asked for: Azure's deployment (in the path), else the body's `model`."""
        azure = _AZURE_PATH.match(self.path)
        return azure.group("deployment") if azure else str(self.body.get("model"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    def tool_results(self) -> list[str]:
        return [m["content"] for m in self.messages if m["role"] == "tool"]

    @property
    def is_embedding(self) -> bool:
        return self.path.endswith("/embeddings")

    @property
    def inputs(self) -> list[str]:
        """An embedding request's input texts."""
        given = self.body.get("input", [])
        return [given] if isinstance(given, str) else list(given)


@dataclass
class FakeOpenAI:
    """The fake server; use ``running_fake_openai()`` to start and stop it."""

    model: str = DEFAULT_MODEL
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[Script] = deque()
        self._faults: deque[int] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def azure_endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.azure_endpoint}/v1"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Script) -> None:
        with self._lock:
            self._script.extend(replies)

    def fail_next(self, status: int, *, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([status] * times)

    @property
    def unused(self) -> int:
        return len(self._script)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        try:
            body = json.loads(handler.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            body = {}
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    url.path, query, {k.lower(): v for k, v in handler.headers.items()}, body
                )
            )
            fault = self._faults.popleft() if self._faults else None
        status, payload = self._respond(url.path, query, handler, body, fault)
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _respond(
        self,
        path: str,
        query: dict[str, str],
        handler: BaseHTTPRequestHandler,
        body: dict[str, Any],
        fault: int | None,
    ) -> tuple[int, dict[str, Any]]:
        azure = _AZURE_PATH.match(path)
        if path in ("/v1/chat/completions", "/v1/embeddings"):
            authorized = handler.headers.get("Authorization") == f"Bearer {API_KEY}"
        elif azure:
            if query.get("api-version") != AZURE_API_VERSION:
                return 404, _error("Resource not found (api-version)", "not_found")
            authorized = handler.headers.get("api-key") == AZURE_KEY
        else:
            return 404, _error(f"no route {path}", "not_found")
        if not authorized:
            return 401, _error("Incorrect API key provided.", "invalid_api_key")
        if fault is not None:
            return fault, _error(f"injected fault {fault}", "server_error")
        if path.endswith("/embeddings"):
            model = azure.group("deployment") if azure else str(body.get("model"))
            return _embeddings(body, model)
        problem = _check_tool_messages(body.get("messages", []))
        if problem:
            return 400, _error(problem, "invalid_request_error")
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is None:
            return 500, _error("fake script exhausted", "server_error")
        reply = scripted(body) if callable(scripted) else scripted
        return 200, self._completion(reply)

    def _completion(self, reply: Reply) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{number}_{index}",
                    "type": "function",
                    "function": {
                        "name": name,
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
                for index, (name, args) in enumerate(reply.calls)
            ]
        prompt, completion = reply.usage
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": reply.model or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if reply.calls else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


def _check_tool_messages(messages: list[dict[str, Any]]) -> str | None:
    """The real API's rule: tool messages answer exactly the preceding assistant tool calls."""
    pending: set[str] = set()
    for message in messages:
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return "messages with role 'tool' must be a response to a preceding tool_calls"
            pending.discard(message["tool_call_id"])
            continue
        if pending:
            return "an assistant message with 'tool_calls' must be followed by tool messages"
        if role == "assistant":
            pending = {call["id"] for call in message.get("tool_calls") or []}
    return "tool calls left unanswered" if pending else None


def fake_embedding(text: str) -> list[float]:
    """A unit vector of `text`'s words hashed into EMBEDDING_DIMENSIONS signed buckets."""
    vector = [0.0] * EMBEDDING_DIMENSIONS
    for word in _WORD.findall(text.casefold()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vector[digest[0] % EMBEDDING_DIMENSIONS] += 1.0 if digest[1] & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def _embeddings(body: dict[str, Any], model: str) -> tuple[int, dict[str, Any]]:
    """The real API's answer: one embedding per input, by index; an empty input is refused."""
    given = body.get("input")
    inputs = [given] if isinstance(given, str) else given
    if not inputs or not all(isinstance(t, str) and t for t in inputs):
        return 400, _error("'$.input' is invalid.", "invalid_request_error")
    base64_wanted = body.get("encoding_format") == "base64"
    data = []
    for index, text_in in enumerate(inputs):
        vector = fake_embedding(text_in)
        encoded: list[float] | str = (
            base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            if base64_wanted
            else vector
        )
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(len(_WORD.findall(t.casefold())) for t in inputs)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return 200, {"object": "list", "data": data, "model": model, "usage": usage}


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "code": code, "param": None}}


@contextmanager
def running_fake_openai(model: str = DEFAULT_MODEL) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(model=model)
    # Tests must only ever talk to loopback.
    assert urlsplit(fake.base_url).hostname == "127.0.0.1"
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def clear_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx2 honours proxy variables: with them gone, a loopback URL stays on loopback."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
