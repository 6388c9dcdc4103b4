"""Staging: move approved files out of the library, restore them, purge them (see engine.py)."""

from mediavault_assets.staging.engine import (
    MANIFEST_SUFFIX,
    Outcome,
    StageRequest,
    purge,
    recover,
    restore,
    stage,
)
from mediavault_assets.staging.journal import (
    Member,
    Operation,
    StagingBusyError,
    StagingJournal,
)

__all__ = [
    "MANIFEST_SUFFIX",
    "Member",
    "Operation",
    "Outcome",
    "StageRequest",
    "StagingBusyError",
    "StagingJournal",
    "purge",
    "recover",
    "restore",
    "stage",
]
