"""Walk a library root: every video file with its stat facts and sidecars, and every problem met.

Bad input never stops a scan: unreadable folders, files that vanish between listing and stat,
symlink loops and names that are not valid UTF-8 become ScanErrors and the walk carries on.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mediavault_assets.domain.model import Sidecar
from mediavault_assets.domain.sidecars import sidecar_for

VIDEO_EXTENSIONS = frozenset(
    {
        ".mkv",
        ".mp4",
        ".avi",
        ".m4v",
        ".mov",
        ".wmv",
        ".flv",
        ".webm",
        ".ts",
        ".m2ts",
        ".mpg",
        ".mpeg",
    }
)
# NAS housekeeping folders: thumbnails, Mac resource forks, recycle bins, sync metadata.
CLUTTER_DIRS = frozenset(
    {"@eaDir", ".AppleDouble", "#recycle", ".Trashes", ".stfolder", "#snapshot", ".@__thumb"}
)


@dataclass(frozen=True, slots=True)
class WalkedFile:
    relative_path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    device: int
    inode: int
    nlink: int
    sidecars: tuple[Sidecar, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanError:
    path: str
    error: str


@dataclass(slots=True)
class WalkResult:
    files: list[WalkedFile] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    directories: int = 0
    skipped_dirs: int = 0


def _printable(path: str) -> str:
    """A path safe to show and store: undecodable bytes become \\xNN escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def walk_root(
    root: Path,
    *,
    exclude: tuple[Path, ...] = (),
    progress: Callable[[int], None] | None = None,
) -> WalkResult:
    """List the video files under `root` (following directory symlinks, never in a loop)."""
    result = WalkResult()
    root = Path(root)
    excluded = {os.path.realpath(p) for p in exclude}
    try:
        root_stat = root.stat()
    except OSError as error:
        result.errors.append(
            ScanError(str(root), f"library root is not readable: {error.strerror}")
        )
        return result
    if not stat_module.S_ISDIR(root_stat.st_mode):
        result.errors.append(ScanError(str(root), "library root is not a folder"))
        return result

    visited: set[tuple[int, int]] = {(root_stat.st_dev, root_stat.st_ino)}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        directory, relative_dir = stack.pop()
        result.directories += 1
        entries = _entries(directory, relative_dir, result)
        file_names: list[str] = []
        for entry in entries:
            relative = f"{relative_dir}{entry.name}"
            if not _is_valid_utf8(entry.name):
                result.errors.append(
                    ScanError(
                        _printable(relative), "name is not valid UTF-8; rename it to include it"
                    )
                )
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as error:
                result.errors.append(ScanError(relative, f"cannot stat: {error.strerror}"))
                continue
            if not is_dir:
                file_names.append(entry.name)
                continue
            if entry.name in CLUTTER_DIRS or os.path.realpath(entry.path) in excluded:
                result.skipped_dirs += 1
                continue
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as error:
                result.errors.append(ScanError(relative, f"cannot stat folder: {error.strerror}"))
                continue
            if (st.st_dev, st.st_ino) in visited:
                result.errors.append(
                    ScanError(relative, "symlink loop (folder already visited); skipped")
                )
                continue
            visited.add((st.st_dev, st.st_ino))
            stack.append((entry.path, relative + "/"))
        _collect_videos(directory, relative_dir, sorted(file_names), result)
        if progress:
            progress(len(result.files))
    result.files.sort(key=lambda f: f.relative_path)
    return result


def _entries(directory: str, relative_dir: str, result: WalkResult) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as iterator:
            return list(iterator)
    except OSError as error:
        folder = _printable(relative_dir.rstrip("/") or ".")
        result.errors.append(ScanError(folder, f"cannot read folder: {error.strerror}"))
        return []


def _collect_videos(
    directory: str, relative_dir: str, names: list[str], result: WalkResult
) -> None:
    videos = [n for n in names if os.path.splitext(n)[1].lower() in VIDEO_EXTENSIONS]
    others = [n for n in names if n not in set(videos)]
    for name in videos:
        relative = f"{relative_dir}{name}"
        try:
            st = os.stat(os.path.join(directory, name))
        except FileNotFoundError:
            result.errors.append(ScanError(relative, "vanished during the scan"))
            continue
        except OSError as error:
            result.errors.append(ScanError(relative, f"cannot stat: {error.strerror}"))
            continue
        if not stat_module.S_ISREG(st.st_mode):
            continue
        sidecars = tuple(
            sidecar
            for other in others
            if (sidecar := sidecar_for(name, other, relative_dir)) is not None
        )
        result.files.append(
            WalkedFile(
                relative_path=relative,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                ctime_ns=st.st_ctime_ns,
                device=st.st_dev,
                inode=st.st_ino,
                nlink=st.st_nlink,
                sidecars=sidecars,
            )
        )
