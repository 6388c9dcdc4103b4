"""Seed 004's sources → source_collections → path_mappings, from the configured library roots.

A source is a place files come from: for the file system, one per machine that serves them, so
the roots mounted from one NAS (`/mnt/nas/videos`, `/mnt/nas/docker`) are two collections of one
source, and roots on this machine's own disks are collections of this machine. Media servers
(Plex, Jellyfin, Emby) are sources of their own, their libraries collections (see
media_servers.py).

A path mapping pairs how another party names a collection's folder with where this machine sees
it: for a root, the NAS's own path (settings' `nas_path`, e.g. `/volume1/videos`); for a media
server's library, the library's folder as the server names it.
Ids derive from external ids, so re-running with the same settings gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mediavault_assets.domain.model import stable_id


@dataclass(frozen=True, slots=True)
class RootLocation:
    """A configured library root and the machine its files live on."""

    key: str
    path: str  # as mounted here
    media_type: str
    nas_path: str | None
    server: str | None  # the host of a network mount (SMB, NFS, SSHFS); None: a local disk
    fstype: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    external_id: str
    name: str
    kind: str
    config: dict[str, object]


@dataclass(frozen=True, slots=True)
class SourceCollection:
    id: int
    source_id: int
    external_id: str
    name: str
    enabled: bool
    config: dict[str, object]
    root_key: str | None  # a filesystem collection's library root; None for a server's library


@dataclass(frozen=True, slots=True)
class PathMapping:
    id: int
    collection_id: int
    plex_path: str  # seed 004's name for "the path as the other party sees it"
    local_path: str
    mapping_kind: str


@dataclass(frozen=True, slots=True)
class Sources:
    sources: tuple[Source, ...]
    collections: tuple[SourceCollection, ...]
    path_mappings: tuple[PathMapping, ...]


def filesystem_sources(roots: Iterable[RootLocation], this_host: str) -> Sources:
    sources: dict[str, Source] = {}
    collections: list[SourceCollection] = []
    mappings: list[PathMapping] = []
    for root in sorted(roots, key=lambda r: r.key):
        host = root.server or this_host
        external_id = f"filesystem:{host}"
        source = sources.setdefault(
            external_id,
            Source(
                id=stable_id("source", external_id),
                external_id=external_id,
                name=host,
                kind="filesystem",
                config={"host": host, "network": root.server is not None},
            ),
        )
        collection = SourceCollection(
            id=stable_id("source_collection", external_id, root.key),
            source_id=source.id,
            external_id=root.key,
            name=root.key,
            enabled=True,  # every configured root is scanned
            config={
                "path": root.path,
                "media_type": root.media_type,
                "nas_path": root.nas_path,
                "fstype": root.fstype,
            },
            root_key=root.key,
        )
        collections.append(collection)
        if root.nas_path:
            mappings.append(
                PathMapping(
                    id=stable_id("path_mapping", str(collection.id), "nas", root.nas_path),
                    collection_id=collection.id,
                    plex_path=root.nas_path,
                    local_path=root.path,
                    mapping_kind="nas",
                )
            )
    return Sources(tuple(sources.values()), tuple(collections), tuple(mappings))
