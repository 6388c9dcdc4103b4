"""Pairing two files' chapters for Compare: by title where both name it, else by number."""

from __future__ import annotations

import pytest

from mediavault_assets.domain.chapters import ChapterPair, FileChapter, pair_chapters


def chapters(*spec: tuple[int, str | None]) -> list[FileChapter]:
    return [FileChapter(n, start, title) for n, (start, title) in enumerate(spec, start=1)]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # Same titles, later starts on the right (a longer logo): each side keeps its own start.
        (
            chapters((0, "Dream Within a Dream"), (1000, "Kick")),
            chapters((0, "Dream Within a Dream"), (1500, "Kick")),
            [
                ChapterPair("1. Dream Within a Dream", 0, 0),
                ChapterPair("2. Kick", 1000, 1500),
            ],
        ),
        # A recap cut away on the right: titles pair across different numbers.
        (
            chapters((0, "Recap"), (60_000, "Opening"), (90_000, "Heist")),
            chapters((0, "Opening"), (31_000, "Heist")),
            [
                ChapterPair("1. Recap", 0, None),
                ChapterPair("2. Opening", 60_000, 0),
                ChapterPair("3. Heist", 90_000, 31_000),
            ],
        ),
        # Untitled chapters pair by number; extra ones on the right come last.
        (
            chapters((0, None), (5000, None)),
            chapters((0, None), (5200, None), (9000, None)),
            [
                ChapterPair("Chapter 1", 0, 0),
                ChapterPair("Chapter 2", 5000, 5200),
                ChapterPair("Chapter 3", None, 9000),
            ],
        ),
        # Generic titles repeated within a file cannot pair by name: by number then, and case
        # and spacing never matter for a title.
        (
            chapters((0, "Scene"), (100, "Scene"), (200, "The  END")),
            chapters((0, "Scene"), (150, "Scene"), (260, "the end")),
            [
                ChapterPair("1. Scene", 0, 0),
                ChapterPair("2. Scene", 100, 150),
                ChapterPair("3. The  END", 200, 260),
            ],
        ),
        # A numbered match never takes a chapter another one pairs with by title.
        (
            chapters((0, "Intro"), (100, "Kick")),
            chapters((0, "Kick"), (50, "Intro")),
            [ChapterPair("1. Intro", 0, 50), ChapterPair("2. Kick", 100, 0)],
        ),
        ([], chapters((0, "Only right")), [ChapterPair("1. Only right", None, 0)]),
        ([], [], []),
    ],
)
def test_pair_chapters(
    left: list[FileChapter], right: list[FileChapter], expected: list[ChapterPair]
) -> None:
    assert pair_chapters(left, right) == expected
