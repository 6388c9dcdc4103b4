"""Seed 004's catalog: a duplicate group reads as several assets of one episode."""

from __future__ import annotations

from domain_builders import episode, hardlink, library_file, movie, probe

from mediavault_assets.domain.catalog import Catalog, build_catalog
from mediavault_assets.domain.deletion_plan import plan_deletions
from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.domain.model import LibraryFile


def catalog(files: list[LibraryFile], *, planned: bool = True) -> Catalog:
    groups = group_duplicates(files)
    if planned:
        groups = list(plan_deletions(groups, files).groups)
    return build_catalog(files, groups)


def assets_of(cat: Catalog) -> dict[tuple[int | None, int | None], dict[str, bool]]:
    """(season, episode) → {asset uri: canonical on that episode}."""
    seasons = {s.id: s.number for s in cat.seasons}
    episodes = {
        e.id: (seasons.get(e.season_id) if e.season_id else None, e.number) for e in cat.episodes
    }
    uris = {a.id: a.uri for a in cat.assets}
    result: dict[tuple[int | None, int | None], dict[str, bool]] = {}
    for link in cat.episode_assets:
        result.setdefault(episodes[link.episode_id], {})[uris[link.asset_id]] = link.canonical
    return result


def red_dwarf() -> list[LibraryFile]:
    return [
        library_file(
            "/volume1/videos/TV/RedDwarf_TVLab_s01e01.mkv",
            episode("RedDwarf TVLab", 1, 1),
            probe("720p"),
        ),
        library_file(
            "/volume1/docker/RedDwarf_s01e01_Wondercrew.mp4",
            episode("RedDwarf", 1, 1, episode_title="The End"),
            probe("480p"),
        ),
        library_file(
            "/volume1/videos/TV/RedDwarf_TVLab_s01e02.mkv",
            episode("RedDwarf TVLab", 1, 2),
            probe("720p"),
        ),
    ]


def test_a_group_is_several_assets_of_one_episode() -> None:
    cat = catalog(red_dwarf())
    (title,) = cat.titles  # the group joined the two spellings into one show
    assert (title.kind, title.year) == ("show", None)
    assert [s.number for s in cat.seasons] == [1]
    assert {(e.number, e.name) for e in cat.episodes} == {(1, "The End"), (2, None)}
    assert assets_of(cat) == {
        (1, 1): {
            "/volume1/videos/TV/RedDwarf_TVLab_s01e01.mkv": True,  # the kept file
            "/volume1/docker/RedDwarf_s01e01_Wondercrew.mp4": False,
        },
        (1, 2): {"/volume1/videos/TV/RedDwarf_TVLab_s01e02.mkv": True},
    }
    canonical = {a.uri for a in cat.assets if a.canonical}
    assert canonical == {
        "/volume1/videos/TV/RedDwarf_TVLab_s01e01.mkv",
        "/volume1/videos/TV/RedDwarf_TVLab_s01e02.mkv",
    }


