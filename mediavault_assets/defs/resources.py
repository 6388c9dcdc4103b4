"""Resources bound for every asset, job, sensor and schedule of the code location."""

import dagster as dg

from mediavault_assets import dagster_fixes
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import config_path, load_settings
from mediavault_assets.warehouse import Warehouse

# Loaded with the code location: every run, sensor and CLI command gets the fix.
dagster_fixes.apply()


@dg.definitions
def resources() -> dg.Definitions:
    # Loading here makes a broken settings file fail at start, naming the key and the problem.
    path = config_path()
    settings = load_settings(path)
    return dg.Definitions(
        resources={
            "settings": MediaVaultSettings(config_path=str(path)),
            "warehouse": Warehouse(path=str(settings.warehouse_path)),
        }
    )
