"""Find byte-identical files while reading as few bytes as possible.

On the NAS (SMB) reading is the cost, so every stage exists to avoid reads:

1. Zero-byte files get a record but are never read nor grouped (nothing to free).
2. Hardlinks (same device + inode) are one physical file: read once, every path shares the
   result, and links of one inode are never duplicates of each other (deleting one frees nothing).
3. Files are grouped by size; a physical file with a unique size is never opened.
4. Within a size collision, small files (<= HEAD_SIZE + TAIL_SIZE) are read whole once for their
   MD5; larger ones get a hash of their first HEAD_SIZE and last TAIL_SIZE bytes (``head_hash``,
   ``tail_hash``).
5. Only files still colliding on (size, head, tail) are read in full, for their MD5 (the seeds'
   ``md5_hash``). They are read side by side in lockstep: files whose bytes have matched so far
   share one MD5 state, so k identical copies cost one MD5 pass plus memcmp (MD5 is what bounds
   the speed on a fast disk). The head block is not read twice: the MD5 state after it is kept.

Wherever a file is read whole (steps 4 and 5), the same bytes also feed a SHA-256 (seed 004's
``hash_sha256``): no second read. Files that only got head/tail hashes have none.

``previous`` holds the records of the last run: a record whose file_id, size, mtime_ns and inode
still match is trusted and its hashes are never recomputed (so a second run over an unchanged
library reads nothing); a cached full MD5 without its SHA-256 (hashed before SHA-256 was kept) is
computed again, once. Hashes depend on HEAD_SIZE and TAIL_SIZE; drop the cache if they change.

Bad input never stops the run: a file that vanished, is not a regular file (directory, FIFO),
cannot be opened, or whose size/mtime/inode differ from its candidate (before or after reading,
or whose ctime moved while it was read) yields a ``HashError`` for each of its paths and no record;
everything else carries on.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

from mediavault_assets.domain.pickling import tuple_pickled

# An SMB round trip costs about the same for 4 KiB as for 64 KiB. The head is never read twice
# (its MD5 state seeds the full hash), so it can be large; the tail is re-read by the full hash,
# so it stays small: it only has to catch files that differ in their last bytes.
HEAD_SIZE = 64 * 1024
TAIL_SIZE = 4 * 1024
# Full-hash reads. hashlib drops the GIL on them, so workers overlap. Measured: 256 KiB costs
# ~8% less CPU than 1 MiB (read, memcmp and MD5 stay in L2); kernel read-ahead (local or cifs)
# keeps the requests to the disk or NAS large anyway.
CHUNK_SIZE = 256 * 1024
MAX_BATCH = 16  # files read in lockstep; each worker keeps MAX_BATCH * CHUNK_SIZE of buffers

Progress = Callable[[int, int], None]


@tuple_pickled
@dataclass(frozen=True, slots=True)
class HashCandidate:
    """A file as the inventory saw it; the hasher refuses to hash anything else."""

    file_id: int
    path: str
    size: int
    mtime_ns: int
    device: int
    inode: int

    @classmethod
    def from_path(cls, file_id: int, path: str) -> HashCandidate:
        st = os.stat(path)
        return cls(file_id, path, st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)


@tuple_pickled
@dataclass(frozen=True, slots=True)
class HashRecord:
    """What is known about one file's content; ``None`` means not needed so far."""

    file_id: int
    size: int
    mtime_ns: int
    inode: int
    # Files > HEAD_SIZE + TAIL_SIZE only. The head's MD5 state seeds the full MD5; the tail only
    # filters (a false match costs a full read, never a wrong group), and CRC-32 runs at ~7x the
    # speed of MD5, which bounds the CPU.
    head_hash: str | None  # MD5 of the first HEAD_SIZE bytes, hex
    tail_hash: str | None  # CRC-32 of the last TAIL_SIZE bytes, 8 hex digits
    md5: str | None  # full-file MD5
    sha256: str | None  # full-file SHA-256, from the same read as the MD5
    hashed_at: float  # when the newest of these hashes was computed (run start if none)


