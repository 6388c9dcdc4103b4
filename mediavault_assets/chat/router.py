"""The offline chat: a deterministic intent router for seed 000's example questions.

Without a model the chat still answers what seed 000 asks, and close variants of it: counts by
quality tier and type, a duplicate summary, what takes the most space, what is waiting for review,
why a title was planned for deletion (quoting the plan's stored reasons), which titles of a TMDb
genre have duplicates ("which sci-fi movies have duplicates?"), what the owner rated ("what did I
rate 5 stars?") and what to watch ("what should I watch tonight?"). `route` reads the question
(pure); `answer` runs the intent's SQL from sql/chat/ through the same sandbox the model's SQL
uses, and `describe` turns the rows into text (pure). Some intents add a query over a seed table
the warehouse may not hold yet (user_reviews, watch_history, review_queue): it runs once the
snapshot has the table, and until then the answer comes from what exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mediavault_assets.chat.render import cell_text, plain_text
from mediavault_assets.chat.safe_sql import SafeSql, SqlRun, chat_sql
from mediavault_assets.presentation import human_bytes

IntentName = Literal[
    "why_planned",
    "review_list",
    "duplicate_summary",
    "genre_duplicates",
    "rated",
    "watch_tonight",
    "most_space",
    "quality_breakdown",
    "count_files",
    "overview",
]

EXAMPLE_QUESTIONS = (
    "How many 4K movies do I have?",
    "Why did you suggest deleting Inception (2010)?",
    "What duplicates should I review manually?",
    "What's taking up the most space?",
    "Which sci-fi movies have duplicates?",
    "What did I rate 5 stars?",
    "What should I watch tonight?",
)
# Words people use for a genre → TMDb's genre names (movies and shows name some differently).
_GENRES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b"), names)
    for words, names in (
        (r"sci[\s-]?fi|science[\s-]fiction|scifi", ("Science Fiction", "Sci-Fi & Fantasy")),
        (r"comed(?:y|ies)|funny", ("Comedy",)),
        (r"dramas?", ("Drama",)),
        (r"thrillers?", ("Thriller",)),
        (r"horror", ("Horror",)),
        (r"action", ("Action", "Action & Adventure")),
        (r"adventures?", ("Adventure", "Action & Adventure")),
        (r"animat(?:ed|ion)|cartoons?|anime", ("Animation",)),
        (r"roman(?:ce|tic)", ("Romance",)),
        (r"crime", ("Crime",)),
        (r"fantasy", ("Fantasy", "Sci-Fi & Fantasy")),
        (r"family|kids", ("Family", "Kids")),
        (r"documentar(?:y|ies)", ("Documentary",)),
        (r"war", ("War", "War & Politics")),
        (r"westerns?", ("Western",)),
        (r"myster(?:y|ies)", ("Mystery",)),
    )
)

_TIERS = (
    (re.compile(r"\b(?:4k|2160p?|uhd|ultra[\s-]?hd)\b"), "4K"),
    (re.compile(r"\b(?:1080[pi]?|full[\s-]?hd|fhd)\b"), "1080p"),
    (re.compile(r"\b720p?\b"), "720p"),
    (re.compile(r"\b(?:480[pi]?|576[pi]?|dvd)\b"), "480p"),
    (re.compile(r"\b(?:sd|standard[\s-]definition)\b"), "SD"),
)
_MOVIE = re.compile(r"\b(?:movies?|films?)\b")
_TV = re.compile(r"\b(?:tv|shows?|series|episodes?|seasons?)\b")
_DELETE_VERB = (
    r"(?:delet(?:e|ed|ing)|remov(?:e|ed|ing)|stag(?:e|ed|ing)|purg(?:e|ed|ing)"
    r"|trash(?:ed|ing)?|drop(?:ped|ping)?|archiv(?:e|ed|ing)|get(?:ting)?\s+rid\s+of)"
)
_WHY = (
    # "Why did you suggest deleting Inception (2010)?", "why remove The Matrix"
    re.compile(rf"^why\b.*?\b{_DELETE_VERB}\s+(?P<title>.+)$", re.IGNORECASE),
    # "Why is Inception planned for deletion?", "why was Parasite kept?"
    re.compile(
        r"^why\s+(?:is|was|are|were|will|would)\s+(?P<title>.+?)\s+(?:being\s+|going\s+to\s+be\s+)?"
        r"(?:planned|marked|flagged|proposed|suggested|scheduled|staged|selected|chosen|deleted"
        r"|removed|kept|in\s+the\s+plan|on\s+the\s+list)\b",
        re.IGNORECASE,
    ),
    # "What's the reason for deleting Parasite?", "explain the removal of Red Dwarf"
    re.compile(
        rf"\b(?:reason|explain\w*)\b.*?\b(?:{_DELETE_VERB}|removal|deletion|keeping)\s+(?:of\s+)?"
        r"(?P<title>.+)$",
        re.IGNORECASE,
    ),
)
_TITLE_PREFIX = re.compile(
    r"^(?:the\s+(?:movie|film|show|series|file|files|copy|copies)\s+(?:of\s+)?|my\s+|"
    r"(?:a\s+|the\s+)?(?:copy|copies|file|files|version|versions)\s+of\s+)",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(
    r"\s+(?:for\s+deletion|from\s+(?:the|my)\s+\w+|in\s+the\s+plan|on\s+the\s+list)$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\s*\(?\b((?:19|20)\d{2})\b\)?$")
_QUOTES = "\"'“”‘’`«»"
_REVIEW = re.compile(r"\b(?:review\w*|manual(?:ly)?|uncertain|double[\s-]?check)\b")
_DUPLICATES = re.compile(r"\b(?:duplicat\w*|dupes?|copies|redundant)\b")
_SPACE = re.compile(
    r"\b(?:space|storage|disk|room|biggest|largest|heaviest|gigabytes?|terabytes?)\b"
)
_BREAKDOWN = re.compile(
    r"\b(?:breakdown|by\s+(?:quality|tier|resolution|type)|per\s+(?:quality|tier|resolution)"
    r"|each\s+(?:quality|tier|resolution)|quality\s+tiers?|resolutions)\b"
)
_STAR_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STARS = re.compile(r"\b([1-5]|one|two|three|four|five)[\s-]*(?:stars?|\*)")
# Not a bare "rate": "frame rate" and "bit rate" are no ratings.
_RATED = re.compile(r"\b(?:rated|ratings?|stars?|favou?rites?|loved|liked)\b|\b(?:i|we)\s+rate\b")
_WATCH = re.compile(
    r"\b(?:watch|see|put\s+on)\b.*\b(?:tonight|today|this\s+evening)\b"
    r"|\bwhat\s+(?:should|shall|could|can)\s+(?:i|we)\s+(?:watch|see)\b"
    r"|\brecommend\w*\b|\bsomething\s+to\s+watch\b"
)
_COUNT = re.compile(r"\b(?:how\s+many|count|number\s+of|total)\b")
_TYPE_NOUNS = {"movie": ("movie", "movies"), "tv": ("TV episode", "TV episodes")}


@dataclass(frozen=True)
class Intent:
    name: IntentName
    media_type: Literal["movie", "tv"] | None = None
    quality_tier: str | None = None
    title: str | None = None
    year: int | None = None
    genres: tuple[str, ...] = ()  # TMDb genre names
    stars: int | None = None  # a 1-5 star rating asked for


@dataclass(frozen=True)
class RoutedAnswer:
    intent: Intent
    text: str  # plain text, safe to show
    runs: list[SqlRun]


def route(question: str, context_type: str = "general") -> Intent:
    """The intent of `question` (most specific first); unknown questions get the overview, or
    the duplicate summary in a chat opened from the Duplicates page."""
    text = " ".join(question.strip().rstrip("?!. ").split())
    lower = text.lower()
    media_type = _media_type(lower)
    tier = next((name for pattern, name in _TIERS if pattern.search(lower)), None)
    if (found := why_title(text)) is not None:
        title, year = found
        return Intent("why_planned", title=title, year=year)
    if stars := _STARS.search(lower):
        word = stars.group(1)
        return Intent("rated", stars=int(_STAR_WORDS.get(word, word)))
    if _RATED.search(lower) and not _WATCH.search(lower):
        return Intent("rated")
    if _REVIEW.search(lower):
        return Intent("review_list")
    genres = tuple(name for pattern, names in _GENRES if pattern.search(lower) for name in names)
    if genres and _DUPLICATES.search(lower):
        return Intent(
            "genre_duplicates", media_type=media_type, genres=tuple(dict.fromkeys(genres))
        )
    if _DUPLICATES.search(lower):
        return Intent("duplicate_summary")
    if _WATCH.search(lower):
        return Intent("watch_tonight")
    if _SPACE.search(lower):
        return Intent("most_space", media_type=media_type)
    if _BREAKDOWN.search(lower) and tier is None:
        return Intent("quality_breakdown")
    if tier is not None or _COUNT.search(lower):
        return Intent("count_files", media_type=media_type, quality_tier=tier)
    return Intent("duplicate_summary" if context_type == "duplicates" else "overview")


def why_title(question: str) -> tuple[str, int | None] | None:
    """(title, year) from a 'why was X planned for deletion' question, else None."""
    text = " ".join(question.strip().rstrip("?!. ").split())
    for pattern in _WHY:
        match = pattern.search(text)
        if match:
            title = _TITLE_SUFFIX.sub("", match.group("title").strip(_QUOTES + " ?!."))
            title = _TITLE_PREFIX.sub("", title).strip(_QUOTES + " ")
            year_match = _YEAR.search(title)
            year = int(year_match.group(1)) if year_match else None
            title = _YEAR.sub("", title).strip(_QUOTES + " -,")
            if title:
                return title, year
    return None


# Intents with a query over a seed table a warehouse may not hold yet: (table, query) pairs.
_OPTIONAL: dict[IntentName, tuple[tuple[str, str], ...]] = {
    "rated": (("user_reviews", "intent_rated_reviews"),),
    "watch_tonight": (("watch_history", "intent_watched_titles"),),
    "review_list": (("review_queue", "intent_review_queue"),),
}


def answer(question: str, sql: SafeSql, context_type: str = "general") -> RoutedAnswer:
    """Route `question`, run its SQL in the sandbox and describe the result."""
    intent = route(question, context_type)
    tables = set(sql.schema()) if intent.name in _OPTIONAL else set()
    runs: list[SqlRun] = []
    for name, params in queries(intent, tables):
        if "watched" in params and runs and runs[-1].result is not None:
            # The titles watch_history has as watched, from the query just before.
            params = {"watched": [row[0] for row in runs[-1].result.rows]}
        runs.append(sql.attempt(f"offline: {intent.name}", chat_sql(name), params))
    # An optional query that fails (a newer table of another shape) is shown, not fatal.
    optional = {query for _, query in _OPTIONAL.get(intent.name, ())}
    described = [
        run
        for run, (name, _) in zip(runs, queries(intent, tables), strict=True)
        if run.result is not None or name not in optional
    ]
    return RoutedAnswer(intent, plain_text(describe(intent, described)), runs)


def queries(intent: Intent, tables: set[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The sql/chat files (and their parameters) an intent runs, given the queryable `tables`
    (an optional query runs only when its table is among them)."""
    optional = [
        query for table, query in _OPTIONAL.get(intent.name, ()) if table in (tables or set())
    ]
    if intent.name == "why_planned":
        return [
            ("intent_why_planned", {"pattern": like_pattern(intent.title), "year": intent.year})
        ]
    if intent.name == "count_files":
        return [
            (
                "intent_count_files",
                {"media_type": intent.media_type, "quality_tier": intent.quality_tier},
            )
        ]
    if intent.name == "most_space":
        return [("intent_most_space", {"media_type": intent.media_type})]
    if intent.name == "duplicate_summary":
        return [("intent_duplicate_summary", {}), ("intent_duplicate_groups", {})]
    if intent.name == "genre_duplicates":
        return [
            (
                "intent_genre_duplicates",
                {"genres": list(intent.genres), "media_type": intent.media_type},
            )
        ]
    if intent.name == "rated":
        return [(name, {"stars": intent.stars}) for name in ["intent_rated", *optional]]
    if intent.name == "watch_tonight":
        return [*((name, {}) for name in optional), ("intent_watch_tonight", {"watched": []})]
    return [(name, {}) for name in [f"intent_{intent.name}", *optional]]


