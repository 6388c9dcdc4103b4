import multiprocessing
import os
import shutil
import signal
import time
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from mediavault_assets.ingest.inventory import INVENTORY_SCHEMA
from mediavault_assets.warehouse import Warehouse, WarehouseBusyError


def _inventory_rows(root_key: str, names: list[str]) -> pl.DataFrame:
    now = datetime(2026, 1, 1)
    return pl.DataFrame(
        [
            {
                "file_id": hash((root_key, n)) & 0x7FFFFFFF,
                "root_key": root_key,
                "relative_path": n,
                "filepath": f"/volume1/{root_key}/{n}",
                "local_path": f"/mnt/{root_key}/{n}",
                "filename": n,
                "extension": "mkv",
                "file_size": 10,
                "mtime_ns": 1,
                "file_modified_at": now,
                "file_created_at": now,
                "device": 1,
                "inode": i,
                "link_count": 1,
                "sidecars": None,
                "first_seen_at": now,
                "scanned_at": now,
            }
            for i, n in enumerate(names)
        ],
        schema=INVENTORY_SCHEMA,
    )


def test_migrates_an_older_file_keeping_its_data(tmp_path: Path) -> None:
    warehouse = Warehouse(path=str(tmp_path / "w.duckdb"))
    assert warehouse.migrate(up_to=1) == 1
    warehouse.replace_partition("inventory_files", "videos", _inventory_rows("videos", ["a.mkv"]))
    with pytest.raises(duckdb.CatalogException):
        warehouse.frame("SELECT * FROM media_files")

    assert warehouse.migrate() >= 3
    assert warehouse.schema_version() >= 3
    files = warehouse.frame("SELECT id, filename, filepath, status FROM media_files")
    assert files.to_dicts()[0]["filepath"] == "/volume1/videos/a.mkv"
    # Idempotent: a second migrate changes nothing.
    before = warehouse.frame("SELECT * FROM schema_version ORDER BY version")
    warehouse.migrate()
    assert warehouse.frame("SELECT * FROM schema_version ORDER BY version").equals(before)


def test_seed_tables_exist_with_seed_column_names(warehouse: Warehouse) -> None:
    expected = {
        "media_files": {
            "id",
            "filename",
            "filepath",
            "file_size",
            "md5_hash",
            "duration",
            "format",
            "video_codec",
            "audio_codec",
            "resolution",
            "quality_tier",
            "hdr_type",
            "audio_channels",
            "show_name",
            "season_number",
            "episode_number",
            "release_group",
            "tmdb_id",
            "status",
            "is_duplicate",
            "duplicate_group_id",
            "quality_rank",
            "audio_languages",
            "subtitle_languages",
            "has_english_audio",
            "has_english_subtitles",
            "is_foreign_film",
            "language_detected_at",
        },
        "duplicate_groups": {
            "id",
            "group_type",
            "confidence_score",
            "show_name",
            "file_count",
            "total_size",
            "potential_savings",
            "reviewed",
            "action_taken",
            "primary_file_id",
        },
        "duplicate_members": {
            "id",
            "group_id",
            "file_id",
            "quality_rank",
            "is_primary",
            "quality_score",
            "size_rank",
            "added_at",
        },
        "pending_deletions": {
            "id",
            "file_id",
            "duplicate_group_id",
            "original_filepath",
            "temp_filepath",
            "deletion_reason",
            "deletion_category",
            "kept_file_id",
            "kept_file_quality_score",
            "deleted_file_quality_score",
            "quality_difference",
            "audio_languages",
            "subtitle_languages",
            "has_english_audio",
            "has_english_subtitles",
            "is_foreign_film",
            "decision_confidence",
            "requires_manual_review",
            "reviewed",
            "reviewed_by",
            "reviewed_at",
            "review_notes",
            "final_action",
            "deleted_permanently_at",
            "moved_to_temp_at",
            "scheduled_deletion_at",
        },
        "scan_history": {
            "id",
            "scan_type",
            "nas_paths",
            "scan_started_at",
            "scan_completed_at",
            "duration_seconds",
            "files_found",
            "files_new",
            "files_updated",
            "files_deleted",
            "errors_count",
            "error_details",
            "status",
            "triggered_by",
            "user_id",
            "created_at",
        },
        "archive_operations": {
            "id",
            "file_id",
            "duplicate_group_id",
            "operation_type",
            "source_path",
            "destination_path",
            "status",
            "started_at",
            "completed_at",
            "error_message",
            "is_reversed",
            "reversed_at",
        },
        "user_decisions": {
            "id",
            "duplicate_group_id",
            "user_id",
            "action_taken",
            "files_archived",
            "files_deleted",
            "primary_file_id",
            "notes",
            "confidence",
            "decided_at",
        },
        "nas_config": {"id", "nas_name", "nas_host", "mount_path", "scan_paths", "is_active"},
        "users": {"id", "username", "hashed_password", "is_active"},
    }
    for table, columns in expected.items():
        actual = set(warehouse.frame(f"SELECT * FROM {table} LIMIT 0").columns)
        assert columns <= actual, f"{table} lacks {columns - actual}"


