"""Manual groups: files a person groups as duplicates, planned under every rule of any group."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import dagster as dg
import pytest

from mediavault_assets import cli
from mediavault_assets.chat.history import ChatHistory
from mediavault_assets.defs.staging.review_mirror import review_state_sensor
from mediavault_assets.demo.media_factory import VideoSpec, make_video
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
from mediavault_assets.orchestration import (
    load_definitions,
    prepare_dagster_home,
    refresh,
    run_job,
)
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ManualGroupRefused, ReviewStore
from mediavault_assets.settings import CONFIG_ENV, Settings, load_settings
from mediavault_assets.snapshot import read_snapshot
from mediavault_ui import ui
from tests.conftest import write_config
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


# --- the flow: CLI → review store → analysis; the sensor's mirror → snapshot ------------------


@dataclass
class Library:
    config: Path
    settings: Settings
    heat: int  # the better Heat copy
    collateral: int


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    base = tmp_path_factory.mktemp("manual")
    root = base / "videos"
    heat = root / "Heat (1995)" / "Heat.1995.1080p.mkv"
    make_video(heat, VideoSpec(width=320, height=240))
    (root / "Heat (1995)" / "Heat.1995.720p.mkv").write_bytes(heat.read_bytes())
    make_video(root / "Collateral.2004.mkv", VideoSpec(width=160, height=120, seed=3))
    # A sample in no group: a review queue item for the mirror to answer.
    make_video(root / "Collateral.2004.sample.mkv", VideoSpec(width=160, height=120, seed=4))
    config = write_config(base, {"videos": root})
    saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", CONFIG_ENV)}
    os.environ.pop("DAGSTER_HOME", None)
    prepare_dagster_home(base / "dagster_home")
    settings = load_settings(config)
    outcomes = refresh(settings, config, echo=lambda _: None)
    assert all(o.success for o in outcomes), [o.summary for o in outcomes]
    ids = dict(read_snapshot(settings, "SELECT filename, id FROM media_files").iter_rows())
    try:
        yield Library(config, settings, ids["Heat.1995.1080p.mkv"], ids["Collateral.2004.mkv"])
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


def _analyze(library: Library) -> dict[str, object]:
    outcome = run_job(library.config, "analyze_library", echo=lambda _: None)
    assert outcome.success, outcome.summary
    with dg.DagsterInstance.get() as instance:
        (record,) = instance.fetch_materializations(dg.AssetKey("deletion_plan"), limit=1).records
        return {k: v.value for k, v in record.asset_materialization.metadata.items()}


def test_a_group_made_on_the_cli_is_planned_by_the_next_analysis_and_ungrouped_again(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _analyze(library)["reused"] is True  # nothing changed since the refresh
    groups = "SELECT id, group_type, file_count FROM duplicate_groups ORDER BY id"
    (found,) = read_snapshot(library.settings, groups).rows()
    assert found[1:] == ("exact", 2)

    assert cli.main(["group", str(library.heat), str(library.collateral), "--reviewer", "pat"]) == 0
    group_id = manual_group_id([library.heat, library.collateral])
    assert f"manual group {group_id}" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # Heat is in that group now
        cli.main(["group", str(library.heat), str(library.collateral)])
    assert "already in manual group" in capsys.readouterr().err

    # The store's stamp covers the new group: the analysis runs, and the found Heat group
    # joins the manual one.
    assert _analyze(library)["reused"] is False
    assert read_snapshot(library.settings, groups).rows() == [(group_id, "manual", 3)]
    rows = read_snapshot(
        library.settings,
        "SELECT bool_and(requires_manual_review) AS review, bool_or(auto_approved) AS auto, "
        "count(*) AS n, list(DISTINCT duplicate_group_id) AS groups FROM pending_deletions",
    ).row(0, named=True)
    assert rows == {"review": True, "auto": False, "n": 2, "groups": [group_id]}

    assert cli.main(["ungroup", str(group_id), "--reviewer", "pat"]) == 0
    assert _analyze(library)["reused"] is False
    assert read_snapshot(library.settings, groups).rows() == [found]


def _tick(library: Library, cursor: str | None):  # type: ignore[no-untyped-def]
    with dg.DagsterInstance.get() as instance:
        context = dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources={"settings": MediaVaultSettings(config_path=str(library.config))},
        )
        return review_state_sensor.evaluate_tick(context)


def test_a_decision_reaches_the_snapshot_through_the_sensors_mirror_run(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _tick(library, None)
    assert len(first.run_requests) == 1  # never mirrored yet
    assert run_job(library.config, "mirror_review", echo=lambda _: None).success
    idle = _tick(library, first.cursor)
    assert idle.run_requests == [] and "unchanged" in idle.skip_message

    plan_id, file_id = read_snapshot(
        library.settings, "SELECT id, file_id FROM pending_deletions"
    ).rows()[0]
    assert cli.main(["reject", str(plan_id), "--reviewer", "sam"]) == 0
    queue = "SELECT status, resolved_by FROM review_queue WHERE kind = 'sample_outside_group'"
    (item_id,) = read_snapshot(
        library.settings, "SELECT id FROM review_queue WHERE kind = 'sample_outside_group'"
    ).row(0)
    assert (
        cli.main(["queue", "resolve", str(item_id), "--as", "resolved", "--reviewer", "sam"]) == 0
    )
    capsys.readouterr()
    seen = "SELECT reviewer, final_action FROM pending_deletions WHERE id = " + str(plan_id)
    decisions = "SELECT reviewer, action_taken FROM user_decisions WHERE file_id = " + str(file_id)
    assert read_snapshot(library.settings, seen).rows() == [(None, "pending")]
    assert read_snapshot(library.settings, queue).rows() == [("pending", None)]

    changed = _tick(library, idle.cursor)
    (request,) = changed.run_requests
    assert request.run_key and request.run_key != first.run_requests[0].run_key
    outcome = run_job(library.config, "mirror_review", echo=lambda _: None)
    assert outcome.success, outcome.summary
    assert read_snapshot(library.settings, seen).rows() == [("sam", "kept_both")]
    assert read_snapshot(library.settings, decisions).rows() == [("sam", "keep_file")]
    assert read_snapshot(library.settings, queue).rows() == [("resolved", "sam")]

    after = _tick(library, changed.cursor)
    assert after.run_requests == [] and "unchanged" in after.skip_message

    # A write to the same file that the mirror does not copy (a chat) starts no run.
    ChatHistory(library.settings.app_store_path).create_session("sam")
    chatted = _tick(library, after.cursor)
    assert chatted.run_requests == [] and "No review state changed" in chatted.skip_message
    assert chatted.cursor != after.cursor  # the new stamp is remembered


def test_manual_groups_wear_their_own_badge() -> None:
    assert ui.confidence_badge("manual", 100.0) == ("Grouped by hand", "violet")
    assert ui.confidence_badge("fuzzy", 100.0) == ("High 100%", "blue")


def test_the_mirror_sensor_is_loaded_running_every_30_seconds(config_file: Path) -> None:
    load_definitions.cache_clear()
    sensor = load_definitions().resolve_sensor_def("review_state_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 30
    assert sensor.job_name == "mirror_review"
    load_definitions.cache_clear()
