"""The configured media servers and what staging and the catalog ask of them.

A server is used when its URL and token are in the environment (MEDIAVAULT_PLEX_URL and
MEDIAVAULT_PLEX_TOKEN, ..._JELLYFIN_..., ..._EMBY_...); its path mappings come from the
settings. A server that does not answer is reported, never fatal: staging goes on without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from mediavault_assets.domain.media_servers import (
    PathMapper,
    ServerItem,
    ServerLibrary,
    folder_of,
    library_for,
)
from mediavault_assets.media_servers.jellyfin import JellyfinClient, JellyfinError
from mediavault_assets.media_servers.plex import PlexClient
from mediavault_assets.settings import Secrets, Settings

KINDS = ("plex", "jellyfin", "emby")
# What a server that is down, refuses the token or answers nonsense raises.
SERVER_ERRORS = (httpx.HTTPError, httpx.InvalidURL, JellyfinError, ValueError)


class Client(Protocol):
    kind: str

    def libraries(self) -> list[ServerLibrary]: ...
    def items(self, library: ServerLibrary) -> list[ServerItem]: ...
    def playing_paths(self) -> set[str]: ...
    def refresh(self, library: ServerLibrary, server_folder: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class MediaServer:
    kind: str
    name: str
    url: str
    user: str | None
    client: Client
    mapper: PathMapper


@dataclass(frozen=True, slots=True)
class RefreshReport:
    server: str
    folder: str  # as the server names it
    ok: bool
    message: str


@dataclass(frozen=True)
class ServerSnapshot:
    """What one server listed (or why it could not)."""

    kind: str
    name: str
    url: str
    user: str
    libraries: tuple[ServerLibrary, ...]
    items: tuple[ServerItem, ...]
    error: str | None = None

    @property
    def external_id(self) -> str:
        return f"{self.kind}:{urlsplit(self.url).netloc}"


def snapshot(server: MediaServer) -> ServerSnapshot:
    user = server.user or server.kind
    try:
        libraries = server.client.libraries()
        items = [item for library in libraries for item in server.client.items(library)]
    except SERVER_ERRORS as error:
        return ServerSnapshot(server.kind, server.name, server.url, user, (), (), _describe(error))
    return ServerSnapshot(
        server.kind, server.name, server.url, user, tuple(libraries), tuple(items)
    )


@contextmanager
def media_servers(settings: Settings, secrets: Secrets) -> Iterator[list[MediaServer]]:
    """The servers both configured (settings) and reachable by URL and token (environment)."""
    servers = []
    for kind in KINDS:
        access = secrets.media_server(kind)
        if access is None:
            continue
        url, token = access
        conf = settings.media_servers.get(kind)
        timeout = conf.timeout_seconds if conf else 10.0
        user = conf.user if conf else None
        client: Client = (
            PlexClient(url, token, timeout=timeout)
            if kind == "plex"
            else JellyfinClient(url, token, kind=kind, user=user, timeout=timeout)
        )
        mapper = PathMapper(
            [(m.server_path, str(m.local_path)) for m in (conf.path_mappings if conf else [])]
        )
        servers.append(
            MediaServer(kind, (conf.name if conf else None) or kind, url, user, client, mapper)
        )
    try:
        yield servers
    finally:
        for server in servers:
            server.client.close()


def playing_now(servers: Iterable[MediaServer]) -> tuple[dict[str, str], list[str]]:
    """Local paths being played now → which server plays them; and the servers that could
    not say (down: staging cannot know, so it goes on, and says so)."""
    playing: dict[str, str] = {}
    errors = []
    for server in servers:
        try:
            paths = server.client.playing_paths()
        except SERVER_ERRORS as error:
            errors.append(f"{server.name}: {_describe(error)}")
            continue
        for path in paths:
            local = server.mapper.to_local(path)
            if local is not None:
                playing.setdefault(local, server.name)
    return playing, errors


def refresh_folders(
    servers: Iterable[MediaServer], local_paths: Iterable[str]
) -> list[RefreshReport]:
    """Ask each server that shows one of the files to rescan its folder (once per folder)."""
    paths = sorted(set(local_paths))
    reports = []
    for server in servers:
        folders = {
            folder_of(mapped) for p in paths if (mapped := server.mapper.to_server(p)) is not None
        }
        if not folders:
            continue
        try:
            libraries = server.client.libraries()
        except SERVER_ERRORS as error:
            reports.extend(
                RefreshReport(server.name, f, False, _describe(error)) for f in sorted(folders)
            )
            continue
        for folder in sorted(folders):
            library = library_for(libraries, folder)
            if library is None:
                continue  # mapped, but in no library of this server: it does not show the file
            try:
                server.client.refresh(library, folder)
            except SERVER_ERRORS as error:
                reports.append(RefreshReport(server.name, folder, False, _describe(error)))
            else:
                reports.append(
                    RefreshReport(server.name, folder, True, f"refreshed in {library.name}")
                )
    return reports


def _describe(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} from {error.request.url.path}"
    if isinstance(error, httpx.HTTPError):
        return f"{type(error).__name__}: {error}"
    return str(error)
