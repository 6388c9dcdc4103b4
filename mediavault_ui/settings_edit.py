"""The Settings page's editor, for admins: thresholds, retention, staging, library roots and users.

Every change goes through mediavault_assets.settings: the file's mapping is read as written,
changed, validated exactly as at start-up and written back atomically with a backup
(`save_settings`). A refused change shows the start-up message and writes nothing. A root added
here becomes a Dagster partition at once through the webserver (the library_roots_sync sensor
would add it within a minute, but only while the daemon runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from mediavault_assets.settings import (
    LibraryRoot,
    SettingsError,
    config_path,
    read_settings_data,
    save_settings,
)
from mediavault_assets.user_store import User
from mediavault_ui import auth, ui
from mediavault_ui.dagster_api import DagsterError, DagsterUnavailable
from mediavault_ui.data import Library

MEDIA_TYPES = ("mixed", "tv", "movie")


def users(library: Library) -> list[User]:
    return auth.user_store(library.settings).users()


def save(change: Callable[[dict[str, Any]], None], done: str) -> bool:
    """Apply `change` to the file's mapping and write it; False (and the start-up message
    shown, nothing written) when the result would not load."""
    path = config_path()
    try:
        data = read_settings_data(path)
        change(data)
        backup = save_settings(data, path)
    except SettingsError as problem:
        st.error("Not saved: the settings would not load.", icon=":material/error:")
        st.code(str(problem), language=None)
        return False
    kept = f" The previous file is kept as {backup.name}." if backup else ""
    ui.flash(f"{done} Saved to {path}.{kept} The next run uses it.")
    return True


def editor(library: Library) -> None:
    st.divider()
    st.header("Change settings")
    _thresholds(library)
    _roots(library)
    _users(library)


def _thresholds(library: Library) -> None:
    s = library.settings
    staging_as_written = str(read_settings_data(config_path()).get("staging_root", s.staging_root))
    with st.form("settings_plan"):
        st.subheader("Deletion plan, staging and retention")
        values: dict[str, Any] = {
            "fuzzy_match_threshold": st.slider(
                "Fuzzy match threshold (%)", 0.0, 100.0, float(s.fuzzy_match_threshold), 1.0
            ),
            "review_quality_difference": st.number_input(
                "Review when quality differs by less than (points)",
                min_value=0.0,
                value=float(s.review_quality_difference),
            ),
            "auto_approve_quality_difference": st.number_input(
                "Auto-approve when quality differs by more than (points)",
                min_value=0.0,
                value=float(s.auto_approve_quality_difference),
            ),
            "auto_approve_enabled": st.toggle("Auto-approve", value=s.auto_approve_enabled),
            "retention_days": int(
                st.number_input("Retention before purge (days)", 0, value=s.retention_days)
            ),
            "auto_delete_unreviewed": st.toggle(
                "Auto-delete unreviewed files after retention", value=s.auto_delete_unreviewed
            ),
        }
        staging = st.text_input("Staging folder", value=staging_as_written)
        if not st.form_submit_button("Save settings", type="primary"):
            return
    # Only what changed is written: keys left at their defaults stay out of the file.
    changed = {k: v for k, v in values.items() if getattr(s, k) != v}
    if staging.strip() != staging_as_written:
        changed["staging_root"] = staging.strip()
    if not changed:
        st.info("Nothing changed.")
        return
    if save(lambda data: data.update(changed), f"Changed {', '.join(sorted(changed))}."):
        st.rerun()


def _roots(library: Library) -> None:
    st.subheader("Library roots")
    add, edit = st.columns(2)
    with add, st.form("settings_add_root", clear_on_submit=False):
        st.markdown("**Add a root**")
        key = st.text_input("Key", help="a slug, e.g. videos; the root's Dagster partition")
        path = st.text_input("Mounted at", help="the folder as mounted where Dagster runs")
        nas_path = st.text_input("NAS path (optional)", help="e.g. /volume1/videos")
        media_type = st.selectbox("Type", MEDIA_TYPES)
        if st.form_submit_button("Add root"):
            _add_root(library, key.strip(), path.strip(), nas_path.strip() or None, media_type)
    keys = library.settings.root_keys
    with edit, st.form("settings_edit_root"):
        st.markdown("**Change or remove a root**")
        chosen = st.selectbox("Root", keys)
        current = library.settings.root(chosen).nas_path if chosen else None
        new_nas = st.text_input("NAS path", value=current or "")
        save_nas = st.form_submit_button("Save NAS path")
        remove = st.form_submit_button("Remove root")
    if chosen and save_nas:
        nas = new_nas.strip() or None
        if save(lambda d: _root_entry(d, chosen).update(nas_path=nas), f"Root {chosen}: NAS path."):
            st.rerun()
    # Removing a root forgets nothing on disk; its partition goes with the next sensor tick.
    if (
        chosen
        and remove
        and save(
            lambda d: d.update(library_roots=[r for r in d["library_roots"] if r["key"] != chosen]),
            f"Removed root {chosen}.",
        )
    ):
        st.rerun()


def _root_entry(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in data["library_roots"] if r["key"] == key)


def _add_root(library: Library, key: str, path: str, nas_path: str | None, media_type: str) -> None:
    # As written in the file (the model's defaults are left out), so it reads back the same.
    given = {"key": key, "path": path, "media_type": media_type, "nas_path": nas_path}
    entry = {
        k: v for k, v in given.items() if v is not None and v != LibraryRoot.model_fields[k].default
    }
    if not save(lambda d: d["library_roots"].append(entry), f"Added root {key}."):
        return
    try:
        ui.dagster(library).add_root_partition(key)
        note = f" Its partition {key} is in Dagster: scan it from the Scans page."
    except (DagsterUnavailable, DagsterError) as problem:
        note = (
            f" Dagster did not add its partition now ({problem}); the library_roots_sync "
            "sensor adds it once Dagster runs."
        )
    ui.flash(str(st.session_state.get("flash", "")) + note)
    st.rerun()


def _users(library: Library) -> None:
    st.subheader("Users")
    store = auth.user_store(library.settings)
    everyone = [u for u in store.users() if u.source != "local"]
    if everyone:
        st.dataframe(
            [
                {"user": u.username, "admin": u.is_admin, "active": u.is_active, "from": u.source}
                for u in everyone
            ],
            hide_index=True,
        )
    made_here = [u for u in everyone if u.source == "app"]
    if made_here:
        with st.form("settings_change_user"):
            st.markdown("**Change a user added here**")
            name = st.selectbox("User", [u.username for u in made_here])
            chosen = next(u for u in made_here if u.username == name)
            admin_flag = st.checkbox("Admin", value=chosen.is_admin, key="change_user_admin")
            active = st.checkbox("Can sign in", value=chosen.is_active)
            if st.form_submit_button("Save user"):
                store.set_user(name, admin=admin_flag, active=active)
                ui.flash(f"Saved user {name}.")
                st.rerun()
    first = not auth.login_required(library.settings, store)
    with st.form("settings_new_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        if first:
            st.caption(
                "The first user makes the app ask everyone to sign in, you too: they are an "
                "admin, so that someone can still change the settings."
            )
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        admin = st.checkbox("Admin", value=first, disabled=first)
        if not st.form_submit_button("Add user"):
            return
    try:
        store.create_user(username.strip(), auth.hash_password(password), admin=admin or first)
    except ValueError as problem:
        st.error(ui.plain(problem), icon=":material/error:")
        return
    ui.flash(f"Added user {username.strip()}{' (admin)' if admin or first else ''}.")
    st.rerun()
