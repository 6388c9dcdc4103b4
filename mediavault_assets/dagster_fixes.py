"""A fix for a Dagster bug MediaVault depends on not having: a step waiting for a pool slot spins.

`InstanceConcurrencyContext.interval_to_next_pending_claim_check` returns `min([0, ...])`, never
more than 0, so an executor waiting for a slot of the "duckdb" pool never sleeps: it re-reads the
concurrency tables in a tight loop at 100 % of a CPU (dagster-io/dagster PR 20367 saw it and was
closed unmerged; still so in 1.13). The intended value is the time until the next claim check is
due. Applied when the code location loads, so CLI, daemon and webserver runs all get it.
"""

from __future__ import annotations

import time

from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext


def _interval_to_next_pending_claim_check(self: InstanceConcurrencyContext) -> float:
    if not self._pending_claims:
        return 0.0
    waiting = [self._pending_timeouts.get(key) for key in self._pending_claims]
    if any(ready_at is None for ready_at in waiting):
        return 0.0  # a step not tried yet: try it now
    return max(0.0, min(waiting) - time.time())  # type: ignore[type-var]


def apply() -> None:
    """Install the fix once (idempotent)."""
    InstanceConcurrencyContext.interval_to_next_pending_claim_check = (  # type: ignore[method-assign]
        _interval_to_next_pending_claim_check
    )