@tuple_pickled
@dataclass(frozen=True, slots=True)
class HashError:
    file_id: int
    path: str
    message: str


@dataclass(slots=True)
class HashResult:
    """Outcome of one run.

    ``records`` and ``errors`` partition the candidates' file_ids. Each entry of ``groups`` is a
    sorted list of the file_ids of two or more distinct physical files (device + inode) with
    identical content (same size and MD5), including every path of each such inode, so a
    duplicated file's hardlinks are in its group; hardlinks alone never form a group. Tell the
    links of one inode apart with the candidates' (device, inode). ``files_read`` and
    ``files_fully_hashed`` count physical files; ``reused`` counts file_ids served from
    ``previous`` without any read.
    """

    records: dict[int, HashRecord]
    groups: list[list[int]]
    bytes_read: int
    files_read: int
    files_fully_hashed: int
    reused: int
    errors: list[HashError]


class _Unusable(Exception):
    """The file on disk is not the file the inventory described."""


@dataclass(eq=False, slots=True)
class _Physical:
    links: list[HashCandidate]  # sorted by file_id; links[0] is the path that is read
    head: str | None = None
    tail: str | None = None
    md5: str | None = None
    sha256: str | None = None
    hashed_at: float | None = None
    cached: bool = False
    read: bool = False
    md5_new: bool = False
    error: str | None = None
    head_state: hashlib._Hash | None = None  # MD5 after the head block, for the full hash
    head_sha256: hashlib._Hash | None = None  # SHA-256 after the head block, likewise
    remaining: int = 0  # bytes still planned for this file (progress accounting)

    @property
    def rep(self) -> HashCandidate:
        return self.links[0]

    @property
    def small(self) -> bool:
        return self.rep.size <= HEAD_SIZE + TAIL_SIZE


@dataclass(eq=False, slots=True)
class _Stream:
    p: _Physical
    handle: _Handle
    buf: bytearray  # CHUNK_SIZE bytes, reused across batches


