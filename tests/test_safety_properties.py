"""Issue 21's property: whatever people decide, in whatever order, and whatever happens to the
disks meanwhile, every title keeps a physical copy in the library and every title that had an
English-audio copy keeps one.

Random libraries of real video files, with aliases of one file (a hardlink across roots, a file
symlink, a folder symlink into another root, and a third root that is a bind mount of the first:
one folder seen twice), go through random sequences of approve, reject, group decisions, staging
runs, restores, purges and rescans while a keeper is missing; the invariants are checked on the
file system after every step. Decisions are made the way the CLI makes them, runs are real
Dagster runs.
"""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
import yaml

from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.reviewing import (
    DecisionLosesData,
    UnknownIdError,
    approve,
    awaiting_review,
    decide,
    reject,
)
from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.snapshot import read_snapshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the bind-mounted root needs root"),
]

TITLES = [("Heat", 1995), ("Ronin", 1998), ("Alien", 1979), ("Amelie", 2001)]
SIZES = [(1920, 1080), (1280, 720), (640, 360)]
ACTIONS = ["approve", "approve", "reject", "decide", "decide", "stage", "stage", "stage"]
ACTIONS += ["restore", "purge", "vanish", "vanish"]


@dataclass
class Library:
    config: Path
    settings: Settings
    away: Path  # where a "dead disk" keeps its files meanwhile
    # title → (original path, has English audio) of each physical copy
    copies: dict[str, list[tuple[Path, bool]]] = field(default_factory=dict)


