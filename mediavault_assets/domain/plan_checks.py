"""The promises a deletion plan must keep, as pure checks returning human-readable violations.

Each function returns ``[]`` when its promise holds. The Dagster layer wraps each one as a
blocking asset check, so a plan that breaks a promise never reaches staging. The checks recompute
what they can from the files themselves (languages, hardlinks, episodes) rather than trusting the
plan's own columns, and treat a file as gone when any plan row stages it.

``files`` maps file ids to every file of the library (hardlink siblings included), ``groups`` are
the groups the plan was made for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from mediavault_assets.domain.deletion_plan import PlanRow, file_languages, runs_much_shorter
from mediavault_assets.domain.grouping import DuplicateGroup, GroupMember
from mediavault_assets.domain.model import LibraryFile


def check_no_group_loses_last_copy(
    groups: Iterable[DuplicateGroup], rows: Iterable[PlanRow]
) -> list[str]:
    """Every group keeps at least one file, and no row's kept file is itself staged."""
    rows = list(rows)
    planned = {r.file_id for r in rows}
    violations = [
        f"{_label(g)}: all {g.file_count} copies are planned for staging (group {g.id})."
        for g in groups
        if not any(_survives(m, planned) for m in g.members)
    ]
    violations.extend(
        f"{r.original_filepath!r} is staged in favour of file {r.kept_file_id}, "
        "which is itself planned for staging."
        for r in rows
        if r.kept_file_id in planned
    )
    return violations


def check_english_audio_kept(
    groups: Iterable[DuplicateGroup],
    rows: Iterable[PlanRow],
    files: Mapping[int, LibraryFile],
) -> list[str]:
    """No plan stages the only English-audio copy of a title (every English copy of a group)."""
    planned = {r.file_id for r in rows}
    violations = []
    for g in groups:
        english = [m for m in g.members if file_languages(files[m.file_id]).has_english_audio]
        if english and not any(_survives(m, planned) for m in english):
            paths = ", ".join(repr(files[m.file_id].path) for m in english)
            violations.append(
                f"{_label(g)}: every English-audio copy is planned for staging ({paths})."
            )
    return violations


def check_no_auto_approved_foreign_film(
    rows: Iterable[PlanRow], files: Mapping[int, LibraryFile]
) -> list[str]:
    """No foreign film (non-English audio with English subtitles) is approved automatically."""
    violations = []
    for r in rows:
        if not r.auto_approved:
            continue
        facts = file_languages(files[r.file_id])
        claimed = r.is_foreign_film or (not r.has_english_audio and r.has_english_subtitles)
        actual = facts.is_foreign_film or (
            not facts.has_english_audio and facts.has_english_subtitles
        )
        if claimed or actual:
            violations.append(
                f"{r.original_filepath!r} is a foreign-language version with English subtitles "
                "and must not be approved automatically."
            )
    return violations


def check_no_auto_approved_rated_file(
    rows: Iterable[PlanRow], files: Mapping[int, LibraryFile]
) -> list[str]:
    """No file a person rated (stars or rejected) is approved automatically."""
    return [
        f"{r.original_filepath!r} is rated {files[r.file_id].user_score} by a person "
        "and must not be approved automatically."
        for r in rows
        if r.auto_approved and files[r.file_id].user_score
    ]


def check_manual_groups_reviewed(
    groups: Iterable[DuplicateGroup], rows: Iterable[PlanRow]
) -> list[str]:
    """Every plan row of a group a person made needs review and is never auto-approved."""
    manual = {g.id for g in groups if g.group_type == "manual"}
    return [
        f"{r.original_filepath!r} is in manual group {r.duplicate_group_id} and must be "
        "reviewed by a person."
        for r in rows
        if r.duplicate_group_id in manual and (r.auto_approved or not r.requires_manual_review)
    ]


def check_no_auto_approved_watched_file(
    rows: Iterable[PlanRow], files: Mapping[int, LibraryFile]
) -> list[str]:
    """No file watched lately, or of a title on a watch plan, is approved automatically."""
    return [
        f"{r.original_filepath!r}: {files[r.file_id].watch_note}; it must not be approved "
        "automatically."
        for r in rows
        if r.auto_approved and files[r.file_id].watch_note
    ]


