"""The Compare page's metadata table: each attribute side by side, which side is better, and why
a file was suggested as the keeper. Pure functions over GROUP_MEMBERS rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mediavault_ui import ui

Side = Literal["left", "right"]
Member = dict[str, Any]
# Seed 002's codec scores: what "better codec" means here.
CODEC_SCORE = {"av1": 22, "hevc": 20, "vp9": 18, "h264": 15, "mpeg4": 5, "mpeg2": 3}
HDR_SCORE = {"Dolby Vision": 3, "HDR10+": 2, "HDR10": 1, "HLG": 1}


@dataclass(frozen=True)
class Row:
    attribute: str
    left: str
    right: str
    better: Side | None

    @property
    def differs(self) -> bool:
        return self.left != self.right


def _languages(values: list[str] | None) -> str:
    return ", ".join(values or []) or "–"


def _text(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pixels(m: Member) -> float:
    return float((m.get("width") or 0) * (m.get("height") or 0))


# attribute, shown text, score (higher is better; None = neither is better)
_ATTRIBUTES: list[tuple[str, Callable[[Member], str], Callable[[Member], Any] | None]] = [
    ("Quality score", lambda m: _text(m["quality_score"]), lambda m: m["quality_score"] or 0),
    ("Resolution", lambda m: _text(m["resolution"]), _pixels),
    ("HDR", lambda m: _text(m["hdr_type"] or "SDR"), lambda m: HDR_SCORE.get(m["hdr_type"], 0)),
    (
        "Video codec",
        lambda m: _text(m["video_codec"]),
        lambda m: CODEC_SCORE.get((m["video_codec"] or "").lower(), 5),
    ),
    (
        "Bitrate",
        lambda m: f"{m['bitrate']:,} kbps" if m["bitrate"] else "–",
        lambda m: m["bitrate"] or 0,
    ),
    ("Frame rate", lambda m: _text(m["framerate"]), None),
    ("Audio codec", lambda m: _text(m["audio_codec"]), None),
    ("Audio channels", lambda m: _text(m["audio_channels"]), lambda m: m["audio_channels"] or 0),
    (
        "Audio tracks",
        lambda m: _text(m["audio_track_count"]),
        lambda m: m["audio_track_count"] or 0,
    ),
    (
        "Audio languages",
        lambda m: _languages(m["audio_languages"]),
        lambda m: 1 if m["has_english_audio"] else 0,
    ),
    (
        "Subtitles",
        lambda m: _languages(m["subtitle_languages"]),
        lambda m: (1 if m["has_english_subtitles"] else 0, len(m["subtitle_languages"] or [])),
    ),
    ("Duration", lambda m: ui.duration(m["duration"]), None),
    ("Size", lambda m: ui.size(m["file_size"]), None),
    ("Container", lambda m: _text(m["format"]), None),
    ("Edition", lambda m: _text(m["edition"]), None),
    ("Release group", lambda m: _text(m["release_group"]), None),
    ("Problem", lambda m: _text(m["problem"]), lambda m: 0 if m["problem"] else 1),
    ("Root", lambda m: _text(m["root_key"]), None),
    ("Path", lambda m: _text(m["relative_path"]), None),
]


def compare(left: Member, right: Member) -> list[Row]:
    rows = []
    for attribute, show, score in _ATTRIBUTES:
        better: Side | None = None
        if score is not None:
            a, b = score(left), score(right)
            better = "left" if a > b else "right" if b > a else None
        rows.append(Row(attribute, show(left), show(right), better))
    return rows


def keeper(members: list[Member]) -> Member:
    """The plan's suggested keeper: the group's primary file (else the best ranked)."""
    return next((m for m in members if m["is_primary"]), members[0])


def keeper_rule(members: list[Member], shown: Member | None = None) -> str:
    """Why the keeper was chosen, in the plan's words: the reason written on the proposal of
    the file shown beside it (else any proposal in the group)."""
    proposals = [m for m in members if m["deletion_reason"]]
    if shown is not None and shown["deletion_reason"]:
        proposals.insert(0, shown)
    if not proposals:
        return "Nothing in this group is proposed for staging: every file is kept."
    chosen = proposals[0]
    category = ui.CATEGORY_LABELS.get(chosen["deletion_category"], chosen["deletion_category"])
    confidence = ui.CONFIDENCE_LABELS.get(
        chosen["decision_confidence"], chosen["decision_confidence"]
    )
    return f"{category} ({confidence}): {chosen['deletion_reason']}"
