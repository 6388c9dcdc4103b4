"""What a file's path says about its content: guessit plus MediaVault's normalization.

``parse_name`` runs guessit on the root-relative path (folders carry the show, the season and a
movie's year) and then corrects what guessit gets wrong for duplicate detection: season and
episodes come from ``episode_markers`` (every episode of a range, years and air dates told apart),
unknown release groups glued to titles, words it drops from titles, editions and stacked parts it
misses, "Part Two" titles it cuts, 3D and extras it does not see. Names in a common shape
(``fast_names``) skip guessit; results are cached. A path that contradicts itself (folder and file
name disagree) or lacks a season gets ``identity_doubt``, and the plan leaves such groups to a
person. ``parse_fallback`` is the regex-only parse used when guessit fails or takes too long;
``normalize_title`` is the matching key both produce. tests/naming_cases/ is the case table.

Names are untrusted text (newlines, control characters, undecodable bytes, absurd lengths): every
function here returns a ``ParsedName`` with a non-empty title instead of raising. Pure: no I/O and
no processes; the time box around guessit lives in ``mediavault_assets.media.name_parsing``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from guessit.api import GuessItApi
from rapidfuzz import fuzz

from mediavault_assets.domain.episode_markers import MAX_EPISODE_SPAN, EpisodeMarker, find_marker
from mediavault_assets.domain.fast_names import read_common_shape
from mediavault_assets.domain.model import MediaType, ParsedName

MediaTypeHint = Literal["tv", "movie", "mixed"]

UNKNOWN_TITLE = "Unknown"
# Parsed names kept in memory per process (a ParsedName is under 1 KB: at most ~20 MB).
PARSE_CACHE_SIZE = 20_000
# A real file name component is at most 255 bytes (NAME_MAX); longer text only slows guessit down.
MAX_COMPONENT_CHARS = 255
# show / season / extras folder / file: folders above that are library layout, not the name.
MAX_COMPONENTS = 4
# Below this token-set score a file's show title and its show folder's name are different shows
# ("Better Call Saul" filed under "Breaking Bad"); a shorter form of one title scores 100.
_SAME_SHOW_SCORE = 60

_GUESSIT_TYPE: dict[str, str] = {"tv": "episode", "movie": "movie"}
_GUESSIT_APIS: dict[str, GuessItApi] = {}  # by type option and whether a title is expected
_VIDEO_EXTENSIONS = frozenset(
    {"mkv", "mp4", "m4v", "avi", "mov", "wmv", "flv", "webm", "ts", "m2ts", "mts", "mpg", "mpeg"}
    | {"vob", "iso", "divx", "ogm", "ogv", "3gp", "rmvb", "rm", "asf"}
)

# Release groups guessit does not know, which it leaves glued to the title ("RedDwarf TVLab") or
# takes for an episode title ("Wondercrew"). Only names that cannot be ordinary title words belong
# here: "Kings", "Joy" or "Evo" would eat real titles.
KNOWN_RELEASE_GROUPS: tuple[str, ...] = (
    "TVLab",
    "WonderCrew",
    "RARBG",
    "YIFY",
    "YTS",
    "ETRG",
    "EZTV",
    "ETTV",
    "GalaxyRG",
    "GalaxyTV",
    "TGx",
    "MkvCage",
    "ShAaNiG",
    "Pahe",
    "QxR",
    "Tigole",
    "PSA",
    "NTb",
    "CtrlHD",
    "FGT",
    "SPARKS",
    "AMIABLE",
    "CMRG",
    "NOGRP",
    "MeGusta",
    "ION10",
    "Ganool",
    "SubsPlease",
    "HorribleSubs",
    "Erai-raws",
)

# Canonical edition names in display order; a name with several gets them joined by ", ".
EDITIONS: tuple[str, ...] = (
    "Director's Cut",
    "Extended",
    "Theatrical",
    "Unrated",
    "Uncut",
    "IMAX",
    "Remastered",
    "Special Edition",
    "Final Cut",
    "Criterion",
    "Redux",
    "Ultimate Cut",
    "Anniversary Edition",
    "Open Matte",
)
_GUESSIT_EDITIONS = {
    "Director's Cut": "Director's Cut",
    "Extended": "Extended",
    "Theatrical": "Theatrical",
    "Unrated": "Unrated",
    "Uncut": "Uncut",
    "IMAX": "IMAX",
    "Remastered": "Remastered",
    "Special": "Special Edition",
    "Criterion": "Criterion",
    "Collector": "Collector's Edition",
    "Limited": None,  # a scene release flag (limited theatrical run), not a different cut
}
_EDITION_WORD = {
    "director": "Director's Cut",
    "extended": "Extended",
    "theatrical": "Theatrical",
    "unrated": "Unrated",
    "uncut": "Uncut",
    "imax": "IMAX",
    "remaster": "Remastered",
    "remastered": "Remastered",
    "special": "Special Edition",
    "final": "Final Cut",
    "criterion": "Criterion",
    "redux": "Redux",
    "ultimate": "Ultimate Cut",
    "anniversary": "Anniversary Edition",
    "open": "Open Matte",
}
# Phrases that are an edition wherever they appear (and are cut out of titles)...
_EDITION_PHRASE_RE = re.compile(
    r"(?<![^\W_])(?:(director)(?:['’]?s)?[ ._-]*cut"
    r"|(extended|theatrical)[ ._-]+(?:edition|cut|version)|(special)[ ._-]+edition"
    r"|(final)[ ._-]+cut|(criterion)[ ._-]+collection|(redux)|(ultimate)[ ._-]+(?:cut|edition)"
    r"|\d{1,3}(?:st|nd|rd|th)[ ._-]+(anniversary)(?:[ ._-]+edition)?|(anniversary)[ ._-]+edition"
    r"|(open)[ ._-]+matte)(?![^\W_])",
    re.IGNORECASE,
)
# ...and single words that are an edition only outside the title ("Uncut Gems" is a title).
_EDITION_WORD_RE = re.compile(
    r"(?<![^\W_])(extended|theatrical|unrated|uncut|imax|remaster(?:ed)?|criterion)(?![^\W_])",
    re.IGNORECASE,
)
# Scene abbreviations, upper case only: "Aliens.1986.SE", "Blade.Runner.1982.DC" ("Se7en" is not).
_EDITION_ABBREVIATION_RE = re.compile(r"(?<![^\W_])(SE|DC)(?![^\W_])")
_EDITION_ABBREVIATIONS = {"SE": "Special Edition", "DC": "Director's Cut"}
_PLEX_EDITION_RE = re.compile(r"\{edition-([^{}]{1,80})\}", re.IGNORECASE)

# Any bracketed tmdb/tvdb/imdb tag is cut out of the name, but only a well-formed value is kept.
_ID_TAG_RE = re.compile(
    r"[\[{(]\s*(?P<kind>tmdb|tvdb|imdb)(?:id)?\s*[-=:]?\s*(?P<value>[^\[\]{}()]*)[\]})]",
    re.IGNORECASE,
)
_ID_VALUE_RE = re.compile(r"(?P<tt>tt)?(?P<number>\d{1,10})", re.IGNORECASE)
_MAX_ID = 2**31 - 1  # the seed's INTEGER columns
_BARE_IMDB_RE = re.compile(r"(?<![^\W_])tt\d{7,10}(?![^\W_])", re.IGNORECASE)

# 3D markers; a bare "SBS" is also the Korean broadcaster and "TAB" a word, so they only count
# for movies (and never as a title's word: "Tab Hunter Confidential").
_3D_RE = re.compile(
    r"(?<![^\W_])(?:3d|h[ ._-]?sbs|half[ ._-]?sbs|full[ ._-]?sbs|h[ ._-]?ou|half[ ._-]?ou"
    r"|full[ ._-]?ou|h[ ._-]?tab|half[ ._-]?tab|mvc)(?![^\W_])",
    re.IGNORECASE,
)
_BARE_SBS_RE = re.compile(r"(?<![^\W_])(?:sbs|tab)(?![^\W_])", re.IGNORECASE)
_GUESSIT_3D = frozenset(
    {"3D", "Half Side By Side", "Side By Side", "Half Over Under", "Over Under"}
)

# Stacked movies (Plex's and Kodi's stacking words): "cd1", "Disc 2", "part1", "pt.2", "cda",
# "partB", "1of2", and a lone letter after a dash at the end ("Title-A.avi", "Title-B.avi").
_STACK_RE = re.compile(
    r"(?<![^\W_])(?P<kind>cd|dvd|disc|disk|part|pt)[ ._-]?(?P<num>\d{1,2}|[a-d])(?![^\W_])",
    re.IGNORECASE,
)
_STACK_OF_RE = re.compile(r"(?<![^\W_])(?P<num>\d{1,2})[ ._-]?of[ ._-]?\d{1,2}(?![^\W_])", re.I)
_STACK_LETTER_RE = re.compile(r"(?<=[^\W_)\]])[ ._]*-[ ._]*(?P<num>[a-d])$", re.IGNORECASE)
# "Part Two", "Part II", "Part 1 (2010)": a part of the title, not of the file.
_TITLE_PART_RE = re.compile(r"(?<![^\W_])part[ ._-]+(?P<word>[^\W_]+)", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

_EXTRA_FOLDERS = {
    "sample": "sample",
    "samples": "sample",
    "trailer": "trailer",
    "trailers": "trailer",
    "featurette": "featurette",
    "featurettes": "featurette",
    "behind the scenes": "behind_the_scenes",
    "deleted scenes": "deleted_scene",
    "interview": "interview",
    "interviews": "interview",
    "extra": "extra",
    "extras": "extra",
    "bonus": "extra",
    "special features": "extra",
    # Plex's other extras folders; as common words they count only inside a title's folder.
    "other": "extra",
    "others": "extra",
    "shorts": "short",
    "scenes": "scene",
}
_EXTRA_FOLDERS_IN_TITLE_ONLY = frozenset({"other", "others", "shorts", "scenes"})
# Plex-style suffixes: "Inception (2010)-trailer.mkv".
_EXTRA_SUFFIX_RE = re.compile(
    r"-(trailer|sample|featurette|behindthescenes|deleted|interview|scene|short|other|extra)$",
    re.IGNORECASE,
)
_EXTRA_SUFFIX_KIND = {
    "trailer": "trailer",
    "sample": "sample",
    "featurette": "featurette",
    "behindthescenes": "behind_the_scenes",
    "deleted": "deleted_scene",
    "interview": "interview",
}
# Where an extra's own name ends the title: "inception.sample", "Inception (2010)-trailer".
_EXTRA_TAIL_RE = re.compile(
    r"[.-](?:sample|trailer|featurette|behindthescenes|deleted|interview)(?![^\W_])", re.I
)
_EXTRA_WORD_RE = re.compile(
    r"(?<![^\W_])(sample|trailer|featurette|behind[ ._-]the[ ._-]scenes|deleted[ ._-]scenes?"
    r"|interview)(?![^\W_])",
    re.IGNORECASE,
)
_GUESSIT_EXTRA = {"Sample": "sample", "Trailer": "trailer", "Extras": "extra"}

# Technical words that never belong to a title: where one appears, the title has ended.
_TAG_RE_TEXT = (
    r"\d{3,4}[pi]|[48]k|uhd|[xh][ .]?26[45]|hevc|avc|xvid|divx|av1|vp9|10[ .-]?bit|hdr(?:10)?"
    r"|web[ .-]?dl|web[ .-]?rip|blu[ .-]?ray|bd[ .-]?rip|br[ .-]?rip|dvd[ .-]?rip|hdtv|hd[ .-]?rip"
    r"|remux|aac|e?ac3|dts|ddp?5[ .]1|truehd"
)
_TAG_RE = re.compile(rf"(?<![^\W_])(?:{_TAG_RE_TEXT})(?![^\W_])", re.IGNORECASE)
_GROUP_RE = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(re.escape(g) for g in sorted(KNOWN_RELEASE_GROUPS, key=len, reverse=True))
    + r")(?![^\W_])",
    re.IGNORECASE,
)
_STACK_MARKER_RE = re.compile(
    r"(?<![^\W_])(?:cd|dvd|dis[ck])[ ._-]?(?:\d{1,2}|[a-d])(?![^\W_])", re.I
)
_NOT_A_SUBTITLE = (
    _TAG_RE,
    _GROUP_RE,
    _STACK_RE,
    _EDITION_PHRASE_RE,
    _EDITION_WORD_RE,
    _3D_RE,
    _BARE_SBS_RE,
    _EXTRA_WORD_RE,
)
# Words that end a title even before a year: the regex title is no better than guessit's then.
_NOT_A_TITLE_WORD = (_TAG_RE, _GROUP_RE, _STACK_MARKER_RE, _EDITION_WORD_RE, _3D_RE, _EXTRA_WORD_RE)
_NOT_A_GROUP = frozenset({"edition", "cut", "version", "extended", "sample", "trailer", "proper"})

# Episode ranges after an "E01" or "1x01" marker, for the MAX_EPISODE_SPAN guard.
_EPISODE_RANGE_RE = re.compile(
    r"(?:(?<![a-z])e|(?<=\d)x)(?P<first>\d{1,4})[ ._]?-[ ._]?(?:e|\d{1,3}x)?(?P<last>\d{1,6})"
    r"(?!\d)",
    re.IGNORECASE,
)
# The season a folder names, also after the show's name ("Red Dwarf - Season 1").
_FOLDER_SEASON_RE = re.compile(
    r"(?<![^\W_])(?:(?:season|series|staffel|saison|temporada|seizoen)[ ._-]*|s)(\d{1,4})$", re.I
)
_SCREEN_RE = re.compile(r"(?<![^\W_])(?:(\d{3,4})([pi])|([48])k|(uhd))(?![^\W_])", re.IGNORECASE)
_LEADING_GROUP_RE = re.compile(r"^\s*\[(?P<group>[^\[\]]{1,40})\]\s*")
_TRAILING_GROUP_RE = re.compile(r"-(?P<group>[A-Za-z0-9]{2,20})$")

_APOSTROPHES_RE = re.compile(r"['’‘`´ʼ]")
_NON_WORD_RE = re.compile(r"[\W_]+")
_TRAILING_ARTICLE_RE = re.compile(r"^(?P<rest>.+?),\s*(?P<article>the|a|an)$", re.IGNORECASE)
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)
_EDGE_JUNK = " -_.,:;~+[](){}"
_LEADING_NUMBER_IN_BRACKETS_RE = re.compile(r"\(\d+\)\s+\w")
_VOLUME_RE = re.compile(r"(?:vol|volume|chapter|part)\s+\w+")


def normalize_title(text: str) -> str:
    """The matching key of a title: "Red.Dwarf", "RedDwarf", "RED DWARF" → "red dwarf".

    CamelCase is split, accents folded (Amélie → amelie), "&" read as "and", apostrophes dropped
    (Grey's → greys), other punctuation becomes a space and dotted initials join up
    (S.H.I.E.L.D. → shield). A library-sort "Office, The" reads as "the office".

    Leading articles are kept: "The Office" and "Office" can be different works ("The Thing" /
    "Thing"), release names almost always keep them, and the fuzzy matcher's token ratios still
    score the pair close. Roman and arabic numerals are not merged ("Rocky II" ≠ "Rocky 2"): a
    wrong merge would group different films, a missed one only costs a review.
    """
    text = _clean_text(text).strip()
    article = _TRAILING_ARTICLE_RE.match(text)
    if article:
        text = f"{article['article']} {article['rest']}"
    text = _split_camel(text).replace("&", " and ")
    text = _APOSTROPHES_RE.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = (
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_FOLD)
    )
    return " ".join(_join_initials(_NON_WORD_RE.sub(" ", text).split()))


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_name(relative_path: str, media_type_hint: MediaTypeHint) -> ParsedName:
    """Parse a root-relative path with guessit and MediaVault's corrections; never raises.

    Names of the common shapes (``fast_names``) skip guessit; results are cached by path and
    root type (ParsedName is immutable, so a cached value is safe to share).
    """
    name = _prepare(relative_path)
    if (guess := _common_shape_guess(name, media_type_hint)) is not None:
        return _from_guess(name, guess, media_type_hint)
    try:
        guess = _guess(name.text, media_type_hint, _expected_title(name))
    except Exception as exc:  # guessit wraps its internal errors; any of them means "use regexes"
        return parse_fallback(relative_path, media_type_hint, error=f"guessit failed: {exc!r:.200}")
    return _from_guess(name, guess, media_type_hint)


def parse_fallback(
    relative_path: str, media_type_hint: MediaTypeHint, *, error: str = "parsed without guessit"
) -> ParsedName:
    """A fast regex-only parse (SxxEyy / 1x01 / Season N Episode N, year, cleaned stem).

    Used when guessit fails or times out; ``error`` lands in ``parse_error`` so downstream steps
    know the title came from the stem and treat the row as low-confidence.
    """
    name = _prepare(relative_path)
    stem = _LEADING_GROUP_RE.sub("", name.stem)
    marker = _marker(name, media_type_hint)
    season, episodes = _episodes(name, marker, None, ())
    episode_start = marker.start - (len(name.stem) - len(stem)) if marker else None
    folder_title, folder_year = _title_from_folders(name.folders)
    title, year = _title_from_text(stem, cut_at=episode_start)
    if not title or _extras_folder_index(name.folders, name.stem) is not None:
        title = folder_title  # "Show/Season 1/Extras/Making of.mkv" belongs to the show
    media_type = _media_type(season, episodes, media_type_hint, dated=False)
    doubt = _identity_doubt(name, marker, media_type, season, episodes, year, title)
    year = year or folder_year
    title = _final_title(title, name)
    return ParsedName(
        title=title,
        title_key=normalize_title(title) or title.casefold(),
        media_type=media_type,
        year=year,
        season=season,
        episodes=episodes,
        edition=_edition(name, (), title),
        is_3d=_is_3d(name, (), title, media_type),
        part=_stacked_part(name.stem, inside=marker, tv=marker is not None),
        extra_kind=_extra_kind(name, (), title),
        release_group=_release_group(name, None),
        screen_size=_screen_size(name.stem),
        tmdb_id=name.tmdb_id,
        imdb_id=name.imdb_id,
        tvdb_id=name.tvdb_id,
        parse_error=error,
        identity_doubt=doubt,
    )


def _common_shape_guess(name: _Name, hint: MediaTypeHint) -> dict[str, Any] | None:
    """What guessit would answer for a common-shape name, when the path around it cannot change
    that answer (no year in a folder guessit could take, no extras folder, no range guard, an
    episode shape not in a movie root nor a movie shape in a TV root)."""
    if name.wide_range or name.plex_edition:
        return None
    if _extras_folder_index(name.folders, name.stem) is not None:
        return None
    if any("." in folder or _TAG_RE.search(folder) for folder in name.folders):
        return None  # a release folder: guessit reads the episode title and group from it
    shape = read_common_shape(name.stem)
    if shape is None or hint == ("movie" if shape.is_episode else "tv"):
        return None
    folder_years = {int(y[0]) for folder in name.folders for y in _YEAR_RE.finditer(folder)}
    if folder_years - {shape.year}:
        return None  # guessit may take a folder's year (or title) over the file's
    guess: dict[str, Any] = {"title": shape.title}
    for key, value in (
        ("year", shape.year),
        ("episode_title", shape.episode_title),
        ("release_group", shape.release_group),
        ("screen_size", shape.screen_size),
    ):
        if value is not None:
            guess[key] = value
    return guess


def _guess(text: str, hint: MediaTypeHint, expected_title: str | None = None) -> dict[str, Any]:
    # One guessit API per type option: guessit re-merges (deep-copies) its whole configuration
    # each time the options differ from the previous call, ~15% of a parse when hints alternate.
    api = _GUESSIT_APIS.setdefault(f"{hint}|{expected_title is not None}", GuessItApi())
    options: dict[str, Any] = {"type": _GUESSIT_TYPE[hint]} if hint in _GUESSIT_TYPE else {}
    if expected_title is not None:
        options["expected_title"] = [expected_title]
    return dict(api.guessit(text, options))


def _expected_title(name: _Name) -> str | None:
    """The show folder's title, for guessit's ``expected_title``, where guessit needs it: a
    title with numbers in it ("1923", "24", "9-1-1", "60 Minutes") is otherwise read as a year,
    an episode or a date. Only then, since a changed option costs guessit a configuration merge."""
    if name.season_folder is None:
        return None
    title, _ = _title_from_folders(name.folders)
    return title if any(c.isdigit() for c in title) else None


@dataclass(frozen=True, slots=True)
class _Name:
    """A path made safe for parsing, with the tags guessit should never see taken out."""

    text: str  # the last MAX_COMPONENTS components, cleaned, ID/edition tags removed
    folders: tuple[str, ...]  # every cleaned folder name, outermost first
    stem: str  # file name without a video extension
    tmdb_id: int | None
    imdb_id: str | None
    tvdb_id: int | None
    plex_edition: str | None
    wide_range: tuple[int, ...]  # endpoints of an episode range wider than MAX_EPISODE_SPAN
    season_folder: int | None  # "Season 01" parent folder


def _prepare(relative_path: str) -> _Name:
    # Backslashes are path separators in names copied from Windows/SMB clients.
    raw = _clean_text(relative_path).replace("\\", "/")
    components = [c.strip()[:MAX_COMPONENT_CHARS] for c in raw.split("/")]
    components = [c for c in components if c and c not in {".", ".."}]
    tmdb_id = imdb_id = tvdb_id = plex_edition = None
    cleaned: list[str] = []
    # Innermost first, so the file's own tags win over its folder's.
    for component in reversed(components):
        for match in _ID_TAG_RE.finditer(component):
            kind, value = match["kind"].lower(), _ID_VALUE_RE.fullmatch(match["value"].strip())
            if value is None or not 0 < int(value["number"]) <= _MAX_ID:
                continue
            number = int(value["number"])
            if kind == "imdb":
                imdb_id = imdb_id or f"tt{number:07d}"
            elif value["tt"]:
                continue  # an IMDb id in a TMDb/TVDb tag is a typo, not a number to trust
            elif kind == "tmdb":
                tmdb_id = tmdb_id or number
            else:
                tvdb_id = tvdb_id or number
        component = _ID_TAG_RE.sub(" ", component)
        bare = _BARE_IMDB_RE.search(component)
        if bare and imdb_id is None:
            imdb_id = bare[0].lower()
        edition = _PLEX_EDITION_RE.search(component)
        if edition and plex_edition is None:
            plex_edition = edition[1].strip()
        component = _PLEX_EDITION_RE.sub(" ", _BARE_IMDB_RE.sub(" ", component))
        cleaned.insert(0, " ".join(component.split()) or "_")  # a tag-only file is still the file
    filename = cleaned[-1] if cleaned else ""
    base, dot, extension = filename.rpartition(".")
    stem = base if dot and extension.lower() in _VIDEO_EXTENSIONS else filename
    folders = tuple(cleaned[:-1])
    text = "/".join(cleaned[-MAX_COMPONENTS:])
    wide_range: tuple[int, ...] = ()
    for match in _EPISODE_RANGE_RE.finditer(text):
        first, last = int(match["first"]), int(match["last"])
        if last - first > MAX_EPISODE_SPAN:
            # guessit would expand the range one episode at a time; show it only the start.
            wide_range = (first, last)
            text = text[: match.end("first")] + text[match.end() :]
            break
    season_match = _FOLDER_SEASON_RE.search(folders[-1]) if folders else None
    return _Name(
        text=text,
        folders=folders,
        stem=stem,
        tmdb_id=tmdb_id,
        imdb_id=imdb_id,
        tvdb_id=tvdb_id,
        plex_edition=plex_edition,
        wide_range=wide_range,
        season_folder=int(season_match[1]) if season_match else None,
    )


def _from_guess(name: _Name, guess: dict[str, Any], hint: MediaTypeHint) -> ParsedName:
    others = tuple(str(o) for o in _as_list(guess.get("other")))
    raw_title = _first_str(guess.get("title"))
    # Words guessit put in the title are not editions/extras/3D markers ("Uncut Gems").
    title_words = set(normalize_title(raw_title).split())
    marker = _marker(name, hint)
    part = _stacked_part(name.stem, inside=marker, tv=marker is not None)
    title_part = _title_part(name.stem) if guess.get("part") is not None and part is None else None
    if raw_title and title_part and title_part.casefold() not in raw_title.casefold():
        raw_title = f"{raw_title} {title_part}"  # guessit cut "Part Two" out of "Dune Part Two"
    season, episodes = (
        # In a movie root only an explicit marker makes an episode: "Heat.1995.2of2" is a
        # stacked part, not E02 as guessit reads it.
        (None, ())
        if hint == "movie" and marker is None
        else _episodes(
            name, marker, _first_int(guess.get("season")), _as_list(guess.get("episode"))
        )
    )
    media_type = _media_type(season, episodes, hint, dated=guess.get("date") is not None)
    if guess.get("website") is None:
        raw_title = _whole_title(raw_title, name, marker, guess)
    # "Mission Impossible - Fallout": guessit files the subtitle away as an alternative title,
    # which would make every film of a series the same title. An episode's subtitle counts only
    # before its marker ("Bleach - Sennen Kessen-hen - 13").
    subtitle_text = name.stem[: marker.start] if marker else name.text
    for alternative in (
        _as_list(guess.get("alternative_title")) if media_type == "movie" or marker else ()
    ):
        alternative = _clean_text(str(alternative))
        if raw_title and _is_subtitle(subtitle_text, raw_title, alternative):
            raw_title = f"{raw_title} - {alternative}"
    if media_type == "tv" and guess.get("country") is not None and raw_title:
        # "The Office US" and "The Office UK" are different shows; keep them apart in the key.
        country = getattr(guess["country"], "alpha2", str(guess["country"]))
        country = "UK" if country == "GB" else country
        if not raw_title.casefold().endswith(country.casefold()):
            raw_title = f"{raw_title} {country}"
    extra_kind = _extra_kind(name, others, raw_title)
    title = _clean_title(raw_title)
    year = _real_year(name, marker, _first_int(guess.get("year")))
    if extra_kind is not None and _extras_folder_index(name.folders, name.stem) is not None:
        # "Show/Season 1/Extras/Making of.mkv": the extra belongs to the folder's title.
        folder_title, folder_year = _title_from_folders(name.folders)
        title, year = folder_title or title, year or folder_year
    error = None if title else "no title in the name; title from the file stem"
    episode_title = None
    if media_type == "tv":
        episode_title = _clean_title(_first_str(guess.get("episode_title")), split_camel=False)
    year = year if year is None or 1900 <= year <= 2100 else None
    doubt = _identity_doubt(name, marker, media_type, season, episodes, year, title)
    title = _final_title(title, name)
    return ParsedName(
        title=title,
        title_key=normalize_title(title) or title.casefold(),
        media_type=media_type,
        year=year,
        season=season,
        episodes=episodes,
        episode_title=episode_title or None,
        edition=_edition(name, _as_list(guess.get("edition")), raw_title, title_words),
        is_3d=_is_3d(name, others, raw_title, media_type),
        part=part,
        extra_kind=extra_kind,
        release_group=_release_group(name, _first_str(guess.get("release_group"))),
        screen_size=_first_str(guess.get("screen_size")) or None,
        # ID tags were cut out before guessit ran: only ours count.
        tmdb_id=name.tmdb_id,
        imdb_id=name.imdb_id,
        tvdb_id=name.tvdb_id,
        parse_error=error,
        identity_doubt=doubt,
    )


def _marker(name: _Name, hint: MediaTypeHint) -> EpisodeMarker | None:
    """The file's episode marker: in a movie root only an explicit one ("S01E01"; the hint only
    breaks ties), weak forms only where the name must be TV."""
    in_season_folder = name.season_folder is not None
    weak = hint == "tv" or in_season_folder
    return find_marker(
        name.stem, dates=hint != "movie", weak=weak, in_season_folder=in_season_folder
    )


def _episodes(
    name: _Name, marker: EpisodeMarker | None, season: int | None, episodes: Iterable[Any]
) -> tuple[int | None, tuple[int, ...]]:
    """Season and episodes: our marker's when there is one, else guessit's without year-like
    numbers; a "Season NN" folder gives the season a marker lacks. Never invented."""
    if marker is not None:
        season, numbers = marker.season, marker.episodes
    else:
        numbers = name.wide_range or tuple(sorted({int(e) for e in episodes if 0 <= int(e) < 1900}))
        if season is not None and not 0 <= season < 1900:
            season = None  # "Doctor Who 2005 ..." without a marker: a year is not a season
    if season is None and numbers and not (marker and marker.air_date):
        season = name.season_folder
    return season, numbers


def _real_year(name: _Name, marker: EpisodeMarker | None, year: int | None) -> int | None:
    """guessit's year, unless the name only has it inside the episode marker ("S2010E05", an
    air date) or a season folder, or as its first word ("1923.S01E08": the title)."""
    if year is None:
        return None
    text = str(year)
    # A folder's year, not a season folder's number nor a title ("TV/1923/...").
    in_folders = _title_from_folders(name.folders)[1] == year
    outside_marker = [
        m.start()
        for m in re.finditer(re.escape(text), name.stem)
        if not (marker and marker.start <= m.start() < marker.end)
    ]
    return year if in_folders or any(i > 0 for i in outside_marker) else None


def _whole_title(
    title: str, name: _Name, marker: EpisodeMarker | None, guess: dict[str, Any]
) -> str:
    """guessit's title, unless it lost words the name has before its year or episode marker
    ("(500) Days of Summer", "The Good German") or ran into the marker ("Show Se 3")."""
    stem = name.stem
    cut = marker.start if marker else None
    year = _first_int(guess.get("year"))
    # The year guessit took (the last of "Blade Runner 2049 (2017)"), before any marker.
    at = stem.rfind(str(year), 1, cut) if year else -1
    if at > 0:
        cut = at
    if cut == 0 and marker is not None:
        # "Season 04/23-24 - Title.avi": no title before the marker; the show folder names it.
        return _title_from_folders(name.folders)[0] or title
    if not cut:
        return title
    head = _LEADING_GROUP_RE.sub("", stem[:cut])
    if any(r.search(head) for r in _NOT_A_TITLE_WORD):
        return title
    ours = _clean_title(head.replace("_", " ").replace(".", " "), split_camel=False)
    ours_key, theirs_key = normalize_title(ours), normalize_title(title)
    if not ours_key or ours_key == theirs_key:
        return title
    if not theirs_key or (marker and f" {theirs_key} " not in f" {normalize_title(stem)} "):
        return ours  # guessit found no title, or took a folder's ("Season") over the episode's
    if marker is not None and theirs_key.startswith(f"{ours_key} "):
        return ours  # "Show Name Se 3": guessit ran into a marker it does not know
    # Words guessit dropped, only in the shapes it is known to get wrong: a leading number
    # ("(500) Days of Summer", "60 Minutes"), a leading word it took for the release group
    # ("Spider-Man No Way Home"), "Vol. 1" it took for a volume, and in a film's hand-named
    # "Title (Year)" one word it took for a language ("The Good German"; scene names put the
    # language after the year, so "Immersion.French.2011" is "Immersion").
    lost = ours_key.removesuffix(f" {theirs_key}")
    group = normalize_title(_first_str(guess.get("release_group")))
    if lost != ours_key and (lost.isdigit() or (group and lost == group)):
        return ours
    extra = ours_key.removeprefix(f"{theirs_key} ")
    if extra == ours_key:
        return title
    if _VOLUME_RE.fullmatch(extra):
        return ours
    hand_named = "." not in head.strip() and "_" not in head
    if marker is None and hand_named and guess.get("language") and len(extra.split()) == 1:
        return ours
    return title


def _identity_doubt(
    name: _Name,
    marker: EpisodeMarker | None,
    media_type: MediaType,
    season: int | None,
    episodes: tuple[int, ...],
    year: int | None,
    title: str,
) -> str | None:
    """Why the file's identity is uncertain, when the path contradicts itself or lacks a part
    of it; such a file may join a duplicate group only for a person to decide."""
    if marker is not None and marker.doubt:
        return marker.doubt
    folder_season = name.season_folder
    folder_title, folder_year = _title_from_folders(name.folders)
    if media_type == "tv":
        if episodes and season is None:
            return "episode number without a season"
        if folder_season is not None and season is not None and season != folder_season:
            return f"file name says season {season}, folder says season {folder_season}"
        if folder_season is not None and title and folder_title:
            # "Breaking Bad/Season 1/Better.Call.Saul.S01E01.mkv": filed under another show.
            keys = normalize_title(title), normalize_title(folder_title)
            if fuzz.token_set_ratio(*keys) < _SAME_SHOW_SCORE:
                return f"file name says {title!r}, show folder says {folder_title!r}"
    if year is not None and folder_year is not None and year != folder_year:
        return f"file name says {year}, folder says {folder_year}"
    return None


def _is_subtitle(text: str, title: str, alternative: str) -> bool:
    """Whether guessit's alternative title is the subtitle written right after the title."""
    if not alternative or any(r.search(alternative) for r in _NOT_A_SUBTITLE):
        return False
    title_re, alternative_re = (
        r"[\W_]+".join(map(re.escape, t.split())) for t in (title, alternative)
    )
    return re.search(rf"{title_re}[\W_]*-[\W_]*{alternative_re}", text, re.IGNORECASE) is not None


