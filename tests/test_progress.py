"""Progress lines: what the CLI, the Dagster run log and the Scans page show of a long step."""

from __future__ import annotations

from dataclasses import dataclass, field

from mediavault_assets.progress import Progress, progress_line, read_progress


@dataclass
class _Log:
    lines: list[str] = field(default_factory=list)

    def info(self, msg: str) -> None:
        self.lines.append(msg)


@dataclass
class _Context:
    log: _Log = field(default_factory=_Log)


def test_a_line_tells_done_total_rate_and_time_left() -> None:
    line = progress_line("probe", 1200, 2009, elapsed=5.0)
    assert line == "probe: 1,200 of 2,009 files (59 %), 240 files/s, about 3 s left"
    assert progress_line("hash", 3 << 30, 4 << 30, elapsed=10.0, unit="bytes") == (
        "hash: 3.0 GB of 4.0 GB (75 %), 307.2 MB/s, about 3 s left"
    )
    assert "left" not in progress_line("probe", 10, 10, elapsed=2.0)
    assert progress_line("probe", 0, 0, elapsed=0.0) == "probe: 0 of 0 files (100 %)"
    assert "about 27 min left" in progress_line("probe", 3000, 100_000, elapsed=50.0)
    assert "about 2.8 h left" in progress_line("probe", 1000, 100_000, elapsed=100.0)


def test_the_scans_page_reads_back_stage_and_percentage() -> None:
    line = progress_line("tmdb", 3, 12, elapsed=1.0, unit="titles")
    progress = read_progress(line)
    assert progress is not None
    assert (progress.stage, progress.percent, progress.line) == ("tmdb", 25, line)
    assert read_progress("Walking /volume1/videos ...") is None
    assert read_progress("probe: 12 files (kind of)") is None


def test_logs_at_most_every_few_seconds_and_always_at_the_end() -> None:
    now = [0.0]
    context = _Context()
    progress = Progress(context, "probe", 100, clock=lambda: now[0])
    for done in range(1, 101):
        now[0] = done * 0.2  # 5 files a second: a line every 5 s is every 25 files
        progress(done)
    lines = context.log.lines
    assert [read_progress(x).percent for x in lines] == [25, 50, 75, 100]  # type: ignore[union-attr]
    assert lines[0] == "probe: 25 of 100 files (25 %), 5 files/s, about 15 s left"
