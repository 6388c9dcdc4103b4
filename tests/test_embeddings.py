"""Title embeddings for the similar-title search, against the fake OpenAI server on 127.0.0.1:
the refresh step stores a vector per title with its model and document hash, embeds again only
what changed, survives a failing model, and the search ranks by the vectors when it has them
and says which method answered."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from mediavault_assets.cli import demo_settings
from mediavault_assets.defs.library import embeddings as embedding_defs
from mediavault_assets.defs.library.embeddings import media_embeddings
from mediavault_assets.domain.semantic_search import document, document_hash
from mediavault_assets.embeddings import NO_KEY, library_docs
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import Settings, load_settings, write_settings
from mediavault_assets.snapshot import read_named
from mediavault_assets.warehouse import Warehouse, snapshot_path_for
from mediavault_assets.watching import resolve_title, similar, store_for
from tests.conftest import Refreshed
from tests.fake_openai import (
    API_KEY,
    AZURE_API_VERSION,
    AZURE_KEY,
    EMBEDDING_DIMENSIONS,
    FakeOpenAI,
    clear_proxy_env,
    fake_embedding,
    running_fake_openai,
)

MODEL_KEYS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_EMBEDDING_MODEL",
    "AZURE_OPENAI_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_VERSION",
    "AZURE_DEPLOYMENT_NAME_EMBEDDING",
)


@dataclass(frozen=True)
class Library:
    config: Path
    settings: Settings

    def vectors(self) -> pl.DataFrame:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.sql("SELECT * FROM media_embeddings ORDER BY media_id").pl()

    def docs_by_id(self) -> dict[int, str]:
        rows = read_named(self.settings, "watching/candidates").iter_rows(named=True)
        docs = library_docs(rows, store_for(self.settings).reviews())
        return {d.media_id: document(d) for d in docs}

    def review(self, title: str, text: str) -> int:
        ref = resolve_title(self.settings, title)
        store_for(self.settings).review(ref, 7, by="al", text=text)
        return ref.media_id


@pytest.fixture
def library(refreshed_demo: Refreshed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """A copy of the refreshed demo of this test's own: warehouse, snapshot, review store."""
    clear_proxy_env(monkeypatch)
    for name in MODEL_KEYS:
        monkeypatch.delenv(name, raising=False)
    source = refreshed_demo.settings.warehouse_path
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(source, warehouse)
    shutil.copyfile(snapshot_path_for(source), snapshot_path_for(warehouse))
    data = {
        **demo_settings(refreshed_demo.library),
        "warehouse_path": str(warehouse),
        "app_store_path": str(tmp_path / "review.sqlite"),
        "cache_dir": str(tmp_path / "cache"),
    }
    config = write_settings(data, tmp_path / "mediavault.yaml")
    return Library(config, load_settings(config))


