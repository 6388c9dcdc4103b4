"""Seed 003's user data about watching: reviews, watches, planned watches, custom fields, and the
integrity rules the seed gives them; how that data follows a title whose id changes; and what a
watch says to the deletion plan.

A review or watch belongs to a *title* (a movie or a show, seed 003's media row) and optionally
to one episode of a show (season and episode numbers). A title's id (``media_id``) is its TMDb
title's id when it has one, else the catalog's name-based id (domain/catalog.py), so it changes
when a title gets its TMDb match; ``followed_titles`` re-keys the user's data then, by TMDb id or
by the parsed names of the title's files.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

MAX_RATING = Decimal("10.0")
EVENT_TYPES = ("watch", "release", "review", "custom")
FIELD_TYPES = ("text", "number", "boolean", "select", "multi-select", "date")
FieldType = Literal["text", "number", "boolean", "select", "multi-select", "date"]
MAX_PAST_YEARS = 5  # seed 003: an event date at most 5 years in the past (configurable)
DEFAULT_RECENT_WATCH_DAYS = 30
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]+")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_RULE_KEYS = {"min", "max", "pattern", "allowed_values", "max_length"}


class WatchingError(ValueError):
    """A review, watch, event, preset or custom field that cannot be stored (says why)."""


@dataclass(frozen=True, slots=True)
class TitleRef:
    """A title as the user's data knows it: enough to find it again after its id changes."""

    media_id: int
    kind: Literal["movie", "show"]
    name: str
    year: int | None
    tmdb_type: str | None = None
    tmdb_id: int | None = None
    name_keys: tuple[str, ...] = ()  # "movie|blade runner|1982" of the title's files


def title_ref(row: Mapping[str, Any]) -> TitleRef:
    """A TitleRef from a row with its columns (name_keys a list, or JSON text as SQLite has it)."""
    keys = row["name_keys"]
    return TitleRef(
        media_id=row["media_id"],
        kind=row["kind"],
        name=row["name"],
        year=row["year"],
        tmdb_type=row["tmdb_type"],
        tmdb_id=row["tmdb_id"],
        name_keys=tuple(json.loads(keys) if isinstance(keys, str) else keys or ()),
    )


def name_key(media_type: str, title_key: str, year: int | None) -> str:
    """A parsed name's identity, as TitleRef.name_keys holds it."""
    return f"{media_type}|{title_key}|{'' if year is None else year}"


def followed_titles(stored: Iterable[TitleRef], current: Iterable[TitleRef]) -> dict[int, int]:
    """old media id → new media id for stored titles no longer in the library under their id
    whose TMDb title, or else whose file names, now belong to exactly one current title.

    A stored title still current stays; so does one that matches two titles (ambiguous) or
    whose new id holds user data already (it is never merged silently)."""
    current = list(current)
    current_ids = {c.media_id for c in current}
    stored = list(stored)
    taken = {s.media_id for s in stored}
    by_tmdb = {(c.tmdb_type, c.tmdb_id): c.media_id for c in current if c.tmdb_id is not None}
    by_name: dict[str, set[int]] = defaultdict(set)
    for c in current:
        for key in c.name_keys:
            by_name[key].add(c.media_id)
    moves: dict[int, int] = {}
    for s in stored:
        if s.media_id in current_ids:
            continue
        new = by_tmdb.get((s.tmdb_type, s.tmdb_id)) if s.tmdb_id is not None else None
        if new is None:
            found = {m for k in s.name_keys for m in by_name.get(k, ())}
            new = found.pop() if len(found) == 1 else None
        if new is not None and new not in taken:
            moves[s.media_id] = new
            taken.add(new)
    return moves


def checked_rating(value: float | str | Decimal) -> Decimal:
    """A review rating: 0.0 to 10.0 with one decimal (seed 003's DECIMAL(3,1))."""
    try:
        rating = Decimal(str(value).strip())
    except InvalidOperation:
        raise WatchingError(f"a rating is a number from 0.0 to 10.0, not {value!r}") from None
    if isinstance(value, bool) or not rating.is_finite() or not 0 <= rating <= MAX_RATING:
        raise WatchingError(f"a rating is a number from 0.0 to 10.0, not {value!r}")
    if rating != rating.quantize(Decimal("0.1")):
        raise WatchingError(f"a rating has at most one decimal (e.g. 8.5), not {value!r}")
    return rating.quantize(Decimal("0.1"))


def checked_tags(tags: Iterable[str]) -> list[str]:
    """Review tags as stored: trimmed, lower case, each once, in the order given."""
    words = [" ".join(str(t).split()).casefold() for t in tags]
    if any(len(w) > 64 for w in words):
        raise WatchingError("a tag is at most 64 characters")
    return list(dict.fromkeys(w for w in words if w))


