"""The plan's promises: each check passes on real plans and fails on a plan that breaks it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from domain_builders import episode, hardlink, library_file, movie, probe

from mediavault_assets.domain.deletion_plan import (
    DeletionPlan,
    PlanPolicy,
    PlanRow,
    plan_deletions,
)
from mediavault_assets.domain.grouping import DuplicateGroup, group_duplicates
from mediavault_assets.domain.model import LibraryFile
from mediavault_assets.domain.plan_checks import (
    check_english_audio_kept,
    check_multi_episode_coverage,
    check_no_auto_approved_foreign_film,
    check_no_group_loses_last_copy,
    check_no_hardlink_savings,
    check_runtimes_support_the_plan,
    decision_losses,
)

GB = 1_000_000_000
FOREIGN = {"audio_languages": ("ko",), "subtitle_languages": ("en",)}


def library() -> dict[str, LibraryFile]:
    """A small library holding every situation a promise is about."""
    files = {
        "inception_4k": library_file(
            "/volume1/videos/Movies/Inception.2160p.mkv", movie("Inception", 2010), probe("4K")
        ),
        "inception_hd": library_file(
            "/volume1/docker/Inception.1080p.mkv", movie("Inception", 2010), probe("1080p")
        ),
        "heat_spanish": library_file(
            "/volume1/docker/Heat.Spanish.1080p.mkv",
            movie("Heat", 1995),
            probe("1080p", audio_languages=("es",)),
        ),
        "heat_english": library_file(
            "/volume1/videos/Movies/Heat.720p.mkv", movie("Heat", 1995), probe("720p")
        ),
        "parasite_4k": library_file(
            "/volume1/videos/Movies/Parasite.2160p.mkv",
            movie("Parasite", 2019),
            probe("4K", **FOREIGN),
            original_language="ko",
        ),
        "parasite_sd": library_file(
            "/volume1/docker/Parasite.480p.mkv",
            movie("Parasite", 2019),
            probe("480p", **FOREIGN),
            original_language="ko",
        ),
        "double": library_file(
            "/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("720p")
        ),
        "e01": library_file(
            "/volume1/videos/Show/Show.S01E01.mkv", episode("Show", 1, 1), probe("1080p")
        ),
    }
    alien_sd = library_file(
        "/volume1/docker/downloads/Alien.480p.mkv", movie("Alien", 1979), probe("480p"), size=GB
    )
    files["alien_sd"], files["alien_sd_link"] = hardlink(
        alien_sd, "/volume1/videos/Movies/Alien.480p.mkv"
    )
    files["alien_hd"] = library_file(
        "/volume1/videos/Movies/Alien.1080p.mkv", movie("Alien", 1979), probe("1080p")
    )
    return files


def make_plan(
    files: dict[str, LibraryFile], policy: PlanPolicy | None = None
) -> tuple[list[DuplicateGroup], DeletionPlan]:
    groups = group_duplicates(files.values())
    return groups, plan_deletions(groups, files.values(), policy or PlanPolicy())


def by_id(files: dict[str, LibraryFile]) -> dict[int, LibraryFile]:
    return {f.file_id: f for f in files.values()}


def row_of(plan: DeletionPlan, file: LibraryFile) -> PlanRow:
    return next(r for r in plan.rows if r.file_id == file.file_id)


def all_violations(
    groups: list[DuplicateGroup], rows: list[PlanRow], files: dict[str, LibraryFile]
) -> list[str]:
    ids = by_id(files)
    return [
        *check_no_group_loses_last_copy(groups, rows),
        *check_english_audio_kept(groups, rows, ids),
        *check_no_auto_approved_foreign_film(rows, ids),
        *check_multi_episode_coverage(groups, rows, ids),
        *check_no_hardlink_savings(rows, ids),
        *check_runtimes_support_the_plan(rows, ids),
    ]


@pytest.mark.parametrize(
    "policy", [PlanPolicy(), PlanPolicy(auto_approve_enabled=True)], ids=["default", "auto"]
)
def test_real_plans_keep_every_promise(policy: PlanPolicy) -> None:
    files = library()
    groups, plan = make_plan(files, policy)
    assert {r.original_filepath for r in plan.rows} == {
        files["inception_hd"].path,
        files["heat_spanish"].path,
        files["parasite_sd"].path,
        files["alien_sd"].path,
        files["alien_sd_link"].path,
    }
    assert all_violations(groups, list(plan.rows), files) == []


def staged_instead(row: PlanRow, file: LibraryFile, kept: LibraryFile) -> PlanRow:
    """A forged row staging ``file`` in favour of ``kept``."""
    return replace(
        row, file_id=file.file_id, original_filepath=file.path, kept_file_id=kept.file_id
    )


def test_staging_the_keeper_loses_the_last_copy() -> None:
    files = library()
    groups, plan = make_plan(files)
    hd_row = row_of(plan, files["inception_hd"])
    forged = staged_instead(hd_row, files["inception_4k"], files["inception_hd"])
    assert check_no_group_loses_last_copy(groups, [*plan.rows, forged]) == [
        "'Inception' (2010): all 2 copies are planned for staging "
        f"(group {hd_row.duplicate_group_id}).",
        f"{files['inception_hd'].path!r} is staged in favour of file "
        f"{files['inception_4k'].file_id}, which is itself planned for staging.",
        f"{files['inception_4k'].path!r} is staged in favour of file "
        f"{files['inception_hd'].file_id}, which is itself planned for staging.",
    ]


def test_a_hardlink_left_behind_still_holds_the_copy() -> None:
    files = library()
    groups, plan = make_plan(files)
    sd_row = row_of(plan, files["alien_sd"])
    # Both Alien files staged, but the second path of the 480p inode stays on disk.
    rows = [
        *(r for r in plan.rows if r.file_id != files["alien_sd_link"].file_id),
        staged_instead(sd_row, files["alien_hd"], files["alien_sd"]),
    ]
    violations = check_no_group_loses_last_copy(groups, rows)
    assert not any("copies are planned" in v for v in violations)
    assert len(violations) == 2  # each row's kept file is staged by the other


def test_staging_the_only_english_copy_is_caught() -> None:
    files = library()
    groups, plan = make_plan(files)
    spanish_row = row_of(plan, files["heat_spanish"])
    rows = [
        *(r for r in plan.rows if r is not spanish_row),
        replace(spanish_row, file_id=files["heat_english"].file_id),
    ]
    assert check_english_audio_kept(groups, rows, by_id(files)) == [
        f"'Heat' (1995): every English-audio copy is planned for staging "
        f"({files['heat_english'].path!r})."
    ]


@pytest.mark.parametrize(
    "lie",
    [{}, {"is_foreign_film": False, "has_english_subtitles": False}],
    ids=["honest row", "row hiding the subtitles"],
)
def test_auto_approving_a_foreign_film_is_caught(lie: dict[str, bool]) -> None:
    files = library()
    _, plan = make_plan(files)
    rows = [
        replace(r, auto_approved=True, **lie) if r.file_id == files["parasite_sd"].file_id else r
        for r in plan.rows
    ]
    assert check_no_auto_approved_foreign_film(rows, by_id(files)) == [
        f"{files['parasite_sd'].path!r} is a foreign-language version with English subtitles "
        "and must not be approved automatically."
    ]


def test_staging_a_double_episode_with_an_uncovered_episode_is_caught() -> None:
    files = library()
    groups, plan = make_plan(files)
    assert files["double"].file_id not in {r.file_id for r in plan.rows}  # the plan kept it
    e01_group = next(g for g in groups if g.episodes == (1,))
    staged_double = replace(
        plan.rows[0],
        file_id=files["double"].file_id,
        original_filepath=files["double"].path,
        duplicate_group_id=e01_group.id,
        kept_file_id=files["e01"].file_id,
    )
    rows = [*plan.rows, staged_double]
    assert check_multi_episode_coverage(groups, rows, by_id(files)) == [
        f"{files['double'].path!r} holds 2 episodes but no kept file holds E02."
    ]


def test_a_covered_double_episode_passes() -> None:
    files = library()
    files["e02"] = library_file(
        "/volume1/videos/Show/Show.S01E02.mkv", episode("Show", 1, 2), probe("1080p")
    )
    groups, plan = make_plan(files)
    assert files["double"].file_id in {r.file_id for r in plan.rows}
    assert check_multi_episode_coverage(groups, list(plan.rows), by_id(files)) == []
    # ...until the kept E02 is staged as well.
    e02_row = replace(
        row_of(plan, files["double"]),
        file_id=files["e02"].file_id,
        original_filepath=files["e02"].path,
    )
    assert check_multi_episode_coverage(groups, [*plan.rows, e02_row], by_id(files)) == [
        f"{files['double'].path!r} holds 2 episodes but no kept file holds E02."
    ]


def test_savings_from_a_hardlink_left_behind_are_caught() -> None:
    files = library()
    _, plan = make_plan(files)
    rows = [r for r in plan.rows if r.file_id != files["alien_sd_link"].file_id]
    assert check_no_hardlink_savings(rows, by_id(files)) == [
        f"{files['alien_sd'].path!r} is counted as savings but its hardlink(s) "
        f"{files['alien_sd_link'].path!r} stay, so staging frees nothing."
    ]


def test_savings_counted_twice_are_caught() -> None:
    files = library()
    _, plan = make_plan(files)
    rows = [
        replace(r, bytes_freed=GB) if r.file_id == files["alien_sd_link"].file_id else r
        for r in plan.rows
    ]
    assert check_no_hardlink_savings(rows, by_id(files)) == [
        f"{files['alien_sd'].path!r}: {2 * GB} bytes counted as freed for a {GB}-byte file."
    ]


def test_savings_from_a_link_outside_the_library_are_caught() -> None:
    files = library()
    files["inception_hd"] = replace(files["inception_hd"], nlink=2)
    _, plan = make_plan(files)
    assert row_of(plan, files["inception_hd"]).bytes_freed == 0  # the plan knows
    rows = [
        replace(r, bytes_freed=r.bytes_freed or files["inception_hd"].size)
        if r.file_id == files["inception_hd"].file_id
        else r
        for r in plan.rows
    ]
    assert check_no_hardlink_savings(rows, by_id(files)) == [
        f"{files['inception_hd'].path!r} is counted as savings but has 1 hardlink(s) "
        "outside the library, so staging frees nothing."
    ]


def test_staging_a_hardlink_of_the_keeper_is_caught() -> None:
    files = library()
    kept, link = hardlink(files["alien_hd"], "/volume1/docker/downloads/Alien.1080p.mkv")
    files["alien_hd"], files["alien_hd_link"] = kept, link
    _, plan = make_plan(files)
    forged = staged_instead(row_of(plan, files["alien_sd"]), link, kept)
    assert check_no_hardlink_savings(
        [*plan.rows, replace(forged, bytes_freed=0)], by_id(files)
    ) == [
        f"{link.path!r} is a hardlink of the file it is staged in favour of ({kept.path!r}): "
        "the same file on disk."
    ]


def test_a_plan_staging_a_file_for_a_much_shorter_one_is_refused() -> None:
    files = library()
    files["inception_4k"] = replace(
        files["inception_4k"], probe=replace(files["inception_4k"].probe, duration=600.0)
    )
    _, plan = make_plan(files)
    assert all(r.file_id != files["inception_hd"].file_id for r in plan.rows)  # the plan knows
    row = row_of(make_plan(library())[1], files["inception_hd"])
    assert check_runtimes_support_the_plan([row], by_id(files)) == [
        f"{files['inception_hd'].path!r} is staged in favour of {files['inception_4k'].path!r}, "
        "which runs less than half as long."
    ]


def test_a_certain_row_without_running_times_is_refused() -> None:
    files = library()
    files["inception_hd"] = replace(
        files["inception_hd"], probe=replace(files["inception_hd"].probe, duration=None)
    )
    row = replace(
        row_of(make_plan(library())[1], files["inception_hd"]), decision_confidence="certain"
    )
    [violation] = check_runtimes_support_the_plan([row], by_id(files))
    assert "certain although a running time is unknown" in violation


LOSSES = [
    # situation, the files of a group, the one a person keeps, what the warning must say
    (
        "keeping the Spanish dub",
        ("heat_spanish", "heat_english"),
        "heat_spanish",
        "The only English-audio copy would be staged",
    ),
    ("keeping the single episode", ("double", "e01"), "e01", "holds E02, which no kept file"),
    ("keeping the better English copy", ("inception_4k", "inception_hd"), "inception_4k", None),
    (
        "keeping one name of a hardlinked file",
        ("alien_sd", "alien_sd_link"),
        "alien_sd",
        "No other copy would stay",
    ),
]


@pytest.mark.parametrize(
    ("situation", "names", "kept", "expected"), LOSSES, ids=[case[0] for case in LOSSES]
)
def test_group_decisions_are_held_to_the_plans_promises(
    situation: str, names: tuple[str, ...], kept: str, expected: str | None
) -> None:
    files = library()
    losses = decision_losses([files[n] for n in names], {files[kept].file_id})
    if expected is None:
        assert losses == [], situation
    else:
        assert any(expected in loss for loss in losses), losses


def test_keeping_the_dub_of_a_foreign_film_loses_the_original() -> None:
    files = library()
    dub = library_file(
        "/volume1/docker/Parasite.English.Dub.1080p.mkv",
        movie("Parasite", 2019),
        probe("1080p"),
        original_language="ko",
    )
    losses = decision_losses([files["parasite_sd"], dub], {dub.file_id})
    assert losses == [
        f"The only original-language version would be staged: {files['parasite_sd'].path!r}."
    ]