def _media_type(
    season: int | None, episodes: tuple[int, ...], hint: MediaTypeHint, *, dated: bool
) -> MediaType:
    if season is not None or episodes:
        return "tv"
    if hint == "mixed":
        return "tv" if dated else "movie"  # a daily show's air date is its episode number
    return hint


def _clean_title(text: str, *, split_camel: bool = True) -> str:
    """Cut release noise out of a title guessit (or the stem) produced."""
    text = " ".join(_clean_text(text).split())
    while True:
        # The first tag, unknown group, stacked-part marker or edition phrase ends the title; one
        # at the very start is dropped instead ("TVLab RedDwarf").
        match = min(
            (
                m
                for r in (_TAG_RE, _GROUP_RE, _STACK_MARKER_RE, _EDITION_PHRASE_RE)
                if (m := r.search(text))
            ),
            key=lambda m: m.start(),
            default=None,
        )
        if match is None:
            break
        head = text[: match.start()].strip(_EDGE_JUNK)
        text = head if head else text[match.end() :].strip(_EDGE_JUNK)
    text = text.rstrip(_EDGE_JUNK)
    # A leading "(500)" is part of the title ("(500) Days of Summer"); other edge junk is not.
    text = text if _LEADING_NUMBER_IN_BRACKETS_RE.match(text) else text.lstrip(_EDGE_JUNK)
    if split_camel and " " not in text:
        text = _split_camel(text)  # a glued "RedDwarf" only; "McDonald's Story" stays as written
    return text