def checked_episode(season: int | None, episode: int | None, kind: str) -> None:
    """An episode reference: only for shows, and an episode number needs its season."""
    if season is None and episode is None:
        return
    if kind != "show":
        raise WatchingError("only a show has episodes; a movie is reviewed or watched as a whole")
    if episode is not None and season is None:
        raise WatchingError("give the season of the episode too")
    if (season is not None and season < 0) or (episode is not None and episode < 1):
        raise WatchingError("seasons count from 0 and episodes from 1")


def checked_watch(duration: int | None, paused: int = 0, rewound: int = 0) -> None:
    if duration is not None and not 0 <= duration <= 24 * 60:
        raise WatchingError(f"a watch lasts 0 to 1440 minutes, not {duration}")
    if paused < 0 or rewound < 0:
        raise WatchingError("pause and rewind counts cannot be negative")


def checked_event(
    event_type: str,
    event_date: date,
    today: date,
    *,
    color: str | None = None,
    reminder_minutes: int | None = None,
    max_past_years: int = MAX_PAST_YEARS,
) -> None:
    """Seed 003's calendar rules: a known type, a date at most `max_past_years` back, #RRGGBB."""
    if event_type not in EVENT_TYPES:
        raise WatchingError(f"an event type is one of {', '.join(EVENT_TYPES)}, not {event_type!r}")
    earliest = today - timedelta(days=round(365.25 * max_past_years))
    if event_date < earliest:
        raise WatchingError(
            f"an event date cannot be more than {max_past_years} years in the past "
            f"({event_date.isoformat()} is before {earliest.isoformat()})"
        )
    if color is not None and not _COLOR.fullmatch(color):
        raise WatchingError(f"a color is a hex code like #1E90FF, not {color!r}")
    if reminder_minutes is not None and reminder_minutes < 0:
        raise WatchingError("a reminder comes before the event: minutes cannot be negative")


def checked_field_name(name: str) -> str:
    """Seed 003: custom field names are letters, digits and underscores only."""
    if not _FIELD_NAME.fullmatch(name or ""):
        raise WatchingError(
            f"a custom field name is letters, digits and underscores only, not {name!r}"
        )
    return name


@dataclass(frozen=True, slots=True)
class CustomField:
    """A row of custom_fields_schema: a field a person defined, with its validation."""

    field_name: str
    field_label: str
    field_type: FieldType
    field_options: tuple[str, ...] = ()
    field_default_value: str | None = None
    is_required: bool = False
    validation_rules: Mapping[str, Any] | None = None
    description: str | None = None
    help_text: str | None = None
    is_active: bool = True


def checked_field(field: CustomField) -> CustomField:
    """A definition that can be stored: its name, type, options and rules make sense."""
    checked_field_name(field.field_name)
    if not field.field_label.strip():
        raise WatchingError("a custom field needs a label")
    if field.field_type not in FIELD_TYPES:
        raise WatchingError(
            f"a field type is one of {', '.join(FIELD_TYPES)}, not {field.field_type!r}"
        )
    if field.field_type in ("select", "multi-select") and not field.field_options:
        raise WatchingError(f"a {field.field_type} field needs its options")
    rules = dict(field.validation_rules or {})
    unknown = set(rules) - _RULE_KEYS
    if unknown:
        raise WatchingError(
            f"unknown validation rule(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(_RULE_KEYS))}"
        )
    if "pattern" in rules:
        try:
            re.compile(str(rules["pattern"]))
        except re.error as error:
            raise WatchingError(f"the pattern {rules['pattern']!r} is not valid: {error}") from None
    if field.field_default_value is not None:
        checked_value(field, field.field_default_value)
    return field


def checked_value(field: CustomField, raw: object) -> object:
    """A title's value for `field`, parsed from text (CLI, form) or given typed, then checked
    against the field's type, options and validation rules. Returns the typed value."""
    rules = dict(field.validation_rules or {})
    value = _typed(field, raw)
    if value is None:
        if field.is_required:
            raise WatchingError(f"{field.field_name} is required")
        return None
    values = value if isinstance(value, list) else [value]
    allowed = list(field.field_options) or list(rules.get("allowed_values") or [])
    if allowed and field.field_type in ("select", "multi-select", "text"):
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise WatchingError(
                f"{field.field_name}: {', '.join(map(repr, wrong))} is not one of "
                f"{', '.join(map(str, allowed))}"
            )
    if field.field_type == "number":
        if "min" in rules and value < rules["min"]:  # type: ignore[operator]
            raise WatchingError(f"{field.field_name} is at least {rules['min']}, not {value}")
        if "max" in rules and value > rules["max"]:  # type: ignore[operator]
            raise WatchingError(f"{field.field_name} is at most {rules['max']}, not {value}")
    if field.field_type == "text":
        if "pattern" in rules and not re.search(str(rules["pattern"]), str(value)):
            raise WatchingError(
                f"{field.field_name}: {value!r} does not match the pattern {rules['pattern']!r}"
            )
        if "max_length" in rules and len(str(value)) > int(rules["max_length"]):
            raise WatchingError(
                f"{field.field_name} is at most {rules['max_length']} characters long"
            )
    return value


