"""Seed 004's provider_refs: what other services call the catalog's titles and episodes.

Each ref is polymorphic (``entity_type`` + ``entity_id``) and also sets the matching one of
``title_id``/``episode_id``/``asset_id``, so a ref joins ``titles``, ``episodes`` or ``assets``
directly (an episode's ref also names its title). TMDb ids are unique per type only, so a TMDb
key carries it: ``movie/27205``, ``tv/326``, ``tv/326/season/1/episode/2`` (TMDb's API paths).
A title's TMDb, IMDb and TVDB ids come from what TMDb answered for it, else from ID tags in its
file names. Media servers (Plex, Jellyfin, Emby) add refs of their own to titles, episodes and
assets (media_servers.py; the analysis keeps those rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mediavault_assets.domain.catalog import Catalog, Title
from mediavault_assets.domain.model import stable_id

EntityType = Literal["title", "episode", "asset"]


@dataclass(frozen=True, slots=True)
class TmdbTitle:
    """A title as the TMDb asset stored it (tmdb_titles + tmdb_external_ids)."""

    media_id: int
    tmdb_id: int
    tmdb_type: str  # 'movie' or 'tv'
    external_ids: Mapping[str, str]  # {"imdb": "tt1375666", "tvdb": "81189"}


@dataclass(frozen=True, slots=True)
class ProviderRef:
    id: int
    entity_type: EntityType
    entity_id: int
    provider: str
    provider_key: str
    raw: dict[str, object]
    title_id: int | None
    episode_id: int | None
    asset_id: int | None
    media_id: int | None  # seed 003's media.id of the title


def provider_refs(
    catalog: Catalog,
    tmdb_titles: Mapping[int, TmdbTitle],
    tmdb_episodes: set[tuple[int, int, int]],
) -> list[ProviderRef]:
    """Refs of every title, and of the episodes TMDb lists (show id, season, episode)."""
    season_numbers = {s.id: s.number for s in catalog.seasons}
    refs: list[ProviderRef] = []
    tmdb_of: dict[int, int] = {}
    for title in catalog.titles:
        known = tmdb_titles.get(title.media_id)
        tmdb = _tmdb_key(title, known)
        ids = dict(title.external_ids)
        if known is not None:
            ids |= dict(known.external_ids)
        named = {"tmdb": tmdb, "imdb": ids.get("imdb"), "tvdb": ids.get("tvdb")}
        from_tmdb = {"tmdb", *known.external_ids} if known is not None else set()
        for provider, key in named.items():
            if key is not None:
                raw = {"from": "tmdb" if provider in from_tmdb else "file name"}
                refs.append(_ref("title", title.id, provider, str(key), raw, title))
        if tmdb is not None and tmdb.startswith("tv/"):
            tmdb_of[title.id] = int(tmdb.removeprefix("tv/"))
    titles = {t.id: t for t in catalog.titles}
    for e in catalog.episodes:
        show = tmdb_of.get(e.title_id)
        season = season_numbers.get(e.season_id) if e.season_id is not None else None
        if show is None or season is None or e.number is None:
            continue
        if (show, season, e.number) in tmdb_episodes:
            key = f"tv/{show}/season/{season}/episode/{e.number}"
            refs.append(
                _ref(
                    "episode",
                    e.id,
                    "tmdb",
                    key,
                    {"from": "tmdb", "season": season, "episode": e.number},
                    titles[e.title_id],
                    episode_id=e.id,
                )
            )
    return refs


def _tmdb_key(title: Title, known: TmdbTitle | None) -> str | None:
    if known is not None:
        return f"{known.tmdb_type}/{known.tmdb_id}"
    tagged = title.external_ids.get("tmdb")
    if tagged is None:
        return None
    return f"{'tv' if title.kind == 'show' else 'movie'}/{tagged}"


def _ref(
    entity_type: EntityType,
    entity_id: int,
    provider: str,
    key: str,
    raw: dict[str, object],
    title: Title,
    *,
    episode_id: int | None = None,
) -> ProviderRef:
    return ProviderRef(
        id=stable_id("provider_ref", entity_type, str(entity_id), provider),
        entity_type=entity_type,
        entity_id=entity_id,
        provider=provider,
        provider_key=key,
        raw=raw,
        title_id=title.id,
        episode_id=episode_id,
        asset_id=None,
        media_id=title.media_id,
    )
