"""A whole refresh of a realistic N-file library, stage by stage, next to the tools people know.

Usage (from the project root; needs the Debian packages mediainfo and jdupes):

    nice .venv/bin/python benchmarks/bench_scale.py [--files 20000] [--dir DIR] [--keep]
                                                    [--seed 1] [--json PATH] [--no-launch]
                                                    [--anchor-sample N]

It writes two library roots of --files real video files (tiny PyAV clips: a few base clips
encoded once, each file made distinct by a trailing Matroska Void element or MP4 `free` box of
its own random bytes and length, so every file is a valid container with content of its own):
TV shows in seasons (folder and scene names), movies in folders, other resolutions of the same
title, editions, extras, samples, stacked parts, exact copies in a backup folder, hardlinks from
a downloads folder, truncated, empty and not-a-video files, sidecars (.srt, .nfo, posters) and
NAS clutter (@eaDir thumbnails, #recycle copies, .DS_Store). Then, in one run:

  1. a first `mediavault refresh` (a fresh process, as a person would run it);
  2. a no-change refresh;
  3. a refresh after 1 % of the files changed (rewritten) or were added (new files and copies);
  4. the anchors on the same files: the `mediainfo` CLI over every video path (batched, its
     fastest use), plain `guessit` over every path in one process, `jdupes -r` over both roots
     (warm: the tree was just written and read); --anchor-sample N times mediainfo and guessit
     on N random files instead (their ratios compare per-file rates);
  5. with --launch (default): how long a scan started through the Dagster webserver (as the
     review app's Scans page does) takes to begin walking, with `dagster dev` on 127.0.0.1.

Per-stage seconds come from Dagster's own step timings of each run; files/s divide the files
that stage handled. Peak memory is each process's VmHWM (its own peak RSS), read from /proc
while it runs. It prints a table and writes JSON (--json, default DIR/bench_scale.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
MiB = 1 << 20
POOL_SIZE = 8 << 20  # random bytes that padding is cut from
MAX_PADDING = 24 << 10  # per file (at least); keeps 100,000 files to a few GB

# (key, container, codec, width, height, audio languages, embedded subtitle languages)
BASES = [
    ("1080p", "mkv", "h264", 1920, 1080, ("eng",), ()),
    ("1080p-multi", "mkv", "h264", 1920, 1080, ("eng", "ger"), ("eng", "ger")),
    ("720p", "mkv", "h264", 1280, 720, ("eng",), ()),
    ("720p-mp4", "mp4", "h264", 1280, 720, ("eng",), ()),
    ("480p", "mp4", "h264", 854, 480, ("eng",), ()),
    ("2160p", "mkv", "hevc", 3840, 2160, ("eng",), ("eng",)),
    ("1080p-spa", "mkv", "h264", 1920, 1080, ("spa",), ("eng",)),
]
WORDS = (  # noqa: SIM905 (a word list reads best as prose)
    "silent river night city last light dark winter summer storm iron glass golden hidden "
    "broken empire house garden road star ocean fire shadow north south king queen ghost "
    "heart stone wolf machine dream island valley letter secret game mirror train crown "
    "paper moon sun blue red black white green lost final first second eternal wild quiet "
    "distant midnight morning evening harbor castle forest desert mountain bridge tower echo"
).split()
GROUPS = ["NTb", "FLUX", "SPARKS", "RARBG", "GECKOS", "playWEB", "EDITH", "KOGi"]
SOURCES = ["WEB-DL", "BluRay", "HDTV", "WEBRip", "AMZN.WEB-DL", "NF.WEB-DL"]


# --- library generation ------------------------------------------------------------------------


@dataclass
class Library:
    base_dir: Path
    rng: random.Random
    clips: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # key -> (bytes, container)
    pool: bytes = b""
    paths: list[Path] = field(default_factory=list)  # every video path a walk must find
    kinds: Counter[str] = field(default_factory=Counter)
    exact_groups: list[list[Path]] = field(default_factory=list)  # distinct inodes, same bytes
    bytes_total: int = 0
    files: int = 0  # how many the library will hold (paddings are sized for it)
    _serial: int = 0
    _sizes: set[int] = field(default_factory=set)
    _group_of: dict[Path, list[Path]] = field(default_factory=dict)

    @property
    def videos(self) -> Path:
        return self.base_dir / "volume1" / "videos"

    @property
    def docker(self) -> Path:
        return self.base_dir / "volume1" / "docker"

    def content(self, base: str) -> bytes:
        """A new valid file of `base`'s kind whose bytes (and, mostly, size) are its own."""
        data, container = self.clips[base]
        self._serial += 1
        while True:
            # Sizes are unique, so the range grows with the library: 100,000 files would fill
            # 24 KiB of paddings per clip and this loop would never find a free size.
            n = self.rng.randrange(16, max(MAX_PADDING, self.files // 2))
            if len(data) + n not in self._sizes:  # copies are the only size collisions
                break
        start = self.rng.randrange(POOL_SIZE - n)
        body = self._serial.to_bytes(8, "big") + self.pool[start : start + n - 8]
        self._sizes.add(len(data) + n)
        if container == "mp4":
            return data + struct.pack(">I", n + 8) + b"free" + body
        return data + b"\xec\x01" + n.to_bytes(7, "big") + body  # EBML Void element

    def write(self, path: Path, data: bytes, kind: str, *, counted: bool = True) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        mtime = 1_600_000_000 + self.rng.randrange(120_000_000)
        os.utime(path, (mtime, mtime))
        if counted:
            self.paths.append(path)
            self.kinds[kind] += 1
            self.bytes_total += len(data)
        return path

    def copy(self, source: Path, target: Path, kind: str) -> Path:
        self.write(target, source.read_bytes(), kind)
        group = self._group_of.get(source)
        if group is None:
            group = self._group_of[source] = [source]
            self.exact_groups.append(group)
        group.append(target)
        self._group_of[target] = group
        return target

    def link(self, source: Path, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
        self.paths.append(target)
        self.kinds["hardlink"] += 1
        return target


def encode_bases(lib: Library, scratch: Path) -> None:
    from mediavault_assets.demo.media_factory import AudioSpec, SubtitleSpec, VideoSpec, make_video

    for seed, (key, container, codec, width, height, audio, subs) in enumerate(BASES):
        path = scratch / f"{key}.{container}"
        spec = VideoSpec(
            container=container,  # type: ignore[arg-type]
            video_codec=codec,  # type: ignore[arg-type]
            width=width,
            height=height,
            duration_s=1.0,
            fps=2.0,
            audio=tuple(AudioSpec(language=lang) for lang in audio),
            subtitles=tuple(SubtitleSpec(language=lang) for lang in subs),
            seed=seed,
        )
        make_video(path, spec)
        lib.clips[key] = (path.read_bytes(), container)


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.choice((1, 2, 2, 3)))
    title = " ".join(w.capitalize() for w in words)
    return f"The {title}" if rng.random() < 0.2 else title


def _scene(name: str) -> str:
    return ".".join(name.replace("'", "").split())


def generate(base_dir: Path, files: int, seed: int) -> Library:
    """--files video paths in two roots (videos, docker) plus sidecars and clutter."""
    rng = random.Random(seed)
    lib = Library(base_dir, rng, pool=random.Random(seed).randbytes(POOL_SIZE), files=files)
    scratch = base_dir / "clips"
    scratch.mkdir(parents=True)
    encode_bases(lib, scratch)
    share = {
        "copy": 0.04,
        "hardlink": 0.04,
        "version": 0.05,
        "edition": 0.01,
        "extra": 0.03,
        "sample": 0.01,
        "part": 0.005,
        "truncated": 0.002,
        "empty": 0.001,
        "not a video": 0.001,
    }
    extras_n = {k: max(1, round(files * v)) for k, v in share.items()}
    primaries_n = files - sum(extras_n.values())
    movies: list[tuple[str, int, Path]] = []
    episodes: list[Path] = []
    tv = lib.videos / "TV"
    made = 0
    while made < primaries_n:
        if rng.random() < 0.7:  # a season of a show: most files of a library are episodes
            show, season = _title(rng), rng.randint(1, 8)
            scene = rng.random() < 0.4
            base = rng.choice(("1080p", "720p", "720p-mp4", "1080p-multi"))
            for ep in range(1, min(rng.randint(6, 24), primaries_n - made) + 1):
                if scene:
                    name = (
                        f"{_scene(show)}.S{season:02d}E{ep:02d}.{base[:5]}."
                        f"{rng.choice(SOURCES)}.x264-{rng.choice(GROUPS)}.mkv"
                    )
                else:
                    name = f"{show} - S{season:02d}E{ep:02d} - {_title(rng)}.mkv"
                folder = tv / show / f"Season {season:02d}"
                episodes.append(lib.write(folder / name, lib.content(base), "episode"))
                made += 1
                if rng.random() < 0.2:
                    srt = folder / (Path(name).stem + ".en.srt")
                    lib.write(srt, b"1\n00:00:01,000 --> 00:00:02,000\nHi\n", "", counted=False)
        else:
            title, year = _title(rng), rng.randint(1950, 2025)
            base = rng.choice(("1080p", "1080p", "720p", "480p", "1080p-spa", "1080p-multi"))
            folder = lib.videos / "Movies" / f"{title} ({year})"
            path = lib.write(
                folder / f"{title} ({year}) {base[:5]}.mkv", lib.content(base), "movie"
            )
            movies.append((title, year, path))
            made += 1
            if rng.random() < 0.3:
                lib.write(folder / "movie.nfo", b"<movie/>", "", counted=False)
                lib.write(folder / "poster.jpg", rng.randbytes(2000), "", counted=False)
            if rng.random() < 0.1:  # Synology's thumbnails: a folder the walk must skip
                eadir = folder / "@eaDir" / path.name
                lib.write(eadir / "SYNOVIDEO_VIDEO_SCREENSHOT.jpg", b"jpg", "", counted=False)
    docker = lib.docker

    def pick_movie() -> tuple[str, int, Path]:
        return rng.choice(movies)

    for _ in range(extras_n["copy"]):  # backups of movies and episodes in the other root
        if rng.random() < 0.5 and movies:
            title, year, src = pick_movie()
            lib.copy(src, docker / "backup" / "Movies" / f"{title} ({year})" / src.name, "copy")
        else:
            src = rng.choice(episodes)
            target = docker / "backup" / "TV" / src.relative_to(tv)
            if target.exists():
                target = target.with_name(f"{target.stem} (copy){target.suffix}")
            lib.copy(src, target, "copy")
    for _ in range(extras_n["hardlink"]):  # what *arr tools leave in downloads
        title, year, src = pick_movie()
        release = f"{_scene(title)}.{year}.1080p.{rng.choice(SOURCES)}.x264-{rng.choice(GROUPS)}"
        target = lib.videos / "downloads" / "complete" / release / f"{release}.mkv"
        if not target.exists():
            lib.link(src, target)
    for kind, n in extras_n.items():
        for _ in range(n if kind not in ("copy", "hardlink") else 0):
            title, year, src = pick_movie()
            folder = src.parent
            # A name taken already (the movie itself, an earlier version) is not overwritten:
            # that would break the copies made of it and count one path twice.
            if kind == "version":
                res = rng.choice(("2160p", "720p", "480p"))
                target = folder / f"{title} ({year}) {res}.mkv"
                if not target.exists():
                    lib.write(target, lib.content(res), kind)
            elif kind == "edition":
                cut = rng.choice(("Director's Cut", "Extended", "Theatrical", "Unrated", "IMAX"))
                target = folder / f"{title} ({year}) {cut}.mkv"
                if not target.exists():
                    lib.write(target, lib.content("1080p"), kind)
            elif kind == "extra":
                what = rng.choice(("Trailer", "Featurette", "Behind the Scenes", "Interview"))
                lib.write(
                    folder / "Extras" / f"{what} {rng.randint(1, 9)}.mkv", lib.content("480p"), kind
                )
            elif kind == "sample":
                lib.write(folder / f"{_scene(title)}.{year}.sample.mkv", lib.content("480p"), kind)
            elif kind == "part":
                for cd in (1, 2):
                    lib.write(folder / f"{title} ({year}) CD{cd}.mkv", lib.content("480p"), kind)
            elif kind == "truncated":  # an interrupted copy beside the healthy file
                data = src.read_bytes()
                lib.write(docker / "incoming" / src.name, data[: len(data) // 2], kind)
            elif kind == "empty":
                lib.write(docker / "incoming" / f"{_scene(title)}.{year}.mkv", b"", kind)
            else:  # a download that is no video at all
                lib.write(
                    docker / "incoming" / f"{_scene(title)}.{year}.720p.mkv",
                    rng.randbytes(rng.randrange(20_000, 200_000)),
                    kind,
                )
    for src in rng.sample(lib.paths, max(1, files // 200)):  # recycle bin copies: skipped
        lib.write(lib.videos / "#recycle" / src.name, b"recycled", "", counted=False)
    for folder in (lib.videos, docker):
        lib.write(folder / ".DS_Store", b"\0" * 64, "", counted=False)
        lib.write(folder / "Thumbs.db", b"\0" * 64, "", counted=False)
    shutil.rmtree(scratch)
    return lib


def change_one_percent(lib: Library) -> Counter[str]:
    """Rewrite 0.5 % of the files with new bytes and add 0.5 % (new episodes and copies)."""
    rng = lib.rng
    n = max(2, len(lib.paths) // 200)
    changed: Counter[str] = Counter()
    in_groups = {p for g in lib.exact_groups for p in g}
    plain = [p for p in lib.paths if p.stat().st_nlink == 1 and p not in in_groups]
    for path in rng.sample(plain, n):
        path.write_bytes(lib.content("720p"))
        changed["rewritten"] += 1
    episodes = [p for p in plain if "/TV/" in str(p)]
    for i in range(n):
        if i % 2:
            src = rng.choice(episodes)
            lib.copy(src, lib.docker / "backup" / "new" / f"{i:05d} {src.name}", "copy")
        else:
            show = _title(rng)
            name = f"{show} - S01E{i % 90 + 1:02d} - {_title(rng)}.mkv"
            lib.write(lib.videos / "TV" / show / "Season 01" / name, lib.content("1080p"), "new")
        changed["added"] += 1
    return changed


# --- running and measuring ----------------------------------------------------------------------


class PeakMemory:
    """Samples the peak RSS (VmHWM) of a process and all its descendants while they run."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (role, KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in self._tree():
                kib = _vm_hwm(pid)
                if kib:
                    role = self.peaks.get(pid, (_role(pid), 0))[0]
                    self.peaks[pid] = (role, max(kib, self.peaks.get(pid, ("", 0))[1]))
            self._stop.wait(0.05)

    def _tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo.extend(int(c) for c in children)
        return found

    def stop(self) -> dict[str, int]:
        """Peak MiB per role (the largest process of each role)."""
        self._stop.set()
        self._thread.join()
        by_role: dict[str, int] = {}
        for role, kib in self.peaks.values():
            by_role[role] = max(by_role.get(role, 0), kib // 1024)
        return by_role


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _role(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    text = " ".join(argv)
    for marker, role in (
        ("multiprocessing", "python worker (spawn)"),
        ("refresh", "mediavault refresh"),
        ("dagster-webserver", "dagster webserver"),
        ("dagster-daemon", "dagster daemon"),
        ("api grpc", "dagster code server"),
        ("execute_run", "dagster run worker"),
        ("dagster dev", "dagster dev"),
    ):
        if marker in text:
            return role
    return Path(argv[0]).name or "?"


def run_measured(
    cmd: list[str], env: dict[str, str], log: Path
) -> tuple[float, float, dict[str, int]]:
    """Wall seconds, CPU seconds (the process and its children) and peak MiB per process."""
    started = time.perf_counter()
    with log.open("a") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        memory = PeakMemory(proc.pid)
        # Stop sampling before the pid is reaped: a reused pid would be sampled as ours.
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        peaks = memory.stop()
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed with exit code {proc.returncode}; see {log}")
    return wall, usage.ru_utime + usage.ru_stime, peaks


# Dagster step key -> benchmark stage (the order of the table).
STAGES = {
    "inventory.walk_library_root": "walk",
    "inventory.store_inventory": "inventory store",
    "parsed_names.plan_name_parsing": "parse",
    "parsed_names.parse_names": "parse",
    "parsed_names.store_parsed_names": "parse",
    "probes.plan_probes": "probe",
    "probes.probe_files": "probe",
    "probes.store_probes": "probe",
    "file_hashes.plan_hashes": "hash",
    "file_hashes.hash_files": "hash",
    "file_hashes.store_hashes": "hash",
    "tmdb_metadata": "tmdb (no key: skipped)",
    "quality_scores": "quality scores",
    "duplicate_analysis": "group + plan + catalog",
}


def stage_figures(home: Path, since: float) -> dict[str, Any]:
    """Seconds per stage and step, and materialization metadata, of the runs after `since`."""
    import dagster as dg
    from dagster._core.events import DagsterEventType

    os.environ["DAGSTER_HOME"] = str(home)
    stages: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    metadata: dict[str, dict[str, Any]] = {}
    runs = 0
    with dg.DagsterInstance.get() as instance:
        for run in instance.get_runs():
            record = instance.get_run_record_by_id(run.run_id)
            if record is None or (record.create_timestamp.timestamp() < since):
                continue
            runs += 1
            for stat in instance.get_run_step_stats(run.run_id):
                if stat.start_time and stat.end_time:
                    seconds = stat.end_time - stat.start_time
                    stages[STAGES.get(stat.step_key, stat.step_key)] += seconds
                    steps[stat.step_key] += seconds
            for entry in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
            ):
                m = entry.dagster_event.step_materialization_data.materialization
                key = m.asset_key.to_user_string()
                values = {
                    k: v.value for k, v in m.metadata.items() if isinstance(v.value, int | float)
                }
                merged = metadata.setdefault(key, {})
                for k, v in values.items():
                    merged[k] = merged.get(k, 0) + v if k not in ("mean_score",) else v
    return {"runs": runs, "stages": dict(stages), "steps": dict(steps), "metadata": metadata}


def refresh(env: dict[str, str], home: Path, log: Path) -> dict[str, Any]:
    since = time.time()
    cmd = [
        sys.executable,
        "-c",
        "import sys; from mediavault_assets.cli import main; sys.exit(main(['refresh']))",
    ]
    wall, cpu, peaks = run_measured(cmd, env, log)
    figures = stage_figures(home, since - 1)
    figures.update(wall_s=wall, cpu_s=cpu, peak_mib=peaks)
    return figures


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def anchor_mediainfo(paths: list[Path]) -> float:
    started = time.perf_counter()
    for i in range(0, len(paths), 200):
        subprocess.run(
            ["mediainfo", "--Output=JSON", *map(str, paths[i : i + 200])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return time.perf_counter() - started


GUESSIT_CHILD = """
import sys, time
from guessit import guessit
names = sys.stdin.read().splitlines()
guessit("Warm.Up.S01E01.1080p.WEB-DL.x264-GRP.mkv")
started = time.perf_counter()
for name in names:
    guessit(name)
print(time.perf_counter() - started)
"""


def anchor_guessit(names: list[str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", GUESSIT_CHILD],
        input="\n".join(names),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def anchor_jdupes(roots: list[Path]) -> float:
    started = time.perf_counter()
    subprocess.run(["jdupes", "-r", "-q", *map(str, roots)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def launch_latency(env: dict[str, str], settings: Path, log: Path) -> dict[str, Any]:
    """Seconds from a GraphQL launch (as the Scans page does it) to the walk's first step."""
    import httpx

    from mediavault_ui.dagster_api import API_TAGS, PARTITION_TAG, DagsterClient

    port = 3917
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with log.open("a") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, process_group=0
        )
    client = DagsterClient(f"http://127.0.0.1:{port}", timeout=10)
    result: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                client._repository_for("scan_library_root")
                break
            except Exception:
                time.sleep(1)
        time.sleep(5)  # let the daemon settle, as on a server that has been up for a while
        started = time.time()
        run_id = client.launch("scan_library_root", tags={**API_TAGS, PARTITION_TAG: "videos"})
        walk_started = None
        query = """query($id: ID!) { logsForRun(runId: $id) { __typename
          ... on EventConnection { events { __typename
            ... on MessageEvent { timestamp stepKey } } } } }"""
        while time.time() - started < 300 and walk_started is None:
            body = httpx.post(
                f"{client.url}/graphql", json={"query": query, "variables": {"id": run_id}}
            ).json()
            for event in body["data"]["logsForRun"].get("events") or []:
                if (
                    event["__typename"] == "ExecutionStepStartEvent"
                    and event.get("stepKey") == "inventory.walk_library_root"
                ):
                    walk_started = float(event["timestamp"]) / 1000
            time.sleep(0.2)
        result["launch_to_walk_s"] = walk_started - started if walk_started else None
        for run in client.runs(["scan_library_root"], limit=5):
            if run.run_id == run_id:
                result["launch_to_run_start_s"] = (
                    run.started.timestamp() - started if run.started else None
                )
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return result


def write_settings(base: Path) -> Path:
    from mediavault_assets.settings import write_settings as write

    volume = base / "volume1"
    data = {
        "warehouse_path": str(base / "warehouse.duckdb"),
        "app_store_path": str(base / "review.sqlite"),
        "cache_dir": str(base / "cache"),
        "staging_root": str(volume / "videos" / "duplicates_before_purge"),
        "library_roots": [
            {"key": "videos", "path": str(volume / "videos"), "media_type": "mixed"},
            {"key": "docker", "path": str(volume / "docker"), "media_type": "mixed"},
        ],
    }
    return write(data, base / "mediavault.yaml")


# --- report -------------------------------------------------------------------------------------


def rate(n: float, seconds: float | None) -> str:
    return f"{n / seconds:,.0f}" if seconds and n else "-"


def report(result: dict[str, Any]) -> None:
    files = result["library"]["video_paths"]
    first, same, changed = result["first"], result["no_change"], result["changed"]
    handled = {
        "walk": files,
        "inventory store": files,
        "parse": first["metadata"].get("parsed_names", {}).get("names_parsed", files),
        "probe": first["metadata"].get("probes", {}).get("files_probed", files),
        "hash": first["metadata"].get("file_hashes", {}).get("files", files),
        "quality scores": files,
        "group + plan + catalog": files,
    }
    print(
        f"\n{files:,} video paths, {result['library']['bytes'] / MiB:,.0f} MiB; "
        f"{os.cpu_count()} CPUs, load average before {result['load_before']:.2f}\n"
    )
    head = ("stage", "1st s", "files/s", "no-change s", "1 % changed s")
    rows = [head]
    names = list(dict.fromkeys([*STAGES.values(), *first["stages"]]))
    for stage in names:
        if stage not in first["stages"] and stage not in same["stages"]:
            continue
        s1 = first["stages"].get(stage)
        rows.append(
            (
                stage,
                f"{s1:.2f}" if s1 is not None else "-",
                rate(handled.get(stage, 0), s1),
                f"{same['stages'].get(stage, 0):.2f}",
                f"{changed['stages'].get(stage, 0):.2f}",
            )
        )
    rows.append(
        (
            "whole refresh (process wall)",
            f"{first['wall_s']:.1f}",
            rate(files, first["wall_s"]),
            f"{same['wall_s']:.1f}",
            f"{changed['wall_s']:.1f}",
        )
    )
    rows.append(
        (
            "whole refresh (process CPU)",
            f"{first['cpu_s']:.1f}",
            rate(files, first["cpu_s"]),
            f"{same['cpu_s']:.1f}",
            f"{changed['cpu_s']:.1f}",
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        print(
            "  ".join(
                [
                    r[0].ljust(widths[0]),
                    *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)),
                ]
            )
        )
    a = result["anchors"]
    probe_s = first["steps"].get("probes.probe_files")
    hash_s = first["steps"].get("file_hashes.hash_files")
    parse_s = first["steps"].get("parsed_names.parse_names")
    print(
        f"\nanchors on the same files ({a['files']:,} of them; ratio = anchor time per file / "
        "ours; > 1 means we are faster):"
    )
    print(
        f"  mediainfo CLI: {a['mediainfo_s']:.1f} s = "
        f"{rate(a['files'], a['mediainfo_s'])} files/s; "
        f"probe step {probe_s or 0:.1f} s = {rate(handled['probe'], probe_s)} files/s; "
        f"ratio {a['mediainfo_s'] / a['files'] * handled['probe'] / probe_s:.2f}x"
        if probe_s
        else ""
    )
    print(
        f"  plain guessit: {a['guessit_s']:.1f} s = {rate(a['files'], a['guessit_s'])} names/s; "
        f"parse step {parse_s or 0:.1f} s = {rate(handled['parse'], parse_s)} names/s; "
        f"ratio {a['guessit_s'] / a['files'] * handled['parse'] / parse_s:.2f}x"
        if parse_s
        else ""
    )
    print(
        f"  CPU seconds: mediainfo {a['mediainfo_cpu_s']:.1f}, guessit {a['guessit_cpu_s']:.1f}, "
        f"jdupes {a['jdupes_cpu_s']:.2f}"
    )
    print(
        f"  jdupes -r: {a['jdupes_s']:.2f} s; hash step {hash_s or 0:.2f} s; "
        f"ours/jdupes {(hash_s or 0) / a['jdupes_s']:.2f}"
    )
    hm = first["metadata"].get("file_hashes", {})
    print(
        f"  hash bytes read {hm.get('bytes_read', 0) / MiB:,.1f} MiB, "
        f"forced by size collisions {result['library']['forced_bytes'] / MiB:,.1f} MiB"
    )
    print("\npeak memory (MiB, VmHWM per process):")
    for name in ("first", "no_change", "changed"):
        print(
            f"  {name}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(result[name]["peak_mib"].items()))
        )
    if result.get("launch"):
        la = result["launch"]
        print(
            f"\nscan launched through the webserver: run started after "
            f"{la.get('launch_to_run_start_s') or 0:.1f} s, walking after "
            f"{la.get('launch_to_walk_s') or 0:.1f} s"
        )
    ch = result["changes"]
    print(
        f"\n1 % change: {ch}; exact-copy contents found by hash {result['exact_groups_found']} "
        f"(generated {result['library']['exact_groups']})"
    )


def forced_bytes(lib: Library) -> int:
    """Bytes any exact-duplicate finder must read: size-colliding files, whole (they are small
    or have a true copy), once per inode."""
    by_size: dict[int, set[tuple[int, int]]] = {}
    sizes: dict[tuple[int, int], int] = {}
    for p in lib.paths:
        st = p.stat()
        if st.st_size:
            by_size.setdefault(st.st_size, set()).add((st.st_dev, st.st_ino))
            sizes[(st.st_dev, st.st_ino)] = st.st_size
    return sum(sizes[i] for group in by_size.values() if len(group) > 1 for i in group)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--dir", help="where to build the library (default: a new dir in /tmp)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="where to write the figures (default DIR/bench_scale.json)")
    parser.add_argument("--keep", action="store_true", help="keep the library afterwards")
    parser.add_argument("--no-launch", action="store_true", help="skip the webserver launch test")
    parser.add_argument(
        "--anchor-sample",
        type=int,
        default=0,
        help="time mediainfo and guessit on this many random files (default: all)",
    )
    args = parser.parse_args()
    for tool in ("mediainfo", "jdupes"):
        if shutil.which(tool) is None:
            sys.exit(f"needs {tool}: apt-get install -y mediainfo jdupes")
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="mediavault-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    if (base / "volume1").exists():
        sys.exit(f"{base / 'volume1'} exists; pick another --dir")
    try:
        result = bench(args, base)
    finally:
        if not args.keep:
            for name in ("volume1", "dagster_home", "cache"):
                shutil.rmtree(base / name, ignore_errors=True)
            for leftover in base.glob("*.duckdb*"):
                leftover.unlink()
    out = Path(args.json) if args.json else base / "bench_scale.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    report(result)
    print(f"\nfigures written to {out}")


def bench(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    lib = generate(base, args.files, args.seed)
    generated_s = time.perf_counter() - started
    print(
        f"generated {len(lib.paths):,} video paths ({lib.bytes_total / MiB:,.0f} MiB) in "
        f"{generated_s:.1f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(lib.kinds.items()))
    )
    settings = write_settings(base)
    home = base / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "MEDIAVAULT_CONFIG": str(settings),
        "DAGSTER_HOME": str(home),
    }
    for secret in ("TMDB_API_KEY", "TMDB_READ_ACCESS_TOKEN", "OPENAI_API_KEY", "AZURE_OPENAI_KEY"):
        env.pop(secret, None)
    log = base / "bench_scale.log"
    library = {
        "video_paths": len(lib.paths),
        "bytes": lib.bytes_total,
        "kinds": dict(lib.kinds),
        "exact_groups": len(lib.exact_groups),
        "forced_bytes": forced_bytes(lib),
        "generated_s": generated_s,
    }
    print("first refresh ...", flush=True)
    first = refresh(env, home, log)
    print(f"  {first['wall_s']:.1f} s\nno-change refresh ...", flush=True)
    same = refresh(env, home, log)
    changes = change_one_percent(lib)
    print(f"  {same['wall_s']:.1f} s\nrefresh after 1 % changed ...", flush=True)
    changed = refresh(env, home, log)
    print(f"  {changed['wall_s']:.1f} s\nanchors ...", flush=True)
    import duckdb

    with duckdb.connect(str(base / "warehouse.duckdb"), read_only=True) as con:
        groups = con.execute(
            "SELECT count(*) FROM (SELECT md5_hash FROM file_hashes WHERE md5_hash IS NOT NULL "
            "GROUP BY file_size, md5_hash HAVING count(DISTINCT inode) > 1)"
        ).fetchone()[0]
        rows = con.execute("SELECT local_path, relative_path FROM inventory_files").fetchall()
    if args.anchor_sample and args.anchor_sample < len(rows):
        # Anchors compare per-file rates, so a random sample keeps a 100,000-file run short.
        rows = random.Random(args.seed).sample(rows, args.anchor_sample)
    paths = [Path(r[0]) for r in rows]
    anchors: dict[str, float] = {"files": len(paths)}
    for name, run in (
        ("mediainfo", lambda: anchor_mediainfo(paths)),
        ("guessit", lambda: anchor_guessit([r[1] for r in rows])),
        (
            "jdupes",
            lambda: anchor_jdupes([base / "volume1" / "videos", base / "volume1" / "docker"]),
        ),
    ):
        cpu = children_cpu()
        anchors[f"{name}_s"] = run()
        anchors[f"{name}_cpu_s"] = children_cpu() - cpu
    launch = None if args.no_launch else launch_latency(env, settings, log)
    library["exact_groups"] = len(lib.exact_groups)
    return {
        "files_requested": args.files,
        "load_before": load,
        "library": library,
        "first": first,
        "no_change": same,
        "changed": changed,
        "changes": dict(changes),
        "anchors": anchors,
        "launch": launch,
        "exact_groups_found": groups,
    }


if __name__ == "__main__":
    main()
