"""Plex and Jellyfin (Emby speaks Jellyfin's API) as seen by the catalog. No I/O.

Parses what the servers answer into libraries, items and the paths being played now, maps their
paths to ours through the settings' path mappings, matches items to the catalog's assets by
path, and turns the matches into provider_refs (titles, episodes, assets) and watches for seed
003's watch history. Payloads come from someone else's server: any field may be missing or null,
ids may be numbers or strings, and an item may list several files (or a file twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mediavault_assets.domain.model import stable_id
from mediavault_assets.domain.provider_refs import EntityType, ProviderRef
from mediavault_assets.domain.sources import PathMapping, Source, SourceCollection, Sources

ServerKind = Literal["plex", "jellyfin", "emby"]
ItemType = Literal["movie", "episode"]
_PLEX_LIBRARY_TYPES = {"movie", "show"}
_JELLYFIN_LIBRARY_TYPES = {None, "movies", "tvshows", "mixed", "homevideos"}
_LEGACY_GUID = re.compile(r"^com\.plexapp\.agents\.(\w+)://([^/?]+)")
_GUID_PROVIDERS = {
    "imdb": "imdb",
    "tmdb": "tmdb",
    "themoviedb": "tmdb",
    "tvdb": "tvdb",
    "thetvdb": "tvdb",
}


@dataclass(frozen=True, slots=True)
class ServerLibrary:
    key: str
    name: str
    library_type: str | None  # Plex: movie/show; Jellyfin: movies/tvshows/mixed/None
    locations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServerItem:
    item_id: str
    library_key: str
    item_type: ItemType
    name: str
    year: int | None
    show_id: str | None  # an episode's show (Plex grandparentRatingKey, Jellyfin SeriesId)
    season: int | None
    episode: int | None
    paths: tuple[str, ...]  # as the server sees them
    provider_ids: Mapping[str, str]  # {"tmdb": "603", "imdb": "tt0133093"}
    play_count: int
    played: bool
    last_played_at: datetime | None  # naive UTC, like the warehouse's timestamps


# -- parsing ----------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _container(payload: object) -> dict[str, Any]:
    return _dict(_dict(payload).get("MediaContainer"))


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def parse_plex_sections(payload: object) -> list[ServerLibrary]:
    """GET /library/sections: the movie and show libraries (music and photos are not ours)."""
    libraries = []
    for d in _list(_container(payload).get("Directory")):
        d = _dict(d)
        key, kind = _text(d.get("key")), d.get("type")
        if key is None or kind not in _PLEX_LIBRARY_TYPES:
            continue
        locations = _unique(_text(_dict(loc).get("path")) for loc in _list(d.get("Location")))
        libraries.append(ServerLibrary(key, _text(d.get("title")) or key, kind, locations))
    return libraries


def plex_show_keys(payload: object) -> list[str]:
    """GET /library/sections/{key}/all of a show library: the shows (their episodes come from
    /library/metadata/{ratingKey}/allLeaves)."""
    keys = (
        _text(_dict(m).get("ratingKey"))
        for m in _list(_container(payload).get("Metadata"))
        if _dict(m).get("type") == "show"
    )
    return list(_unique(keys))


def _plex_files(metadata: dict[str, Any]) -> tuple[str, ...]:
    return _unique(
        _text(_dict(part).get("file"))
        for media in _list(metadata.get("Media"))
        for part in _list(_dict(media).get("Part"))
    )


def _plex_provider_ids(metadata: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    legacy = _LEGACY_GUID.match(_text(metadata.get("guid")) or "")
    if legacy and legacy.group(1) in _GUID_PROVIDERS:
        ids[_GUID_PROVIDERS[legacy.group(1)]] = legacy.group(2)
    for guid in _list(metadata.get("Guid")):  # new agents: [{"id": "tmdb://603"}, ...]
        scheme, _, value = (_text(_dict(guid).get("id")) or "").partition("://")
        if scheme in _GUID_PROVIDERS and value:
            ids.setdefault(_GUID_PROVIDERS[scheme], value)
    return ids


def _from_epoch(value: object) -> datetime | None:
    seconds = _int(value)
    if seconds is None or seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def parse_plex_items(payload: object, library_key: str) -> list[ServerItem]:
    """Movies of /library/sections/{key}/all, or episodes of /allLeaves."""
    items = []
    for m in _list(_container(payload).get("Metadata")):
        m = _dict(m)
        kind, item_id = m.get("type"), _text(m.get("ratingKey"))
        if kind not in ("movie", "episode") or item_id is None:
            continue
        plays = _int(m.get("viewCount")) or 0
        items.append(
            ServerItem(
                item_id=item_id,
                library_key=library_key,
                item_type=kind,
                name=_text(m.get("title")) or "",
                year=_int(m.get("year")),
                show_id=_text(m.get("grandparentRatingKey")) if kind == "episode" else None,
                season=_int(m.get("parentIndex")) if kind == "episode" else None,
                episode=_int(m.get("index")) if kind == "episode" else None,
                paths=_plex_files(m),
                provider_ids=_plex_provider_ids(m),
                play_count=plays,
                played=plays > 0,
                last_played_at=_from_epoch(m.get("lastViewedAt")),
            )
        )
    return items


def plex_playing_paths(payload: object) -> set[str]:
    """GET /status/sessions: the files being played now."""
    return {
        path for m in _list(_container(payload).get("Metadata")) for path in _plex_files(_dict(m))
    }


def parse_jellyfin_folders(payload: object) -> list[ServerLibrary]:
    """GET /Library/VirtualFolders: the video libraries."""
    libraries = []
    for f in _list(payload):
        f = _dict(f)
        key, kind = _text(f.get("ItemId")), f.get("CollectionType")
        if key is None or kind not in _JELLYFIN_LIBRARY_TYPES:
            continue
        locations = _unique(_text(loc) for loc in _list(f.get("Locations")))
        libraries.append(ServerLibrary(key, _text(f.get("Name")) or key, kind, locations))
    return libraries


def _from_iso(value: object) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    # .NET writes 7 fractional digits and a Z; Python reads at most 6.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed if parsed.year > 1 else None  # 0001-01-01: .NET's "never"


def parse_jellyfin_items(payload: object, library_key: str) -> list[ServerItem]:
    """GET /Users/{id}/Items?Recursive=true&IncludeItemTypes=Movie,Episode&ParentId=..."""
    items = []
    for i in _list(_dict(payload).get("Items")):
        i = _dict(i)
        kind, item_id = i.get("Type"), _text(i.get("Id"))
        if kind not in ("Movie", "Episode") or item_id is None:
            continue
        episode = kind == "Episode"
        user = _dict(i.get("UserData"))
        ids = {k.lower(): str(v) for k, v in _dict(i.get("ProviderIds")).items() if v}
        plays = _int(user.get("PlayCount")) or 0
        items.append(
            ServerItem(
                item_id=item_id,
                library_key=library_key,
                item_type="episode" if episode else "movie",
                name=_text(i.get("Name")) or "",
                year=_int(i.get("ProductionYear")),
                show_id=_text(i.get("SeriesId")) if episode else None,
                season=_int(i.get("ParentIndexNumber")) if episode else None,
                episode=_int(i.get("IndexNumber")) if episode else None,
                paths=_unique([_text(i.get("Path"))]),
                provider_ids={k: ids[k] for k in ("tmdb", "imdb", "tvdb") if k in ids},
                play_count=plays,
                played=bool(user.get("Played")),
                last_played_at=_from_iso(user.get("LastPlayedDate")),
            )
        )
    return items


def jellyfin_user_id(payload: object, wanted: str | None) -> str | None:
    """GET /Users: the named user, else the first administrator, else the first user."""
    users = [_dict(u) for u in _list(payload) if _text(_dict(u).get("Id"))]
    if wanted is not None:
        named = [u for u in users if (_text(u.get("Name")) or "").casefold() == wanted.casefold()]
        return _text(named[0]["Id"]) if named else None
    admins = [u for u in users if _dict(u.get("Policy")).get("IsAdministrator")]
    chosen = (admins or users or [None])[0]
    return _text(chosen["Id"]) if chosen else None


def jellyfin_playing_paths(payload: object) -> set[str]:
    """GET /Sessions: the files being played now."""
    return {
        path
        for s in _list(payload)
        if (path := _text(_dict(_dict(s).get("NowPlayingItem")).get("Path")))
    }


# -- paths ------------------------------------------------------------------------------------


def _windows(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:[\\/]", path)) or path.startswith("\\\\")


class PathMapper:
    """Server path prefixes ↔ local ones; the longest matching prefix wins, and a prefix only
    matches whole path segments (/data/tv never maps /data/tv2)."""

    def __init__(self, mappings: Sequence[tuple[str, str]]) -> None:
        pairs = [(server.rstrip("/\\"), local.rstrip("/")) for server, local in mappings]
        self._by_server = sorted(pairs, key=lambda p: -len(p[0]))
        self._by_local = sorted(pairs, key=lambda p: -len(p[1]))

    def to_local(self, server_path: str) -> str | None:
        for server, local in self._by_server:
            rest = _rest(server_path, server, windows=_windows(server))
            if rest is not None:
                return local + rest.replace("\\", "/")
        return None

    def to_server(self, local_path: str) -> str | None:
        for server, local in self._by_local:
            rest = _rest(local_path, local, windows=False)
            if rest is not None:
                return server + (rest.replace("/", "\\") if _windows(server) else rest)
        return None


def _rest(path: str, prefix: str, *, windows: bool) -> str | None:
    head, tail = path[: len(prefix)], path[len(prefix) :]
    same = head.casefold() == prefix.casefold() if windows else head == prefix
    if not same or (tail and tail[0] not in ("/\\" if windows else "/")):
        return None
    return tail


def folder_of(path: str) -> str:
    """The folder of a server path, in the server's own separator."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    return path[:cut] if cut > 0 else path