def _typed(field: CustomField, raw: object) -> object:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = field.field_type
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if kind == "number":
            if isinstance(text, bool):
                raise ValueError
            number = float(text)  # type: ignore[arg-type]
            return int(number) if number.is_integer() else number
        if kind == "boolean":
            if isinstance(text, bool):
                return text
            lowered = str(text).casefold()
            if lowered in ("true", "yes", "1", "y"):
                return True
            if lowered in ("false", "no", "0", "n"):
                return False
            raise ValueError
        if kind == "date":
            day = text if isinstance(text, date) else date.fromisoformat(str(text))
            return day.isoformat()
        if kind == "multi-select":
            items = text if isinstance(text, list) else str(text).split(",")
            return list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    except ValueError:
        raise WatchingError(f"{field.field_name} is a {kind}, not {raw!r}") from None
    return str(text)


def json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Watch:
    """A logged watch as the plan needs it."""

    media_id: int
    watched_at: datetime
    season_number: int | None = None
    episode_number: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedWatch:
    media_id: int
    event_date: date
    season_number: int | None = None
    episode_number: int | None = None


@dataclass(frozen=True, slots=True)
class FileTitle:
    """What identifies a file's title for the watch signal (its TMDb match or parsed name)."""

    file_id: int
    name_key: str
    tmdb_type: str | None
    tmdb_id: int | None
    season: int | None
    episodes: tuple[int, ...]


def _covers(f: FileTitle, season: int | None, episode: int | None) -> bool:
    """A watch of a whole title covers every file; one of an episode covers the files of it."""
    if season is None:
        return True
    if f.season != season:
        return False
    return episode is None or episode in f.episodes


def watch_signals(
    files: Iterable[FileTitle],
    titles: Iterable[TitleRef],
    watches: Sequence[Watch],
    planned: Sequence[PlannedWatch],
    *,
    now: datetime,
    recent_days: int = DEFAULT_RECENT_WATCH_DAYS,
) -> dict[int, str]:
    """file id → why a person may still want it: watched in the last `recent_days` days, or on a
    watch plan from today on. Files without such a watch are not in the result."""
    refs = {t.media_id: t for t in titles}
    recent = [w for w in watches if now - w.watched_at <= timedelta(days=recent_days)]
    upcoming = [p for p in planned if p.event_date >= now.date()]
    signals: dict[int, str] = {}
    for f in files:
        found: list[str] = []
        for w in sorted(recent, key=lambda w: w.watched_at, reverse=True):
            ref = refs.get(w.media_id)
            if ref and _same_title(f, ref) and _covers(f, w.season_number, w.episode_number):
                days = (now - w.watched_at).days
                when = "today" if days == 0 else f"{days} day{'s' * (days != 1)} ago"
                found.append(
                    f"You watched {_what(ref, w.season_number, w.episode_number)} {when} "
                    f"({w.watched_at.date().isoformat()}, within {recent_days} days)"
                )
                break
        for p in sorted(upcoming, key=lambda p: p.event_date):
            ref = refs.get(p.media_id)
            if ref and _same_title(f, ref) and _covers(f, p.season_number, p.episode_number):
                found.append(
                    f"{_what(ref, p.season_number, p.episode_number)} is on your watch plan "
                    f"for {p.event_date.isoformat()}"
                )
                break
        if found:
            signals[f.file_id] = "; ".join(found)
    return signals


def _same_title(f: FileTitle, ref: TitleRef) -> bool:
    if f.tmdb_id is not None and ref.tmdb_id is not None:
        return (f.tmdb_type, f.tmdb_id) == (ref.tmdb_type, ref.tmdb_id)
    return f.name_key in ref.name_keys


def _what(ref: TitleRef, season: int | None, episode: int | None) -> str:
    year = f" ({ref.year})" if ref.year else ""
    if season is None:
        return f"{ref.name}{year}"
    if episode is None:
        return f"{ref.name} season {season}"
    return f"{ref.name} S{season:02d}E{episode:02d}"
