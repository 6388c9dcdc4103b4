"""What a scan covers and how much it re-reads: full, incremental, or only some folders.

incremental (the default): only new or changed files are probed and hashed.
full: every file in scope is probed again, and so hashed again (bit rot, a changed prober).
path: only the given folders of one root are walked; files elsewhere keep their rows as they
were, so nothing outside the folders can look vanished.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

MODES = ("incremental", "full")
DEFAULT_MODE = "incremental"


class ScanRequestError(ValueError):
    """A scan mode or folder that cannot be scanned, said so a person can fix it."""


@dataclass(frozen=True, slots=True)
class ScanRequest:
    mode: str = DEFAULT_MODE
    folders: tuple[str, ...] = ()  # relative to the root, "/"-separated; () is the whole root

    @property
    def scan_type(self) -> str:
        """scan_history.scan_type: 'full', 'incremental' or 'path'."""
        return "path" if self.folders else self.mode

    @property
    def reprobe_all(self) -> bool:
        return self.mode == "full"

    def covers(self, relative_path: str) -> bool:
        """Whether a file at this root-relative path lies in what the scan walks."""
        return not self.folders or any(
            relative_path.startswith(folder + "/") for folder in self.folders
        )


def parse_scan_request(mode: str | None, folders: Sequence[str] = ()) -> ScanRequest:
    """A request from its mode and root-relative folders (as run tags carry them)."""
    mode = mode or DEFAULT_MODE
    if mode not in MODES:
        raise ScanRequestError(f"unknown scan mode {mode!r}; choose one of {', '.join(MODES)}")
    cleaned = []
    for folder in folders:
        parts = PurePosixPath(folder.strip().strip("/")).parts
        if not parts or any(part in ("..", ".") for part in parts):
            raise ScanRequestError(f"{folder!r} is not a folder inside the root")
        cleaned.append("/".join(parts))
    # A folder inside another one is walked with it.
    kept = [f for f in cleaned if not any(f.startswith(o + "/") for o in cleaned if o != f)]
    return ScanRequest(mode, tuple(sorted(set(kept))))


def folders_from_tag(value: str | None) -> list[str]:
    """The scan-paths tag: a JSON list of folders, or one folder as typed in the launchpad."""
    if not value or not value.strip():
        return []
    if value.lstrip().startswith("["):
        try:
            folders = json.loads(value)
        except json.JSONDecodeError as error:
            raise ScanRequestError(f"scan paths {value!r} are not a JSON list: {error}") from None
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            raise ScanRequestError(f"scan paths {value!r} are not a list of folders")
        return folders
    return [value]


def folders_tag(folders: Sequence[str]) -> str:
    return json.dumps(list(folders))


def locate_folder(path: str, roots: Mapping[str, Sequence[str]]) -> tuple[str, str]:
    """(root key, folder relative to it) of an absolute path, given each root's base paths
    (its local path and its NAS path). The root itself is folder ''."""
    given = PurePosixPath(path)
    if not given.is_absolute() or ".." in given.parts:
        raise ScanRequestError(f"{path} is not an absolute path")
    # The deepest base wins: a root may lie inside another root's folder.
    matches = [
        (len(PurePosixPath(base).parts), key, given.relative_to(base).as_posix())
        for key, bases in roots.items()
        for base in bases
        if base and given.is_relative_to(base)
    ]
    if not matches:
        listed = "; ".join(
            f"{key}: {' or '.join(b for b in bases if b)}" for key, bases in roots.items()
        )
        raise ScanRequestError(f"{path} is not inside a configured library root ({listed})")
    _, key, relative = max(matches)
    return key, "" if relative == "." else relative
