"""Mirror the review store and the staging journal onto the warehouse's plan and group rows, and
the app's users and sessions (user_store.py) onto the warehouse's `users` and `sessions`."""

from __future__ import annotations

import hashlib

import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings
from mediavault_assets.user_store import UserStore
from mediavault_assets.warehouse import Warehouse, replace_in

_DECISIONS_SCHEMA = {
    "file_id": pl.Int64,
    "group_id": pl.Int64,
    "decision": pl.String,
    "reviewer": pl.String,
    "user_id": pl.Int64,
    "notes": pl.String,
    "decided_at": pl.Datetime("us"),
}


def decisions_frame(store: ReviewStore, user_ids: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "file_id": d.file_id,
                "group_id": d.group_id,
                "decision": d.decision,
                "reviewer": d.reviewer,
                "user_id": user_ids.get(d.reviewer),
                "notes": d.notes,
                "decided_at": d.decided_at,
            }
            for d in store.decisions().values()
        ],
        schema={**_DECISIONS_SCHEMA, "decided_at": pl.String},
    ).with_columns(pl.col("decided_at").str.to_datetime())


def user_decisions_frame(store: ReviewStore) -> pl.DataFrame:
    rows = [
        {
            "id": d["id"],
            "duplicate_group_id": d["duplicate_group_id"],
            "file_id": d["file_id"],
            "plan_id": d["plan_id"],
            "user_id": d["user_id"],
            "reviewer": d["reviewer"],
            "action_taken": d["action_taken"],
            "files_archived": d["files_archived"],
            "files_deleted": d["files_deleted"],
            "primary_file_id": d["primary_file_id"],
            "notes": d["notes"],
            "confidence": d["confidence"],
            "decided_at": d["decided_at"],
        }
        for d in store.user_decisions()
    ]
    schema = {
        "id": pl.Int64,
        "duplicate_group_id": pl.Int64,
        "file_id": pl.Int64,
        "plan_id": pl.Int64,
        "user_id": pl.Int64,
        "reviewer": pl.String,
        "action_taken": pl.String,
        "files_archived": pl.List(pl.Int64),
        "files_deleted": pl.List(pl.Int64),
        "primary_file_id": pl.Int64,
        "notes": pl.String,
        "confidence": pl.String,
        "decided_at": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col("decided_at").str.to_datetime())


_USERS_SCHEMA = {
    "id": pl.Int64,
    "username": pl.String,
    "email": pl.String,
    "is_active": pl.Boolean,
    "is_superuser": pl.Boolean,
    "must_change_password": pl.Boolean,
    "source": pl.String,
    "last_login": pl.String,
    "created_at": pl.String,
    "updated_at": pl.String,
}
_SESSIONS_SCHEMA = {
    "id": pl.Int64,
    "user_id": pl.Int64,
    "jti": pl.String,
    "token_hash": pl.String,
    "ip_address": pl.String,
    "user_agent": pl.String,
    "expires_at": pl.String,
    "revoked": pl.Boolean,
    "revoked_at": pl.String,
    "created_at": pl.String,
}
_TIMES = ("last_login", "created_at", "updated_at", "expires_at", "revoked_at")


def _frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # SQLite keeps flags as 0/1 and times as ISO text; the warehouse has BOOLEAN and TIMESTAMP.
    frame = pl.DataFrame(
        [{k: (bool(r[k]) if schema[k] == pl.Boolean else r[k]) for k in schema} for r in rows],
        schema=schema,
    )
    return frame.with_columns(pl.col(c).str.to_datetime() for c in _TIMES if c in schema)


def users_frame(users: UserStore) -> pl.DataFrame:
    """The app's users without their password hashes (hashed_password stays NULL here)."""
    return _frame(users.user_rows(), _USERS_SCHEMA)


def sessions_frame(users: UserStore) -> pl.DataFrame:
    return _frame(users.sessions(), _SESSIONS_SCHEMA)


def apply_review_state(warehouse: Warehouse, settings: Settings) -> None:
    """One transaction: users, sessions and user_decisions mirrored, plan and group review
    columns updated (reviewed_by is the reviewer's user id)."""
    store = ReviewStore(settings.app_store_path)
    users = UserStore(settings.app_store_path)
    decisions = decisions_frame(store, users.user_ids())
    with warehouse.transaction() as con:
        con.register("store_decisions", decisions)
        con.execute(
            sql_files.query("apply_review_state_plan"), {"retention_days": settings.retention_days}
        )
        con.execute(sql_files.query("apply_review_state_groups"))
        replace_in(con, "user_decisions", user_decisions_frame(store), "true", ())
        replace_in(con, "users", users_frame(users), "true", ())
        replace_in(con, "sessions", sessions_frame(users), "true", ())


def review_state_digest(settings: Settings) -> str:
    """A digest of what the mirror copies (decisions, user_decisions, queue answers, users and
    sessions): equal digests mean the warehouse already holds the store's review state."""
    store = ReviewStore(settings.app_store_path)
    users = UserStore(settings.app_store_path)
    digest = hashlib.sha256()
    for frame in (
        decisions_frame(store, users.user_ids()),
        user_decisions_frame(store),
        users_frame(users),
        sessions_frame(users),
    ):
        digest.update(frame.write_json().encode())
    for key, resolution in sorted(store.queue_resolutions().items()):
        digest.update(f"{key}\x00{resolution}".encode())
    return digest.hexdigest()
