"""Offline "semantic" search over titles: BM25 over each title's overview, tagline, genres,
reviews and tags, with two honest additions and no download.

- "like <title>": a title of the library named in the query lends its own words to the query
  (so "something like Blade Runner" finds what shares Blade Runner's vocabulary), and is left
  out of the answers.
- moods: a few comparative words ("funnier", "darker", "scarier"...) boost titles of the genres
  they mean, by TMDb's genres or by the person's own words (a tag or review saying "comedy").
  That is a small fixed table, not understanding.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "like",
        "me",
        "more",
        "of",
        "on",
        "or",
        "similar",
        "something",
        "than",
        "that",
        "the",
        "this",
        "to",
        "with",
        "without",
        "want",
        "watch",
        "show",
        "movie",
        "film",
        "some",
    ]
)
# mood word → genre slugs it boosts
MOODS: dict[str, tuple[str, ...]] = {
    "funny": ("comedy",),
    "funnier": ("comedy",),
    "lighter": ("comedy", "family", "animation"),
    "comedy": ("comedy",),
    "darker": ("crime", "thriller", "film-noir", "horror"),
    "dark": ("crime", "thriller", "film-noir"),
    "scary": ("horror",),
    "scarier": ("horror",),
    "romantic": ("romance",),
    "sadder": ("drama",),
    "action": ("action",),
    "faster": ("action", "thriller"),
}
_MOOD_BOOST = 1.0  # × the best text score: a similar title of the asked mood beats any other
_K1, _B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class SearchDoc:
    media_id: int
    title: str
    text: str  # overview, tagline, reviews, tags
    genres: tuple[str, ...] = ()  # slugs, with parents and categories


@dataclass(frozen=True, slots=True)
class SearchHit:
    media_id: int
    title: str
    score: float
    why: str


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _STOP and len(w) > 1]


def _reference(query: str, docs: list[SearchDoc]) -> SearchDoc | None:
    """The library title the query names after "like", when one is named closely enough."""
    match = re.search(r"\blike\s+(.+?)(?:\s+\b(?:but|and|with|only|yet)\b|[,.;!?]|$)", query, re.I)
    if not match:
        return None
    named = match.group(1).strip()
    best = max(docs, key=lambda d: fuzz.ratio(named.casefold(), d.title.casefold()), default=None)
    if best is None or fuzz.ratio(named.casefold(), best.title.casefold()) < 80:
        return None
    return best


def search(query: str, docs: Iterable[SearchDoc], *, limit: int = 10) -> list[SearchHit]:
    docs = list(docs)
    reference = _reference(query, docs)
    terms = Counter(words(query))
    moods = {g for w in terms for g in MOODS.get(w, ())}
    if reference is not None:
        for w in words(reference.title):
            terms.pop(w, None)
        terms.update({w: 0.5 for w in words(reference.text)})
        terms.update({g: 1.0 for g in reference.genres})
    bodies = {d.media_id: Counter(words(f"{d.title} {d.text}") + list(d.genres)) for d in docs}
    lengths = {i: sum(b.values()) for i, b in bodies.items()}
    average = sum(lengths.values()) / len(lengths) if lengths else 0.0
    frequency = Counter(w for b in bodies.values() for w in b)
    scored: list[tuple[float, SearchDoc, list[str], list[str]]] = []
    for d in docs:
        if reference is not None and d.media_id == reference.media_id:
            continue
        body, length = bodies[d.media_id], lengths[d.media_id]
        score, shared = 0.0, []
        for w, weight in terms.items():
            tf = body.get(w, 0)
            if not tf:
                continue
            idf = math.log(1 + (len(docs) - frequency[w] + 0.5) / (frequency[w] + 0.5))
            score += weight * idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average))
            shared.append(w)
        scored.append((score, d, shared, sorted(moods & set(body))))
    top = max((s for s, *_ in scored), default=0.0) or 1.0
    hits = []
    for score, d, shared, mood_hits in scored:
        total = score + (_MOOD_BOOST * top if mood_hits else 0.0)
        if total <= 0:
            continue
        why = []
        if reference is not None and shared:
            why.append(f"like {reference.title}: shares {', '.join(shared[:5])}")
        elif shared:
            why.append(f"matches {', '.join(shared[:5])}")
        if mood_hits:
            asked = ", ".join(sorted(_mood_words(terms)))
            why.append(f"{', '.join(mood_hits)} (asked for {asked})")
        hits.append(SearchHit(d.media_id, d.title, round(total, 3), "; ".join(why)))
    hits.sort(key=lambda h: (-h.score, h.title.casefold()))
    return hits[:limit]


def _mood_words(terms: Mapping[str, float]) -> set[str]:
    return {w for w in terms if w in MOODS}


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
