"""Benchmark exact-duplicate detection (media/hashing.py) against jdupes on a generated tree.

Usage (from the project root; root is needed to drop the page cache between runs):

    .venv/bin/python benchmarks/bench_hashes.py [--dir DIR] [--gb 3] [--files 3000]
                                                 [--workers 2] [--seed 1] [--keep]

It writes a library of --files files totalling about --gb GiB under DIR/library (default: a new
temp dir under /tmp): files of unique sizes, byte-identical copies in other folders, hardlinks,
same-size files differing only in the last few bytes (defeat head-only hashing) or only in the
middle (defeat head+tail: the full pass must decide), same-size unrelated files, small sidecar-like
duplicates and zero-byte files. The generator records the true duplicate groups. Then:

  a. ours: walk (os.scandir + stat) + find_exact_duplicates, in a fresh process;
  b. ``jdupes -r -q`` on the same tree (it ignores zero-byte files and never matches hardlinks
     of one inode; it confirms matches byte for byte, re-reading them from the page cache);
  c. checks that both find exactly the true groups, compared as sets of inodes because jdupes
     prints one path per inode (ours must also match the truth path for path, hardlinks included);
  d. ours again with the first run's records as cache and nothing changed: must read 0 bytes;
     shown beside the time of the walk alone.

Each run is cold: the page cache is dropped (needs root; otherwise the runs are warm and it says
so), then the program alone is warmed up on an empty dir, so the tree's data and metadata come
from disk while the interpreter/binary does not. "Disk read" is the block input of the process
(getrusage ru_inblock x 512), comparable across tools; "app read" is our own bytes_read; "cpu"
and "peak RSS" come from GNU time. Other work on the machine skews wall times: the load average
is shown. The tree is deleted at the end unless --keep. Needs the Debian packages jdupes and time.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
POOL_SIZE = 64 << 20  # random bytes that file contents are cut from (writing is the only cost)
PIECE = 4 << 20
PROBE = (64 + 4) << 10  # hashing.HEAD_SIZE + TAIL_SIZE; the parent imports nothing of ours
MiB = 1 << 20


# --- tree generation -------------------------------------------------------------------------


@dataclass
class Library:
    """A generated tree and what is true about it."""

    root: Path
    pool: bytes
    rng: random.Random
    contents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    origin: dict[str, str] = field(default_factory=dict)  # path -> first path of its inode
    kinds: Counter[str] = field(default_factory=Counter)
    total_bytes: int = 0
    _dirs: list[str] = field(default_factory=list)
    _next_name: int = 0

    def __post_init__(self) -> None:
        tops = ["movies", "tv", "backup", "downloads", "old nas"]
        self._dirs = [f"{top}/{i:02d}" for top in tops for i in range(12)]

    def _new_path(self, avoid: str | None = None) -> str:
        folder = self.rng.choice([d for d in self._dirs if d != avoid])
        self._next_name += 1
        (self.root / folder).mkdir(parents=True, exist_ok=True)
        return f"{folder}/{self._next_name:05d}.mkv"

    def write(
        self, kind: str, item: int, size: int, flips: Iterable[int] = (), near: str = ""
    ) -> str:
        """Write item's content, with bytes flipped, to a new path outside near's folder."""
        rel = self._new_path(near.rsplit("/", 1)[0] if near else None)
        flips = sorted(flips)
        start = (item * 7_919_317) % POOL_SIZE
        with open(self.root / rel, "wb") as f:
            for pos in range(0, size, PIECE):
                n = min(PIECE, size - pos)
                piece = bytearray(self._pool_slice(start + pos, n))
                if pos == 0:  # item id up front: distinct items never share content
                    piece[: min(8, n)] = item.to_bytes(8, "big")[: min(8, n)]
                for off in flips:
                    if pos <= off < pos + n:
                        piece[off - pos] ^= 0xFF
                f.write(piece)
        self.contents[f"{item}:{flips}"].append(rel)
        self.origin[rel] = rel
        self.kinds[kind] += 1
        self.total_bytes += size
        return rel

    def _pool_slice(self, start: int, n: int) -> bytes:
        start %= POOL_SIZE
        head = self.pool[start : start + n]
        return head if len(head) == n else head + self.pool[: n - len(head)]

    def link(self, target: str) -> None:
        rel = self._new_path(target.rsplit("/", 1)[0])
        os.link(self.root / target, self.root / rel)
        key = next(k for k, paths in self.contents.items() if target in paths)
        self.contents[key].append(rel)
        self.origin[rel] = self.origin[target]
        self.kinds["hardlink"] += 1

    def true_groups(self) -> set[frozenset[str]]:
        """Paths of each content held by two or more inodes."""
        return {
            frozenset(paths)
            for paths in self.contents.values()
            if len({self.origin[p] for p in paths}) > 1
        }


def generate(root: Path, gb: float, files: int, seed: int) -> Library:
    rng = random.Random(seed)
    lib = Library(root, os.urandom(POOL_SIZE), rng)
    pct = {"zero": 0.02, "link": 0.03, "dup": 0.035, "tail": 0.015, "mid": 0.015, "same": 0.01}
    n = {k: max(2, round(files * v)) for k, v in pct.items()}
    # (kind, copies or variants) per content family; "unique" fills the rest of --files.
    families = (
        [("dup", rng.randint(2, 4)) for _ in range(n["dup"])]
        + [("tail", rng.randint(2, 3)) for _ in range(n["tail"])]
        + [("mid", rng.randint(2, 3)) for _ in range(n["mid"])]
        + [("same", rng.randint(2, 3)) for _ in range(n["same"])]
        + [("small dup", 2) for _ in range(n["dup"] // 2)]
    )
    used = sum(k for _, k in families) + n["zero"] + n["link"]
    families += [("unique", 1)] * max(0, files - used)
    rng.shuffle(families)

    # Media-like sizes (lognormal: median ~160 KB, long tail), scaled to the byte budget.
    raw = [min(rng.lognormvariate(12, 2.0), 2e9) for _ in families]
    scale = gb * (1 << 30) / sum(r * k for r, (_, k) in zip(raw, families, strict=True))
    taken: set[int] = set()
    item = 0
    for r, (kind, k) in zip(raw, families, strict=True):
        size = max(64, int(r * scale))
        if kind == "small dup":
            size = rng.randint(1_000, PROBE)  # subtitles/nfo: read whole, once
        elif kind == "tail":
            size = max(size, 4 * PROBE)
        elif kind == "mid":
            size = max(size, MiB)
        while size in taken:  # sizes collide only where a family means them to
            size += 1
        taken.add(size)
        item += 1
        first = lib.write(kind, item, size)
        for v in range(1, k):
            if kind in ("dup", "small dup"):
                lib.write(kind, item, size, near=first)
            elif kind == "tail":
                lib.write(kind, item, size, [size - 1 - rng.randrange(8)], near=first)
            elif kind == "mid":
                lib.write(kind, item, size, [rng.randrange(size // 3, 2 * size // 3)], near=first)
            else:  # "same": unrelated content of the same size
                item += 1
                lib.write(kind, item, size)
            if kind in ("tail", "mid") and v == 1 and rng.random() < 0.5:
                lib.write(kind, item, size, near=first)  # plus an exact copy of the original
    for _ in range(n["zero"]):  # one content each: empty files are nobody's duplicates
        item += 1
        lib.write("zero", item, 0)
    regular = list(lib.origin)
    dup_paths = [p for paths in lib.contents.values() if len(paths) > 1 for p in paths]
    for i in range(n["link"]):  # half onto duplicated files, half onto anything
        lib.link(rng.choice(dup_paths if i % 2 else regular))
    os.sync()
    return lib


# --- measurement -----------------------------------------------------------------------------


@dataclass
class Measure:
    wall_s: float
    disk_read: int  # block input of the process and its children, bytes
    cpu_s: float  # user + system
    maxrss_kib: int
    stdout: str


def drop_caches() -> bool:
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run cmd under GNU time: rusage from a parent this small is cmd's own.

    (Peak RSS survives fork+exec on Linux, so a child of this big Python process would report
    ours.)
    """
    with tempfile.NamedTemporaryFile("r") as rss:
        timed = [TIME, "-f", "%M %U %S", "-o", rss.name, *cmd]
        started = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.PIPE, env=env, text=True)
        assert proc.stdout is not None
        with proc.stdout:
            out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}")
        maxrss, user, system = rss.read().split()[-3:]
        cpu = float(user) + float(system)
        return Measure(wall, usage.ru_inblock * 512, cpu, int(maxrss), out)


