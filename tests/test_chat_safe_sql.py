"""The chat's SQL sandbox: one SELECT over the chat views and the seeds' own tables, read-only,
no files, capped, timed."""

from __future__ import annotations

import hashlib
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from mediavault_assets import sql_sandbox
from mediavault_assets.chat.safe_sql import (
    SafeSql,
    SqlFailed,
    SqlRefused,
    SqlTimeout,
    chat_views,
    seed_tables,
    single_select,
)
from mediavault_assets.snapshot import DataUnavailable
from mediavault_assets.warehouse import Warehouse

VIEWS = sorted(chat_views())
SEEDS_DIR = Path("/work/shared/seeds")  # the user's planning documents (DESIGN.md)
# Seed 004's review_queue, which issue 18 adds (ids as this warehouse has them).
REVIEW_QUEUE_DDL = """
CREATE TABLE review_queue (
    id BIGINT PRIMARY KEY,
    asset_id BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    confidence FLOAT NOT NULL,
    status VARCHAR DEFAULT 'pending' NOT NULL,
    created_at TIMESTAMP DEFAULT current_timestamp,
    resolved_at TIMESTAMP
)
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """One migrated warehouse for the module: these tests assert that nothing changes it."""
    built = Warehouse(path=str(tmp_path_factory.mktemp("chat_sql") / "warehouse.duckdb"))
    built.migrate()
    built.execute(
        "INSERT INTO scan_history (id, root_key, scan_started_at, status) "
        "VALUES (1, 'videos', now(), 'completed')"
    )
    built.publish_snapshot()
    return built


@pytest.fixture(scope="module")
def snapshot(warehouse: Warehouse) -> Path:
    return warehouse.snapshot_path


@pytest.fixture
def sandbox(snapshot: Path) -> SafeSql:
    return SafeSql(snapshot)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("", "the query is empty"),
        ("  -- nothing\n", "the query is empty"),
        ("SELECT 1; SELECT 2", "exactly one statement is allowed, got 2"),
        ("SELECT 1; DROP TABLE media_files", "exactly one statement is allowed, got 2"),
        ("DROP TABLE media_files", "DROP statement: writing is not allowed"),
        ("DELETE FROM pending_deletions", "DELETE statement: writing is not allowed"),
        ("UPDATE media_files SET file_size = 0", "UPDATE statement: writing is not allowed"),
        ("INSERT INTO scan_history VALUES (1)", "INSERT statement: writing is not allowed"),
        ("CREATE TABLE x AS SELECT 1", "CREATE statement: writing is not allowed"),
        ("ALTER TABLE media_files ADD COLUMN x INT", "ALTER statement: writing is not allowed"),
        ("ATTACH '/etc/passwd' AS p", "attaching other databases is not allowed"),
        ("ATTACH ':memory:' AS scratch", "attaching other databases is not allowed"),
        ("DETACH warehouse", "detaching databases is not allowed"),
        ("COPY media_files TO '/tmp/out.csv'", "COPY reads or writes files"),
        ("COPY media_files FROM '/etc/passwd'", "COPY reads or writes files"),
        ("EXPORT DATABASE '/tmp/dump'", "EXPORT writes files"),
        ("PRAGMA database_list", "PRAGMA statements are not allowed"),
        ("SET enable_external_access = true", "SET/RESET (changing settings)"),
        ("RESET threads", "SET/RESET (changing settings)"),
        ("INSTALL httpfs", "extensions is not allowed"),
        ("LOAD httpfs", "extensions is not allowed"),
        ("CALL pragma_version()", "CALL is not allowed"),
        ("BEGIN TRANSACTION", "TRANSACTION statement: it is not a SELECT"),
        ("SELEC 1", "could not be parsed"),
    ],
)
def test_statement_level_refusals(sql: str, message: str) -> None:
    with pytest.raises(SqlRefused, match=r"^Refused: ") as refused:
        single_select(sql)
    assert message in str(refused.value)


def test_a_single_select_passes_unchanged() -> None:
    assert single_select("  SELECT 1 AS one;  ") == "SELECT 1 AS one"
    assert single_select("WITH t AS (SELECT 1) FROM t") == "WITH t AS (SELECT 1) FROM t"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM read_text('/etc/passwd')", "reading files is not allowed"),
        ("SELECT * FROM read_csv('/etc/passwd')", "reading files is not allowed"),
        ("SELECT * FROM read_parquet('x.parquet')", "reading files is not allowed"),
        ("SELECT * FROM glob('/*')", "reading files is not allowed"),
        ("SELECT * FROM '/etc/passwd'", "chat views can be queried, not '/etc/passwd'"),
        ("SELECT * FROM query('SELECT 1')", "table function query() is not allowed"),
        ("SELECT * FROM duckdb_settings()", "table function duckdb_settings() is not allowed"),
        ("SELECT * FROM inventory_files", "chat views can be queried, not 'inventory_files'"),
        ("SELECT * FROM tmdb_cache", "not 'tmdb_cache'"),
        # Seed tables with credentials stay out although the warehouse holds them.
        ("SELECT username, hashed_password FROM users", "not 'users'"),
        ("SELECT * FROM warehouse.main.users", "not 'users'"),
        ("SELECT * FROM nas_config", "not 'nas_config'"),
        # Seed tables only where they are: not under another catalog or schema.
        ("SELECT * FROM temp.main.media_files", "not 'media_files'"),
        ("SELECT * FROM warehouse.information_schema.media_files", "not 'media_files'"),
        ("SELECT * FROM warehouse.main.chat_media_files", "not 'chat_media_files'"),
        ("SELECT * FROM information_schema.tables", "not 'tables'"),
        (
            "SELECT * FROM media_files WHERE id IN (SELECT file_id FROM file_hashes)",
            "not 'file_hashes'",
        ),
        ("SELECT * FROM media_files, read_csv('/etc/passwd')", "reading files is not allowed"),
        ("SELECT * FROM pragma_table_info('media_files')", "table function pragma_table_info()"),
        (
            "WITH pending_deletions AS (SELECT * FROM tmdb_cache) SELECT * FROM pending_deletions",
            "a CTE may not reuse the name of a table (pending_deletions)",
        ),
        (
            "WITH x AS (SELECT * FROM inventory_files) SELECT * FROM x",
            "not 'inventory_files'",
        ),
        (
            "WITH media_files AS (SELECT 1) SELECT * FROM media_files",
            "a CTE may not reuse the name of a table (media_files)",
        ),
        ("SHOW TABLES", "SHOW lists database internals"),
        ("DESCRIBE users", "not 'users'"),
    ],
)
def test_relation_level_refusals(sandbox: SafeSql, sql: str, message: str) -> None:
    with pytest.raises(SqlRefused, match=r"^Refused: ") as refused:
        sandbox.run(sql)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO media_genres VALUES (1, 2, 1.0)",
        "UPDATE pending_deletions SET requires_manual_review = false",
        "DELETE FROM media_files",
        "DROP VIEW media_files",
        "CREATE OR REPLACE VIEW media_files AS SELECT 1",
        "ALTER TABLE media_genres RENAME TO g",
        "COPY media_genres TO '/tmp/mediavault-genres.csv'",
        "COPY pending_deletions FROM '/etc/passwd'",
        "COPY (SELECT * FROM media_files) TO '/tmp/mediavault-files.parquet'",
        "ATTACH '/tmp/mediavault-other.duckdb' AS media_files",
        "PRAGMA table_info('media_files')",
        "SET threads = 64",
        "SELECT count(*) FROM media_files; DELETE FROM pending_deletions",
        "SELECT * FROM media_genres; SELECT * FROM people",
        "CHECKPOINT",
    ],
)
def test_the_seed_tables_are_read_only_too(sandbox: SafeSql, sql: str) -> None:
    with pytest.raises(SqlRefused, match=r"^Refused: "):
        sandbox.run(sql)


def test_refusals_name_what_can_be_read(sandbox: SafeSql) -> None:
    with pytest.raises(SqlRefused) as refused:
        sandbox.run("SELECT * FROM inventory_files")
    available = str(refused.value).split("Available: ")[1].rstrip(".").split(", ")
    assert set(VIEWS) <= set(available)
    assert {"media_files", "pending_deletions", "media_genres", "people"} <= set(available)
    assert not {"users", "nas_config", "inventory_files", "tmdb_cache"} & set(available)


def test_the_seed_table_list_is_the_seeds_own() -> None:
    """sql/chat/seed_tables.txt names every table the seeds define, with the seed defining it."""
    if not SEEDS_DIR.is_dir():
        pytest.skip("the seeds are not on this machine")
    defined: dict[str, str] = {}
    for path in sorted(SEEDS_DIR.glob("00[0-4]_*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"(?im)^CREATE TABLE ([a-z_]+)", text):
            defined.setdefault(name.lower(), path.name[:3])
    listed = [
        line.split()[:2]
        for line in (sql_sandbox.CHAT_SQL_DIR / "seed_tables.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert dict(listed) == defined and len(listed) == len(defined)
    private = set(defined) - set(seed_tables())
    assert private == {"users", "sessions", "nas_config", "chat_sessions", "chat_messages"}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) AS n FROM chat_media_files WHERE status = 'active'",
        "SELECT root_key, status FROM chat_scan_history",
        "WITH recent AS (SELECT * FROM chat_scan_history) SELECT count(*) FROM recent",
        "SELECT * FROM chat_pending_deletions p JOIN chat_media_files f ON f.id = p.file_id",
        "SELECT * FROM temp.main.chat_keep_notes",
        # Seed 000's own examples and the seeds' tables by their names.
        "SELECT count(*) FROM media_files",
        "SELECT f.filename, d.deletion_reason FROM pending_deletions d "
        "JOIN media_files f ON f.id = d.file_id WHERE d.requires_manual_review",
        "SELECT g.name, count(*) FROM media_genres mg JOIN genres g ON g.id = mg.genre_id "
        "GROUP BY g.name",
        "SELECT * FROM warehouse.main.media_files",
        "SELECT * FROM main.duplicate_groups",
        "SELECT title, tmdb_rating FROM media",
        "SELECT p.name FROM people p JOIN media_credits c ON c.person_id = p.id",
        "SELECT keyword FROM media_keywords",
        "DESCRIBE media_files",
        "SELECT range AS n FROM range(3)",
        "DESCRIBE chat_duplicate_groups",
        "FROM chat_duplicate_members",
    ],
)
def test_selects_over_the_chat_views_run(sandbox: SafeSql, sql: str) -> None:
    result = sandbox.run(sql)
    assert result.columns and not result.truncated


def test_every_chat_view_exists_with_seed_columns(sandbox: SafeSql) -> None:
    schema = {view: [c for c, _ in columns] for view, columns in sandbox.schema().items()}
    assert list(schema)[: len(VIEWS)] == VIEWS  # the curated views first
    held = {"media_files", "pending_deletions", "media_genres", "genres", "people", "media"}
    assert held <= set(schema) <= set(VIEWS) | set(seed_tables())
    assert "users" not in schema and "user_reviews" in schema
    assert {"media_id", "genre_id"} <= set(schema["media_genres"])
    assert {"filename", "file_size", "media_type", "quality_tier", "status", "show_name"} <= set(
        schema["chat_media_files"]
    )
    assert {"deletion_reason", "requires_manual_review", "quality_difference"} <= set(
        schema["chat_pending_deletions"]
    )


def test_a_seed_table_the_warehouse_gains_becomes_queryable(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """No code change when issue 18's review_queue lands: seed names ∩ what the snapshot holds."""
    newer = Warehouse(path=str(tmp_path_factory.mktemp("chat_sql_newer") / "warehouse.duckdb"))
    newer.migrate()
    # As a warehouse before migration 011 (issue 18) would hold it: the table comes later.
    newer.execute("DROP TABLE review_queue")
    newer.publish_snapshot()
    with pytest.raises(SqlRefused, match="not 'review_queue'"):
        SafeSql(newer.snapshot_path).run("SELECT * FROM review_queue")
    newer.execute(REVIEW_QUEUE_DDL)
    newer.execute(
        "INSERT INTO review_queue (id, asset_id, reason, confidence) VALUES (1, 7, 'x', 0.5)"
    )
    newer.publish_snapshot()
    sandbox = SafeSql(newer.snapshot_path)
    assert sandbox.run("SELECT asset_id, confidence FROM review_queue").rows == [(7, 0.5)]
    assert [c for c, _ in sandbox.schema()["review_queue"]][:3] == ["id", "asset_id", "reason"]
    with pytest.raises(SqlRefused):
        sandbox.run("DELETE FROM review_queue")
    assert sandbox.run("SELECT count(*) FROM review_queue").rows == [(1,)]


