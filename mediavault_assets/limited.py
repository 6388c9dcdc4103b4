"""Run one function in a child Python process with resource limits, for work on untrusted input.

Model-written SQL and decoders fed with arbitrary files can ask for unbounded memory or CPU.
In the review app's own process that would get the whole app OOM-killed or starve it; in a
child, an address-space limit (RLIMIT_AS) turns a huge allocation into an error, a CPU limit
(RLIMIT_CPU) stops a spinning decoder, and the parent kills the child at a wall-clock deadline
whatever it is doing.

The function and its arguments go to the child pickled on stdin (by module and name, so the
function must be importable at module level); its result or exception comes back on stdout.
Keep the function's module light: the child imports it afresh on every call.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Limits:
    wall_seconds: float
    memory_bytes: int | None = None
    cpu_seconds: int | None = None


class ChildFailed(RuntimeError):
    """The child ended without an answer: killed by a limit, or crashed."""


class ChildTimeout(ChildFailed):
    """The child was still running at the wall-clock deadline and was killed."""


def run_limited(function: Callable[..., T], *args: Any, limits: Limits) -> T:
    """`function(*args)` in a fresh interpreter under `limits`; its exception is raised here."""
    request = pickle.dumps((function.__module__, function.__qualname__, args, limits))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
        # One malloc arena per thread reserves 64 MB of address space each: keep RLIMIT_AS
        # about real use.
        "MALLOC_ARENA_MAX": "2",
    }
    # Not `-m`: the child must load this module by its own name, so the ChildFailed it sends
    # back unpickles here as this ChildFailed rather than as a `__main__` class.
    child = subprocess.Popen(
        [sys.executable, "-c", f"from {__name__} import _child; _child()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = child.communicate(request, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ChildTimeout(f"still running after {limits.wall_seconds:g} s; stopped") from None
    if child.returncode != 0 or not out:
        last = (err.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ChildFailed(f"the worker process ended with code {child.returncode} ({last})")
    ok, value = pickle.loads(out)
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _child() -> None:
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the function prints must not corrupt the answer
    module, name, args, limits = pickle.loads(sys.stdin.buffer.read())
    # Our own code loads first, unlimited: the limits are for the work on untrusted input.
    function = getattr(importlib.import_module(module), name)
    if limits.memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    if limits.cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    try:
        result: tuple[bool, Any] = (True, function(*args))
    except MemoryError:  # the address-space limit, met in Python code
        result = (False, ChildFailed("the worker process ran out of its memory limit"))
    except Exception as error:  # handed to the parent, which raises it
        result = (False, error)
    try:
        data = pickle.dumps(result)
        pickle.loads(data)  # some C extensions' exceptions pickle but cannot be rebuilt
    except Exception as error:  # then their text still goes back
        data = pickle.dumps((False, ChildFailed(f"{type(error).__name__}: {error}")))
    answer.write(data)
    answer.close()
