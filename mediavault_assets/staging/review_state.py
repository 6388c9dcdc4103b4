"""Mirror the review store and the staging journal onto the warehouse's plan and group rows."""

from __future__ import annotations

import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings
from mediavault_assets.warehouse import Warehouse, replace_in

_DECISIONS_SCHEMA = {
    "file_id": pl.Int64,
    "group_id": pl.Int64,
    "decision": pl.String,
    "reviewer": pl.String,
    "notes": pl.String,
    "decided_at": pl.Datetime("us"),
}


def decisions_frame(store: ReviewStore) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "file_id": d.file_id,
                "group_id": d.group_id,
                "decision": d.decision,
                "reviewer": d.reviewer,
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


def apply_review_state(warehouse: Warehouse, settings: Settings) -> None:
    """One transaction: user_decisions mirrored, plan and group review columns updated."""
    store = ReviewStore(settings.app_store_path)
    decisions = decisions_frame(store)
    with warehouse.transaction() as con:
        con.register("store_decisions", decisions)
        con.execute(
            sql_files.query("apply_review_state_plan"), {"retention_days": settings.retention_days}
        )
        con.execute(sql_files.query("apply_review_state_groups"))
        replace_in(con, "user_decisions", user_decisions_frame(store), "true", ())