def ours_cmd(
    library: Path, cache_out: Path, workers: int, cache_in: Path | None = None
) -> list[str]:
    cmd = [sys.executable, __file__, "--worker", str(library), str(cache_out), str(workers)]
    return cmd if cache_in is None else [*cmd, str(cache_in)]


def worker(library: str, cache_out: str, workers: int, cache_in: str | None) -> None:
    """Child process: walk, hash, print JSON, save the records as the next run's cache."""
    # Imported here so the parent process measures nothing of ours.
    from mediavault_assets.domain.model import file_id_for
    from mediavault_assets.media.hashing import HashCandidate, find_exact_duplicates

    started = time.perf_counter()
    candidates: list[HashCandidate] = []
    stack = [library]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.is_file(follow_symlinks=False):
                    st = e.stat(follow_symlinks=False)
                    fid = file_id_for("bench", os.path.relpath(e.path, library))
                    candidates.append(
                        HashCandidate(fid, e.path, st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
                    )
    walked = time.perf_counter()
    previous = pickle.loads(Path(cache_in).read_bytes()) if cache_in else None
    result = find_exact_duplicates(candidates, previous, workers=workers)
    hashed = time.perf_counter()
    Path(cache_out).write_bytes(pickle.dumps(result.records))
    rel_of = {c.file_id: os.path.relpath(c.path, library) for c in candidates}
    json.dump(
        {
            "files": len(candidates),
            "walk_s": walked - started,
            "hash_s": hashed - walked,
            "bytes_read": result.bytes_read,
            "files_read": result.files_read,
            "files_fully_hashed": result.files_fully_hashed,
            "reused": result.reused,
            "errors": [e.message for e in result.errors],
            "groups": [[rel_of[i] for i in g] for g in result.groups],
        },
        sys.stdout,
    )


def parse_jdupes(out: str, library: Path) -> set[frozenset[str]]:
    groups = set()
    for block in out.strip().split("\n\n"):
        paths = [os.path.relpath(line, library) for line in block.splitlines() if line]
        if paths:
            groups.add(frozenset(paths))
    return groups


def by_inode(groups: Iterable[Iterable[str]], origin: dict[str, str]) -> set[frozenset[str]]:
    return {frozenset(origin[p] for p in g) for g in groups}


def mib(n: float) -> str:
    return f"{n / MiB:,.1f} MiB"


TIME = shutil.which("time") or "/usr/bin/time"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="where to build the tree (default: a new dir under /tmp)")
    parser.add_argument("--gb", type=float, default=3.0, help="total size in GiB (default 3)")
    parser.add_argument("--files", type=int, default=3000, help="number of paths (default 3000)")
    parser.add_argument("--workers", type=int, default=2, help="hashing threads (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the tree afterwards")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, cache_out, workers, *cache_in = args.worker
        worker(library, cache_out, int(workers), cache_in[0] if cache_in else None)
        return
    jdupes = shutil.which("jdupes")
    if jdupes is None or not os.access(TIME, os.X_OK):
        sys.exit("needs jdupes and GNU time: apt-get install -y jdupes time")

    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="mediavault-bench-"))
    library, scratch = base / "library", base / "scratch"
    if library.exists() or scratch.exists():
        sys.exit(f"{library} or {scratch} exists; pick another --dir")
    library.mkdir(parents=True)
    scratch.mkdir()
    try:
        bench(args, library, scratch, jdupes)
    finally:
        shutil.rmtree(scratch)
        if args.keep:
            print(f"kept {library}")
        else:
            shutil.rmtree(library)
            if not args.dir:
                base.rmdir()


