"""Read access for the review app: short read-only connections to the published snapshot.

The app never opens the warehouse file Dagster writes, so it can never block a run (DESIGN.md).
Every query opens the snapshot, runs and closes; the refresh replaces the snapshot atomically, so
a query sees either the old or the new file, never half of one. The app's own data (decisions)
comes from the review store and can be joined in as registered frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings, SettingsError, load_settings
from mediavault_assets.warehouse import snapshot_path_for


class DataUnavailable(RuntimeError):
    """Nothing to show yet: no settings, no snapshot, or a snapshot this app cannot read."""


@dataclass(frozen=True)
class Library:
    settings: Settings
    snapshot: Path

    @property
    def published_at(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.snapshot.stat().st_mtime)
        except FileNotFoundError:
            return None

    def frame(
        self,
        sql: str,
        params: Sequence[object] | Mapping[str, object] | None = None,
        *,
        tables: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Run one query on the snapshot; `tables` are frames the SQL can join by name."""
        if not self.snapshot.exists():
            raise DataUnavailable(
                "No library data yet: run `mediavault refresh` "
                "(or start a scan on the Scans page or in the Dagster UI)."
            )
        try:
            with duckdb.connect(str(self.snapshot), read_only=True) as con:
                for name, frame in (tables or {}).items():
                    con.register(name, frame)
                return con.sql(sql, params=params or None).pl()
        except (duckdb.CatalogException, duckdb.BinderException) as error:
            # A snapshot written by an older version lacks a table or column this page needs.
            raise DataUnavailable(
                "The library snapshot does not have what this page needs "
                f"({_first_line(error)}). Run `mediavault refresh` to publish a new one."
            ) from None
        except duckdb.IOException as error:
            raise DataUnavailable(
                f"The library snapshot could not be opened ({_first_line(error)}). "
                "It is replaced after every refresh: try again in a moment."
            ) from None

    def one(
        self,
        sql: str,
        params: Sequence[object] | Mapping[str, object] | None = None,
        *,
        tables: Mapping[str, pl.DataFrame] | None = None,
    ) -> dict[str, Any]:
        """The first row as a dict (empty when there is none)."""
        rows = self.frame(sql, params, tables=tables)
        return rows.row(0, named=True) if rows.height else {}

    def review_store(self) -> ReviewStore:
        return ReviewStore(self.settings.app_store_path)


def open_library() -> Library:
    try:
        settings = load_settings()
    except SettingsError as error:
        raise DataUnavailable(str(error)) from None
    return Library(settings, snapshot_path_for(settings.warehouse_path))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
