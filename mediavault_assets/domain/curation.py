"""Seed 001's curation: ratings (-1..5), keywords of several types, and following a file's
ratings and keywords when it is renamed.

A rating and a person's keywords belong to a file, not to a path: file ids come from the path
(model.file_id_for), so when a file is renamed or moved inside the library its curation follows
the file that has the same inode, size and modification time (a rename keeps all three).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

# Seed 001: -1 rejected, 0 unrated, 1-5 stars.
REJECTED = -1
UNRATED = 0
MAX_SCORE = 5
KEYWORD_TYPES = ("user", "prompt", "auto", "workflow")
KeywordType = Literal["user", "prompt", "auto", "workflow"]
MAX_KEYWORD_LENGTH = 64
_SPACES = re.compile(r"\s+")
_SCORE = re.compile(r"-1|\+?[0-9]")


class CurationError(ValueError):
    """A rating or keyword a person gave that cannot be stored (the message says why)."""


def checked_score(score: int | str) -> int:
    """A rating from -1 (rejected) to 5 stars; 0 clears it."""
    text = str(score).strip()
    if isinstance(score, bool) or not _SCORE.fullmatch(text) or int(text) > MAX_SCORE:
        raise CurationError(f"a rating is a whole number from -1 to 5, not {score!r}")
    return int(text)


def stars(score: int | None) -> str:
    """How a rating reads in a list: "★★★☆☆", "rejected" or "" (unrated)."""
    if not score:
        return ""
    if score == REJECTED:
        return "rejected"
    return "★" * score + "☆" * (MAX_SCORE - score)


def rating_sentence(score: int, what: str) -> str:
    """A person's rating of `what` in a sentence (the plan's reasons)."""
    if score == REJECTED:
        return f"You rejected {what} (-1)"
    return f"You rated {what} {score}/5"


def normalized_keyword(text: str) -> str:
    """A keyword as stored and matched: NFC, lower case, single spaces; names are untrusted text,
    so control characters and over-long words are refused."""
    word = _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip().casefold()
    if not word:
        raise CurationError("a keyword cannot be empty")
    if any(unicodedata.category(ch).startswith("C") for ch in word):
        raise CurationError(f"a keyword cannot hold control characters: {text!r}")
    if len(word) > MAX_KEYWORD_LENGTH:
        raise CurationError(f"a keyword is at most {MAX_KEYWORD_LENGTH} characters: {text[:80]!r}")
    return word


@dataclass(frozen=True, slots=True)
class CuratedFile:
    """Where and what a file was when a person last curated it (or a file the scan sees now)."""

    file_id: int
    root_key: str
    relative_path: str
    inode: int
    size: int
    mtime_ns: int


def followed_moves(
    curated: Iterable[CuratedFile],
    present: Iterable[CuratedFile],
    *,
    away: Iterable[int] = (),
) -> dict[int, int]:
    """old file id → new file id for curated files that are no longer at their path but whose
    inode, size and mtime now appear at exactly one other path of the same root.

    Files `away` (staged, mid-move) keep their id: they come back to the same path, and a
    hardlink left in the library shares their inode. A signature seen at two paths (hardlinks)
    is ambiguous and moves nothing; neither does one whose new id is curated already.
    """
    present = list(present)
    present_ids = {f.file_id for f in present}
    away_ids = set(away)
    curated = list(curated)
    curated_ids = {c.file_id for c in curated}
    at: dict[tuple[str, int, int, int], list[int]] = defaultdict(list)
    for f in present:
        at[(f.root_key, f.inode, f.size, f.mtime_ns)].append(f.file_id)
    moves: dict[int, int] = {}
    for c in curated:
        if c.file_id in present_ids or c.file_id in away_ids:
            continue
        ids = at.get((c.root_key, c.inode, c.size, c.mtime_ns), [])
        if len(ids) == 1 and ids[0] not in curated_ids:
            moves[c.file_id] = ids[0]
            curated_ids.add(ids[0])  # taken: no second old file moves onto it
    return moves


def preferred_by_rating(
    scores: Mapping[int, int], quality: Mapping[int, float], ranked: list[int], gap: float
) -> list[int]:
    """`ranked` (file ids, best quality first) reordered for keeping: a rejected file goes last,
    and a file rated higher moves ahead of better-quality files at most `gap` points above it.

    An unrated file counts as 0, so a rating only ever lifts a file a person liked or drops one
    they rejected; quality decides everywhere else."""
    rejected = [f for f in ranked if scores.get(f, UNRATED) == REJECTED]
    order = [f for f in ranked if scores.get(f, UNRATED) != REJECTED]
    result: list[int] = []
    for file_id in order:
        position = len(result)
        while (
            position > 0
            and scores.get(file_id, UNRATED) > scores.get(result[position - 1], UNRATED)
            and quality[result[position - 1]] - quality[file_id] <= gap
        ):
            position -= 1
        result.insert(position, file_id)
    return result + rejected
