"""Shared fixtures: temporary settings and warehouse; the demo library, refreshed once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from mediavault_assets.cli import demo_settings
from mediavault_assets.demo.demo_library import DemoRecord, generate_demo_library
from mediavault_assets.orchestration import RunOutcome, prepare_dagster_home, refresh
from mediavault_assets.settings import Settings, load_settings, write_settings
from mediavault_assets.warehouse import Warehouse


def pytest_configure(config: pytest.Config) -> None:
    # Tests never reach real APIs: a developer's own keys must not leak into a test run.
    for name in list(os.environ):
        if name.startswith(("TMDB_", "OPENAI_", "AZURE_OPENAI_", "AZURE_DEPLOYMENT_")):
            del os.environ[name]


def write_config(tmp_path: Path, roots: dict[str, Path], **overrides: object) -> Path:
    data: dict[str, object] = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(tmp_path / "staging"),
        "library_roots": [
            {"key": key, "path": str(path), "media_type": "mixed"} for key, path in roots.items()
        ],
        **overrides,
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def library_dirs(tmp_path: Path) -> dict[str, Path]:
    roots = {"videos": tmp_path / "volume1" / "videos", "docker": tmp_path / "volume1" / "docker"}
    for path in roots.values():
        path.mkdir(parents=True)
    return roots


@pytest.fixture
def config_file(
    tmp_path: Path, library_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = write_config(tmp_path, library_dirs)
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(path))
    return path


@pytest.fixture
def settings(config_file: Path) -> Settings:
    return load_settings(config_file)


@pytest.fixture
def warehouse(settings: Settings) -> Warehouse:
    w = Warehouse(path=str(settings.warehouse_path))
    w.migrate()
    return w


@dataclass
class Refreshed:
    record: DemoRecord
    settings: Settings
    library: Path
    home: Path
    first: list[RunOutcome]
    second: list[RunOutcome]

    def query(self, sql: str) -> pl.DataFrame:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.sql(sql).pl()

    def file(self, root: str, relative_path: str) -> dict:
        rows = self.query(
            f"SELECT * FROM media_files WHERE root_key = '{root}' "
            f"AND relative_path = '{relative_path.replace(chr(39), chr(39) * 2)}'"
        )
        assert rows.height == 1, (root, relative_path)
        return rows.row(0, named=True)


@pytest.fixture(scope="session")
def refreshed_demo(tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    base = tmp_path_factory.mktemp("demo")
    library = base / "library"
    record = generate_demo_library(library)
    config = write_settings(demo_settings(library), base / "mediavault.yaml")
    settings = load_settings(config)
    previous_home = os.environ.pop("DAGSTER_HOME", None)
    try:
        home = prepare_dagster_home(base / "dagster_home")
        first = refresh(settings, config, trigger="demo", echo=lambda _: None)
        second = refresh(settings, config, trigger="manual", echo=lambda _: None)
    finally:
        os.environ.pop("DAGSTER_HOME", None)
        if previous_home:
            os.environ["DAGSTER_HOME"] = previous_home
    return Refreshed(record, settings, library, home, first, second)
