"""The fast path for common-shape names must answer exactly what the guessit path answers.

Every name of the case table and of the benchmark's generated library mix that takes the fast
path is parsed both ways and compared field by field; the mix must mostly take it (that is where
the speed comes from), and the cache must hand back the same parse.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from test_naming_cases import CASES

from mediavault_assets.domain import naming
from mediavault_assets.domain.fast_names import read_common_shape
from mediavault_assets.domain.naming import MediaTypeHint, parse_name

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "bench_naming.py"
MIX_SIZE = 400


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_naming", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIX: list[tuple[str, MediaTypeHint]] = _benchmark().generate(MIX_SIZE, seed=14)
NAMES = [(c.path, c.hint) for c in CASES] + MIX
# The same names in a root of the other kind and in a mixed one: the fast path must either step
# aside or still agree.
OTHER_ROOTS: list[tuple[str, MediaTypeHint]] = [
    (path, other) for path, hint in MIX[:100] for other in ("tv", "movie", "mixed") if other != hint
]


def _both_ways(path: str, hint: MediaTypeHint) -> tuple[object, object] | None:
    name = naming._prepare(path)
    fake = naming._common_shape_guess(name, hint)
    if fake is None:
        return None
    real = naming._guess(name.text, hint)
    return naming._from_guess(name, fake, hint), naming._from_guess(name, real, hint)


def test_the_fast_path_answers_what_guessit_answers() -> None:
    compared, different = 0, []
    for path, hint in NAMES + OTHER_ROOTS:
        if (pair := _both_ways(path, hint)) is None:
            continue
        compared += 1
        fast, slow = pair
        if fast != slow:
            different.append((path, fast, slow))
    assert compared >= 300
    assert not different


def test_most_of_a_library_takes_the_fast_path() -> None:
    fast = sum(1 for path, hint in MIX if naming._common_shape_guess(naming._prepare(path), hint))
    assert fast / len(MIX) >= 0.7


@pytest.mark.parametrize(
    "stem",
    [
        "The.Office.US.S01E01.720p.HDTV.x264-GRP",  # a country guessit keeps apart
        "Show.Name.S01E01.Part.1.720p.HDTV.x264-GRP",
        "Movie.Title.2010.Extended.1080p.BluRay.x264-GRP",
        "Movie Title (2010) 3D",
        "Show Name - S01E01E02 - Title",
        "24.S01E01.720p.HDTV.x264-GRP",  # numbers are guessit's to weigh
        "Immersion.French.2011.1080p.BluRay.x264-GRP",
    ],
)
def test_anything_unusual_goes_to_guessit(stem: str) -> None:
    assert read_common_shape(stem) is None


def test_the_cache_returns_the_same_parse() -> None:
    path = "TV/Cache Test/Season 01/Cache Test - S01E01 - Pilot Light.mkv"
    first = parse_name(path, "tv")
    assert parse_name(path, "tv") is first
    assert parse_name(path, "mixed") == first  # another key, the same answer here
    assert (first.title, first.season, first.episodes) == ("Cache Test", 1, (1,))