def test_a_double_episode_is_an_asset_of_both_episodes() -> None:
    files = [
        library_file("/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("720p")),
        library_file("/volume1/videos/Show/Show.S01E01.mkv", episode("Show", 1, 1), probe("1080p")),
        library_file("/volume1/videos/Show/Show.S01E02.mkv", episode("Show", 1, 2), probe("1080p")),
    ]
    assert assets_of(catalog(files)) == {
        (1, 1): {
            "/volume1/docker/Show.S01E01E02.mkv": False,
            "/volume1/videos/Show/Show.S01E01.mkv": True,
        },
        (1, 2): {
            "/volume1/docker/Show.S01E01E02.mkv": False,
            "/volume1/videos/Show/Show.S01E02.mkv": True,
        },
    }


def test_versions_that_are_not_duplicates_are_all_canonical() -> None:
    files = [
        library_file(
            "/volume1/videos/Movies/Blade.Runner.1982.mkv", movie("Blade Runner", 1982, tmdb_id=78)
        ),
        library_file(
            "/volume1/videos/Movies/Blade.Runner.1982.Final.Cut.mkv",
            movie("Blade Runner", 1982, edition="Final Cut", tmdb_id=78),
        ),
        library_file(
            "/volume1/videos/Movies/Blade.Runner.1982.sample.mkv",
            movie("Blade Runner", 1982, extra_kind="sample"),
        ),
        library_file("/volume1/videos/Movies/Heat.1995.CD1.avi", movie("Heat", 1995, part=1)),
        library_file("/volume1/videos/Movies/Heat.1995.CD2.avi", movie("Heat", 1995, part=2)),
        library_file("/volume1/videos/Movies/Heat.1995.empty.mkv", movie("Heat", 1995), size=0),
    ]
    cat = catalog(files)
    assert sorted((t.name, t.kind, t.year) for t in cat.titles) == [
        ("Blade Runner", "movie", 1982),
        ("Heat", "movie", 1995),
    ]
    blade_runner = next(t for t in cat.titles if t.name == "Blade Runner")
    assert blade_runner.external_ids == {"tmdb": 78}
    assert len(cat.episodes) == 2 and not cat.seasons  # one episode per movie
    assert assets_of(cat) == {
        (None, None): {
            "/volume1/videos/Movies/Blade.Runner.1982.mkv": True,
            "/volume1/videos/Movies/Blade.Runner.1982.Final.Cut.mkv": True,
            "/volume1/videos/Movies/Blade.Runner.1982.sample.mkv": False,  # an extra
            "/volume1/videos/Movies/Heat.1995.CD1.avi": True,
            "/volume1/videos/Movies/Heat.1995.CD2.avi": True,
            "/volume1/videos/Movies/Heat.1995.empty.mkv": False,  # empty
        }
    }


def test_an_unmatched_name_joins_its_tmdb_title_only_when_unambiguous() -> None:
    files = [
        library_file(
            "/volume1/videos/TV/The.Office.UK.S01E01.mkv", episode("The Office", 1, 1, tmdb_id=2996)
        ),
        library_file(
            "/volume1/videos/TV/The.Office.US.S01E01.mkv", episode("The Office", 1, 1, tmdb_id=2316)
        ),
        library_file("/volume1/docker/The.Office.S01E02.mkv", episode("The Office", 1, 2)),
        library_file(
            "/volume1/videos/TV/Red.Dwarf.S01E01.mkv", episode("Red Dwarf", 1, 1, tmdb_id=326)
        ),
        library_file("/volume1/docker/Red.Dwarf.S01E02.mkv", episode("Red Dwarf", 1, 2)),
    ]
    cat = catalog(files)
    titles = sorted((t.name, tuple(t.external_ids.items())) for t in cat.titles)
    assert titles == [
        ("Red Dwarf", (("tmdb", 326),)),
        ("The Office", ()),  # which Office? a person or TMDb must say
        ("The Office", (("tmdb", 2316),)),
        ("The Office", (("tmdb", 2996),)),
    ]


def test_two_paths_of_one_inode_have_one_canonical() -> None:
    original = library_file("/volume1/docker/downloads/Heat.1995.mkv", movie("Heat", 1995))
    files = list(hardlink(original, "/volume1/videos/Movies/Heat.1995.mkv"))
    assert assets_of(catalog(files)) == {
        (None, None): {
            "/volume1/docker/downloads/Heat.1995.mkv": True,
            "/volume1/videos/Movies/Heat.1995.mkv": False,
        }
    }


def test_the_plans_primary_is_canonical_and_unplanned_groups_use_rank_one() -> None:
    spanish = library_file(
        "/volume1/docker/Heat.Spanish.1080p.mkv",
        movie("Heat", 1995),
        probe("1080p", audio_languages=("es",)),
    )
    english = library_file(
        "/volume1/videos/Movies/Heat.720p.mkv", movie("Heat", 1995), probe("720p")
    )
    assert assets_of(catalog([spanish, english])) == {
        (None, None): {english.path: True, spanish.path: False}  # English kept over better Spanish
    }
    assert assets_of(catalog([spanish, english], planned=False)) == {
        (None, None): {english.path: False, spanish.path: True}  # best quality before the plan
    }


def test_ids_are_stable_and_assets_are_file_ids() -> None:
    files = red_dwarf()
    first, again = catalog(files), catalog(list(reversed(files)))
    assert first == again
    assert {a.id for a in first.assets} == {f.file_id for f in files}
    asset = next(a for a in first.assets if a.uri.endswith("Wondercrew.mp4"))
    assert (asset.size, asset.duration_ms, asset.video_codec, asset.container) == (
        1_000_000_000,
        2_700_000,
        "mpeg4",
        "mkv",
    )
