"""Plex, Jellyfin and Emby as seed 004 sources: their libraries as source_collections, their
item ids as provider_refs of the catalog's titles, episodes and assets, and their plays as seed
003 watches (in the review store, which media_watching mirrors)."""

from collections import defaultdict
from urllib.parse import urlsplit

import dagster as dg
import polars as pl

from mediavault_assets.defs.library.sources import refresh_sources
from mediavault_assets.defs.library.watching import library_titles
from mediavault_assets.domain.media_servers import (
    CatalogAsset,
    PathMapper,
    match_items,
    server_refs,
    server_sources,
    server_watches,
)
from mediavault_assets.domain.provider_refs import ProviderRef
from mediavault_assets.domain.sources import Sources
from mediavault_assets.ingest.analysis_tables import provider_refs_frame
from mediavault_assets.media_servers import servers as server_api
from mediavault_assets.media_servers.servers import KINDS, ServerSnapshot
from mediavault_assets.presentation import markdown_table
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import Settings, load_media_server_secrets
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session, replace_in
from mediavault_assets.watching_store import WatchingStore

NOT_CONFIGURED = (
    "No media server configured: set MEDIAVAULT_PLEX_URL and MEDIAVAULT_PLEX_TOKEN (or the "
    "JELLYFIN / EMBY pair) and media_servers path mappings in the settings. Nothing changed."
)


@dg.op(
    ins={"start": dg.In(dg.Nothing)},
    description="List every configured media server's libraries and items (no warehouse).",
)
def fetch_media_servers(
    context: dg.OpExecutionContext, settings: MediaVaultSettings
) -> list[ServerSnapshot]:
    with server_api.media_servers(settings.load(), load_media_server_secrets()) as servers:
        snapshots = [server_api.snapshot(server) for server in servers]
    for s in snapshots:
        if s.error:
            context.log.warning(f"{s.name} did not answer; its rows stay as they were: {s.error}")
        else:
            context.log.info(f"{s.name}: {len(s.libraries)} libraries, {len(s.items)} items")
    return snapshots


def _mapper(conf: Settings, kind: str) -> PathMapper:
    server = conf.media_servers.get(kind)
    return PathMapper(
        [(m.server_path, str(m.local_path)) for m in (server.path_mappings if server else [])]
    )


def catalog_assets(warehouse: Warehouse) -> dict[str, list[CatalogAsset]]:
    """The catalog's assets by the local path of their file."""
    by_path: dict[str, list[CatalogAsset]] = defaultdict(list)
    for r in warehouse.named("catalog/media_server_assets").iter_rows(named=True):
        by_path[r["local_path"]].append(CatalogAsset(**r))
    return by_path


@dg.op(
    pool=POOL,
    out=dg.Out(dg.Nothing),
    description="Store the servers' sources, collections, path mappings and provider_refs; "
    "record their new plays.",
)
@in_one_session
def store_media_servers(
    context: dg.OpExecutionContext,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
    snapshots: list[ServerSnapshot],
) -> None:
    if not snapshots:
        context.add_output_metadata({"servers": 0, "status": NOT_CONFIGURED})
        return
    conf = settings.load()
    answered = [s for s in snapshots if s.error is None]
    # A server that is down keeps its rows; a kind no longer configured loses them.
    kinds = sorted({s.kind for s in answered} | (set(KINDS) - {s.kind for s in snapshots}))
    catalog = catalog_assets(warehouse)
    refs: list[ProviderRef] = []
    watches = []
    rows = []
    with warehouse.transaction() as con:
        for s in answered:
            mapper = _mapper(conf, s.kind)
            url = urlsplit(s.url)
            sources = server_sources(
                s.kind,
                s.external_id,
                s.name,
                {"url": f"{url.scheme}://{url.netloc}", "user": s.user},
                s.libraries,
                mapper,
            )
            refresh_sources(con, sources, [s.kind])
            matches, unmatched = match_items(s.items, mapper, catalog)
            found = server_refs(s.kind, s.name, matches)
            played = server_watches(s.kind, s.name, s.user, matches)
            refs += found
            watches += played
            rows.append(
                {
                    "server": s.name,
                    "libraries": len(s.libraries),
                    "items": len(s.items),
                    "matched": len(matches),
                    "unmatched": len(unmatched),
                    "refs": len(found),
                    "plays": len(played),
                    "unmatched_examples": "; ".join(p for i in unmatched[:3] for p in i.paths[:1]),
                }
            )
        gone = [k for k in kinds if k not in {s.kind for s in answered}]
        if gone:
            refresh_sources(con, Sources((), (), ()), gone)
        con.register(
            "refreshed_kinds_refs", pl.DataFrame({"kind": kinds}, schema={"kind": pl.String})
        )
        replace_in(
            con,
            "provider_refs",
            provider_refs_frame(refs),
            "provider IN (SELECT kind FROM refreshed_kinds_refs)",
            (),
        )
    added = WatchingStore(conf.app_store_path).record_server_watches(
        watches, {t.media_id: t for t in library_titles(warehouse)}
    )
    context.add_output_metadata(
        {
            "servers": len(snapshots),
            "answered": len(answered),
            "errors": "; ".join(f"{s.name}: {s.error}" for s in snapshots if s.error) or "none",
            "provider_refs": len(refs),
            "new_watches": added,
            "by_server": dg.MetadataValue.md(markdown_table(rows) or "no server answered"),
        }
    )


@dg.graph_asset(
    group_name="library",
    ins={"library_catalog": dg.AssetIn(key="library_catalog", dagster_type=dg.Nothing)},
    description="Plex, Jellyfin and Emby servers (URL and token from the environment) as seed "
    "004 sources: libraries → source_collections and path_mappings, item ids → provider_refs of "
    "the catalog's titles, episodes and assets (matched by mapped path), and their plays → seed "
    "003's watch history (each play once). Does nothing when no server is configured.",
)
def media_servers(library_catalog) -> None:  # type: ignore[no-untyped-def]
    return store_media_servers(fetch_media_servers(start=library_catalog))
