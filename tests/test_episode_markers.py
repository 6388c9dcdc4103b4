"""Episode markers: one table per rule (ranges, year-like numbers, dates, Sonarr-style markers).

A multi-episode file read as fewer episodes is a data-loss risk, so every range here must expand
to exactly the episodes it names, and a number that is not an episode must never become one.
"""

from __future__ import annotations

from datetime import date

import pytest

from mediavault_assets.domain.episode_markers import MAX_EPISODE_SPAN, find_marker

TV = {"dates": True, "weak": True}

RANGES = [
    ("Show.Name.1x01-x03.HDTV.XviD-LOL", 1, (1, 2, 3)),
    ("Show.Name.2x09-2x10.HDTV", 2, (9, 10)),
    ("Show Name [02x01-x02] HDTV", 2, (1, 2)),
    ("Show.Name.S6.E1E3.720p", 6, (1, 2, 3)),
    ("Show.Name.S06E01-E03.720p", 6, (1, 2, 3)),
    ("Show.Name.S06E01-03.720p", 6, (1, 2, 3)),
    ("Show.S01E01-S01E03.1080p", 1, (1, 2, 3)),
    ("Show.S01E01E02E03.1080p", 1, (1, 2, 3)),
    ("Show - S02E05 & E06 - Title", 2, (5, 6)),
    ("Show - S02E05+E06", 2, (5, 6)),
    ("Show 1x01 & 1x02", 1, (1, 2)),
    ("Show.1x01x02.DVDRip", 1, (1, 2)),
    ("Show 1x01-03", 1, (1, 2, 3)),
    ("Show.S01E09-E10.720p.WEB-DL", 1, (9, 10)),
    ("Show.S03E22E23E24.HDTV", 3, (22, 23, 24)),
    ("Show - Season 2 Episode 5-6", 2, (5, 6)),
    ("[Grp] Show - 01-02 [1080p]", None, (1, 2)),
    ("Show.Name.S01E05v2.720p", 1, (5,)),
    # A bare number after " - " is an episode title, not the end of a range.
    ("Show - S01E05 - 10 Things I Hate", 1, (5,)),
    ("Show - 1x05 - 12 Angry Men", 1, (5,)),
    ("Show.S01E05.and.2.Others.720p", 1, (5,)),
    ("Project.Runway.S14E00.and.S14E01.SDTV", 14, (0, 1)),
    ("Show.S01E01+02.FRENCH", 1, (1, 2)),
    ("Show.Name.S01E02.S01E03.HDTV", 1, (2, 3)),
    ("Show.Name.1x02.1x03.HDTV", 1, (2, 3)),
    ("Show.Name.Temporada.1[Cap.102_104]", 1, (2, 3, 4)),
]

YEAR_LIKE = [
    # A year before the marker is the show's year, never its season.
    ("Doctor Who 2005 1x06", 1, (6,), None),
    ("Doctor.Who.2005.S01E06.720p", 1, (6,), None),
    # A date after the marker is when it aired, never another episode.
    ("Top Series - 06x11 - 2005.08.07", 6, (11,), date(2005, 8, 7)),
    ("Show.S02E03.2019.05.01.HDTV", 2, (3,), date(2019, 5, 1)),
]

SONARR_STYLE = [
    ("Show.Name.Se.3.afl.3", 3, (3,)),
    ("Show Name Seizoen 2 Aflevering 7", 2, (7,)),
    ("Show.Name.Cap.101", 1, (1,)),
    ("Show.Name.Cap.1012.HDTV", 10, (12,)),
    ("Show Staffel 2 Folge 5", 2, (5,)),
    ("Show.Name.Part.02.HDTV", None, (2,)),
    ("Show.Name.Pt.3.720p", None, (3,)),
    ("Show.Name.5of9.HDTV", None, (5,)),
    ("Show.Name.Episode.5.of.9", None, (5,)),
    ("Series.10708.HDTV", 1, (7, 8)),
    ("Show.Name.105.HDTV", 1, (5,)),
    ("[SubsPlease] One Piece - 1071 (1080p)", None, (1071,)),
    ("One.Piece.E1071.1080p", None, (1071,)),
]