def _final_title(title: str, name: _Name) -> str:
    """Never empty: the title, else the file stem, else "Unknown"."""
    return title or name.stem.strip(_EDGE_JUNK) or UNKNOWN_TITLE


def _title_from_text(text: str, *, cut_at: int | None) -> tuple[str, int | None]:
    """Title and year from free text: the title ends at the first episode marker, year or tag."""
    cuts = [cut_at] if cut_at is not None else []
    year = None
    for match in _YEAR_RE.finditer(text):
        if match.start() > 0:  # "1917 (2019)", "2001 A Space Odyssey": a leading number is title
            year = int(match[0])
            cuts.append(match.start())
            break
    for regex in (_TAG_RE, _GROUP_RE, _EDITION_PHRASE_RE, _3D_RE, _EXTRA_TAIL_RE):
        if (match := regex.search(text)) and match.start() > 0:
            cuts.append(match.start())
    if (marker := _stack_marker(text)) and marker.start() > 0:
        cuts.append(marker.start())
    head = text[: min(cuts)] if cuts else text
    head = _LEADING_GROUP_RE.sub("", head.replace("_", " ").replace(".", " "))
    return _clean_title(re.sub(r"(?<=.)[\[(].*$", "", head)), year


def _title_from_folders(folders: tuple[str, ...]) -> tuple[str, int | None]:
    """The nearest folder that names the work (not "Season 1", "Extras" or "Sample")."""
    for folder in reversed(folders):
        if _normal_words(folder) in _EXTRA_FOLDERS:
            continue
        if season := _FOLDER_SEASON_RE.search(folder):
            folder = folder[: season.start()]  # "Season 1" names nothing; "Red Dwarf - Season 1"
        title, year = _title_from_text(folder, cut_at=None)
        if title:
            return title, year
    return "", None


