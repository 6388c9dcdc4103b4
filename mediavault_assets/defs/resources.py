"""Resources bound for every asset, job, sensor and schedule of the code location."""

import dagster as dg

from mediavault_assets import dagster_fixes
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import config_path, load_settings
from mediavault_assets.warehouse import Warehouse

# A step process of the multiprocess executor imports Dagster, DuckDB and polars again (1–3 s
# a step on 2 cores, a dozen steps a scan); in one process a scan starts walking in seconds.
EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}

# Loaded with the code location: every run, sensor and CLI command gets the fix.
dagster_fixes.apply()


@dg.definitions
def resources() -> dg.Definitions:
    # Loading here makes a broken settings file fail at start, naming the key and the problem.
    path = config_path()
    settings = load_settings(path)
    return dg.Definitions(
        executor=EXECUTORS[settings.run_executor],
        resources={
            "settings": MediaVaultSettings(config_path=str(path)),
            "warehouse": Warehouse(path=str(settings.warehouse_path)),
        },
    )
