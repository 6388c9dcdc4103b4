"""Seed 003's genre taxonomy: eight families with their sub-genres, and how TMDb's genres map in.

A family that is a TMDb genre (Science Fiction, Documentary, Comedy, Action) *is* that genre row
(id = TMDb's genre id), so TMDb's links already place titles in it; the others (Film Noir, Anime,
Iranian Cinema, Multi-Genre) get ids of their own. Titles join a family or sub-genre only on
evidence TMDb gives: Animation from Japan is anime, a Persian-language or Iranian production is
Iranian cinema, a crime film before 1960 is classic noir, two genres together are a hybrid.
Sub-genres that need more than that (space opera, shōnen...) are there to browse and to name in
a recommendation preset; they are never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mediavault_assets.domain.model import stable_id


@dataclass(frozen=True, slots=True)
class TaxonomyGenre:
    id: int
    tmdb_genre_id: int | None
    name: str
    slug: str
    parent_genre_id: int | None
    genre_category: str
    description: str | None


# family slug → (TMDb genre id or None, category, name, description, sub-genres)
_FAMILIES: dict[str, tuple[int | None, str, str, str, tuple[str, ...]]] = {
    "film-noir": (
        None,
        "film-noir",
        "Film Noir",
        "Crime stories of moral ambiguity, fatalism and low-key light.",
        (
            "Classic Noir",
            "Neo-Noir",
            "Tech-Noir",
            "Psychological Noir",
            "Heist Noir",
            "Nordic Noir",
        ),
    ),
    "science-fiction": (
        878,
        "sci-fi",
        "Science Fiction",
        "Speculative stories of science, technology and the future.",
        (
            "Cyberpunk",
            "Space Opera",
            "Dystopian",
            "Time Travel",
            "Hard Science Fiction",
            "Military Science Fiction",
            "Post-Apocalyptic",
            "Alien Contact",
            "Steampunk",
        ),
    ),
    "documentary": (
        99,
        "documentary",
        "Documentary",
        "Non-fiction film, in Bill Nichols' six modes.",
        ("Poetic", "Expository", "Observational", "Participatory", "Reflexive", "Performative"),
    ),
    "comedy": (
        35,
        "comedy",
        "Comedy",
        "Stories made to amuse.",
        (
            "Screwball Comedy",
            "Slapstick",
            "Romantic Comedy",
            "Black Comedy",
            "Satire",
            "Parody",
            "Mockumentary",
            "Comedy of Manners",
        ),
    ),
    "anime": (
        None,
        "anime",
        "Anime",
        "Japanese animation: five audience demographics and eight common themes.",
        (
            "Kodomo",
            "Shōnen",
            "Shōjo",
            "Seinen",
            "Josei",
            "Mecha",
            "Isekai",
            "Slice of Life",
            "Magical Girl",
            "Sports Anime",
            "Psychological Anime",
            "Supernatural Anime",
            "Historical Anime",
        ),
    ),
    "action": (
        28,
        "action",
        "Action",
        "Stories driven by physical conflict, chases and stunts.",
        (
            "Martial Arts",
            "Heist",
            "Spy",
            "Disaster",
            "Superhero",
            "Military Action",
            "Buddy Cop",
            "Swashbuckler",
        ),
    ),
    "iranian-cinema": (
        None,
        "iranian-cinema",
        "Iranian Cinema",
        "Film from Iran, in four movements.",
        (
            "Film-e Farsi",
            "Iranian New Wave",
            "Post-Revolutionary Cinema",
            "Contemporary Iranian Cinema",
        ),
    ),
    "multi-genre": (
        None,
        "multi-genre",
        "Multi-Genre",
        "Hybrids of two genres.",
        (
            "Action Comedy",
            "Horror Comedy",
            "Science Fiction Horror",
            "Comedy Drama",
            "Space Western",
            "Crime Comedy",
        ),
    ),
}
# A hybrid sub-genre of Multi-Genre: the TMDb genres a title needs all of.
_HYBRIDS: dict[str, frozenset[int]] = {
    "action-comedy": frozenset({28, 35}),
    "horror-comedy": frozenset({27, 35}),
    "science-fiction-horror": frozenset({878, 27}),
    "comedy-drama": frozenset({35, 18}),
    "space-western": frozenset({878, 37}),
    "crime-comedy": frozenset({80, 35}),
}
# TMDb's TV genres that are halves of a family: "Sci-Fi & Fantasy" counts as science fiction.
TMDB_GENRE_PARENTS: dict[int, str] = {10765: "science-fiction", 10759: "action"}
_ANIMATION, _CRIME = 16, 80
_NOIR_BEFORE = 1960


def slug(text: str) -> str:
    """Genre slugs as TMDb genre rows have them: "Sci-Fi & Fantasy" → "sci-fi-fantasy"."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _family_id(family: str) -> int:
    tmdb_id = _FAMILIES[family][0]
    return tmdb_id if tmdb_id is not None else stable_id("genre", family)


def taxonomy() -> list[TaxonomyGenre]:
    """Every family and sub-genre of seed 003's taxonomy, families first."""
    families, children = [], []
    for family, (tmdb_id, category, name, description, subs) in _FAMILIES.items():
        family_id = _family_id(family)
        families.append(
            TaxonomyGenre(family_id, tmdb_id, name, family, None, category, description)
        )
        for sub in subs:
            children.append(
                TaxonomyGenre(
                    stable_id("genre", slug(sub)), None, sub, slug(sub), family_id, category, None
                )
            )
    return families + children


def tmdb_genre_placement(tmdb_genre_id: int) -> tuple[int | None, str | None]:
    """(parent genre id, category) for a TMDb genre row that is not itself a family."""
    family = TMDB_GENRE_PARENTS.get(tmdb_genre_id)
    if family is None:
        return None, None
    return _family_id(family), _FAMILIES[family][1]


def derived_genres(
    tmdb_genre_ids: Iterable[int],
    *,
    original_language: str | None,
    countries: Iterable[str],
    year: int | None,
) -> list[tuple[int, float]]:
    """(genre id, weight) of taxonomy genres a title belongs to by TMDb's facts, beyond the TMDb
    genres it has (those link already). Weight 1.0 for families, 0.5 for inferred sub-genres."""
    ids = set(tmdb_genre_ids)
    found: list[tuple[int, float]] = []
    for tmdb_id, family in TMDB_GENRE_PARENTS.items():
        if tmdb_id in ids:
            found.append((_family_id(family), 1.0))
    if _ANIMATION in ids and original_language == "ja":
        found.append((_family_id("anime"), 1.0))
    if original_language == "fa" or "IR" in set(countries):
        found.append((_family_id("iranian-cinema"), 1.0))
    if _CRIME in ids and year is not None and year < _NOIR_BEFORE:
        found.append((_family_id("film-noir"), 1.0))
        found.append((stable_id("genre", "classic-noir"), 0.5))
    hybrids = [h for h, needs in _HYBRIDS.items() if needs <= ids]
    if hybrids:
        found.append((_family_id("multi-genre"), 1.0))
        found.extend((stable_id("genre", h), 0.5) for h in hybrids)
    return list(dict.fromkeys(found))
