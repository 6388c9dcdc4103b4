"""Media servers without Dagster: path mappings, the clients against fake Plex and Jellyfin
servers (real-shaped payloads with nulls, odd ids, duplicates and unicode paths), matching to
the catalog, refs, plays recorded once, what is playing, folder refreshes, and the settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from mediavault_assets.domain.media_servers import (
    CatalogAsset,
    PathMapper,
    ServerItem,
    folder_of,
    match_items,
    server_refs,
    server_watches,
)
from mediavault_assets.domain.watching import TitleRef
from mediavault_assets.media_servers.jellyfin import JellyfinClient, JellyfinError
from mediavault_assets.media_servers.plex import PlexClient
from mediavault_assets.media_servers.servers import (
    MediaServer,
    playing_now,
    refresh_folders,
    snapshot,
)
from mediavault_assets.settings import SettingsError, load_secrets, parse_settings
from mediavault_assets.watching_store import WatchingStore
from tests import fake_jellyfin, fake_plex
from tests.fake_jellyfin import FakeJellyfin, running_fake_jellyfin
from tests.fake_plex import FakePlex, running_fake_plex

LOCAL = "/mnt/nas/videos"


@pytest.mark.parametrize(
    ("server_path", "local"),
    [
        ("/data/movies/Heat (1995)/Heat.mkv", f"{LOCAL}/Movies/Heat (1995)/Heat.mkv"),
        ("/data/movies", f"{LOCAL}/Movies"),
        ("/data/movies2/x.mkv", None),  # a prefix matches whole segments only
        ("/data/tv/Red Dwarf/S01E01.mkv", f"{LOCAL}/TV/Red Dwarf/S01E01.mkv"),
        ("/data/tv/anime/Akira.mkv", "/mnt/anime/Akira.mkv"),  # the longest prefix wins
        ("/data/tv/Amélie/été.mkv", f"{LOCAL}/TV/Amélie/été.mkv"),
        ("D:\\Movies\\Heat\\Heat.mkv", f"{LOCAL}/Windows/Heat/Heat.mkv"),
        ("d:\\movies\\Heat.mkv", f"{LOCAL}/Windows/Heat.mkv"),  # Windows ignores case
        ("/elsewhere/x.mkv", None),
    ],
)
def test_path_mapping_both_ways(server_path: str, local: str | None) -> None:
    mapper = PathMapper(
        [
            ("/data/movies/", f"{LOCAL}/Movies"),
            ("/data/tv", f"{LOCAL}/TV"),
            ("/data/tv/anime", "/mnt/anime"),
            ("D:\\Movies", f"{LOCAL}/Windows"),
        ]
    )
    assert mapper.to_local(server_path) == local
    if local is not None and not server_path.startswith("d:"):
        assert mapper.to_server(local) == server_path


def test_folder_of_uses_the_servers_separator() -> None:
    assert folder_of("/data/tv/Red Dwarf/S01E01.mkv") == "/data/tv/Red Dwarf"
    assert folder_of("D:\\Movies\\Heat\\Heat.mkv") == "D:\\Movies\\Heat"


@pytest.fixture
def plex() -> Iterator[FakePlex]:
    with running_fake_plex() as fake:
        fake.add_section("1", "Movies", "movie", "/data/movies")
        fake.add_section("2", "TV Shows", "show", "/data/tv")
        fake.add_section("3", "Music", "artist", "/data/music")
        fake.add_movie(
            "1",
            "101",
            "Heat",
            "/data/movies/Heat (1995)/Heat.mkv",
            year=1995,
            viewCount=2,
            lastViewedAt=1733000000,
            guid="com.plexapp.agents.imdb://tt0113277?lang=en",
        )
        fake.add_movie(
            "1",
            "102",
            "Amélie",
            "/data/movies/Amélie (2001)/Amélie.mkv",
            year=None,
            Guid=[{"id": "imdb://tt0211915"}, {"id": "tmdb://194"}, {"id": None}],
        )
        # A stacked movie lists each part; one movie listed twice; one without any file.
        fake.add_movie("1", "103", "Dune", "/data/movies/Dune/cd1.mkv", "/data/movies/Dune/cd2.mkv")
        fake.add_movie("1", "103", "Dune", "/data/movies/Dune/cd1.mkv")
        fake.sections["1"].items.append({"ratingKey": "104", "type": "movie", "title": "Broken"})
        fake.sections["1"].items.append({"type": "movie", "title": "No key"})
        fake.add_show("2", "200", "Red Dwarf")
        fake.add_episode(
            "200",
            "201",
            1,
            1,
            "/data/tv/Red Dwarf/S01E01.mkv",
            viewCount=1,
            lastViewedAt=1733100000,
        )
        fake.add_episode("200", "202", None, None, "/data/tv/Red Dwarf/special.mkv")
        yield fake


def _plex_client(fake: FakePlex, token: str = fake_plex.TOKEN) -> PlexClient:
    return PlexClient(fake.base_url, SecretStr(token))


def test_plex_client_reads_libraries_items_and_sessions(plex: FakePlex) -> None:
    client = _plex_client(plex)
    libraries = client.libraries()
    assert [(lib.key, lib.library_type, lib.locations) for lib in libraries] == [
        ("1", "movie", ("/data/movies",)),
        ("2", "show", ("/data/tv",)),
    ]
    listed = client.items(libraries[0])
    assert [i.item_id for i in listed] == ["101", "102", "103", "103", "104"]  # as Plex lists
    movies = {i.item_id: i for i in reversed(listed)}  # the first of a duplicate
    heat = movies["101"]
    assert (heat.year, heat.play_count, heat.played) == (1995, 2, True)
    assert heat.last_played_at == datetime(2024, 11, 30, 20, 53, 20)
    assert heat.provider_ids == {"imdb": "tt0113277"}
    assert movies["102"].provider_ids == {"imdb": "tt0211915", "tmdb": "194"}
    assert (movies["102"].play_count, movies["102"].last_played_at) == (0, None)
    assert movies["103"].paths == ("/data/movies/Dune/cd1.mkv", "/data/movies/Dune/cd2.mkv")
    assert movies["104"].paths == ()
    episodes = client.items(libraries[1])
    assert [(e.item_id, e.show_id, e.season, e.episode) for e in episodes] == [
        ("201", "200", 1, 1),
        ("202", "200", None, None),
    ]
    assert client.playing_paths() == set()
    plex.playing.append("/data/movies/Heat (1995)/Heat.mkv")
    assert client.playing_paths() == {"/data/movies/Heat (1995)/Heat.mkv"}
    assert all(r.path != "/library/sections" or r.method == "GET" for r in plex.requests)


def test_plex_refuses_a_wrong_token(plex: FakePlex) -> None:
    with pytest.raises(httpx.HTTPStatusError) as error:
        _plex_client(plex, "wrong").libraries()
    assert error.value.response.status_code == 401


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfin]:
    with running_fake_jellyfin() as fake:
        fake.add_library("f137a2dd21bbc1b99aa5c0f6bf02a805", "Movies", "movies", "/media/movies")
        fake.add_library("767bffe4f11c93ef34b805451a696a4e", "Shows", "tvshows", "/media/tv")
        fake.add_library("7e64e319657a9516ec78490da03edccb", "Music", "music", "/media/music")
        fake.add_library("29391378c411a6f3a2b4e5f0ba3a5b1f", "Mixed", None, "/media/mixed")
        movie = "a656b907eb3a73532e40e44b968d0225"
        fake.add_item(
            "f137a2dd21bbc1b99aa5c0f6bf02a805",
            {
                "Id": movie,
                "Name": "Heat",
                "Type": "Movie",
                "Path": "/media/movies/Heat (1995)/Heat.mkv",
                "ProductionYear": 1995,
                "ProviderIds": {"Tmdb": "949", "Imdb": "tt0113277", "TvdbCollection": ""},
            },
        )
        fake.add_item(
            "f137a2dd21bbc1b99aa5c0f6bf02a805",
            {"Id": "b7", "Name": None, "Type": "Movie", "ProductionYear": None},
        )
        fake.add_item(
            "f137a2dd21bbc1b99aa5c0f6bf02a805",
            {"Id": "c8", "Name": "Folder", "Type": "BoxSet", "Path": "/media/movies/x"},
        )
        fake.add_item(
            "767bffe4f11c93ef34b805451a696a4e",
            {
                "Id": "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1",
                "Name": "The End",
                "Type": "Episode",
                "Path": "/media/tv/Red Dwarf/Season 1/Red Dwarf S01E01.mkv",
                "SeriesName": "Red Dwarf",
                "SeriesId": "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
                "ParentIndexNumber": 1,
                "IndexNumber": 1,
                "ProviderIds": {},
            },
        )
        fake.played("a11e" * 8, movie, 3, "2024-12-01T21:15:09.1234567Z", True)
        fake.played("0b1c" * 8, movie, 9, "2024-12-02T08:00:00.0000000Z", True)
        yield fake


def test_jellyfin_client_reads_folders_users_items_and_sessions(jellyfin: FakeJellyfin) -> None:
    client = JellyfinClient(jellyfin.base_url, SecretStr(fake_jellyfin.TOKEN))
    libraries = client.libraries()
    assert [lib.name for lib in libraries] == ["Movies", "Shows", "Mixed"]  # music is not ours
    movies = client.items(libraries[0])
    assert [m.item_id for m in movies] == ["a656b907eb3a73532e40e44b968d0225", "b7"]
    heat = movies[0]
    # The administrator's plays (not the kids'), .NET's 7-digit fraction read.
    assert (heat.play_count, heat.played) == (3, True)
    assert heat.last_played_at == datetime(2024, 12, 1, 21, 15, 9, 123456)
    assert heat.provider_ids == {"tmdb": "949", "imdb": "tt0113277"}
    assert movies[1].paths == () and movies[1].name == ""
    [episode] = client.items(libraries[1])
    assert (episode.show_id, episode.season, episode.episode) == ("5e" * 16, 1, 1)
    items_request = next(r for r in jellyfin.requests if r.path.endswith("/Items"))
    assert items_request.path == f"/Users/{'a11e' * 8}/Items"
    assert items_request.query["Recursive"] == "true"
    assert items_request.query["IncludeItemTypes"] == "Movie,Episode"

    kids = JellyfinClient(jellyfin.base_url, SecretStr(fake_jellyfin.TOKEN), user="KIDS")
    assert kids.items(libraries[0])[0].play_count == 9
    nobody = JellyfinClient(jellyfin.base_url, SecretStr(fake_jellyfin.TOKEN), user="zed")
    with pytest.raises(JellyfinError, match="no user zed"):
        nobody.items(libraries[0])

    jellyfin.playing.extend([None, "/media/tv/Red Dwarf/Season 1/Red Dwarf S01E01.mkv"])
    assert client.playing_paths() == {"/media/tv/Red Dwarf/Season 1/Red Dwarf S01E01.mkv"}


def test_jellyfin_accepts_the_emby_header_and_refuses_no_token(jellyfin: FakeJellyfin) -> None:
    emby = httpx.get(f"{jellyfin.base_url}/Users", headers={"X-Emby-Token": fake_jellyfin.TOKEN})
    assert emby.status_code == 200
    assert httpx.get(f"{jellyfin.base_url}/Users").status_code == 401


def _catalog() -> dict[str, list[CatalogAsset]]:
    heat = CatalogAsset(1, f"{LOCAL}/Movies/Heat (1995)/Heat.mkv", 11, 21, 31, "movie", None, None)
    double = [
        CatalogAsset(2, f"{LOCAL}/TV/Red Dwarf/S01E01E02.mkv", 12, 22, 32, "show", 1, 1),
        CatalogAsset(2, f"{LOCAL}/TV/Red Dwarf/S01E01E02.mkv", 13, 22, 32, "show", 1, 2),
    ]
    return {heat.local_path: [heat], double[0].local_path: double}


def _item(item_id: str, path: str, **kw: object) -> ServerItem:
    fields: dict[str, object] = {
        "library_key": "1",
        "item_type": "movie",
        "name": "x",
        "year": None,
        "show_id": None,
        "season": None,
        "episode": None,
        "provider_ids": {},
        "play_count": 0,
        "played": False,
        "last_played_at": None,
    }
    return ServerItem(item_id=item_id, paths=(path,), **{**fields, **kw})  # type: ignore[arg-type]


def test_items_match_assets_by_mapped_path_and_become_refs_and_plays() -> None:
    mapper = PathMapper([("/data/movies", f"{LOCAL}/Movies"), ("/data/tv", f"{LOCAL}/TV")])
    played = datetime(2024, 12, 1, 21, 0)
    items = [
        _item(
            "101",
            "/data/movies/Heat (1995)/Heat.mkv",
            play_count=2,
            played=True,
            last_played_at=played,
        ),
        _item("101", "/data/movies/Heat (1995)/Heat.mkv"),  # listed twice
        _item(
            "301",
            "/data/tv/Red Dwarf/S01E01E02.mkv",
            item_type="episode",
            show_id="300",
            season=1,
            episode=2,
            play_count=1,
            played=True,
            last_played_at=played,
        ),
        _item("401", "/data/movies/Not Scanned.mkv"),
    ]
    matches, unmatched = match_items(items, mapper, _catalog())
    assert [u.item_id for u in unmatched] == ["401"]
    assert [(m.item.item_id, m.asset.episode_id) for m in matches] == [
        ("101", 11),
        ("101", 11),
        ("301", 13),  # the file's second episode: the one the server says it is
    ]
    refs = {(r.entity_type, r.entity_id): r for r in server_refs("plex", "Home", matches)}
    assert {k: r.provider_key for k, r in refs.items()} == {
        ("asset", 1): "101",
        ("episode", 11): "101",
        ("title", 21): "101",
        ("asset", 2): "301",
        ("episode", 13): "301",
        ("title", 22): "300",  # an episode's show is the title
    }
    assert refs[("asset", 2)].asset_id == 2 and refs[("episode", 13)].episode_id == 13
    assert refs[("title", 22)].title_id == 22 and refs[("title", 22)].asset_id is None
    watches = server_watches("plex", "Home", "plex", matches)
    assert [(w.media_id, w.season, w.episode, w.play_count) for w in watches] == [
        (31, None, None, 2),
        (32, 1, 2, 1),
    ]
    assert watches[0].context == "Home: 2 plays"


def test_a_servers_plays_are_recorded_once(tmp_path: Path) -> None:
    store = WatchingStore(tmp_path / "review.sqlite")
    ref = TitleRef(31, "movie", "Heat", 1995, "movie", 949, frozenset())
    mapper = PathMapper([("/data/movies", f"{LOCAL}/Movies")])
    first = datetime(2024, 12, 1, 21, 0)
    item = _item(
        "101", "/data/movies/Heat (1995)/Heat.mkv", play_count=1, played=True, last_played_at=first
    )
    matches, _ = match_items([item], mapper, _catalog())
    watches = server_watches("plex", "Home", "plex", matches)
    assert store.record_server_watches(watches, {31: ref}) == 1
    assert store.record_server_watches(watches, {31: ref}) == 0  # the next refresh
    later = _item(
        "101", item.paths[0], play_count=2, played=True, last_played_at=datetime(2024, 12, 5, 20, 0)
    )
    matches, _ = match_items([later], mapper, _catalog())
    assert store.record_server_watches(server_watches("plex", "Home", "plex", matches), {31: ref})
    assert [(w.watched_at, w.watch_source, w.watch_context) for w in store.watches(31)] == [
        ("2024-12-05T20:00:00", "plex", "Home: 2 plays"),
        ("2024-12-01T21:00:00", "plex", "Home: 1 play"),
    ]


def _server(kind: str, client: object, mapper: PathMapper) -> MediaServer:
    return MediaServer(kind, kind, "http://127.0.0.1", None, client, mapper)  # type: ignore[arg-type]


def test_playing_and_refreshes_use_mapped_paths_and_a_down_server_is_reported(
    plex: FakePlex, jellyfin: FakeJellyfin
) -> None:
    movies = f"{LOCAL}/Movies"
    servers = [
        _server("plex", _plex_client(plex), PathMapper([("/data/movies", movies)])),
        _server(
            "jellyfin",
            JellyfinClient(jellyfin.base_url, SecretStr(fake_jellyfin.TOKEN)),
            PathMapper([("/media/movies", movies)]),
        ),
    ]
    plex.playing.append("/data/movies/Heat (1995)/Heat.mkv")
    jellyfin.playing.append("/media/movies/Amélie (2001)/Amélie.mkv")
    playing, errors = playing_now(servers)
    assert playing == {
        f"{movies}/Heat (1995)/Heat.mkv": "plex",
        f"{movies}/Amélie (2001)/Amélie.mkv": "jellyfin",
    }
    assert errors == []

    reports = refresh_folders(
        servers,
        [
            f"{movies}/Amélie (2001)/Amélie.mkv",
            f"{movies}/Amélie (2001)/Amélie.en.srt",
            "/somewhere/else.mkv",
        ],
    )
    assert [(r.server, r.folder, r.ok) for r in reports] == [
        ("plex", "/data/movies/Amélie (2001)", True),
        ("jellyfin", "/media/movies/Amélie (2001)", True),
    ]
    assert plex.refreshes() == [("1", "/data/movies/Amélie (2001)")]
    assert jellyfin.updates() == [{"Path": "/media/movies/Amélie (2001)", "UpdateType": "Modified"}]

    down = FakePlex()  # stopped: nothing listens on its port any more
    down.start()
    down.stop()
    gone = _server("plex", PlexClient(down.base_url, SecretStr("t"), timeout=2), servers[0].mapper)
    playing, errors = playing_now([gone])
    assert playing == {} and errors and errors[0].startswith("plex: ConnectError")
    [report] = refresh_folders([gone], [f"{movies}/Heat (1995)/Heat.mkv"])
    assert not report.ok and "ConnectError" in report.message
    assert snapshot(gone).error is not None


def _settings(tmp_path: Path, servers: dict[str, object]) -> object:
    root = tmp_path / "videos"
    root.mkdir(exist_ok=True)
    data = {
        "staging_root": str(tmp_path / "staging"),
        "library_roots": [{"key": "videos", "path": str(root)}],
        "media_servers": servers,
    }
    return parse_settings(data, tmp_path / "mediavault.yaml")


def test_settings_validate_the_path_mappings(tmp_path: Path) -> None:
    ok = _settings(
        tmp_path,
        {
            "plex": {
                "path_mappings": [{"server_path": "/data/movies", "local_path": "videos/Movies"}]
            }
        },
    )
    mapping = ok.media_servers["plex"].path_mappings[0]  # type: ignore[attr-defined]
    assert mapping.local_path == tmp_path / "videos" / "Movies"  # relative to the file
    bad = [
        (
            {"plex": {"path_mappings": [{"server_path": "data", "local_path": "videos"}]}},
            "media_servers.plex.path_mappings.0.server_path: must be an absolute path",
        ),
        (
            {"plex": {"path_mappings": [{"server_path": "/data", "local_path": "/srv/other"}]}},
            "local_path /srv/other is not in any library root",
        ),
        (
            {
                "plex": {
                    "path_mappings": [
                        {"server_path": "/data", "local_path": "videos/a"},
                        {"server_path": "/data/", "local_path": "videos/b"},
                    ]
                }
            },
            "server_path /data/ is mapped twice",
        ),
        ({"kodi": {}}, "media_servers.kodi"),
        ({"jellyfin": {"path_mappings": [], "token": "x"}}, "token: Extra inputs"),
    ]
    for servers, message in bad:
        with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
            _settings(tmp_path, servers)


def test_url_and_token_come_from_the_environment_and_stay_secret() -> None:
    secrets = load_secrets(
        {
            "MEDIAVAULT_PLEX_URL": "http://127.0.0.1:32400",
            "MEDIAVAULT_PLEX_TOKEN": "s3cret",
            "MEDIAVAULT_JELLYFIN_URL": "http://127.0.0.1:8096",
        }  # no token: not configured
    )
    access = secrets.media_server("plex")
    assert access is not None and access[1].get_secret_value() == "s3cret"
    assert secrets.media_server("jellyfin") is None and secrets.media_server("emby") is None
    assert "s3cret" not in repr(secrets)
    assert secrets.presence()["MEDIAVAULT_PLEX_TOKEN"] is True
