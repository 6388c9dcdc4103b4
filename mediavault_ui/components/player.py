"""The side-by-side player: two <video> elements played, paused and seeked together.

Sources are same-origin URLs of the app's video route (by catalog id); labels and notes are
passed as data and set with textContent in the browser, so file names never become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import streamlit as st

from mediavault_assets.domain.chapters import ChapterPair

_HERE = Path(__file__).parent
_player = st.components.v2.component(
    "mediavault_dual_player",
    html=(_HERE / "player.html").read_text(encoding="utf-8"),
    css=(_HERE / "player.css").read_text(encoding="utf-8"),
    js=(_HERE / "player.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class Side:
    src: str
    label: str
    note: str = ""


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def dual_player(left: Side, right: Side, *, key: str, chapters: Sequence[ChapterPair] = ()) -> None:
    """`chapters`: buttons that seek each side to its own file's chapter start."""
    data = {
        "left": asdict(left),
        "right": asdict(right),
        "chapters": [
            {"label": c.label, "left": _seconds(c.left_ms), "right": _seconds(c.right_ms)}
            for c in chapters
        ],
    }
    _player(data=data, key=key)
