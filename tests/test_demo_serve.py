"""`mediavault demo` as a person runs it: both servers come up on 127.0.0.1, and a stop leaves
nothing behind — even when the demo was started in the background (`demo.sh &`), where SIGINT
arrives ignored and would otherwise be passed on ignored to Dagster's processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_ui_app import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _processes_mentioning(text: str) -> dict[int, str]:
    """Live processes (pid: command line) whose command line or environment names `text`."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if state != "Z" and (text.encode() in cmdline or text.encode() in environ):
            found[int(proc.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
    return found


def test_sigterm_stops_the_dagster_ui_and_the_review_app(tmp_path: Path) -> None:
    dagster_port, ui_port = free_port(), free_port()
    command = [sys.executable, "-m", "mediavault_assets.cli", "demo", "--dir", str(tmp_path)]
    command += ["--dagster-port", str(dagster_port), "--ui-port", str(ui_port)]
    demo = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # What a shell does to a job started with `&`.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 240
        urls = [
            f"http://127.0.0.1:{dagster_port}/server_info",
            f"http://127.0.0.1:{ui_port}/_stcore/health",
        ]
        while not all(_answers(url) for url in urls):
            assert demo.poll() is None, "the demo exited before serving"
            assert time.monotonic() < deadline, "the servers did not come up"
            time.sleep(1)
        assert _processes_mentioning(str(tmp_path))  # the check below can see them

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _processes_mentioning(str(tmp_path)) == {}
        assert not any(_answers(url) for url in urls)
    finally:
        if demo.poll() is None:
            demo.kill()
        for pid in _processes_mentioning(str(tmp_path)):
            os.kill(pid, signal.SIGKILL)
