"""Resources other than the warehouse: the settings file and the environment's secrets."""

from __future__ import annotations

import dagster as dg

from mediavault_assets.run_recovery import record_worker
from mediavault_assets.settings import Secrets, Settings, load_secrets, load_settings


class MediaVaultSettings(dg.ConfigurableResource):
    """The settings file (MEDIAVAULT_CONFIG); loaded and validated when a run starts."""

    config_path: str

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        record_worker(context)

    def load(self) -> Settings:
        from pathlib import Path

        return load_settings(Path(self.config_path))

    def secrets(self) -> Secrets:
        return load_secrets()