DAILY = [
    ("The Daily Show 2012-03-15 720p", date(2012, 3, 15)),
    ("The.Daily.Show.2012.03.15.Guest.Name.720p", date(2012, 3, 15)),
    ("The Daily Show 15.03.2012", date(2012, 3, 15)),
    ("The Daily Show 03.15.2012", date(2012, 3, 15)),
]

NOT_AN_EPISODE = [
    "Show.Name.1080p.x264",  # a resolution or codec number is no episode
    "Movie.1920x1080",
    "Show.Name.H.265",
    "Show.03.04.2012",  # day and month could be either way round: no invented date
    "Show.2012.13.45",  # not a date at all
    "Show.Name.10907",  # a packed number whose "range" runs backwards is not one
]


@pytest.mark.parametrize(("stem", "season", "episodes"), RANGES)
def test_ranges_expand_to_every_episode(
    stem: str, season: int | None, episodes: tuple[int, ...]
) -> None:
    marker = find_marker(stem, **TV)
    assert marker is not None
    assert (marker.season, marker.episodes, marker.doubt) == (season, episodes, None)


@pytest.mark.parametrize(("stem", "season", "episodes", "aired"), YEAR_LIKE)
def test_year_like_numbers_are_years_or_dates(
    stem: str, season: int, episodes: tuple[int, ...], aired: date | None
) -> None:
    marker = find_marker(stem, **TV)
    assert marker is not None
    assert (marker.season, marker.episodes, marker.air_date) == (season, episodes, aired)


@pytest.mark.parametrize(("stem", "season", "episodes"), SONARR_STYLE)
def test_sonarr_style_markers(stem: str, season: int | None, episodes: tuple[int, ...]) -> None:
    marker = find_marker(stem, **TV)
    assert marker is not None
    assert (marker.season, marker.episodes) == (season, episodes)


@pytest.mark.parametrize(("stem", "aired"), DAILY)
def test_daily_shows_share_an_identity_from_the_date(stem: str, aired: date) -> None:
    marker = find_marker(stem, **TV)
    assert marker is not None
    assert marker.air_date == aired
    assert (marker.season, marker.episodes) == (aired.year, (aired.month * 100 + aired.day,))


@pytest.mark.parametrize("stem", NOT_AN_EPISODE)
def test_numbers_that_are_not_episodes(stem: str) -> None:
    assert find_marker(stem, **TV) is None


def test_weak_forms_only_where_the_name_must_be_tv() -> None:
    # In a mixed root "Part 2" is a stacked film and "- 01" may be anything; explicit markers
    # and dates still count.
    for stem in ("Movie.Part.2.DVDRip", "Movie.2of2", "[Grp] Title - 01 [1080p]", "Show.105"):
        assert find_marker(stem, dates=True, weak=False) is None
    assert find_marker("Show.S01E02", dates=False, weak=False) is not None
    assert find_marker("Show 2012-03-15", dates=False, weak=False) is None
    leading = find_marker("05 - Title", dates=True, weak=True, in_season_folder=True)
    assert leading is not None and leading.episodes == (5,)


def test_a_range_into_the_next_season_keeps_this_season_and_says_so() -> None:
    marker = find_marker("The.Simpsons.S06E25-S07E01.Who.Shot.Mr.Burns", **TV)
    assert marker is not None
    assert (marker.season, marker.episodes) == (6, (25,))
    assert marker.doubt == "episode range runs into season 7"


def test_a_huge_range_keeps_its_endpoints_and_says_so() -> None:
    marker = find_marker(f"Show.S01E01-E{MAX_EPISODE_SPAN + 50}", **TV)
    assert marker is not None
    assert marker.episodes == (1, MAX_EPISODE_SPAN + 50)
    assert marker.doubt == f"episode range wider than {MAX_EPISODE_SPAN} episodes"
    exact = find_marker(f"Show.S01E01-E{MAX_EPISODE_SPAN + 1}", **TV)
    assert exact is not None and len(exact.episodes) == MAX_EPISODE_SPAN + 1
