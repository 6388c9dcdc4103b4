"""Settings: what the settings file says (roots, thresholds, staging, retention) and which API
keys the environment provides — never their values. An admin changes them here (settings_edit.py
writes the file) or in the YAML file; everyone else sees them read-only."""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_assets.settings import SettingsError, config_path, load_secrets
from mediavault_ui import queries, settings_edit, ui
from mediavault_ui.data import DataUnavailable

st.title("Settings")
ui.show_flash()
library = ui.library_or_stop()
settings = library.settings
admin = ui.is_admin(library)
st.caption(
    f"From {ui.plain(config_path())}; secrets come from the environment. "
    + (
        "Changes saved below are validated as at start-up and used by the next run."
        if admin
        else "Only an admin can change them."
    )
)

st.subheader("Library roots")
try:
    counts = {
        r["root_key"]: r for r in library.frame(queries.ROOT_FILE_COUNTS).iter_rows(named=True)
    }
except DataUnavailable:
    counts = {}
st.dataframe(
    pl.DataFrame(
        {
            "key": [r.key for r in settings.library_roots],
            "path": [str(r.path) for r in settings.library_roots],
            "nas_path": [r.nas_path or "" for r in settings.library_roots],
            "media_type": [r.media_type for r in settings.library_roots],
            "mounted": [r.path.is_dir() for r in settings.library_roots],
            "files": [counts.get(r.key, {}).get("files") for r in settings.library_roots],
            "bytes": [counts.get(r.key, {}).get("bytes") for r in settings.library_roots],
        }
    ),
    hide_index=True,
    column_config={
        "key": "Key",
        "path": st.column_config.TextColumn("Mounted at", width="large"),
        "nas_path": "NAS path",
        "media_type": "Type",
        "mounted": st.column_config.CheckboxColumn("Reachable"),
        "files": "Files",
        "bytes": st.column_config.NumberColumn("Size", format="bytes"),
    },
)


def facts(title: str, rows: dict[str, object]) -> None:
    st.markdown(f"**{title}**")
    st.markdown("\n".join(f"- {label}: **{ui.plain(value)}**" for label, value in rows.items()))


plan, storage = st.columns(2)
with plan, st.container(border=True):
    facts(
        "Deletion plan",
        {
            "Fuzzy match threshold": f"{settings.fuzzy_match_threshold:g} %",
            "Review when quality differs by less than": (
                f"{settings.review_quality_difference:g} points"
            ),
            "Auto-approve when quality differs by more than": (
                f"{settings.auto_approve_quality_difference:g} points"
            ),
            "Auto-approve": "on" if settings.auto_approve_enabled else "off",
            "Auto-delete unreviewed after retention": (
                "on" if settings.auto_delete_unreviewed else "off"
            ),
        },
    )
with storage, st.container(border=True):
    facts(
        "Staging and storage",
        {
            "Staging folder": settings.staging_root,
            "Retention before purge": f"{settings.retention_days} days",
            "Warehouse": settings.warehouse_path,
            "Review store": settings.app_store_path,
            "Thumbnail and preview cache": settings.cache_dir,
            "Dagster webserver": settings.dagster_url,
        },
    )

keys, access = st.columns(2)
with keys, st.container(border=True):
    st.markdown("**API keys** (from the environment; values are never shown)")
    try:
        presence = load_secrets().presence()
    except SettingsError as problem:
        st.warning(ui.plain(problem))
        presence = {}
    st.markdown(
        "\n".join(
            f"- {':material/check_circle:' if present else ':material/remove:'} "
            f"`{name}` {'set' if present else 'not set'}"
            for name, present in presence.items()
        )
    )
with access, st.container(border=True):
    st.markdown("**Who can review**")
    users = [u for u in settings_edit.users(library) if u.source != "local"]
    if users:
        st.markdown(
            f"{len(users)} user(s): "
            + ", ".join(
                f"**{ui.plain(u.username)}**"
                + (" (admin)" if u.is_admin else "")
                + ("" if u.is_active else " (disabled)")
                for u in users
            )
        )
        st.caption("Passwords are stored as PBKDF2 hashes (`mediavault hash-password`).")
    else:
        st.markdown(
            "No users: the app serves 127.0.0.1 only and decisions are signed "
            f"**{ui.plain(ui.reviewer())}**, its admin."
        )

if admin:
    settings_edit.editor(library)
