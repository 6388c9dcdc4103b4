"""Probe rate against the mediainfo CLI on the same random video files (prints figures).

Usage (from the project root; needs the Debian package mediainfo):
    .venv/bin/python benchmarks/bench_probe.py /tmp/scale20k/volume1 [--files 2000] [--seed 1]

Both sides are warmed once over all the files, then timed in alternation for --rounds rounds;
the figures are the median round of each, and the ratio is mediainfo's time per file over ours
(> 1 means the probe is faster). The CLI runs as bench_scale's anchor runs it: 200 files a call.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from bench_scale import anchor_mediainfo  # benchmarks/ is the script's directory

from mediavault_assets.media.probe import PROBE_PROCESSES, PROBE_THREADS, probe_many

VIDEO_SUFFIXES = {".mkv", ".mp4", ".m4v", ".mov", ".avi", ".ts", ".m2ts", ".wmv", ".webm"}


def ours(paths: list[Path], threads: int, processes: int) -> float:
    started = time.perf_counter()
    for _ in probe_many(paths, threads=threads, processes=processes):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=PROBE_THREADS)
    parser.add_argument("--processes", type=int, default=PROBE_PROCESSES, help="1: threads only")
    args = parser.parse_args()
    found = sorted(p for p in args.root.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES)
    paths = random.Random(args.seed).sample(found, min(args.files, len(found)))
    print(f"{len(paths)} of {len(found)} video files; load {os.getloadavg()[0]:.2f}", flush=True)
    anchor_mediainfo(paths)
    ours(paths, args.threads, args.processes)
    times: dict[str, list[float]] = {"probe": [], "mediainfo": []}
    for _ in range(args.rounds):
        times["probe"].append(ours(paths, args.threads, args.processes))
        times["mediainfo"].append(anchor_mediainfo(paths))
    probe_s, cli_s = (statistics.median(times[k]) for k in ("probe", "mediainfo"))
    print(
        f"probe_many ({args.threads} threads, {args.processes} processes): "
        f"{len(paths) / probe_s:.0f} files/s; "
        f"mediainfo CLI: {len(paths) / cli_s:.0f} files/s; ratio {cli_s / probe_s:.2f}x; "
        f"rounds probe {[round(t, 2) for t in times['probe']]} "
        f"mediainfo {[round(t, 2) for t in times['mediainfo']]}; "
        f"load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
