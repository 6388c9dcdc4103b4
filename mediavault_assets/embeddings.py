"""Vectors of the titles' documents from the configured OpenAI / Azure OpenAI embedding model,
for the similar-title search (domain/semantic_search.py).

The documents are built here, one way, for the refresh that embeds them (defs/library/
embeddings.py) and for the search that compares a wish with them (watching.similar), so a
document's hash at search time is the hash its vector was stored under.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mediavault_assets.domain.semantic_search import SearchDoc
from mediavault_assets.openai_client import embedding_model, openai_client
from mediavault_assets.settings import Secrets
from mediavault_assets.watching_store import Review

if TYPE_CHECKING:
    from openai import OpenAI

BATCH_SIZE = 100  # inputs per request: the API takes more, but a failed request costs less
EMBEDDING_TYPE = "combined"  # seed 003: overview + tagline + genres + reviews + tags
NO_KEY = "no OPENAI_API_KEY or AZURE_OPENAI_KEY in the environment"


class EmbeddingError(RuntimeError):
    """The model could not be asked (HTTP error, timeout, refused input) or answered oddly."""


def library_docs(rows: Iterable[Mapping[str, Any]], reviews: Iterable[Review]) -> list[SearchDoc]:
    """The search's documents: the titles on disk (watching/candidates rows) with the person's
    review texts and tags."""
    notes: dict[int, list[str]] = {}
    for r in reviews:
        notes.setdefault(r.media_id, []).extend([r.review_text or "", *r.tags])
    return [
        SearchDoc(
            r["media_id"],
            r["title"],
            " ".join([r["overview"] or "", r["tagline"] or "", *notes.get(r["media_id"], [])]),
            tuple(r["genres"]),
        )
        for r in rows
    ]


@dataclass
class Embedder:
    """One model of one provider, counting what it was asked."""

    client: OpenAI
    model: str
    requests_sent: int = 0
    prompt_tokens: int = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One request: a vector per text, in the texts' order."""
        import openai  # loaded by the client already (openai_client)

        try:
            response = self.client.embeddings.create(model=self.model, input=list(texts))
        except openai.OpenAIError as error:
            raise EmbeddingError(f"{type(error).__name__}: {error}") from error
        self.requests_sent += 1
        if response.usage is not None:
            self.prompt_tokens += response.usage.prompt_tokens
        data = sorted(response.data, key=lambda d: d.index)
        if [d.index for d in data] != list(range(len(texts))):
            raise EmbeddingError(f"{len(data)} vectors came back for {len(texts)} texts")
        return [list(d.embedding) for d in data]


def embedder_for(secrets: Secrets, *, timeout: float = 60.0) -> Embedder | None:
    """The configured provider's embedding model, or None offline."""
    client, model = openai_client(secrets, timeout=timeout), embedding_model(secrets)
    return Embedder(client, model) if client is not None and model is not None else None
