"""The limited child process: its own errors come back as this process's classes."""

from __future__ import annotations

import time

import pytest

from mediavault_assets.limited import ChildFailed, ChildTimeout, Limits, run_limited


def test_a_python_memory_error_in_the_child_is_raised_here_as_child_failed() -> None:
    # bytearray is importable by module and name, and allocating 2 GiB under a 256 MiB
    # address-space limit fails in Python code (MemoryError), not by a crash of the child.
    with pytest.raises(ChildFailed, match="memory limit") as raised:
        run_limited(bytearray, 2**31, limits=Limits(wall_seconds=30, memory_bytes=256 * 2**20))
    assert type(raised.value) is ChildFailed


def test_the_functions_own_exception_and_result_come_back() -> None:
    assert run_limited(sum, [1, 2, 3], limits=Limits(wall_seconds=30)) == 6
    with pytest.raises(ValueError, match="invalid literal"):
        run_limited(int, "not a number", limits=Limits(wall_seconds=30))


def test_a_child_past_its_deadline_is_stopped() -> None:
    with pytest.raises(ChildTimeout):
        run_limited(time.sleep, 10, limits=Limits(wall_seconds=0.5))
