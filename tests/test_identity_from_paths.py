"""Identity from whole paths, through grouping and the plan: real names in, groups and rows out.

Names go through ``parse_name`` (no hand-built ParsedName), so these tests pin what a scan of a
real library does: copies named in different styles share a group, and a file whose path leaves
its identity uncertain joins a group only for a person to decide (never auto-approved).
"""

from __future__ import annotations

import pytest
from domain_builders import library_file, probe

from mediavault_assets.domain.deletion_plan import PlanPolicy, plan_deletions
from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.domain.model import LibraryFile
from mediavault_assets.domain.naming import MediaTypeHint, parse_name

AUTO = PlanPolicy(auto_approve_enabled=True)


def named(path: str, tier: str, hint: MediaTypeHint = "tv") -> LibraryFile:
    relative = path.strip("/").split("/", 2)[2]
    return library_file(path, parse_name(relative, hint), probe(tier))


def test_doctor_who_2005_1x06_groups_with_its_copies_as_s01e06() -> None:
    files = [
        named("/volume1/videos/TV/Doctor Who 2005 1x06.avi", "480p"),
        named("/volume1/videos/TV/Doctor Who (2005)/Season 1/Doctor.Who.2005.S01E06.mkv", "720p"),
        named("/volume1/docker/downloads/Doctor.Who.2005.S01E06.Dalek.1080p.WEB-DL.mkv", "1080p"),
    ]
    groups = group_duplicates(files)
    assert len(groups) == 1
    group = groups[0]
    assert (group.show_name, group.season_number, group.episodes, group.year) == (
        "Doctor Who",
        1,
        (6,),
        2005,
    )
    assert group.file_count == 3


def test_a_double_episode_is_never_staged_for_a_single_episode_copy() -> None:
    double = named("/volume1/videos/TV/Show.Name.1x01-x02.720p.HDTV.mkv", "SD")
    single = named("/volume1/videos/TV/Show.Name.S01E01.1080p.WEB-DL.mkv", "1080p")
    assert double.parsed.episodes == (1, 2)
    result = plan_deletions(group_duplicates([double, single]), [double, single], AUTO)
    assert [r.file_id for r in result.rows] == []  # E02 exists only in the double episode


UNCERTAIN = [
    (
        "filed under another show",
        "/volume1/videos/TV/Breaking Bad/Season 01/Better.Call.Saul.S01E01.480p.mkv",
        "file name says 'Better Call Saul', show folder says 'Breaking Bad'",
        "Better.Call.Saul.S01E01.1080p.WEB-DL.mkv",
    ),
    (
        "folder says season 2, file season 3",
        "/volume1/videos/TV/Show Name/Season 02/Show.Name.S03E05.480p.mkv",
        "file name says season 3, folder says season 2",
        "Show.Name.S03E05.1080p.mkv",
    ),
    (
        "anime number without a season",
        "/volume1/videos/TV/[Grp] Show Name - 05 [480p].mkv",
        "episode number without a season",
        "Show Name - 05 [1080p].mkv",
    ),
    (
        "folder year and file year differ",
        "/volume1/videos/TV/Show Name (2010)/Show.Name.2012.S03E05.480p.mkv",
        "file name says 2012, folder says 2010",
        "Show.Name.2012.S03E05.1080p.mkv",
    ),
]


@pytest.mark.parametrize(
    ("situation", "path", "doubt", "other_name"), UNCERTAIN, ids=[u[0] for u in UNCERTAIN]
)
def test_an_uncertain_identity_joins_a_group_only_for_review(
    situation: str, path: str, doubt: str, other_name: str
) -> None:
    uncertain = named(path, "SD")
    assert uncertain.parsed.identity_doubt == doubt
    better = named(f"/volume1/docker/downloads/{other_name}", "4K")
    groups = group_duplicates([uncertain, better])
    assert len(groups) == 1, situation
    result = plan_deletions(groups, [uncertain, better], AUTO)
    (row,) = result.rows
    assert row.file_id == uncertain.file_id
    assert row.requires_manual_review and not row.auto_approved
    assert row.decision_confidence != "certain"
    assert "identity uncertain" in row.deletion_reason and doubt in row.deletion_reason


def test_the_same_pair_without_doubt_is_auto_approved() -> None:
    # The control of the test above: the review comes from the doubt, not from the pair.
    worse = named("/volume1/videos/TV/Show Name/Season 03/Show.Name.S03E05.480p.mkv", "SD")
    better = named("/volume1/docker/downloads/Show.Name.S03E05.1080p.mkv", "4K")
    assert worse.parsed.identity_doubt is None
    (row,) = plan_deletions(group_duplicates([worse, better]), [worse, better], AUTO).rows
    assert row.auto_approved and not row.requires_manual_review


def test_the_doubt_of_a_kept_file_still_sends_the_group_to_a_person() -> None:
    uncertain_best = named("/volume1/videos/TV/Show Name/Season 02/Show.Name.S03E05.mkv", "4K")
    worse = named("/volume1/docker/downloads/Show.Name.S03E05.480p.mkv", "SD")
    (row,) = plan_deletions(
        group_duplicates([uncertain_best, worse]), [uncertain_best, worse], AUTO
    ).rows
    assert row.kept_file_id == uncertain_best.file_id
    assert row.requires_manual_review and not row.auto_approved
