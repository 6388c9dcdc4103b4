"""Seed 003's weighted recommendation presets: `criteria_config` checked, then scored over the
titles on disk a person has not watched, every criterion explained.

Each criterion gives a title a match from 0 to 1 (near misses of a range or minimum earn part of
it); the title's score is the weighted mean of its matches, 0-100. An unknown fact (no maturity
rating, no director score) matches 0 and says so: a recommendation never guesses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mediavault_assets.domain.watching import WatchingError

CUSTOM_PREFIX = "custom_field_"
# Criterion → the keys it takes besides "weight" (seed 003's example structure).
CRITERIA: dict[str, frozenset[str]] = {
    "maturity_rating": frozenset({"values"}),
    "genre": frozenset({"values"}),
    "min_rating": frozenset({"value"}),
    "runtime": frozenset({"min", "max"}),
    "release_year": frozenset({"min", "max"}),
    "director_score": frozenset({"min"}),
    "screenwriter_score": frozenset({"min"}),
}
# How far outside a range or below a minimum a title still earns part of a criterion.
_SLACK = {"runtime": 30.0, "release_year": 10.0, "min_rating": 2.0, "person_score": 2.0}

DEFAULT_PRESET_NAME = "Well rated"
DEFAULT_PRESET: dict[str, Any] = {
    "min_rating": {"weight": 1.0, "value": 7.0},
    "director_score": {"weight": 0.5, "min": 7.0},
    "runtime": {"weight": 0.3, "min": 80, "max": 150},
}


def slug(text: str) -> str:
    """How genre names and preset values compare: "Science Fiction" → "science-fiction"."""
    return "-".join("".join(c if c.isalnum() else " " for c in str(text).casefold()).split())


def checked_criteria(config: str | Mapping[str, Any], custom_fields: Iterable[str]) -> dict:
    """A criteria_config that can be stored: valid JSON, known criteria (or custom_field_<name>
    of a defined field), weights from 0 to 1 with at least one above 0, sane bounds."""
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except json.JSONDecodeError as error:
            raise WatchingError(f"criteria_config is not valid JSON: {error}") from None
    if not isinstance(config, Mapping) or not config:
        raise WatchingError("criteria_config is a JSON object of criteria")
    fields = set(custom_fields)
    for name, spec in config.items():
        if not isinstance(spec, Mapping):
            raise WatchingError(f"criterion {name!r} is an object with a weight")
        if name.startswith(CUSTOM_PREFIX):
            if name[len(CUSTOM_PREFIX) :] not in fields:
                raise WatchingError(f"{name}: no custom field {name[len(CUSTOM_PREFIX) :]!r}")
            allowed = frozenset({"value", "values", "min", "max"})
        elif name in CRITERIA:
            allowed = CRITERIA[name]
        else:
            known = ", ".join([*CRITERIA, CUSTOM_PREFIX + "<name>"])
            raise WatchingError(f"unknown criterion {name!r}; known: {known}")
        weight = spec.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            raise WatchingError(f"{name}: weight is a number from 0 to 1, not {weight!r}")
        extra = set(spec) - allowed - {"weight"}
        if extra:
            raise WatchingError(f"{name}: unexpected {', '.join(sorted(extra))}")
        if not set(spec) & allowed:
            raise WatchingError(f"{name}: give {' or '.join(sorted(allowed))}")
        if "values" in spec and not (
            isinstance(spec["values"], list) and spec["values"] and all(spec["values"])
        ):
            raise WatchingError(f"{name}: values is a non-empty list")
        for bound in ("min", "max", "value"):
            value = spec.get(bound)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if bound in spec and not name.startswith(CUSTOM_PREFIX) and not numeric:
                raise WatchingError(f"{name}: {bound} is a number, not {spec[bound]!r}")
        if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
            raise WatchingError(f"{name}: min is above max")
    if not any(spec["weight"] > 0 for spec in config.values()):
        raise WatchingError("at least one criterion needs a weight above 0")
    return dict(config)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A title on disk, with the facts the criteria look at."""

    media_id: int
    title: str
    year: int | None
    media_type: str
    maturity_rating: str | None = None
    genres: tuple[str, ...] = ()  # slugs of its genres, their categories and parent genres
    rating: float | None = None  # TMDb's vote average
    runtime: int | None = None
    director_scores: tuple[float, ...] = ()  # people.overall_rating of its directors
    writer_scores: tuple[float, ...] = ()
    custom_fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: str
    weight: float
    match: float  # 0-1
    explanation: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    media_id: int
    title: str
    year: int | None
    score: float  # 0-100
    criteria: tuple[CriterionScore, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(
            f"{c.criterion} {c.match * 100:.0f}% (×{c.weight:g}): {c.explanation}"
            for c in self.criteria
        )


def recommend(
    candidates: Iterable[Candidate],
    config: Mapping[str, Any],
    *,
    watched: Iterable[int] = (),
    limit: int = 20,
) -> list[Recommendation]:
    """The best `limit` titles for the preset, best first (ties by title), watched ones left out."""
    seen = set(watched)
    total = sum(spec["weight"] for spec in config.values())
    results = []
    for c in candidates:
        if c.media_id in seen:
            continue
        scores = tuple(
            CriterionScore(name, spec["weight"], *_criterion(name, spec, c))
            for name, spec in config.items()
        )
        score = 100 * sum(s.weight * s.match for s in scores) / total if total else 0.0
        results.append(Recommendation(c.media_id, c.title, c.year, round(score, 1), scores))
    results.sort(key=lambda r: (-r.score, r.title.casefold(), r.media_id))
    return results[:limit]


def _criterion(name: str, spec: Mapping[str, Any], c: Candidate) -> tuple[float, str]:
    if name == "maturity_rating":
        wanted = [str(v) for v in spec["values"]]
        if c.maturity_rating is None:
            return 0.0, "maturity rating unknown"
        hit = c.maturity_rating.upper() in {v.upper() for v in wanted}
        return (1.0 if hit else 0.0), f"rated {c.maturity_rating}" + (
            "" if hit else f", not {'/'.join(wanted)}"
        )
    if name == "genre":
        wanted = [str(v) for v in spec["values"]]
        hits = [v for v in wanted if slug(v) in c.genres]
        if not hits:
            return 0.0, f"none of {', '.join(wanted)}"
        return len(hits) / len(wanted), f"is {', '.join(hits)}"
    if name == "min_rating":
        return _at_least(c.rating, spec["value"], _SLACK["min_rating"], "TMDb rating")
    if name in ("runtime", "release_year"):
        value = c.runtime if name == "runtime" else c.year
        unit = " min" if name == "runtime" else ""
        return _within(value, spec.get("min"), spec.get("max"), _SLACK[name], name, unit)
    if name in ("director_score", "screenwriter_score"):
        scores = c.director_scores if name == "director_score" else c.writer_scores
        who = "director" if name == "director_score" else "screenwriter"
        return _at_least(
            max(scores) if scores else None, spec["min"], _SLACK["person_score"], f"{who} score"
        )
    return _custom(name[len(CUSTOM_PREFIX) :], spec, c)


def _at_least(value: float | None, minimum: float, slack: float, what: str) -> tuple[float, str]:
    if value is None:
        return 0.0, f"{what} unknown"
    if value >= minimum:
        return 1.0, f"{what} {value:.1f} ≥ {minimum:g}"
    return max(0.0, 1 - (minimum - value) / slack), f"{what} {value:.1f} < {minimum:g}"


def _within(
    value: float | None, low: float | None, high: float | None, slack: float, what: str, unit: str
) -> tuple[float, str]:
    if value is None:
        return 0.0, f"{what} unknown"
    span = f"{'' if low is None else f'{low:g}'}–{'' if high is None else f'{high:g}'}{unit}"
    if low is not None and value < low:
        return max(0.0, 1 - (low - value) / slack), f"{value:g}{unit}, below {span}"
    if high is not None and value > high:
        return max(0.0, 1 - (value - high) / slack), f"{value:g}{unit}, above {span}"
    return 1.0, f"{value:g}{unit} within {span}"


def _custom(field_name: str, spec: Mapping[str, Any], c: Candidate) -> tuple[float, str]:
    value = c.custom_fields.get(field_name)
    if value is None:
        return 0.0, f"{field_name} not set"
    if "value" in spec or "values" in spec:
        wanted = spec["values"] if "values" in spec else [spec["value"]]
        have = value if isinstance(value, list) else [value]
        hit = any(v in have for v in wanted)
        return (1.0 if hit else 0.0), f"{field_name} = {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0, f"{field_name} = {value!r} is not a number"
    return _within(value, spec.get("min"), spec.get("max"), 0.0001, field_name, "")
