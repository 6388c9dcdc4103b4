"""What MediaVault tells a person unprompted (seed 002's open question on notifications): new
duplicate groups after a scan, staged files due for purge, a run that failed. Pure: the text of
each message; notifications.py sends them and remembers what was sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mediavault_assets.presentation import human_bytes

NoticeKind = Literal["new_duplicates", "purge_due", "run_failed"]
# Apprise's message types (an Apprise API server's /notify takes them as they are).
NoticeType = Literal["info", "success", "warning", "failure"]
_LISTED = 5


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    type: NoticeType
    title: str
    body: str

    def payload(self) -> dict[str, str]:
        """A JSON body a plain webhook and an Apprise API server both take."""
        return {"title": self.title, "body": self.body, "type": self.type, "kind": self.kind}


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def new_duplicates(names: Sequence[str], reclaimable_bytes: int) -> Notice:
    count = len(names)
    return Notice(
        "new_duplicates",
        "info",
        f"MediaVault: {count} new duplicate group{'s' if count != 1 else ''}",
        f"{_listed(names)}. Up to {human_bytes(reclaimable_bytes)} could be reclaimed; "
        "review them in the app before anything is staged.",
    )


def purge_due(paths: Sequence[str], total_bytes: int, retention_days: int) -> Notice:
    count = len(paths)
    return Notice(
        "purge_due",
        "warning",
        f"MediaVault: {count} staged file{'s' if count != 1 else ''} due for purge",
        f"{_listed(paths)} ({human_bytes(total_bytes)}) have been in staging for more than "
        f"{retention_days} days. Restore what you want to keep before the purge.",
    )


def run_failed(job: str, partition: str | None, run_id: str, error: str | None) -> Notice:
    where = f" for root '{partition}'" if partition else ""
    reason = (error or "no error message").strip().splitlines()[0][:300]
    return Notice(
        "run_failed",
        "failure",
        f"MediaVault: {job} failed{where}",
        f"Run {run_id[:8]} failed: {reason}. Nothing was lost; see the Dagster UI.",
    )
