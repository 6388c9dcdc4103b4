"""Walk a library root: every video file with its stat facts and sidecars, and every problem met.

Bad input never stops a scan: unreadable folders, files that vanish between listing and stat,
symlinks and names that are not valid UTF-8 become ScanErrors and the walk carries on.

Symlinks are never followed. A link is a second name for a file: listed, it would count as a
second copy (so the last-copy guard would let the "other" one go) and staging would move files
from outside every root. Its target is scanned where it really lies, when that is in a root.
The excluded folders (the staging root) are recognised by (device, inode), so the same folder
reached through a second mount of the share is skipped too.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mediavault_assets.domain.model import Sidecar
from mediavault_assets.domain.pickling import tuple_pickled
from mediavault_assets.domain.sidecars import assign_sidecars, is_video_name

# NAS housekeeping folders: thumbnails, Mac resource forks, recycle bins, sync metadata.
CLUTTER_DIRS = frozenset(
    {"@eaDir", ".AppleDouble", "#recycle", ".Trashes", ".stfolder", "#snapshot", ".@__thumb"}
)


@tuple_pickled
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


@tuple_pickled
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
    root_error: str | None = None  # the root itself could not be walked: nothing was listed


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
    folders: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
) -> WalkResult:
    """List the video files under `root`, following no symlink (see the module docstring).

    With `folders` (root-relative), only those folders are walked; paths stay root-relative.
    """
    result = WalkResult()
    root = Path(root)
    excluded = _identities(exclude)
    try:
        root_stat = root.stat()
    except OSError as error:
        return _root_failed(result, root, f"library root is not readable: {error.strerror}")
    if not stat_module.S_ISDIR(root_stat.st_mode):
        return _root_failed(result, root, "library root is not a folder")
    if inside := _inside_excluded(root, excluded):
        return _root_failed(result, root, f"library root is inside {inside}; not walked")
    try:
        os.listdir(root)
    except OSError as error:
        return _root_failed(result, root, f"library root is not readable: {error.strerror}")
    real_root = os.path.realpath(root)

    stack: list[tuple[str, str]] = [(str(root), "")]
    if folders:
        for folder in folders:
            if problem := _folder_problem(root / folder, folder, real_root, excluded):
                return _root_failed(result, root / folder, problem)
        stack = [(str(root / folder), f"{folder}/") for folder in folders]
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
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                result.errors.append(ScanError(relative, "vanished during the scan"))
                continue
            except OSError as error:
                result.errors.append(ScanError(relative, f"cannot stat: {error.strerror}"))
                continue
            if stat_module.S_ISLNK(st.st_mode):
                if problem := _symlink_problem(entry.path, real_root):
                    result.errors.append(ScanError(relative, problem))
                continue
            if not stat_module.S_ISDIR(st.st_mode):
                file_names.append(entry.name)
                continue
            if entry.name in CLUTTER_DIRS or (st.st_dev, st.st_ino) in excluded:
                result.skipped_dirs += 1
                continue
            stack.append((entry.path, relative + "/"))
        _collect_videos(directory, relative_dir, sorted(file_names), result)
        if progress:
            progress(len(result.files))
    result.files.sort(key=lambda f: f.relative_path)
    return result


def _root_failed(result: WalkResult, root: Path, problem: str) -> WalkResult:
    result.root_error = problem
    result.errors.append(ScanError(str(root), problem))
    return result


def _folder_problem(
    directory: Path, folder: str, real_root: str, excluded: dict[tuple[int, int], str]
) -> str | None:
    """Why a folder of a path scan cannot be walked, or None."""
    if clutter := sorted(CLUTTER_DIRS.intersection(folder.split("/"))):
        return f"folder is inside NAS housekeeping ({clutter[0]}); not walked"
    if not directory.is_dir():
        return "folder does not exist in the library root"
    # Through a symlink the folder would lie elsewhere (see the module docstring).
    if os.path.realpath(directory) != os.path.join(real_root, folder):
        return "folder is reached through a symlink; not walked"
    if inside := _inside_excluded(directory, excluded):
        return f"folder is inside {inside}; not walked"
    return None


def _identities(paths: tuple[Path, ...]) -> dict[tuple[int, int], str]:
    """(device, inode) of each existing folder in `paths`."""
    found = {}
    for path in paths:
        with contextlib.suppress(OSError):
            st = os.stat(path)
            found[(st.st_dev, st.st_ino)] = str(path)
    return found


def _inside_excluded(root: Path, excluded: dict[tuple[int, int], str]) -> str | None:
    """The excluded folder that `root` is, or lies in (through any mount), or None."""
    folder = Path(os.path.realpath(root))
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            st = os.stat(candidate)
            if (st.st_dev, st.st_ino) in excluded:
                return excluded[(st.st_dev, st.st_ino)]
    return None


def _symlink_problem(path: str, real_root: str) -> str | None:
    """What to report about a symlink met in the walk (None for one to a non-video file)."""
    target = os.path.realpath(path)
    if not os.path.exists(target):
        return "dangling symlink (its target does not exist); skipped"
    if os.path.isfile(target) and not is_video_name(path) and not is_video_name(target):
        return None
    if target == real_root or target.startswith(real_root.rstrip("/") + "/"):
        return "symlink; not followed (its target in this root is scanned where it lies)"
    return "symlink that leads out of the library root; not followed"


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
    videos = [n for n in names if is_video_name(n)]
    sidecars = assign_sidecars(videos, [n for n in names if not is_video_name(n)], relative_dir)
    for name in videos:
        relative = f"{relative_dir}{name}"
        try:
            st = os.stat(os.path.join(directory, name), follow_symlinks=False)
        except FileNotFoundError:
            result.errors.append(ScanError(relative, "vanished during the scan"))
            continue
        except OSError as error:
            result.errors.append(ScanError(relative, f"cannot stat: {error.strerror}"))
            continue
        if not stat_module.S_ISREG(st.st_mode):
            continue
        result.files.append(
            WalkedFile(
                relative_path=relative,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                ctime_ns=st.st_ctime_ns,
                device=st.st_dev,
                inode=st.st_ino,
                nlink=st.st_nlink,
                sidecars=sidecars[name],
            )
        )
