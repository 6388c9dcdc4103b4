"""TMDb responses cached in the warehouse (table tmdb_cache) with a time-to-live.

A request is keyed by its path and sorted query without the credentials, so a refresh asks TMDb
only about what it has not seen within the TTL. 404s are remembered too: a wrong ID tag in a name
is not re-asked on every run. The HTTP client never touches the warehouse (it runs outside the
"duckdb" pool): the plan step loads the entries a run may need into a ``ResponseCache``, and the
store step writes the new ones back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import duckdb
import polars as pl

from mediavault_assets.warehouse import Warehouse

CACHE_SCHEMA = {
    "request_key": pl.String,
    "tmdb_id": pl.Int64,
    "status_code": pl.Int32,
    "body": pl.String,
    "fetched_at": pl.Datetime("us"),
    "expires_at": pl.Datetime("us"),
}
_SUBJECT = re.compile(r"^/(?:movie|tv)/(\d+)(?:/|$)")
_RESULT_LISTS = ("results", "movie_results", "tv_results")


def request_key(path: str, params: Mapping[str, Any] | None = None) -> str:
    """ "/search/movie?query=Inception&year=2010": stable, and never holds a credential."""
    query = urlencode(sorted((k, str(v)) for k, v in (params or {}).items()))
    return f"{path}?{query}" if query else path


def subject_id(path: str) -> int | None:
    """The movie/show id a details or season request is about (None for searches)."""
    match = _SUBJECT.match(path)
    return int(match[1]) if match else None


@dataclass(frozen=True, slots=True)
class CacheEntry:
    request_key: str
    tmdb_id: int | None
    status_code: int  # 200, or 404
    body: str | None  # the JSON text TMDb sent (None for a 404)
    fetched_at: datetime
    expires_at: datetime

    def json(self) -> Any:
        return json.loads(self.body) if self.body is not None else None


class ResponseCache:
    """The entries one run may use, plus what it fetched; counts hits for the run's metadata."""

    def __init__(self, entries: Iterable[CacheEntry] = (), *, ttl: timedelta) -> None:
        self.ttl = ttl
        self._entries = {e.request_key: e for e in entries}
        self._new: dict[str, CacheEntry] = {}
        self.hits = 0

    def get(self, key: str, now: datetime) -> CacheEntry | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires_at <= now:
            return None
        self.hits += 1
        return entry

    def put(self, key: str, status_code: int, body: str | None, now: datetime) -> CacheEntry:
        path = key.split("?", 1)[0]
        entry = CacheEntry(key, subject_id(path), status_code, body, now, now + self.ttl)
        self._entries[key] = entry
        self._new[key] = entry
        return entry

    @property
    def new_entries(self) -> list[CacheEntry]:
        return list(self._new.values())


def referenced_ids(entries: Iterable[CacheEntry]) -> set[int]:
    """Ids of the titles that cached search and find answers list."""
    ids: set[int] = set()
    for entry in entries:
        body = entry.json()
        if not isinstance(body, dict):
            continue
        for name in _RESULT_LISTS:
            ids.update(int(r["id"]) for r in body.get(name) or [] if r.get("id") is not None)
    return ids


def load_entries(
    warehouse: Warehouse, keys: Sequence[str], tmdb_ids: Iterable[int], now: datetime
) -> list[CacheEntry]:
    """Unexpired entries for these request keys, and for the titles they (or tmdb_ids) name.

    Two steps because the details a run needs follow from the search answers it already has.
    """
    first = _entries(warehouse.named("tmdb_cache_by_keys", {"keys": list(keys), "now": now}))
    ids = sorted(referenced_ids(first) | set(tmdb_ids))
    second = _entries(warehouse.named("tmdb_cache_by_ids", {"ids": ids, "now": now}))
    return list({e.request_key: e for e in [*first, *second]}.values())


def _entries(frame: pl.DataFrame) -> list[CacheEntry]:
    return [CacheEntry(**row) for row in frame.iter_rows(named=True)]


def cache_frame(entries: Sequence[CacheEntry]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "request_key": e.request_key,
                "tmdb_id": e.tmdb_id,
                "status_code": e.status_code,
                "body": e.body,
                "fetched_at": e.fetched_at,
                "expires_at": e.expires_at,
            }
            for e in entries
        ],
        schema=CACHE_SCHEMA,
    )


def store_entries(
    con: duckdb.DuckDBPyConnection, entries: Sequence[CacheEntry], now: datetime
) -> None:
    """Upsert new entries and drop expired ones (inside the caller's transaction)."""
    con.execute(
        "DELETE FROM tmdb_cache WHERE list_contains(?::VARCHAR[], request_key) OR expires_at <= ?",
        [[e.request_key for e in entries], now],
    )
    if entries:
        con.register("new_cache_entries", cache_frame(entries))
        con.execute("INSERT INTO tmdb_cache BY NAME SELECT * FROM new_cache_entries")
        con.unregister("new_cache_entries")
