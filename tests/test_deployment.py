"""The docker-compose deployment (validated by parsing: no Docker engine here) and the
PostgreSQL-backed Dagster instance it uses (exercised for real on 127.0.0.1:5432)."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import yaml

from mediavault_assets.defs.ingest.assets import inventory
from mediavault_assets.defs.partitions import library_roots
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.run_recovery import WORKER_TAG, Worker, settle_dead_runs
from mediavault_assets.warehouse import Warehouse

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _mount_target(volume: str) -> str:
    parts = volume.split(":")
    return parts[-2] if parts[-1] in ("ro", "rw") else parts[-1]


def test_compose_services_and_wiring() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "dagster-code",
        "dagster-webserver",
        "dagster-daemon",
        "review-app",
    }
    workspace = yaml.safe_load((ROOT / "deploy" / "workspace.yaml").read_text())
    grpc = workspace["load_from"][0]["grpc_server"]
    code = services["dagster-code"]
    assert grpc["host"] == "dagster-code"
    assert (
        str(grpc["port"]) in code["command"] and "mediavault_assets.definitions" in code["command"]
    )
    for name in ("dagster-code", "dagster-webserver", "dagster-daemon", "review-app"):
        service = services[name]
        assert service["build"] == "."
        env = service["environment"]
        assert env["DAGSTER_PG_HOST"] == "postgres"
        assert env["MEDIAVAULT_CONFIG"].startswith("/config/")
        mounts = [_mount_target(v) for v in service["volumes"]]
        # Runs execute where the NAS shares, settings and warehouse are mounted.
        assert {"/config", "/data", "/volume1/videos", "/volume1/docker"} <= set(mounts)
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{port} must bind to loopback on the host"
    assert services["dagster-webserver"]["depends_on"] == ["dagster-code"]
    assert services["dagster-code"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_holds_no_secret_values() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for match in re.finditer(r"(KEY|TOKEN|PASSWORD): (.+)", text):
        assert match.group(2).startswith("${"), f"{match.group(0)} must come from the environment"


def test_dockerfile_copies_what_exists() -> None:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def test_deploy_instance_config_uses_postgres_from_environment() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    db = config["storage"]["postgres"]["postgres_db"]
    assert all(isinstance(v, dict) and "env" in v for v in db.values())
    assert config["telemetry"]["enabled"] is False
    assert config["concurrency"]["pools"]["default_limit"] == 1


@pytest.fixture
def postgres_db():  # type: ignore[no-untyped-def]
    name = f"mediavault_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg2.connect(dbname="postgres", **PG)
    except psycopg2.OperationalError as error:  # pragma: no cover - the machine runs PostgreSQL
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test: {error}")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_materializes_against_a_postgres_backed_instance(
    tmp_path: Path,
    postgres_db: str,
    config_file: Path,
    library_dirs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (library_dirs["videos"] / "Movie (2001).mkv").write_bytes(b"x" * 100)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    for key, value in {
        "DAGSTER_PG_USERNAME": "postgres",
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_DB": postgres_db,
        "DAGSTER_PG_PORT": "5432",
    }.items():
        monkeypatch.setenv(key, value)
    settings_path = str(config_file)
    warehouse_path = str(tmp_path / "data" / "warehouse.duckdb")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert "Postgres" in type(instance.run_storage).__name__
        instance.add_dynamic_partitions(library_roots.name, ["videos"])
        result = dg.materialize(
            [inventory],
            partition_key="videos",
            instance=instance,
            resources={
                "settings": MediaVaultSettings(config_path=settings_path),
                "warehouse": Warehouse(path=warehouse_path),
            },
        )
        assert result.success
        runs = instance.get_runs()
        assert [r.run_id for r in runs] == [result.run_id]
        # The run recorded its worker (this process), so a crash of it could be settled.
        worker = Worker.decode(runs[0].tags.get(WORKER_TAG))
        assert worker is not None and worker.pid == os.getpid() and not worker.gone()
        assert settle_dead_runs(instance) == []
    with psycopg2.connect(dbname=postgres_db, **PG) as con, con.cursor() as cur:
        cur.execute("SELECT count(*) FROM runs")
        assert cur.fetchone()[0] == 1
    rows = Warehouse(path=warehouse_path).frame("SELECT relative_path FROM inventory_files")
    assert rows["relative_path"].to_list() == ["Movie (2001).mkv"]


def test_the_dagster_webserver_is_reachable_only_by_the_app_unless_published_on_purpose() -> None:
    """It has no sign-in and can launch purges: by default only the compose network (the review
    app) reaches it; deploy/dagster-ui.yml publishes it on the host's loopback, nowhere else."""
    webserver = _compose()["services"]["dagster-webserver"]
    assert "ports" not in webserver and webserver["expose"] == ["3000"]
    override = yaml.safe_load((ROOT / "deploy" / "dagster-ui.yml").read_text())
    [published] = override["services"]["dagster-webserver"]["ports"]
    assert published.startswith("127.0.0.1:") and published.endswith(":3000")
    assert "dagster-ui.yml" in (ROOT / "README.md").read_text()
