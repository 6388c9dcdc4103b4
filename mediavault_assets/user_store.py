"""Who can use the review app (seed 002's users) and each sign-in (sessions), in the app's own
SQLite store beside the decisions.

Users come from the settings file's `review_users` (synced on every app start-up and sign-in
check), from an admin creating them in the app, or — when the app serves 127.0.0.1 without
users — the one local user, who is the admin. Passwords are hashed by mediavault_ui.auth's KDF
before they get here. A session is live until it expires or is revoked (sign-out).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mediavault_assets import sql_files, sqlite_wal
from mediavault_assets.settings import ReviewUser


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    is_admin: bool
    is_active: bool
    source: str  # settings, app, local


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class UserStore:
    """Users and sessions; safe to use from several processes (the app's pages, its routes)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(sql_files.app_store_schema("user_store"))

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.connect(self.path, self.busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.write(self.path, self.busy_timeout_s)

    # -- users ------------------------------------------------------------------------------

    def sync_settings_users(self, configured: Iterable[ReviewUser]) -> None:
        """Make the settings' review_users the active `settings` users (hash and admin flag as
        configured); one removed from the file can no longer sign in. Writes only on change."""
        wanted = {u.username: u for u in configured}
        with self._connect() as con:
            rows = con.execute(
                "SELECT username, hashed_password, is_superuser, is_active FROM users "
                "WHERE source = 'settings'"
            ).fetchall()
        have = {
            r["username"]: (r["hashed_password"], bool(r["is_superuser"]), bool(r["is_active"]))
            for r in rows
        }
        target = {name: (u.password_hash, u.admin, True) for name, u in wanted.items()}
        stale = [name for name, (_, _, active) in have.items() if active and name not in wanted]
        changed = [u for name, u in wanted.items() if have.get(name) != target[name]]
        if not stale and not changed:
            return
        now = _text(_now())
        with self._write() as con:
            for user in changed:
                con.execute(
                    "INSERT INTO users (username, hashed_password, is_superuser, is_active, "
                    "source, created_at, updated_at) VALUES (?, ?, ?, 1, 'settings', ?, ?) "
                    "ON CONFLICT (username) DO UPDATE SET hashed_password = excluded."
                    "hashed_password, is_superuser = excluded.is_superuser, is_active = 1, "
                    "source = 'settings', updated_at = excluded.updated_at",
                    (user.username, user.password_hash, int(user.admin), now, now),
                )
            con.executemany(
                "UPDATE users SET is_active = 0, updated_at = ? WHERE username = ?",
                [(now, name) for name in stale],
            )

    def ensure_local_user(self, username: str) -> User:
        """The loopback app's single user (no password): the admin."""
        existing = self.user(username)
        if existing is not None:  # every page run asks: read, and write only the first time
            return existing
        now = _text(_now())
        with self._write() as con:
            con.execute(
                "INSERT INTO users (username, is_superuser, source, created_at, updated_at) "
                "VALUES (?, 1, 'local', ?, ?) ON CONFLICT (username) DO NOTHING",
                (username, now, now),
            )
        user = self.user(username)
        assert user is not None
        return user

    def create_user(self, username: str, password_hash: str, *, admin: bool) -> User:
        """A user an admin adds in the app (the settings file's users are managed there)."""
        if not 1 <= len(username) <= 64:  # the settings file's rule for review_users
            raise ValueError("a user name needs 1 to 64 characters")
        now = _text(_now())
        try:
            with self._write() as con:
                con.execute(
                    "INSERT INTO users (username, hashed_password, is_superuser, source, "
                    "created_at, updated_at) VALUES (?, ?, ?, 'app', ?, ?)",
                    (username, password_hash, int(admin), now, now),
                )
        except sqlite3.IntegrityError:
            raise ValueError(f"a user named {username!r} exists already") from None
        user = self.user(username)
        assert user is not None
        return user

    def set_user(
        self, username: str, *, admin: bool | None = None, active: bool | None = None
    ) -> None:
        """Change an app-created user's admin flag or let them in or out (settings users are
        changed in the settings file, which would undo it on the next sync)."""
        user = self.user(username)
        if user is None:
            raise ValueError(f"no user named {username!r}")
        if user.source != "app":
            raise ValueError(f"{username} comes from the settings file: change them there")
        with self._write() as con:
            con.execute(
                "UPDATE users SET is_superuser = coalesce(?, is_superuser), "
                "is_active = coalesce(?, is_active), updated_at = ? WHERE id = ?",
                (
                    None if admin is None else int(admin),
                    None if active is None else int(active),
                    _text(_now()),
                    user.id,
                ),
            )

    def user(self, username: str) -> User | None:
        with self._connect() as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        with self._connect() as con:
            return [_user(r) for r in con.execute("SELECT * FROM users ORDER BY id")]

    def user_ids(self) -> dict[str, int]:
        """username → id, to record who decided, staged, restored or purged."""
        with self._connect() as con:
            return {r[0]: r[1] for r in con.execute("SELECT username, id FROM users")}

    def sign_in_users(self) -> list[ReviewUser]:
        """Everyone who can sign in with a password now."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT username, hashed_password, is_superuser FROM users "
                "WHERE is_active = 1 AND hashed_password IS NOT NULL ORDER BY id"
            ).fetchall()
        return [ReviewUser(username=r[0], password_hash=r[1], admin=bool(r[2])) for r in rows]

    # -- sessions ---------------------------------------------------------------------------

    def start_session(
        self,
        username: str,
        *,
        ttl_seconds: float,
        ip_address: str | None = None,
        user_agent: str | None = None,
    ) -> str:
        """A new sign-in of `username` (which must be a user); returns its jti."""
        user = self.user(username)
        if user is None:
            raise ValueError(f"no user named {username!r}")
        jti = secrets.token_hex(16)
        now = _now()
        with self._write() as con:
            con.execute(
                "INSERT INTO sessions (user_id, jti, token_hash, ip_address, user_agent, "
                "expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    jti,
                    hashlib.sha256(jti.encode()).hexdigest(),
                    ip_address,
                    user_agent,
                    _text(now + timedelta(seconds=ttl_seconds)),
                    _text(now),
                ),
            )
            con.execute("UPDATE users SET last_login = ? WHERE id = ?", (_text(now), user.id))
        return jti

    def end_session(self, jti: str | None) -> None:
        """Sign-out: the session is revoked (and every media token made for it)."""
        with self._write() as con:
            con.execute(
                "UPDATE sessions SET revoked = 1, revoked_at = ? WHERE jti = ? AND revoked = 0",
                (_text(_now()), jti or ""),
            )

    def session_user(self, jti: str, *, at: datetime | None = None) -> str | None:
        """The user of a live session (not revoked, not expired, user still active)."""
        with self._connect() as con:
            row = con.execute(
                "SELECT u.username FROM sessions AS s JOIN users AS u ON u.id = s.user_id "
                "WHERE s.jti = ? AND s.revoked = 0 AND s.expires_at > ? AND u.is_active = 1",
                (jti, _text(at or _now())),
            ).fetchone()
        return row[0] if row else None

    def extend_session(self, jti: str, until: datetime) -> None:
        """A live session lasts as long as the latest token given to it."""
        with self._write() as con:
            con.execute(
                "UPDATE sessions SET expires_at = max(expires_at, ?) WHERE jti = ? AND revoked = 0",
                (_text(until), jti),
            )

    def sessions(self) -> list[dict[str, object]]:
        with self._connect() as con:
            return [dict(r) for r in con.execute("SELECT * FROM sessions ORDER BY id")]

    def user_rows(self) -> list[dict[str, object]]:
        """The users table without password hashes (for the warehouse's copy)."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM users ORDER BY id").fetchall()
        # The hash stays here: the warehouse (and the chat's SQL on it) never sees it.
        return [{k: r[k] for k in r.keys() if k != "hashed_password"} for r in rows]  # noqa: SIM118 (a Row iterates values)


def _user(row: sqlite3.Row) -> User:
    return User(
        row["id"], row["username"], bool(row["is_superuser"]), bool(row["is_active"]), row["source"]
    )
