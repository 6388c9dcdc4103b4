"""The review side's store of seed 003's user data: reviews, watch history, calendar events,
recommendation presets and custom fields (their definitions and per-title values).

It lives in the review store's SQLite file (WAL) next to decisions and curation, so a review is
saved while a Dagster run writes the warehouse; each refresh mirrors it into the warehouse's
tables of the same names (defs/library/watching.py) and re-keys titles whose id changed. A scan
never drops anything here: a title whose files left the library keeps its reviews and watches.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from mediavault_assets import sql_files, sqlite_wal
from mediavault_assets.domain.media_servers import ServerWatch
from mediavault_assets.domain.recommend import DEFAULT_PRESET, DEFAULT_PRESET_NAME, checked_criteria
from mediavault_assets.domain.watching import (
    CustomField,
    PlannedWatch,
    TitleRef,
    Watch,
    WatchingError,
    checked_episode,
    checked_event,
    checked_field,
    checked_rating,
    checked_tags,
    checked_value,
    checked_watch,
    json_text,
    title_ref,
)


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    media_id: int
    season_number: int | None
    episode_number: int | None
    rating: float
    review_text: str | None
    watched_date: str | None
    tags: list[str]
    reviewed_by: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class WatchEntry:
    id: int
    media_id: int
    season_number: int | None
    episode_number: int | None
    watched_at: str
    watch_duration: int | None
    completed: bool
    watch_source: str | None
    watch_context: str | None
    paused_count: int
    rewind_count: int
    watched_by: str
    created_at: str


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    id: int
    media_id: int | None
    season_number: int | None
    episode_number: int | None
    event_type: str
    event_date: str
    event_time: str | None
    title: str | None
    description: str | None
    location: str | None
    icon: str | None
    color: str | None
    reminder_enabled: bool
    reminder_minutes: int | None
    completed: bool
    completed_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Preset:
    id: int
    name: str
    description: str | None
    criteria_config: dict[str, Any]
    is_default: bool
    use_count: int
    created_at: str
    updated_at: str


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _field(row: sqlite3.Row) -> CustomField:
    return CustomField(
        field_name=row["field_name"],
        field_label=row["field_label"],
        field_type=row["field_type"],
        field_options=tuple(json.loads(row["field_options"] or "[]")),
        field_default_value=row["field_default_value"],
        is_required=bool(row["is_required"]),
        validation_rules=json.loads(row["validation_rules"]) if row["validation_rules"] else None,
        description=row["description"],
        help_text=row["help_text"],
        is_active=bool(row["is_active"]),
    )


def _bools(row: sqlite3.Row, *names: str) -> dict[str, Any]:
    values = dict(row)
    for name in names:
        values[name] = bool(values[name])
    return values


class WatchingStore:
    """Seed 003's user data by title; safe to use from several processes at once."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(sql_files.app_store_schema("watching_store"))
        with self._write() as con:
            # Seed 003 wants a default preset; a person's own presets are never overwritten.
            if con.execute("SELECT count(*) FROM recommendation_criteria").fetchone()[0] == 0:
                now = _now()
                con.execute(
                    "INSERT INTO recommendation_criteria (name, description, criteria_config, "
                    "is_default, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
                    (
                        DEFAULT_PRESET_NAME,
                        "Well-rated titles by well-rated directors, of a usual length",
                        json_text(DEFAULT_PRESET),
                        now,
                        now,
                    ),
                )

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.connect(self.path, self.busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.write(self.path, self.busy_timeout_s)

    @staticmethod
    def _remember(con: sqlite3.Connection, ref: TitleRef, now: str) -> None:
        con.execute(
            "INSERT INTO watch_titles (media_id, kind, name, year, tmdb_type, tmdb_id, name_keys, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (media_id) DO UPDATE SET "
            "kind = excluded.kind, name = excluded.name, year = excluded.year, "
            "tmdb_type = excluded.tmdb_type, tmdb_id = excluded.tmdb_id, "
            "name_keys = excluded.name_keys, updated_at = excluded.updated_at",
            (
                ref.media_id,
                ref.kind,
                ref.name,
                ref.year,
                ref.tmdb_type,
                ref.tmdb_id,
                json.dumps(sorted(ref.name_keys)),
                now,
            ),
        )

    # Titles ---------------------------------------------------------------------------------

    def titles(self) -> dict[int, TitleRef]:
        with self._connect() as con:
            return {
                r["media_id"]: title_ref(dict(r)) for r in con.execute("SELECT * FROM watch_titles")
            }

    def forget_title(self, media_id: int) -> bool:
        """Delete a title's reviews, watches, events and field values (seed 003's cascade)."""
        with self._write() as con:
            deleted = con.execute("DELETE FROM watch_titles WHERE media_id = ?", (media_id,))
        return deleted.rowcount > 0

    def follow(self, moves: Mapping[int, TitleRef]) -> int:
        """Re-key titles whose id changed (old id → the title now); the data follows through
        ON UPDATE CASCADE. Returns how many titles moved."""
        now = _now()
        with self._write() as con:
            for old_id, new in moves.items():
                con.execute(
                    "UPDATE watch_titles SET media_id = ? WHERE media_id = ? "
                    "AND NOT EXISTS (SELECT 1 FROM watch_titles WHERE media_id = ?)",
                    (new.media_id, old_id, new.media_id),
                )
                self._remember(con, new, now)
        return len(moves)

    # Reviews --------------------------------------------------------------------------------

    def review(
        self,
        ref: TitleRef,
        rating: float | str | Decimal,
        *,
        by: str,
        text: str | None = None,
        watched_date: date | None = None,
        tags: Iterable[str] = (),
        season: int | None = None,
        episode: int | None = None,
    ) -> Review:
        """Write (or rewrite) the review of a title or of one of its episodes."""
        value = checked_rating(rating)
        checked_episode(season, episode, ref.kind)
        words = checked_tags(tags)
        now = _now()
        with self._write() as con:
            self._remember(con, ref, now)
            existing = con.execute(
                "SELECT id FROM user_reviews WHERE media_id = ? AND season_number IS ? "
                "AND episode_number IS ?",
                (ref.media_id, season, episode),
            ).fetchone()
            values = (
                float(value),
                text,
                watched_date.isoformat() if watched_date else None,
                json.dumps(words, ensure_ascii=False),
                by,
                now,
            )
            if existing:
                con.execute(
                    "UPDATE user_reviews SET rating = ?, review_text = ?, watched_date = ?, "
                    "tags = ?, reviewed_by = ?, updated_at = ? WHERE id = ?",
                    (*values, existing["id"]),
                )
                review_id = existing["id"]
            else:
                review_id = con.execute(
                    "INSERT INTO user_reviews (rating, review_text, watched_date, tags, "
                    "reviewed_by, updated_at, media_id, season_number, episode_number, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, ref.media_id, season, episode, now),
                ).lastrowid
        return next(r for r in self.reviews(ref.media_id) if r.id == review_id)

    def reviews(self, media_id: int | None = None) -> list[Review]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM user_reviews WHERE ? IS NULL OR media_id = ? "
                "ORDER BY media_id, season_number, episode_number",
                (media_id, media_id),
            ).fetchall()
        return [Review(**{**dict(r), "tags": json.loads(r["tags"])}) for r in rows]

    def delete_review(self, review_id: int) -> bool:
        with self._write() as con:
            return con.execute("DELETE FROM user_reviews WHERE id = ?", (review_id,)).rowcount > 0

    # Watch history --------------------------------------------------------------------------

    def log_watch(
        self,
        ref: TitleRef,
        *,
        by: str,
        watched_at: datetime | None = None,
        duration: int | None = None,
        completed: bool = True,
        source: str | None = None,
        context: str | None = None,
        paused: int = 0,
        rewound: int = 0,
        season: int | None = None,
        episode: int | None = None,
    ) -> WatchEntry:
        checked_episode(season, episode, ref.kind)
        checked_watch(duration, paused, rewound)
        now = _now()
        when = (watched_at or datetime.fromisoformat(now)).isoformat(timespec="seconds")
        with self._write() as con:
            self._remember(con, ref, now)
            watch_id = con.execute(
                "INSERT INTO watch_history (media_id, season_number, episode_number, watched_at, "
                "watch_duration, completed, watch_source, watch_context, paused_count, "
                "rewind_count, watched_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ref.media_id,
                    season,
                    episode,
                    when,
                    duration,
                    int(completed),
                    source,
                    context,
                    paused,
                    rewound,
                    by,
                    now,
                ),
            ).lastrowid
        return next(w for w in self.watches(ref.media_id) if w.id == watch_id)

    def record_server_watches(
        self, watches: Iterable[ServerWatch], titles: Mapping[int, TitleRef]
    ) -> int:
        """Add the plays media servers reported that are not recorded yet; returns how many.
        A play of a title the library does not know (any more) waits for a later refresh."""
        now = _now()
        added = 0
        with self._write() as con:
            for w in watches:
                ref = titles.get(w.media_id)
                seen = con.execute(
                    "SELECT 1 FROM server_watches WHERE watch_key = ?", (w.watch_key,)
                ).fetchone()
                if ref is None or seen:
                    continue
                self._remember(con, ref, now)
                watch_id = con.execute(
                    "INSERT INTO watch_history (media_id, season_number, episode_number, "
                    "watched_at, completed, watch_source, watch_context, watched_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        w.media_id,
                        w.season,
                        w.episode,
                        w.watched_at.isoformat(timespec="seconds"),
                        int(w.completed),
                        w.source,
                        w.context,
                        w.watched_by,
                        now,
                    ),
                ).lastrowid
                con.execute(
                    "INSERT INTO server_watches (watch_key, watch_id, recorded_at) "
                    "VALUES (?, ?, ?)",
                    (w.watch_key, watch_id, now),
                )
                added += 1
        return added

    def watches(self, media_id: int | None = None) -> list[WatchEntry]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM watch_history WHERE ? IS NULL OR media_id = ? "
                "ORDER BY watched_at DESC, id DESC",
                (media_id, media_id),
            ).fetchall()
        return [WatchEntry(**_bools(r, "completed")) for r in rows]

    def delete_watch(self, watch_id: int) -> bool:
        with self._write() as con:
            return con.execute("DELETE FROM watch_history WHERE id = ?", (watch_id,)).rowcount > 0

    # Calendar -------------------------------------------------------------------------------

    def add_event(
        self,
        ref: TitleRef | None,
        event_type: str,
        event_date: date,
        *,
        today: date | None = None,
        event_time: str | None = None,
        title: str | None = None,
        description: str | None = None,
        location: str | None = None,
        icon: str | None = None,
        color: str | None = None,
        reminder_minutes: int | None = None,
        season: int | None = None,
        episode: int | None = None,
    ) -> CalendarEvent:
        """A calendar entry; a planned watch is event_type 'watch' (see plan_watch)."""
        checked_event(
            event_type,
            event_date,
            today or datetime.now(UTC).date(),
            color=color,
            reminder_minutes=reminder_minutes,
        )
        if ref is None and event_type != "custom":
            raise WatchingError(f"a {event_type!r} event is about a title: give one")
        if ref is not None:
            checked_episode(season, episode, ref.kind)
        now = _now()
        with self._write() as con:
            if ref is not None:
                self._remember(con, ref, now)
            event_id = con.execute(
                "INSERT INTO calendar_events (media_id, season_number, episode_number, "
                "event_type, event_date, event_time, title, description, location, icon, color, "
                "reminder_enabled, reminder_minutes, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ref.media_id if ref else None,
                    season,
                    episode,
                    event_type,
                    event_date.isoformat(),
                    event_time,
                    title or (ref.name if ref else None),
                    description,
                    location,
                    icon,
                    color,
                    int(reminder_minutes is not None),
                    reminder_minutes,
                    now,
                    now,
                ),
            ).lastrowid
        return next(e for e in self.events() if e.id == event_id)

    def plan_watch(self, ref: TitleRef, event_date: date, **details: Any) -> CalendarEvent:
        return self.add_event(ref, "watch", event_date, **details)

    def complete_event(self, event_id: int) -> bool:
        now = _now()
        with self._write() as con:
            return (
                con.execute(
                    "UPDATE calendar_events SET completed = 1, completed_at = ?, updated_at = ? "
                    "WHERE id = ?",
                    (now, now, event_id),
                ).rowcount
                > 0
            )

    def delete_event(self, event_id: int) -> bool:
        with self._write() as con:
            return con.execute("DELETE FROM calendar_events WHERE id = ?", (event_id,)).rowcount > 0

    def events(self, *, since: date | None = None) -> list[CalendarEvent]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM calendar_events WHERE ? IS NULL OR event_date >= ? "
                "ORDER BY event_date, event_time, id",
                (since and since.isoformat(), since and since.isoformat()),
            ).fetchall()
        return [CalendarEvent(**_bools(r, "reminder_enabled", "completed")) for r in rows]

    # What the deletion plan needs -----------------------------------------------------------

    def plan_signals(self) -> tuple[list[TitleRef], list[Watch], list[PlannedWatch]]:
        """The titles, watches and open planned watches the plan's watch signal looks at."""
        watches = [
            Watch(
                w.media_id,
                datetime.fromisoformat(w.watched_at),
                w.season_number,
                w.episode_number,
            )
            for w in self.watches()
        ]
        planned = [
            PlannedWatch(
                e.media_id,
                date.fromisoformat(e.event_date),
                e.season_number,
                e.episode_number,
            )
            for e in self.events()
            if e.event_type == "watch" and not e.completed and e.media_id is not None
        ]
        return list(self.titles().values()), watches, planned

    # Recommendation presets -----------------------------------------------------------------

    def save_preset(
        self,
        name: str,
        criteria_config: str | Mapping[str, Any],
        *,
        description: str | None = None,
        is_default: bool = False,
    ) -> Preset:
        """Create or replace a preset (criteria checked first); a new default replaces the old."""
        if not name.strip():
            raise WatchingError("a preset needs a name")
        config = checked_criteria(criteria_config, (f.field_name for f in self.fields()))
        now = _now()
        with self._write() as con:
            if is_default:
                con.execute(
                    "UPDATE recommendation_criteria SET is_default = 0, updated_at = ?", (now,)
                )
            con.execute(
                "INSERT INTO recommendation_criteria (name, description, criteria_config, "
                "is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
                "criteria_config = excluded.criteria_config, "
                "is_default = max(is_default, excluded.is_default), "
                "updated_at = excluded.updated_at",
                (name.strip(), description, json_text(config), int(is_default), now, now),
            )
        return self.preset(name.strip())

    def presets(self) -> list[Preset]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM recommendation_criteria "
                "ORDER BY is_default DESC, use_count DESC, name"
            ).fetchall()
        return [
            Preset(
                **{**_bools(r, "is_default"), "criteria_config": json.loads(r["criteria_config"])}
            )
            for r in rows
        ]

    def preset(self, name: str | None = None) -> Preset:
        """The preset called `name`, or the default one."""
        presets = self.presets()
        found = next(
            (p for p in presets if (p.name == name if name is not None else p.is_default)), None
        )
        if found is None:
            names = ", ".join(p.name for p in presets) or "none"
            raise WatchingError(
                f"no preset {name!r} (presets: {names})" if name else "no default preset"
            )
        return found

    def record_use(self, name: str) -> int:
        """Count one use of the preset (seed 003's use_count); returns the new count."""
        with self._write() as con:
            row = con.execute(
                "UPDATE recommendation_criteria SET use_count = use_count + 1 WHERE name = ? "
                "RETURNING use_count",
                (name,),
            ).fetchone()
        if row is None:
            raise WatchingError(f"no preset {name!r}")
        return row[0]

    def delete_preset(self, name: str) -> bool:
        with self._write() as con:
            return (
                con.execute("DELETE FROM recommendation_criteria WHERE name = ?", (name,)).rowcount
                > 0
            )

    # Custom fields --------------------------------------------------------------------------

    def define_field(self, field: CustomField) -> CustomField:
        """Create or redefine a custom field (values already set are re-checked against it)."""
        checked_field(field)
        now = _now()
        with self._write() as con:
            for row in con.execute(
                "SELECT media_id, value FROM media_custom_fields WHERE field_name = ?",
                (field.field_name,),
            ).fetchall():
                try:
                    checked_value(field, json.loads(row["value"]))
                except WatchingError as error:
                    raise WatchingError(
                        f"title {row['media_id']} already has a value the new definition "
                        f"refuses: {error}"
                    ) from None
            con.execute(
                "INSERT INTO custom_fields_schema (field_name, field_label, field_type, "
                "field_options, field_default_value, is_required, validation_rules, description, "
                "help_text, is_active, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (field_name) DO UPDATE SET "
                "field_label = excluded.field_label, field_type = excluded.field_type, "
                "field_options = excluded.field_options, "
                "field_default_value = excluded.field_default_value, "
                "is_required = excluded.is_required, validation_rules = excluded.validation_rules, "
                "description = excluded.description, help_text = excluded.help_text, "
                "is_active = excluded.is_active, updated_at = excluded.updated_at",
                (
                    field.field_name,
                    field.field_label,
                    field.field_type,
                    json.dumps(list(field.field_options)) if field.field_options else None,
                    field.field_default_value,
                    int(field.is_required),
                    json.dumps(dict(field.validation_rules)) if field.validation_rules else None,
                    field.description,
                    field.help_text,
                    int(field.is_active),
                    now,
                    now,
                ),
            )
        return field

    def fields(self, *, active_only: bool = False) -> list[CustomField]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM custom_fields_schema ORDER BY field_name").fetchall()
        return [f for f in map(_field, rows) if f.is_active or not active_only]

    def delete_field(self, field_name: str) -> bool:
        """Drop a definition and every title's value of it (seed 003's cascade)."""
        with self._write() as con:
            return (
                con.execute(
                    "DELETE FROM custom_fields_schema WHERE field_name = ?", (field_name,)
                ).rowcount
                > 0
            )

    def set_field(self, ref: TitleRef, field_name: str, raw: object, *, by: str) -> object:
        """Set (or with an empty value clear) a title's value of a field; returns it typed."""
        return self.set_fields(ref, {field_name: raw}, by=by)[field_name]

    def set_fields(self, ref: TitleRef, raw: Mapping[str, object], *, by: str) -> dict[str, object]:
        """Set several fields of a title at once: all are checked first, so a form with one bad
        value saves none of them. Returns the typed values."""
        defined = {f.field_name: f for f in self.fields()}
        values: dict[str, object] = {}
        for field_name, text in raw.items():
            field = defined.get(field_name)
            if field is None:
                known = ", ".join(defined) or "none defined"
                raise WatchingError(f"no custom field {field_name!r} ({known})")
            if not field.is_active:
                raise WatchingError(f"the custom field {field_name!r} is switched off")
            values[field_name] = checked_value(field, text)
        now = _now()
        with self._write() as con:
            self._remember(con, ref, now)
            for field_name, value in values.items():
                if value is None:
                    con.execute(
                        "DELETE FROM media_custom_fields WHERE media_id = ? AND field_name = ?",
                        (ref.media_id, field_name),
                    )
                    continue
                con.execute(
                    "INSERT INTO media_custom_fields (media_id, field_name, value, updated_by, "
                    "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (media_id, field_name) "
                    "DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, "
                    "updated_at = excluded.updated_at",
                    (ref.media_id, field_name, json.dumps(value, ensure_ascii=False), by, now),
                )
        return values

    def field_values(self, media_id: int | None = None) -> dict[int, dict[str, object]]:
        """media id → {field name: value} (defaults of fields not set are not filled in)."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT media_id, field_name, value FROM media_custom_fields "
                "WHERE ? IS NULL OR media_id = ? ORDER BY media_id, field_name",
                (media_id, media_id),
            ).fetchall()
        values: dict[int, dict[str, object]] = {}
        for r in rows:
            values.setdefault(r["media_id"], {})[r["field_name"]] = json.loads(r["value"])
        return values

    # The mirror -----------------------------------------------------------------------------

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every table as a frame with the warehouse's column names (JSON columns as text)."""
        with self._connect() as con:
            tables = {
                name: [dict(r) for r in con.execute(f"SELECT * FROM {name}").fetchall()]
                for name in _FRAME_SCHEMAS
            }
        return {
            name: pl.DataFrame(rows, schema=_FRAME_SCHEMAS[name], orient="row")
            if rows
            else pl.DataFrame(schema=_FRAME_SCHEMAS[name])
            for name, rows in tables.items()
        }