def library_for(libraries: Iterable[ServerLibrary], server_path: str) -> ServerLibrary | None:
    """The library whose location holds the path (the deepest one, when nested)."""
    best: tuple[int, ServerLibrary] | None = None
    for library in libraries:
        for location in library.locations:
            prefix = location.rstrip("/\\")
            if _rest(server_path, prefix, windows=_windows(prefix)) is not None and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), library)
    return best[1] if best else None


# -- seed 004's sources ------------------------------------------------------------------------


def server_sources(
    kind: str,
    external_id: str,
    name: str,
    config: Mapping[str, object],
    libraries: Iterable[ServerLibrary],
    mapper: PathMapper,
) -> Sources:
    """The server as a source, its libraries as collections (enabled when a folder of theirs
    maps into our library), and each mapped folder as a path mapping."""
    source = Source(stable_id("source", external_id), external_id, name, kind, dict(config))
    collections, mappings = [], []
    for library in libraries:
        collection_id = stable_id("source_collection", external_id, library.key)
        mapped = [(loc, local) for loc in library.locations if (local := mapper.to_local(loc))]
        collections.append(
            SourceCollection(
                id=collection_id,
                source_id=source.id,
                external_id=library.key,
                name=library.name,
                enabled=bool(mapped),
                config={"type": library.library_type, "locations": list(library.locations)},
                root_key=None,
            )
        )
        mappings.extend(
            PathMapping(
                id=stable_id("path_mapping", str(collection_id), kind, server_path),
                collection_id=collection_id,
                plex_path=server_path,
                local_path=local,
                mapping_kind=kind,
            )
            for server_path, local in mapped
        )
    return Sources((source,), tuple(collections), tuple(mappings))


