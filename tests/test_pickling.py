"""Dataclasses Dagster passes between ops pickle as tuples and come back equal."""

import pickle
from dataclasses import dataclass, field

import pytest

from mediavault_assets.domain.model import Chapter, ParsedName, ProbeFacts, Sidecar
from mediavault_assets.domain.pickling import tuple_pickled
from mediavault_assets.domain.tmdb_matching import TitleIdentity
from mediavault_assets.media.hashing import HashCandidate, HashError, HashRecord
from mediavault_assets.media.walker import ScanError, WalkedFile


def test_every_field_survives_a_round_trip() -> None:
    sidecar = Sidecar("Season 01/Show.S01E01.en.srt", "subtitle", "en")
    objects = [
        WalkedFile("Season 01/Show.S01E01.mkv", 10, 11, 12, 13, 14, 2, (sidecar,)),
        ScanError("Season 02", "Permission denied"),
        HashCandidate(1, "/m/a.mkv", 10, 11, 12, 13),
        HashRecord(1, 10, 11, 13, "h", "t", "md5", "sha", 1.5),
        HashError(1, "/m/a.mkv", "vanished"),
        ProbeFacts(width=1920, height=1080, chapters=(Chapter(0, 90_000, "Opening", "en"),)),
        ParsedName("Show", "show", "tv", season=1, episodes=(1, 2)),
        TitleIdentity("tv|show|", "tv", "Show", "show", None, episodes=((1, 1), (1, 2))),
    ]
    for obj in objects:
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert type(obj).__reduce__(obj)[0] is type(obj)  # the tuple form, not dataclasses'


def test_a_field_outside_init_is_refused() -> None:
    @dataclass
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    with pytest.raises(TypeError, match="__init__"):
        tuple_pickled(Derived)