def like_pattern(title: str | None) -> str:
    """A case- and accent-insensitive LIKE pattern (escape '\\') matching `title` anywhere."""
    folded = "".join(
        c
        for c in unicodedata.normalize("NFKD", (title or "").lower())
        if not unicodedata.combining(c)
    )
    # A title of separators only ("_", "-") is looked up literally: no words would make "%%",
    # which matches every file.
    words = [w for w in re.split(r"[\s._-]+", folded) if w] or [folded.strip()]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    # One wildcard character between words: "The Matrix" also finds "The.Matrix.1999...".
    return "%" + "_".join(escaped) + "%"


def describe(intent: Intent, runs: Sequence[SqlRun]) -> str:
    """The answer text for an intent's query results."""
    failed = next((run for run in runs if run.result is None), None)
    if failed is not None:
        return f"I could not read the library: {failed.error}"
    rows = [run.result.records() for run in runs if run.result is not None]
    return _DESCRIBERS[intent.name](intent, rows)


def _media_type(lower: str) -> Literal["movie", "tv"] | None:
    movie, tv = bool(_MOVIE.search(lower)), bool(_TV.search(lower))
    if movie == tv:
        return None
    return "movie" if movie else "tv"


def _noun(media_type: str | None, count: int) -> str:
    singular, plural = _TYPE_NOUNS.get(media_type or "", ("file", "files"))
    return singular if count == 1 else plural


