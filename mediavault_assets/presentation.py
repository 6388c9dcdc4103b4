"""Small text helpers for metadata shown in the Dagster UI and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _cell(value: Any) -> str:
    # File names are untrusted text: neutralize table syntax and line breaks.
    return (
        str("" if value is None else value)
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of dict rows (empty string for no rows)."""
    if not rows:
        return ""
    columns = list(rows[0])
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows),
    ]
    return "\n".join(lines)


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