def test_rows_are_capped(snapshot: Path) -> None:
    result = SafeSql(snapshot, row_cap=10).run("SELECT range FROM range(1000000)")
    assert [row[0] for row in result.rows] == list(range(10))
    assert result.truncated


def test_a_long_query_is_interrupted(snapshot: Path) -> None:
    started = time.monotonic()
    with pytest.raises(SqlTimeout, match=r"ran longer than 0\.3 s"):
        SafeSql(snapshot, timeout_s=0.3).run(
            "SELECT count(*) FROM range(10000000000) a, range(10) b"
        )
    assert time.monotonic() - started < 5


def test_engine_errors_come_back_as_messages(sandbox: SafeSql) -> None:
    with pytest.raises(SqlFailed, match="nosuch"):
        sandbox.run("SELECT nosuch FROM chat_media_files")
    run = sandbox.attempt("query_library", "SELECT nosuch FROM chat_media_files")
    assert run.result is None and run.error and "nosuch" in run.error


def test_parameters_are_bound_not_spliced(sandbox: SafeSql) -> None:
    hostile = "x'; DROP TABLE media_files; --"
    result = sandbox.run("SELECT $t AS t", {"t": hostile})
    assert result.rows == [(hostile,)]


def test_nothing_changes_the_snapshot_or_the_warehouse(
    sandbox: SafeSql, snapshot: Path, warehouse: Warehouse, tmp_path: Path
) -> None:
    before = (_digest(snapshot), _digest(Path(warehouse.path)))
    target = tmp_path / "leak.csv"
    for sql in [
        "DROP TABLE media_files",
        f"COPY (SELECT 1) TO '{target}'",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        "SELECT 1; DELETE FROM scan_history",
        "SELECT * FROM read_text('/etc/passwd')",
        "DELETE FROM scan_history",
        "UPDATE media_genres SET weight = 0",
        f"COPY scan_history TO '{target}'",
        "SELECT * FROM scan_history; DROP TABLE scan_history",
        "SET enable_external_access = true",
        "PRAGMA enable_checkpoint_on_shutdown",
    ]:
        assert sandbox.attempt("query_library", sql).error
    assert (_digest(snapshot), _digest(Path(warehouse.path))) == before
    assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    assert warehouse.frame("SELECT count(*) AS n FROM scan_history")["n"][0] == 1