def check_multi_episode_coverage(
    groups: Iterable[DuplicateGroup],
    rows: Iterable[PlanRow],
    files: Mapping[int, LibraryFile],
) -> list[str]:
    """A multi-episode file is staged only if kept files hold every episode it contains."""
    rows = list(rows)
    planned = {r.file_id for r in rows}
    groups_of: dict[int, list[DuplicateGroup]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            for file_id in (m.file_id, *m.linked_file_ids):
                groups_of[file_id].append(g)
    violations = []
    for r in rows:
        parsed = files[r.file_id].parsed
        if parsed.media_type != "tv" or len(parsed.episodes) < 2:
            continue
        missing = [
            e
            for e in parsed.episodes
            if not any(
                _survives(m, planned) and r.file_id not in (m.file_id, *m.linked_file_ids)
                for g in groups_of[r.file_id]
                if e in g.episodes
                for m in g.members
            )
        ]
        if missing:
            episodes = ", ".join(f"E{e:02d}" for e in missing)
            violations.append(
                f"{r.original_filepath!r} holds {len(parsed.episodes)} episodes but no kept file "
                f"holds {episodes}."
            )
    return violations


def check_no_hardlink_savings(
    rows: Iterable[PlanRow], files: Mapping[int, LibraryFile]
) -> list[str]:
    """Savings count a file's bytes once, and only when every path to its inode is staged; no
    row stages a hardlink of its own kept file (the same file on disk)."""
    rows = list(rows)
    planned = {r.file_id for r in rows}
    paths_by_inode: dict[tuple[int, int], list[LibraryFile]] = defaultdict(list)
    for f in files.values():
        paths_by_inode[(f.device, f.inode)].append(f)
    freed_by_inode: dict[tuple[int, int], int] = defaultdict(int)
    violations = []
    for r in rows:
        f, kept = files[r.file_id], files.get(r.kept_file_id)
        freed_by_inode[(f.device, f.inode)] += r.bytes_freed
        if kept is not None and (kept.device, kept.inode) == (f.device, f.inode):
            violations.append(
                f"{r.original_filepath!r} is a hardlink of the file it is staged in favour of "
                f"({kept.path!r}): the same file on disk."
            )
    for inode, freed in freed_by_inode.items():
        if not freed:
            continue
        paths = paths_by_inode[inode]
        size, nlink = paths[0].size, max(p.nlink for p in paths)
        staying = [p.path for p in paths if p.file_id not in planned]
        if freed > size:
            violations.append(
                f"{paths[0].path!r}: {freed} bytes counted as freed for a {size}-byte file."
            )
        if staying:
            violations.append(
                f"{paths[0].path!r} is counted as savings but its hardlink(s) "
                f"{', '.join(map(repr, staying))} stay, so staging frees nothing."
            )
        elif len(paths) < nlink:
            violations.append(
                f"{paths[0].path!r} is counted as savings but has {nlink - len(paths)} hardlink(s) "
                "outside the library, so staging frees nothing."
            )
    return violations


def check_runtimes_support_the_plan(
    rows: Iterable[PlanRow], files: Mapping[int, LibraryFile]
) -> list[str]:
    """No file is staged in favour of one that runs less than half as long, and no row is
    certain (or auto-approved) without both running times, unless the bytes are the same."""
    violations = []
    for r in rows:
        f, kept = files[r.file_id], files.get(r.kept_file_id)
        if kept is None:
            continue
        if runs_much_shorter(kept, f):
            violations.append(
                f"{r.original_filepath!r} is staged in favour of {kept.path!r}, which runs "
                "less than half as long."
            )
        unknown = not (f.probe.duration and kept.probe.duration)
        sure = r.decision_confidence == "certain" or r.auto_approved
        if unknown and sure and r.deletion_category != "duplicate_exact":
            violations.append(
                f"{r.original_filepath!r} is planned as certain although a running time is unknown."
            )
    return violations


def decision_losses(members: Sequence[LibraryFile], keep_ids: Collection[int]) -> list[str]:
    """What a person's group decision (keep `keep_ids`, stage the other `members`) would take
    out of the library that the plan itself never would: each a sentence naming the files.

    The plan's promises, applied to the set the decision leaves: a physical copy stays, an
    English-audio copy stays, the original-language version stays, every episode of a
    multi-episode file stays, and nothing is staged in favour of a file under half its length.
    """
    kept = [f for f in members if f.file_id in keep_ids]
    staged = [f for f in members if f.file_id not in keep_ids]
    if not staged:
        return []
    losses = []
    kept_inodes = {(f.device, f.inode) for f in kept}
    if not kept or kept_inodes <= {(f.device, f.inode) for f in staged}:
        names = ", ".join(repr(f.path) for f in kept) or "nothing"
        losses.append(
            f"No other copy would stay: what is kept ({names}) is the same file on disk as what "
            "would be staged (a hardlink, or the same folder through a second mount)."
        )
    for what, test in (
        ("English-audio copy", lambda f: file_languages(f).has_english_audio),
        ("original-language version", lambda f: file_languages(f).is_foreign_film),
    ):
        lost = [f for f in staged if test(f)]
        if lost and not any(test(f) for f in kept):
            paths = ", ".join(repr(f.path) for f in lost)
            losses.append(f"The only {what} would be staged: {paths}.")
    kept_episodes = {e for f in kept for e in f.parsed.episodes}
    for f in staged:
        missing = [e for e in f.parsed.episodes if e not in kept_episodes]
        if len(f.parsed.episodes) > 1 and missing:
            episodes = ", ".join(f"E{e:02d}" for e in missing)
            losses.append(f"{f.path!r} holds {episodes}, which no kept file holds.")
    for f in staged:
        if kept and all(runs_much_shorter(k, f) for k in kept):
            losses.append(
                f"{f.path!r} runs more than twice as long as the kept file: it is not a copy."
            )
    return losses


def _survives(member: GroupMember, planned: set[int]) -> bool:
    """A member's content stays while any of its paths is not staged."""
    return any(file_id not in planned for file_id in (member.file_id, *member.linked_file_ids))


def _label(g: DuplicateGroup) -> str:
    if g.media_type == "tv":
        season = f"S{g.season_number:02d}" if g.season_number is not None else ""
        return f"{g.show_name!r} {season}{''.join(f'E{e:02d}' for e in g.episodes)}"
    return f"{g.show_name!r} ({g.year})" if g.year else repr(g.show_name)