def _stack_marker(stem: str) -> re.Match[str] | None:
    """CD1 / Disc 2 / partB / 1of2 / -A of a stacked movie, the first in the stem; "Part 1
    (2010)" followed by a year is a title."""
    markers = [
        match
        for match in _STACK_RE.finditer(stem)
        # "Deathly Hallows Part 1 (2010)": the part belongs to the title
        if match["kind"].lower() not in {"part", "pt"} or not _YEAR_RE.search(stem, match.end())
    ]
    markers += [m for regex in (_STACK_OF_RE, _STACK_LETTER_RE) if (m := regex.search(stem))]
    return min(markers, key=lambda m: m.start(), default=None)


def _stacked_part(
    stem: str, *, inside: EpisodeMarker | None = None, tv: bool = False
) -> int | None:
    """The stacked part's number; none where "Part 02" is the episode marker itself, and in an
    episode only CD/DVD/Disc count ("Lost.S01E01.Pilot.Part.1" is the episode's title)."""
    marker = _stack_marker(stem)
    if marker is None or (inside and inside.start <= marker.start() < inside.end):
        return None
    if tv and marker.groupdict().get("kind", "").lower() in {"part", "pt"}:
        return None
    number = marker["num"]
    return int(number) if number.isdigit() else ord(number.lower()) - ord("a") + 1