class _Handle:
    """An open regular file that must match its candidate before and after reading."""

    def __init__(self, c: HashCandidate) -> None:
        # O_NONBLOCK: opening a FIFO put in place of a file must not hang the run.
        self.fd = os.open(c.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            self._candidate = c
            self._before = os.fstat(self.fd)
            if not stat.S_ISREG(self._before.st_mode):
                raise _Unusable("not a regular file")
            self._expect_candidate(self._before, "since it was inventoried")
            os.set_blocking(self.fd, True)
        except BaseException:
            self.close()
            raise

    def _expect_candidate(self, st: os.stat_result, when: str) -> None:
        c = self._candidate
        if (st.st_ino, st.st_size, st.st_mtime_ns) != (c.inode, c.size, c.mtime_ns):
            raise _Unusable(
                f"changed {when}: size {c.size} -> {st.st_size}, "
                f"mtime_ns {c.mtime_ns} -> {st.st_mtime_ns}, inode {c.inode} -> {st.st_ino}"
            )

    def verify(self) -> None:
        """Re-stat after reading; ctime also catches writers that restore mtime (rsync)."""
        after = os.fstat(self.fd)
        self._expect_candidate(after, "while being read")
        if after.st_ctime_ns != self._before.st_ctime_ns:
            raise _Unusable("changed while being read (ctime moved)")

    def close(self) -> None:
        # Idempotent: a second os.close could hit an fd another thread has since opened.
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(e: OSError | _Unusable) -> str:
    if isinstance(e, OSError):
        return f"{type(e).__name__}: {e.strerror or e}"
    return str(e)


def _read_exact(fd: int, view: memoryview, offset: int) -> None:
    while view:
        n = os.preadv(fd, [view], offset)
        if n == 0:
            raise _Unusable("shorter than its recorded size")
        view = view[n:]
        offset += n


class _Run:
    """One call's shared state; workers touch disjoint _Physical objects, counters take a lock."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self._lock = threading.Lock()
        self._progress = progress
        self._total = total
        self._done = 0
        self.bytes_read = 0
        self._local = threading.local()
        if progress is not None:
            progress(0, total)

    def _advance(self, read: int, skipped: int) -> None:
        with self._lock:
            self.bytes_read += read
            self._done += read + skipped
            if self._progress is not None:
                self._progress(self._done, self._total)

    def _read(self, p: _Physical, fd: int, view: memoryview, offset: int) -> None:
        p.read = True
        _read_exact(fd, view, offset)
        p.remaining -= len(view)
        self._advance(len(view), 0)

    def settle(self, p: _Physical) -> None:
        """Count bytes ``p`` turned out not to need as done, so progress ends at total."""
        if p.remaining > 0:
            skipped, p.remaining = p.remaining, 0
            self._advance(0, skipped)

    def _fail(self, p: _Physical, e: OSError | _Unusable) -> None:
        p.error = _describe(e)
        p.head_state = p.head_sha256 = None
        self.settle(p)

    def probe(self, p: _Physical) -> None:
        """Small file: full MD5 in one read. Larger: head and tail block hashes."""
        size = p.rep.size
        try:
            with _Handle(p.rep) as f:
                if p.small:
                    data = bytearray(size)
                    self._read(p, f.fd, memoryview(data), 0)
                else:
                    head, tail = bytearray(HEAD_SIZE), bytearray(TAIL_SIZE)
                    self._read(p, f.fd, memoryview(head), 0)
                    self._read(p, f.fd, memoryview(tail), size - TAIL_SIZE)
                f.verify()
        except (OSError, _Unusable) as e:
            self._fail(p, e)
            return
        if p.small:
            p.md5, p.md5_new = hashlib.md5(data).hexdigest(), True
            p.sha256 = hashlib.sha256(data).hexdigest()
        else:
            p.head_state, p.head_sha256 = hashlib.md5(head), hashlib.sha256(head)
            p.head, p.tail = p.head_state.hexdigest(), f"{zlib.crc32(tail):08x}"
        p.hashed_at = time.time()

    def _buffers(self, n: int) -> list[bytearray]:
        """This worker's read buffers: allocating (and faulting in) fresh ones per batch costs."""
        bufs: list[bytearray] = self._local.__dict__.setdefault("bufs", [])
        bufs.extend(bytearray(CHUNK_SIZE) for _ in range(n - len(bufs)))
        return bufs[:n]

    def _open_stream(self, p: _Physical, buf: bytearray, stack: ExitStack) -> _Stream | None:
        try:
            f = stack.enter_context(_Handle(p.rep))
            if p.head_state is None:  # head/tail came from the cache
                head = memoryview(buf)[:HEAD_SIZE]
                self._read(p, f.fd, head, 0)
                p.head_state, p.head_sha256 = hashlib.md5(head), hashlib.sha256(head)
                if p.head_state.hexdigest() != p.head:
                    raise _Unusable("content differs from its cached head hash")
        except (OSError, _Unusable) as e:
            self._fail(p, e)
            return None
        return _Stream(p, f, buf)

    def _read_chunk(self, s: _Stream, offset: int, n: int) -> bool:
        try:
            self._read(s.p, s.handle.fd, memoryview(s.buf)[:n], offset)
        except (OSError, _Unusable) as e:
            s.handle.close()
            self._fail(s.p, e)
            return False
        return True

    def _release(self, s: _Stream) -> bool:
        s.p.head_state = s.p.head_sha256 = None
        try:
            s.handle.verify()
        except (OSError, _Unusable) as e:
            self._fail(s.p, e)
            return False
        finally:
            s.handle.close()
        return True

    def full_hash(self, batch: list[_Physical]) -> None:
        """MD5 (and SHA-256) files of equal (size, head, tail) side by side, chunk by chunk."""
        size = batch[0].rep.size
        buffers = self._buffers(len(batch))
        with ExitStack() as stack:
            opened = [self._open_stream(p, b, stack) for p, b in zip(batch, buffers, strict=True)]
            streams = [s for s in opened if s is not None]
            if not streams:
                return
            # Equal head hashes mean equal MD5 (and SHA-256) states after the head block.
            first = streams[0].p
            classes = [(streams, _Digests(first.head_state.copy(), first.head_sha256.copy()))]
            for offset in range(HEAD_SIZE, size, CHUNK_SIZE):
                n = min(CHUNK_SIZE, size - offset)
                next_classes = []
                for members, h in classes:
                    alive = [s for s in members if self._read_chunk(s, offset, n)]
                    next_classes.extend(_split(alive, h, n))
                classes = next_classes
            now = time.time()
            for members, h in classes:
                md5, sha256 = h.md5.hexdigest(), h.sha256.hexdigest()
                for s in members:
                    if self._release(s):
                        s.p.md5, s.p.sha256, s.p.md5_new, s.p.hashed_at = md5, sha256, True, now


@dataclass(slots=True)
class _Digests:
    """The running hashes of one class of so-far-equal streams."""

    md5: hashlib._Hash
    sha256: hashlib._Hash

    def copy(self) -> _Digests:
        return _Digests(self.md5.copy(), self.sha256.copy())

    def update(self, data: memoryview) -> None:
        self.md5.update(data)
        self.sha256.update(data)


def _split(members: list[_Stream], h: _Digests, n: int) -> list[tuple[list[_Stream], _Digests]]:
    """Split a class of so-far-equal streams by their latest chunk and feed each part's hashes."""
    parts: list[list[_Stream]] = []
    for s in members:
        for part in parts:
            # memcmp of the first n bytes; memoryview == or slicing would be ~20x slower.
            if s.buf.startswith(memoryview(part[0].buf)[:n]):
                part.append(s)
                break
        else:
            parts.append([s])
    out = []
    for i, part in enumerate(parts):
        ph = h if i == len(parts) - 1 else h.copy()  # copy before h itself is updated
        ph.update(memoryview(part[0].buf)[:n])
        out.append((part, ph))
    return out


def _collapse_hardlinks(candidates: Iterable[HashCandidate]) -> list[_Physical]:
    by_inode: dict[tuple[int, int], list[HashCandidate]] = defaultdict(list)
    for c in candidates:
        by_inode[(c.device, c.inode)].append(c)
    return [_Physical(sorted(links, key=lambda c: c.file_id)) for links in by_inode.values()]


def _adopt_cache(p: _Physical, previous: Mapping[int, HashRecord]) -> None:
    valid = [
        r
        for c in p.links
        if (r := previous.get(c.file_id)) is not None
        and (r.size, r.mtime_ns, r.inode) == (c.size, c.mtime_ns, c.inode)
    ]
    if valid:
        best = max(
            valid,
            key=lambda r: (r.sha256 is not None, r.md5 is not None, r.head_hash is not None),
        )
        # An MD5 without its SHA-256 is dropped: the file is read whole once more for both.
        md5 = best.md5 if best.sha256 is not None else None
        p.head, p.tail, p.md5, p.sha256 = best.head_hash, best.tail_hash, md5, best.sha256
        p.hashed_at, p.cached = best.hashed_at, True


def _needs_probe(p: _Physical) -> bool:
    return p.md5 is None if p.small else p.head is None or p.tail is None


def _plan_bytes(same_size: list[_Physical]) -> None:
    """Set the worst-case bytes each file of a size collision may need (the progress total)."""
    probing = any(_needs_probe(p) for p in same_size)
    keys = Counter((p.head, p.tail) for p in same_size)
    for p in same_size:
        size = p.rep.size
        if p.small:
            p.remaining = size if p.md5 is None else 0
            continue
        probe = HEAD_SIZE + TAIL_SIZE if _needs_probe(p) else 0
        may_collide = probing or keys[(p.head, p.tail)] > 1
        # The full hash re-reads the tail but not the head (probed now, or else read by the full
        # hash itself when head/tail came from the cache).
        full = size - (HEAD_SIZE if probe else 0) if p.md5 is None and may_collide else 0
        p.remaining = probe + full


def find_exact_duplicates(
    candidates: Iterable[HashCandidate],
    previous: Mapping[int, HashRecord] | None = None,
    *,
    progress: Progress | None = None,
    workers: int = 2,
) -> HashResult:
    """Hash what is needed to find byte-identical files among ``candidates``.

    ``progress(done_bytes, total_bytes)``: total is the worst case fixed up front; done counts
    bytes read plus bytes found unnecessary, and ends equal to total. It is called from worker
    threads, one call at a time. ``workers`` threads read and hash different files at once.
    """
    started = time.time()
    physicals = _collapse_hardlinks(candidates)
    for p in physicals:
        _adopt_cache(p, previous or {})

    by_size: dict[int, list[_Physical]] = defaultdict(list)
    for p in physicals:
        if p.rep.size > 0:
            by_size[p.rep.size].append(p)
    collisions = [group for group in by_size.values() if len(group) > 1]
    for group in collisions:
        _plan_bytes(group)
    # Directory order is kinder to disks and NAS read-ahead.
    colliding = sorted((p for group in collisions for p in group), key=lambda p: p.rep.path)
    run = _Run(sum(p.remaining for p in colliding), progress)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hash") as pool:
        to_probe = [p for p in colliding if _needs_probe(p)]
        list(pool.map(run.probe, to_probe))
        batches = list(_full_hash_batches(p for p in colliding if not p.small))
        list(pool.map(run.full_hash, batches))
    for p in colliding:
        run.settle(p)  # dropped after the probe: the rest of it was never needed

    records: dict[int, HashRecord] = {}
    errors: list[HashError] = []
    for p in physicals:
        for c in p.links:
            if p.error is not None:
                via = "" if c is p.rep else f" (read via hardlink {p.rep.path})"
                errors.append(HashError(c.file_id, c.path, p.error + via))
            else:
                records[c.file_id] = HashRecord(
                    file_id=c.file_id,
                    size=c.size,
                    mtime_ns=c.mtime_ns,
                    inode=c.inode,
                    head_hash=p.head,
                    tail_hash=p.tail,
                    md5=p.md5,
                    sha256=p.sha256,
                    hashed_at=p.hashed_at or started,
                )
    return HashResult(
        records=records,
        groups=_groups(physicals),
        bytes_read=run.bytes_read,
        files_read=sum(p.read for p in physicals),
        files_fully_hashed=sum(p.md5_new for p in physicals),
        reused=sum(len(p.links) for p in physicals if p.cached and not p.read and not p.error),
        errors=errors,
    )


def _full_hash_batches(large: Iterable[_Physical]) -> Iterable[list[_Physical]]:
    by_key: dict[tuple[int, str | None, str | None], list[_Physical]] = defaultdict(list)
    for p in large:
        if p.error is None:
            by_key[(p.rep.size, p.head, p.tail)].append(p)
    for group in by_key.values():
        need = [p for p in group if p.md5 is None]
        if len(group) < 2 or not need:
            continue
        for i in range(0, len(need), MAX_BATCH):
            yield need[i : i + MAX_BATCH]


def _groups(physicals: list[_Physical]) -> list[list[int]]:
    by_content: dict[tuple[int, str], list[_Physical]] = defaultdict(list)
    for p in physicals:
        if p.md5 is not None and p.error is None and p.rep.size > 0:
            by_content[(p.rep.size, p.md5)].append(p)
    return sorted(
        sorted(c.file_id for p in same for c in p.links)
        for same in by_content.values()
        if len(same) > 1
    )
