"""The review app's pages under AppTest, on the refreshed demo library (and on broken data).

Each test gets its own settings file: the demo's snapshot (read-only) with its own review store
and cache in tmp_path, so decisions made here never leak into other tests. Dagster is a fake
GraphQL server on 127.0.0.1 (FakeDagster) or a closed port.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import yaml
from graphql import parse, validate
from staging_helpers import new_journal, request_for, write_file
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from mediavault_assets.orchestration import prepare_dagster_home, run_job
from mediavault_assets.presentation import plain
from mediavault_assets.progress import progress_line
from mediavault_assets.review_store import FileSignature, ReviewStore
from mediavault_assets.settings import ReviewUser, SettingsError, load_settings
from mediavault_assets.staging.engine import StageRequest, stage
from mediavault_assets.staging.review_state import apply_review_state
from mediavault_assets.user_store import UserStore
from mediavault_assets.warehouse import Warehouse, build_snapshot_tables, snapshot_path_for
from mediavault_ui import auth, comparison, dagster_api, media, queries, review, status, ui
from mediavault_ui.data import Library

MAIN = Path(__file__).resolve().parents[1] / "mediavault_ui" / "shell" / "main.py"
PAGES = [
    "dashboard",
    "library",
    "matches",
    "duplicates",
    "compare",
    "review",
    "scans",
    "settings",
    "watching",
    "title",
]


# ---------------------------------------------------------------------------------------------
# Helpers shared with test_video_route.py and test_ui_browser.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ui_settings(
    tmp_path: Path, demo: Any, *, warehouse: Path | None = None, **overrides: object
) -> Path:
    """A settings file reading the demo's snapshot (or `warehouse`'s) with its own review store,
    cache and a Dagster URL nobody answers (unless overridden)."""
    s = demo.settings
    data: dict[str, object] = {
        "warehouse_path": str(warehouse or s.warehouse_path),
        "app_store_path": str(tmp_path / "review.sqlite"),
        "cache_dir": str(tmp_path / "cache"),
        "staging_root": str(s.staging_root),
        "library_roots": [
            {"key": r.key, "path": str(r.path), "media_type": r.media_type, "nas_path": r.nas_path}
            for r in s.library_roots
        ],
        "dagster_url": f"http://127.0.0.1:{free_port()}",
        **overrides,
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def users_of(config: Path) -> UserStore:
    """The app store's users as the app sees them (the settings file's review_users synced)."""
    return auth.user_store(load_settings(config))


def copy_snapshot(demo: Any, directory: Path) -> Path:
    """A private copy of the demo's snapshot (to alter), as warehouse path + snapshot."""
    directory.mkdir(parents=True, exist_ok=True)
    warehouse = directory / "warehouse.duckdb"
    shutil.copyfile(snapshot_path_for(demo.settings.warehouse_path), snapshot_path_for(warehouse))
    return warehouse