def _title_part(stem: str) -> str | None:
    """ "Part Two" as written, when a name's part is part of its title."""
    match = _TITLE_PART_RE.search(stem)
    return f"Part {match['word']}" if match else None


def _edition(
    name: _Name, guessed: Iterable[Any], title: str, title_words: set[str] | None = None
) -> str | None:
    words = set(normalize_title(title).split()) if title_words is None else title_words
    found: set[str] = set()
    for value in guessed:
        edition = _GUESSIT_EDITIONS.get(str(value), str(value))
        if edition:
            found.add(edition)
    if name.plex_edition:
        found.add(_canonical_edition(name.plex_edition))
    for text in (name.stem, *name.folders[-1:]):
        for match in _EDITION_PHRASE_RE.finditer(text):
            word = next(g for g in match.groups() if g).lower()
            found.add(_EDITION_WORD[word])
        for match in _EDITION_WORD_RE.finditer(text):
            if normalize_title(match[1]) not in words:
                found.add(_EDITION_WORD[match[1].lower()])
        for match in _EDITION_ABBREVIATION_RE.finditer(text):
            if match[1].casefold() not in words:
                found.add(_EDITION_ABBREVIATIONS[match[1]])
    if not found:
        return None
    order = {edition: i for i, edition in enumerate(EDITIONS)}
    return ", ".join(sorted(found, key=lambda e: (order.get(e, len(order)), e)))


