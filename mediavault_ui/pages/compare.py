"""Compare: two files of a duplicate group in synchronized players, their metadata side by side,
the plan's suggested keeper and why, and the decision (saved to the review store)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from mediavault_assets import curating
from mediavault_assets.domain.chapters import ChapterPair, FileChapter, pair_chapters
from mediavault_assets.domain.curation import MAX_SCORE, REJECTED, UNRATED, stars
from mediavault_assets.reviewing import DecisionLosesData
from mediavault_ui import comparison, media, queries, review, ui
from mediavault_ui.components.player import Side, dual_player
from mediavault_ui.data import DataUnavailable

BETTER_MARK = " ✓"

st.title("Compare")
ui.show_flash()
library = ui.library_or_stop()
try:
    groups = library.frame(queries.GROUPS, tables=review.review_tables(library))
except DataUnavailable as problem:
    ui.show_unavailable(problem)
if not groups.height:
    st.success("No duplicate groups to compare.")
    st.stop()

labels = {
    r["group_id"]: f"{'✓ ' if r['reviewed'] else ''}{ui.group_label(r)} · {r['files']} files"
    for r in groups.iter_rows(named=True)
}
reviewed = set(groups.filter(pl.col("reviewed"))["group_id"].to_list())
order = list(labels)


def _show(target: int) -> None:
    st.session_state["compare_group"] = target
    st.session_state["compare_url"] = str(target)
    st.query_params["group"] = str(target)


# Which group: a URL someone opened (?group=), else the one this session (or another page)
# chose, else the first one to review.
requested = st.query_params.get("group", "")
if requested != st.session_state.get("compare_url") and requested.isascii() and requested.isdigit():
    st.session_state["compare_group"] = int(requested)
if st.session_state.get("compare_group") not in labels:
    st.session_state["compare_group"] = order[0]
_show(st.session_state["compare_group"])
st.session_state["compare_pick"] = st.session_state["compare_group"]
group_id = st.selectbox(
    "Duplicate group",
    order,
    format_func=labels.__getitem__,
    key="compare_pick",
    on_change=lambda: _show(st.session_state["compare_pick"]),
)
group = groups.filter(pl.col("group_id") == group_id).row(0, named=True)

try:
    members = list(
        library.frame(queries.GROUP_MEMBERS, {"group_id": group_id}).iter_rows(named=True)
    )
    notes = library.frame(queries.GROUP_KEEP_NOTES, {"group_id": group_id})
except DataUnavailable as problem:
    ui.show_unavailable(problem)
if len(members) < 2:
    st.warning("This group has fewer than two files left in the library snapshot.")
    st.stop()
by_id = {m["file_id"]: m for m in members}
suggested = comparison.keeper(members)
decisions = library.review_store().decisions()

with st.container(horizontal=True, vertical_alignment="center"):
    badge, colour = ui.confidence_badge(group["group_type"], group["confidence_score"])
    st.badge(badge, color=colour)
    st.badge("Reviewed" if group["reviewed"] else "To review", color="gray")
    st.caption(
        f"{group['files']} files · {ui.size(group['total_size'])} · "
        f"{ui.size(group['potential_savings'])} reclaimable"
    )


def _named(member: dict[str, object]) -> str:
    # Copies in two roots often share a file name: the root tells them apart.
    return f"{member['root_key']} › {member['filename']}"


# Left defaults to the suggested keeper, right to the best other file.
others = [m["file_id"] for m in members if m["file_id"] != suggested["file_id"]]
left_id, right_id = suggested["file_id"], others[0]
if len(members) > 2:
    pick_left, pick_right = st.columns(2)
    names = {m["file_id"]: f"#{m['quality_rank']} {_named(m)}" for m in members}
    left_id = pick_left.selectbox(
        "Left", list(names), format_func=names.__getitem__, key=f"left_{group_id}"
    )
    right_choices = [i for i in names if i != left_id]
    right_id = pick_right.selectbox(
        "Right", right_choices, format_func=names.__getitem__, key=f"right_{group_id}"
    )
left, right = by_id[left_id], by_id[right_id]


def _side(member: dict[str, object]) -> Side:
    facts = media.MediaFacts(member["format"], member["video_codec"], member["audio_codec"])
    note, src = "", ui.media_url("video", int(member["file_id"]))
    if member["location"] != "original":
        note, src = f"Not in the library now ({member['location']}): see Review › Staged.", ""
    elif member["problem"]:
        note = f"Problem: {member['problem']}"
    elif not media.browser_can_play(facts):
        note = (
            f"Preview: first {media.PREVIEW_SECONDS:.0f} s as H.264 — the browser cannot play "
            f"{member['video_codec']}/{member['audio_codec']} in {member['format']}."
        )
    marker = " (suggested keeper)" if member["file_id"] == suggested["file_id"] else ""
    return Side(src=src, label=f"{_named(member)}{marker}", note=note)


def _chapters() -> list[ChapterPair]:
    """The two files' chapter markers, paired (each file seeks to its own chapter's start)."""
    try:
        markers = library.frame(queries.FILE_CHAPTERS, {"file_ids": [left_id, right_id]})
    except DataUnavailable as problem:
        ui.show_unavailable(problem)
    of_file = {
        file_id: [
            FileChapter(r["number"], r["start_ms"], r["label"])
            for r in markers.iter_rows(named=True)
            if r["file_id"] == file_id
        ]
        for file_id in (left_id, right_id)
    }
    return pair_chapters(of_file[left_id], of_file[right_id])


dual_player(_side(left), _side(right), key="compare_player", chapters=_chapters())

rest = len(members) - 2
rest_text = f" and the {rest} other file{'s' if rest > 1 else ''} of the group" if rest else ""
note_text = st.text_input(
    "Notes (saved with the decision)",
    key=f"notes_{group_id}",
    placeholder="e.g. right one has burnt-in subtitles",
)


LOSS_KEY = "compare_pending_loss"


def _decide(action: str, *, accept_losses: bool = False) -> None:
    who, text = ui.reviewer(), note_text.strip() or None
    ids = [m["file_id"] for m in members]
    if action in ("left", "right"):
        kept, staged = (left, right) if action == "left" else (right, left)
        try:
            review.decide_group(
                library,
                group_id,
                ids,
                "keep_one",
                reviewer=who,
                keep_file_id=kept["file_id"],
                notes=text,
                accept_losses=accept_losses,
            )
        except DecisionLosesData as refusal:
            # Nothing is recorded: the person sees what would be lost and says yes or no.
            st.session_state[LOSS_KEY] = {
                "group_id": group_id,
                "action": action,
                "losses": refusal.losses,
            }
            st.rerun()
        st.session_state.pop(LOSS_KEY, None)
        done = f"Keeping {_named(kept)}; staging {_named(staged)}{rest_text}."
    elif action == "both" and not rest:
        review.decide_group(library, group_id, ids, "keep_all", reviewer=who, notes=text)
        done = "Keeping both files."
    elif action == "both":
        review.keep_files(library, group_id, [left_id, right_id], reviewer=who, notes=text)
        done = "Keeping both files; the group's other proposals still wait for review."
    else:
        review.decide_group(library, group_id, ids, "not_duplicate", reviewer=who, notes=text)
        done = "Marked as not duplicates: every file stays."
    ui.flash(f"{done} Saved by {who}.")
    _advance()


def _advance() -> None:
    """On to the next group still to review (after this one, wrapping around)."""
    pending = [g for g in order if g != group_id and g not in reviewed]
    after = [g for g in pending if order.index(g) > order.index(group_id)]
    _show((after or pending or [group_id])[0])
    st.rerun()


def _keep_help(kept: dict[str, object], side: str, other: str) -> str:
    # Keeping a file that is not in the library would stage the group's last copy in it.
    if kept["location"] != "original":
        return f"The {side} file is in staging now: restore it first (Review › Staged files)."
    return f"Keep the {side} file; stage the {other} one{rest_text}."


pending_loss = st.session_state.get(LOSS_KEY)
if pending_loss and pending_loss["group_id"] == group_id:
    with st.container(border=True):
        st.warning(
            "This decision would stage what the plan never stages on its own:\n\n"
            + "\n".join(f"- {ui.plain(loss)}" for loss in pending_loss["losses"]),
            icon=":material/warning:",
        )
        confirm = st.container(horizontal=True)
        if confirm.button("Stage anyway", type="primary", icon=":material/check:"):
            _decide(pending_loss["action"], accept_losses=True)
        if confirm.button("Cancel", icon=":material/close:"):
            st.session_state.pop(LOSS_KEY, None)
            st.rerun()

buttons = st.container(horizontal=True)
if buttons.button(
    "Keep Left",
    type="primary",
    shortcut="1",
    icon=":material/west:",
    help=_keep_help(left, "left", "right"),
    disabled=left["location"] != "original",
):
    _decide("left")
if buttons.button(
    "Keep Right",
    type="primary",
    shortcut="2",
    icon=":material/east:",
    help=_keep_help(right, "right", "left"),
    disabled=right["location"] != "original",
):
    _decide("right")
if buttons.button(
    "Keep Both", shortcut="3", icon=":material/library_add_check:", help="Keep both files shown."
):
    _decide("both")
if buttons.button(
    "Not a duplicate",
    shortcut="4",
    icon=":material/call_split:",
    help="Different videos: keep every file of the group.",
):
    _decide("not_duplicate")
if buttons.button("Next group", shortcut="N", icon=":material/skip_next:"):
    _advance()
st.caption(
    "Keys: Space play/pause · ←/→ 10 s · 1 Keep Left · 2 Keep Right · 3 Keep Both · "
    "4 Not a duplicate · N next group · Shift+1…5 rate the left file, Alt+1…5 the right one "
    "(Shift+0 / Alt+0 rejects)"
)

# Ratings are read live from the review store: the snapshot only has them after a refresh.
curation_store = library.curation_store()
ratings = curation_store.scores()


def _rate(member: dict[str, object], score: int) -> None:
    try:
        target = curating.curated_file(library.settings, int(member["file_id"]))  # type: ignore[call-overload]
    except (curating.UnknownFileError, DataUnavailable) as problem:
        st.error(str(problem))
        return
    curation_store.rate(target, score, by=ui.reviewer())
    ui.flash(f"Rated {_named(member)}: {stars(score) or 'unrated'}")
    st.rerun()


for column, member, side, modifier in zip(
    st.columns(2), (left, right), ("left", "right"), ("Shift", "Alt"), strict=True
):
    current = ratings.get(int(member["file_id"]), UNRATED)  # type: ignore[call-overload]
    column.markdown(f"**Rating, {side}:** {stars(current) or 'unrated'}")
    row = column.container(horizontal=True, gap="small")
    for score in range(REJECTED, MAX_SCORE + 1):
        if score == UNRATED:
            continue
        label = "Reject" if score == REJECTED else "★" * score
        if row.button(
            label,
            key=f"rate_{side}_{score}",
            type="primary" if score == current else "secondary",
            shortcut=f"{modifier}+{0 if score == REJECTED else score}",
            help=f"Rate the {side} file {'-1 (rejected)' if score == REJECTED else f'{score}/5'}"
            "; a rated file is never staged automatically",
        ):
            _rate(member, UNRATED if score == current else score)

existing = [decisions[m["file_id"]] for m in members if m["file_id"] in decisions]
if existing:
    st.caption(
        "Decided so far: "
        + "; ".join(
            f"{ui.plain(by_id[d.file_id]['filename'])} → {d.decision} "
            f"({ui.plain(d.reviewer)}, {d.decided_at})"
            for d in existing
        )
    )

with st.container(border=True):
    st.markdown(
        f"**Suggested keeper:** {ui.plain(suggested['filename'])} "
        f"(rank #{suggested['quality_rank']}, quality score {suggested['quality_score'] or 0:.1f})"
    )
    shown = right if right["file_id"] != suggested["file_id"] else left
    st.markdown(f"**Rule:** {ui.plain(comparison.keeper_rule(members, shown))}")
    for note in notes.iter_rows(named=True):
        name = by_id[note["file_id"]]["filename"] if note["file_id"] in by_id else note["file_id"]
        st.markdown(f"**Also kept** {ui.plain(name)}: {ui.plain(note['reason'])}")

rows = comparison.compare(left, right)
table = pd.DataFrame(
    {
        "Attribute": [r.attribute for r in rows],
        "Left": [r.left + (BETTER_MARK if r.better == "left" else "") for r in rows],
        "Right": [r.right + (BETTER_MARK if r.better == "right" else "") for r in rows],
    }
)


def _highlight(frame: pd.DataFrame) -> pd.DataFrame:
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for i, row in enumerate(rows):
        if row.differs:
            styles.iloc[i, :] = "background-color: rgba(255, 196, 0, 0.16)"
        if row.better:
            column = "Left" if row.better == "left" else "Right"
            styles.loc[i, column] = "background-color: rgba(33, 195, 84, 0.22); font-weight: 600"
    return styles


st.dataframe(
    table.style.apply(_highlight, axis=None),
    hide_index=True,
    height=35 * len(rows) + 38,
    column_config={"Attribute": st.column_config.TextColumn(width="small")},
)
st.caption("Rows that differ are tinted; ✓ marks the better value.")
