"""The last guard before files move: what select_for_staging lets through."""

from __future__ import annotations

import json
from pathlib import Path

from mediavault_assets.review_store import FileDecision
from mediavault_assets.settings import Settings
from mediavault_assets.staging.approvals import select_for_staging


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        staging_root=tmp_path / "staging",
        library_roots=[{"key": "videos", "path": tmp_path / "videos"}],
        **extra,
    )


def _row(file_id: int, group_id: int = 1, **extra: object) -> dict[str, object]:
    return {
        "file_id": file_id,
        "root_key": "videos",
        "relative_path": f"f{file_id}.mkv",
        "local_path": f"/lib/f{file_id}.mkv",
        "file_size": 10,
        "mtime_ns": 1,
        "inode": file_id,
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


def _presence(*file_ids: int, group_id: int = 1) -> list[dict[str, object]]:
    return [{"group_id": group_id, "file_id": i, "present": True} for i in file_ids]


def test_approved_file_is_requested_with_decision_signature(tmp_path: Path) -> None:
    selection = select_for_staging(
        [_row(1), _row(2)], {2: _decision(2, size=99)}, _presence(1, 2), _settings(tmp_path)
    )
    [request] = selection.requests
    assert request.file_id == 2 and request.expected_size == 99  # what the person saw
    assert request.sidecars == (tmp_path / "videos" / "f2.en.srt",)
    assert "Approved by ann" in request.reason and "Kept 1080p." in request.reason


def test_never_the_last_copy_of_a_group(tmp_path: Path) -> None:
    selection = select_for_staging(
        [_row(1), _row(2)], {1: _decision(1), 2: _decision(2)}, _presence(1, 2), _settings(tmp_path)
    )
    assert selection.requests == []
    assert [why for _, why in selection.held_back] == ["would leave group 1 without any copy"] * 2


def test_rejected_staged_and_auto_approved(tmp_path: Path) -> None:
    rows = [
        _row(1),
        _row(2, auto_approved=True),
        _row(3, location="staging"),
        _row(4, auto_approved=True),
    ]
    decisions = {1: _decision(1, "keep"), 3: _decision(3), 4: _decision(4, "keep")}
    presence = [*_presence(1, 2, 4), {"group_id": 1, "file_id": 3, "present": False}]
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
