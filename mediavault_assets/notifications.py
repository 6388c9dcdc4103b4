"""Sending notices (domain/notices.py) to the webhook or Apprise API URL in
MEDIAVAULT_NOTIFY_URL, and remembering what was sent in the review store's notification_log, so
each new group, due file or failed run is told once and a receiver that was down gets it later.

A notice is a JSON POST {title, body, type, kind}: what a plain webhook (ntfy, Home Assistant,
n8n...) and an Apprise API server's /notify endpoint both take. A failure to deliver is recorded
and reported, never raised: telling someone is never worth failing a run or a sensor for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from mediavault_assets import sql_files, sqlite_wal
from mediavault_assets.domain.notices import Notice, NoticeKind

TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    notice: Notice | None  # None: nothing new to tell
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.notice is not None and self.error is None


def send(url: str, notice: Notice) -> str | None:
    """POST the notice; the error in plain words, or None when the receiver took it."""
    if urlsplit(url).scheme not in ("http", "https"):
        return "MEDIAVAULT_NOTIFY_URL must be an http:// or https:// URL"
    try:
        response = httpx.post(url, json=notice.payload(), timeout=TIMEOUT_S)
    except httpx.HTTPError as error:
        return f"the notification receiver did not answer: {type(error).__name__}"
    if response.status_code >= 300:
        return f"the notification receiver answered HTTP {response.status_code}"
    return None


class NotificationLog:
    """notification_log in the review store (SQLite, safe from several processes)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_wal.connect(self.path, busy_timeout_s) as con:
            con.executescript(sql_files.app_store_schema("notification_log"))

    def untold(self, kind: NoticeKind, items: Sequence[str]) -> list[str]:
        """The items not delivered yet, in the order given."""
        with sqlite_wal.connect(self.path, self.busy_timeout_s) as con:
            told = {
                r["item"]
                for r in con.execute(
                    "SELECT item FROM notification_log WHERE kind = ? AND delivered = 1", (kind,)
                )
            }
        return [item for item in items if item not in told]

    def record(
        self, kind: NoticeKind, items: Sequence[str], *, delivered: bool, error: str | None
    ) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with sqlite_wal.write(self.path, self.busy_timeout_s) as con:
            con.executemany(
                "INSERT INTO notification_log (kind, item, sent_at, delivered, error) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, item) DO UPDATE SET "
                "sent_at = excluded.sent_at, delivered = excluded.delivered, "
                "error = excluded.error",
                [(kind, item, now, int(delivered), error) for item in items],
            )


def notify_once(
    url: str,
    log: NotificationLog,
    kind: NoticeKind,
    items: Sequence[str],
    notice_for: Callable[[list[str]], Notice],
) -> Delivery:
    """Tell the items not told yet in one notice (built from them), and remember the outcome."""
    untold = log.untold(kind, items)
    if not untold:
        return Delivery(None)
    notice = notice_for(untold)
    error = send(url, notice)
    log.record(kind, untold, delivered=error is None, error=error)
    return Delivery(notice, error)