def test_the_sandbox_connection_itself_denies_files_writes_and_settings(sandbox: SafeSql) -> None:
    """Defence in depth: what the checks refuse, the engine refuses too."""
    with sql_sandbox.sandbox(sandbox.snapshot) as con:
        for sql in [
            "SELECT * FROM read_text('/etc/passwd')",
            "ATTACH '/tmp/mediavault-chat-test.duckdb' AS x",
            "COPY (SELECT 1) TO '/tmp/mediavault-chat-test.csv'",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "CREATE TABLE warehouse.main.x (a INTEGER)",
            "LOAD httpfs",
        ]:
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN ("
                "'enable_external_access', 'lock_configuration', "
                "'autoload_known_extensions', 'autoinstall_known_extensions')"
            ).fetchall()
        )
        databases = dict(
            con.execute("SELECT database_name, readonly FROM duckdb_databases()").fetchall()
        )
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
    }
    assert databases["warehouse"] is True


def test_the_app_can_read_the_snapshot_while_a_chat_query_runs(snapshot: Path) -> None:
    """The sandbox ATTACHes the snapshot, so the app's plain read-only connections still open
    (DuckDB refuses a second connect() to one file with a different configuration)."""
    slow = SafeSql(snapshot, timeout_s=0.8)
    thread = threading.Thread(
        target=slow.attempt, args=("query_library", "SELECT count(*) FROM range(3000000000)")
    )
    thread.start()
    time.sleep(0.2)
    try:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM scan_history").fetchall() == [(1,)]
    finally:
        thread.join()


def test_no_snapshot_yet(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailable, match="mediavault refresh"):
        SafeSql(tmp_path / "missing.snapshot.duckdb").run("SELECT 1")


_HUGE = """
import resource, sys
from mediavault_assets.chat.safe_sql import SafeSql, SqlError
try:
    SafeSql(sys.argv[1]).run("SELECT length(repeat('x', 1000000000)) AS n")
    print("ran")
except SqlError as error:
    print("refused:", error)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _at_most_4_gb() -> None:  # should the sandbox fail, the test must not take the machine
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def test_a_huge_string_is_refused_without_growing_the_callers_memory(snapshot: Path) -> None:
    """A prompt-injected file name can ask for a gigabyte string: DuckDB's memory_limit does not
    cover it. Measured in a subprocess, whose peak memory is the app's."""
    done = subprocess.run(
        [sys.executable, "-c", _HUGE, str(snapshot)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_at_most_4_gb,
    )
    assert done.returncode == 0, done.stderr
    outcome, peak_mb = done.stdout.strip().splitlines()
    assert outcome.startswith("refused:") and "memory" in outcome, outcome
    assert int(peak_mb) < 500, f"the caller grew to {peak_mb} MB"
