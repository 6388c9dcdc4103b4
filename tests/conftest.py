"""Shared fixtures: a temporary settings file and warehouse for real Dagster materializations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.warehouse import Warehouse


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