_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "watch_titles": {
        "media_id": pl.Int64,
        "kind": pl.String,
        "name": pl.String,
        "year": pl.Int32,
        "tmdb_type": pl.String,
        "tmdb_id": pl.Int64,
        "name_keys": pl.String,
        "updated_at": pl.String,
    },
    "user_reviews": {
        "id": pl.Int64,
        "media_id": pl.Int64,
        "season_number": pl.Int32,
        "episode_number": pl.Int32,
        "rating": pl.Float64,
        "review_text": pl.String,
        "watched_date": pl.String,
        "tags": pl.String,
        "reviewed_by": pl.String,
        "created_at": pl.String,
        "updated_at": pl.String,
    },
    "watch_history": {
        "id": pl.Int64,
        "media_id": pl.Int64,
        "season_number": pl.Int32,
        "episode_number": pl.Int32,
        "watched_at": pl.String,
        "watch_duration": pl.Int32,
        "completed": pl.Int32,
        "watch_source": pl.String,
        "watch_context": pl.String,
        "paused_count": pl.Int32,
        "rewind_count": pl.Int32,
        "watched_by": pl.String,
        "created_at": pl.String,
    },
    "calendar_events": {
        "id": pl.Int64,
        "media_id": pl.Int64,
        "season_number": pl.Int32,
        "episode_number": pl.Int32,
        "event_type": pl.String,
        "event_date": pl.String,
        "event_time": pl.String,
        "title": pl.String,
        "description": pl.String,
        "location": pl.String,
        "icon": pl.String,
        "color": pl.String,
        "reminder_enabled": pl.Int32,
        "reminder_minutes": pl.Int32,
        "completed": pl.Int32,
        "completed_at": pl.String,
        "created_at": pl.String,
        "updated_at": pl.String,
    },
    "recommendation_criteria": {
        "id": pl.Int64,
        "name": pl.String,
        "description": pl.String,
        "criteria_config": pl.String,
        "is_default": pl.Int32,
        "use_count": pl.Int32,
        "created_at": pl.String,
        "updated_at": pl.String,
    },
    "custom_fields_schema": {
        "id": pl.Int64,
        "field_name": pl.String,
        "field_label": pl.String,
        "field_type": pl.String,
        "field_options": pl.String,
        "field_default_value": pl.String,
        "is_required": pl.Int32,
        "validation_rules": pl.String,
        "description": pl.String,
        "help_text": pl.String,
        "is_active": pl.Int32,
        "created_at": pl.String,
        "updated_at": pl.String,
    },
    "media_custom_fields": {
        "media_id": pl.Int64,
        "field_name": pl.String,
        "value": pl.String,
        "updated_by": pl.String,
        "updated_at": pl.String,
    },
}
