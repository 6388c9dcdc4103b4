"""Search over titles for a plain-language wish: BM25 over each title's overview, tagline,
genres, reviews and tags (offline, no download), with two honest additions; and, when the
titles' documents have embedding vectors, the same ranked by meaning (cosine similarity),
blended with the lexical score.

- "like <title>": a title of the library named in the query lends its own words to the query
  (so "something like Blade Runner" finds what shares Blade Runner's vocabulary), and is left
  out of the answers.
- moods: a few comparative words ("funnier", "darker", "scarier"...) boost titles of the genres
  they mean, by TMDb's genres or by the person's own words (a tag or review saying "comedy").
  That is a small fixed table, not understanding.

What gets embedded is `document(doc)`; its `document_hash` tells whether a stored vector is
still the vector of the title's text (`embedding_tasks`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
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
# With vectors: this share of the score is meaning, the rest the lexical score (which carries
# the moods and the "like <title>" words).
SEMANTIC_WEIGHT = 0.7
# ~2,000 tokens: far under a model's 8,191 per input, and 100 inputs stay under a request's cap.
MAX_DOCUMENT_CHARS = 8000


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


class SearchResults(list[SearchHit]):
    """The hits, best first, and the method that found them, to show with them:
    "semantic (<model>)" or "lexical (<why>)"."""

    def __init__(self, hits: Iterable[SearchHit], method: str) -> None:
        super().__init__(hits)
        self.method = method


@dataclass(frozen=True, slots=True)
class EmbeddingTask:
    media_id: int
    text: str
    document_hash: str


def document(doc: SearchDoc) -> str:
    """The text a title's vector is made of: what the lexical search reads, in one string."""
    genres = f" Genres: {', '.join(doc.genres)}." if doc.genres else ""
    return f"{doc.title}. {doc.text.strip()}{genres}"[:MAX_DOCUMENT_CHARS]


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embedding_tasks(docs: Iterable[SearchDoc], stored: Mapping[int, str]) -> list[EmbeddingTask]:
    """The documents to embed: those without a vector of the model, or whose text changed since
    (`stored`: media_id → document_hash of the model's vectors)."""
    tasks = []
    for doc in docs:
        text = document(doc)
        digest = document_hash(text)
        if stored.get(doc.media_id) != digest:
            tasks.append(EmbeddingTask(doc.media_id, text, digest))
    return tasks


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


def semantic_search(
    query: str,
    query_vector: Sequence[float],
    docs: Iterable[SearchDoc],
    vectors: Mapping[int, Sequence[float]],
    *,
    limit: int = 10,
) -> list[SearchHit]:
    """The titles ranked by the cosine similarity of their vector to the query's, blended with
    the lexical score; a title without a vector (new since the last refresh) has only the
    lexical part. The title named after "like" is left out, as in `search`."""
    docs = list(docs)
    reference = _reference(query, docs)
    lexical = {h.media_id: h for h in search(query, docs, limit=len(docs))}
    top_lexical = max((h.score for h in lexical.values()), default=0.0) or 1.0
    ids = [
        d.media_id
        for d in docs
        if d.media_id in vectors and (reference is None or d.media_id != reference.media_id)
    ]
    similarity: dict[int, float] = {}
    if ids:
        matrix = np.asarray([vectors[i] for i in ids], dtype=np.float64)
        wish = np.asarray(query_vector, dtype=np.float64)
        norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(wish)
        cosines = np.divide(matrix @ wish, norms, out=np.zeros(len(ids)), where=norms > 0)
        similarity = dict(zip(ids, cosines.tolist(), strict=True))
    # Real models put every text within a narrow band of cosines: spread over 0..1, the band
    # weighs against the lexical score as meant (one vector alone: its cosine, from 0).
    low, high = min(similarity.values(), default=0.0), max(similarity.values(), default=0.0)
    meaning = {
        i: (c - low) / (high - low) if high > low else max(c, 0.0) for i, c in similarity.items()
    }
    hits = []
    for d in docs:
        if reference is not None and d.media_id == reference.media_id:
            continue
        cos = similarity.get(d.media_id)
        words_hit = lexical.get(d.media_id)
        score = SEMANTIC_WEIGHT * meaning.get(d.media_id, 0.0) + (1 - SEMANTIC_WEIGHT) * (
            words_hit.score / top_lexical if words_hit else 0.0
        )
        if score <= 0:
            continue
        why = [f"close in meaning (cosine {cos:.2f})"] if cos is not None else []
        if words_hit and words_hit.why:
            why.append(words_hit.why)
        hits.append(SearchHit(d.media_id, d.title, round(score, 3), "; ".join(why)))
    hits.sort(key=lambda h: (-h.score, h.title.casefold()))
    return hits[:limit]
