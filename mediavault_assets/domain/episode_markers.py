"""Where a file name says which episodes it holds: season, every episode of a range, air dates.

guessit reads the common shapes well, but cuts ranges short (``1x01-x03``, ``2x09-2x10``,
``[02x01-x02]``), takes a year before the marker for the season (``Doctor Who 2005 1x06``), an
air date after it for an episode (``06x11 - 2005.08.07``) and misses Sonarr-style markers
(``Se.3 afl.3``, ``Cap.101``, ``Part 02``, ``5of9``, ``Series.10708``). A multi-episode file
read as one episode is a data-loss risk (the plan would think a single-episode copy covers it),
so these rules decide season and episodes whenever they find a marker.

``find_marker`` returns the first marker of a file stem, or None. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

# No file holds more than this many episodes; "E01-E9999" is a typo or an attack. A wider range
# keeps only its endpoints and is flagged (``EpisodeMarker.doubt``).
MAX_EPISODE_SPAN = 100

_B = r"(?<![^\W_])"  # start of a word ("_" separates words in file names)
_E = r"(?![^\W_])"  # end of a word

# S01E01, S01E01E02, S01E01-E03, S01E01-03, S01E01-S01E03, S01E01 & E02, S6.E1E3, S01 E01.
# A bare number joins a range only right after the dash, "&" or "+": in "S01E05 - 10 Things" and
# "S01E05.and.2.Others" it is the episode's title.
_SXXEYY_RE = re.compile(
    _B + r"s(?P<season>\d{1,4})[ ._-]?ep?(?P<first>\d{1,4})"
    r"(?P<rest>(?:(?:[ ._]?-[ ._]?(?:s\d{1,4})?e|-|[ ._]?e|[ ._](?:s\d{1,4})e"
    r"|[ ._]*[&+][ ._]*(?:s\d{1,4})?e?|[ ._]+and[ ._]+(?:s\d{1,4})?e)\d{1,4}"
    r"(?=$|[^a-z0-9]|e\d|v\d))*)(?:v\d)?" + _E,
    re.IGNORECASE,
)
# 1x01, 1x01x02, 1x01-x03, 2x09-2x10, [02x01-x02], 1x01-03, 1x01 & 1x02.
_NXNN_RE = re.compile(
    _B + r"(?P<season>\d{1,2})x(?P<first>\d{1,3})"
    r"(?P<rest>(?:(?:[ ._]?-[ ._]?(?:\d{1,2})?x|-|x|[ ._]\d{1,2}x"
    r"|[ ._]*[&+][ ._]*(?:\d{1,2})?x)\d{1,3}"
    r"(?![^\W_]))*)" + _E,
    re.IGNORECASE,
)
# "Season 2 Episode 5", "Staffel 2 Folge 5", "Saison 2 Épisode 5", "Temporada 2 Capitulo 5",
# Dutch "Se.3 afl.3" / "Seizoen 3 Aflevering 3"; a range "Episode 5-6" too.
_WORDS_RE = re.compile(
    _B + r"(?:season|series|staffel|saison|temporada|seizoen|se)[ ._-]*(?P<season>\d{1,3})"
    r"[ ._,-]*(?:episode|[ée]pisode|ep|folge|cap[ií]tulo|afl(?:evering)?)[ ._-]*"
    r"(?P<first>\d{1,4})(?P<rest>(?:[ ._]?-[ ._]?\d{1,4})?)" + _E,
    re.IGNORECASE,
)
# Fansub seasons: "[Grp] Title S2 - 05 [1080p]".
_SEASON_DASH_RE = re.compile(
    _B + r"s(?P<season>\d{1,2})\s+-\s+(?P<first>\d{1,4})(?:v\d)?" + _E, re.I
)
# Spanish scene "Cap.101" (S01E01), "Cap.1012" (S10E12) and "Cap.102_104" (S01E02-04).
_CAP_RE = re.compile(
    _B + r"cap[ ._-]?(?P<season>\d{1,2}?)(?P<first>\d{2})(?:_\d{1,2}?(?P<rest>\d{2}))?" + _E,
    re.IGNORECASE,
)
# An episode without a season: "Episode 5", "Ep05", "E05", "E01-E03", "Part 02", "Pt.2",
# "5of9", "Part 5 of 9" (mini-series). Read only in TV roots: in a film a part is a stacked file.
_EPISODE_ONLY_RE = re.compile(
    _B + r"(?:episode|ep|e|part|pt)[ ._-]?(?P<first>\d{1,4})"
    r"(?P<rest>(?:[ ._]?-[ ._]?(?:e|ep)?\d{1,4})?)(?:[ ._-]?of[ ._-]?\d{1,4})?" + _E,
    re.IGNORECASE,
)
_OF_RE = re.compile(_B + r"(?P<first>\d{1,3})[ ._-]?of[ ._-]?(?P<total>\d{1,3})" + _E, re.I)
# Anime absolute numbering: "[Group] Show - 1071 [1080p]", "Show - 05v2", "Show - 01-02".
_ABSOLUTE_RE = re.compile(
    r"(?:^|\s)-\s(?P<first>\d{1,4})(?:v\d)?(?P<rest>(?:-\d{1,4}(?:v\d)?)?)(?=$|\s|\[|\()"
)
# Sonarr's packed numbers after the title: "Show.105" (S01E05), "Series.10708" (S01E07-08).
_PACKED_RE = re.compile(
    r"(?<=[ ._-])(?<![hHxX][ ._])(?P<season>[1-9])(?P<first>\d{2})(?P<second>\d{2})?(?=$|[ ._-])"
)
# "Season 02/05 - Title.mkv", "Season 1/01-02.mkv".
_LEADING_NUMBER_RE = re.compile(r"(?P<first>\d{1,3})(?P<rest>(?:-\d{1,3})?)(?=$|[ ._-])")
# One number of a range's rest, with the season repeated in it ("-S01E03", "-2x10", "& 1x02").
_RANGE_NUMBER_RE = re.compile(
    r"(?:s(?P<season>\d{1,4})e|(?P<nx>\d{1,2})x|x|e)?(?P<number>\d+)", re.I
)
# Air dates: 2012-03-15, 2012.03.15, 2012 03 15; 15.03.2012 / 03.15.2012 when unambiguous.
_ISO_DATE_RE = re.compile(
    _B + r"(?P<year>(?:19|20)\d{2})[ ._-](?P<month>\d{2})[ ._-](?P<day>\d{2})" + _E
)
_LOCAL_DATE_RE = re.compile(
    _B + r"(?P<a>\d{2})[ ._-](?P<b>\d{2})[ ._-](?P<year>(?:19|20)\d{2})" + _E
)


@dataclass(frozen=True, slots=True)
class EpisodeMarker:
    """What the name says about its episodes, and where it says it (the title ends before)."""

    season: int | None
    episodes: tuple[int, ...]
    start: int
    end: int
    air_date: date | None = None
    # Why the numbers may not be all the file holds: a range over MAX_EPISODE_SPAN (kept as its
    # endpoints) or one that runs into the next season (kept up to the season's end).
    doubt: str | None = None


def find_marker(
    stem: str, *, dates: bool, weak: bool, in_season_folder: bool = False
) -> EpisodeMarker | None:
    """The episode marker of a file stem, tried from the most to the least explicit form.

    ``dates``: a bare air date is a daily show's episode (not in a movie root). ``weak``: the
    name is known to be TV, so a number without season counts ("Part 02", "5of9", anime "- 01")
    and so do packed numbers ("Show.105"). ``in_season_folder``: a leading number is the episode
    ("Season 02/05 - Title.mkv").
    """
    for regex in (_SXXEYY_RE, _NXNN_RE, _WORDS_RE, _SEASON_DASH_RE, _CAP_RE):
        if match := regex.search(stem):
            return _with_date(_marker(match, int(match["season"] or 1)), stem)
    if dates and (aired := air_date(stem)):
        day, start, end = aired
        # A daily show's identity: the season is the year, the episode the month and day
        # (2012-03-15 → S2012E0315), which every copy of that day's show shares.
        return EpisodeMarker(day.year, (day.month * 100 + day.day,), start, end, air_date=day)
    if in_season_folder and (match := _LEADING_NUMBER_RE.match(stem)):
        return _marker(match, None)
    if not weak:
        return None
    # The first of them: in "Show - 26 - Folk Blues Part 2" the episode is 26.
    found = [m for r in (_EPISODE_ONLY_RE, _OF_RE, _ABSOLUTE_RE) if (m := r.search(stem))]
    found = [
        m for m in found if "total" not in m.groupdict() or 0 < int(m["first"]) <= int(m["total"])
    ]
    if found:
        return _marker(min(found, key=lambda m: m.start()), None)
    return _packed(stem)


def air_date(text: str) -> tuple[date, int, int] | None:
    """The first valid air date in the text, with where it is; a day-month order that could be
    either way round (03.04.2012) is not a date, since a guess would be an invented identity."""
    for match in _ISO_DATE_RE.finditer(text):
        if day := _date(int(match["year"]), int(match["month"]), int(match["day"])):
            return day, match.start(), match.end()
    for match in _LOCAL_DATE_RE.finditer(text):
        a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
        if a > 12 >= b:
            day = _date(year, b, a)  # 15.03.2012: day first (European)
        elif b > 12 >= a:
            day = _date(year, a, b)  # 03.15.2012: month first (US)
        else:
            day = None
        if day:
            return day, match.start(), match.end()
    return None


def expand(first: int, rest: str, season: int | None = None) -> tuple[tuple[int, ...], str | None]:
    """Every episode from ``first`` through the numbers in ``rest``, and a doubt when the range
    is too wide or leaves the season.

    A run of episode numbers is a range whatever joins them ("E01E03", "1x01-x03", "E01 & E03"
    all hold 1, 2 and 3): a file never holds episodes 1 and 3 without 2, and claiming too few
    episodes is the data-loss side (a single-episode copy would seem to cover the file).
    """
    numbers, doubt = [first], None
    for match in _RANGE_NUMBER_RE.finditer(rest):
        repeated = match["season"] or match["nx"]
        if repeated and season is not None and int(repeated) != season:
            doubt = f"episode range runs into season {int(repeated)}"
            break  # "S06E25-S07E01": only this season's part can be named by one identity
        numbers.append(int(match["number"]))
    low, high = min(numbers), max(numbers)
    if high - low > MAX_EPISODE_SPAN:
        return (low, high), f"episode range wider than {MAX_EPISODE_SPAN} episodes"
    return tuple(range(low, high + 1)), doubt


def _marker(match: re.Match[str], season: int | None) -> EpisodeMarker:
    episodes, doubt = expand(int(match["first"]), match.groupdict().get("rest") or "", season)
    return EpisodeMarker(season, episodes, match.start(), match.end(), doubt=doubt)


def _with_date(marker: EpisodeMarker, stem: str) -> EpisodeMarker:
    """ "Top Series - 06x11 - 2005.08.07": a date after the marker is when it aired, not more
    episodes."""
    aired = air_date(stem[marker.end :])
    if aired is None:
        return marker
    return replace(marker, air_date=aired[0])


def _packed(stem: str) -> EpisodeMarker | None:
    """ "Show.105" → S01E05, "Series.10708" → S01E07-08: the last packed number before the
    release tags, never a year-like one and never the first word (that is the title: "1917")."""
    for match in _PACKED_RE.finditer(stem):
        if match.start() == 0:
            continue
        first = int(match["first"])
        second = int(match["second"]) if match["second"] else None
        if second is not None and not first < second <= first + 2:
            continue  # "10708" packs one season and a short range; anything else is not one
        episodes = tuple(range(first, (second or first) + 1))
        if first == 0:
            continue
        return EpisodeMarker(int(match["season"]), episodes, match.start(), match.end())
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