def bench(args: argparse.Namespace, library: Path, scratch: Path, jdupes: str) -> None:
    started = time.perf_counter()
    lib = generate(library, args.gb, args.files, args.seed)
    truth = lib.true_groups()
    print(
        f"tree: {sum(lib.kinds.values())} paths, {mib(lib.total_bytes)} in {library}, "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    print("  " + ", ".join(f"{k}: {v}" for k, v in sorted(lib.kinds.items())))
    print(f"  true duplicate groups: {len(truth)} ({sum(len(g) for g in truth)} paths)")

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    empty = scratch / "empty"
    empty.mkdir()

    def cold(cmd: list[str], warm_up: list[str], cmd_env: dict[str, str] | None = None) -> Measure:
        """Drop the page cache, re-read the program itself (not the tree), then measure."""
        drop_caches()
        measure(warm_up, cmd_env)
        return measure(cmd, cmd_env)

    load, dropped = os.getloadavg()[0], drop_caches()
    cache1, cache2 = scratch / "cache1.pickle", scratch / "cache2.pickle"
    warm_ours = ours_cmd(empty, scratch / "none.pickle", 1)
    ours = cold(ours_cmd(library, cache1, args.workers), warm_ours, env)
    theirs = cold([jdupes, "-r", "-q", str(library)], [jdupes, "-v"])
    again = cold(ours_cmd(library, cache2, args.workers, cache1), warm_ours, env)
    first, second = json.loads(ours.stdout), json.loads(again.stdout)

    ours_groups = {frozenset(g) for g in first["groups"]}
    true_inodes = by_inode(truth, lib.origin)
    checks = {
        "ours == truth, path for path": ours_groups == truth,
        "ours == truth, by inode": by_inode(ours_groups, lib.origin) == true_inodes,
        "jdupes == truth, by inode": by_inode(parse_jdupes(theirs.stdout, library), lib.origin)
        == true_inodes,
        "second run: same groups": second["groups"] == first["groups"],
        "second run: 0 bytes read": second["bytes_read"] == 0,
        "no errors": not first["errors"] and not second["errors"],
    }

    note = "page cache dropped before each run" if dropped else "WARM: cannot drop the page cache"
    print(
        f"\n{note}; ours with {args.workers} threads; {os.cpu_count()} CPUs, "
        f"load average before: {load:.2f}\n"
    )
    rows = [
        ("", "wall s", "walk+hash s", "cpu s", "app read", "disk read", "fully hashed", "peak RSS"),
        row("ours", ours, first),
        row("jdupes -r -q", theirs, None),
        row("ours, 2nd run (cache)", again, second),
        ("  walk alone", "", f"{second['walk_s']:.3f}", "", "", "", "", ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        print("  ".join(cells))
    print(
        f"\nours/jdupes: {ours.wall_s / theirs.wall_s:.2f} (process wall), "
        f"{(first['walk_s'] + first['hash_s']) / theirs.wall_s:.2f} (walk+hash only)"
    )
    print(
        f"reading alone at gigabit SMB speed (110 MB/s, estimate from disk read): "
        f"ours {ours.disk_read / 110e6:.1f} s, jdupes {theirs.disk_read / 110e6:.1f} s"
    )
    print(
        f"ours read {first['files_read']} of {first['files']} files; 2nd run reused "
        f"{second['reused']} records in {second['hash_s']:.3f} s"
    )
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if not all(checks.values()):
        sys.exit(1)


def row(name: str, m: Measure, ours: dict[str, Any] | None) -> tuple[str, ...]:
    walk_hash = f"{ours['walk_s'] + ours['hash_s']:.3f}" if ours else ""
    app_read = mib(ours["bytes_read"]) if ours else "?"
    fully = str(ours["files_fully_hashed"]) if ours else "?"
    rss = mib(m.maxrss_kib * 1024)
    cpu = f"{m.cpu_s:.2f}"
    return (name, f"{m.wall_s:.2f}", walk_hash, cpu, app_read, mib(m.disk_read), fully, rss)


if __name__ == "__main__":
    main()