def _label(row: dict[str, Any]) -> str:
    """'Inception (2010)' or 'Red Dwarf S01E02'."""
    name = str(row.get("show_name") or row.get("title") or "(untitled)")
    if row.get("season_number") is not None and row.get("episode_number") is not None:
        return f"{name} S{row['season_number']:02d}E{row['episode_number']:02d}"
    return f"{name} ({row['year']})" if row.get("year") else name


def _describe_count(intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    count = int(rows[0][0]["file_count"])
    tier = f"{intent.quality_tier} " if intent.quality_tier else ""
    noun = _noun(intent.media_type, count)
    return f"You have {count} {tier}{noun} (counting active files only)."


def _describe_breakdown(_intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    if not rows[0]:
        return "The library has no active files yet."
    lines = ["Active files by type and quality tier:"]
    for row in rows[0]:
        count = int(row["file_count"])
        lines.append(
            f"- {row['media_type'] or 'unknown'} {row['quality_tier'] or 'unknown tier'}: "
            f"{count} {_noun(None, count)} ({human_bytes(float(row['total_size'] or 0))})"
        )
    return "\n".join(lines)


def _describe_duplicates(_intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    s = rows[0][0]
    groups = int(s["duplicate_groups"])
    if not groups:
        return "No duplicate groups were found in the library."
    exact = int(s["exact_groups"])
    lines = [
        f"{groups} duplicate groups ({exact} exact, {groups - exact} by name) hold "
        f"{int(s['files_in_groups'])} files; keeping one copy of each would free up to "
        f"{human_bytes(float(s['potential_savings']))}.",
        f"The deletion plan proposes {int(s['planned_deletions'])} files "
        f"({human_bytes(float(s['bytes_freed']))}); {int(s['needs_review'])} of them need "
        "manual review.",
        "Largest groups:",
    ]
    lines += [
        f"- {_label(g)}: {g['file_count']} files, {g['group_type']}, "
        f"{human_bytes(float(g['potential_savings'] or 0))} to gain"
        for g in rows[1]
    ]
    return "\n".join(lines)


def _describe_genre_duplicates(intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    what = f"{' / '.join(intent.genres)} {_noun(intent.media_type, 2)}"
    if not rows[0]:
        return (
            f"No {what} have duplicates (genres come from TMDb: titles without a TMDb match "
            "have none)."
        )
    lines = [f"{what} with duplicates:"]
    lines += [
        f"- {_label(row)}: {row['duplicate_groups']} duplicate "
        f"{'group' if row['duplicate_groups'] == 1 else 'groups'}, {row['file_count']} files "
        f"({human_bytes(float(row['total_size'] or 0))})"
        for row in rows[0]
    ]
    return "\n".join(lines)


def _describe_space(intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    if not rows[0]:
        return "The library has no active files yet."
    what = {"movie": "movies", "tv": "shows"}.get(intent.media_type or "", "titles")
    lines = [f"The {what} taking the most space (active files):"]
    lines += [
        f"{i}. {row['show_name'] or '(untitled)'} ({row['media_type']}): "
        f"{human_bytes(float(row['total_size']))} in {row['file_count']} "
        f"{_noun(None, int(row['file_count']))}"
        for i, row in enumerate(rows[0], start=1)
    ]
    return "\n".join(lines)


def _describe_review(_intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    if not rows[0]:
        lines = ["Nothing in the deletion plan needs manual review."]
    else:
        awaiting = int(rows[0][0]["awaiting"])
        shown = f", the {len(rows[0])} closest calls first" if awaiting > len(rows[0]) else ""
        lines = [
            f"{awaiting} planned {'deletion needs' if awaiting == 1 else 'deletions need'} "
            f"manual review (smallest quality difference first{shown}):"
        ]
        lines += [
            f"- {row['title'] or '(untitled)'}: {row['filename']} "
            f"({row['deletion_category']}, {row['decision_confidence']}). "
            f"Plan's reason: {row['deletion_reason']}"
            for row in rows[0]
        ]
    if len(rows) > 1:  # seed 004's review_queue
        lines.append(f"Review queue: {len(rows[1]) or 'no'} pending items.")
        lines += [
            f"- {cell_text(row['reason'], max_chars=160)} (confidence {row['confidence']:.2f})"
            for row in rows[1]
        ]
    return "\n".join(lines)


def _stars(value: Any) -> str:
    return f"{int(value)} {'star' if int(value) == 1 else 'stars'}"


def _describe_rated(intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    asked = _stars(intent.stars) if intent.stars else "4 or 5 stars"
    if not rows[0]:
        lines = [f"You have rated no title {asked} (ratings are set on the Library page)."]
    else:
        lines = [f"Titles you rated {asked}:"]
        lines += [
            f"- {_label(row)} ({row['media_type']}): {_stars(row['stars'])}" for row in rows[0]
        ]
    if len(rows) > 1:  # seed 003's user_reviews
        lines.append(f"Your reviews rated {asked} (of 10: stars x 2): {len(rows[1]) or 'none'}")
        lines += [
            f"- {_label(row)}: {cell_text(row['rating'])}/10"
            + (f" - {cell_text(row['review_text'], max_chars=120)}" if row["review_text"] else "")
            for row in rows[1]
        ]
    return "\n".join(lines)


def _describe_watch(_intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    picks = rows[-1]
    if not picks:
        return "No movie to suggest: none is active, unrejected and outside the deletion plan."
    why = (
        "not watched yet (watch history), "
        if len(rows) > 1
        else "(no watch history yet, so watched ones may be among them) "
    )
    lines = [f"For tonight, movies on disk {why}your own stars first, then TMDb's rating:"]
    lines += [
        f"- {_label(row)}: "
        + (_stars(row["stars"]) if row["stars"] else "not rated by you")
        + (f", TMDb {cell_text(row['tmdb_rating'])}" if row["tmdb_rating"] is not None else "")
        + (f", {row['quality_tier']}" if row["quality_tier"] else "")
        for row in picks
    ]
    return "\n".join(lines)


def _describe_why(intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    asked = f"{intent.title} ({intent.year})" if intent.year else str(intent.title)
    if not rows[0]:
        return (
            f"The deletion plan holds no entry for {asked!r}: no file of that title is planned "
            "for deletion or deliberately kept."
        )
    lines = [f"What the deletion plan says about {asked}:"]
    for row in rows[0]:
        if row["decision"] == "kept":
            lines.append(f"- {row['filename']} is kept ({row['category']}): {row['reason']}")
        else:
            review = ", needs manual review" if row["requires_manual_review"] else ""
            lines.append(
                f"- {row['filename']} is planned for deletion ({row['category']}, "
                f"confidence {row['decision_confidence']}{review}): {row['reason']}"
            )
    return "\n".join(lines)


def _describe_overview(_intent: Intent, rows: list[list[dict[str, Any]]]) -> str:
    s = rows[0][0]
    return "\n".join(
        [
            f"Your library: {int(s['total_files'])} active files "
            f"({human_bytes(float(s['total_size']))}): {int(s['movie_files'])} movie files, "
            f"{int(s['tv_files'])} TV files, {int(s['duplicate_groups'])} duplicate groups, "
            f"{int(s['pending_deletions'])} planned deletions.",
            "Without a model I answer questions like these:",
            *(f"- {q}" for q in EXAMPLE_QUESTIONS),
            "(counts by quality tier and type, duplicates, duplicates of a genre, space, what "
            "is waiting for review, why a title was planned for deletion, your ratings and what "
            "to watch).",
        ]
    )


_DESCRIBERS: dict[IntentName, Callable[[Intent, list[list[dict[str, Any]]]], str]] = {
    "count_files": _describe_count,
    "quality_breakdown": _describe_breakdown,
    "duplicate_summary": _describe_duplicates,
    "genre_duplicates": _describe_genre_duplicates,
    "most_space": _describe_space,
    "review_list": _describe_review,
    "rated": _describe_rated,
    "watch_tonight": _describe_watch,
    "why_planned": _describe_why,
    "overview": _describe_overview,
}