def test_partition_replace_is_atomic_and_by_name(warehouse: Warehouse) -> None:
    warehouse.replace_partition(
        "inventory_files", "videos", _inventory_rows("videos", ["a.mkv", "b.mkv"])
    )
    warehouse.replace_partition("inventory_files", "docker", _inventory_rows("docker", ["c.mkv"]))

    # Columns in another order still land in the right place.
    reordered = _inventory_rows("videos", ["d.mkv"])
    reordered = reordered.select(list(reversed(reordered.columns)))
    warehouse.replace_partition("inventory_files", "videos", reordered)
    rows = warehouse.frame("SELECT root_key, filename FROM inventory_files ORDER BY filename")
    assert rows.to_dicts() == [
        {"root_key": "docker", "filename": "c.mkv"},
        {"root_key": "videos", "filename": "d.mkv"},
    ]

    # A failure mid-write (a NULL in a NOT NULL column) leaves the old partition intact.
    broken = _inventory_rows("videos", ["e.mkv", "f.mkv"]).with_columns(
        pl.when(pl.col("relative_path") == "f.mkv")
        .then(None)
        .otherwise(pl.col("filepath"))
        .alias("filepath")
    )
    with pytest.raises(duckdb.ConstraintException):
        warehouse.replace_partition("inventory_files", "videos", broken)
    rows = warehouse.frame("SELECT filename FROM inventory_files WHERE root_key = 'videos'")
    assert rows["filename"].to_list() == ["d.mkv"]


def _file_stamp(warehouse: Warehouse) -> tuple[int, int]:
    warehouse.execute("CHECKPOINT")
    stat = os.stat(warehouse.path)
    return stat.st_mtime_ns, stat.st_size


def test_a_replace_writes_only_the_rows_that_differ(warehouse: Warehouse) -> None:
    names = ["a.mkv", "b.mkv", "c.mkv", "d.mkv"]
    first = _inventory_rows("videos", names).with_columns(
        sidecars=pl.Series([None, "[]", None, '[{"x": 1}]'])
    )
    warehouse.replace_partition("inventory_files", "videos", first)
    warehouse.replace_partition("inventory_files", "docker", _inventory_rows("docker", ["z.mkv"]))
    stamp = _file_stamp(warehouse)

    # The same rows again (NULLs included): nothing is written, the file stays as it was.
    warehouse.replace_partition("inventory_files", "videos", first)
    assert _file_stamp(warehouse) == stamp

    # A rescan: b changed size, c is gone, e is new, and every row was looked at again.
    later = datetime(2026, 2, 1)
    second = pl.concat(
        [
            first.filter(pl.col("relative_path") != "c.mkv").with_columns(
                file_size=pl.when(pl.col("relative_path") == "b.mkv")
                .then(99)
                .otherwise(pl.col("file_size"))
            ),
            _inventory_rows("videos", ["e.mkv"]),
        ]
    ).with_columns(scanned_at=pl.lit(later))
    warehouse.replace_partition("inventory_files", "videos", second)
    stored = warehouse.frame(
        f"SELECT {', '.join(second.columns)} FROM inventory_files WHERE root_key = 'videos'"
    )
    assert stored.sort("relative_path").equals(second.sort("relative_path"))
    assert warehouse.frame("SELECT count(*) AS n FROM inventory_files")["n"][0] == 5
    assert _file_stamp(warehouse) != stamp


def _hold_lock(path: str, seconds: float, ready: "multiprocessing.synchronize.Event") -> None:
    con = duckdb.connect(path)
    ready.set()
    time.sleep(seconds)
    con.close()


def test_connect_waits_while_another_process_holds_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    Warehouse(path=path).migrate()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(path, 2.0, ready))
    holder.start()
    assert ready.wait(30)
    try:
        busy = Warehouse(path=path, lock_wait_seconds=0.3)
        with pytest.raises(WarehouseBusyError, match="in use by another process"), busy.connect():
            pass
        started = time.monotonic()
        with Warehouse(path=path, lock_wait_seconds=30).connect() as con:
            assert con.execute("SELECT 1").fetchone() == (1,)
        assert time.monotonic() - started > 0.2
    finally:
        holder.join(30)


def _publish_killed_while_building(warehouse_path: str) -> None:
    """A publish SIGKILLed after it wrote to its partial copy but before it checkpointed."""
    warehouse = Warehouse(path=warehouse_path)
    partial = warehouse.snapshot_path.with_name(warehouse.snapshot_path.name + ".partial")
    shutil.copyfile(warehouse_path, partial)
    con = duckdb.connect(str(partial))
    con.execute("SET checkpoint_threshold = '1GB'")  # keep the write in the WAL
    con.execute("CREATE TABLE half_built AS SELECT range AS i FROM range(1000)")
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_publish_killed_midway_leaves_nothing_the_next_publish_trips_on(
    warehouse: Warehouse,
) -> None:
    warehouse.publish_snapshot()
    child = multiprocessing.get_context("fork").Process(
        target=_publish_killed_while_building, args=(warehouse.path,)
    )
    child.start()
    child.join()
    assert child.exitcode == -signal.SIGKILL
    partial = warehouse.snapshot_path.with_name(warehouse.snapshot_path.name + ".partial")
    assert Path(f"{partial}.wal").exists()  # what the killed run left

    warehouse.publish_snapshot()

    with duckdb.connect(str(warehouse.snapshot_path), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "half_built" not in tables and "library_browser" in tables
    assert not partial.exists() and not Path(f"{partial}.wal").exists()