def _canonical_edition(text: str) -> str:
    """A Plex {edition-...} value, in our canonical spelling when we know it."""
    if match := _EDITION_PHRASE_RE.fullmatch(text.strip()):
        return _EDITION_WORD[next(g for g in match.groups() if g).lower()]
    if match := _EDITION_WORD_RE.fullmatch(text.strip()):
        return _EDITION_WORD[match[1].lower()]
    return " ".join(text.split())


def _is_3d(name: _Name, others: Iterable[str], title: str, media_type: MediaType) -> bool:
    if _GUESSIT_3D.intersection(others):
        return True
    words = set(normalize_title(title).split())
    for text in (name.stem, *name.folders[-1:]):
        for regex in (_3D_RE, _BARE_SBS_RE) if media_type == "movie" else (_3D_RE,):
            if any(normalize_title(m[0]) not in words for m in regex.finditer(text)):
                return True
    return False


def _extras_folder_index(folders: tuple[str, ...], stem: str) -> int | None:
    """The nearest extras folder; "Other/", "Shorts/", "Scenes/" only right below a "Title (Year)"
    folder, or below a title's folder for a file without a year of its own ("Movies/Other/Heat
    (1995).mkv" is a film, "Heat (1995)/Other/Heat (1995) - Commentary.mkv" an extra)."""
    for i in range(len(folders) - 1, -1, -1):
        words = _normal_words(folders[i])
        if words not in _EXTRA_FOLDERS:
            continue
        in_title_folder = i > 0 and _YEAR_RE.search(folders[i - 1]) is not None
        if (
            words in _EXTRA_FOLDERS_IN_TITLE_ONLY
            and not in_title_folder
            and (i == 0 or _YEAR_RE.search(stem))
        ):
            continue
        return i
    return None


