"""Time-boxed batch name parsing: guessit in worker processes, a regex fallback for slow names.

guessit takes 10–20 ms for most names but can spend minutes on a pathological one, and a thread
cannot be stopped. So ``NameParser`` runs the parse in 1–2 spawned worker processes: names go out
in chunks (one pipe message per chunk) and come back one message per name, so the parent always
knows which name a worker is on and since when. A name that overruns the time box gets
``parse_fallback`` with parse_error "guessit timed out after 5.0s"; its worker is killed and
replaced, and the rest of its chunk is queued again. Results come back in input order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import cast

from mediavault_assets.domain.model import ParsedName
from mediavault_assets.domain.naming import MediaTypeHint, parse_fallback, parse_name

ParseFn = Callable[[str, MediaTypeHint], ParsedName]
Progress = Callable[[int, int], None]
_Job = tuple[int, str, MediaTypeHint]

# spawn, not fork: the parent is often a threaded Dagster process, and forking one can deadlock.
_CONTEXT = multiprocessing.get_context("spawn")
_READY = "ready"
_WARM_UP_NAME = "Warm.Up.S01E01.1080p.WEB-DL.x264-MediaVault.mkv"
_STOP_GRACE_S = 2.0
_HINTS: tuple[MediaTypeHint, ...] = ("tv", "movie", "mixed")


def _worker_main(conn: Connection, parse: ParseFn) -> None:
    """Parse chunks of (index, path, hint) until told to stop, answering once per name."""
    for hint in _HINTS:  # build guessit's rules before the parent starts the clock
        parse(_WARM_UP_NAME, hint)
    conn.send(_READY)
    while True:
        try:
            chunk: list[_Job] | None = conn.recv()
        except EOFError:  # the parent went away
            return
        if chunk is None:
            return
        for index, path, hint in chunk:
            try:
                result = parse(path, hint)
            except Exception as exc:  # a parser bug costs one name, not the worker
                result = parse_fallback(path, hint, error=f"name parsing failed: {exc!r:.200}")
            conn.send((index, result))


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    since: float  # spawn time until ready, then when the current name started
    ready: bool = False
    dead: bool = False
    inflight: deque[_Job] = field(default_factory=deque)


class NameParser:
    """Parses names with guessit in worker processes, never longer than a time box per name.

    Use as a context manager; workers start on the first batch, stay for the next ones and are
    stopped on exit (or when the parser is garbage-collected).
    """

    def __init__(
        self,
        workers: int = 2,
        *,
        chunk_size: int = 32,
        parse: ParseFn = parse_name,
        start_timeout_s: float = 60.0,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._max_workers = workers
        self._chunk_size = max(1, chunk_size)
        self._parse = parse  # a module-level function: it is pickled by name into the workers
        self._start_timeout_s = start_timeout_s
        self._workers: list[_Worker] = []
        self._stop = weakref.finalize(self, _stop_workers, self._workers)

    def __enter__(self) -> NameParser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        self._stop()

    def parse_many(
        self,
        items: Sequence[tuple[str, MediaTypeHint]],
        timeout_s: float = 5.0,
        progress: Progress | None = None,
    ) -> list[ParsedName]:
        """One ParsedName per (relative_path, hint), in input order.

        ``progress(done, total)`` is called as results arrive (at most once per wake-up).
        """
        if not self._stop.alive:
            raise RuntimeError("NameParser is closed")
        total = len(items)
        if total == 0:
            return []
        results: list[ParsedName | None] = [None] * total
        # Small batches still spread over every worker; large ones go in chunk_size pieces.
        size = max(1, min(self._chunk_size, -(-total // (2 * self._max_workers))))
        jobs: list[_Job] = [(i, path, hint) for i, (path, hint) in enumerate(items)]
        queue = deque(jobs[i : i + size] for i in range(0, total, size))
        done = 0
        try:
            while done < total:
                self._dispatch(queue)
                busy = [w for w in self._workers if w.inflight or not w.ready]
                deadline = min(self._deadline(w, timeout_s) for w in busy)
                wait([w.conn for w in busy], timeout=max(0.0, deadline - time.monotonic()))
                before = done
                for worker in busy:
                    done += self._drain(worker, results)
                done += self._recycle_stuck(busy, queue, results, timeout_s)
                if progress is not None and done != before:
                    progress(done, total)
        except BaseException:
            # Workers still busy would answer into the next batch: stop them all.
            _stop_workers(self._workers, graceful=False)
            raise
        return cast("list[ParsedName]", results)  # every index was filled exactly once

    def _dispatch(self, queue: deque[list[_Job]]) -> None:
        """Start workers as needed and hand each idle one a chunk."""
        while True:
            while len(self._workers) < min(self._max_workers, len(queue) + self._busy_count()):
                self._workers.append(self._spawn())
            idle = [w for w in self._workers if w.ready and not w.inflight]
            if not (queue and idle):
                return
            worker, chunk = idle[0], queue.popleft()
            try:
                worker.conn.send(chunk)
            except OSError:  # it died while idle (OOM killer...): none of the chunk ran
                queue.appendleft(chunk)
                _kill(worker)
                self._workers.remove(worker)
                continue
            worker.inflight.extend(chunk)
            worker.since = time.monotonic()

    def _busy_count(self) -> int:
        return sum(1 for w in self._workers if w.inflight)

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=_worker_main,
            args=(child_conn, self._parse),
            name="mediavault-name-parser",
            daemon=True,  # never outlive the parent, whatever happens to it
        )
        process.start()
        child_conn.close()  # the child holds the other end; EOF now means it died
        return _Worker(process=process, conn=parent_conn, since=time.monotonic())

    def _deadline(self, worker: _Worker, timeout_s: float) -> float:
        return worker.since + (timeout_s if worker.ready else self._start_timeout_s)

    def _drain(self, worker: _Worker, results: list[ParsedName | None]) -> int:
        """Read every message a worker has sent; returns how many names it finished."""
        finished = 0
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                worker.since = time.monotonic()
                if message == _READY:
                    worker.ready = True
                    continue
                index, parsed = message
                worker.inflight.popleft()  # workers answer in the order they were sent
                results[index] = parsed
                finished += 1
        except (EOFError, OSError):
            worker.dead = True
        return finished

    def _recycle_stuck(
        self,
        busy: list[_Worker],
        queue: deque[list[_Job]],
        results: list[ParsedName | None],
        timeout_s: float,
    ) -> int:
        """Replace dead and overdue workers; their current name gets the regex fallback."""
        finished = 0
        now = time.monotonic()
        for worker in busy:
            waiting = bool(worker.inflight) or not worker.ready
            overdue = waiting and now >= self._deadline(worker, timeout_s)
            if not (worker.dead or overdue):
                continue
            if not worker.ready:  # parse_many stops the other workers on the way out
                code = worker.process.exitcode
                raise RuntimeError(f"a name parser worker failed to start (exit code {code})")
            exit_code = _kill(worker)
            self._workers.remove(worker)
            if not worker.inflight:  # died after its last answer: nothing was lost
                continue
            index, path, hint = worker.inflight.popleft()
            if worker.dead:
                error = f"name parser worker died (exit code {exit_code})"
            else:
                error = f"guessit timed out after {float(timeout_s)}s"
            results[index] = parse_fallback(path, hint, error=error)
            finished += 1
            if worker.inflight:
                queue.appendleft(list(worker.inflight))
        return finished


def parse_names(
    items: Sequence[tuple[str, MediaTypeHint]],
    timeout_s: float = 5.0,
    progress: Progress | None = None,
) -> list[ParsedName]:
    """One-shot ``NameParser().parse_many`` for callers that parse a single batch."""
    with NameParser() as parser:
        return parser.parse_many(items, timeout_s=timeout_s, progress=progress)


def _kill(worker: _Worker) -> int | None:
    """Kill and reap one worker; returns its exit code (negative: the signal that ended it)."""
    worker.process.kill()
    worker.process.join()
    exit_code = worker.process.exitcode
    worker.conn.close()
    worker.process.close()
    return exit_code


def _stop_workers(workers: list[_Worker], graceful: bool = True) -> None:
    """Ask idle workers to exit, kill the rest, and reap them all (no zombies left behind)."""
    for worker in workers:
        if graceful and not worker.inflight and not worker.dead:
            with contextlib.suppress(OSError):  # already gone: the join below reaps it
                worker.conn.send(None)
    deadline = time.monotonic() + (_STOP_GRACE_S if graceful else 0.0)
    for worker in workers:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        worker.process.close()
    workers.clear()
