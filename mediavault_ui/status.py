"""What every page says first: how fresh the data is, and whether a Dagster run is writing."""

from __future__ import annotations

import streamlit as st

from mediavault_ui import ui
from mediavault_ui.dagster_api import DagsterClient, DagsterError, DagsterUnavailable
from mediavault_ui.data import Library

WATCHED_JOBS = [
    "scan_library_root",
    "analyze_library",
    "stage_approved",
    "restore_staged",
    "purge_staged",
]


@st.cache_data(ttl=10, show_spinner=False)
def runs_in_progress(dagster_url: str) -> list[tuple[str, str | None]] | None:
    """(job, partition) of MediaVault runs in progress; None when the webserver is not there."""
    try:
        runs = DagsterClient(dagster_url, timeout=1.0).runs(WATCHED_JOBS, limit=10)
    except (DagsterUnavailable, DagsterError):
        return None
    return [(r.job, r.partition) for r in runs if r.in_progress]


def banner(library: Library) -> None:
    published = library.published_at
    with st.sidebar:
        if published:
            st.caption(f"Data as of {ui.when(published)}")
    running = runs_in_progress(library.settings.dagster_url)
    if running:
        names = ", ".join(f"{job} ({part})" if part else job for job, part in running)
        st.info(
            f"A Dagster run is writing the warehouse: {ui.plain(names)}. You are seeing the "
            f"snapshot published {ui.when(published)}; it is replaced when the run finishes. "
            "Reviewing is safe meanwhile: decisions go to the review store.",
            icon=":material/sync:",
        )
