"""Small text helpers for metadata shown in the Dagster UI and the CLI."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=^\"'])")


def plain(text: object) -> str:
    """Untrusted text (file names, reasons) made inert for Markdown (the review app's
    st.markdown, Dagster's MetadataValue.md): every markup character is backslash-escaped and
    line breaks become spaces, so a name can never become a link, an image, a table row or a
    colour directive."""
    text = "" if text is None else str(text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of dict rows (empty string for no rows)."""
    if not rows:
        return ""
    columns = list(rows[0])
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(plain(row.get(c)) for c in columns) + " |" for row in rows),
    ]
    return "\n".join(lines)


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
