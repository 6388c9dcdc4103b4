"""Manual groups: files a person groups as duplicates, planned under every rule of any group."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mediavault_assets.domain.deletion_plan import PlanPolicy, plan_deletions
from mediavault_assets.domain.grouping import (
    ManualGroup,
    group_duplicates,
    manual_group_id,
    with_manual_groups,
)
from mediavault_assets.domain.model import LibraryFile
from mediavault_assets.domain.plan_checks import (
    check_english_audio_kept,
    check_manual_groups_reviewed,
    check_no_group_loses_last_copy,
)
from mediavault_assets.review_store import ManualGroupRefused, ReviewStore
from tests.domain_builders import episode, hardlink, library_file, movie, probe

# Everything the plan could do on its own: auto-approval on, any difference clears it.
EAGER = PlanPolicy(auto_approve_enabled=True, auto_approve_threshold=1.0, review_threshold=1.0)


def manual(*files: LibraryFile) -> ManualGroup:
    ids = frozenset(f.file_id for f in files)
    return ManualGroup(manual_group_id(ids), ids)


def plan_of(files: list[LibraryFile], *groups: ManualGroup):  # type: ignore[no-untyped-def]
    grouped = with_manual_groups(group_duplicates(files), files, groups)
    return grouped, plan_deletions(grouped, files, EAGER)


def test_files_the_rules_never_match_become_one_manual_group_that_a_person_confirms() -> None:
    best = library_file("/volume1/videos/Amelie.2001.2160p.mkv", movie("Amelie", 2001), probe("4K"))
    # A wrong year in the name: the rules never group different years.
    other = library_file("/volume1/videos/Amelie.2002.mkv", movie("Amelie", 2002), probe("480p"))
    assert group_duplicates([best, other]) == []

    (group,), plan = plan_of([best, other], manual(best, other))
    assert (group.id, group.group_type, group.show_name, group.year) == (
        manual_group_id([other.file_id, best.file_id]),
        "manual",
        "Amelie",
        2001,
    )
    (row,) = plan.rows
    assert (row.file_id, row.kept_file_id) == (other.file_id, best.file_id)
    # The same files in a found group would be auto-approved under this policy; by hand, never.
    assert (row.requires_manual_review, row.auto_approved) == (True, False)
    assert row.decision_confidence != "certain"
    assert "Grouped by hand" in row.deletion_reason
    assert check_manual_groups_reviewed(plan.groups, plan.rows) == []
    assert check_manual_groups_reviewed(plan.groups, [replace(row, auto_approved=True)])


def test_a_manual_group_keeps_the_only_english_audio_and_the_foreign_film() -> None:
    korean = library_file(
        "/volume1/videos/Gisaengchung.2019.2160p.mkv",
        movie("Gisaengchung", 2019),
        probe("4K", audio_languages=("ko",), subtitle_languages=("en",)),
        original_language="ko",
    )
    dub = library_file(
        "/volume1/videos/Parasite.Dub.720p.mkv",
        movie("Parasite", 2019),
        probe("720p"),
        original_language="ko",
    )
    spare = library_file(
        "/volume1/videos/Parasite.Dub.480p.mkv",
        movie("Parasite", 2019),
        probe("480p"),
        original_language="ko",
    )
    (group,), plan = plan_of([korean, dub, spare], manual(korean, dub))
    # The found group (dub and its 480p copy) joined the manual one.
    assert group.group_type == "manual" and group.file_count == 3
    assert [r.file_id for r in plan.rows] == [spare.file_id]
    assert check_no_group_loses_last_copy(plan.groups, plan.rows) == []
    by_id = {f.file_id: f for f in (korean, dub, spare)}
    assert check_english_audio_kept(plan.groups, plan.rows, by_id) == []
    assert {n.file_id for n in plan.keep_notes if n.category == "foreign_film"} == {korean.file_id}


def test_a_manual_group_of_one_physical_file_or_of_files_gone_is_no_group() -> None:
    film = library_file("/volume1/videos/Heat.1995.mkv", movie("Heat", 1995))
    original, link = hardlink(film, "/volume1/videos/Heat.link.mkv")
    absent = library_file("/volume1/videos/Heat.old.mkv", movie("Heat", 1995))
    assert with_manual_groups([], [original, link], [manual(original, link)]) == []
    assert with_manual_groups([], [film], [manual(film, absent)]) == []


def test_manual_groups_that_take_in_one_found_group_become_one() -> None:
    a = library_file("/volume1/videos/Alien.1979.mkv", movie("Alien", 1979), probe("4K"))
    b = library_file("/volume1/videos/Alien.1979.720p.mkv", movie("Alien", 1979), probe("720p"))
    c = library_file("/volume1/videos/Xenomorph.mkv", movie("Xenomorph", None), probe("480p"))
    d = library_file("/volume1/videos/Eighth.Passenger.mkv", movie("Eighth", None), probe("SD"))
    first, second = manual(a, c), manual(b, d)
    groups, plan = plan_of([a, b, c, d], first, second)
    (group,) = groups
    assert group.id == min(first.id, second.id)
    assert {m.file_id for m in group.members} == {a.file_id, b.file_id, c.file_id, d.file_id}
    assert {r.file_id for r in plan.rows} == {b.file_id, c.file_id, d.file_id}
    assert all(r.requires_manual_review and not r.auto_approved for r in plan.rows)


def test_a_multi_episode_file_grouped_with_one_episode_stays() -> None:
    double = library_file(
        "/volume1/videos/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("480p")
    )
    single = library_file("/volume1/videos/Pilot.S01E01.mkv", episode("Pilot", 1, 1), probe("4K"))
    (group,), plan = plan_of([double, single], manual(double, single))
    assert group.episodes == (1,)
    assert plan.rows == ()
    assert [n.category for n in plan.keep_notes] == ["other_episodes"]


def test_the_store_records_who_grouped_and_refuses_a_file_in_another_manual_group(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    store = ReviewStore(tmp_path / "app.sqlite")
    group_id = store.group_files([3, 1, 2, 1], reviewer="pat", notes="same film")
    assert group_id == manual_group_id([1, 2, 3])
    assert store.manual_groups() == [ManualGroup(group_id, frozenset({1, 2, 3}))]
    with pytest.raises(ManualGroupRefused, match=f"file 2 is already in manual group {group_id}"):
        store.group_files([2, 9], reviewer="sam")
    with pytest.raises(ManualGroupRefused, match="at least two files"):
        store.group_files([7, 7], reviewer="sam")
    (made,) = store.user_decisions()
    assert (made["duplicate_group_id"], made["action_taken"], made["reviewer"]) == (
        group_id,
        "group_manual",
        "pat",
    )
    assert made["decided_at"]

    assert store.ungroup(group_id, reviewer="sam") is True
    assert store.ungroup(group_id, reviewer="sam") is False
    assert store.manual_groups() == []
    assert store.user_decisions()[-1]["action_taken"] == "ungroup_manual"
    assert store.group_files([2, 9], reviewer="sam") == manual_group_id([2, 9])
