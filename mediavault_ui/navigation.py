"""The app's pages in menu order, for st.navigation (shell/main.py) and st.switch_page.

The entry script lives in shell/, not beside pages/: Streamlit treats a `pages` folder next to
the entry script as a legacy multipage app, and a first visit by deep link (e.g. /review) would
then run the page alone, without the entry script's sign-in and banner.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).parent / "pages"
_MENU = [
    ("dashboard", "Dashboard", ":material/dashboard:"),
    ("library", "Library", ":material/video_library:"),
    ("matches", "TMDb matches", ":material/movie_filter:"),
    ("duplicates", "Duplicates", ":material/content_copy:"),
    ("compare", "Compare", ":material/compare:"),
    ("review", "Review", ":material/fact_check:"),
    ("scans", "Scans", ":material/radar:"),
    ("watching", "Watching", ":material/live_tv:"),
    ("chat", "Chat", ":material/chat:"),  # issue 8's page, listed when its file is there
    ("settings", "Settings", ":material/settings:"),
    ("title", "Title", ":material/movie:"),  # reached from the Library (?id=), not the menu
]
_HIDDEN = {"title"}


def page(name: str) -> st.Page:
    _, title, icon = next(entry for entry in _MENU if entry[0] == name)
    return st.Page(
        PAGES_DIR / f"{name}.py",
        title=title,
        icon=icon,
        default=name == "dashboard",
        visibility="hidden" if name in _HIDDEN else "visible",
    )


def pages() -> list[st.Page]:
    return [page(name) for name, _, _ in _MENU if (PAGES_DIR / f"{name}.py").exists()]
