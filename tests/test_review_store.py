"""The review store: decisions survive concurrency, and work while Dagster writes the warehouse."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from mediavault_assets.review_store import FileSignature, ReviewStore
from mediavault_assets.settings import ReviewUser
from mediavault_assets.user_store import UserStore
from mediavault_assets.warehouse import Warehouse, snapshot_path_for
from tests.conftest import Refreshed

ROOT = Path(__file__).resolve().parent.parent


def _sig(file_id: int, group_id: int = 7) -> FileSignature:
    return FileSignature(
        file_id, group_id, file_id * 10, size=100 + file_id, mtime_ns=5, inode=file_id
    )


def test_approve_reject_and_group_decisions(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "review.sqlite")
    store.approve([_sig(1), _sig(2)], reviewer="ann", notes="worse copies")
    store.reject([_sig(2)], reviewer="bob")
    decisions = store.decisions()
    assert decisions[1].decision == "stage" and decisions[1].reviewer == "ann"
    assert decisions[2].decision == "keep" and decisions[2].reviewer == "bob"
    assert decisions[1].size == 101 and decisions[1].inode == 1

    members = [_sig(3, 9), _sig(4, 9), _sig(5, 9)]
    store.decide_group(9, members, "keep_one", reviewer="ann", keep_file_id=4)
    decisions = store.decisions()
    assert [decisions[i].decision for i in (3, 4, 5)] == ["stage", "keep", "stage"]
    store.decide_group(9, members, "not_duplicate", reviewer="ann")
    assert {
        decisions.decision for decisions in store.decisions().values() if decisions.group_id == 9
    } == {"keep"}
    assert store.not_duplicate_groups() == {9}
    groups = [d for d in store.user_decisions() if d["file_id"] is None]
    assert [d["action_taken"] for d in groups] == ["archive_file", "mark_not_duplicate"]
    assert groups[0]["files_archived"] == [3, 5]
    with pytest.raises(ValueError, match="not a member"):
        store.decide_group(9, members, "keep_one", reviewer="ann", keep_file_id=99)
    store.keep_restored([_sig(1)], reviewer="cy")
    assert store.decisions()[1].decision == "keep" and store.decisions()[1].reviewer == "cy"


def _approve_many(path: str, start: int, count: int) -> None:
    store = ReviewStore(Path(path))
    for i in range(start, start + count):
        store.approve([_sig(i)], reviewer=f"w{start}")


def test_concurrent_writers_lose_no_decision(tmp_path: Path) -> None:
    path = str(tmp_path / "review.sqlite")
    ReviewStore(Path(path))
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_approve_many, args=(path, i * 1000, 40)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(ReviewStore(Path(path)).decisions()) == 160


def _keep_writing(warehouse_path: str, stop: multiprocessing.synchronize.Event, cycles) -> None:  # type: ignore[no-untyped-def]
    """A stand-in for Dagster runs: hold the warehouse for writes, publish snapshots, repeat."""
    warehouse = Warehouse(path=warehouse_path)
    deadline = time.monotonic() + 300
    while not stop.is_set() and time.monotonic() < deadline:
        with warehouse.transaction() as con:
            con.execute("UPDATE scan_history SET errors_count = errors_count WHERE true")
            time.sleep(0.2)
        warehouse.publish_snapshot()
        cycles.value += 1


def test_decisions_while_the_warehouse_is_being_written(
    refreshed_demo: Refreshed, tmp_path: Path
) -> None:
    # A private copy of the demo warehouse, so the shared fixture stays untouched.
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed_demo.settings.warehouse_path, warehouse)
    shutil.copyfile(
        snapshot_path_for(refreshed_demo.settings.warehouse_path), snapshot_path_for(warehouse)
    )
    config = yaml.safe_load((refreshed_demo.library.parent / "mediavault.yaml").read_text())
    config.update(warehouse_path=str(warehouse), app_store_path=str(tmp_path / "review.sqlite"))
    config_file = tmp_path / "mediavault.yaml"
    config_file.write_text(yaml.safe_dump(config))
    env = {"MEDIAVAULT_CONFIG": str(config_file), "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mediavault_assets.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )

    listed = cli("decisions", "--json")
    assert listed.returncode == 0, listed.stderr
    plan = json.loads(listed.stdout)
    assert len(plan) >= 4

    ctx = multiprocessing.get_context("spawn")
    stop, cycles = ctx.Event(), ctx.Value("i", 0)
    writer = ctx.Process(target=_keep_writing, args=(str(warehouse), stop, cycles))
    writer.start()
    try:
        while cycles.value < 1:  # the writer holds the warehouse before the first decision
            time.sleep(0.05)
        results = [cli("approve", str(row["plan_id"]), "--reviewer", "ann") for row in plan[:2]]
        results.append(cli("reject", str(plan[2]["plan_id"]), "--reviewer", "bob"))
        results.append(cli("decisions", "--json"))
        overlapped = cycles.value
    finally:
        stop.set()
        writer.join(60)
    assert writer.exitcode == 0
    assert overlapped >= 3, "the warehouse was written all along while decisions were made"
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "lock" not in (result.stderr + result.stdout).lower()
    decisions = ReviewStore(tmp_path / "review.sqlite").decisions()
    by_plan = {d.plan_id: d.decision for d in decisions.values()}
    assert by_plan == {
        plan[0]["plan_id"]: "stage",
        plan[1]["plan_id"]: "stage",
        plan[2]["plan_id"]: "keep",
    }
    remaining = json.loads(results[-1].stdout)
    assert {r["plan_id"] for r in remaining} == {r["plan_id"] for r in plan[3:]}


def test_cli_refuses_unknown_ids(refreshed_demo: Refreshed, tmp_path: Path) -> None:
    config = yaml.safe_load((refreshed_demo.library.parent / "mediavault.yaml").read_text())
    config["app_store_path"] = str(tmp_path / "review.sqlite")
    config_file = tmp_path / "mediavault.yaml"
    config_file.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "mediavault_assets.cli", "approve", "12345"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"MEDIAVAULT_CONFIG": str(config_file), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "not in the current plan" in result.stderr and "12345" in result.stderr
    members = refreshed_demo.query("SELECT group_id FROM duplicate_members LIMIT 1")["group_id"][0]
    result = subprocess.run(
        [sys.executable, "-m", "mediavault_assets.cli", "decide", str(members), "--keep", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"MEDIAVAULT_CONFIG": str(config_file), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2 and "is not in group" in result.stderr
    assert not pl.DataFrame(list(ReviewStore(tmp_path / "review.sqlite").decisions())).height


def test_cli_decide_asks_before_staging_the_only_english_audio_copy(
    refreshed_demo: Refreshed, tmp_path: Path
) -> None:
    config = yaml.safe_load((refreshed_demo.library.parent / "mediavault.yaml").read_text())
    config["app_store_path"] = str(tmp_path / "review.sqlite")
    config_file = tmp_path / "mediavault.yaml"
    config_file.write_text(yaml.safe_dump(config))
    members = refreshed_demo.query(
        "SELECT m.group_id, m.file_id, f.has_english_audio FROM duplicate_members AS m "
        "JOIN duplicate_groups AS g ON g.id = m.group_id "
        "JOIN media_files AS f ON f.id = m.file_id WHERE g.show_name = 'The Matrix'"
    )
    group = members["group_id"][0]
    dub = members.filter(~pl.col("has_english_audio"))["file_id"][0]

    def decide(*extra: str) -> subprocess.CompletedProcess[str]:
        command = ["decide", str(group), "--keep", str(dub), *extra]
        return subprocess.run(
            [sys.executable, "-m", "mediavault_assets.cli", *command],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"MEDIAVAULT_CONFIG": str(config_file), "PATH": "/usr/bin:/bin"},
        )

    refused = decide()
    assert refused.returncode == 2, refused.stderr
    assert "The only English-audio copy would be staged" in refused.stderr
    assert "--accept-loss" in refused.stderr
    assert ReviewStore(tmp_path / "review.sqlite").decisions() == {}
    accepted = decide("--accept-loss")
    assert accepted.returncode == 0, accepted.stderr
    decisions = ReviewStore(tmp_path / "review.sqlite").decisions()
    assert decisions[dub].decision == "keep" and len(decisions) == members.height


def test_manual_tmdb_matches_are_set_replaced_and_cleared(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "review.sqlite")
    store.set_tmdb_match("tv|doctor who|", 57243, reviewer="ann")
    store.set_tmdb_match("tv|doctor who|", 121, reviewer="bob")
    store.set_tmdb_match("movie|the thing|", 1091, reviewer="ann")
    assert ReviewStore(tmp_path / "review.sqlite").manual_tmdb_matches() == {
        "tv|doctor who|": 121,
        "movie|the thing|": 1091,
    }
    with pytest.raises(ValueError):
        store.set_tmdb_match("movie|x|", 0, reviewer="ann")
    store.clear_tmdb_match("movie|the thing|")
    assert store.manual_tmdb_matches() == {"tv|doctor who|": 121}


def test_every_approve_and_reject_is_a_user_decision_with_the_users_id(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "review.sqlite")
    users.sync_settings_users([ReviewUser(username="ann", password_hash=HASH)])
    ann = users.user("ann")
    assert ann is not None
    store = ReviewStore(tmp_path / "review.sqlite")
    store.approve(
        [_sig(1), _sig(2, group_id=None)], reviewer="ann", notes="worse", confidence="uncertain"
    )
    store.reject([_sig(3)], reviewer="nobody-known", confidence="needs_review")
    store.decide_group(9, [_sig(4, 9), _sig(5, 9)], "keep_one", reviewer="ann", keep_file_id=4)
    rows = store.user_decisions()
    assert [(r["file_id"], r["action_taken"], r["user_id"]) for r in rows] == [
        (1, "archive_file", ann.id),
        (2, "archive_file", ann.id),
        (3, "keep_file", None),  # a name without a user (the CLI's --reviewer) has no id
        (None, "archive_file", ann.id),  # the group decision
    ]
    assert rows[0]["confidence"] == "uncertain" and rows[0]["notes"] == "worse"
    assert rows[0]["plan_id"] == 10 and rows[1]["duplicate_group_id"] is None
    assert rows[0]["files_archived"] == [1] and rows[2]["files_archived"] == []
    assert rows[3]["confidence"] == "certain" and rows[3]["files_archived"] == [5]


def test_a_store_from_before_row_decisions_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE user_decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "duplicate_group_id INTEGER NOT NULL, user_id INTEGER, reviewer TEXT NOT NULL, "
            "action_taken TEXT NOT NULL, files_archived TEXT NOT NULL DEFAULT '[]', "
            "files_deleted TEXT NOT NULL DEFAULT '[]', primary_file_id INTEGER, notes TEXT, "
            "confidence TEXT, decided_at TEXT NOT NULL)"
        )
        con.execute(
            "INSERT INTO user_decisions (duplicate_group_id, reviewer, action_taken, decided_at) "
            "VALUES (9, 'ann', 'keep_all', '2026-01-01T00:00:00')"
        )
    store = ReviewStore(path)
    store.approve([_sig(1, group_id=None)], reviewer="ann")
    rows = store.user_decisions()
    assert [(r["duplicate_group_id"], r["action_taken"]) for r in rows] == [
        (9, "keep_all"),
        (None, "archive_file"),
    ]


HASH = "pbkdf2_sha256$1000$" + "00" * 16 + "$" + "11" * 32


def test_settings_users_sync_and_app_users_and_the_local_admin(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "review.sqlite")
    users.sync_settings_users(
        [
            ReviewUser(username="ann", password_hash=HASH, admin=True),
            ReviewUser(username="bob", password_hash=HASH),
        ]
    )
    assert [(u.username, u.is_admin, u.source) for u in users.users()] == [
        ("ann", True, "settings"),
        ("bob", False, "settings"),
    ]
    cy = users.create_user("cy", HASH, admin=False)
    with pytest.raises(ValueError, match="exists already"):
        users.create_user("cy", HASH, admin=True)
    with pytest.raises(ValueError, match="1 to 64"):
        users.create_user("", HASH, admin=True)
    users.set_user("cy", admin=True)
    assert users.user("cy") == replace(cy, is_admin=True)
    with pytest.raises(ValueError, match="settings file"):
        users.set_user("ann", admin=False)
    # bob leaves the settings file: he can no longer sign in, but his id stays (decisions).
    users.sync_settings_users([ReviewUser(username="ann", password_hash=HASH, admin=True)])
    assert [u.username for u in users.sign_in_users()] == ["ann", "cy"]
    assert users.user_ids()["bob"] == 2
    local = users.ensure_local_user("owner")
    assert local.is_admin and local.source == "local" and users.ensure_local_user("owner") == local
    assert "owner" not in [u.username for u in users.sign_in_users()]  # no password: no sign-in
    assert all("hashed_password" not in row for row in users.user_rows())


def test_sessions_record_each_sign_in_and_sign_out_revokes(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "review.sqlite")
    users.sync_settings_users([ReviewUser(username="ann", password_hash=HASH)])
    jti = users.start_session(
        "ann", ttl_seconds=3600, ip_address="192.0.2.7", user_agent="Firefox/140"
    )
    other = users.start_session("ann", ttl_seconds=3600)
    assert users.session_user(jti) == "ann"
    [row, _] = users.sessions()
    assert row["user_id"] == users.user_ids()["ann"] and row["ip_address"] == "192.0.2.7"
    assert row["user_agent"] == "Firefox/140" and row["revoked"] == 0
    assert row["token_hash"] != jti and row["expires_at"] > row["created_at"]
    users.end_session(jti)
    assert users.session_user(jti) is None and users.session_user(other) == "ann"
    assert users.sessions()[0]["revoked"] == 1 and users.sessions()[0]["revoked_at"]
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=2)
    assert users.session_user(other, at=later) is None  # expired
    users.extend_session(other, later + timedelta(hours=1))
    assert users.session_user(other, at=later) == "ann"
    users.sync_settings_users([])  # ann removed from the settings: her sessions end
    assert users.session_user(other) is None
    with pytest.raises(ValueError, match="no user"):
        users.start_session("eve", ttl_seconds=60)