@pytest.fixture
def fake(library: Library, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """The fake server, configured as OpenAI in the environment (as a refresh reads it)."""
    with running_fake_openai() as server:
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server


def embed(library: Library) -> dict[str, object]:
    """Materialize media_embeddings; its metadata."""
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    # An earlier test's closed instance can still be the "current" defs-state storage (as in
    # orchestration.load_definitions); this asset keeps no defs state.
    with set_defs_state_storage(None):
        result = dg.materialize(
            [media_embeddings],
            instance=dg.DagsterInstance.ephemeral(),
            resources={
                "settings": MediaVaultSettings(config_path=str(library.config)),
                "warehouse": Warehouse(path=str(library.settings.warehouse_path)),
            },
        )
    assert result.success
    [materialization] = result.asset_materializations_for_node("media_embeddings")
    return {k: v.value for k, v in materialization.metadata.items()}


def embedding_requests(fake: FakeOpenAI) -> list[list[str]]:
    """The inputs of each embedding request since the last call, and forget them."""
    found = [r.inputs for r in fake.requests if r.is_embedding]
    fake.requests.clear()
    return found


def test_vectors_are_stored_with_model_and_hash_and_made_again_only_when_text_changes(
    library: Library, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding_defs, "BATCH_SIZE", 4)
    docs = library.docs_by_id()
    assert len(docs) > 4

    first = embed(library)
    batches = embedding_requests(fake)
    assert [len(b) for b in batches] == [4] * (len(docs) // 4) + (
        [len(docs) % 4] if len(docs) % 4 else []
    )
    assert sorted(t for b in batches for t in b) == sorted(docs.values())
    stored = library.vectors()
    assert stored["media_id"].to_list() == sorted(docs)
    assert set(stored["embedding_model"]) == {"text-embedding-3-small"}
    assert set(stored["embedding_type"]) == {"combined"}
    for row in stored.iter_rows(named=True):
        assert row["document_hash"] == document_hash(docs[row["media_id"]])
        assert len(row["embedding"]) == EMBEDDING_DIMENSIONS
        assert row["embedding"] == pytest.approx(fake_embedding(docs[row["media_id"]]), abs=1e-6)
    assert first["titles_embedded"] == len(docs) and first["requests_sent"] == len(batches)
    assert first["embedding_model"] == "text-embedding-3-small" and first["error"] == "none"

    again = embed(library)
    assert embedding_requests(fake) == []
    assert (again["titles_embedded"], again["titles_unchanged"]) == (0, len(docs))

    blade_runner = library.review("Blade Runner", "Neon rain and replicants.")
    changed = embed(library)
    assert embedding_requests(fake) == [[library.docs_by_id()[blade_runner]]]
    assert changed["titles_embedded"] == 1
    after = library.vectors()
    [row] = after.filter(pl.col("media_id") == blade_runner).iter_rows(named=True)
    assert row["document_hash"] == document_hash(library.docs_by_id()[blade_runner])
    unchanged = stored.filter(pl.col("media_id") != blade_runner)
    assert after.filter(pl.col("media_id") != blade_runner).equals(unchanged)


def test_a_new_model_embeds_everything_again_and_titles_that_left_lose_their_vectors(
    library: Library, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    embed(library)
    titles = len(library.docs_by_id())
    with duckdb.connect(str(library.settings.warehouse_path)) as con:  # a title gone from disk
        con.execute(
            "INSERT INTO media_embeddings SELECT 999999, embedding_type, embedding_model, "
            "document_hash, embedding, created_at FROM media_embeddings LIMIT 1"
        )
    monkeypatch.setenv("OPENAI_EMBEDDING_MODEL", "text-embedding-3-large")
    fake.requests.clear()

    result = embed(library)
    assert {r.body["model"] for r in fake.requests} == {"text-embedding-3-large"}
    assert result["titles_embedded"] == titles and result["vectors_removed"] == 1
    counts = library.vectors().group_by("embedding_model").len()
    assert dict(counts.iter_rows()) == {
        "text-embedding-3-small": titles,
        "text-embedding-3-large": titles,
    }


def test_a_failing_model_keeps_the_refresh_green_and_the_search_lexical(
    library: Library, fake: FakeOpenAI
) -> None:
    fake.fail_next(500, times=2)  # the request and the client's one retry
    failed = embed(library)
    assert failed["titles_embedded"] == 0 and "500" in str(failed["error"])
    assert library.vectors().is_empty()
    results = similar(library.settings, "something like Blade Runner but funnier")
    assert results.method == "lexical (no text-embedding-3-small vectors yet: refresh)"

    embed(library)
    before = library.vectors()
    library.review("Inception", "A dream heist.")
    fake.fail_next(429, times=2)
    assert embed(library)["titles_not_embedded"] == 1
    assert library.vectors().equals(before)  # the old vector stays until the model answers

    fake.fail_next(500, times=2)
    results = similar(library.settings, "dream heist")
    assert results.method.startswith("lexical (text-embedding-3-small unavailable:")
    assert results[0].title == "Inception" and "cosine" not in results[0].why


def test_the_search_ranks_by_the_stored_vectors_and_says_so(
    library: Library, fake: FakeOpenAI
) -> None:
    matrix = library.review("The Matrix", "Neon rain, replicants and a funny robot.")
    embed(library)
    fake.requests.clear()

    wish = "something like Blade Runner but funnier, with neon replicants"
    results = similar(library.settings, wish, limit=5)
    assert results.method == "semantic (text-embedding-3-small)"
    assert embedding_requests(fake) == [[wish]]  # one request: the wish
    titles = set(read_named(library.settings, "watching/candidates")["media_id"])
    assert results and {h.media_id for h in results} <= titles
    assert "Blade Runner" not in [h.title for h in results]
    assert results[0].media_id == matrix
    query, doc = fake_embedding(wish), fake_embedding(library.docs_by_id()[matrix])
    cosine = sum(a * b for a, b in zip(query, doc, strict=True))
    assert f"close in meaning (cosine {cosine:.2f})" in results[0].why
    # Words alone find only The Matrix; the vectors rank the others too.
    assert len(results) == 5 and all("close in meaning" in h.why for h in results)


def test_azure_deployment_embeds_and_answers(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_fake_openai() as fake:
        monkeypatch.setenv("AZURE_OPENAI_KEY", AZURE_KEY)
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake.azure_endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_VERSION", AZURE_API_VERSION)
        monkeypatch.setenv("AZURE_DEPLOYMENT_NAME_EMBEDDING", "mv-embed")
        assert embed(library)["embedding_model"] == "mv-embed"
        results = similar(library.settings, "dream heist")
    assert {r.path for r in fake.requests} == {"/openai/deployments/mv-embed/embeddings"}
    assert all(r.query["api-version"] == AZURE_API_VERSION for r in fake.requests)
    assert all(r.headers["api-key"] == AZURE_KEY for r in fake.requests)
    assert set(library.vectors()["embedding_model"]) == {"mv-embed"}
    assert results.method == "semantic (mv-embed)"


def test_without_a_key_nothing_is_embedded_and_the_search_is_offline(library: Library) -> None:
    result = embed(library)
    assert result == {"skipped_without_key": True, "skipped_reason": NO_KEY}
    assert library.vectors().is_empty()
    results = similar(library.settings, "something like Blade Runner but funnier")
    assert results.method == "lexical (offline)"


def test_a_half_set_provider_skips_the_embeddings_not_the_refresh(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_KEY", AZURE_KEY)  # no endpoint, no API version
    result = embed(library)
    assert result["skipped_without_key"] is False
    assert "AZURE_OPENAI_ENDPOINT" in str(result["skipped_reason"])
    assert library.vectors().is_empty()
