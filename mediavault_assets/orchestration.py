"""Running the asset graph in-process against the Dagster instance of DAGSTER_HOME.

Used by the CLI (`mediavault refresh`, `mediavault demo`) so its runs show in the Dagster UI.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dagster as dg

from mediavault_assets.defs.partitions import sync_library_roots
from mediavault_assets.domain.scan_modes import DEFAULT_MODE, folders_tag
from mediavault_assets.pool_wait import PoolWait
from mediavault_assets.run_recovery import settle_dead_runs, this_process_tags
from mediavault_assets.run_tags import ORIGIN_TAG, SCAN_MODE_TAG, SCAN_PATHS_TAG, TRIGGER_TAG
from mediavault_assets.settings import CONFIG_ENV, Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@cache
def load_definitions() -> dg.Definitions:
    # Loading consults the "current" defs-state storage, a context variable that can still point
    # at a closed instance after an earlier `with instance:`; MediaVault keeps no defs state.
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    # Dagster copies every sensor with its own beta `owners` argument; not ours to act on.
    warnings.filterwarnings("ignore", message="Parameter `owners`", category=dg.BetaWarning)
    with set_defs_state_storage(None):
        return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)


def prepare_dagster_home(default: Path) -> Path:
    """DAGSTER_HOME, defaulting to `default`, holding the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or default).resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass(frozen=True)
class RunOutcome:
    job: str
    partition: str | None
    run_id: str
    success: bool
    summary: str
    output: object = None  # the single op's output, for op jobs (stage, restore, purge)


def refresh(
    settings: Settings,
    config_file: Path,
    *,
    roots: list[str] | None = None,
    mode: str = DEFAULT_MODE,
    folders: Mapping[str, Sequence[str]] | None = None,
    trigger: str = "manual",
    echo: Callable[[str], None] = print,
) -> list[RunOutcome]:
    """Scan each requested root (one run per partition), then analyze the whole library.

    `mode` is incremental or full; `folders` (root key → root-relative folders) makes path
    scans of those roots only (see mediavault_assets/domain/scan_modes.py).
    """
    os.environ[CONFIG_ENV] = str(config_file)
    load_definitions.cache_clear()
    defs = load_definitions()
    outcomes: list[RunOutcome] = []
    wait_seconds = settings.pool_wait_seconds
    with dg.DagsterInstance.get() as instance:
        added, removed = sync_library_roots(instance, settings.root_keys)
        if added or removed:
            echo(f"Library roots: added {added or '-'}, removed {removed or '-'}")
        for key in list(folders or {}) or roots or settings.root_keys:
            scanned = (folders or {}).get(key, ())
            where = ", ".join(scanned) if scanned else settings.root(key).path
            echo(f"Scanning root '{key}' ({where}; {mode}) ...")
            tags = {SCAN_MODE_TAG: mode}
            if scanned:
                tags[SCAN_PATHS_TAG] = folders_tag(scanned)
            outcome = _run(
                defs,
                "scan_library_root",
                instance,
                key,
                trigger,
                wait_seconds,
                echo=echo,
                tags=tags,
            )
            outcomes.append(outcome)
            echo(f"  {outcome.summary}")
        echo("Analyzing the library (hashes, duplicate groups, deletion plan) ...")
        outcome = _run(defs, "analyze_library", instance, None, trigger, wait_seconds, echo=echo)
        outcomes.append(outcome)
        echo(f"  {outcome.summary}")
    return outcomes


def run_job(
    config_file: Path,
    job_name: str,
    *,
    op_config: dict[str, dict] | None = None,
    trigger: str = "manual",
    echo: Callable[[str], None] = print,
) -> RunOutcome:
    """Run one job in-process against the instance of DAGSTER_HOME (stage, restore, purge)."""
    os.environ[CONFIG_ENV] = str(config_file)
    load_definitions.cache_clear()
    wait_seconds = load_settings(config_file).pool_wait_seconds
    with dg.DagsterInstance.get() as instance:
        return _run(
            load_definitions(), job_name, instance, None, trigger, wait_seconds, op_config, echo
        )


def _run(
    defs: dg.Definitions,
    job_name: str,
    instance: dg.DagsterInstance,
    partition: str | None,
    trigger: str,
    pool_wait_seconds: float,
    op_config: dict[str, dict] | None = None,
    echo: Callable[[str], None] = print,
    tags: Mapping[str, str] | None = None,
) -> RunOutcome:
    job = defs.resolve_job_def(job_name)
    # A run killed earlier must not keep the warehouse pool from this one.
    settle_dead_runs(instance, echo=echo)
    run_id = str(uuid.uuid4())
    with PoolWait(instance, run_id, pool_wait_seconds, echo) as wait:
        try:
            result = job.execute_in_process(
                instance=instance,
                run_config={
                    "loggers": {"console": {"config": {"log_level": "INFO"}}},
                    **(
                        {"ops": {op: {"config": c} for op, c in op_config.items()}}
                        if op_config
                        else {}
                    ),
                },
                partition_key=partition,
                run_id=run_id,
                tags={
                    TRIGGER_TAG: trigger,
                    ORIGIN_TAG: "cli",
                    **(tags or {}),
                    **this_process_tags(),
                },
                raise_on_error=False,
            )
        except KeyboardInterrupt:
            if not wait.gave_up:
                raise
            result = None
    if result is None or wait.gave_up:
        return RunOutcome(job_name, partition, run_id, False, wait.message)
    lines = []
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        facts = ", ".join(
            f"{k}={v.value}"
            for k, v in materialization.metadata.items()
            if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        )
        lines.append(f"{materialization.asset_key.to_user_string()}: {facts or 'done'}")
    if not result.success:
        failures = [
            f"{e.step_key}: {e.step_failure_data.error.message.strip()}"
            for e in result.get_step_failure_events()
            if e.step_failure_data.error
        ]
        lines.append("FAILED " + "; ".join(failures))
    nodes = job.graph.node_names()
    output = result.output_for_node(nodes[0]) if result.success and len(nodes) == 1 else None
    return RunOutcome(
        job_name,
        partition,
        result.run_id,
        result.success,
        "\n  ".join(lines) or ("ok" if result.success else "failed"),
        output,
    )