# -- matching to the catalog ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogAsset:
    """One link of an asset to an episode (a multi-episode file has several)."""

    asset_id: int
    local_path: str
    episode_id: int
    title_id: int
    media_id: int
    title_kind: str  # 'movie' or 'show'
    season: int | None
    episode: int | None


@dataclass(frozen=True, slots=True)
class Match:
    item: ServerItem
    asset: CatalogAsset


@dataclass(frozen=True, slots=True)
class ServerWatch:
    """A play a server reports, once per item and last-played time (refreshes add nothing new
    until the server reports a later play)."""

    watch_key: str
    media_id: int
    season: int | None
    episode: int | None
    watched_at: datetime
    completed: bool
    play_count: int
    source: str  # the server kind: plex, jellyfin, emby
    context: str
    watched_by: str


def match_items(
    items: Iterable[ServerItem],
    mapper: PathMapper,
    catalog: Mapping[str, Sequence[CatalogAsset]],
) -> tuple[list[Match], list[ServerItem]]:
    """Items whose file is one of the catalog's assets (by local path), and the rest."""
    matches, unmatched = [], []
    for item in items:
        found = None
        for path in item.paths:
            local = mapper.to_local(path)
            links = catalog.get(local, ()) if local is not None else ()
            if links:
                same = [a for a in links if (a.season, a.episode) == (item.season, item.episode)]
                found = (same or list(links))[0]
                break
        if found is None:
            unmatched.append(item)
        else:
            matches.append(Match(item, found))
    return matches, unmatched


