"""Chapters of two versions of one video, paired so that choosing one seeks each file to its own.

Two encodes of a film rarely start their chapters at the same second (a longer studio logo, a
recap cut away), so the Compare page seeks each side to its file's chapter rather than to one
time. A chapter pairs by title when both files name it (and the name is unique in each file),
else by number; a chapter only one side has keeps its place, and the other side follows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileChapter:
    number: int  # 1-based, in start order
    start_ms: int
    title: str | None


@dataclass(frozen=True, slots=True)
class ChapterPair:
    label: str
    left_ms: int | None  # None: the left file has no such chapter
    right_ms: int | None


def _unique_titles(chapters: list[FileChapter]) -> dict[str, FileChapter]:
    counts = Counter(_key(c.title) for c in chapters if c.title)
    return {_key(c.title): c for c in chapters if c.title and counts[_key(c.title)] == 1}


def _key(title: str | None) -> str:
    return " ".join((title or "").casefold().split())


def _label(chapter: FileChapter) -> str:
    return f"{chapter.number}. {chapter.title}" if chapter.title else f"Chapter {chapter.number}"


def pair_chapters(left: list[FileChapter], right: list[FileChapter]) -> list[ChapterPair]:
    """One entry per chapter of either file, in the left file's order (then the right's
    unpaired ones)."""
    right_titled = _unique_titles(right)
    left_titled = _unique_titles(left)
    right_numbered = {c.number: c for c in right}
    paired: set[int] = set()
    pairs: list[ChapterPair] = []
    for chapter in left:
        key = _key(chapter.title)
        if key in left_titled and key in right_titled:
            match: FileChapter | None = right_titled[key]
        else:
            match = right_numbered.get(chapter.number)
            # A numbered match must not steal a chapter another title pairs with.
            if match and _key(match.title) in left_titled and _key(match.title) != key:
                match = None
        if match and match.number in paired:
            match = None
        if match:
            paired.add(match.number)
        pairs.append(ChapterPair(_label(chapter), chapter.start_ms, match and match.start_ms))
    pairs += [ChapterPair(_label(c), None, c.start_ms) for c in right if c.number not in paired]
    return pairs