@contextmanager
def edited_snapshot(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Change a copied snapshot the way a refresh does: edit a copy, rebuild the snapshot
    tables, then replace the file (an app reading the old one sees the new one next)."""
    snapshot = snapshot_path_for(warehouse)
    partial = snapshot.with_name(snapshot.name + ".partial")
    shutil.copyfile(snapshot, partial)
    with duckdb.connect(str(partial)) as con:
        yield con
        build_snapshot_tables(con)
    os.replace(partial, snapshot)


def stage_in_snapshot(warehouse: Path, file_id: int) -> None:
    """Journal `file_id` as staged in a copied snapshot (no file moves: the copy is ours)."""
    with edited_snapshot(warehouse) as con:
        con.execute(
            """
            INSERT INTO archive_operations (id, file_id, duplicate_group_id, operation_type,
                source_path, destination_path, status, started_at, completed_at, phase,
                root_key, relative_path, file_size, reason)
            SELECT (SELECT coalesce(max(id), 0) + 1 FROM archive_operations),
                i.file_id, p.duplicate_group_id, 'archive', i.local_path,
                '/staging/' || i.relative_path, 'completed', now(), now(), 'done',
                i.root_key, i.relative_path, i.file_size, p.deletion_reason
            FROM inventory_files AS i JOIN pending_deletions AS p USING (file_id)
            WHERE i.file_id = ?
            """,
            [file_id],
        )


def first_proposal(warehouse: Path) -> int:
    with duckdb.connect(str(snapshot_path_for(warehouse)), read_only=True) as con:
        return int(con.sql("SELECT min_by(file_id, id) FROM pending_deletions").fetchall()[0][0])


@dataclass(frozen=True)
class StagedLibrary:
    """Two real files staged by the real engine, one past its retention (due), one not."""

    config: Path
    due: StageRequest
    not_due: StageRequest
    staged_paths: dict[int, Path]


def staged_library(base: Path, **overrides: object) -> StagedLibrary:
    """A migrated warehouse with two files journaled as staged (retention 1 day; the due one
    staged 3 days ago), both approved in the review store, snapshot published: what a purge
    acts on, without a refresh."""
    root = base / "library"
    for name in ("Old.Copy.2001.720p.mkv", "Recent.Copy.2002.720p.mkv"):
        write_file(root / name, 64 * 1024)
    due = request_for(root, "Old.Copy.2001.720p.mkv", plan_id=1)
    not_due = request_for(root, "Recent.Copy.2002.720p.mkv", plan_id=2)
    journal = new_journal(base / "data")
    staging_root = base / "staging"
    outcomes = stage([due, not_due], staging_root, journal, today=date.today())
    assert [o.status for o in outcomes] == ["moved", "moved"]
    with journal.warehouse.transaction() as con:
        con.execute(
            "UPDATE archive_operations SET completed_at = completed_at - INTERVAL 3 DAY "
            "WHERE file_id = ?",
            [due.file_id],
        )
    data: dict[str, object] = {
        "warehouse_path": str(base / "data" / "warehouse.duckdb"),
        "app_store_path": str(base / "review.sqlite"),
        "cache_dir": str(base / "cache"),
        "staging_root": str(staging_root),
        "library_roots": [{"key": "videos", "path": str(root), "media_type": "movie"}],
        "retention_days": 1,
        "dagster_url": f"http://127.0.0.1:{free_port()}",
        **overrides,
    }
    config = base / "mediavault.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    settings = load_settings(config)
    ReviewStore(settings.app_store_path).approve(
        [
            FileSignature(
                r.file_id,
                r.group_id,
                r.plan_id,
                r.expected_size,
                r.expected_mtime_ns,
                r.expected_inode,
            )
            for r in (due, not_due)
        ],
        reviewer="someone",
    )
    apply_review_state(journal.warehouse, settings)
    journal.warehouse.publish_snapshot()
    return StagedLibrary(
        config,
        due,
        not_due,
        {o.file_id: Path(str(o.destination)) for o in outcomes},
    )


class FakeDagster:
    """The GraphQL operations the app sends, answered like dagster-webserver does."""

    JOBS = (
        "scan_library_root",
        "analyze_library",
        "stage_approved",
        "restore_staged",
        "purge_staged",
    )

    def __init__(self) -> None:
        self.launched: list[dict[str, Any]] = []
        self.cancelled: list[str] = []
        self.runs: list[dict[str, Any]] = []
        self.queries: list[str] = []
        self.logs: dict[str, list[dict[str, Any]]] = {}
        self.partitions: list[tuple[str, str]] = []  # (partitions definition, key) added
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = fake.answer(body["query"], body.get("variables") or {})
                data = json.dumps({"data": answer}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.queries.append(query)
        if "MediaVaultRepositories" in query:
            return {
                "repositoriesOrError": {
                    "__typename": "RepositoryConnection",
                    "nodes": [
                        {
                            "name": "__repository__",
                            "location": {"name": "mediavault"},
                            "pipelines": [{"name": job} for job in self.JOBS],
                        }
                    ],
                }
            }
        if "MediaVaultLaunchRun" in query:
            params = variables["executionParams"]
            self.launched.append(params)
            run_id = f"run-{len(self.launched)}"
            self.add_run(run_id, params["selector"]["jobName"], "STARTED", params)
            return {"launchRun": {"__typename": "LaunchRunSuccess", "run": {"runId": run_id}}}
        if "MediaVaultTerminateRun" in query:
            run = next((r for r in self.runs if r["runId"] == variables["runId"]), None)
            if run is None:
                return {"terminateRun": {"__typename": "RunNotFoundError", "message": "no run"}}
            run["status"] = "CANCELING"
            self.cancelled.append(run["runId"])
            return {"terminateRun": {"__typename": "TerminateRunSuccess"}}
        if "MediaVaultAddPartition" in query:
            self.partitions.append((variables["partitionsDefName"], variables["partitionKey"]))
            return {"addDynamicPartition": {"__typename": "AddDynamicPartitionSuccess"}}
        if "MediaVaultRuns" in query:
            job = (variables.get("filter") or {}).get("pipelineName")
            results = [r for r in self.runs if job in (None, r["jobName"])]
            return {"runsOrError": {"__typename": "Runs", "results": results}}
        if "MediaVaultRunLog" in query:
            # Two events a page, so that the app has to follow the cursor as on a long run.
            events = self.logs.get(variables["runId"], [])
            start = int(variables.get("cursor") or 0)
            page = events[start : start + 2]
            return {
                "logsForRun": {
                    "__typename": "EventConnection",
                    "cursor": str(start + len(page)),
                    "hasMore": start + len(page) < len(events),
                    "events": page,
                }
            }
        raise AssertionError(f"unexpected query {query[:60]}")

    def add_run(
        self, run_id: str, job: str, status: str, params: dict[str, Any] | None = None
    ) -> None:
        tags = (params or {}).get("executionMetadata", {}).get("tags", [])
        now = time.time()
        self.runs.insert(
            0,
            {
                "runId": run_id,
                "jobName": job,
                "status": status,
                "creationTime": now,
                "startTime": now,
                "endTime": None if status == "STARTED" else now + 5,
                "tags": tags,
                "stats": {"__typename": "RunStatsSnapshot", "stepsSucceeded": 1, "stepsFailed": 0},
            },
        )

    def __enter__(self) -> FakeDagster:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class RunningDagster(FakeDagster):
    """A fake webserver whose launched runs really run: the job the app asked for, with its run
    config, in this process (a real Dagster run on the warehouse), while the app polls."""

    def __init__(self, config_file: Path) -> None:
        super().__init__()
        self.config_file = config_file
        self.executions: list[threading.Thread] = []

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = super().answer(query, variables)
        if "MediaVaultLaunchRun" in query:
            run, params = self.runs[0], variables["executionParams"]
            execution = threading.Thread(target=self._execute, args=(run, params))
            execution.start()
            self.executions.append(execution)
        return answer

    def _execute(self, run: dict[str, Any], params: dict[str, Any]) -> None:
        ops = params["runConfigData"].get("ops", {})
        outcome = run_job(
            self.config_file,
            params["selector"]["jobName"],
            op_config={op: c["config"] for op, c in ops.items()},
            trigger="api",
            echo=lambda _: None,
        )
        run["endTime"] = time.time()
        run["status"] = "SUCCESS" if outcome.success else "FAILURE"


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(autouse=True)
def _app_process_state() -> Iterator[None]:
    """AppTest has no server: tell the app it serves 127.0.0.1 like `mediavault ui` does; and
    forget cached Dagster answers (a port a test used may be the next fake's)."""
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    status.runs_in_progress.clear()
    yield
    st_config.set_option("server.address", previous)


@pytest.fixture
def app_config(tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = ui_settings(tmp_path, refreshed_demo)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(path))
    return path


@pytest.fixture
def library(app_config: Path) -> Library:
    from mediavault_ui.data import open_library

    return open_library()


def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.query_params.update(query)
    return at.run()


def select_rows(at: AppTest, name: str, ids: list[int], rows: list[int]) -> AppTest:
    """Select rows of a table the way a click does (its key follows the rows it shows)."""
    at.session_state[ui.grid_key(name, ids)] = {"selection": {"rows": rows, "columns": []}}
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, captions and banners, as one string."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def group_id_of(library: Library, title: str) -> int:
    return int(library.one("SELECT id FROM duplicate_groups WHERE show_name = ?", [title])["id"])


# ---------------------------------------------------------------------------------------------
# Every page on the demo library


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo(page: str, app_config: Path, library: Library) -> None:
    at = open_page(page)
    assert_clean(at)
    assert at.title[0].value == page.capitalize()
    said = texts(at)
    if page == "dashboard":
        totals = library.one(queries.LIBRARY_TOTALS)
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Video files"] == f"{totals['files']:,}"
        assert metrics["Duplicate groups"] == str(library.one(queries.GROUP_TOTALS)["groups"])
        assert metrics["Awaiting review"] == str(
            library.one("SELECT count(*) AS n FROM pending_deletions")["n"]
        )
        assert len(at.dataframe) == 1  # recent scans
    elif page == "library":
        rows = at.dataframe[0].value
        assert len(rows) == min(50, library.one(queries.LIBRARY_TOTALS)["files"])
        assert rows["thumbnail"].str.startswith("/api/thumb/").all()
    elif page == "matches":
        # Without a key: how to add one; the titles were recorded as skipped, not failed.
        assert "No TMDb key" in said and "TMDB_API_KEY" in said
        table = at.dataframe[0].value
        assert len(table) > 0 and set(table["status"]) == {"skipped"}
    elif page == "duplicates":
        assert len(at.dataframe[0].value) == library.one(queries.GROUP_TOTALS)["groups"]
        assert {"Compare", "Archive", "Keep All"} <= {b.label for b in at.button}
    elif page == "compare":
        labels = [b.label for b in at.button]
        decisions = ["Keep Left", "Keep Right", "Keep Both", "Not a duplicate", "Next group"]
        ratings = ["Reject", "★", "★★", "★★★", "★★★★", "★★★★★"]
        assert labels == decisions + ratings + ratings  # then each file's rating
        assert "Suggested keeper" in said and "Rule:" in said
        table = at.dataframe[0].value
        assert list(table.columns) == ["Attribute", "Left", "Right"]
        assert table["Left"].str.endswith("✓").any() or table["Right"].str.endswith("✓").any()
    elif page == "review":
        plan = library.one("SELECT count(*) AS n FROM pending_deletions")["n"]
        assert len(at.dataframe[0].value) == plan
        assert "Nothing is in staging." in said
    elif page == "scans":
        assert "is not reachable" in said and "mediavault refresh" in said
        history = library.frame(queries.RECENT_SCANS, {"limit": 50})
        with_errors = history.filter(pl.col("errors_count") > 0).height
        assert with_errors > 0  # the demo's broken files, reported by each scan of their root
        assert len(at.dataframe) == 1 + with_errors  # scan history, then each scan's errors
        scans = at.dataframe[0].value
        assert set(scans["mode"]) == {"incremental"} and scans["scanned"].str.len().min() > 0
    elif page == "settings":
        assert "TMDB_API_KEY" in said and "Deletion plan" in said
    elif page == "title":  # no ?id=: the first title of the catalog, with its files
        assert len(at.selectbox[0].options) == library.one("SELECT count(*) AS n FROM titles")["n"]
        assert len(at.dataframe[-1].value) > 0
    elif page == "watching":  # the title view: every title on disk to pick, its files below
        titles = library.one("SELECT count(*) AS n FROM media WHERE on_disk")["n"]
        assert len(at.selectbox[0].options) == titles > 0
        assert len(at.dataframe[-1].value) > 0


def test_compare_player_gets_catalog_urls_and_plain_labels(
    app_config: Path, library: Library
) -> None:
    group = group_id_of(library, "Inception")
    at = open_page("compare", group=str(group))
    assert_clean(at)
    raw = str(at.get("bidi_component")[0].proto)
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    keeper = members.filter(pl.col("is_primary"))["file_id"][0]
    assert f"/api/video/{keeper}" in raw
    assert "local_path" not in raw and str(library.settings.library_roots[0].path) not in raw
    # HEVC/EAC3 cannot play in Chromium: the side says a preview clip is shown.
    assert "Preview" in raw
    # Two copies with one file name in two roots: the labels say which root each is in.
    at = open_page("compare", group=str(group_id_of(library, "Crouching Tiger, Hidden Dragon")))
    data = json.loads(at.get("bidi_component")[0].proto.json)
    name = "Crouching Tiger, Hidden Dragon (2000) 1080p.mkv"
    labels = {data[side]["label"].removesuffix(" (suggested keeper)") for side in ("left", "right")}
    assert labels == {f"videos › {name}", f"docker › {name}"}


def test_settings_show_which_keys_are_set_never_their_values(
    app_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "sekrit-value-123")
    at = open_page("settings")
    said = texts(at)
    assert "`TMDB_API_KEY` set" in said and "`OPENAI_API_KEY` not set" in said
    assert "sekrit-value-123" not in json.dumps([str(e.proto) for e in at.main])


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def unescaped(at: AppTest) -> str:
    """texts() without plain()'s Markdown escapes."""
    return texts(at).replace("\\", "")


def backups(config: Path) -> list[Path]:
    return sorted(config.parent.glob(f"{config.name}.*.bak"))


def test_the_local_admin_changes_a_threshold_and_adds_a_root(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeDagster() as dagster:
        config = ui_settings(tmp_path, refreshed_demo, dagster_url=dagster.url)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
        before = config.read_text(encoding="utf-8")
        at = open_page("settings")
        assert_clean(at)
        next(s for s in at.slider if s.label.startswith("Fuzzy match")).set_value(92.0)
        button(at, "Save settings").click().run()
        assert_clean(at)
        assert "Changed fuzzy_match_threshold" in unescaped(at)
        assert load_settings(config).fuzzy_match_threshold == 92
        [backup] = backups(config)
        assert backup.read_text(encoding="utf-8") == before

        new_root = tmp_path / "more-videos"
        new_root.mkdir()
        fields = {t.label: t for t in at.text_input}
        fields["Key"].input("more")
        fields["Mounted at"].input(str(new_root))
        fields["NAS path (optional)"].input("/volume1/more")
        button(at, "Add root").click().run()
        assert_clean(at)
        settings = load_settings(config)
        assert settings.root("more").nas_path == "/volume1/more"
        assert settings.root("more").path == new_root
        assert settings.fuzzy_match_threshold == 92  # the earlier change stays
        assert dagster.partitions == [("library_roots", "more")]
        assert "partition more is in Dagster" in unescaped(at)
        assert len(backups(config)) == 2
        # The page shows the new root at once, from the file.
        assert "more" in list(at.dataframe[0].value["key"])


def test_invalid_settings_are_refused_with_the_start_up_message(
    app_config: Path, refreshed_demo: Any
) -> None:
    before = app_config.read_text(encoding="utf-8")
    at = open_page("settings")
    fields = {t.label: t for t in at.text_input}
    fields["Key"].input("Not A Slug!")
    fields["Mounted at"].input(str(refreshed_demo.settings.library_roots[0].path / "TV"))
    button(at, "Add root").click().run()
    assert "Not saved" in at.error[0].value
    shown = at.code[0].value
    assert shown.startswith(f"Invalid settings in {app_config}:")
    assert "library_roots.2.key: must be a slug" in shown or "must be a slug" in shown
    # The same words a start-up on that file would say.
    data = yaml.safe_load(before)
    data["library_roots"].append({"key": "Not A Slug!", "path": fields["Mounted at"].value})
    bad = app_config.with_name("bad.yaml")
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SettingsError) as at_start_up:
        load_settings(bad)
    assert shown == str(at_start_up.value).replace(str(bad), str(app_config))

    numbers = {n.label: n for n in at.number_input}
    numbers["Review when quality differs by less than (points)"].set_value(80.0)
    button(at, "Save settings").click().run()
    assert "must not be below review_quality_difference" in at.code[0].value
    assert app_config.read_text(encoding="utf-8") == before and backups(app_config) == []


def test_only_admins_can_change_settings(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed = auth.hash_password("pw", iterations=1000)
    users = [
        {"username": "ann", "password_hash": hashed, "admin": True},
        {"username": "bob", "password_hash": hashed},
    ]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "bob", "pw")
    at.switch_page("../pages/settings.py").run()
    assert_clean(at)
    assert "Only an admin can change them" in texts(at)
    assert not at.slider and not [b for b in at.button if b.label == "Save settings"]
    assert "**ann** (admin), **bob**" in texts(at)

    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "ann", "pw")
    at.switch_page("../pages/settings.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["User name"].input("cy")
    fields["Password"].input("cy-pass")
    button(at, "Add user").click().run()
    assert_clean(at)
    store = users_of(config)
    cy = store.user("cy")
    assert cy is not None and cy.source == "app" and not cy.is_admin
    assert [u.username for u in store.sign_in_users()] == ["ann", "bob", "cy"]
    # cy is made an admin, then signs in with that password (hashed with the app's KDF); each
    # sign-in is recorded.
    next(c for c in at.checkbox if c.key == "change_user_admin").check()
    button(at, "Save user").click().run()
    assert_clean(at)
    assert store.user("cy") == replace(cy, is_admin=True)
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "cy", "cy-pass")
    assert at.title[0].value == "Dashboard"
    at.switch_page("../pages/settings.py").run()
    assert "Change settings" in [h.value for h in at.header]
    assert [s["user_id"] for s in store.sessions()] == [
        store.user_ids()[n] for n in ("bob", "ann", "cy")
    ]


# ---------------------------------------------------------------------------------------------
# Library browsing


def test_library_filters_sorts_and_pages(app_config: Path, library: Library) -> None:
    at = open_page("library")
    at.text_input[0].input("Red Dwarf").run()
    assert_clean(at)
    # Full text: both words in the path or the parsed title ("RedDwarf_TVLab_s01e01.mkv").
    expected = library.one(
        "SELECT count(*) AS n FROM media_files WHERE list_bool_and(list_transform("
        "['red', 'dwarf'], lambda w: contains(lower(relative_path || ' ' || title), w)))"
    )["n"]
    assert 0 < len(at.dataframe[0].value) == expected
    at.text_input[0].input("").run()
    sort = next(s for s in at.selectbox if s.label == "Sort by")
    sort.set_value("Size").run()
    next(t for t in at.toggle if t.label == "Descending").set_value(True).run()
    sizes = at.dataframe[0].value["file_size"].tolist()
    assert sizes == sorted(sizes, reverse=True)
    per_page = next(s for s in at.selectbox if s.label == "Per page")
    per_page.set_value(10).run()
    total = library.one(queries.LIBRARY_TOTALS)["files"]
    assert total > 20 and len(at.dataframe[0].value) == 10
    page = next(n for n in at.number_input if n.label.startswith("Page"))
    assert page.label == f"Page (of {-(-total // 10)})"
    page.set_value(3).run()
    assert len(at.dataframe[0].value) == total - 20


def _group_by(at: AppTest, grouping: str) -> AppTest:
    return next(s for s in at.selectbox if s.label == "Group by").set_value(grouping).run()


def _open_group(at: AppTest, index: int) -> AppTest:
    """Open an expander the way a click does (its state lives under its key)."""
    key = at.expander[index].proto.id.split("-", 2)[-1]
    at.session_state[key] = True
    return at.run()


def test_library_groups_by_show_season_and_movie(app_config: Path, library: Library) -> None:
    at = _group_by(open_page("library"), "show")
    assert_clean(at)
    # The demo's one show: episodes 1-3 of season 1 in five files (one of them S01E01E02).
    [show] = [e.label for e in at.expander]
    assert show.startswith("Red Dwarf · 1 season · 3 episodes · 5 files · "), show
    at = _open_group(at, 0)
    assert_clean(at)
    seasons, files = (d.value for d in at.dataframe)
    assert seasons[["season", "episodes", "files"]].to_dict("records") == [
        {"season": 1, "episodes": 3, "files": 5}
    ]
    tv = library.frame(
        "SELECT root_key || ' › ' || relative_path AS file, file_size FROM media_files "
        "WHERE media_type = 'tv'"
    )
    assert set(files["file"]) == set(tv["file"])
    assert seasons["bytes"][0] == tv["file_size"].sum()
    red_dwarf = library.one("SELECT id FROM titles WHERE name = 'Red Dwarf'")["id"]
    [link] = at.get("page_link")
    assert link.proto.page == "title" and link.proto.query_string == f"id={red_dwarf}"

    # Filters still apply: two files hold "Future Echoes" (S01E02 and S01E01E02).
    at.text_input[0].input("future").run()
    assert [e.label.split(" · ")[:4] for e in at.expander] == [
        ["Red Dwarf", "1 season", "2 episodes", "2 files"]
    ]
    at.text_input[0].input("").run()
    at = _group_by(at, "season")
    assert [e.label.split(" · ")[:4] for e in at.expander] == [
        ["Red Dwarf", "Season 1", "3 episodes", "5 files"]
    ]
    at = _group_by(at, "movie")
    labels = {e.label.split(" · ")[0]: e.label.split(" · ")[1] for e in at.expander}
    # Inception: two 1080p copies, the 4K cut, a sample and a trailer.
    assert labels["Inception (2010)"] == "5 files"
    assert "Red Dwarf" not in labels
    assert len(labels) == library.one("SELECT count(*) AS n FROM titles WHERE kind = 'movie'")["n"]
    # Back to no grouping: one row per file, and a file's rating and keywords below it.
    at = _group_by(at, "none")
    assert_clean(at)
    assert not at.expander and len(at.dataframe[0].value) > 5


def _title_files(library: Library, name: str) -> tuple[int, pl.DataFrame]:
    """A title's id and its files: path as the title page shows it, whether the plan proposes
    it and whether it is its duplicate group's kept file."""
    title_id = library.one("SELECT id FROM titles WHERE name = ?", [name])["id"]
    files = library.frame(
        """
        SELECT DISTINCT f.root_key || ' › ' || f.relative_path AS path,
               f.id IN (SELECT file_id FROM pending_deletions) AS proposed,
               coalesce(m.is_primary, false) AS kept
        FROM episode_assets AS ea JOIN episodes AS e ON e.id = ea.episode_id
        JOIN media_files AS f ON f.id = ea.asset_id
        LEFT JOIN duplicate_members AS m ON m.file_id = f.id
        WHERE e.title_id = ?
        """,
        [title_id],
    )
    return title_id, files


def test_title_page_shows_seasons_episodes_and_the_canonical_files(
    app_config: Path, library: Library
) -> None:
    title_id, expected = _title_files(library, "Red Dwarf")
    at = open_page("title", id=str(title_id))
    assert_clean(at)
    assert "### Red Dwarf" in texts(at)
    seasons, episodes, files = (d.value for d in at.dataframe)
    assert seasons[["season", "episodes", "files"]].to_dict("records") == [
        {"season": 1, "episodes": 3, "files": 5}
    ]
    assert list(episodes["code"]) == ["S01E01", "S01E02", "S01E03"]
    assert list(episodes["files"]) == [3, 2, 1]  # S01E01E02 counts for both episodes
    assert set(files["path"]) == set(expected["path"])
    marked = set(files.loc[files["mark"] == "✓", "path"])
    # Canonical: each group's kept file and the episode nobody duplicated; everything the plan
    # proposes for staging is not.
    assert marked == set(expected.filter(~pl.col("proposed"))["path"])
    assert set(expected.filter(pl.col("kept"))["path"]) <= marked
    assert {"S01E01E02", "S01E03"} == set(files.loc[files["mark"] == "✓", "code"])
    assert files["resolution"].notna().all() and files["file_size"].gt(0).all()

    # A movie: no seasons or episodes, its files with the plan's keeper marked; extras are not.
    title_id, expected = _title_files(library, "Inception")
    at = open_page("title", id=str(title_id))
    assert_clean(at)
    [files] = (d.value for d in at.dataframe)
    assert len(files) == 5 and "code" not in files.columns
    marked = set(files.loc[files["mark"] == "✓", "path"])
    assert marked == set(expected.filter(pl.col("kept"))["path"])
    assert next(iter(marked)).endswith("2160p.UHD.BluRay.x265.HDR10.mkv")
    extras = files.loc[files["path"].str.contains("sample|trailer"), "notes"]
    assert sorted(extras) == ["sample", "trailer"]
    # The audio languages the probe read, per file.
    assert set(files["audio"]) >= {"en"}
    # Picking another title changes the link.
    red_dwarf = library.one("SELECT id FROM titles WHERE name = 'Red Dwarf'")["id"]
    at.selectbox[0].set_value(red_dwarf).run()
    assert at.query_params["id"] == str(red_dwarf)
    assert "### Red Dwarf" in texts(at)


def test_compare_player_gets_each_files_chapters(app_config: Path, library: Library) -> None:
    at = open_page("compare", group=str(group_id_of(library, "Inception")))
    assert_clean(at)
    data = json.loads(at.get("bidi_component")[0].proto.json)
    # Left: the 4K keeper (Kick at 1 s); right: the 1080p cut (Kick at 1.5 s).
    assert "2160p" in data["left"]["label"] and "1080p" in data["right"]["label"]
    assert data["chapters"] == [
        {"label": "1. Dream Within a Dream", "left": 0.0, "right": 0.0},
        {"label": "2. Kick", "left": 1.0, "right": 1.5},
    ]
    # Files without chapters: no chapter list.
    at = open_page("compare", group=str(group_id_of(library, "The Matrix")))
    assert json.loads(at.get("bidi_component")[0].proto.json)["chapters"] == []


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of 100,000 synthetic files (inventory, probes, names, scores)."""
    warehouse = tmp_path_factory.mktemp("big") / "warehouse.duckdb"
    w = Warehouse(path=str(warehouse))
    w.migrate()
    with w.connect() as con:
        con.execute(
            """
            INSERT INTO inventory_files
            SELECT i, CASE WHEN i % 2 = 0 THEN 'videos' ELSE 'docker' END,
                   'Show ' || i % 500 || '/Show.' || i % 500 || '.S0' || i % 7 || 'E'
                       || lpad((i % 23 + 1)::VARCHAR, 2, '0') || '.' || i || '.mkv',
                   '/volume1/' || i || '.mkv', '/nowhere/' || i || '.mkv',
                   'Show.' || i % 500 || '.' || i || '.mkv', 'mkv', 1000000 + i * 37,
                   1700000000000000000 + i, TIMESTAMP '2020-01-01' + to_days((i % 1500)::INT),
                   NULL, 1, i, 1, NULL, now(), now()
            FROM range(100000) AS t(i)
            """
        )
        con.execute(
            """
            INSERT INTO file_probes (file_id, root_key, file_size, mtime_ns, inode, duration,
                format, video_codec, audio_codec, width, height, bitrate, quality_tier,
                audio_languages, subtitle_languages, probed_at)
            SELECT file_id, root_key, file_size, mtime_ns, inode, 1500 + file_id % 900, 'mkv',
                   CASE WHEN file_id % 3 = 0 THEN 'hevc' ELSE 'h264' END, 'aac', 1920, 1080,
                   4000, CASE WHEN file_id % 4 = 0 THEN '720p' ELSE '1080p' END,
                   CASE WHEN file_id % 5 = 0 THEN ['fr'] ELSE ['en'] END, ['en'], now()
            FROM inventory_files
            """
        )
        con.execute(
            """
            INSERT INTO parsed_names (file_id, root_key, relative_path, media_type, title,
                title_key, season, episodes, parsed_at)
            SELECT file_id, root_key, relative_path, 'tv', 'Show ' || file_id % 500,
                   'show ' || file_id % 500, file_id % 7, [file_id % 23 + 1], now()
            FROM inventory_files
            """
        )
        con.execute(
            "INSERT INTO quality_scores SELECT file_id, file_id % 150, now() FROM inventory_files"
        )
    w.publish_snapshot()
    return warehouse


def test_library_pages_through_100000_files(
    big_library: Path, tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "MEDIAVAULT_CONFIG", str(ui_settings(tmp_path, refreshed_demo, warehouse=big_library))
    )
    at = open_page("library")
    assert_clean(at)
    assert "100,000 files" in texts(at) and len(at.dataframe[0].value) == 50
    for change in (
        lambda: at.text_input[0].input("e05"),
        lambda: next(s for s in at.selectbox if s.label == "Sort by").set_value("Size"),
        lambda: next(m for m in at.multiselect if m.label == "Audio language").set_value(["fr"]),
        lambda: next(n for n in at.number_input if n.label.startswith("Page")).set_value(20),
    ):
        change()
        at.run()
        assert_clean(at)
    # Page 20 of the French-audio files matching "e05", by size: still one page of rows.
    assert len(at.dataframe[0].value) == 50


def test_library_filter_where_binds_values() -> None:
    where, params = queries.LibraryFilter(
        search="x'; DROP TABLE x; --", languages=["fr"], statuses=["error"]
    ).where()
    assert "DROP" not in where and "drop" not in where
    assert [params[f"term{i}"] for i in range(4)] == ["x';", "drop", "table", "x;"]
    assert params["term4"] == "--"
    assert "status = 'error'" in where and params["languages"] == ["fr"]


# ---------------------------------------------------------------------------------------------
# Decisions


def test_compare_keep_left_saves_the_group_decision(app_config: Path, library: Library) -> None:
    group = group_id_of(library, "Inception")
    at = open_page("compare", group=str(group))
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    left = members.filter(pl.col("is_primary"))["file_id"][0]
    at.text_input(key=f"notes_{group}").input("4K HDR wins").run()
    next(b for b in at.button if b.label == "Keep Left").click().run()
    assert_clean(at)

    store = ReviewStore(library.settings.app_store_path)
    decisions = store.decisions()
    assert decisions[left].decision == "keep"
    staged = [d for d in decisions.values() if d.decision == "stage"]
    assert {d.file_id for d in staged} == set(members["file_id"]) - {left}
    inventory = library.frame(
        "SELECT file_id, file_size, mtime_ns, inode FROM inventory_files "
        "WHERE list_contains(?, file_id)",
        [members["file_id"].to_list()],
    )
    for row in inventory.iter_rows(named=True):
        d = decisions[row["file_id"]]
        assert (d.size, d.mtime_ns, d.inode) == (row["file_size"], row["mtime_ns"], row["inode"])
        assert d.reviewer == auth.local_reviewer() and d.notes == "4K HDR wins"
        assert d.group_id == group
    logged = store.user_decisions()
    assert logged[-1]["duplicate_group_id"] == group and logged[-1]["primary_file_id"] == left
    # On to the next group still to review, saying what was saved.
    assert "Saved by" in texts(at)
    assert at.query_params["group"] != str(group)


def test_compare_asks_before_staging_the_only_english_audio_copy(
    app_config: Path, library: Library
) -> None:
    """Keep Right on The Matrix keeps the Spanish dub and would stage the only English-audio
    copy: nothing is recorded until the person confirms, and the warning names the file."""
    group = group_id_of(library, "The Matrix")
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    english = members.filter(pl.col("is_primary"))["file_id"][0]  # the suggested keeper: left
    at = open_page("compare", group=str(group))
    next(b for b in at.button if b.label == "Keep Right").click().run()
    assert_clean(at)
    store = ReviewStore(library.settings.app_store_path)
    assert store.decisions() == {}
    [warning] = at.warning
    shown = warning.value.replace("\\", "")  # file names arrive markdown-escaped
    assert "only English-audio copy" in shown and "The.Matrix.1999.720p" in shown
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert store.decisions() == {} and not at.warning

    next(b for b in at.button if b.label == "Keep Right").click().run()
    next(b for b in at.button if b.label == "Stage anyway").click().run()
    assert_clean(at)
    decisions = store.decisions()
    assert decisions[english].decision == "stage"
    assert {d.decision for i, d in decisions.items() if i != english} == {"keep"}


def test_compare_not_a_duplicate_and_keep_both(app_config: Path, library: Library) -> None:
    parasite = group_id_of(library, "Parasite")
    at = open_page("compare", group=str(parasite))
    next(b for b in at.button if b.label == "Not a duplicate").click().run()
    store = ReviewStore(library.settings.app_store_path)
    assert parasite in store.not_duplicate_groups()

    matrix = group_id_of(library, "The Matrix")
    at = open_page("compare", group=str(matrix))
    next(b for b in at.button if b.label == "Keep Both").click().run()
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": matrix})["file_id"]
    decisions = store.decisions()
    assert all(decisions[i].decision == "keep" for i in members)
    # Both groups now count as reviewed on the Duplicates page.
    at = open_page("duplicates")
    shown = at.dataframe[0].value["label"].tolist()
    assert not any(label.startswith(("Parasite", "The Matrix")) for label in shown)


def open_group_on_duplicates(title: str) -> AppTest:
    """The Duplicates page with only this title's group listed (so it is the one shown)."""
    at = open_page("duplicates")
    return next(t for t in at.text_input if t.label == "Title contains").input(title).run()


def test_duplicates_archive_stages_the_non_keepers_after_confirming(
    app_config: Path, library: Library
) -> None:
    group = group_id_of(library, "Inception")
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    kept = members.filter(pl.col("is_primary"))["file_id"][0]
    others = members.filter(pl.col("file_id") != kept)
    at = open_group_on_duplicates("Inception")
    button(at, "Archive").click().run()
    assert_clean(at)
    store = ReviewStore(library.settings.app_store_path)
    assert store.decisions() == {}  # nothing until confirmed
    said = unescaped(at)
    assert all(name in said for name in others["filename"])
    assert ui.size(others["file_size"].sum()) in said and "approved-decisions sensor" in said
    button(at, "Cancel").click().run()
    assert store.decisions() == {}

    button(at, "Archive").click().run()
    button(at, "Confirm Archive").click().run()
    assert_clean(at)
    decisions = store.decisions()
    assert decisions[kept].decision == "keep"
    assert {i for i, d in decisions.items() if d.decision == "stage"} == set(others["file_id"])
    assert {d.reviewer for d in decisions.values()} == {auth.local_reviewer()}
    logged = store.user_decisions()[-1]
    assert logged["duplicate_group_id"] == group and logged["primary_file_id"] == kept
    assert "Saved by" in texts(at)


def test_duplicates_archive_asks_before_staging_what_the_plan_protects(
    app_config: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group decision's own check guards Archive: were the Spanish dub of The Matrix the
    keeper, archiving would stage the only English-audio copy, so it waits for "Archive
    anyway"."""
    group = group_id_of(library, "The Matrix")
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    english = members.filter(pl.col("is_primary"))["file_id"][0]
    monkeypatch.setattr(
        comparison, "keeper", lambda rows: next(r for r in rows if not r["is_primary"])
    )
    at = open_group_on_duplicates("The Matrix")
    button(at, "Archive").click().run()
    assert_clean(at)
    [warning] = at.warning
    assert "only English-audio copy" in warning.value.replace("\\", "")
    assert "Confirm Archive" not in {b.label for b in at.button}
    store = ReviewStore(library.settings.app_store_path)
    assert store.decisions() == {}
    button(at, "Archive anyway").click().run()
    assert_clean(at)
    decisions = store.decisions()
    assert decisions[english].decision == "stage"
    assert {d.decision for i, d in decisions.items() if i != english} == {"keep"}


def test_duplicates_keep_all_marks_the_group_not_duplicates(
    app_config: Path, library: Library
) -> None:
    group = group_id_of(library, "Parasite")
    members = library.frame(queries.GROUP_MEMBERS, {"group_id": group})
    at = open_group_on_duplicates("Parasite")
    button(at, "Keep All").click().run()
    assert_clean(at)
    said = unescaped(at)
    assert all(name in said for name in members["filename"])
    assert ui.size(members["file_size"].sum()) in said
    store = ReviewStore(library.settings.app_store_path)
    assert store.decisions() == {}
    button(at, "Confirm Keep All").click().run()
    assert_clean(at)
    assert group in store.not_duplicate_groups()
    decisions = store.decisions()
    assert all(decisions[i].decision == "keep" for i in members["file_id"])
    assert {d.reviewer for d in decisions.values()} == {auth.local_reviewer()}
    assert store.user_decisions()[-1]["action_taken"] == "mark_not_duplicate"


def test_a_file_in_staging_cannot_be_the_one_kept(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = copy_snapshot(refreshed_demo, tmp_path / "data")
    staged = first_proposal(warehouse)
    stage_in_snapshot(warehouse, staged)
    monkeypatch.setenv(
        "MEDIAVAULT_CONFIG", str(ui_settings(tmp_path, refreshed_demo, warehouse=warehouse))
    )
    with duckdb.connect(str(snapshot_path_for(warehouse)), read_only=True) as con:
        group = con.sql(f"SELECT group_id FROM duplicate_members WHERE file_id = {staged}")
        group_id = group.fetchall()[0][0]
    at = open_page("compare", group=str(group_id))
    assert_clean(at)
    buttons = {b.label: b for b in at.button}
    right_is_staged = f"/api/video/{staged}" not in str(at.get("bidi_component")[0].proto)
    kept_button = "Keep Right" if right_is_staged else "Keep Left"
    assert buttons[kept_button].disabled
    assert "restore it first" in buttons[kept_button].help
    assert "Not in the library now" in str(at.get("bidi_component")[0].proto)


def open_plan(library: Library) -> pl.DataFrame:
    """The plan rows the Review page lists by default, in its order."""
    rows = library.frame(queries.PLAN_ROWS, tables=review.review_tables(library))
    return rows.filter(pl.col("status").is_in(["awaiting review", "changed since decision"]))


def test_review_approve_and_reject_selected_rows(app_config: Path, library: Library) -> None:
    at = open_page("review")
    plan = open_plan(library)
    assert at.dataframe[0].value["filename"].tolist() == plan["filename"].to_list()
    select_rows(at, "plan_rows", plan["file_id"].to_list(), [0, 1])
    at.text_input(key="plan_notes").input("checked by eye").run()
    next(b for b in at.button if b.label == "Approve selected").click().run()
    assert_clean(at)
    store = ReviewStore(library.settings.app_store_path)
    decisions = store.decisions()
    assert {i for i, d in decisions.items() if d.decision == "stage"} == set(plan["file_id"][:2])
    assert all(d.notes == "checked by eye" for d in decisions.values())
    # The approved rows left the list: nothing stays selected by position.
    assert next(b for b in at.button if b.label == "Approve selected").disabled

    plan = open_plan(library)
    select_rows(at, "plan_rows", plan["file_id"].to_list(), [0])
    next(b for b in at.button if b.label == "Reject selected (keep)").click().run()
    assert store.decisions()[plan["file_id"][0]].decision == "keep"


def test_bulk_rule_never_stages_the_last_copy_of_a_group(
    app_config: Path, library: Library
) -> None:
    # Someone already decided to stage the keeper of the Red Dwarf S01E02 group...
    group = library.one(
        "SELECT id, primary_file_id FROM duplicate_groups WHERE show_name = 'Red Dwarf' "
        "AND episode_number = 2"
    )
    other = library.one(
        "SELECT file_id FROM duplicate_members WHERE group_id = ? AND file_id <> ?",
        [group["id"], group["primary_file_id"]],
    )["file_id"]
    store = ReviewStore(library.settings.app_store_path)
    store.approve(review.signatures(library, [group["primary_file_id"]]), reviewer="someone")
    # ...then a rule approves every open certain proposal, that group's other file included.
    at = open_page("review")
    next(b for b in at.button if b.label.startswith("Approve all")).click().run()
    assert_clean(at)
    decisions = store.decisions()
    assert other not in decisions  # the group keeps its last copy
    assert any(d.decision == "stage" and d.reviewer != "someone" for d in decisions.values())
    assert "every group a copy" in texts(at)


def test_keep_one_per_group_rule() -> None:
    members = {1: {10, 11, 12}, 2: {20, 21}, 3: {30, 31}}
    quality = {10: 90, 11: 80, 12: 70, 20: 50, 21: 60, 30: 1, 31: 2}
    # Group 1 keeps 10 (not asked); group 2 would lose both: its best (21) stays.
    allowed, refused = review.keep_one_per_group([11, 12, 20, 21], members, set(), quality)
    assert allowed == [11, 12, 20] and refused == [21]
    # A file already staged counts as gone.
    allowed, refused = review.keep_one_per_group([31], members, {30}, quality)
    assert allowed == [] and refused == [31]


def test_restore_staged_files_through_dagster(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = copy_snapshot(refreshed_demo, tmp_path / "data")
    staged_id = first_proposal(warehouse)
    stage_in_snapshot(warehouse, staged_id)
    with FakeDagster() as dagster:
        config = ui_settings(tmp_path, refreshed_demo, warehouse=warehouse, dagster_url=dagster.url)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
        at = open_page("review")
        assert "Staged files (1)" in [t.label for t in at.tabs]
        select_rows(at, "staged_rows", [staged_id], [0])
        next(b for b in at.button if b.label == "Restore 1 selected").click().run()
        assert_clean(at)
    assert dagster.launched == [
        {
            "selector": {
                "repositoryLocationName": "mediavault",
                "repositoryName": "__repository__",
                "jobName": "restore_staged",
            },
            "runConfigData": {
                "ops": {
                    "restore_files": {
                        "config": {
                            "file_ids": [staged_id],
                            "restore_all": False,
                            "dry_run": False,
                            "restored_by": auth.local_reviewer(),
                        }
                    }
                }
            },
            "executionMetadata": {"tags": [{"key": "mediavault/trigger", "value": "api"}]},
        }
    ]
    assert "Started restore_staged" in texts(at)


def test_restore_says_so_plainly_when_dagster_is_down(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = copy_snapshot(refreshed_demo, tmp_path / "data")
    staged_id = first_proposal(warehouse)
    stage_in_snapshot(warehouse, staged_id)
    monkeypatch.setenv(
        "MEDIAVAULT_CONFIG", str(ui_settings(tmp_path, refreshed_demo, warehouse=warehouse))
    )
    at = open_page("review")
    select_rows(at, "staged_rows", [staged_id], [0])
    next(b for b in at.button if b.label == "Restore 1 selected").click().run()
    assert_clean(at)
    assert "is not reachable" in at.warning[0].value
    assert at.code[0].value == f"mediavault restore {staged_id}"


def test_purge_offers_only_due_files_and_starts_the_job_after_confirming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeDagster() as dagster:
        staged = staged_library(tmp_path, dagster_url=dagster.url)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(staged.config))
        at = open_page("review")
        assert {"Staged files (2)", "Due for purge (1)"} <= {t.label for t in at.tabs}
        due_grid = next(d for d in at.dataframe if "path" in d.value.columns)
        assert due_grid.value["path"].tolist() == ["videos/Old.Copy.2001.720p.mkv"]
        select_rows(at, "due_rows", [staged.due.file_id], [0])
        button(at, "Purge 1 selected…").click().run()
        assert_clean(at)
        question = texts(at)
        assert "Delete 1 file (64.0 KB) for good?" in question, question
        assert plain("videos/Old.Copy.2001.720p.mkv") in question
        assert plain("Recent.Copy") not in question
        assert not dagster.launched  # nothing before the confirmation
        button(at, "Confirm purge").click().run()
        assert_clean(at)
    [launched] = dagster.launched
    assert launched["selector"]["jobName"] == "purge_staged"
    assert launched["runConfigData"] == {
        "ops": {
            "purge_files": {
                "config": {
                    "file_ids": [staged.due.file_id],
                    "dry_run": False,
                    "purged_by": auth.local_reviewer(),
                }
            }
        }
    }
    assert "Purge run `run-1` is started" in texts(at)


def test_a_file_changed_in_staging_is_not_purged_and_the_page_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    prepare_dagster_home(tmp_path / "dagster_home")
    staged = staged_library(tmp_path)
    changed = staged.staged_paths[staged.due.file_id]
    with changed.open("ab") as handle:
        handle.write(b"edited after staging")
    with RunningDagster(staged.config) as dagster:
        config = staged.config.read_text().replace(
            load_settings(staged.config).dagster_url, dagster.url
        )
        staged.config.write_text(config)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(staged.config))
        at = open_page("review")
        button(at, "Purge all 1 due…").click().run()
        button(at, "Confirm purge").click().run()
        for execution in dagster.executions:
            execution.join(timeout=60)
        at.run()
        assert_clean(at)
    assert changed.exists()  # the engine's refusal: it changed since it was staged
    assert "1 not deleted" in texts(at) and "0 files deleted for good" in texts(at)


def test_review_queue_by_kind_resolves_and_rejects_as_the_reviewer(
    app_config: Path, library: Library
) -> None:
    at = open_page("review")
    queue = review.queue_frame(library)
    pending = queue.filter(pl.col("status") == "pending")
    assert f"Review queue ({pending.height})" in [t.label for t in at.tabs]
    kind = pending.filter(pl.col("kind") != "plan_review")["kind"][0]
    of_kind = pending.filter(pl.col("kind") == kind)
    assert f"{kind}: {of_kind.height} pending of" in texts(at)
    next(m for m in at.multiselect if m.label == "Kind").select(kind).run()
    select_rows(at, "queue_rows", of_kind["item_key"].to_list(), [0])
    button(at, "Resolve 1 selected").click().run()
    assert_clean(at)
    key = of_kind["item_key"][0]
    answer = ReviewStore(library.settings.app_store_path).queue_resolutions()[key]
    assert (answer.status, answer.reviewer) == ("resolved", auth.local_reviewer())
    answered_at = datetime.fromisoformat(answer.resolved_at)
    assert abs(answered_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    # Gone from the pending view at once, and counted as answered.
    assert f"Review queue ({pending.height - 1})" in [t.label for t in at.tabs]
    shown = next(d for d in at.dataframe if "resolved_by" in d.value.columns)
    assert key not in set(
        review.queue_frame(library).filter(pl.col("status") == "pending")["item_key"]
    )
    assert len(shown.value) == of_kind.height - 1

    # Another kind's item, rejected (nothing to do about it): recorded the same way.
    other = pending.filter(~pl.col("kind").is_in(["plan_review", kind]))
    next(m for m in at.multiselect if m.label == "Kind").unselect(kind).select(
        other["kind"][0]
    ).run()
    listed = other.filter(pl.col("kind") == other["kind"][0])
    select_rows(at, "queue_rows", listed["item_key"].to_list(), [0])
    button(at, "Reject 1 selected").click().run()
    assert_clean(at)
    answer = ReviewStore(library.settings.app_store_path).queue_resolutions()[listed["item_key"][0]]
    assert (answer.status, answer.reviewer) == ("rejected", auth.local_reviewer())
    assert f"Review queue ({pending.height - 2})" in [t.label for t in at.tabs]


# ---------------------------------------------------------------------------------------------
# Scans through Dagster


def test_scans_start_one_run_per_root_and_show_runs(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeDagster() as dagster:
        config = ui_settings(tmp_path, refreshed_demo, dagster_url=dagster.url)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
        at = open_page("scans")
        next(b for b in at.button if b.label == "Scan all roots").click().run()
        assert_clean(at)
        jobs = [
            (p["selector"]["jobName"], p["executionMetadata"]["tags"]) for p in dagster.launched
        ]
        assert jobs == [
            (
                "scan_library_root",
                [
                    {"key": "mediavault/trigger", "value": "api"},
                    {"key": "dagster/partition", "value": key},
                    {"key": "mediavault/scan_mode", "value": "incremental"},
                ],
            )
            for key in refreshed_demo.settings.root_keys
        ]
        next(b for b in at.button if b.label == "Analyze library").click().run()
        assert dagster.launched[-1]["selector"]["jobName"] == "analyze_library"
        at.run()
        runs = at.dataframe[0].value
        assert set(runs["job"]) == {"scan_library_root", "analyze_library"}
        assert set(runs["root"]) >= set(refreshed_demo.settings.root_keys)


def test_scans_show_each_stage_of_a_running_scan(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeDagster() as dagster:
        tags = {"executionMetadata": {"tags": [{"key": "dagster/partition", "value": "videos"}]}}
        dagster.add_run("r1", "scan_library_root", "STARTED", tags)

        def event(kind: str, step: str, message: str) -> dict[str, Any]:
            return {"__typename": kind, "message": message, "stepKey": step}

        dagster.logs["r1"] = [
            event("ExecutionStepStartEvent", "inventory.walk_library_root", "Started step"),
            event("LogMessageEvent", "inventory.walk_library_root", "Walking /v ..."),
            event(
                "LogMessageEvent",
                "parsed_names.parse_names",
                progress_line("parse", 2000, 2000, 4.0),
            ),
            event("LogMessageEvent", "probes.probe_files", progress_line("probe", 800, 2000, 4.0)),
            event("EngineEvent", "probes.probe_files", "probe: 1 of 2 files (50 %)"),
            event("LogMessageEvent", "probes.probe_files", progress_line("probe", 1600, 2000, 8.0)),
        ]
        monkeypatch.setenv(
            "MEDIAVAULT_CONFIG",
            str(ui_settings(tmp_path, refreshed_demo, dagster_url=dagster.url)),
        )
        at = open_page("scans")
        assert_clean(at)
        bars = {p.proto.text: p.value for p in at.get("progress")}  # value: percent
        assert bars == {
            "1 run(s) in progress": 50,
            plain("videos · parse: 2,000 of 2,000 files (100 %), 500 files/s"): 100,
            plain("videos · probe: 1,600 of 2,000 files (80 %), 200 files/s, about 2 s left"): 80,
        }
        # A running scan can be cancelled from here (Dagster's terminateRun).
        next(b for b in at.button if b.label == "Cancel").click().run()
        assert_clean(at)
        assert dagster.cancelled == ["r1"]


def test_banner_while_a_run_writes(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeDagster() as dagster:
        dagster.add_run("r1", "analyze_library", "STARTED")
        config = ui_settings(tmp_path, refreshed_demo, dagster_url=dagster.url)
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
        # The banner comes from shell/main.py, around every page. (AppTest drops what it drew
        # after a switch_page, so look at the first run: the dashboard.)
        at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert_clean(at)
    assert "A Dagster run is writing the warehouse: analyze\\_library" in at.info[0].value


# ---------------------------------------------------------------------------------------------
# Missing or unreadable data: a banner, never a stack trace


@pytest.mark.parametrize("page", PAGES)
def test_no_snapshot_yet_shows_a_banner(
    page: str, tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ui_settings(tmp_path, refreshed_demo, warehouse=tmp_path / "none" / "w.duckdb")
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = open_page(page)
    assert not at.exception
    if page == "settings":  # the settings themselves are still worth showing
        assert "Library roots" in [h.value for h in at.subheader]
    else:
        assert "No library data yet" in at.info[0].value


def test_snapshot_from_an_older_version_shows_a_banner(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "old" / "warehouse.duckdb"
    old = Warehouse(path=str(warehouse))
    old.migrate(up_to=1)  # the foundation only: no probes, no groups, no views
    # As that version published it: a plain copy, without today's snapshot tables.
    shutil.copyfile(warehouse, snapshot_path_for(warehouse))
    monkeypatch.setenv(
        "MEDIAVAULT_CONFIG", str(ui_settings(tmp_path, refreshed_demo, warehouse=warehouse))
    )
    for page in PAGES:
        at = open_page(page)
        assert not at.exception, (page, [e.value for e in at.exception])
    assert "does not have what this page needs" in texts(open_page("duplicates"))


def test_no_settings_file_shows_a_banner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(tmp_path / "missing.yaml"))
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert not at.exception
    assert "No settings file" in at.info[0].value


# ---------------------------------------------------------------------------------------------
# Who is reviewing


def test_users_must_sign_in_and_decisions_carry_their_name(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"username": "alice", "password_hash": auth.hash_password("s3cret", iterations=1000)}]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert at.title[0].value == "MediaVault" and len(at.text_input) == 2
    at.text_input[0].input("alice")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "wrong password" in at.error[0].value
    at.text_input[0].input("alice")
    at.text_input[1].input("s3cret")
    at.button[0].click().run()
    assert at.title[0].value == "Dashboard"
    assert "Reviewer: **alice**" in texts(at)
    assert auth.token_user(at.session_state["media_token"], users_of(config)) == "alice"

    at.switch_page("../pages/compare.py").run()
    next(b for b in at.button if b.label == "Keep Right").click().run()
    # The first group's right file lacks E02 of the left one: confirming carries the name too.
    assert "holds E02" in at.warning[0].value
    next(b for b in at.button if b.label == "Stage anyway").click().run()
    decisions = ReviewStore(tmp_path / "review.sqlite").decisions()
    assert decisions and {d.reviewer for d in decisions.values()} == {"alice"}


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_non_ascii_user_names_never_crash_the_sign_in(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configured non-ASCII name first in the list must not block the users after it."""
    users = [
        {"username": n, "password_hash": auth.hash_password(f"{n}-pw", iterations=1000)}
        for n in ("josé", "bob")
    ]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "Zoë", "ünïcode")
    assert not at.exception and "wrong password" in at.error[0].value
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "bob", "bob-pw")
    assert not at.exception and at.title[0].value == "Dashboard"
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "josé", "josé-pw")
    assert not at.exception and at.title[0].value == "Dashboard"


def test_visitors_never_see_tracebacks() -> None:
    from mediavault_assets.cli import _streamlit_command

    command = _streamlit_command(8501)
    assert command[command.index("--client.showErrorDetails") + 1] == "none"


def test_removing_a_user_or_signing_out_ends_the_session_and_its_media_tokens(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed = auth.hash_password("pw", iterations=1000)
    users = [{"username": n, "password_hash": hashed} for n in ("carol", "dave")]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "carol", "pw")
    assert at.title[0].value == "Dashboard"
    token = at.session_state["media_token"]
    assert auth.token_user(token, users_of(config)) == "carol"
    ui_settings(tmp_path, refreshed_demo, review_users=users[1:])  # carol is removed
    at.run()
    assert at.title[0].value == "MediaVault" and len(at.text_input) == 2  # the sign-in form
    assert auth.token_user(token, users_of(config)) is None
    ui_settings(tmp_path, refreshed_demo, review_users=users)  # back, but the session is over
    assert auth.token_user(token, users_of(config)) is None

    at = sign_in(AppTest.from_file(str(MAIN), default_timeout=60).run(), "dave", "pw")
    token = at.session_state["media_token"]
    assert auth.token_user(token, users_of(config)) == "dave"
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert len(at.text_input) == 2
    assert auth.token_user(token, users_of(config)) is None


def test_failed_sign_ins_back_off_in_the_app(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"username": "erin", "password_hash": auth.hash_password("pw", iterations=1000)}]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    for _ in range(auth.SIGN_IN.free_failures):
        assert "wrong password" in sign_in(at, "erin", "guess").error[0].value
    at = sign_in(at, "erin", "pw")  # even the right password waits now
    assert not at.exception and "Too many failed sign-ins" in at.error[0].value


def _fastest_interleaved(first: Any, second: Any, repeat: int = 5) -> tuple[float, float]:
    """The fastest of a few runs of each, taken in turn so that load on the machine hits both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for check, spent in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            check()
            spent.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def test_unknown_user_names_cost_as_much_as_known_ones() -> None:
    users = [ReviewUser(username="bob", password_hash=auth.hash_password("pw", iterations=200_000))]
    known, unknown = _fastest_interleaved(
        lambda: auth.authenticate(users, "bob", "wrong"),
        lambda: auth.authenticate(users, "mallory", "wrong"),
    )
    # The hole was a ratio of 0.0015; noise on a loaded 2-core box stays well inside 0.5-2.
    assert 0.5 < unknown / known < 2.0, (unknown, known)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_sign_ins_back_off_per_user_and_per_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    users = [ReviewUser(username="bob", password_hash=auth.hash_password("pw", iterations=1000))]
    clock = _Clock()
    guard = auth.SignInGuard(free_failures=3, base_delay_s=1.0, max_delay_s=60.0, clock=clock)
    for _ in range(3):
        assert guard.sign_in(users, "bob", "guess", "192.0.2.1") is None
    assert "failed sign-in as 'bob' from 192.0.2.1" in caplog.text
    with pytest.raises(auth.SignInRefused, match="try again in 1 s"):
        guard.sign_in(users, "bob", "pw", "198.51.100.9")  # the user name waits, from anywhere
    clock.now += 1
    assert guard.sign_in(users, "bob", "guess", "192.0.2.1") is None
    with pytest.raises(auth.SignInRefused, match="try again in 2 s"):  # growing delays
        guard.sign_in(users, "bob", "pw", "192.0.2.1")
    clock.now += 2
    assert guard.sign_in(users, "bob", "pw", "192.0.2.1") == "bob"  # and success resets
    assert guard.sign_in(users, "bob", "guess", "192.0.2.1") is None

    for name in ("ann", "ben", "cat"):  # one client guessing many names waits too
        assert guard.sign_in(users, name, "guess", "203.0.113.5") is None
    with pytest.raises(auth.SignInRefused):
        guard.sign_in(users, "dan", "guess", "203.0.113.5")
    for _ in range(100):  # delays stop growing at the cap
        clock.now += 61
        guard.sign_in(users, "zed", "guess", None)
    with pytest.raises(auth.SignInRefused, match="try again in 60 s"):
        guard.sign_in(users, "zed", "guess", None)


def test_only_one_password_is_verified_at_a_time() -> None:
    """Parallel guesses queue for one KDF slot instead of taking every core of a NAS."""
    heavy = auth.hash_password("pw", iterations=3_000_000)
    users = [ReviewUser(username="bob", password_hash=heavy)]
    guard = auth.SignInGuard(parallel=1, busy_wait_s=0.05)
    first = threading.Thread(target=guard.sign_in, args=(users, "bob", "guess", "192.0.2.1"))
    first.start()
    time.sleep(0.1)
    try:
        with pytest.raises(auth.SignInRefused, match="at once"):
            guard.sign_in(users, "bob", "guess", "192.0.2.2")
    finally:
        first.join()


def test_refuses_to_serve_beyond_loopback_without_users(app_config: Path) -> None:
    st_config.set_option("server.address", "0.0.0.0")
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert "only serves 127.0.0.1" in at.error[0].value
    assert not at.dataframe and not at.metric


def test_hash_password_command_reads_a_piped_password() -> None:
    command = [sys.executable, "-m", "mediavault_assets.cli", "hash-password"]
    made = subprocess.run(command, input="s3cret pass\n", capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert auth.verify_password("s3cret pass", made.stdout.strip())
    ReviewUser(username="alice", password_hash=made.stdout.strip())
    empty = subprocess.run(command, input="", capture_output=True, text=True)
    assert empty.returncode == 2 and "empty" in empty.stderr and not empty.stdout


def test_password_hashes_and_tokens(tmp_path: Path) -> None:
    encoded = auth.hash_password("correct horse", iterations=1000)
    assert encoded.startswith("pbkdf2_sha256$1000$")
    ReviewUser(username="x", password_hash=encoded)  # the settings schema accepts it
    assert auth.verify_password("correct horse", encoded)
    assert not auth.verify_password("correct hors", encoded)
    assert not auth.verify_password("x", "md5$1$00$00") and not auth.verify_password("x", "junk")
    assert auth.hash_password("same") != auth.hash_password("same")  # salted
    users = [ReviewUser(username="bob", password_hash=encoded)]
    assert auth.authenticate(users, "bob", "correct horse") == "bob"
    assert auth.authenticate(users, "eve", "correct horse") is None
    colons = UserStore(tmp_path / "review.sqlite")
    colons.sync_settings_users([ReviewUser(username="bob:with:colons", password_hash=encoded)])
    token = auth.media_token(
        colons, auth.start_session(colons, "bob:with:colons"), "bob:with:colons", now=1000.0
    )
    assert token is not None
    assert auth.token_user(token, colons, now=1001.0) == "bob:with:colons"
    assert auth.token_user(token, colons, now=1000.0 + auth.TOKEN_TTL_SECONDS + 1) is None
    assert auth.token_user(token.replace("bob", "eve"), colons, now=1001.0) is None
    assert auth.token_user("1:a:b", colons) is None and auth.token_user(None, colons) is None
    assert auth.is_loopback("127.0.0.1") and auth.is_loopback("::1")
    assert not auth.is_loopback("0.0.0.0") and not auth.is_loopback(None)


# ---------------------------------------------------------------------------------------------
# Small pure parts


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("[click](javascript:alert(1))", r"\[click\]\(javascript\:alert\(1\)\)"),
        ("![x](http://evil/x.png)", r"\!\[x\]\(http\://evil/x\.png\)"),
        (":red[alarm] <b>bold</b>", r"\:red\[alarm\] \<b\>bold\</b\>"),
        ("Movie_Name*2*.mkv", r"Movie\_Name\*2\*\.mkv"),
    ],
)
def test_plain_makes_names_inert_in_markdown(name: str, escaped: str) -> None:
    assert ui.plain(name) == escaped


def test_comparison_marks_the_better_side() -> None:
    base = {
        "quality_score": 100.0,
        "resolution": "1920x1080",
        "width": 1920,
        "height": 1080,
        "hdr_type": None,
        "video_codec": "h264",
        "bitrate": 8000,
        "framerate": 24.0,
        "audio_codec": "aac",
        "audio_channels": 6.0,
        "audio_track_count": 1,
        "audio_languages": ["en"],
        "has_english_audio": True,
        "subtitle_languages": ["en"],
        "has_english_subtitles": True,
        "duration": 100.0,
        "file_size": 10,
        "format": "mkv",
        "edition": None,
        "release_group": None,
        "problem": None,
        "root_key": "a",
        "relative_path": "a.mkv",
    }
    other = {
        **base,
        "quality_score": 150.0,
        "resolution": "3840x2160",
        "width": 3840,
        "height": 2160,
        "hdr_type": "HDR10",
        "video_codec": "hevc",
        "audio_languages": ["fr"],
        "has_english_audio": False,
        "problem": "truncated",
    }
    rows = {r.attribute: r for r in comparison.compare(base, other)}
    assert rows["Quality score"].better == "right" and rows["Resolution"].better == "right"
    assert rows["HDR"].better == "right" and rows["Video codec"].better == "right"
    assert rows["Audio languages"].better == "left" and rows["Problem"].better == "left"
    assert rows["Bitrate"].better is None and not rows["Bitrate"].differs
    assert rows["Size"].better is None


@pytest.mark.parametrize(
    ("facts", "playable"),
    [
        (media.MediaFacts("mkv", "h264", "aac"), True),
        (media.MediaFacts("webm", "vp9", "opus"), True),
        (media.MediaFacts("mkv", "av1", "opus"), True),
        (media.MediaFacts("mp4", "h264", None), True),
        (media.MediaFacts("mkv", "hevc", "eac3"), False),
        (media.MediaFacts("mkv", "h264", "ac3"), False),
        (media.MediaFacts("avi", "mpeg4", "mp3"), False),
        (media.MediaFacts("mpegts", "mpeg2", "ac3"), False),
        (media.MediaFacts(None, None, None), False),
    ],
)
def test_what_chromium_plays(facts: media.MediaFacts, playable: bool) -> None:
    assert media.browser_can_play(facts) is playable


def test_graphql_documents_match_dagsters_schema() -> None:
    from dagster_graphql.schema import create_schema

    schema = create_schema().graphql_schema
    for document in (
        dagster_api.REPOSITORIES_QUERY,
        dagster_api.LAUNCH_RUN_MUTATION,
        dagster_api.RUNS_QUERY,
        dagster_api.RUN_LOG_QUERY,
        dagster_api.TERMINATE_RUN_MUTATION,
        dagster_api.ADD_PARTITION_MUTATION,
    ):
        assert validate(schema, parse(document)) == []


def test_dagster_client_errors_are_plain() -> None:
    client = dagster_api.DagsterClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(dagster_api.DagsterUnavailable, match="not reachable"):
        client.runs()
    with (
        FakeDagster() as dagster,
        pytest.raises(dagster_api.DagsterError, match="no job 'purge_everything'"),
    ):
        dagster_api.DagsterClient(dagster.url).launch("purge_everything")
