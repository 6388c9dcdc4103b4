"""The library as seed 004's catalog: titles → seasons → episodes → assets.

A title is a show or a movie, a movie has one episode (no season, no number), and every file is an
asset linked to the episodes it holds (a multi-episode file to each of them). Duplicate groups
shape it: files a group put together belong to one title even when their names differ
("RedDwarf TVLab" and "RedDwarf"), so a group reads as several assets of one episode.

``canonical`` says which asset is the primary version. On ``episode_assets`` it is per episode:
in a group, the group's kept file (``primary_file_id``; the best-ranked member when the group was
not planned yet), and none of its other members; outside groups, every asset except extras,
empty files and second paths of one inode — a Director's Cut and the theatrical cut, or CD1 and
CD2, are all primary versions. ``assets.canonical`` is true when the asset is canonical for any of
its episodes.

Ids are stable across runs: assets use the file id; titles, seasons and episodes derive from the
title's key (its TMDb id when known, else its normalized name) with ``model.stable_id``.

Markers are the chapters the probe read from each file (kind ``chapter``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mediavault_assets.domain.grouping import DuplicateGroup
from mediavault_assets.domain.model import LibraryFile, stable_id
from mediavault_assets.domain.tmdb_matching import media_id

TitleKind = Literal["movie", "show"]
_TitleKey = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Title:
    id: int
    kind: TitleKind
    name: str
    year: int | None
    external_ids: dict[str, object]  # {"tmdb": 27205, "imdb": "tt1375666", "tvdb": ...}
    media_id: int  # seed 003's media.id: the TMDb title's id when TMDb knows it, else `id`


@dataclass(frozen=True, slots=True)
class Season:
    id: int
    title_id: int
    number: int


@dataclass(frozen=True, slots=True)
class Episode:
    id: int
    title_id: int
    season_id: int | None  # None for movies and for shows without season numbers
    number: int | None  # None for movies
    name: str | None


@dataclass(frozen=True, slots=True)
class Asset:
    id: int  # the file id, so assets join media_files
    uri: str
    size: int
    duration_ms: int | None
    video_codec: str | None
    audio_codec: str | None
    container: str | None
    md5: str | None  # seed 002's md5_hash, the duplicate finder's hash
    sha256: str | None  # seed 004's hash_sha256, from the same read (files read whole only)
    canonical: bool


@dataclass(frozen=True, slots=True)
class EpisodeAsset:
    episode_id: int
    asset_id: int
    canonical: bool


@dataclass(frozen=True, slots=True)
class Marker:
    id: int
    asset_id: int
    kind: Literal["chapter"]
    start_ms: int
    end_ms: int
    label: str | None
    payload: dict[str, object]


@dataclass(frozen=True, slots=True)
class Catalog:
    titles: tuple[Title, ...]
    seasons: tuple[Season, ...]
    episodes: tuple[Episode, ...]
    assets: tuple[Asset, ...]
    episode_assets: tuple[EpisodeAsset, ...]
    markers: tuple[Marker, ...] = ()


def build_catalog(files: Iterable[LibraryFile], groups: Iterable[DuplicateGroup]) -> Catalog:
    files = sorted(files, key=lambda f: f.path)
    groups = list(groups)
    title_of = _title_clusters(files, groups)
    canonical_in_group = _group_canonical(groups)
    first_path_of_inode: dict[tuple[int, int], int] = {}
    for f in files:
        first_path_of_inode.setdefault((f.device, f.inode), f.file_id)

    members: dict[_TitleKey, list[LibraryFile]] = defaultdict(list)
    for f in files:
        members[title_of[_title_key(f)]].append(f)

    titles: list[Title] = []
    seasons: dict[int, Season] = {}
    episodes: dict[int, Episode] = {}
    links: list[EpisodeAsset] = []
    canonical_assets: set[int] = set()
    for cluster_key, cluster in members.items():
        title = _title(cluster_key, cluster)
        titles.append(title)
        episode_names = _episode_names(cluster)
        for f in cluster:
            numbers = (f.parsed.episodes or (None,)) if f.parsed.media_type == "tv" else (None,)
            for number in numbers:
                episode = _episode(title, f, number, seasons, episode_names)
                episodes.setdefault(episode.id, episode)
                canonical = canonical_in_group.get((f.file_id, number))
                if canonical is None:
                    canonical = (
                        f.parsed.extra_kind is None
                        and f.size > 0
                        and first_path_of_inode[(f.device, f.inode)] == f.file_id
                    )
                links.append(EpisodeAsset(episode.id, f.file_id, canonical))
                if canonical:
                    canonical_assets.add(f.file_id)

    assets = [
        Asset(
            id=f.file_id,
            uri=f.path,
            size=f.size,
            duration_ms=round(f.probe.duration * 1000) if f.probe.duration else None,
            video_codec=f.probe.video_codec,
            audio_codec=f.probe.audio_codec,
            container=f.probe.container,
            md5=f.md5,
            sha256=f.sha256,
            canonical=f.file_id in canonical_assets,
        )
        for f in files
    ]
    return Catalog(
        titles=tuple(sorted(titles, key=lambda t: t.id)),
        seasons=tuple(sorted(seasons.values(), key=lambda s: s.id)),
        episodes=tuple(sorted(episodes.values(), key=lambda e: e.id)),
        assets=tuple(sorted(assets, key=lambda a: a.id)),
        episode_assets=tuple(sorted(links, key=lambda link: (link.episode_id, link.asset_id))),
        markers=tuple(m for f in files for m in chapter_markers(f)),
    )


def chapter_markers(f: LibraryFile) -> list[Marker]:
    return [
        Marker(
            id=stable_id("marker", str(f.file_id), "chapter", str(number)),
            asset_id=f.file_id,
            kind="chapter",
            start_ms=c.start_ms,
            end_ms=c.end_ms,
            label=c.title,
            payload={"number": number, "title": c.title, "language": c.language},
        )
        for number, c in enumerate(f.probe.chapters, start=1)
    ]


def _name_key(f: LibraryFile) -> _TitleKey:
    return ("name", f.parsed.media_type, f.parsed.title_key, f.parsed.year)


def _title_key(f: LibraryFile) -> _TitleKey:
    p = f.parsed
    return ("tmdb", p.media_type, p.tmdb_id) if p.tmdb_id is not None else _name_key(f)


def _title_clusters(
    files: list[LibraryFile], groups: list[DuplicateGroup]
) -> dict[_TitleKey, _TitleKey]:
    """Each title key → its cluster's key.

    A group's members share one title, and a file TMDb did not match joins the TMDb title its
    name belongs to, when exactly one does ("The Office" of two TMDb shows stays apart).
    """
    parent: dict[_TitleKey, _TitleKey] = {_title_key(f): _title_key(f) for f in files}

    def find(key: _TitleKey) -> _TitleKey:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: _TitleKey, b: _TitleKey) -> None:
        a, b = find(a), find(b)
        if a != b:
            # The TMDb key wins, then the smaller one, so the cluster key is stable.
            keep, drop = sorted((a, b), key=lambda k: (k[0] != "tmdb", str(k)))
            parent[drop] = keep

    by_id = {f.file_id: f for f in files}
    for g in groups:
        keys = [
            _title_key(by_id[file_id])
            for m in g.members
            for file_id in (m.file_id, *m.linked_file_ids)
            if file_id in by_id
        ]
        for key in keys[1:]:
            union(keys[0], key)

    tmdb_titles_by_name: dict[_TitleKey, set[_TitleKey]] = defaultdict(set)
    for f in files:
        if f.parsed.tmdb_id is not None:
            tmdb_titles_by_name[_name_key(f)].add(_title_key(f))
    for f in files:
        if f.parsed.tmdb_id is None:
            matches = {find(k) for k in tmdb_titles_by_name.get(_title_key(f), ())}
            if len(matches) == 1:
                union(matches.pop(), _title_key(f))
    return {key: find(key) for key in parent}


def _group_canonical(groups: list[DuplicateGroup]) -> dict[tuple[int, int | None], bool]:
    decided: dict[tuple[int, int | None], bool] = {}
    for g in groups:
        primary = g.primary_file_id
        if primary is None:
            primary = min(g.members, key=lambda m: m.quality_rank).file_id
        for m in g.members:
            for file_id in (m.file_id, *m.linked_file_ids):
                for number in g.episodes or (None,):
                    decided[(file_id, number)] = file_id == primary
    return decided


def _most_common(values: Iterable[object]) -> object:
    counts = Counter(v for v in values if v is not None)
    return min(counts, key=lambda v: (-counts[v], str(v))) if counts else None


def _title(cluster_key: _TitleKey, cluster: list[LibraryFile]) -> Title:
    kind: TitleKind = "show" if cluster_key[1] == "tv" else "movie"
    parses = [f.parsed for f in cluster]
    external_ids = {
        name: value
        for name, value in (
            ("tmdb", _most_common(p.tmdb_id for p in parses)),
            ("imdb", _most_common(p.imdb_id for p in parses)),
            ("tvdb", _most_common(p.tvdb_id for p in parses)),
        )
        if value is not None
    }
    year = _most_common(p.year for p in parses)
    title_id = stable_id("title", *map(str, cluster_key))
    # Reviews and watches point at media_id; with a TMDb title it is the id media_genres and
    # media_credits use (an ID tag in the name, else a decisive match of the TMDb asset).
    tmdb = _most_common(
        (f.parsed.media_type, f.parsed.tmdb_id)
        if f.parsed.tmdb_id is not None
        else (f.tmdb_match.tmdb_type, f.tmdb_match.tmdb_id)
        if f.tmdb_match and f.tmdb_match.decisive
        else None
        for f in cluster
    )
    return Title(
        id=title_id,
        kind=kind,
        name=str(_most_common(p.title for p in parses)),
        year=year if isinstance(year, int) else None,
        external_ids=external_ids,
        media_id=media_id(*tmdb) if isinstance(tmdb, tuple) else title_id,
    )


def _episode_names(cluster: list[LibraryFile]) -> dict[tuple[int | None, int], str]:
    names: dict[tuple[int | None, int], list[str]] = defaultdict(list)
    for f in cluster:
        if f.parsed.episode_title and len(f.parsed.episodes) == 1:
            names[(f.parsed.season, f.parsed.episodes[0])].append(f.parsed.episode_title)
    return {key: str(_most_common(values)) for key, values in names.items()}


def _episode(
    title: Title,
    f: LibraryFile,
    number: int | None,
    seasons: dict[int, Season],
    names: dict[tuple[int | None, int], str],
) -> Episode:
    if title.kind == "movie" or f.parsed.media_type == "movie":
        return Episode(stable_id("episode", str(title.id), "movie"), title.id, None, None, None)
    season_number = f.parsed.season
    season_id = None
    if season_number is not None:
        season_id = stable_id("season", str(title.id), str(season_number))
        seasons.setdefault(season_id, Season(season_id, title.id, season_number))
    if number is None:
        # A show file whose episode is unknown is an episode of its own.
        return Episode(
            stable_id("episode", str(title.id), "file", str(f.file_id)),
            title.id,
            season_id,
            None,
            f.parsed.episode_title,
        )
    return Episode(
        stable_id("episode", str(title.id), str(season_number), str(number)),
        title.id,
        season_id,
        number,
        names.get((season_number, number)),
    )
