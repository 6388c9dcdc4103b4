"""Which machine a folder's files live on: the server of the network mount holding it, if any."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# File systems whose source names a server: "//nas/videos" (SMB), "nas:/volume1/videos" (NFS),
# "user@nas:/volume1" (SSHFS).
_NETWORK = frozenset({"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p"})


@dataclass(frozen=True, slots=True)
class Mount:
    source: str
    point: str
    fstype: str


def read_mounts(table: Path = Path("/proc/self/mounts")) -> list[Mount]:
    try:
        lines = table.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:  # not Linux: every root counts as this machine's
        return []
    mounts = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 3:
            # /proc/mounts escapes spaces and tabs in paths as octal (\040).
            point = fields[1].encode().decode("unicode_escape")
            mounts.append(Mount(fields[0], point, fields[2]))
    return mounts


def mount_of(path: Path, mounts: list[Mount]) -> Mount | None:
    """The mount a path is on: the longest mount point that contains it."""
    resolved = os.path.realpath(path)
    containing = [
        m for m in mounts if resolved == m.point or resolved.startswith(m.point.rstrip("/") + "/")
    ]
    return max(containing, key=lambda m: len(m.point), default=None)


def server_of(mount: Mount | None) -> str | None:
    """The host a network mount's files come from; None for local file systems."""
    if mount is None or mount.fstype not in _NETWORK:
        return None
    source = mount.source
    if source.startswith("//"):
        host = source[2:].split("/", 1)[0]
    elif ":" in source:
        host = source.split(":", 1)[0].rsplit("@", 1)[-1]
    else:
        return None
    return host.lower() or None
