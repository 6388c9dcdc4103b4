"""The last guard before files move: what select_for_staging lets through (real files: the
keeper of a decision must be on disk, unchanged, and another physical file)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mediavault_assets.review_store import FileDecision
from mediavault_assets.settings import Settings
from mediavault_assets.staging.approvals import purge_approvals, select_for_staging


@pytest.fixture(autouse=True)
def _files(tmp_path: Path) -> None:
    for i in range(1, 8):
        path = tmp_path / "videos" / f"f{i}.mkv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * (10 + i))


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        staging_root=tmp_path / "staging",
        library_roots=[{"key": "videos", "path": tmp_path / "videos"}],
        **extra,
    )


def _facts(tmp_path: Path, file_id: int) -> dict[str, object]:
    path = tmp_path / "videos" / f"f{file_id}.mkv"
    st = os.stat(path)
    return {
        "local_path": str(path),
        "file_size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "inode": st.st_ino,
        "device": st.st_dev,
    }


def _row(tmp_path: Path, file_id: int, group_id: int | None = 1, **extra: object) -> dict:
    return {
        "file_id": file_id,
        "root_key": "videos",
        "relative_path": f"f{file_id}.mkv",
        **_facts(tmp_path, file_id),
        "sidecars": json.dumps(
            [{"relative_path": f"f{file_id}.en.srt", "kind": "subtitle", "language": "en"}]
        ),
        "media_type": "movie",
        "md5_hash": None,
        "plan_id": file_id * 10,
        "deletion_reason": "Kept 1080p.",
        "auto_approved": False,
        "group_id": group_id,
        "location": "original",
        **extra,
    }


def _decision(file_id: int, decision: str = "stage", size: int = 10) -> FileDecision:
    return FileDecision(
        file_id, 1, file_id * 10, decision, "ann", "ok", "2026-11-22T01:00:00", size, 1, file_id
    )  # type: ignore[arg-type]


def _presence(tmp_path: Path, *file_ids: int, group_id: int = 1) -> list[dict[str, object]]:
    return [
        {"group_id": group_id, "file_id": i, "present": True, **_facts(tmp_path, i)}
        for i in file_ids
    ]


def test_approved_file_is_requested_with_decision_signature(tmp_path: Path) -> None:
    selection = select_for_staging(
        [_row(tmp_path, 1), _row(tmp_path, 2)],
        {2: _decision(2, size=99)},
        _presence(tmp_path, 1, 2),
        _settings(tmp_path),
    )
    [request] = selection.requests
    assert request.file_id == 2 and request.expected_size == 99  # what the person saw
    assert request.sidecars == (tmp_path / "videos" / "f2.en.srt",)
    assert "Approved by ann" in request.reason and "Kept 1080p." in request.reason


def test_never_the_last_copy_of_a_group(tmp_path: Path) -> None:
    selection = select_for_staging(
        [_row(tmp_path, 1), _row(tmp_path, 2)],
        {1: _decision(1), 2: _decision(2)},
        _presence(tmp_path, 1, 2),
        _settings(tmp_path),
    )
    assert selection.requests == []
    assert [why for _, why in selection.held_back] == ["would leave group 1 without any copy"] * 2


def test_rejected_staged_and_auto_approved(tmp_path: Path) -> None:
    rows = [
        _row(tmp_path, 1),
        _row(tmp_path, 2, auto_approved=True),
        _row(tmp_path, 3, location="staging"),
        _row(tmp_path, 4, auto_approved=True),
    ]
    decisions = {1: _decision(1, "keep"), 3: _decision(3), 4: _decision(4, "keep")}
    presence = _presence(tmp_path, 1, 2, 3, 4)
    presence[2]["present"] = False
    off = select_for_staging(rows, decisions, presence, _settings(tmp_path))
    assert off.requests == []  # auto-approval is off by default; 3 is already staged
    on = select_for_staging(
        rows, decisions, presence, _settings(tmp_path, auto_approve_enabled=True)
    )
    assert [r.file_id for r in on.requests] == [2]  # a person's "keep" beats auto-approval
    assert on.requests[0].reason.startswith("Approved automatically.")


def test_decision_on_a_vanished_file_is_held_back(tmp_path: Path) -> None:
    selection = select_for_staging([], {7: _decision(7)}, [], _settings(tmp_path))
    assert selection.held_back == [(7, "no longer in the library inventory")]


def test_an_alias_of_the_same_file_is_no_keeper(tmp_path: Path) -> None:
    """Two inventory rows, one physical file (two mounts of a share, a hardlink): keeping one
    name and staging the other would take the title out of the library."""
    os.unlink(tmp_path / "videos" / "f2.mkv")
    os.link(tmp_path / "videos" / "f1.mkv", tmp_path / "videos" / "f2.mkv")
    selection = select_for_staging(
        [_row(tmp_path, 1), _row(tmp_path, 2)],
        {2: _decision(2)},
        _presence(tmp_path, 1, 2),
        _settings(tmp_path),
    )
    assert selection.requests == []
    assert selection.held_back == [(2, "would leave group 1 without any copy")]


@pytest.mark.parametrize("loss", ["deleted", "changed", "replaced by a symlink"])
def test_a_decision_lapses_while_its_keeper_is_not_on_disk_unchanged(
    tmp_path: Path, loss: str
) -> None:
    rows, presence = [_row(tmp_path, 1), _row(tmp_path, 2)], _presence(tmp_path, 1, 2)
    keeper = tmp_path / "videos" / "f1.mkv"
    if loss == "deleted":
        keeper.unlink()
    elif loss == "changed":
        keeper.write_bytes(b"truncated")
    else:
        keeper.unlink()
        keeper.symlink_to(tmp_path / "videos" / "f2.mkv")
    selection = select_for_staging(rows, {2: _decision(2)}, presence, _settings(tmp_path))
    assert selection.requests == []
    [(file_id, why)] = selection.held_back
    assert file_id == 2 and "on disk unchanged" in why


def test_a_decision_on_a_file_no_longer_in_any_group_lapses(tmp_path: Path) -> None:
    """The keeper left the inventory (a scan without it): the approved copy is now alone."""
    selection = select_for_staging(
        [_row(tmp_path, 2, group_id=None)], {2: _decision(2)}, [], _settings(tmp_path)
    )
    assert selection.requests == []
    assert "no longer in a duplicate group" in selection.held_back[0][1]


def test_a_file_outside_its_root_is_never_staged(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "f9.mkv"
    outside.parent.mkdir()
    outside.write_bytes(b"x" * 30)
    (tmp_path / "videos" / "f9.mkv").symlink_to(outside)
    row = {**_row(tmp_path, 2), "file_id": 9, "local_path": str(tmp_path / "videos" / "f9.mkv")}
    selection = select_for_staging(
        [_row(tmp_path, 1), row], {9: _decision(9)}, _presence(tmp_path, 1), _settings(tmp_path)
    )
    assert selection.requests == []
    assert "not a file inside its library root" in selection.held_back[0][1]


def test_purge_approvals_a_later_keep_beats_auto_approval(tmp_path: Path) -> None:
    on = _settings(tmp_path, auto_approve_enabled=True)
    decisions = {1: _decision(1), 2: _decision(2, "keep")}
    assert purge_approvals(decisions, [2, 3], on) == {1, 3}
    assert purge_approvals(decisions, [2, 3], _settings(tmp_path)) == {1}