def _build(tmp_path: Path, seed: int, mirror: Path) -> Library:
    rng = random.Random(seed)
    videos, docker = tmp_path / "volume1" / "videos", tmp_path / "volume1" / "docker"
    library = Library(tmp_path / "mediavault.yaml", None, tmp_path / "away")  # type: ignore[arg-type]
    library.away.mkdir()
    for index, (title, year) in enumerate(TITLES):
        copies = []
        for n in range(rng.choice([2, 2, 3])):
            width, height = rng.choice(SIZES)
            english = n == 0 or rng.random() < 0.5
            root, folder = (videos, "Movies") if n % 2 == 0 else (docker, "downloads")
            path = root / folder / f"{title} ({year})" / f"{title}.{year}.{height}p.v{n}.mkv"
            make_video(
                path,
                VideoSpec(
                    width=width,
                    height=height,
                    seed=seed * 100 + index * 10 + n,
                    audio=(AudioSpec("aac", "eng" if english else "spa"),),
                ),
            )
            copies.append((path, english))
        library.copies[title] = copies
    # Aliases of one file: they must never count as copies of it.
    first = library.copies["Heat"][0][0]
    os.link(first, docker / "Heat.hardlink.mkv")
    (docker / "Alien.symlink.mkv").symlink_to(library.copies["Alien"][0][0])
    (docker / "Movies-link").symlink_to(videos / "Movies")
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(tmp_path / "volume1" / "duplicates_before_purge"),
        "library_roots": [
            {"key": "videos", "path": str(videos), "media_type": "movie"},
            {"key": "docker", "path": str(docker), "media_type": "movie"},
            {"key": "mirror", "path": str(mirror), "media_type": "movie"},  # = videos, mounted
        ],
        "auto_approve_enabled": seed % 2 == 1,
        "review_quality_difference": 5,
        "auto_approve_quality_difference": 10,
        "retention_days": 0,
        "allow_purge_without_retention": True,
    }
    library.config.write_text(yaml.safe_dump(config))
    library.settings = load_settings(library.config)
    return library


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Path]:
    videos = tmp_path / "volume1" / "videos"
    videos.mkdir(parents=True)
    mount_point = Path(tempfile.mkdtemp(prefix="mv-mirror-"))
    result = subprocess.run(["mount", "--bind", str(videos), str(mount_point)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {result.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)
        mount_point.rmdir()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    yield
    os.environ.pop("DAGSTER_HOME", None)


def _physical(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _violations(library: Library) -> list[str]:
    """Titles left without a physical copy, or without the English-audio copy they had. A file
    on the "dead disk" still exists: it is the owner's, just not mounted now."""
    problems = []
    for title, copies in library.copies.items():
        present = {
            p: ident
            for p, _ in copies
            if (ident := _physical(p) or _physical(library.away / p.name)) is not None
        }
        if not present:
            problems.append(f"{title}: no copy left in the library")
        english = [p for p, is_english in copies if is_english]
        if english and not any(p in present for p in english):
            problems.append(f"{title}: no English-audio copy left")
    return problems


def _step(library: Library, action: str, rng: random.Random) -> str:
    settings, config = library.settings, library.config
    if action in ("approve", "reject"):
        rows = awaiting_review(settings)
        if rows.height == 0:
            return f"{action}: nothing awaits review"
        row = rows.row(rng.randrange(rows.height), named=True)
        (approve if action == "approve" else reject)(settings, [row["plan_id"]], "prop")
        return f"{action} {row['file']}"
    if action == "decide":
        members = read_snapshot(
            settings,
            "SELECT m.group_id, m.file_id FROM duplicate_members AS m "
            "LEFT JOIN file_locations AS l USING (file_id) "
            "WHERE coalesce(l.location, 'original') = 'original'",
        )
        if members.height == 0:
            return "decide: no group"
        group = members["group_id"][rng.randrange(members.height)]
        ids = members.filter(pl.col("group_id") == group)["file_id"].to_list()
        keep = rng.choice(ids)
        try:
            decide(settings, group, "keep_one", "prop", keep_file_id=keep)
        except DecisionLosesData as refusal:
            return f"decide {group} keep {keep}: refused ({refusal.losses[0]})"
        except UnknownIdError as error:
            return f"decide {group}: {error}"
        return f"decide {group} keep {keep}"
    if action == "stage":
        return f"stage: {run_job(config, 'stage_approved').output['counts']}"
    if action == "purge":
        return f"purge: {run_job(config, 'purge_staged').output['counts']}"
    if action == "restore":
        staged = read_snapshot(
            settings, "SELECT file_id FROM file_locations WHERE location = 'staging'"
        )["file_id"].to_list()
        if not staged:
            return "restore: nothing staged"
        chosen = rng.sample(staged, k=rng.randint(1, len(staged)))
        op = {"restore_files": {"file_ids": chosen, "restored_by": "prop"}}
        return f"restore: {run_job(config, 'restore_staged', op_config=op).output['counts']}"
    # A disk dies with a copy on it: rescan and stage while it is gone, then it comes back.
    candidates = [p for copies in library.copies.values() for p, _ in copies if p.exists()]
    victim = rng.choice(candidates)
    shutil.move(victim, library.away / victim.name)
    refresh(settings, config, echo=lambda _: None)
    staged = run_job(config, "stage_approved").output["counts"]
    problems = _violations(library)
    shutil.move(library.away / victim.name, victim)
    refresh(settings, config, echo=lambda _: None)
    return f"vanish {victim.name}: stage {staged}" + (f" VIOLATED {problems}" if problems else "")


@pytest.mark.parametrize("seed", [1, 2])
def test_no_sequence_of_decisions_loses_a_title(
    tmp_path: Path, mirror: Path, home: None, seed: int
) -> None:
    library = _build(tmp_path, seed, mirror)
    assert all(o.success for o in refresh(library.settings, library.config, echo=lambda _: None))
    rng = random.Random(seed)
    log = []
    for _ in range(16):
        log.append(_step(library, rng.choice(ACTIONS), rng))
        problems = _violations(library)
        assert "VIOLATED" not in log[-1] and not problems, "\n".join([*log, *problems])
    # Whatever the sequence, something was decided and moved.
    assert any("approve" in line or "decide" in line for line in log), log
