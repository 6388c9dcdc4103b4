"""Shared page helpers: data banners, safe text, formatting, media URLs, starting Dagster runs."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import streamlit as st

from mediavault_assets.presentation import human_bytes, plain
from mediavault_assets.settings import SettingsError, load_tmdb_secrets
from mediavault_ui import auth, navigation
from mediavault_ui.dagster_api import DagsterClient, DagsterError, DagsterUnavailable
from mediavault_ui.data import DataUnavailable, Library, open_library

REVIEWER_KEY = "reviewer"
# The page's own text, read by the Library and TMDb matches pages (the app never fetches it:
# posters are shown as their TMDb address, never loaded from TMDb).
TMDB_IMAGE_BASE = "https://image.tmdb.org/t/p/w342"
NO_TMDB_KEY = (
    "No TMDb key: titles come from file names only. To match them to TMDb (posters, overview, "
    "rating, genres, cast), set TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the environment "
    "Dagster runs in, then refresh."
)
# The TMDb matches page opens on this identity (set by the Library page's "Fix the match").
MATCH_IDENTITY_KEY = "tmdb_match_identity"
MEDIA_TOKEN_KEY = "media_token"

CATEGORY_LABELS = {
    "duplicate_exact": "Exact duplicate",
    "duplicate_fuzzy": "Fuzzy duplicate",
    "lower_quality": "Lower quality",
    "wrong_language": "Wrong language",
    "corrupted": "Corrupted",
}
CONFIDENCE_LABELS = {
    "certain": "Certain",
    "review_recommended": "Review recommended",
    "uncertain": "Uncertain",
}


def grid_key(name: str, ids: Iterable[object]) -> str:
    """A selectable table's widget key that changes with the rows it shows: a selection is
    kept by row position, so it must not outlive the rows it was made on (after a decision
    or a new filter, row 0 is another file)."""
    return f"{name}_{zlib.crc32(','.join(map(str, ids)).encode()):08x}"


def size(value: object) -> str:
    """Bytes for people; DuckDB sums arrive as int, float or Decimal."""
    try:
        return human_bytes(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def count(n: int, noun: str) -> str:
    """'1 file', '2 files'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def duration(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "–"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(value: datetime | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M")


def group_label(row: dict[str, Any]) -> str:
    """'Red Dwarf S01E01' or 'Inception (2010)'."""
    title = row.get("title") or "Untitled"
    if row.get("season") is not None and row.get("episode") is not None:
        return f"{title} S{row['season']:02d}E{row['episode']:02d}"
    if row.get("year"):
        return f"{title} ({row['year']})"
    return str(title)


CONFIDENCE_COLOURS = {
    "Exact": "green",
    "High": "blue",
    "Medium": "orange",
    "Low": "red",
    "Manual": "violet",
}


def confidence_level(group_type: str | None, score: float | None) -> str:
    """How sure the grouping is: Exact (same bytes), Manual (a person grouped the files), else
    High/Medium/Low by match score."""
    if group_type == "exact":
        return "Exact"
    if group_type == "manual":
        return "Manual"
    score = score or 0.0
    return "High" if score >= 95 else "Medium" if score >= 85 else "Low"


def confidence_badge(group_type: str | None, score: float | None) -> tuple[str, str]:
    """(label, colour) of a group's confidence badge."""
    level = confidence_level(group_type, score)
    label = {"Exact": "Exact match", "Manual": "Grouped by hand"}.get(
        level, f"{level} {score or 0:.0f}%"
    )
    return label, CONFIDENCE_COLOURS[level]


def library_or_stop() -> Library:
    """The snapshot, or a banner saying why there is nothing to show (and the page stops)."""
    try:
        return open_library()
    except DataUnavailable as problem:
        st.info(str(problem), icon=":material/info:")
        st.stop()


def show_unavailable(problem: DataUnavailable) -> None:
    st.info(str(problem), icon=":material/info:")
    st.stop()


def has_tmdb_key() -> bool:
    try:
        return load_tmdb_secrets().has_tmdb
    except SettingsError:
        return False


def reviewer() -> str:
    return str(st.session_state.get(REVIEWER_KEY) or auth.local_reviewer())


def is_admin(library: Library) -> bool:
    """Whether the person using the app may change settings and users: a signed-in user with
    the admin flag, or the local user when the app serves 127.0.0.1 without sign-in."""
    store = auth.user_store(library.settings)
    if not auth.login_required(library.settings, store):
        return True
    user = store.user(reviewer())
    return bool(user and user.is_active and user.is_admin)


def may_decide(library: Library) -> bool:
    """Whether the person using the app may decide on files (purging them for good): a
    signed-in user who is still active (admins are users too), or the local user when the app
    serves 127.0.0.1 without sign-in."""
    store = auth.user_store(library.settings)
    if not auth.login_required(library.settings, store):
        return True
    user = store.user(reviewer())
    return bool(user and user.is_active)


def media_urls(kind: str, file_ids: list[int]) -> list[str]:
    """Same-origin URLs of files' video or thumbnail routes, with the session's media token.

    Reads the session here, in the script thread (not from polars worker threads)."""
    token = st.session_state.get(MEDIA_TOKEN_KEY) if REVIEWER_KEY in st.session_state else None
    query = f"?t={token}" if token else ""
    return [f"/api/{kind}/{int(file_id)}{query}" for file_id in file_ids]


def media_url(kind: str, file_id: int) -> str:
    return media_urls(kind, [file_id])[0]


def dagster(library: Library) -> DagsterClient:
    return DagsterClient(library.settings.dagster_url)


def launch(
    library: Library,
    job: str,
    *,
    cli: str,
    run_config: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> str | None:
    """Start a run; on failure say so plainly and show the equivalent command line."""
    client = dagster(library)
    try:
        run_id = client.launch(job, run_config=run_config, tags=tags)
    except DagsterUnavailable as problem:
        st.warning(
            f"{problem} Start it with `mediavault demo` or `dagster dev`, or run the same "
            "thing from a shell:",
            icon=":material/cloud_off:",
        )
        st.code(cli, language="bash")
        return None
    except DagsterError as problem:
        st.error(plain(problem), icon=":material/error:")
        return None
    st.success(f"Started {job}: run `{run_id[:8]}`. [Open in Dagster]({client.run_url(run_id)})")
    return run_id


def flash(message: str) -> None:
    """A success message shown on the next run (survives st.rerun and st.switch_page).
    Plain text: file names in it are shown as they are, never as markup."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(plain(message), icon=":material/check_circle:")


def byte_unit(largest: float | None) -> tuple[float, str]:
    """(divisor, unit) that keeps a chart's axis readable for the largest value shown."""
    for divisor, unit in ((1024**4, "TB"), (1024**3, "GB"), (1024**2, "MB"), (1024, "KB")):
        if (largest or 0) >= divisor:
            return float(divisor), unit
    return 1.0, "bytes"


def chat_button(context_type: str) -> None:
    """A button to the Chat page, whose new conversations are then about `context_type` (seed
    000's chat_sessions.context_type: 'library' or 'duplicates')."""
    if (navigation.PAGES_DIR / "chat.py").exists() and st.button(
        "Ask the chat about this", icon=":material/chat:", key=f"chat_from_{context_type}"
    ):
        st.switch_page(navigation.page("chat"), query_params={"context": context_type})
