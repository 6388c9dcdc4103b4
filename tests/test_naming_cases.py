"""The naming case table: several hundred real-world names per category, ours against guessit.

tests/naming_cases/<category>.psv holds one name a line (``#`` starts a comment):

    path|hint|title|year|season|episodes|edition|3d|part|extra

Every column is checked; an empty one means "none" (no year, no season, no episodes...).
``episodes`` is ``5``, ``1-3`` (every episode of the range) or ``1,2``. The title is compared by
its matching key (``normalize_title``), which is what grouping uses. A case is right when every
field is right. The suite prints the accuracy per category for MediaVault and for plain guessit
(called per name with the root's type, its output read the same way), asserts ours is at least
95 % in every category, and that every multi-episode range is exact.

A second check uses the test data shipped inside the guessit package (guessit/test/*.yml) where
it applies (episodes with title, season and episode; movies with title and year): guessit is
right on its own data by construction, so this measures how often our corrections agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import guessit
import pytest
import yaml
from guessit import guessit as plain_guessit

from mediavault_assets.domain.model import ParsedName
from mediavault_assets.domain.naming import MediaTypeHint, normalize_title, parse_name

CASES_DIR = Path(__file__).parent / "naming_cases"
MIN_ACCURACY = 0.95
MIN_GUESSIT_DATA_AGREEMENT = 0.90
FIELDS = ("title", "year", "season", "episodes", "edition", "is_3d", "part", "extra_kind")
_GUESSIT_TYPE = {"tv": "episode", "movie": "movie"}
_GUESSIT_EXTRA = {"Trailer": "trailer", "Sample": "sample", "Extras": "extra"}
_GUESSIT_EDITION = {"Special": "Special Edition", "Collector": "Collector's Edition"}


@dataclass(frozen=True)
class Case:
    category: str
    line: int
    path: str
    hint: MediaTypeHint
    expected: dict[str, Any]


def _episodes(text: str) -> tuple[int, ...]:
    if not text:
        return ()
    if "-" in text:
        first, last = (int(n) for n in text.split("-"))
        return tuple(range(first, last + 1))
    return tuple(sorted(int(n) for n in text.split(",")))


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.psv")):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            columns = raw.split("|")
            assert len(columns) == 10, f"{path.name}:{number}: {len(columns)} columns"
            name, hint, title, year, season, episodes, edition, is_3d, part, extra = columns
            assert hint in {"tv", "movie", "mixed"}, f"{path.name}:{number}: hint {hint!r}"
            cases.append(
                Case(
                    path.stem,
                    number,
                    name,
                    hint,  # type: ignore[arg-type]
                    {
                        "title": normalize_title(title),
                        "year": _optional_int(year),
                        "season": _optional_int(season),
                        "episodes": _episodes(episodes),
                        "edition": edition or None,
                        "is_3d": is_3d == "3d",
                        "part": _optional_int(part),
                        "extra_kind": extra or None,
                    },
                )
            )
    return cases


CASES = load_cases()
CATEGORIES = sorted({c.category for c in CASES})


def ours(case: Case) -> dict[str, Any]:
    parsed = parse_name(case.path, case.hint)
    return _fields(parsed)


def _fields(parsed: ParsedName) -> dict[str, Any]:
    values = {field: getattr(parsed, field) for field in FIELDS}
    values["title"] = parsed.title_key
    return values


def guessit_fields(path: str, hint: MediaTypeHint) -> dict[str, Any]:
    """Plain guessit's answer read into the same fields (a daily show's date as S<year>E<MMDD>,
    as ours, so only the parse is compared)."""
    options = {"type": _GUESSIT_TYPE[hint]} if hint in _GUESSIT_TYPE else {}
    guess = dict(plain_guessit(path, options))
    season, episodes = guess.get("season"), guess.get("episode", guess.get("absolute_episode"))
    if isinstance(season, list):
        season = season[0]
    numbers = tuple(sorted(set(episodes if isinstance(episodes, list) else [episodes])))
    numbers = () if numbers == (None,) else numbers
    if guess.get("date") is not None and season is None and not numbers:
        aired = guess["date"]
        season, numbers = aired.year, (aired.month * 100 + aired.day,)
    others = guess.get("other", [])
    others = others if isinstance(others, list) else [others]
    edition = guess.get("edition")
    editions = edition if isinstance(edition, list) else [edition] if edition else []
    part = guess.get("part", guess.get("cd"))
    return {
        "title": normalize_title(str(guess.get("title", ""))),
        "year": guess.get("year"),
        "season": season,
        "episodes": numbers,
        "edition": ", ".join(_GUESSIT_EDITION.get(str(e), str(e)) for e in editions) or None,
        "is_3d": "3D" in others,
        "part": part[0] if isinstance(part, list) else part,
        "extra_kind": next((_GUESSIT_EXTRA[o] for o in others if o in _GUESSIT_EXTRA), None),
    }


@pytest.fixture(scope="module")
def results() -> dict[str, list[tuple[Case, dict[str, Any], dict[str, Any]]]]:
    by_category: dict[str, list[tuple[Case, dict[str, Any], dict[str, Any]]]] = {}
    for case in CASES:
        by_category.setdefault(case.category, []).append(
            (case, ours(case), guessit_fields(case.path, case.hint))
        )
    return by_category


def _wrong(case: Case, got: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {f: (case.expected[f], got[f]) for f in FIELDS if case.expected[f] != got[f]}


def test_the_table_is_several_hundred_names() -> None:
    assert len(CASES) >= 400
    assert {"single", "multi", "daily", "anime", "movies", "editions"} <= set(CATEGORIES)
    assert len({c.path for c in CASES}) == len(CASES), "a name is listed twice"


def test_accuracy_per_category(results: dict[str, list[Any]], capsys: Any) -> None:
    lines, failures = [], []
    total_ours = total_guessit = total = 0
    for category in CATEGORIES:
        rows = results[category]
        right = sum(1 for case, got, _ in rows if not _wrong(case, got))
        right_guessit = sum(1 for case, _, theirs in rows if not _wrong(case, theirs))
        total_ours, total_guessit, total = (
            total_ours + right,
            total_guessit + right_guessit,
            total + len(rows),
        )
        lines.append(
            f"{category:>10}: {len(rows):4d} names  MediaVault {right / len(rows):6.1%}  "
            f"guessit {right_guessit / len(rows):6.1%}"
        )
        if right / len(rows) < MIN_ACCURACY:
            failures.append(category)
        for case, got, _ in rows:
            if wrong := _wrong(case, got):
                lines.append(f"    {category}.psv:{case.line} {case.path!r}: {wrong}")
    lines.append(
        f"{'all':>10}: {total:4d} names  MediaVault {total_ours / total:6.1%}  "
        f"guessit {total_guessit / total:6.1%}"
    )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not failures, f"under {MIN_ACCURACY:.0%}: {failures}"
    assert total_ours > total_guessit


def test_multi_episode_ranges_are_exact(results: dict[str, list[Any]]) -> None:
    wrong = [
        (case.path, case.expected["episodes"], got["episodes"])
        for rows in results.values()
        for case, got, _ in rows
        if len(case.expected["episodes"]) > 1 and got["episodes"] != case.expected["episodes"]
    ]
    assert not wrong


def _guessit_data() -> list[tuple[str, MediaTypeHint, dict[str, Any]]]:
    """guessit's own test names that say what we parse: (name, hint, expected fields)."""
    folder = Path(guessit.__file__).parent / "test"
    cases = []
    for file_name, hint in (("episodes.yml", "tv"), ("movies.yml", "movie")):
        data = yaml.safe_load((folder / file_name).read_text(encoding="utf-8"))
        for names, expected in data.items():
            if not isinstance(expected, dict) or "options" in expected or names.startswith("_"):
                continue
            if expected.get("type", "episode" if hint == "tv" else "movie") != _GUESSIT_TYPE[hint]:
                continue
            title = str(expected.get("title", ""))
            if hint == "tv" and "country" in expected:
                # Ours keeps the country in a show's title: "The Office US" ≠ "The Office UK".
                title = f"{title} {'UK' if expected['country'] == 'GB' else expected['country']}"
            wanted: dict[str, Any] = {"title": normalize_title(title)}
            if not wanted["title"] or any(str(k).startswith("-") for k in expected):
                continue
            if hint == "tv":
                season, episode = expected.get("season"), expected.get("episode")
                if not isinstance(season, int) or episode is None:
                    continue
                episodes = episode if isinstance(episode, list) else [episode]
                wanted |= {"season": season, "episodes": tuple(sorted(set(episodes)))}
            elif "year" in expected:
                wanted["year"] = expected["year"]
            else:
                continue
            cases.extend((name, hint, wanted) for name in names.split("\n? ") if name)
    return cases


def test_agreement_with_guessit_test_data(capsys: Any) -> None:
    cases = _guessit_data()
    assert len(cases) >= 300
    disagreements = []
    for name, hint, wanted in cases:
        got = _fields(parse_name(name, hint))
        if any(got[field] != value for field, value in wanted.items()):
            disagreements.append((name, {f: (v, got[f]) for f, v in wanted.items() if got[f] != v}))
    agreement = 1 - len(disagreements) / len(cases)
    with capsys.disabled():
        print(f"\nguessit's own test data: {len(cases)} names, agreement {agreement:.1%}")
        for name, diff in disagreements:
            print(f"    {name!r}: {diff}")
    assert agreement >= MIN_GUESSIT_DATA_AGREEMENT
