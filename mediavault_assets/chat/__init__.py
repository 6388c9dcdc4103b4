"""Chat with your data (issue 8): questions about the library, answered from the warehouse snapshot.

- `service.ChatService` / `service.answer_from_cli`: the model's tool-call loop or the offline
  router, with history in the app's own store.
- `safe_sql.SafeSql`: the read-only sandbox every query runs in (the chat views and the seeds'
  own tables).
- `router`: the offline intents; `render`: model text made inert; `history`: chat_sessions,
  chat_messages and the tokens and cost per session and model.
"""

from mediavault_assets.chat.history import ChatHistory, ChatMessage, ChatSession, ModelUsage
from mediavault_assets.chat.render import plain_text
from mediavault_assets.chat.safe_sql import (
    QueryResult,
    SafeSql,
    SqlError,
    SqlRefused,
    SqlRun,
)
from mediavault_assets.chat.service import ChatAnswer, ChatService, answer_from_cli

__all__ = [
    "ChatAnswer",
    "ChatHistory",
    "ChatMessage",
    "ChatService",
    "ChatSession",
    "ModelUsage",
    "QueryResult",
    "SafeSql",
    "SqlError",
    "SqlRefused",
    "SqlRun",
    "answer_from_cli",
    "plain_text",
]
