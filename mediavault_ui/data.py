"""Read access for the review app: the settings and the published snapshot.

The app never opens the warehouse file Dagster writes, so it can never block a run (DESIGN.md);
see mediavault_assets.snapshot. One SnapshotReader per snapshot file serves every session and
the media routes of this process. The app's own data (decisions) comes from the review store
and can be joined in as registered frames.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from mediavault_assets.curation_store import CurationStore
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings, SettingsError, load_settings
from mediavault_assets.snapshot import DataUnavailable, Params, SnapshotReader
from mediavault_assets.warehouse import snapshot_path_for

__all__ = ["DataUnavailable", "Library", "open_library"]

_readers: dict[Path, SnapshotReader] = {}
_readers_guard = threading.Lock()


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
        params: Params | None = None,
        *,
        tables: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Run one query on the snapshot; `tables` are frames the SQL can join by name."""
        with _readers_guard:
            reader = _readers.setdefault(self.snapshot, SnapshotReader(self.snapshot))
        return reader.query(sql, params, tables=tables)

    def one(
        self,
        sql: str,
        params: Params | None = None,
        *,
        tables: Mapping[str, pl.DataFrame] | None = None,
    ) -> dict[str, Any]:
        """The first row as a dict (empty when there is none)."""
        rows = self.frame(sql, params, tables=tables)
        return rows.row(0, named=True) if rows.height else {}

    def review_store(self) -> ReviewStore:
        return ReviewStore(self.settings.app_store_path)

    def curation_store(self) -> CurationStore:
        return CurationStore(self.settings.app_store_path)


def open_library() -> Library:
    try:
        settings = load_settings()
    except SettingsError as error:
        raise DataUnavailable(str(error)) from None
    return Library(settings, snapshot_path_for(settings.warehouse_path))
