"""Chat history: seed 000's chat_sessions and chat_messages, in the review app's own store.

The tables live in the same SQLite file as the review decisions (settings.app_store_path, WAL
mode), so chatting never touches the warehouse Dagster writes. Seed 000's columns are kept; the
seed's integer user id becomes the reviewer's name, and messages add `cost_usd` and `mode`
('model' or 'offline'). Sessions are addressed by their UUID `session_id`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from mediavault_assets import sql_files, sqlite_wal

Role = Literal["user", "assistant", "system"]


@dataclass(frozen=True)
class ChatSession:
    id: int
    user_id: str
    session_id: str
    title: str | None
    context_type: str | None
    model: str | None
    total_tokens_used: int
    total_cost: float
    created_at: str
    last_message_at: str


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str
    context_data: dict[str, Any] | None = None
    context_query: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    finish_reason: str | None = None
    cost_usd: float | None = None
    mode: str | None = None
    created_at: str | None = None  # set when stored


@dataclass(frozen=True)
class ModelUsage:
    """Tokens one model used: for one call, or summed over a session."""

    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: no known price for the model
    calls: int = 1

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


class ChatHistory:
    """Sessions and messages; safe to use from several processes (the app and the CLI)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(sql_files.app_store_schema("chat_history"))

    def create_session(
        self,
        user_id: str,
        *,
        title: str | None = None,
        context_type: str = "library",
        model: str | None = None,
    ) -> str:
        """A new session; returns its UUID."""
        session_id = str(uuid.uuid4())
        now = _now()
        with self._write() as con:
            con.execute(
                "INSERT INTO chat_sessions (user_id, session_id, title, context_type, model, "
                "created_at, last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, session_id, title, context_type, model, now, now),
            )
        return session_id

    def add_message(self, session_id: str, message: ChatMessage) -> None:
        """Store a message and add its tokens and cost to the session's totals."""
        now = _now()
        with self._write() as con:
            row = _session_row(con, session_id)
            con.execute(
                "INSERT INTO chat_messages (session_id, role, content, context_data, "
                "context_query, model, prompt_tokens, completion_tokens, total_tokens, "
                "finish_reason, cost_usd, mode, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["id"],
                    message.role,
                    message.content,
                    None
                    if message.context_data is None
                    else json.dumps(message.context_data, default=str),
                    message.context_query,
                    message.model,
                    message.prompt_tokens,
                    message.completion_tokens,
                    message.total_tokens,
                    message.finish_reason,
                    message.cost_usd,
                    message.mode,
                    now,
                ),
            )
            con.execute(
                "UPDATE chat_sessions SET last_message_at = ?, "
                "total_tokens_used = total_tokens_used + ?, total_cost = total_cost + ?, "
                "model = coalesce(?, model), title = coalesce(title, ?) WHERE id = ?",
                (
                    now,
                    message.total_tokens or 0,
                    message.cost_usd or 0.0,
                    message.model,
                    _title(message.content) if message.role == "user" else None,
                    row["id"],
                ),
            )
            if message.model and message.total_tokens is not None:
                _add_model_usage(
                    con,
                    row["id"],
                    ModelUsage(
                        message.model,
                        message.prompt_tokens or 0,
                        message.completion_tokens or 0,
                        message.cost_usd,
                    ),
                )

    def add_usage(self, session_id: str, usage: ModelUsage) -> None:
        """Count a model call that stored no message (a title, a routing step) in the totals."""
        with self._write() as con:
            row = _session_row(con, session_id)
            con.execute(
                "UPDATE chat_sessions SET total_tokens_used = total_tokens_used + ?, "
                "total_cost = total_cost + ? WHERE id = ?",
                (usage.total_tokens, usage.cost_usd or 0.0, row["id"]),
            )
            _add_model_usage(con, row["id"], usage)

    def usage(self, session_id: str) -> list[ModelUsage]:
        """The session's tokens and cost per model, most tokens first."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT u.* FROM chat_model_usage AS u "
                "JOIN chat_sessions AS s ON s.id = u.session_id WHERE s.session_id = ? "
                "ORDER BY u.prompt_tokens + u.completion_tokens DESC, u.model",
                (session_id,),
            ).fetchall()
        return [
            ModelUsage(
                r["model"], r["prompt_tokens"], r["completion_tokens"], r["cost_usd"], r["calls"]
            )
            for r in rows
        ]

    def session(self, session_id: str) -> ChatSession | None:
        with self._connect() as con:
            row = con.execute(
                "SELECT * FROM chat_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return ChatSession(**dict(row)) if row else None

    def sessions(self, user_id: str | None = None, *, limit: int = 20) -> list[ChatSession]:
        """Most recent first; all users' when `user_id` is None."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM chat_sessions WHERE ? IS NULL OR user_id = ? "
                "ORDER BY last_message_at DESC, id DESC LIMIT ?",
                (user_id, user_id, limit),
            ).fetchall()
        return [ChatSession(**dict(r)) for r in rows]

    def messages(self, session_id: str) -> list[ChatMessage]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT m.* FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id "
                "WHERE s.session_id = ? ORDER BY m.id",
                (session_id,),
            ).fetchall()
        return [
            ChatMessage(
                role=r["role"],
                content=r["content"],
                context_data=json.loads(r["context_data"]) if r["context_data"] else None,
                context_query=r["context_query"],
                model=r["model"],
                prompt_tokens=r["prompt_tokens"],
                completion_tokens=r["completion_tokens"],
                total_tokens=r["total_tokens"],
                finish_reason=r["finish_reason"],
                cost_usd=r["cost_usd"],
                mode=r["mode"],
                created_at=r["created_at"],
            )
            for r in rows
        ]

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.connect(self.path, self.busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.write(self.path, self.busy_timeout_s)


def _session_row(con: sqlite3.Connection, session_id: str) -> sqlite3.Row:
    row = con.execute("SELECT id FROM chat_sessions WHERE session_id = ?", (session_id,)).fetchone()
    if row is None:
        raise KeyError(f"no chat session {session_id}")
    return row


def _add_model_usage(con: sqlite3.Connection, session_row: int, usage: ModelUsage) -> None:
    # A cost stays NULL while every call of the model is unpriced (a local model).
    con.execute(
        "INSERT INTO chat_model_usage (session_id, model, calls, prompt_tokens, "
        "completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id, model) DO UPDATE SET calls = calls + excluded.calls, "
        "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
        "completion_tokens = completion_tokens + excluded.completion_tokens, "
        "cost_usd = CASE WHEN cost_usd IS NULL AND excluded.cost_usd IS NULL THEN NULL "
        "ELSE coalesce(cost_usd, 0) + coalesce(excluded.cost_usd, 0) END",
        (
            session_row,
            usage.model,
            usage.calls,
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.cost_usd,
        ),
    )


def _title(first_message: str) -> str:
    """Seed 000: the title is generated from the first message."""
    line = " ".join(first_message.split())
    return line if len(line) <= 80 else line[:79].rstrip() + "…"
