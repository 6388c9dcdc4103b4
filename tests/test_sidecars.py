"""Which siblings travel with a video, and what language a subtitle file's name declares."""

from __future__ import annotations

import pytest

from mediavault_assets.domain.model import Sidecar
from mediavault_assets.domain.sidecars import assign_sidecars, sidecar_for, sidecar_language

VIDEO = "Movie.mkv"

# (sibling of Movie.mkv, expected kind, expected language); kind None = not a sidecar.
SIBLINGS = [
    ("Movie.en.srt", "subtitle", "en"),
    ("Movie.en.sdh.srt", "subtitle", "en-sdh"),
    ("Movie.eng.forced.srt", "subtitle", "en-forced"),
    ("Movie.srt", "subtitle", None),
    ("Movie.English.srt", "subtitle", "en"),
    ("Movie.english.sdh.srt", "subtitle", "en-sdh"),
    ("Movie.en.hi.srt", "subtitle", "en-sdh"),  # hearing impaired
    ("Movie.hi.srt", "subtitle", "hi"),  # alone, "hi" is Hindi
    ("Movie.en.cc.vtt", "subtitle", "en-cc"),
    ("Movie.fre.ass", "subtitle", "fr"),
    ("Movie.Spanish.ssa", "subtitle", "es"),
    ("Movie.pt-BR.srt", "subtitle", "pt"),
    ("Movie.zh-Hans.srt", "subtitle", "zh"),
    ("Movie.2.en.srt", "subtitle", "en"),  # numbered downloads
    ("Movie.en.default.srt", "subtitle", "en"),
    ("Movie.default.srt", "subtitle", None),
    ("Movie.forced.srt", "subtitle", None),  # a flavour without a language says nothing
    ("Movie.fil.srt", "subtitle", None),  # no ISO 639-1 code for Filipino
    ("movie.EN.SRT", "subtitle", "en"),  # SMB shares are case-insensitive
    ("Movie.idx", "subtitle", None),
    ("Movie.sub", "subtitle", None),
    ("Movie.nfo", "nfo", None),
    ("Movie-poster.jpg", "other", None),
    ("Movie.jpg", "other", None),
    ("Movie 2.srt", None, None),  # a different title
    ("Movie2.en.srt", None, None),
    ("Other.en.srt", None, None),
    ("Movie.mkv", None, None),  # the video itself
    ("Movie.sample.mkv", None, None),  # videos are never sidecars
    ("Movie.txt", None, None),
    ("Movie-poster.srt", None, None),  # dash suffixes are artwork naming only
]


@pytest.mark.parametrize(("sibling", "kind", "language"), SIBLINGS)
def test_sidecar_for(sibling: str, kind: str | None, language: str | None) -> None:
    found = sidecar_for(VIDEO, sibling, "Movies/Movie (2001)")
    if kind is None:
        assert found is None
    else:
        assert found == Sidecar(f"Movies/Movie (2001)/{sibling}", kind, language)  # type: ignore[arg-type]


def test_dotted_release_names() -> None:
    video = "The.Matrix.1999.720p.BluRay.x264.mkv"
    assert sidecar_for(video, "The.Matrix.1999.720p.BluRay.x264.en.sdh.srt") == Sidecar(
        "The.Matrix.1999.720p.BluRay.x264.en.sdh.srt", "subtitle", "en-sdh"
    )
    assert sidecar_for(video, "The.Matrix.1999.1080p.BluRay.x264.en.srt") is None


def test_unicode_names() -> None:
    video = "Le Fabuleux Destin d'Amélie Poulain 2001 720p.mkv"
    found = sidecar_for(video, "Le Fabuleux Destin d'Amélie Poulain 2001 720p.en.srt", "Movies")
    assert found == Sidecar(
        "Movies/Le Fabuleux Destin d'Amélie Poulain 2001 720p.en.srt", "subtitle", "en"
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ((), None),
        (("en",), "en"),
        (("EN", "SDH"), "en-sdh"),
        (("eng", "forced"), "en-forced"),
        (("forced", "eng"), "en"),  # flavours only count after the language
        (("German",), "de"),
        (("1", "ger"), "de"),
        (("full", "fr"), "fr"),
        (("xx",), None),
    ],
)
def test_sidecar_language(tags: tuple[str, ...], expected: str | None) -> None:
    assert sidecar_language(tags) == expected


def test_assign_sidecars_prefers_the_closest_stem() -> None:
    videos = ["Show.Part.mkv", "Show.Part.2.mkv"]
    siblings = [
        "Show.Part.2.en.srt",
        "Show.Part.en.srt",
        "Show.Part.nfo",
        "Show.Part.mkv",  # listings include the videos themselves
        "folder.jpg",
    ]
    assert assign_sidecars(videos, siblings, "TV") == {
        "Show.Part.2.mkv": (Sidecar("TV/Show.Part.2.en.srt", "subtitle", "en"),),
        "Show.Part.mkv": (
            Sidecar("TV/Show.Part.en.srt", "subtitle", "en"),
            Sidecar("TV/Show.Part.nfo", "nfo", None),
        ),
    }


def test_assign_sidecars_with_no_siblings() -> None:
    assert assign_sidecars(["A.mkv"], []) == {"A.mkv": ()}