def _extra_kind(name: _Name, others: Iterable[str], title: str) -> str | None:
    index = _extras_folder_index(name.folders, name.stem)
    if index is not None:
        return _EXTRA_FOLDERS[_normal_words(name.folders[index])]
    if suffix := _EXTRA_SUFFIX_RE.search(name.stem):
        return _EXTRA_SUFFIX_KIND.get(suffix[1].lower(), "extra")
    words = set(normalize_title(title).split())
    for match in _EXTRA_WORD_RE.finditer(name.stem):
        if not set(normalize_title(match[1]).split()) <= words:  # "Trailer Park Boys" is a title
            word = _normal_words(match[1])
            if word.startswith("deleted"):
                return "deleted_scene"
            return "behind_the_scenes" if word == "behind the scenes" else word
    for other in others:
        if other in _GUESSIT_EXTRA:
            return _GUESSIT_EXTRA[other]
    return None


def _release_group(name: _Name, guessed: str | None) -> str | None:
    """guessit's group when it is one, else a known group glued anywhere into the stem.

    ``guessed`` is None on the regex-only path, which also reads "[Group] ..." and "...x264-GROUP".
    """
    if guessed is not None:
        group = guessed.strip(_EDGE_JUNK)
        if group and group.lower() not in _NOT_A_GROUP and not _TAG_RE.fullmatch(group):
            return group
    if known := _GROUP_RE.search(name.stem):
        return known[0]
    if guessed is not None:
        return None
    if leading := _LEADING_GROUP_RE.match(name.stem):
        return leading["group"].strip() or None
    trailing = _TRAILING_GROUP_RE.search(name.stem)
    tags_end = max((m.end() for m in _TAG_RE.finditer(name.stem)), default=None)
    if trailing and tags_end is not None and tags_end <= trailing.start():
        return trailing["group"]  # "...x264-GROUP" only after a tag: "Spider-Man" is a title
    return None


