"""Progress of long steps: "probe: 1,200 of 2,009 files (59 %), 240 files/s, about 3 s left".

The line goes to the run's log every few seconds, so the CLI (which prints the run's log), the
Dagster UI and the review app's Scans page (which reads the run's log through the webserver)
all show the same thing. `read_progress` is the Scans page's half of that format.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from mediavault_assets.presentation import human_bytes

LOG_EVERY_SECONDS = 5.0
_LINE = re.compile(r"^(?P<stage>[a-z][a-z ]*): .+ \((?P<percent>\d{1,3}) %\)")


class _Log(Protocol):
    def info(self, msg: str) -> None: ...


class _Context(Protocol):
    @property
    def log(self) -> _Log: ...


@dataclass(frozen=True)
class StageProgress:
    stage: str
    percent: int
    line: str


def progress_line(
    stage: str, done: float, total: float, elapsed: float, unit: str = "files"
) -> str:
    """One progress line; `unit` "bytes" prints sizes, anything else counts."""
    amount = human_bytes if unit == "bytes" else (lambda n: f"{n:,.0f}")
    percent = min(100, int(100 * done / total)) if total else 100
    text = f"{stage}: {amount(done)} of {amount(total)}"
    text += "" if unit == "bytes" else f" {unit}"
    text += f" ({percent} %)"
    if done and elapsed > 0:
        rate = done / elapsed
        text += f", {amount(rate)}/s" if unit == "bytes" else f", {rate:,.0f} {unit}/s"
        if done < total:
            text += f", about {_duration((total - done) / rate)} left"
    return text


def read_progress(message: str) -> StageProgress | None:
    """The stage and percentage of a progress line; None for any other log message."""
    match = _LINE.match(message)
    if match is None:
        return None
    return StageProgress(match["stage"], int(match["percent"]), message)


class Progress:
    """Logs a progress line at most every few seconds (and at the end) of a long step."""

    def __init__(
        self,
        context: _Context,
        stage: str,
        total: float,
        unit: str = "files",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.context, self.stage, self.total, self.unit, self.clock = (
            context,
            stage,
            total,
            unit,
            clock,
        )
        self.started = self.last = clock()

    def __call__(self, done: float, total: float | None = None) -> None:
        total = self.total if total is None else total
        now = self.clock()
        if now - self.last >= LOG_EVERY_SECONDS or done >= total:
            self.last = now
            self.context.log.info(
                progress_line(self.stage, done, total, now - self.started, self.unit)
            )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
