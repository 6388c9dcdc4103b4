"""Watching an in-process run wait for the warehouse pool: say who holds it, and give up in time.

Dagster queues a step for a pool slot silently. While this process's run waits, a background
thread settles runs that died holding the slot, tells the console and the run's log in the
Dagster UI which run holds it and since when, and after `wait_seconds` interrupts the run with a
clear message instead of letting it wait for ever.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from types import TracebackType

import dagster as dg

from mediavault_assets.run_recovery import pool_holders, settle_dead_runs
from mediavault_assets.warehouse import POOL

POLL_SECONDS = 2.0
REPEAT_SECONDS = 60.0


class PoolWait:
    """Context manager around `execute_in_process` of run `run_id`."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        wait_seconds: float,
        echo: Callable[[str], None],
    ) -> None:
        self._instance = instance
        self._run_id = run_id
        self._wait_seconds = wait_seconds
        self._echo = echo
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="pool-wait", daemon=True)
        self._runner = threading.get_ident()
        self.gave_up = False
        self.message = ""

    def __enter__(self) -> PoolWait:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def _waiting(self) -> bool:
        info = self._instance.event_log_storage.get_concurrency_info(POOL)
        return any(
            p.run_id == self._run_id and p.assigned_timestamp is None for p in info.pending_steps
        ) and all(s.run_id != self._run_id for s in info.claimed_slots)

    def _watch(self) -> None:
        since: float | None = None
        told = 0.0
        while not self._done.wait(POLL_SECONDS):
            if not self._waiting():
                since = None
                continue
            now = time.monotonic()
            if since is None:
                since, told = now, 0.0
                # The holder may have died since this run started.
                if settle_dead_runs(self._instance, echo=self._echo):
                    continue
            holders = pool_holders(self._instance, exclude=self._run_id)
            held_by = "; ".join(h.describe() for h in holders) or "another run"
            if now - since >= self._wait_seconds:
                self.message = (
                    f"gave up after waiting {self._wait_seconds:.0f}s for the warehouse: "
                    f"{held_by}. If that run is stuck, `mediavault doctor` shows what to do; "
                    "pool_wait_seconds in the settings sets how long to wait."
                )
                self._tell(self.message)
                self.gave_up = True
                # Interrupt the waiting run in its thread, as Ctrl-C would: Dagster ends it and
                # frees its queued steps. (A SIGINT is held back by Dagster while steps wait.)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._runner), ctypes.py_object(KeyboardInterrupt)
                )
                return
            if now - told >= REPEAT_SECONDS or told == 0.0:
                told = now
                left = self._wait_seconds - (now - since)
                self._tell(f"Waiting for the warehouse: {held_by} (giving up in {left:.0f}s)")

    def _tell(self, message: str) -> None:
        self._echo(message)
        run = self._instance.get_run_by_id(self._run_id)
        if run is not None:
            self._instance.report_engine_event(message, run)