def _screen_size(text: str) -> str | None:
    for match in _SCREEN_RE.finditer(text):
        if match[1]:
            return f"{int(match[1])}{match[2].lower()}"
        return "4320p" if match[3] == "8" else "2160p"  # guessit's reading of 4K / UHD
    return None


def _clean_text(text: str) -> str:
    """Repair undecodable bytes and turn control characters into spaces.

    Names read with ``surrogateescape`` carry each undecodable byte as a lone surrogate; such
    bytes nearly always come from old Windows/SMB clients, so they are read as cp1252. Other lone
    surrogates are dropped; invisible format characters (zero-width, BOM, bidi marks) too.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(bytes([code - 0xDC00]).decode("cp1252", errors="ignore"))
        elif char.isprintable():
            out.append(char)
        elif unicodedata.category(char) in {"Cc", "Zs", "Zl", "Zp"}:
            out.append(" ")
    return "".join(out)


def _split_camel(text: str) -> str:
    """ "RedDwarf" → "Red Dwarf": a space where an upper-case letter follows a lower-case one."""
    out: list[str] = []
    for i, char in enumerate(text):
        if i and char.isupper() and text[i - 1].islower():
            out.append(" ")
        out.append(char)
    return "".join(out)


def _join_initials(tokens: list[str]) -> list[str]:
    """["agents", "of", "s", "h", "i", "e", "l", "d"] → ["agents", "of", "shield"]."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if token:
            out.append(token)
    return out


def _normal_words(text: str) -> str:
    return " ".join(_NON_WORD_RE.sub(" ", text.casefold()).split())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first_str(value: Any) -> str:
    values = _as_list(value)
    return _clean_text(str(values[0])) if values else ""


def _first_int(value: Any) -> int | None:
    for item in _as_list(value):
        try:
            return int(item)
        except (TypeError, ValueError):
            continue
    return None


__all__ = [
    "EDITIONS",
    "KNOWN_RELEASE_GROUPS",
    "MediaTypeHint",
    "normalize_title",
    "parse_fallback",
    "parse_name",
]