def server_refs(provider: str, server: str, matches: Iterable[Match]) -> list[ProviderRef]:
    """Each matched asset's, episode's and title's id on the server (first one wins when a
    server lists one file twice)."""
    refs: dict[int, ProviderRef] = {}

    def add(entity_type: EntityType, entity_id: int, key: str | None, m: Match) -> None:
        if key is None:
            return
        ref_id = stable_id("provider_ref", entity_type, str(entity_id), provider)
        raw: dict[str, object] = {"server": server, "library": m.item.library_key}
        if entity_type != "title":
            raw |= {"name": m.item.name, "provider_ids": dict(m.item.provider_ids)}
        refs.setdefault(
            ref_id,
            ProviderRef(
                id=ref_id,
                entity_type=entity_type,
                entity_id=entity_id,
                provider=provider,
                provider_key=key,
                raw=raw,
                title_id=m.asset.title_id,
                episode_id=m.asset.episode_id if entity_type != "title" else None,
                asset_id=m.asset.asset_id if entity_type == "asset" else None,
                media_id=m.asset.media_id,
            ),
        )

    for m in matches:
        add("asset", m.asset.asset_id, m.item.item_id, m)
        add("episode", m.asset.episode_id, m.item.item_id, m)
        title_key = m.item.show_id if m.item.item_type == "episode" else m.item.item_id
        add("title", m.asset.title_id, title_key, m)
    return list(refs.values())


def server_watches(
    provider: str, server: str, user: str, matches: Iterable[Match]
) -> list[ServerWatch]:
    """A watch per item the server saw played, at its last play."""
    watches: dict[str, ServerWatch] = {}
    for m in matches:
        item = m.item
        if item.last_played_at is None or not (item.played or item.play_count):
            continue
        key = f"{provider}:{server}:{item.item_id}:{item.last_played_at.isoformat()}"
        episode = m.asset.title_kind == "show" and m.asset.episode is not None
        plays = max(item.play_count, 1)
        watches.setdefault(
            key,
            ServerWatch(
                watch_key=key,
                media_id=m.asset.media_id,
                season=m.asset.season if episode else None,
                episode=m.asset.episode if episode else None,
                watched_at=item.last_played_at,
                completed=item.played,
                play_count=plays,
                source=provider,
                context=f"{server}: {plays} play{'s' if plays != 1 else ''}",
                watched_by=user,
            ),
        )
    return list(watches.values())
