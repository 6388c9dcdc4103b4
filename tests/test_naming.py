"""Name parsing pinned by tables of real-world names, the way release-name parsers are tested.

Each row is (relative path, root hint) → the ParsedName fields that matter for it. Every row
also passes the invariants every parse must keep (non-empty clean title, key = normalized title,
no release noise in titles).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from _pytest.mark import ParameterSet

from mediavault_assets.domain import naming
from mediavault_assets.domain.model import ParsedName
from mediavault_assets.domain.naming import (
    MediaTypeHint,
    normalize_title,
    parse_fallback,
    parse_name,
)


def case(path: str, hint: MediaTypeHint, **expected: Any) -> ParameterSet:
    label = path.encode("ascii", "backslashreplace").decode()[:70]
    return pytest.param(path, hint, expected, id=f"{hint}:{label}")


# Anything that says "release", "tag" or "ID" must never survive into a title.
NOISE_IN_TITLE = re.compile(
    r"(?i)(?<![^\W_])(?:\d{3,4}p|x26[45]|h\.?26[45]|web-?dl|blu-?ray|hdtv|tvlab|wondercrew|rarbg"
    r"|yify|yts|tmdb|imdb|tvdb|tt\d{7,}|cd\d|disc\d|sbs)(?![^\W_])"
)


def assert_invariants(parsed: ParsedName) -> None:
    assert parsed.title, "title must never be empty"
    assert parsed.title == parsed.title.strip()
    assert all(c.isprintable() for c in parsed.title), repr(parsed.title)
    parsed.title.encode("utf-8")  # no lone surrogates: the warehouse stores UTF-8
    assert parsed.title_key in {normalize_title(parsed.title), parsed.title.casefold()}
    assert list(parsed.episodes) == sorted(set(parsed.episodes))
    if parsed.season is not None or parsed.episodes:
        assert parsed.media_type == "tv"
    if parsed.media_type == "movie":
        assert parsed.episode_title is None
    if parsed.parse_error is None:  # a stem fallback may legitimately be "1080p"
        assert not NOISE_IN_TITLE.search(parsed.title), parsed.title


RED_DWARF_S01E01 = {"title": "Red Dwarf", "title_key": "red dwarf", "season": 1, "episodes": (1,)}
TV = {"media_type": "tv"}
MOVIE = {"media_type": "movie"}

CASES = [
    # --- Seed 002: the same episode under different release names --------------------------------
    case("RedDwarf_TVLab_s01e01.mkv", "tv", **RED_DWARF_S01E01, **TV, release_group="TVLab"),
    case("RedDwarf_s01e01_Wondercrew.mp4", "tv", **RED_DWARF_S01E01, release_group="Wondercrew"),
    case("Red.Dwarf.S01E01.WEB-DL.x264-TVLab.mkv", "tv", **RED_DWARF_S01E01, release_group="TVLab"),
    case("RedDwarf_TVLab_s01e01.mkv", "mixed", **RED_DWARF_S01E01, **TV, release_group="TVLab"),
    case("RedDwarf_s01e01_Wondercrew.mp4", "mixed", **RED_DWARF_S01E01, episode_title=None),
    case("Red.Dwarf.S01E01.WEB-DL.x264-TVLab.mkv", "mixed", **RED_DWARF_S01E01, **TV),
    case("Red Dwarf/Season 1/RedDwarf_TVLab_s01e01.mkv", "tv", **RED_DWARF_S01E01),
    case("RedDwarf_WonderCrew_S01E02.mkv", "tv", title="Red Dwarf", episodes=(2,)),
    case("RED DWARF S01E01.mkv", "tv", title_key="red dwarf", season=1, episodes=(1,)),
    case("red_dwarf_s01e01.mkv", "tv", title_key="red dwarf", season=1, episodes=(1,)),
    case(
        "red.dwarf.s10e06.720p.hdtv.x264-mSD.mkv",
        "tv",
        title_key="red dwarf",
        season=10,
        episodes=(6,),
        release_group="mSD",
        screen_size="720p",
    ),
    # --- Episode forms ---------------------------------------------------------------------------
    case("Red Dwarf 1x01.avi", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf - 1x01 - The End.avi", "tv", **RED_DWARF_S01E01, episode_title="The End"),
    case("Red Dwarf Season 1 Episode 01.avi", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 1/Episode 01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf - Season 1/Episode 01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 01/Red Dwarf - 01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 01/01 - The End.mkv", "tv", **RED_DWARF_S01E01, episode_title="The End"),
    case("Red Dwarf/Season 1/S01E01.mkv", "tv", **RED_DWARF_S01E01),
    case(
        "TV/Red Dwarf (1988)/Season 1/Red Dwarf (1988) - S01E01 - The End.mkv",
        "tv",
        **RED_DWARF_S01E01,
        year=1988,
        episode_title="The End",
    ),
    case("Red.Dwarf.S01E01E02.mkv", "tv", title="Red Dwarf", season=1, episodes=(1, 2)),
    case("Red.Dwarf.S01E01-E02.mkv", "tv", season=1, episodes=(1, 2)),
    case("Red.Dwarf.S01E01-02.mkv", "tv", season=1, episodes=(1, 2)),
    case("Red.Dwarf.S01E01.E02.mkv", "tv", season=1, episodes=(1, 2)),
    case("Red.Dwarf.S01E01-E04.mkv", "tv", season=1, episodes=(1, 2, 3, 4)),
    case("Red.Dwarf.S01E01-03.720p.mkv", "tv", episodes=(1, 2, 3), screen_size="720p"),
    case("The.Office.US.S01E01-E02.720p.mkv", "tv", title="The Office US", episodes=(1, 2)),
    # A range no file can hold keeps its endpoints (and does not cost guessit minutes).
    case("Red.Dwarf.S01E01-E999.mkv", "tv", title="Red Dwarf", season=1, episodes=(1, 999)),
    case(
        "Red Dwarf/Specials/Red Dwarf - S00E01 - Smeg Ups.mkv",
        "tv",
        title="Red Dwarf",
        season=0,
        episodes=(1,),
        episode_title="Smeg Ups",
    ),
    case(
        "Red Dwarf/Season 1/Red Dwarf - Smeg Ups.mkv",
        "tv",
        title="Red Dwarf",
        season=1,
        episodes=(),
        **TV,
    ),
    case(
        "Game of Thrones/Season 8/Game.of.Thrones.S08E03.The.Long.Night.1080p.AMZN.WEB-DL"
        ".DDP5.1.H.264-GoT.mkv",
        "tv",
        title="Game of Thrones",
        season=8,
        episodes=(3,),
        episode_title="The Long Night",
        release_group="GoT",
        screen_size="1080p",
    ),
    case(
        "Doctor Who (2005)/Season 1/Doctor.Who.2005.S01E01.Rose.720p.mkv",
        "tv",
        title="Doctor Who",
        year=2005,
        season=1,
        episodes=(1,),
        episode_title="Rose",
    ),
    case(
        "Friends - 1x01 - The One Where Monica Gets a Roommate.avi",
        "tv",
        title="Friends",
        episode_title="The One Where Monica Gets a Roommate",
    ),
    case("Friends/Season 1/Episode 1 - Pilot.avi", "tv", title="Friends", episode_title="Pilot"),
    case("Show/Season 2/S02E05.mkv", "tv", title="Show", season=2, episodes=(5,)),
    # The country is part of a show's identity: these are two different shows.
    case(
        "The.Office.US.S01E01.Pilot.720p.mkv",
        "tv",
        title="The Office US",
        title_key="the office us",
        episode_title="Pilot",
    ),
    case("The.Office.UK.S01E01.720p.mkv", "tv", title="The Office UK", title_key="the office uk"),
    case("Law & Order S01E01.mkv", "tv", title="Law & Order", title_key="law and order"),
    case("Grey's Anatomy - S01E01.mkv", "tv", title_key="greys anatomy"),
    case("Greys.Anatomy.S01E01.mkv", "tv", title_key="greys anatomy"),
    case("Marvels.Agents.of.S.H.I.E.L.D.S01E01.mkv", "tv", title_key="marvels agents of shield"),
    # --- Anime-style and daily shows -------------------------------------------------------------
    case(
        "[SubsPlease] Frieren - 01 [1080p].mkv",
        "tv",
        title="Frieren",
        season=None,
        episodes=(1,),
        release_group="SubsPlease",
        screen_size="1080p",
    ),
    case(
        "[Erai-raws] Sousou no Frieren - 01 [1080p][Multiple Subtitle][ABCD1234].mkv",
        "tv",
        title="Sousou no Frieren",
        episodes=(1,),
        release_group="Erai-raws",
    ),
    case(
        "[HorribleSubs] Shingeki no Kyojin - 25 [720p].mkv",
        "tv",
        title_key="shingeki no kyojin",
        episodes=(25,),
        screen_size="720p",
    ),
    case("One Piece - 1071 [1080p].mkv", "tv", title="One Piece", episodes=(1071,)),
    case("The.Daily.Show.2024.01.15.720p.WEB.mkv", "tv", title="The Daily Show", **TV),
    case("The.Daily.Show.2024.01.15.720p.WEB.mkv", "mixed", title="The Daily Show", **TV),
    # --- Seed 000's movies -----------------------------------------------------------------------
    case(
        "Inception (2010)/Inception.2010.1080p.mkv",
        "movie",
        title="Inception",
        title_key="inception",
        year=2010,
        screen_size="1080p",
        **MOVIE,
        episodes=(),
    ),
    case("Inception.2010.2160p.UHD.BluRay.x265.mkv", "movie", title="Inception", year=2010),
    case("Inception.2010.2160p.UHD.BluRay.x265.mkv", "mixed", screen_size="2160p", **MOVIE),
    case("docker/media/Inception.mkv", "mixed", title="Inception", year=None, **MOVIE),
    case("Movies/Inception.2010.2160p.mkv", "movie", title="Inception", screen_size="2160p"),
    case(
        "Parasite (2019)/Parasite.2019.KOREAN.1080p.BluRay.x264-RARBG.mkv",
        "mixed",
        title="Parasite",
        year=2019,
        release_group="RARBG",
        **MOVIE,
    ),
    case(
        "Parasite.2019.1080p.BluRay.x264.YIFY.mp4", "movie", title="Parasite", release_group="YIFY"
    ),
    case(
        "Inception (2010) [1080p] [YTS.MX].mp4", "movie", title="Inception", release_group="YTS.MX"
    ),
    case("Inception 2010 1080p BrRip x264 YIFY.mp4", "movie", title="Inception", year=2010),
    case("The.Matrix.1999.1080p.BluRay.x264-SPARKS.mkv", "movie", title="The Matrix", year=1999),
    # --- Titles that look like something else ----------------------------------------------------
    case("1917 (2019).mkv", "movie", title="1917", year=2019),
    case("2001 A Space Odyssey (1968).mkv", "movie", title="2001 A Space Odyssey", year=1968),
    case("Blade Runner 2049 (2017).mkv", "movie", title="Blade Runner 2049", year=2017),
    case("Se7en (1995).mkv", "movie", title="Se7en", title_key="se7en"),
    case("Rocky II (1979).mkv", "movie", title_key="rocky ii"),
    case("Rocky 2 (1979).mkv", "movie", title_key="rocky 2"),
    case("Office, The (2005).mkv", "movie", title_key="the office"),
    case(
        "Crouching Tiger, Hidden Dragon (2000).mkv",
        "movie",
        title_key="crouching tiger hidden dragon",
    ),
    case(
        "Spider-Man Into the Spider-Verse (2018).mkv",
        "movie",
        title_key="spider man into the spider verse",
    ),
    case("Kill Bill Vol. 1 (2003).mkv", "movie", title_key="kill bill vol 1", part=None),
    case("Red Dwarf (1988)/Inception (2010).mkv", "tv", title="Inception", **TV),
    # guessit files " - Subtitle" away as an alternative title: films of a series would collide.
    case(
        "Mission Impossible - Fallout (2018).mkv",
        "movie",
        title="Mission Impossible - Fallout",
        title_key="mission impossible fallout",
    ),
    case(
        "Mission.Impossible.Fallout.2018.1080p.mkv", "movie", title_key="mission impossible fallout"
    ),
    case(
        "Mission Impossible - Ghost Protocol.mkv",
        "mixed",
        title_key="mission impossible ghost protocol",
        **MOVIE,
    ),
    case(
        "Star Wars - Episode IV - A New Hope (1977).mkv",
        "movie",
        title_key="star wars episode iv a new hope",
        episodes=(),
    ),
    case("Inception - 1080p.mkv", "movie", title="Inception", screen_size="1080p"),
    # --- "Part" in a title vs a stacked part -----------------------------------------------------
    case("Dune Part Two (2024).mkv", "movie", title="Dune Part Two", part=None, year=2024),
    case(
        "Dune Part Two (2024)/Dune.Part.Two.2024.2160p.WEB-DL.mkv",
        "mixed",
        title="Dune Part Two",
        title_key="dune part two",
        part=None,
        release_group=None,
    ),
    case("Dune.Part.II.2024.mkv", "movie", title="Dune Part II", part=None),
    case(
        "Harry Potter and the Deathly Hallows Part 1 (2010).mkv",
        "movie",
        title="Harry Potter and the Deathly Hallows Part 1",
        part=None,
    ),
    case(
        "Harry.Potter.and.the.Deathly.Hallows.Part.2.2011.1080p.mkv",
        "movie",
        title="Harry Potter and the Deathly Hallows Part 2",
        year=2011,
        part=None,
    ),
    case("Movie.CD1.avi", "movie", title="Movie", part=1),
    case("Movie cd2.avi", "movie", title="Movie", part=2),
    case("Movie.Part1.avi", "movie", title="Movie", part=1),
    case("Movie - part 2.mkv", "movie", title="Movie", part=2),
    case("Movie.Disc1.mkv", "movie", title="Movie", part=1),
    case("Movie.disk2.avi", "movie", title="Movie", part=2),
    case("Movie.pt1.avi", "movie", title="Movie", part=1),
    case("Movie.dvd1.avi", "movie", title="Movie", part=1),
    case("The Abyss (1989)/The.Abyss.1989.CD1.avi", "movie", title="The Abyss", year=1989, part=1),
    case("The Abyss (1989)/The Abyss (1989) - cd2.avi", "movie", title="The Abyss", part=2),
    case("Movie.2010.DVDRip.XviD-GRP.CD2.avi", "movie", part=2, release_group="GRP"),
    # --- Editions --------------------------------------------------------------------------------
    case("Aliens.1986.Directors.Cut.720p.mkv", "movie", title="Aliens", edition="Director's Cut"),
    case("Aliens.1986.DC.720p.mkv", "movie", title="Aliens", edition="Director's Cut"),
    case("Aliens (1986) Director's Cut.mkv", "movie", title="Aliens", edition="Director's Cut"),
    case("Aliens.1986.Extended.Cut.mkv", "movie", title="Aliens", edition="Extended"),
    case(
        "The Lord of the Rings (2001) Extended Edition.mkv",
        "movie",
        title="The Lord of the Rings",
        edition="Extended",
        release_group=None,
    ),
    case("Apocalypse.Now.1979.Theatrical.Cut.mkv", "movie", edition="Theatrical"),
    case("Apocalypse Now (1979) Unrated.mkv", "movie", edition="Unrated"),
    case("Dark.Knight.2008.IMAX.1080p.mkv", "movie", title="Dark Knight", edition="IMAX"),
    case("Jaws.1975.Remastered.mkv", "movie", title="Jaws", edition="Remastered"),
    case("Star.Wars.1977.Special.Edition.mkv", "movie", edition="Special Edition"),
    case(
        "Blade Runner (1982)/Blade.Runner.1982.Final.Cut.1080p.BluRay.mkv",
        "mixed",
        title="Blade Runner",
        edition="Final Cut",
        episode_title=None,
        **MOVIE,
    ),
    case("Blade.Runner.Final.Cut.mkv", "movie", title="Blade Runner", edition="Final Cut"),
    case("Seven.Samurai.1954.Criterion.1080p.mkv", "movie", edition="Criterion"),
    case("Alien.1979.Uncut.mkv", "movie", title="Alien", edition="Uncut"),
    case("Apocalypse.Now.1979.Extended.Remastered.mkv", "movie", edition="Extended, Remastered"),
    case(
        "Inception (2010) {edition-Director's Cut}.mkv",
        "movie",
        title="Inception",
        edition="Director's Cut",
    ),
    case("Uncut Gems (2019).mkv", "movie", title="Uncut Gems", edition=None),
    case("Inception (2010).mkv", "movie", edition=None, is_3d=False, extra_kind=None, part=None),
    # --- 3D --------------------------------------------------------------------------------------
    case("Avatar.2009.3D.HSBS.1080p.mkv", "movie", title="Avatar", is_3d=True),
    case("Avatar.2009.Half-OU.1080p.mkv", "movie", title="Avatar", is_3d=True),
    case("Avatar.2009.SBS.1080p.mkv", "movie", title="Avatar", is_3d=True),
    case("Avatar.2009.H-SBS.1080p.mkv", "movie", is_3d=True),
    case("Avatar.2009.Full-SBS.mkv", "movie", title="Avatar", is_3d=True),
    case("Avatar (2009)/Avatar.2009.1080p.mkv", "movie", title="Avatar", is_3d=False),
    # SBS is also a Korean broadcaster: on a TV episode it is not a 3D marker.
    case("Running.Man.E123.SBS.720p.mkv", "tv", title="Running Man", is_3d=False),
    # --- Extras ----------------------------------------------------------------------------------
    case(
        "Inception (2010)/Inception-trailer.mkv", "movie", title="Inception", extra_kind="trailer"
    ),
    case("Inception (2010)/Inception (2010)-featurette.mkv", "movie", extra_kind="featurette"),
    case(
        "Inception (2010)/Sample/inception.sample.mkv",
        "movie",
        title="Inception",
        extra_kind="sample",
    ),
    case("inception-sample.mkv", "movie", title_key="inception", extra_kind="sample"),
    case("Inception.2010.1080p.BluRay.x264-SPARKS.sample.mkv", "movie", extra_kind="sample"),
    case("Inception (2010)/Extras/Making of.mkv", "movie", title="Inception", extra_kind="extra"),
    case(
        "Inception (2010)/Behind The Scenes/Making of.mkv",
        "movie",
        title="Inception",
        year=2010,
        extra_kind="behind_the_scenes",
    ),
    case("Inception (2010)/Deleted Scenes/Cut scene 1.mkv", "movie", extra_kind="deleted_scene"),
    case("Inception (2010)/Featurettes/Dream Is Collapsing.mkv", "movie", extra_kind="featurette"),
    case(
        "Inception (2010)/Interviews/Nolan.mkv", "movie", title="Inception", extra_kind="interview"
    ),
    case("Inception (2010)/Trailers/Teaser.mkv", "movie", title="Inception", extra_kind="trailer"),
    case(
        "Inception.2010.Featurette.Dreams.mkv", "movie", title="Inception", extra_kind="featurette"
    ),
    case("Red Dwarf/Season 1/Extras/Making of.mkv", "tv", title="Red Dwarf", extra_kind="extra"),
    case("Trailer Park Boys (2001).mkv", "movie", title="Trailer Park Boys", extra_kind=None),
    case("The Interview (2014).mkv", "movie", title="The Interview", extra_kind=None),
    case("The Sample (2020).mkv", "movie", title="The Sample", extra_kind=None),
    # --- ID tags ---------------------------------------------------------------------------------
    case("Inception (2010) {tmdb-27205}.mkv", "movie", title="Inception", tmdb_id=27205),
    case("Inception (2010) [tmdbid-27205].mkv", "movie", title="Inception", tmdb_id=27205),
    case("Inception (2010) {tmdb=27205}.mkv", "movie", title="Inception", tmdb_id=27205),
    case("Inception {tmdb-27205} (2010).mkv", "movie", title="Inception", year=2010, tmdb_id=27205),
    case(
        "Inception (2010) {tmdb-27205}/Inception (2010).mkv",
        "movie",
        title="Inception",
        tmdb_id=27205,
    ),
    case(
        "The Matrix (1999) [imdbid-tt0133093].mkv", "movie", title="The Matrix", imdb_id="tt0133093"
    ),
    case(
        "The Matrix (1999) {imdb-tt0133093}.mkv", "movie", title="The Matrix", imdb_id="tt0133093"
    ),
    case("The Matrix (1999) tt0133093.mkv", "movie", title="The Matrix", imdb_id="tt0133093"),
    case(
        "Red Dwarf {tvdb-71326}/Season 01/Red Dwarf - S01E01.mkv",
        "tv",
        **RED_DWARF_S01E01,
        tvdb_id=71326,
        tmdb_id=None,
    ),
    case(
        "Red Dwarf [tvdbid-71326]/Season 01/Red Dwarf - S01E01.mkv",
        "tv",
        title="Red Dwarf",
        tvdb_id=71326,
    ),
    case(
        "Inception (2010) {imdb-tt1375666} {edition-Extended}.mkv",
        "movie",
        title="Inception",
        imdb_id="tt1375666",
        edition="Extended",
    ),
    case("The Matrix (1999) [imdbid-0133093].mkv", "movie", imdb_id="tt0133093"),
    # Malformed or out-of-range tags are cut out of the name but not trusted.
    case(
        "Movie {tmdb-99999999999999999999}.mkv",
        "movie",
        title="Movie",
        tmdb_id=None,
        release_group=None,
    ),
    case("Show {tvdb-abc}/Season 1/S01E01.mkv", "tv", title="Show", tvdb_id=None, season=1),
    case("Movie [tmdbid-tt0133093].mkv", "movie", title="Movie", tmdb_id=None, imdb_id=None),
    # --- Screen size as the name claims it -------------------------------------------------------
    case("Inception.2010.480p.mkv", "movie", screen_size="480p"),
    case("Inception.2010.4K.mkv", "movie", screen_size="2160p"),
    case("Inception.2010.1920x1080.mkv", "movie", screen_size="1080p"),
    case("Inception (2010).mkv", "movie", screen_size=None, release_group=None),
    # --- The hint only breaks ties ---------------------------------------------------------------
    case("Red.Dwarf.S01E01.mkv", "movie", **RED_DWARF_S01E01, **TV),
    case("Inception (2010).mkv", "tv", title="Inception", year=2010, **TV),
    case("Inception (2010).mkv", "mixed", title="Inception", year=2010, **MOVIE),
    # --- Unicode and spacing ---------------------------------------------------------------------
    case("Amélie (2001).mkv", "movie", title="Amélie", title_key="amelie", year=2001),
    case(
        "Le Fabuleux Destin d'Amélie Poulain (2001).mkv",
        "movie",
        title_key="le fabuleux destin damelie poulain",
    ),
    case("千と千尋の神隠し (2001).mkv", "movie", title="千と千尋の神隠し", year=2001),
    case("WALL·E (2008).mkv", "movie", title="WALL·E", title_key="wall e"),
    case("   Inception (2010)   .mkv", "movie", title="Inception", year=2010),
    case("Movies\\Inception (2010)\\Inception.mkv", "movie", title="Inception", year=2010),
    # --- Untrusted text --------------------------------------------------------------------------
    case("Red Dwarf\nS01E01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red\x00Dwarf\x07 S01E01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red \ud800Dwarf S01E01.mkv", "tv", **RED_DWARF_S01E01),
    case("Am\udce9lie (2001).mkv", "movie", title="Amélie", title_key="amelie"),  # cp1252 byte
    case("\u200bInception\u200b (2010).mkv", "movie", title="Inception"),
    case("", "mixed", title="Unknown", media_type="movie"),
    case("/", "tv", title="Unknown", media_type="tv"),
    case("....", "movie", title="Unknown"),
    case(".mkv", "movie", title="Unknown"),
    case("\x00", "movie", title="Unknown"),
    case("1080p.mkv", "movie", title="1080p", screen_size="1080p"),
    case("S01E01.mkv", "tv", season=1, episodes=(1,)),
    case("asdkjh.mkv", "movie", title="asdkjh", parse_error=None),
]


@pytest.mark.parametrize(("path", "hint", "expected"), CASES)
def test_parse_name(path: str, hint: MediaTypeHint, expected: dict[str, Any]) -> None:
    parsed = parse_name(path, hint)
    assert {field: getattr(parsed, field) for field in expected} == expected
    assert_invariants(parsed)


def test_the_table_is_large() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("RedDwarf", "red dwarf"),
        ("Red.Dwarf", "red dwarf"),
        ("Red Dwarf", "red dwarf"),
        ("red_dwarf", "red dwarf"),
        ("RED DWARF", "red dwarf"),
        ("  Red   Dwarf  ", "red dwarf"),
        ("Red-Dwarf", "red dwarf"),
        ("Amélie", "amelie"),
        ("Léon: The Professional", "leon the professional"),
        ("Æon Flux", "aeon flux"),
        ("Smørrebrød", "smorrebrod"),
        ("Straße", "strasse"),
        ("Law & Order", "law and order"),
        ("Law and Order", "law and order"),
        ("Grey's Anatomy", "greys anatomy"),
        ("Grey’s Anatomy", "greys anatomy"),
        ("Marvel's Agents of S.H.I.E.L.D.", "marvels agents of shield"),
        ("L.A. Confidential", "la confidential"),
        ("The Office", "the office"),  # articles are kept...
        ("Office", "office"),  # ...so these two stay apart
        ("Office, The", "the office"),
        ("Rocky II", "rocky ii"),  # roman and arabic are not merged
        ("Rocky 2", "rocky 2"),
        ("Star Wars: Episode IV - A New Hope", "star wars episode iv a new hope"),
        ("WALL·E", "wall e"),
        ("千と千尋の神隠し", "千と千尋の神隠し"),
        ("Red\nDwarf\x00", "red dwarf"),
        ("Am\udce9lie", "amelie"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalize_title(text: str, key: str) -> None:
    assert normalize_title(text) == key


FALLBACK_CASES = [
    case("RedDwarf_TVLab_s01e01.mkv", "tv", **RED_DWARF_S01E01, release_group="TVLab"),
    case("RedDwarf_s01e01_Wondercrew.mp4", "tv", **RED_DWARF_S01E01, release_group="Wondercrew"),
    case(
        "Red.Dwarf.S01E01.WEB-DL.x264-TVLab.mkv",
        "tv",
        **RED_DWARF_S01E01,
        release_group="TVLab",
        screen_size=None,
    ),
    case("Red Dwarf 1x01.avi", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf 1x01-1x02.avi", "tv", title="Red Dwarf", episodes=(1, 2)),
    case("Red Dwarf Season 1 Episode 01.avi", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 1/Episode 01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 01/Red Dwarf - 01.mkv", "tv", **RED_DWARF_S01E01),
    case("Red Dwarf/Season 01/01 - The End.mkv", "tv", **RED_DWARF_S01E01),
    case("Red.Dwarf.S01E01E02.mkv", "tv", episodes=(1, 2)),
    case("Red.Dwarf.S01E01-E03.mkv", "tv", episodes=(1, 2, 3)),
    case("Red.Dwarf.S01E01-02.mkv", "tv", episodes=(1, 2)),
    case("Red.Dwarf.S01E01-E999.mkv", "tv", episodes=(1, 999)),
    case(
        "[SubsPlease] Frieren - 01 [1080p].mkv",
        "tv",
        title="Frieren",
        episodes=(1,),
        release_group="SubsPlease",
    ),
    case(
        "Inception (2010)/Inception.2010.1080p.mkv",
        "movie",
        title="Inception",
        year=2010,
        screen_size="1080p",
        **MOVIE,
    ),
    case(
        "Inception.2010.2160p.UHD.BluRay.x265.mkv", "movie", title="Inception", screen_size="2160p"
    ),
    case(
        "Parasite (2019)/Parasite.2019.KOREAN.1080p.BluRay.x264-RARBG.mkv",
        "mixed",
        title="Parasite",
        year=2019,
        release_group="RARBG",
    ),
    case("1917 (2019).mkv", "movie", title="1917", year=2019),
    case("2001.A.Space.Odyssey.1968.mkv", "movie", title="2001 A Space Odyssey", year=1968),
    case("Mission Impossible - Fallout.mkv", "movie", title_key="mission impossible fallout"),
    case("Dune Part Two (2024).mkv", "movie", title="Dune Part Two", part=None),
    case("Harry Potter and the Deathly Hallows Part 1 (2010).mkv", "movie", part=None),
    case("Movie.CD1.avi", "movie", title="Movie", part=1),
    case("Movie - part 2.mkv", "movie", title="Movie", part=2),
    case(
        "Blade.Runner.1982.Final.Cut.1080p.BluRay.mkv",
        "mixed",
        title="Blade Runner",
        edition="Final Cut",
    ),
    case("Avatar.2009.3D.HSBS.1080p.mkv", "movie", title="Avatar", is_3d=True),
    case(
        "Inception (2010)/Sample/inception.sample.mkv",
        "movie",
        title="Inception",
        extra_kind="sample",
    ),
    case(
        "Inception (2010)/Inception (2010)-trailer.mkv",
        "movie",
        title="Inception",
        extra_kind="trailer",
    ),
    case("Red Dwarf/Season 1/Extras/Making of.mkv", "tv", title="Red Dwarf", extra_kind="extra"),
    case("Inception (2010) {tmdb-27205}.mkv", "movie", title="Inception", tmdb_id=27205),
    case("The Matrix (1999) tt0133093.mkv", "movie", title="The Matrix", imdb_id="tt0133093"),
    case("Red Dwarf\nS01E01.mkv", "tv", **RED_DWARF_S01E01),
    case("", "mixed", title="Unknown", **MOVIE),
]


@pytest.mark.parametrize(("path", "hint", "expected"), FALLBACK_CASES)
def test_parse_fallback(path: str, hint: MediaTypeHint, expected: dict[str, Any]) -> None:
    parsed = parse_fallback(path, hint, error="guessit timed out after 5.0s")
    assert {field: getattr(parsed, field) for field in expected} == expected
    assert parsed.parse_error == "guessit timed out after 5.0s"
    assert_invariants(parsed)


# Extras, stacks and editions both parsers must see: missing one makes an extra or one half of a
# film look like a lower-quality copy of the feature.
EXTRAS_STACKS_EDITIONS = [
    case("Inception (2010)/Other/Making Of.mkv", "movie", title="Inception", extra_kind="extra"),
    case("Inception (2010)/Shorts/Dream.mkv", "movie", title="Inception", extra_kind="short"),
    case("Inception (2010)/Scenes/Hallway.mkv", "movie", title="Inception", extra_kind="scene"),
    case("Other/Heat (1995).mkv", "movie", title="Heat", year=1995, extra_kind=None),
    case("Movies/Other/Heat (1995).mkv", "movie", title="Heat", extra_kind=None),
    case("Old Film (1999)/Old Film-A.avi", "movie", title="Old Film", part=1),
    case("Old Film (1999)/Old Film-B.avi", "movie", title="Old Film", part=2),
    case("Old Film 1999 partB.avi", "movie", title="Old Film", part=2),
    case("Old.Film.1999.cda.avi", "movie", title="Old Film", part=1),
    case("Old.Film.1999.cdb.avi", "movie", title="Old Film", part=2),
    case("Old.Film.1999.2of2.avi", "movie", title="Old Film", part=2),
    case("Plan.B.2021.1080p.mkv", "movie", title="Plan B", part=None),
    case("Apocalypse.Now.Redux.2001.1080p.mkv", "movie", title="Apocalypse Now", edition="Redux"),
    case("Aliens.1986.SE.1080p.mkv", "movie", title="Aliens", edition="Special Edition"),
    case("Blade.Runner.1982.DC.1080p.mkv", "movie", title="Blade Runner", edition="Director's Cut"),
    case("Se7en (1995).mkv", "movie", edition=None),
    case("Show/Season 01/Show S01E01 & E02.mkv", "tv", season=1, episodes=(1, 2)),
    case("Show/Season 01/Show.S01E01+E02.720p.mkv", "tv", season=1, episodes=(1, 2)),
]


@pytest.mark.parametrize(("path", "hint", "expected"), EXTRAS_STACKS_EDITIONS)
@pytest.mark.parametrize("parse", [parse_name, parse_fallback], ids=["guessit", "fallback"])
def test_extras_stacks_and_editions(
    parse: Any, path: str, hint: MediaTypeHint, expected: dict[str, Any]
) -> None:
    parsed = parse(path, hint)
    assert {field: getattr(parsed, field) for field in expected} == expected
    assert_invariants(parsed)


SEED_002_NAMES = [
    "RedDwarf_TVLab_s01e01.mkv",
    "RedDwarf_s01e01_Wondercrew.mp4",
    "Red.Dwarf.S01E01.WEB-DL.x264-TVLab.mkv",
    "Red Dwarf/Season 1/Episode 01.mkv",
    "Red Dwarf - 1x01.avi",
]


@pytest.mark.parametrize("parse", [parse_name, parse_fallback])
def test_seed_002_duplicates_agree_on_what_they_are(parse: Any) -> None:
    # A name that timed out (fallback) must still group with its guessit-parsed duplicates.
    keys = {(p.title_key, p.season, p.episodes) for p in (parse(n, "tv") for n in SEED_002_NAMES)}
    assert keys == {("red dwarf", 1, (1,))}


def test_seed_000_inception_copies_agree() -> None:
    names = [
        "docker/Inception.2010.1080p.mkv",
        "videos/Movies/Inception.2010.2160p.mkv",
        "Movies/Inception (2010)/Inception (2010).mkv",
    ]
    assert {(p.title_key, p.year) for p in (parse_name(n, "mixed") for n in names)} == {
        ("inception", 2010)
    }


GARBAGE = [
    "",
    "/",
    "//..//./",
    "\n\n\n",
    "\x00\x01\x02.mkv",
    "\udcff\udcfe\udcfd.mkv",
    "\ud800\udfff.mkv",
    "a" * 5000 + ".mkv",
    "/".join(["folder"] * 200) + "/x.mkv",
    "Red.Dwarf." * 200 + "S01E01.mkv",
    "[[[[[[]]]]]]{{{{}}}}(((()))).mkv",
    "S99E9999-E1.mkv",
    "{tmdb-}{imdb-tt}[tvdbid-].mkv",
    "{tmdb-99999999999999999999}.mkv",
    "🎬🎬🎬.mkv",
    "\u202eevil\u202c.mkv",
    "CON.mkv",
    " - .mkv",
]


@pytest.mark.parametrize("path", GARBAGE, ids=lambda p: ascii(p)[:40])
@pytest.mark.parametrize("parse", [parse_name, parse_fallback], ids=["guessit", "fallback"])
def test_garbage_never_crashes(path: str, parse: Any) -> None:
    for hint in ("tv", "movie", "mixed"):
        parsed = parse(path, hint)
        assert_invariants(parsed)
        assert len(parsed.title) <= naming.MAX_COMPONENT_CHARS


def test_a_huge_episode_range_does_not_stall_guessit() -> None:
    started = time.monotonic()
    parsed = parse_name("Red.Dwarf.S01E1-E9999.mkv", "tv")  # guessit alone: over a minute
    assert time.monotonic() - started < 5
    assert (parsed.title, parsed.episodes) == ("Red Dwarf", (1, 9999))


def test_guessit_failure_falls_back_to_regexes(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> dict[str, object]:
        raise RuntimeError("internal error")

    monkeypatch.setattr(naming, "_guess", broken)
    # Not a common shape ("Proper" is guessit's to weigh), so guessit is asked, and fails.
    parsed = parse_name("Red.Dwarf.S01E01.PROPER.Special.WEB-DL.x264-TVLab.mkv", "tv")
    assert (parsed.title, parsed.season, parsed.episodes) == ("Red Dwarf", 1, (1,))
    assert parsed.parse_error is not None and parsed.parse_error.startswith("guessit failed")
