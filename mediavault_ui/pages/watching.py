"""Watching (seed 003): a title's page with your review, watch log, planned watches and custom
fields; the calendar; recommendation presets; "something like Blade Runner but funnier".

Everything typed here goes to the review store through mediavault_assets.watching (the same
API as `mediavault review/watch/plan-watch/...`), so it is saved while a run writes the
warehouse and shows at once; the warehouse mirrors it on the next refresh.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import streamlit as st

from mediavault_assets import watching
from mediavault_assets.domain.watching import FIELD_TYPES, CustomField, TitleRef, WatchingError
from mediavault_ui import ui
from mediavault_ui.data import DataUnavailable

VIEWS = ("Title", "Calendar", "Recommendations", "Search", "Custom fields")
_TITLE_KEY = "watching_title"

st.title("Watching")
st.caption("Reviews, watches and plans for the titles on disk, and what to watch next.")
ui.show_flash()
library = ui.library_or_stop()
settings = library.settings
store = watching.store_for(settings)
view = st.segmented_control("View", VIEWS, default=VIEWS[0], key="watching_view") or VIEWS[0]


def _saved(message: str) -> None:
    ui.flash(message)
    st.rerun()


def _label(ref: TitleRef) -> str:
    """A picker option: plain text, not markdown (a name's newlines and tabs become spaces)."""
    year = f" ({ref.year})" if ref.year else ""
    return " ".join(f"{ref.name}{year} · {ref.kind}".split())


def _field_input(field: CustomField, current: object, key: str) -> object:
    """The widget of a custom field by its type; returns what the store's parser takes."""
    label = ui.plain(field.field_label)
    help_text = field.help_text or field.description
    if field.field_type == "boolean":
        choices = {"": None, "yes": True, "no": False}
        shown = next((k for k, v in choices.items() if v is current and k), "")
        return st.selectbox(
            label, list(choices), index=list(choices).index(shown), key=key, help=help_text
        )
    if field.field_type == "select":
        options = ["", *field.field_options]
        index = options.index(current) if current in options else 0
        return st.selectbox(label, options, index=index, key=key, help=help_text)
    if field.field_type == "multi-select":
        chosen = st.multiselect(
            label, list(field.field_options), default=current or [], key=key, help=help_text
        )
        return chosen or None
    if field.field_type == "date":
        picked = st.date_input(
            label,
            value=date.fromisoformat(str(current)) if current else None,
            key=key,
            help=help_text,
        )
        return picked.isoformat() if picked else None
    return st.text_input(
        label, value="" if current is None else str(current), key=key, help=help_text
    )


def title_view() -> None:
    titles = watching.library_titles(settings)
    if not titles:
        st.info("No titles yet: run a refresh.", icon=":material/info:")
        return
    ids = [t.media_id for t in titles]
    linked = st.query_params.get("title", "")  # a deep link: /watching?title=<media id>
    wanted = int(linked) if linked.isdigit() else st.session_state.get(_TITLE_KEY)
    ref = st.selectbox(
        "Title",
        titles,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=_label,
        key="watching_title_pick",
    )
    st.session_state[_TITLE_KEY] = ref.media_id
    st.query_params["title"] = str(ref.media_id)
    page = watching.title_page(settings, ref.media_id)
    media = page.media
    with st.container(border=True):
        year = f" ({media['year']})" if media.get("year") else ""
        st.markdown(f"### {ui.plain(media['title'])}{year}")
        facts = [
            str(media["media_type"]),
            f"TMDb {media['tmdb_rating']}" if media.get("tmdb_rating") else None,
            f"your rating {media['user_rating']}/10" if media.get("user_rating") else None,
            f"rated {media['maturity_rating']}" if media.get("maturity_rating") else None,
            f"{media['runtime']} min" if media.get("runtime") else None,
            media.get("status"),
        ]
        st.caption(ui.plain(" · ".join(str(f) for f in facts if f)))
        if media.get("tagline"):
            st.markdown(f"*{ui.plain(media['tagline'])}*")
        st.write(
            ui.plain(
                media.get("overview")
                or "No overview (TMDb is not set up, or did not know this title)."
            )
        )
        if page.cast:
            st.caption(ui.plain("Cast: " + ", ".join(page.cast[:8])))
        if page.custom_fields:
            st.caption(ui.plain(" · ".join(f"{k}: {v}" for k, v in page.custom_fields.items())))

    left, right = st.columns(2)
    own = next((r for r in page.reviews if r.season_number is None), None)
    with left, st.form(f"review_{ref.media_id}"):
        st.markdown("**Your review**")
        rating = st.slider("Rating", 0.0, 10.0, float(own.rating) if own else 7.0, 0.5)
        text = st.text_area("Review", value=own.review_text or "" if own else "")
        watched_on = st.date_input(
            "Watched on",
            value=date.fromisoformat(own.watched_date) if own and own.watched_date else None,
        )
        tags = st.text_input("Tags (comma-separated)", value=", ".join(own.tags) if own else "")
        if st.form_submit_button("Save review", icon=":material/rate_review:", type="primary"):
            try:
                store.review(
                    ref,
                    rating,
                    by=ui.reviewer(),
                    text=text or None,
                    watched_date=watched_on,
                    tags=[t.strip() for t in tags.split(",") if t.strip()],
                )
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"Review of {ref.name} saved: {rating:g}/10.")
    with right, st.form(f"watch_{ref.media_id}"):
        st.markdown("**Log a watch**")
        watched = st.date_input("Date", value=datetime.now(UTC).date())
        minutes = st.number_input("Minutes watched", min_value=0, value=None, step=1)
        completed = st.checkbox("Watched to the end", value=True)
        source = st.selectbox("Source", ["file", "plex", "jellyfin", "cinema", "streaming", "tv"])
        context = st.text_input("With whom / where", placeholder="alone, family, friends...")
        if st.form_submit_button("Log watch", icon=":material/visibility:"):
            try:
                store.log_watch(
                    ref,
                    by=ui.reviewer(),
                    watched_at=datetime.combine(watched, datetime.min.time()),
                    duration=int(minutes) if minutes is not None else None,
                    completed=completed,
                    source=source,
                    context=context or None,
                )
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"Watch of {ref.name} on {watched} logged.")

    left, right = st.columns(2)
    with left, st.form(f"plan_{ref.media_id}"):
        st.markdown("**Plan a watch**")
        planned = st.date_input("On", value=datetime.now(UTC).date(), key="plan_date")
        note = st.text_input("Note", key="plan_note")
        if st.form_submit_button("Plan", icon=":material/event:"):
            try:
                store.plan_watch(ref, planned, description=note or None)
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"{ref.name} planned for {planned}: its files are not staged meanwhile.")
    fields = store.fields(active_only=True)
    with right, st.form(f"fields_{ref.media_id}"):
        st.markdown("**Custom fields**")
        if not fields:
            st.caption("None defined yet (see the Custom fields view).")
        raw = {
            f.field_name: _field_input(
                f, page.custom_fields.get(f.field_name), f"field_{ref.media_id}_{f.field_name}"
            )
            for f in fields
        }
        if st.form_submit_button("Save fields", icon=":material/save:", disabled=not fields):
            try:
                store.set_fields(ref, raw, by=ui.reviewer())
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"Custom fields of {ref.name} saved.")

    st.markdown("**Watch history**")
    if page.watches:
        st.dataframe(
            pl.DataFrame(
                [
                    {
                        "watched_at": w.watched_at,
                        "minutes": w.watch_duration,
                        "completed": w.completed,
                        "source": w.watch_source,
                        "context": w.watch_context,
                        "by": w.watched_by,
                    }
                    for w in page.watches
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption("Not watched yet.")
    st.markdown("**Files on disk**")
    st.dataframe(
        page.files.select(
            "filepath", "file_size", "resolution", "quality_tier", "video_codec", "canonical"
        ),
        hide_index=True,
        column_config={
            "filepath": st.column_config.TextColumn("File", width=360),
            "file_size": st.column_config.NumberColumn("Bytes", format="%d"),
            "resolution": st.column_config.TextColumn("Resolution"),
            "quality_tier": st.column_config.TextColumn("Quality"),
            "video_codec": st.column_config.TextColumn("Video"),
            "canonical": st.column_config.CheckboxColumn(
                "Kept", help="The copy a duplicate group keeps (the catalog's canonical asset)."
            ),
        },
    )


def calendar_view() -> None:
    since = st.date_input("From", value=datetime.now(UTC).date())
    rows = watching.calendar(settings, since)
    if not rows:
        st.info("Nothing planned: plan a watch on a title's page.", icon=":material/event:")
        return
    by_day: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_day.setdefault(str(r["event_date"]), []).append(r)
    for day, events in by_day.items():
        with st.container(border=True):
            st.markdown(f"**{date.fromisoformat(day):%A %d %B %Y}**")
            for r in events:
                episode = (
                    f" S{r['season_number']:02d}E{r['episode_number']:02d}"
                    if r.get("season_number") is not None and r.get("episode_number") is not None
                    else ""
                )
                origin = "next episode (TMDb)" if r["source"] == "tmdb" else f"{r['event_type']}"
                note = f": {r['description']}" if r.get("description") else ""
                st.markdown(ui.plain(f"{r.get('title') or ''}{episode} · {origin}{note}"))


def recommendations_view() -> None:
    presets = store.presets()
    names = [p.name for p in presets]
    default = next((p.name for p in presets if p.is_default), names[0] if names else None)
    chosen = st.selectbox("Preset", names, index=names.index(default) if default in names else 0)
    if st.button("Recommend", icon=":material/recommend:", type="primary"):
        preset, results = watching.recommend_titles(settings, chosen)
        st.caption(ui.plain(f"Preset {preset.name}, used {preset.use_count} times."))
        if not results:
            st.info("Everything on disk is watched, or nothing fits the preset.")
        elif not any(r.score for r in results):
            st.info(
                "Every title scores 0: the preset weighs TMDb facts (rating, runtime, genres, "
                "people) that this library does not have yet. Set TMDB_API_KEY and refresh.",
                icon=":material/key:",
            )
        for r in results:
            with st.container(border=True):
                year = f" ({r.year})" if r.year else ""
                st.markdown(f"**{ui.plain(r.title)}{year}** · {r.score:.0f}/100")
                for c in r.criteria:
                    st.caption(
                        ui.plain(f"{c.criterion} {c.match:.0%} (×{c.weight:g}): {c.explanation}")
                    )
    with st.expander("Save a preset"), st.form("preset"):
        current = next((p for p in presets if p.name == chosen), None)
        name = st.text_input("Name")
        description = st.text_input("Description")
        criteria = st.text_area(
            "Criteria (seed 003's criteria_config JSON)",
            value=json.dumps(current.criteria_config, indent=2) if current else "{}",
            height=220,
        )
        make_default = st.checkbox("Make it the default")
        if st.form_submit_button("Save preset", icon=":material/save:"):
            try:
                saved = store.save_preset(
                    name, criteria, description=description or None, is_default=make_default
                )
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"Preset {saved.name} saved.")


def search_view() -> None:
    with st.form("similar"):
        query = st.text_input(
            "What would you like to watch?", placeholder="something like Blade Runner but funnier"
        )
        asked = st.form_submit_button("Search", icon=":material/search:", type="primary")
    if not asked:
        return
    try:
        hits = watching.similar(settings, query)
    except WatchingError as problem:
        st.error(ui.plain(problem))
        return
    st.caption(ui.plain(f"Answered by {hits.method} search."))
    if not hits:
        st.info("No title of the library fits that.")
    for h in hits:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(h.title)}** · {h.score:.2f}")
            st.caption(ui.plain(h.why))


def fields_view() -> None:
    fields = store.fields()
    if fields:
        st.dataframe(
            pl.DataFrame(
                [
                    {
                        "name": f.field_name,
                        "label": f.field_label,
                        "type": f.field_type,
                        "options": ", ".join(f.field_options),
                        "required": f.is_required,
                        "rules": json.dumps(f.validation_rules) if f.validation_rules else "",
                        "active": f.is_active,
                    }
                    for f in fields
                ]
            ),
            hide_index=True,
        )
    with st.form("define_field"):
        st.markdown("**Define a field**")
        name = st.text_input("Name (letters, digits, _)", placeholder="where_to_watch")
        label = st.text_input("Label", placeholder="Where to watch")
        kind = st.selectbox("Type", FIELD_TYPES)
        options = st.text_input("Options (comma-separated, for select types)")
        rules = st.text_input("Validation rules (JSON)", placeholder='{"min": 0, "max": 10}')
        required = st.checkbox("Required")
        help_text = st.text_input("Help text")
        if st.form_submit_button("Define field", icon=":material/add:", type="primary"):
            try:
                parsed = json.loads(rules) if rules.strip() else None
                if parsed is not None and not isinstance(parsed, dict):
                    raise WatchingError("validation rules are a JSON object")
                field = store.define_field(
                    CustomField(
                        field_name=name.strip(),
                        field_label=label.strip() or name.strip().replace("_", " ").capitalize(),
                        field_type=kind,
                        field_options=tuple(o.strip() for o in options.split(",") if o.strip()),
                        is_required=required,
                        validation_rules=parsed,
                        help_text=help_text or None,
                    )
                )
            except json.JSONDecodeError as problem:
                st.error(f"Validation rules are not JSON: {problem}")
            except WatchingError as problem:
                st.error(ui.plain(problem))
            else:
                _saved(f"Custom field {field.field_name} ({field.field_type}) defined.")


try:
    {
        "Title": title_view,
        "Calendar": calendar_view,
        "Recommendations": recommendations_view,
        "Search": search_view,
        "Custom fields": fields_view,
    }[view]()
except DataUnavailable as problem:
    ui.show_unavailable(problem)
