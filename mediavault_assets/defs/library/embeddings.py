"""Seed 003's media_embeddings: a vector per title of its document (overview, tagline, genres,
reviews, tags) from the configured OpenAI / Azure OpenAI embedding model, for the
similar-title search.

Plan (in the "duckdb" pool): the documents, and which have no vector of the model for their
current text (document_hash). Fetch (no pool, HTTP only): embed those, BATCH_SIZE inputs per
request. Store (pool): write the new vectors, drop those of titles no longer on disk, publish
the snapshot. Without a key nothing is done and the metadata says so. When the model fails
(HTTP 429/500, a timeout) the refresh goes on: the titles keep their old vectors, and the
search answers lexically where it has none.
"""

from dataclasses import dataclass

import dagster as dg
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.defs.library.watching import media_watching
from mediavault_assets.domain.semantic_search import EmbeddingTask, embedding_tasks
from mediavault_assets.embeddings import (
    BATCH_SIZE,
    EMBEDDING_TYPE,
    NO_KEY,
    EmbeddingError,
    embedder_for,
    library_docs,
)
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.openai_client import embedding_model
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import SettingsError
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session
from mediavault_assets.watching_store import WatchingStore


@dataclass(frozen=True)
class EmbeddingPlan:
    model: str | None  # None: nothing to do, for the skipped reason
    present: tuple[int, ...]  # the titles on disk
    tasks: tuple[EmbeddingTask, ...]
    skipped: str | None = None


@dataclass(frozen=True)
class EmbeddingFetch:
    vectors: tuple[tuple[EmbeddingTask, tuple[float, ...]], ...]
    requests_sent: int = 0
    prompt_tokens: int = 0
    error: str | None = None


@dg.op(
    pool=POOL,
    ins={"start": dg.In(dg.Nothing)},
    description="The titles' documents, and which have no vector of the model for their text.",
)
@in_one_session
def plan_embeddings(
    context: dg.OpExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
) -> EmbeddingPlan:
    try:
        model = embedding_model(settings.secrets())
    except SettingsError as error:  # a half-set provider; the chat reports it too
        return EmbeddingPlan(None, (), (), skipped=str(error))
    if model is None:
        return EmbeddingPlan(None, (), (), skipped=NO_KEY)
    docs = library_docs(
        warehouse.named("watching/candidates").iter_rows(named=True),
        WatchingStore(settings.load().app_store_path).reviews(),
    )
    stored = warehouse.named(
        "watching/embedding_hashes", {"embedding_type": EMBEDDING_TYPE, "embedding_model": model}
    )
    tasks = embedding_tasks(
        docs, dict(zip(stored["media_id"], stored["document_hash"], strict=True))
    )
    context.log.info(f"{len(docs)} titles, {len(tasks)} to embed with {model}")
    return EmbeddingPlan(model, tuple(d.media_id for d in docs), tuple(tasks))


@dg.op(description="Embed the planned documents (HTTP only, no warehouse access).")
def fetch_embeddings(
    context: dg.OpExecutionContext, settings: MediaVaultSettings, plan: EmbeddingPlan
) -> EmbeddingFetch:
    embedder = embedder_for(settings.secrets()) if plan.model is not None else None
    if embedder is None or not plan.tasks:
        return EmbeddingFetch(())
    vectors: list[tuple[EmbeddingTask, tuple[float, ...]]] = []
    error = None
    for start in range(0, len(plan.tasks), BATCH_SIZE):
        batch = plan.tasks[start : start + BATCH_SIZE]
        try:
            found = embedder.embed([t.text for t in batch])
        except EmbeddingError as failure:
            # The client has retried already: the service is down or refusing, stop asking.
            error = str(failure)
            context.log.warning(
                f"embedding stopped after {len(vectors)} of {len(plan.tasks)} titles: {error}; "
                "the others keep their old vectors"
            )
            break
        vectors.extend((t, tuple(v)) for t, v in zip(batch, found, strict=True))
    return EmbeddingFetch(tuple(vectors), embedder.requests_sent, embedder.prompt_tokens, error)


@dg.op(
    pool=POOL,
    out=dg.Out(dg.Nothing),
    description="Store the new vectors, drop those of titles no longer on disk, publish.",
)
@in_one_session
def store_embeddings(
    context: dg.OpExecutionContext,
    warehouse: Warehouse,
    plan: EmbeddingPlan,
    fetched: EmbeddingFetch,
) -> None:
    if plan.model is None:
        context.log.warning(f"embeddings skipped: {plan.skipped}; the search answers lexically")
        context.add_output_metadata(
            {"skipped_without_key": plan.skipped == NO_KEY, "skipped_reason": plan.skipped}
        )
        return
    now = utc_now()
    new = pl.DataFrame(
        [
            {
                "media_id": task.media_id,
                "embedding_type": EMBEDDING_TYPE,
                "embedding_model": plan.model,
                "document_hash": task.document_hash,
                "embedding": list(vector),
                "created_at": now,
            }
            for task, vector in fetched.vectors
        ],
        schema={
            "media_id": pl.Int64,
            "embedding_type": pl.String,
            "embedding_model": pl.String,
            "document_hash": pl.String,
            "embedding": pl.List(pl.Float32),
            "created_at": pl.Datetime("us"),
        },
        orient="row",
    )
    with warehouse.transaction() as con:
        present = pl.DataFrame({"media_id": plan.present}, schema={"media_id": pl.Int64})
        con.register("present_titles", present)
        con.register("new_embeddings", new)
        (removed,) = con.execute(sql_files.query("watching/embeddings_prune")).fetchone() or (0,)
        if new.height:
            con.execute(sql_files.query("watching/embeddings_store"))
    if new.height or removed:
        warehouse.publish_snapshot()
    context.add_output_metadata(
        {
            "skipped_without_key": False,
            "embedding_model": plan.model,
            "titles": len(plan.present),
            "titles_embedded": new.height,
            "titles_unchanged": len(plan.present) - len(plan.tasks),
            "titles_not_embedded": len(plan.tasks) - new.height,
            "vectors_removed": removed,
            "requests_sent": fetched.requests_sent,
            "prompt_tokens": fetched.prompt_tokens,
            "error": fetched.error or "none",
        }
    )


@dg.graph_asset(
    group_name="library",
    ins={"media_watching": dg.AssetIn(key=media_watching.key, dagster_type=dg.Nothing)},
    description="Seed 003's media_embeddings: a vector per title of its overview, tagline, "
    "genres, reviews and tags from OPENAI_EMBEDDING_MODEL / AZURE_DEPLOYMENT_NAME_EMBEDDING "
    "(default text-embedding-3-small), made again only when the text or the model changed. "
    "Skipped without a key; a failing model keeps the old vectors and never fails the refresh.",
)
def media_embeddings(media_watching) -> None:  # type: ignore[no-untyped-def]
    plan = plan_embeddings(start=media_watching)
    return store_embeddings(plan, fetch_embeddings(plan))
