"""Model output (and text built from library data) made into inert plain text.

File names, TMDb overviews and the plan's reasons reach the model, and a model can be talked into
echoing them as markup. Whatever is shown goes through `plain_text`: markdown images and links,
HTML, bare URLs, terminal escape sequences and bidi overrides are removed, so an answer can never
fetch a URL, become a clickable link, run script or rewrite a terminal line. The app then shows
it with st.text, never as markdown or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MAX_CHARS = 8000
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|javascript:|data:)\S+", re.IGNORECASE)
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0/C1 controls but tab and newline; bidi embeddings/overrides/isolates; zero-width characters.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def strip_controls(text: str | None) -> str:
    """`text` without terminal escape sequences, control characters or bidi overrides (for
    text shown verbatim, such as SQL)."""
    if not text:
        return ""
    text = _ANSI.sub("", text)
    return _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def plain_text(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """`text` without images, links, HTML, URLs or control characters."""
    text = strip_controls(text)
    if not text:
        return ""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _LINK_DEFINITION.sub("", text)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _URL.sub("[link removed]", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " …"
    return text


def cell_text(value: Any, *, max_chars: int = 200) -> str:
    """One value of a query result as a single line of plain text."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v, max_chars=max_chars) for v in value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return plain_text(str(value), max_chars=max_chars).replace("\n", " ")


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, max_rows: int = 20) -> str:
    """A fixed-width table of plain-text cells (for the terminal)."""
    header = [cell_text(c, max_chars=40) for c in columns]
    body = [[cell_text(v, max_chars=60) for v in row] for row in rows[:max_rows]]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in body),
    ]
    if len(rows) > max_rows:
        lines.append(f"... {len(rows) - max_rows} more rows")
    return "\n".join(lines)
