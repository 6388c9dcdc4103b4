"""Scans: start scans (all roots or one) and the analysis through the Dagster webserver, watch
their runs, and read the scan history with its errors."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime

import polars as pl
import streamlit as st

from mediavault_assets.domain.scan_modes import ScanRequestError, folders_tag
from mediavault_assets.run_tags import SCAN_MODE_TAG, SCAN_PATHS_TAG
from mediavault_assets.scan_targets import folders_by_root
from mediavault_ui import queries, status, ui
from mediavault_ui.dagster_api import API_TAGS, PARTITION_TAG, DagsterError, DagsterUnavailable
from mediavault_ui.data import DataUnavailable

st.title("Scans")
library = ui.library_or_stop()
settings = library.settings
client = ui.dagster(library)

MODE_LABELS = {
    "incremental": "Incremental",
    "full": "Full",
    "path": "One folder",
}
MODE_HELP = {
    "incremental": "Probe and hash only new or changed files (the usual scan).",
    "full": "Probe and hash every file again, even unchanged ones: for suspected bit rot or a "
    "changed prober. Reads every byte of the library; slow on a NAS.",
    "path": "Walk only one folder of a root; files elsewhere stay exactly as last recorded.",
}


def launch_scan(key: str, mode: str, folders: tuple[str, ...] = ()) -> None:
    tags = {**API_TAGS, PARTITION_TAG: key, SCAN_MODE_TAG: mode}
    cli = f"mediavault refresh --mode {mode} --root {key}"
    if folders:
        tags[SCAN_PATHS_TAG] = folders_tag(folders)
        paths = " ".join(shlex.quote(str(settings.root(key).path / f)) for f in folders)
        cli = f"mediavault refresh --mode {mode} --path {paths}"
    ui.launch(library, "scan_library_root", cli=cli, tags=tags)


with st.container(border=True):
    st.markdown("**Start a scan**")
    st.caption(
        "Each root is scanned by its own run (one partition per root); the analysis then "
        "regroups duplicates and re-plans. Runs queue in Dagster and never overlap their writes."
    )
    choice = st.segmented_control(
        "Scan mode",
        list(MODE_LABELS),
        default="incremental",
        format_func=MODE_LABELS.get,
        key="scan_mode",
    )
    choice = choice or "incremental"
    st.caption(MODE_HELP[choice])
    start = st.container(horizontal=True)
    targets: list[str] = []
    if choice == "path":
        folder = start.text_input(
            "Folder",
            placeholder=str(settings.root(settings.root_keys[0]).path / "Movies"),
            help="An absolute folder inside a library root (its local or NAS path).",
            key="scan_folder",
        )
        if start.button("Scan folder", type="primary", icon=":material/folder_open:"):
            try:
                if not folder.strip():
                    raise ScanRequestError("name the folder to scan")
                chosen = folders_by_root(settings, [folder.strip()])
            except ScanRequestError as problem:
                st.error(ui.plain(f"Not scanned: {problem}."), icon=":material/error:")
            else:
                for key, folders in chosen.items():
                    launch_scan(key, "incremental", folders)
    else:
        if start.button("Scan all roots", type="primary", icon=":material/radar:"):
            targets = settings.root_keys
        for key in settings.root_keys:
            if start.button(f"Scan {key}", key=f"scan_{key}", icon=":material/folder_open:"):
                targets = [key]
    analyze = start.button("Analyze library", icon=":material/join_inner:")
    for key in targets:
        launch_scan(key, choice)
    if analyze:
        ui.launch(library, "analyze_library", cli="mediavault refresh", tags=API_TAGS)


def runs_panel() -> None:
    """Recent runs, refreshed while the page is open (every few seconds while one is going)."""
    st.markdown("**Runs**")
    try:
        runs = client.runs(status.WATCHED_JOBS, limit=15)
    except DagsterUnavailable as problem:
        st.warning(
            f"{problem} Runs cannot be started or followed from here; `mediavault refresh` "
            "scans from a shell.",
            icon=":material/cloud_off:",
        )
        return
    except DagsterError as problem:
        st.error(ui.plain(problem), icon=":material/error:")
        return
    if not runs:
        st.caption("No MediaVault runs in this Dagster instance yet.")
        return
    now = datetime.now(UTC)
    active = [r for r in runs if r.in_progress]
    if active:
        st.progress(
            sum(r.steps_succeeded or 0 for r in active)
            / max(1, sum((r.steps_succeeded or 0) + 1 for r in active)),
            text=f"{len(active)} run(s) in progress",
        )
    for run in active:
        label, cancel = st.columns([5, 1], vertical_alignment="center")
        label.caption(
            ui.plain(f"{run.job} · {run.partition or 'all roots'} · {run.status.lower()}")
        )
        if cancel.button("Cancel", key=f"cancel_{run.run_id}", icon=":material/stop_circle:"):
            try:
                client.cancel(run.run_id)
            except (DagsterUnavailable, DagsterError) as problem:
                st.error(ui.plain(problem), icon=":material/error:")
            else:
                st.toast(f"Cancelling run {run.run_id[:8]}: what it finished stays.")
        try:
            stages = client.stage_progress(run.run_id)
        except (DagsterUnavailable, DagsterError):
            continue  # the runs table below still says what is going on
        for stage in stages:
            st.progress(
                stage.percent / 100, text=ui.plain(f"{run.partition or run.job} · {stage.line}")
            )
    st.dataframe(
        pl.DataFrame(
            {
                "job": [r.job for r in runs],
                "root": [r.partition or "" for r in runs],
                "status": [r.status.lower() for r in runs],
                "started": [r.started or r.created for r in runs],
                "seconds": [
                    round(((r.ended or now) - r.started).total_seconds()) if r.started else None
                    for r in runs
                ],
                "steps": [
                    f"{r.steps_succeeded or 0} ok"
                    + (f", {r.steps_failed} failed" if r.steps_failed else "")
                    for r in runs
                ],
                "link": [client.run_url(r.run_id) for r in runs],
            }
        ),
        hide_index=True,
        column_config={
            "job": "Job",
            "root": "Root",
            "status": "Status",
            "started": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm:ss"),
            "seconds": st.column_config.NumberColumn("Seconds"),
            "steps": "Steps",
            "link": st.column_config.LinkColumn("Dagster", display_text="open run"),
        },
    )


busy = bool(status.runs_in_progress(settings.dagster_url))
st.fragment(run_every=3 if busy else 20)(runs_panel)()

st.subheader("Scan history")
try:
    history = library.frame(queries.RECENT_SCANS, {"limit": 50})
except DataUnavailable as problem:
    ui.show_unavailable(problem)
if not history.height:
    st.caption("No scan recorded yet.")
    st.stop()
st.dataframe(
    history.drop("error_details", "dagster_run_id"),
    hide_index=True,
    column_config={
        "started": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm"),
        "root": "Root",
        "mode": "Mode",
        "scanned": st.column_config.TextColumn("Scanned", width="medium"),
        "status": "Status",
        "triggered_by": "Trigger",
        "duration_seconds": st.column_config.NumberColumn("Seconds"),
        "files_found": "Found",
        "files_new": "New",
        "files_updated": "Updated",
        "files_deleted": "Gone",
        "errors_count": "Errors",
    },
)
failed = history.filter((pl.col("errors_count") > 0) | (pl.col("status") == "failed"))
if failed.height:
    st.markdown("**Errors**")
for scan in failed.iter_rows(named=True):
    details = json.loads(scan["error_details"] or "[]")
    with st.expander(f"{ui.when(scan['started'])} · {scan['root']} · {len(details)} error(s)"):
        st.dataframe(
            pl.DataFrame(details, schema={"path": pl.String, "error": pl.String}),
            hide_index=True,
            column_config={
                "path": st.column_config.TextColumn("File", width="large"),
                "error": st.column_config.TextColumn("Error", width="large"),
            },
        )
