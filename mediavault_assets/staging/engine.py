"""The staging engine: moves approved files into staging, restores them, purges them. No Dagster.

The promise is that no file is ever lost: at every instant (a SIGKILL included) each byte is in
its original place or in a verified copy in staging, and the journal (``archive_operations``, see
``journal.py``) says which. Nothing is ever overwritten, and no file is deleted except by
``purge``: besides it the engine only removes what it made itself (partial files, its verified
copies while the original is intact, its manifests) and a moved file's source once the verified
copy is in place.

Public API
==========
``stage(requests, staging_root, journal, *, today, dry_run=False, progress=None, in_use=None)
-> list[Outcome]``
    Moves each approved file (``StageRequest``) with its sidecars to seed 000's layout,
    ``{staging_root}/{media_type}/{today}/{root_key}/{relative path}`` (``staging_path`` of the
    deletion plan, so two roots never collide), and writes a manifest beside it. A file in
    ``in_use`` (file id → why, e.g. a media server plays it now) is skipped with that reason.
``restore(file_ids, journal, *, dry_run=False, progress=None) -> list[Outcome]``
    Puts staged files (``file_ids``, or all when None) and their sidecars back where they were,
    the same way (rename, or verified copy). Never overwriting: every original path must be
    free, or hold exactly the staged bytes (an original that could not be removed when staged).
``purge(journal, *, now, retention_days, approved_file_ids, reviewed_file_ids=(),
auto_delete_unreviewed=False, dry_run=False, file_ids=None, by=None) -> list[Outcome]``
    Deletes staged files (``file_ids``, or all when None) for good once staged more than
    ``retention_days`` ago, when approved
    (``approved_file_ids``), or, only with ``auto_delete_unreviewed`` (seed 000's auto-delete),
    when nobody reviewed them (not in ``reviewed_file_ids``: files with any decision at all).
    Records ``deleted_permanently_at`` (= ``now``) on the archive operation.
``recover(journal) -> list[Outcome]``
    Finishes or rolls back what an interrupted run left; stage, restore and purge call it first.

Every call but a dry run holds the journal's staging lock (``StagingBusyError`` when another run
has it) and starts with recovery, whose outcomes (action "recover") come first in the result.
A dry run checks everything a real run checks and changes nothing: no file, no directory, no
journal row. ``progress(file_id, bytes_copied, bytes_total)`` is called after each chunk of a
copy (for logs; tests use it to slow a copy down).

Outcome statuses: stage "moved", restore "restored", purge "purged"; "skipped" (a precondition
failed, nothing touched), "failed" (started, then rolled back, or see needs_attention),
"dry_run"; recovery "completed" (rolled forward), "rolled_back", "needs_attention".

How a file moves
================
1. Checks, before any change: the source is still the planned file (regular file; size, mtime
   and inode as planned), its sidecars are beside it, the destination, the sidecars'
   destinations and the manifest are free, the staging path stays inside the staging root
   (no "..", no symlinked folder leading out), the file is not already staged. A failed check
   journals a "skipped" row with the reason. The one exception to "free": this file's own
   staged copy left by a run whose journal was lost (our manifest beside it, bytes identical to
   the source) is verified and taken over.
2. Same file system (same device): rename, never replacing (``renameat2(RENAME_NOREPLACE)``,
   else link + unlink). The MD5 for the manifest is the plan's, or is read once beforehand.
   A rename refused with EXDEV (one device seen through two mounts) turns into a copy.
3. Other file system: copy each file into a ``.mediavault-<op>-<n>.partial`` file beside its
   destination, hashing the source as it is read; fsync; drop the copy from the page cache and
   hash it again from disk; both MD5s (and the plan's, when known) must agree, and the source
   must not have changed during the copy. Then rename the partial into place (never replacing),
   fsync the folder. Mode, owner and times are copied too.
4. The manifest ``<name>.mediavault.json`` (original path, size, md5, reason, plan id,
   sidecars, staged_at) is written beside the staged video (a shortened name with a hash when
   the name would pass 255 bytes).
5. Journal "transferred"; only now are copied sources removed (after checking they are still
   unchanged), folders fsynced, and the operation "completed".

A full disk, a permission error or any other failure rolls the operation back (partial copies
deleted, renamed files renamed back, sources untouched) and journals it "failed" with the OS
message. If removing the sources fails before any was removed, the verified copies are deleted
instead (rolled back); once one is removed, the operation completes and its error_message lists
the originals that could not be removed (their bytes are then in both places).

Recovery, per phase of an unfinished operation
==============================================
- planned (nothing touched): failed / rolled_back.
- moving (archive or restore): roll back. Partial files of the operation are deleted; a
  destination that is a second link of the source, or a byte-identical copy while the source is
  intact, is deleted; a renamed file (its journaled inode and size) is renamed back, never
  replacing; the operation's own manifest is deleted. A copy is never deleted unless its source
  is present and identical. Anything else (a source gone, a foreign file in the way) is left as
  it is and the operation becomes needs_attention, with each file's whereabouts in its message.
- transferred: roll forward. Each destination is verified again (MD5 for copies), then each
  source still present is removed if unchanged; a restore then deletes the manifest and marks
  the archive operation reversed. If a copy fails verification while every source is still in
  place, the operation is rolled back instead.
- deleting (purge): roll forward: delete what is left and record deleted_permanently_at.

File names are untrusted: any Unicode, spaces, newlines and 255-byte names are fine; names that
are not valid UTF-8, NUL bytes, and relative paths that are absolute or leave their folder
("..", ".") are refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from mediavault_assets.domain.deletion_plan import staging_path
from mediavault_assets.domain.sidecars import is_video_name, sidecar_owner
from mediavault_assets.staging.journal import Member, Operation, OperationType, StagingJournal

CHUNK_SIZE = 4 * 1024 * 1024
MANIFEST_SUFFIX = ".mediavault.json"
MANIFEST_FORMAT = "mediavault-staging-manifest/1"
_NAME_MAX = 255  # bytes in one file name on Linux file systems

Action = Literal["stage", "restore", "purge", "recover"]
OutcomeStatus = Literal[
    "moved",
    "restored",
    "purged",
    "skipped",
    "failed",
    "dry_run",
    "completed",
    "rolled_back",
    "needs_attention",
]
Progress = Callable[[int, int, int], None]


# Cross-device copies made in one run: (st_dev, st_ino) of the source → the copy and its MD5.
_Copies = dict[tuple[int, int], tuple[Path, str]]


@dataclass(frozen=True, slots=True)
class StageRequest:
    """An approved row of the deletion plan, with the file identity the decision was made on."""

    plan_id: int | None  # None when a person chose to stage a file the plan kept
    file_id: int
    group_id: int | None
    root_key: str
    media_type: str  # "tv" or "movie"
    source: Path  # absolute path where runs execute (inventory_files.local_path)
    relative_path: str  # relative to the library root (inventory_files.relative_path)
    expected_size: int
    expected_mtime_ns: int
    expected_inode: int
    sidecars: tuple[Path, ...] = ()  # absolute paths beside the source
    reason: str = ""
    md5: str | None = None  # full-file MD5 when the hasher computed it
    approved_by: int | None = None  # the approver's user id (None: auto-approved)


@dataclass(frozen=True, slots=True)
class Outcome:
    action: Action
    file_id: int
    status: OutcomeStatus
    destination: str | None  # staged path (stage, purge) or original path (restore)
    bytes: int  # of the video and its sidecars
    message: str
    operation_id: int | None = None


class _Skip(Exception):
    """A precondition failed; nothing has been touched."""


class _Failure(Exception):
    """A step failed after the operation started; it gets rolled back."""


# -- public API -------------------------------------------------------------------------------


def stage(
    requests: Iterable[StageRequest],
    staging_root: Path,
    journal: StagingJournal,
    *,
    today: date,
    dry_run: bool = False,
    progress: Progress | None = None,
    in_use: Mapping[int, str] | None = None,
) -> list[Outcome]:
    """Move each approved file and its sidecars into staging (see the module docstring)."""
    in_use = in_use or {}
    if not staging_root.is_absolute():
        raise ValueError(f"staging root must be an absolute path: {staging_root}")
    requests = list(requests)
    with _run(journal, dry_run) as outcomes:
        staged = {op.file_id for op in journal.staged([r.file_id for r in requests])}
        copies: _Copies = {}
        for request in requests:
            outcome = _stage_one(
                request,
                staging_root,
                journal,
                today,
                dry_run,
                progress,
                staged,
                copies,
                in_use.get(request.file_id),
            )
            if outcome.status == "moved":
                staged.add(request.file_id)
            outcomes.append(outcome)
    return outcomes


def restore(
    file_ids: Collection[int] | None,
    journal: StagingJournal,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    by: int | None = None,
) -> list[Outcome]:
    """Put staged files back where they were (all staged files when `file_ids` is None);
    `by` is the user id of who asked (the restores' triggered_by, the archives' reversed_by)."""
    with _run(journal, dry_run) as outcomes:
        staged = journal.staged(None if file_ids is None else list(file_ids))
        found = {op.file_id for op in staged}
        outcomes.extend(
            Outcome("restore", file_id, "skipped", None, 0, "not in staging")
            for file_id in file_ids or ()
            if file_id not in found
        )
        copies: _Copies = {}
        for archive in staged:
            outcomes.append(_restore_one(archive, journal, dry_run, progress, copies, by))
    return outcomes


def purge(
    journal: StagingJournal,
    *,
    now: datetime,
    retention_days: int,
    approved_file_ids: Collection[int],
    reviewed_file_ids: Collection[int] = (),
    auto_delete_unreviewed: bool = False,
    dry_run: bool = False,
    approvers: Mapping[int, int] | None = None,
    file_ids: Collection[int] | None = None,
    by: int | None = None,
) -> list[Outcome]:
    """Delete staged files (`file_ids`, or all when None) for good: retention over, and
    approved (or unreviewed + auto-delete).

    `now` is UTC (naive, like the journal's timestamps, or aware). The delete's triggered_by is
    `by`, the user id of who asked for this purge, else the file's approver from `approvers`
    (file id → user id; a scheduled purge has nobody asking).
    """
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    approved, reviewed = set(approved_file_ids), set(reviewed_file_ids)
    with _run(journal, dry_run) as outcomes:
        staged = journal.staged(None if file_ids is None else list(file_ids))
        found = {op.file_id for op in staged}
        outcomes.extend(
            Outcome("purge", file_id, "skipped", None, 0, "not in staging")
            for file_id in file_ids or ()
            if file_id not in found
        )
        for archive in staged:
            reason = _purge_blocker(
                archive, now, retention_days, approved, reviewed, auto_delete_unreviewed
            )
            if reason:
                outcomes.append(_archive_outcome("purge", archive, "skipped", reason))
            else:
                who = by if by is not None else (approvers or {}).get(archive.file_id)
                outcomes.append(_purge_one(archive, journal, now, dry_run, who))
    return outcomes


def recover(journal: StagingJournal) -> list[Outcome]:
    """Finish or roll back every operation an interrupted run left unfinished."""
    with journal.exclusive():
        return _recover(journal)


@contextlib.contextmanager
def _run(journal: StagingJournal, dry_run: bool) -> Iterator[list[Outcome]]:
    if dry_run:  # changes nothing, so it neither needs the lock nor recovers
        yield []
        return
    with journal.exclusive():
        yield _recover(journal)


# -- stage ------------------------------------------------------------------------------------


def _stage_one(
    request: StageRequest,
    staging_root: Path,
    journal: StagingJournal,
    today: date,
    dry_run: bool,
    progress: Progress | None,
    staged: set[int],
    copies: _Copies,
    in_use: str | None,
) -> Outcome:
    try:
        if in_use is not None:
            raise _Skip(in_use)
        op = _plan_stage(request, staging_root, today, staged)
        if dry_run:
            verb = "rename" if op.method == "rename" else "copy, verify and remove"
            return _outcome("stage", op, "dry_run", f"would {verb} into staging")
        if op.method == "rename":
            op = _with_md5s(op)
    except (_Skip, _Failure, OSError) as skip:
        row = _skipped_stage_row(request, str(skip))
        op_id = None if dry_run else journal.insert(row).id
        return Outcome("stage", request.file_id, "skipped", None, 0, str(skip), op_id)
    return _outcome("stage", _execute(journal.insert(op), journal, progress, copies))


def _plan_stage(
    request: StageRequest, staging_root: Path, today: date, staged: set[int]
) -> Operation:
    if request.file_id in staged:
        raise _Skip("already in staging")
    source = request.source
    for text in (str(source), request.relative_path, request.root_key):
        _check_text(text)
    if not source.is_absolute():
        raise _Skip(f"source path is not absolute: {source}")
    if request.root_key in ("", ".", "..") or "/" in request.root_key:
        raise _Skip(f"unsafe root key: {request.root_key!r}")
    if "." in request.relative_path.split("/"):
        raise _Skip(f"unsafe relative path: {request.relative_path!r}")
    try:
        relative = f"{request.root_key}/{request.relative_path}"
        dest = Path(staging_path(str(staging_root), request.media_type, today, relative))
    except ValueError as error:
        raise _Skip(f"unsafe staging path: {error}") from None
    if _within(Path(os.path.realpath(source)), Path(os.path.realpath(staging_root))) or (
        _under_same_folder(source, staging_root)
    ):
        raise _Skip("the source is inside the staging folder")
    if not _resolves_inside(dest.parent, staging_root):
        raise _Skip(f"a symlink would lead {dest.parent} out of the staging folder")

    video = Member(
        source=str(source),
        destination=str(dest),
        size=request.expected_size,
        mtime_ns=request.expected_mtime_ns,
        inode=request.expected_inode,
        md5=request.md5,
    )
    if problem := _identity_problem(_lstat(source), video):
        raise _Skip(problem)
    members = [video]
    names = [source.name, *(sidecar.name for sidecar in request.sidecars)]
    if len(set(names)) != len(names):
        raise _Skip("a sidecar is listed twice, or is the video itself")
    for sidecar in request.sidecars:
        _check_text(str(sidecar))
        if sidecar.parent != source.parent or sidecar.name in ("", ".", ".."):
            raise _Skip(f"sidecar {sidecar} is not beside its video")
    for sidecar in _own_sidecars(source, request.sidecars):
        st = _lstat(sidecar)
        if st is None or not stat.S_ISREG(st.st_mode):
            raise _Skip(f"sidecar {sidecar} is missing or not a regular file")
        members.append(
            Member(
                str(sidecar), str(dest.parent / sidecar.name), st.st_size, st.st_mtime_ns, st.st_ino
            )
        )

    manifest = _manifest_path(dest)
    taken = [p for p in (*(Path(m.destination) for m in members), manifest) if os.path.lexists(p)]
    if taken and not _own_leftover(request.file_id, members, manifest):
        raise _Skip(f"destination already exists: {taken[0]}; nothing was overwritten")
    # An own leftover (a run whose journal was lost) is taken over as a copy: verified, not moved.
    same_device = _device(source.parent) == _device(dest.parent)
    return Operation(
        operation_type="archive",
        file_id=request.file_id,
        members=tuple(members),
        method="rename" if same_device and not taken else "copy",
        plan_id=request.plan_id,
        duplicate_group_id=request.group_id,
        root_key=request.root_key,
        media_type=request.media_type,
        relative_path=request.relative_path,
        staging_root=str(staging_root),
        manifest_path=str(manifest),
        reason=request.reason,
        triggered_by=request.approved_by,
    )


def _own_sidecars(source: Path, sidecars: tuple[Path, ...]) -> tuple[Path, ...]:
    """The sidecars that belong to this video alone: one that another video beside it claims
    as much ("Parasite.en.srt" beside "Parasite.mkv" and "Parasite.avi") stays in place."""
    try:
        videos = [
            e.name
            for e in os.scandir(source.parent)
            if is_video_name(e.name) and e.is_file(follow_symlinks=False)
        ]
    except OSError:
        return sidecars
    return tuple(s for s in sidecars if sidecar_owner(videos, s.name) == source.name)


def _under_same_folder(path: Path, folder: Path) -> bool:
    """Whether `path` lies in `folder` as the file system sees it (device, inode of each
    ancestor), so the staging root reached through a second mount of the share is caught."""
    try:
        target = os.stat(folder)
    except OSError:
        return False
    for ancestor in Path(os.path.realpath(path)).parents:
        with contextlib.suppress(OSError):
            st = os.stat(ancestor)
            if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
                return True
    return False


def _with_md5s(op: Operation) -> Operation:
    """The MD5s a rename cannot compute on the way: the plan's, or read once now."""
    return replace(
        op, members=tuple(m if m.md5 else replace(m, md5=_hash_unchanged(m)) for m in op.members)
    )


def _skipped_stage_row(request: StageRequest, reason: str) -> Operation:
    video = Member(
        source=_printable(str(request.source)),
        destination=None,
        size=request.expected_size,
        mtime_ns=request.expected_mtime_ns,
        inode=request.expected_inode,
        md5=request.md5,
    )
    return Operation(
        operation_type="archive",
        file_id=request.file_id,
        members=(video,),
        status="failed",
        phase="skipped",
        plan_id=request.plan_id,
        duplicate_group_id=request.group_id,
        root_key=_printable(request.root_key),
        media_type=request.media_type,
        relative_path=_printable(request.relative_path),
        reason=request.reason,
        error_message=_printable(reason),
    )


def _own_leftover(file_id: int, members: list[Member], manifest: Path) -> bool:
    """Whether what occupies the destinations is this file's own staged copy from a run whose
    journal was lost: our manifest for this file, and every existing destination byte-identical
    to its source."""
    return _own_manifest(manifest, file_id) and all(
        _same_bytes(Path(m.source), Path(m.destination))
        for m in members
        if os.path.lexists(m.destination)
    )


# -- restore ----------------------------------------------------------------------------------


def _restore_one(
    archive: Operation,
    journal: StagingJournal,
    dry_run: bool,
    progress: Progress | None,
    copies: _Copies,
    by: int | None,
) -> Outcome:
    try:
        op = replace(_plan_restore(archive), triggered_by=by)
    except (_Skip, OSError) as skip:
        if dry_run:
            return _archive_outcome("restore", archive, "skipped", str(skip))
        way_back = tuple(
            replace(m, source=str(m.destination), destination=m.source) for m in archive.members
        )
        row = replace(
            _follow_up(archive, "restore", way_back),
            triggered_by=by,
            status="failed",
            phase="skipped",
            error_message=str(skip),
        )
        return _outcome("restore", journal.insert(row))
    if dry_run:
        verb = "rename" if op.method == "rename" else "copy, verify and remove"
        return _outcome("restore", op, "dry_run", f"would {verb} back to the original path")
    return _outcome("restore", _execute(journal.insert(op), journal, progress, copies))


def _plan_restore(archive: Operation) -> Operation:
    members = []
    already_back = False
    for m in archive.members:
        staged, original = Path(str(m.destination)), Path(m.source)
        st = _lstat(staged)
        if st is None or not stat.S_ISREG(st.st_mode):
            raise _Skip(f"staged file is missing: {staged}")
        if problem := _staged_copy_problem(staged, st, m, archive):
            raise _Skip(problem)
        if os.path.lexists(original):
            # Only an original that could not be removed at staging time (the same bytes) may
            # be there; it counts as restored, and its staged copy goes like any restored one.
            if not _holds(original, m):
                raise _Skip(f"original path is taken: {original}; nothing was overwritten")
            already_back = True
        members.append(Member(str(staged), str(original), m.size, st.st_mtime_ns, st.st_ino, m.md5))
    op = _follow_up(archive, "restore", tuple(members))
    same_device = _device(Path(op.video.source).parent) == _device(
        Path(str(op.video.destination)).parent
    )
    return replace(op, method="rename" if same_device and not already_back else "copy")


def _holds(path: Path, member: Member) -> bool:
    """Whether `path` is a regular file with exactly the member's recorded bytes."""
    st = _lstat(path)
    return (
        st is not None
        and stat.S_ISREG(st.st_mode)
        and st.st_size == member.size
        and member.md5 is not None
        and _md5_file(path) == member.md5
    )


def _follow_up(
    archive: Operation, operation_type: OperationType, members: tuple[Member, ...]
) -> Operation:
    """A restore or delete of an archive operation's files, journaled as its child."""
    return Operation(
        operation_type=operation_type,
        file_id=archive.file_id,
        members=members,
        plan_id=archive.plan_id,
        duplicate_group_id=archive.duplicate_group_id,
        root_key=archive.root_key,
        media_type=archive.media_type,
        relative_path=archive.relative_path,
        staging_root=archive.staging_root,
        manifest_path=archive.manifest_path,
        reason=archive.reason,
        parent_operation_id=archive.id,
    )


# -- purge ------------------------------------------------------------------------------------


def _purge_blocker(
    archive: Operation,
    now: datetime,
    retention_days: int,
    approved: set[int],
    reviewed: set[int],
    auto_delete_unreviewed: bool,
) -> str | None:
    assert archive.completed_at is not None
    due = archive.completed_at + timedelta(days=retention_days)
    if now < due:
        return f"kept until {due:%Y-%m-%d %H:%M} UTC (retention {retention_days} days)"
    if archive.file_id in approved:
        return None
    if archive.file_id in reviewed:
        return "reviewed and not approved for deletion"
    if not auto_delete_unreviewed:
        return "not reviewed yet, and automatic deletion of unreviewed files is off"
    return None


def _purge_one(
    archive: Operation, journal: StagingJournal, now: datetime, dry_run: bool, by: int | None
) -> Outcome:
    members = tuple(
        Member(str(m.destination), None, m.size, m.mtime_ns, m.inode, m.md5)
        for m in archive.members
    )
    present = [m for m in members if os.path.lexists(m.source)]
    if not os.path.lexists(members[0].source):
        return _archive_outcome("purge", archive, "skipped", "the staged files are missing")
    for staged, recorded in zip(members, archive.members, strict=True):
        if staged in present and (problem := _purge_problem(staged, recorded, archive)):
            return _archive_outcome("purge", archive, "skipped", f"{problem}; nothing deleted")
    op = replace(_follow_up(archive, "delete", members), triggered_by=by)
    if dry_run:
        return _outcome("purge", op, "dry_run", f"would delete {len(present)} staged file(s)")
    op = journal.insert(op)
    op = journal.update(op, status="in_progress", phase="deleting")
    return _outcome("purge", _finish_purge(op, journal, now))


def _purge_problem(staged: Member, recorded: Member, archive: Operation) -> str | None:
    """Why the file at a staged path is not exactly what staging put there, or None."""
    path = Path(staged.source)
    if problem := _outside_staging(path, archive.staging_root):
        return problem
    return _staged_copy_problem(path, _lstat(path), recorded, archive)


def _staged_copy_problem(
    path: Path, st: os.stat_result | None, recorded: Member, archive: Operation
) -> str | None:
    """Why `path` (lstat `st`) no longer holds the staged copy of `recorded`, or None: size,
    mtime, inode (when staged by rename, the very file) and MD5 must be as staged."""
    if st is None or not stat.S_ISREG(st.st_mode):
        return f"staged file {path} is missing or not a regular file"
    changes = []
    if st.st_size != recorded.size:
        changes.append(f"size {recorded.size} → {st.st_size}")
    if st.st_mtime_ns != recorded.mtime_ns:
        changes.append("modification time")
    if archive.method == "rename" and st.st_ino != recorded.inode:
        changes.append("inode (the file was replaced)")
    if not changes and recorded.md5 and _md5_file(path) != recorded.md5:
        changes.append("content (MD5)")
    if changes:
        return f"staged file {path} changed since it was staged: {', '.join(changes)}"
    return None


def _outside_staging(path: Path, staging_root: str | None) -> str | None:
    """Why `path` is not a file inside the staging root reached without any symlink, or None."""
    if staging_root is None:
        return f"{path} has no staging root on record"
    root = Path(staging_root)
    if not _within(path, root) or path == root:
        return f"{path} is not inside the staging folder {root}"
    folder = path.parent
    while folder != root:
        st = _lstat(folder)
        if st is None or not stat.S_ISDIR(st.st_mode):
            return f"{folder} (on the way to {path.name}) is a symlink or not a folder"
        folder = folder.parent
    real_root = Path(os.path.realpath(root))
    if not _within(Path(os.path.realpath(path.parent)), real_root):
        return f"{path} resolves outside the staging folder"
    return None


def _finish_purge(op: Operation, journal: StagingJournal, deleted_at: datetime) -> Operation:
    paths = [(Path(m.source), m) for m in op.members]
    problems, deleted = [], 0
    for path, member in paths:
        try:
            deleted += _unlink_checked(path, member, op.staging_root)
        except (OSError, _Failure) as error:
            problems.append(f"cannot delete {path}: {getattr(error, 'strerror', None) or error}")
    if not problems and op.manifest_path and _own_manifest(Path(op.manifest_path), op.file_id):
        try:
            _unlink_if_present(Path(op.manifest_path))
        except OSError as error:
            problems.append(f"cannot delete {op.manifest_path}: {error.strerror}")
    if problems:
        # Nothing deleted: nothing changed, the next purge tries again. Some deleted: say so.
        phase = "needs_attention" if deleted else "rolled_back"
        return journal.update(op, status="failed", phase=phase, error="; ".join(problems))
    _prune_empty_dirs(Path(op.video.source).parent, op.staging_root)
    return journal.finish_purge(op, deleted_at)


def _unlink_checked(path: Path, member: Member, staging_root: str | None) -> bool:
    """Delete the staged file at `path` if present, through its folder opened without
    following links, and only if it is still the file that was checked (device, inode, size,
    mtime)."""
    if not os.path.lexists(path):
        return False
    if problem := _outside_staging(path, staging_root):
        raise _Failure(problem)
    checked = _lstat(path)
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        st = os.stat(path.name, dir_fd=fd, follow_symlinks=False)
        same = checked is not None and (st.st_dev, st.st_ino) == (checked.st_dev, checked.st_ino)
        if not (same and stat.S_ISREG(st.st_mode) and st.st_size == member.size):
            raise _Failure(f"{path} changed while it was being purged")
        if st.st_mtime_ns != member.mtime_ns:
            raise _Failure(f"{path} changed while it was being purged")
        os.unlink(path.name, dir_fd=fd)
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


# -- moving files -----------------------------------------------------------------------------


def _execute(
    op: Operation, journal: StagingJournal, progress: Progress | None, copies: _Copies
) -> Operation:
    """Run a journaled archive or restore operation to its end: completed or failed."""
    op = journal.update(op, status="in_progress", phase="moving")
    copied: _Copies = {}
    op, error = _transfer(op, journal, progress, copies, copied)
    if error is not None:
        return _abort(op, journal, error)
    op = journal.update(op, status="in_progress", phase="transferred", members=op.members)
    op = _finish(op, journal, verify=False)
    if op.status == "completed":
        copies.update(copied)  # only copies that stay can be linked to by later operations
    return op


def _transfer(
    op: Operation,
    journal: StagingJournal,
    progress: Progress | None,
    copies: _Copies,
    copied: _Copies,
) -> tuple[Operation, str | None]:
    """Rename or copy every member (and write the manifest); returns the error, if any. Copies
    made go into `copied`; a path of a file in `copies` or `copied` is linked, not copied."""
    members = list(op.members)
    step = "prepare folders for"
    member = members[0]
    try:
        for folder in dict.fromkeys(Path(str(m.destination)).parent for m in members):
            _make_dirs(folder)
        for index, member in enumerate(members):
            if op.method == "rename":
                step = "rename"
                try:
                    _rename_member(member)
                    continue
                except OSError as error:
                    if error.errno != errno.EXDEV or index:
                        raise
                # One device seen through two mounts (Docker bind mounts): copy instead.
                op = journal.update(op, status="in_progress", phase="moving", method="copy")
            step = "copy"
            source = os.lstat(member.source)
            physical = (source.st_dev, source.st_ino)
            if earlier := copied.get(physical) or copies.get(physical):
                # Another path of a file copied already (hard links): link to that copy, so the
                # bytes are copied and stored once and the paths come back as links.
                digest = _link_member(member, source, *earlier)
            else:
                digest = _copy_member(op, index, member, progress)
                copied[physical] = (Path(str(member.destination)), digest)
            members[index] = replace(member, md5=digest)
        op = replace(op, members=tuple(members))
        if op.operation_type == "archive":
            step = "write the manifest for"
            _write_manifest(op, journal.clock())
    except _Failure as failure:
        return op, str(failure)
    except OSError as error:
        return op, f"cannot {step} {member.source}: {_os_message(error)}"
    return op, None


def _rename_member(member: Member) -> None:
    source, dest = Path(member.source), Path(str(member.destination))
    if problem := _identity_problem(_lstat(source), member):
        raise _Failure(problem)
    _rename_noreplace(source, dest)
    _fsync_dir(dest.parent)
    if source.parent != dest.parent:
        _fsync_dir(source.parent)


def _copy_member(op: Operation, index: int, member: Member, progress: Progress | None) -> str:
    """Copy one member to its destination, verified by MD5 on both sides; returns the MD5."""
    source, dest = Path(member.source), Path(str(member.destination))
    # A destination may exist only when it is this file's own copy from a run whose journal was
    # lost (_own_leftover) or an original a restore finds already in place (_plan_restore).
    existing = os.path.lexists(dest)
    partial = _partial_path(op, index)
    if existing:
        digest, copied = _hash_unchanged(member), _md5_file(dest)
    else:

        def report(done: int) -> None:
            if progress is not None:
                progress(op.file_id, done, member.size)

        digest = _copy_file(member, partial, report)
        copied = _md5_file(partial, drop_cache=True)
    if member.md5 and digest != member.md5:
        raise _Failure(f"{source} does not match its recorded MD5 ({member.md5}, read {digest})")
    if copied != digest:
        what = f"{dest}, which already exists," if existing else f"the copy of {source}"
        raise _Failure(f"{what} does not match (MD5 {copied}, expected {digest})")
    if not existing:
        _rename_noreplace(partial, dest)
        _fsync_dir(dest.parent)
    return digest


def _link_member(member: Member, source: os.stat_result, copy: Path, digest: str) -> str:
    """Give `member` its destination as a second name of `copy`; returns the copy's MD5."""
    if problem := _identity_problem(source, member):
        raise _Failure(problem)
    dest = Path(str(member.destination))
    if not os.path.lexists(dest):  # else this path's own copy from a run whose journal was lost
        os.link(copy, dest, follow_symlinks=False)
        _fsync_dir(dest.parent)
    elif _md5_file(dest) != digest:
        raise _Failure(f"{dest}, which already exists, does not match (expected MD5 {digest})")
    return digest


def _copy_file(member: Member, partial: Path, report: Callable[[int], None]) -> str:
    """Copy the source into a new partial file, fsynced, with the source's mode, owner and
    times; returns the MD5 of what was read. Fails if the source is not, or stops being, the
    planned file."""
    digest = hashlib.md5()
    src_fd = os.open(member.source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        before = os.fstat(src_fd)
        if problem := _identity_problem(before, member):
            raise _Failure(problem)
        dst_fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            buffer = bytearray(CHUNK_SIZE)
            view = memoryview(buffer)
            done = 0
            while n := os.readv(src_fd, [buffer]):
                digest.update(view[:n])
                _write_all(dst_fd, view[:n])
                done += n
                report(done)
            # Metadata is best effort (some network file systems refuse it); bytes are verified.
            with contextlib.suppress(PermissionError):
                os.fchmod(dst_fd, stat.S_IMODE(before.st_mode))
            with contextlib.suppress(PermissionError):
                os.fchown(dst_fd, before.st_uid, before.st_gid)
            os.utime(dst_fd, ns=(before.st_atime_ns, before.st_mtime_ns))
            os.fsync(dst_fd)
        finally:
            os.close(dst_fd)
        if _identity_problem(os.fstat(src_fd), member) or done != member.size:
            raise _Failure(f"{member.source} changed while it was being copied")
    finally:
        os.close(src_fd)
    return digest.hexdigest()


def _write_manifest(op: Operation, staged_at: datetime) -> None:
    video = op.video
    data = {
        "format": MANIFEST_FORMAT,
        "operation_id": op.id,
        "plan_id": op.plan_id,
        "file_id": op.file_id,
        "duplicate_group_id": op.duplicate_group_id,
        "root_key": op.root_key,
        "media_type": op.media_type,
        "relative_path": op.relative_path,
        "original_path": video.source,
        "staged_path": video.destination,
        "size": video.size,
        "md5": video.md5,
        "mtime_ns": video.mtime_ns,
        "reason": op.reason,
        "method": op.method,
        "staged_at": staged_at.isoformat() + "Z",
        "sidecars": [
            {"original_path": m.source, "staged_path": m.destination, "size": m.size, "md5": m.md5}
            for m in op.members[1:]
        ],
    }
    manifest = Path(str(op.manifest_path))
    partial = _manifest_partial(op)
    with open(partial, "x", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    if os.path.lexists(manifest) and _own_manifest(manifest, op.file_id):
        os.replace(partial, manifest)  # ours, from a run whose journal was lost
    else:
        _rename_noreplace(partial, manifest)
    _fsync_dir(manifest.parent)


def _finish(op: Operation, journal: StagingJournal, *, verify: bool) -> Operation:
    """From "transferred": remove the sources of copies, then complete (or undo, see below)."""
    gone, problems = _remove_sources(op, verify)
    if problems and gone == 0:
        # Every original is still in place and every copy is a verified duplicate: undo.
        return _abort(op, journal, "; ".join(problems))
    note = "; ".join(problems) or None
    if op.operation_type == "archive":
        return journal.update(op, status="completed", phase="done", error=note)
    if note is None:  # leftovers in staging keep their manifest beside them
        _unlink_if_present(Path(str(op.manifest_path)), own_manifest_of=op.file_id)
        _prune_empty_dirs(Path(op.video.source).parent, op.staging_root)
    return journal.finish_restore(op, error=note)


def _remove_sources(op: Operation, verify: bool) -> tuple[int, list[str]]:
    """Remove each source whose destination holds its bytes; returns (sources gone, problems)."""
    gone, problems = 0, []
    for member in op.members:
        source, dest = Path(member.source), Path(str(member.destination))
        src = _lstat(source)
        if src is None:
            gone += 1
            continue
        dst = _lstat(dest)
        if dst is None:
            problems.append(f"{dest} is missing, so {source} stays")
            continue
        if (src.st_dev, src.st_ino) != (dst.st_dev, dst.st_ino):
            if op.method == "rename":
                gone += 1  # renamed away; a new file took the old name since: not ours
                continue
            problem = _identity_problem(src, member)
            if problem is None and dst.st_size != member.size:
                problem = f"{dest} has the wrong size"
            if problem is None and verify and _md5_file(dest) != member.md5:
                problem = f"{dest} does not match its MD5"
            if problem:
                problems.append(f"{problem}; {source} stays")
                continue
        try:
            _unlink_if_present(source)
        except OSError as error:
            problems.append(f"cannot remove {source}: {_os_message(error)}")
            continue
        gone += 1
    return gone, problems


def _abort(op: Operation, journal: StagingJournal, message: str) -> Operation:
    problems = _roll_back(op)
    if problems:
        error = f"{message}; could not undo everything: {'; '.join(problems)}"
        return journal.update(op, status="failed", phase="needs_attention", error=error)
    return journal.update(op, status="failed", phase="rolled_back", error=message)


def _roll_back(op: Operation) -> list[str]:
    """Undo a started archive or restore: every file back where it was. Deletes only partial
    files, second links and byte-identical copies of intact sources; returns what it could not
    undo."""
    problems: list[str] = []
    for index, member in enumerate(op.members):
        source, dest = Path(member.source), Path(str(member.destination))
        try:
            _unlink_if_present(_partial_path(op, index))
            if _is_placeholder(dest, source_size=member.size):
                _unlink_if_present(dest)
            src, dst = _lstat(source), _lstat(dest)
            if dst is None:
                if src is None:
                    problems.append(f"{source} is gone and was never moved")
            elif src is not None:
                if (src.st_dev, src.st_ino) == (dst.st_dev, dst.st_ino) or _same_bytes(
                    source, dest
                ):
                    _unlink_if_present(dest)
                else:
                    problems.append(f"{dest} is not a copy of {source}; both left as they are")
            elif op.method == "rename" and (dst.st_ino, dst.st_size) == (member.inode, member.size):
                _rename_noreplace(dest, source)
                _fsync_dir(source.parent)
                _fsync_dir(dest.parent)
            else:
                problems.append(f"{source} is gone; its only copy is {dest}")
        except OSError as error:
            problems.append(f"cannot undo {dest}: {_os_message(error)}")
    if op.operation_type == "archive":
        try:
            _unlink_if_present(_manifest_partial(op))
            _unlink_if_present(Path(str(op.manifest_path)), own_manifest_of=op.file_id)
        except OSError as error:
            problems.append(f"cannot remove the manifest: {_os_message(error)}")
        _prune_empty_dirs(Path(str(op.video.destination)).parent, op.staging_root)
    return problems


# -- recovery ---------------------------------------------------------------------------------


def _recover(journal: StagingJournal) -> list[Outcome]:
    outcomes = []
    for op in journal.unfinished():
        if op.phase == "planned":
            op = journal.update(
                op, status="failed", phase="rolled_back", error="interrupted before it started"
            )
        elif op.phase == "deleting" and os.path.lexists(op.video.source):
            # Nothing is deleted yet (the video goes first): let the next purge decide again,
            # with the decisions of then, rather than finish a delete someone may have revoked.
            op = journal.update(
                op, status="failed", phase="rolled_back", error="interrupted before deleting"
            )
        elif op.phase == "deleting":
            op = _finish_purge(op, journal, journal.clock())
        elif op.phase == "transferred":
            op = _finish(op, journal, verify=True)
        else:
            op = _abort(op, journal, "interrupted while moving files")
        outcomes.append(_outcome("recover", op))
    return outcomes


def leftovers(journal: StagingJournal, staging_root: Path) -> list[Path]:
    """Partial files (`.mediavault-*.partial`) in staging and beside every file the journal moved.

    Recovery removes those of the operations it settles; what is found after it belongs to no
    operation (a journal restored from a backup, a crash before the row was written).
    """
    folders = {staging_root}
    for op in journal.everything():
        for member in op.members:
            folders.update(Path(p).parent for p in (member.source, member.destination) if p)
    found = []
    for folder in sorted(folders):
        if folder == staging_root:
            found += [p for p in folder.rglob(".mediavault-*.partial") if not p.is_dir()]
        elif folder.is_dir() and not _within(folder, staging_root):
            found += [p for p in folder.glob(".mediavault-*.partial") if not p.is_dir()]
    return sorted(set(found))


def remove_leftovers(journal: StagingJournal, staging_root: Path) -> list[Path]:
    """Settle interrupted operations, then remove the partial files no operation owns."""
    with journal.exclusive():
        _recover(journal)
        removed = leftovers(journal, staging_root)
        for path in removed:
            _unlink_if_present(path)
    return removed


# -- outcomes ---------------------------------------------------------------------------------

_DONE: dict[str, OutcomeStatus] = {"archive": "moved", "restore": "restored", "delete": "purged"}
_DONE_MESSAGE = {
    "rename": "renamed on the same file system",
    "copy": "copied, verified by MD5 on both sides, original removed",
}


def _outcome(
    action: Action, op: Operation, status: OutcomeStatus | None = None, message: str | None = None
) -> Outcome:
    if status is None:
        if op.status == "completed":
            status = "completed" if action == "recover" else _DONE[op.operation_type]
        elif op.phase == "skipped":
            status = "skipped"
        elif action == "recover":
            status = "needs_attention" if op.phase == "needs_attention" else "rolled_back"
        else:
            status = "failed"
    if message is None:
        if op.operation_type == "delete":
            done = f"deleted {len(op.members)} staged file(s) permanently"
        else:
            done = _DONE_MESSAGE.get(op.method or "", "")
        message = op.error_message or done
        if status in ("moved", "restored", "completed") and op.error_message:
            message = f"{done}; but {op.error_message}"
    destination = op.video.source if op.operation_type == "delete" else op.video.destination
    size = sum(m.size for m in op.members)
    return Outcome(action, op.file_id, status, destination, size, message, op.id or None)


def _archive_outcome(
    action: Action, archive: Operation, status: OutcomeStatus, message: str
) -> Outcome:
    size = sum(m.size for m in archive.members)
    return Outcome(action, archive.file_id, status, archive.video.destination, size, message)


# -- file system helpers ----------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    _renameat2.restype = ctypes.c_int


def _rename_noreplace(source: Path, dest: Path) -> None:
    """Rename, failing with EEXIST rather than ever replacing an existing destination."""
    if _renameat2 is not None:
        flags = _RENAME_NOREPLACE
        if _renameat2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(dest), flags) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS):  # EINVAL: the file system lacks the flag
            raise OSError(code, os.strerror(code), str(source), None, str(dest))
    try:
        # link() refuses an existing name too. A crash between link and unlink leaves two
        # names of one inode, which recovery recognises.
        os.link(source, dest, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        _rename_over_placeholder(source, dest)
        return
    os.unlink(source)


def _rename_over_placeholder(source: Path, dest: Path) -> None:
    """Rename where the file system has neither no-replace rename nor hard links (some SMB
    mounts): an empty placeholder made with O_EXCL claims the name first, so a file that appears
    there in between is never replaced; only our own placeholder is. A crash can leave the
    placeholder, which roll-back recognises (_is_placeholder) and removes."""
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    try:
        os.rename(source, dest)
    except OSError:
        with contextlib.suppress(OSError):
            if _is_placeholder(dest, source_size=os.lstat(source).st_size):
                os.unlink(dest)
        raise


def _is_placeholder(path: Path, *, source_size: int) -> bool:
    """Whether `path` can only be a placeholder of _rename_over_placeholder: an empty file where
    a non-empty one was to go (SMB mounts do not keep a distinctive mode to tell it by)."""
    st = _lstat(path)
    return source_size > 0 and st is not None and stat.S_ISREG(st.st_mode) and st.st_size == 0


def _make_dirs(folder: Path) -> None:
    """Create the missing folders of `folder`, each made durable in its parent."""
    missing = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path)
        _fsync_dir(path.parent)


def _prune_empty_dirs(folder: Path, staging_root: str | None) -> None:
    """Remove folders left empty in staging, up to (not including) the staging root."""
    if staging_root is None:
        return
    stop = Path(staging_root)
    while folder != stop and _within(folder, stop):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent


def _fsync_dir(folder: Path) -> None:
    """Make the folder's entries (a rename, a new or removed file) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):  # cannot sync folders: nothing to do
            raise
    finally:
        os.close(fd)


def _unlink_if_present(path: Path, *, own_manifest_of: int | None = None) -> bool:
    """Delete `path` if it exists (only if it is that file's manifest, when asked); durable."""
    if own_manifest_of is not None and not _own_manifest(path, own_manifest_of):
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    _fsync_dir(path.parent)
    return True


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _md5_file(path: Path | str, *, drop_cache: bool = False) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if drop_cache:  # read the copy back from the disk, not from the page cache
            with contextlib.suppress(OSError):  # advice only
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return _md5_fd(fd)
    finally:
        os.close(fd)


def _md5_fd(fd: int) -> str:
    digest = hashlib.md5()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while n := os.readv(fd, [buffer]):
        digest.update(view[:n])
    return digest.hexdigest()


def _hash_unchanged(member: Member) -> str:
    """The MD5 of a member's source, which must stay the planned file while it is read."""
    fd = os.open(member.source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if problem := _identity_problem(os.fstat(fd), member):
            raise _Failure(problem)
        digest = _md5_fd(fd)
        if problem := _identity_problem(os.fstat(fd), member):
            raise _Failure(problem)
    finally:
        os.close(fd)
    return digest


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if os.lstat(a).st_size != os.lstat(b).st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                chunk = fa.read(CHUNK_SIZE)
                if chunk != fb.read(CHUNK_SIZE):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False


def _identity_problem(st: os.stat_result | None, member: Member) -> str | None:
    """Why `st` is not the planned file (size, mtime and inode as recorded), or None."""
    if st is None:
        return f"{member.source} is missing"
    if not stat.S_ISREG(st.st_mode):
        return f"{member.source} is not a regular file"
    changes = []
    if st.st_size != member.size:
        changes.append(f"size {member.size} → {st.st_size}")
    if st.st_mtime_ns != member.mtime_ns:
        changes.append("modification time")
    if st.st_ino != member.inode:
        changes.append("inode (the file was replaced)")
    if changes:
        return f"{member.source} changed since it was planned: {', '.join(changes)}"
    return None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _device(path: Path) -> int:
    """The device of `path`, or of its nearest existing ancestor."""
    while not os.path.exists(path):
        path = path.parent
    return os.stat(path).st_dev


def _within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _resolves_inside(folder: Path, staging_root: Path) -> bool:
    """Whether `folder`, followed through existing symlinks, stays inside the staging root."""
    existing = folder
    while not os.path.lexists(existing):
        existing = existing.parent
    real, real_root = Path(os.path.realpath(existing)), Path(os.path.realpath(staging_root))
    # Either inside the root, or an ancestor of a root not created yet (the rest will be made).
    return _within(real, real_root) or (
        not os.path.lexists(staging_root) and _within(staging_root, existing)
    )


def _manifest_path(dest: Path) -> Path:
    name = dest.name + MANIFEST_SUFFIX
    if len(os.fsencode(name)) <= _NAME_MAX:
        return dest.with_name(name)
    tag = "~" + hashlib.blake2b(os.fsencode(dest.name), digest_size=6).hexdigest()
    room = _NAME_MAX - len(tag) - len(MANIFEST_SUFFIX)
    stem = os.fsencode(dest.name)[:room].decode("utf-8", "ignore")
    return dest.with_name(stem + tag + MANIFEST_SUFFIX)


def _manifest_partial(op: Operation) -> Path:
    return Path(str(op.manifest_path)).parent / f".mediavault-{op.id}-manifest.partial"


def _partial_path(op: Operation, index: int) -> Path:
    return Path(str(op.members[index].destination)).parent / f".mediavault-{op.id}-{index}.partial"


def _own_manifest(path: Path, file_id: int) -> bool:
    """Whether `path` is a manifest this engine wrote for `file_id`."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and (data.get("format"), data.get("file_id")) == (
        MANIFEST_FORMAT,
        file_id,
    )


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise _Skip(f"path contains a NUL byte: {_printable(text)!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Skip(f"path is not valid UTF-8: {_printable(text)!r}") from None


def _printable(text: str) -> str:
    """Text safe to store: undecodable bytes become \\xNN escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _os_message(error: OSError) -> str:
    return error.strerror or str(error)
