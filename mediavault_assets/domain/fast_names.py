"""The common shapes of a library's names, read without guessit (it takes 10-20 ms a name).

Most files on a NAS are named by Sonarr, Radarr or a scene group in a handful of shapes:

    Show Name - S01E05 - Episode Title.mkv      Show.Name.S01E05.720p.WEB-DL.x264-GROUP.mkv
    Movie Title (2010).mkv                      Movie.Title.2010.1080p.BluRay.x264-GROUP.mkv

``read_common_shape`` recognises exactly these, with a title of plain words and nothing but
well-known release tags after the marker or year, and returns what guessit would have found in
them (title, year, episode title, release group); anything else returns None and goes to guessit.
tests/test_fast_names.py checks every name the fast path takes against the guessit path. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tags guessit reads as technical properties, never as a title word.
_TAGS = (
    r"(?:480|576|720|1080|2160)p|web-dl|webrip|web|bluray|bdrip|brrip|hdtv|dvdrip|remux"
    r"|x264|x265|h\.?264|h\.?265|hevc|avc|xvid|10bit|aac(?:2\.0)?|ac3|dts|ddp?5\.1|atmos"
    r"|amzn|nf|dsnp|hmax|atvp|hulu|proper|repack"
)
_TAG_LIST = rf"(?:{_TAGS})(?:[ .](?:{_TAGS}))*"
# Title words: letters only (numbers, years, "US", "Part", languages and editions are what
# guessit weighs differently), at least two of them or one of four letters or more.
_WORD = r"[A-Z][a-z]{1,15}|[a-z]{2,15}"
# Countries, languages, release and edition words: guessit takes them out of titles.
_STOP_WORDS = frozenset(
    """us uk au ca nz ie de fr es it nl se no dk jp english french german spanish italian dutch
    swedish danish japanese korean chinese russian multi vostfr subbed dubbed part pt vol volume
    cd disc disk dvd extended unrated uncut theatrical directors director cut special edition
    final remastered imax criterion redux sample trailer extras proper repack internal limited
    complete season episode series sbs ou tab mvc hdr sdr dv web rip hd sd fs ws dc ep pilot
    finale ova oav ona op ed saison staffel temporada cap afl am pm vs""".split()  # noqa: SIM905
)
_WORDS = rf"(?:{_WORD})(?:[ .](?:{_WORD})){{0,5}}"

_GROUP = r"(?:-(?P<group>[A-Za-z][A-Za-z0-9]{1,14}))?"
# Sonarr's and Radarr's quality suffix: "[WEBDL-1080p]", "Bluray-1080p".
_QUALITY = r"(?: \[?(?:WEBDL|WEBRip|Bluray|HDTV|Remux)-(?P<quality>480|720|1080|2160)p\]?)?"
_DOTTED_EPISODE_RE = re.compile(
    rf"^(?P<title>{_WORDS})\.S(?P<season>\d{{2}})E(?P<episode>\d{{2}})"
    rf"\.(?P<tags>{_TAG_LIST}){_GROUP}$",
    re.IGNORECASE,
)
_SONARR_EPISODE_RE = re.compile(
    rf"^(?P<title>{_WORDS}) - S(?P<season>\d{{2}})E(?P<episode>\d{{2}})"
    rf" - (?P<episode_title>{_WORDS}){_QUALITY}$",
    re.IGNORECASE,
)
_DOTTED_MOVIE_RE = re.compile(
    rf"^(?P<title>{_WORDS})\.(?P<year>(?:19|20)\d{{2}})\.(?P<tags>{_TAG_LIST}){_GROUP}$",
    re.IGNORECASE,
)
_RADARR_MOVIE_RE = re.compile(
    rf"^(?P<title>{_WORDS}) \((?P<year>(?:19|20)\d{{2}})\){_QUALITY}$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class CommonShape:
    """What guessit reads in a common-shape name."""

    title: str
    year: int | None
    is_episode: bool
    episode_title: str | None
    release_group: str | None
    screen_size: str | None


def read_common_shape(stem: str) -> CommonShape | None:
    """The fields of a common-shape file stem, or None when it is not one (guessit decides)."""
    for regex in (_SONARR_EPISODE_RE, _DOTTED_EPISODE_RE, _RADARR_MOVIE_RE, _DOTTED_MOVIE_RE):
        if (match := regex.match(stem)) is None:
            continue
        groups = match.groupdict()
        title = groups["title"].replace(".", " ")
        episode_title = groups.get("episode_title")
        words = title.lower().split() + (episode_title or "").lower().split()
        if _STOP_WORDS.intersection(words) or (len(words) == 1 and len(words[0]) < 4):
            return None
        tags = (groups.get("tags") or "").lower().split(".")
        screen = next((t for t in tags if t.endswith("p") and t[:-1].isdigit()), None)
        if groups.get("quality"):
            screen = f"{groups['quality']}p"
        return CommonShape(
            title=title,
            year=int(groups["year"]) if groups.get("year") else None,
            is_episode="season" in groups,
            episode_title=episode_title,
            release_group=groups.get("group"),
            screen_size=screen,
        )
    return None
