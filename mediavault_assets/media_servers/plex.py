"""A thin Plex Media Server client (httpx); parsing lives in domain/media_servers.py."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from mediavault_assets.domain import media_servers as parse
from mediavault_assets.domain.media_servers import ServerItem, ServerLibrary
from mediavault_assets.media_servers.http import ServerHttp


class PlexClient(ServerHttp):
    kind = "plex"

    def __init__(
        self,
        base_url: str,
        token: SecretStr,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"X-Plex-Token": token.get_secret_value()}
        super().__init__(base_url, headers, timeout=timeout, transport=transport)

    def libraries(self) -> list[ServerLibrary]:
        return parse.parse_plex_sections(self._get("/library/sections"))

    def items(self, library: ServerLibrary) -> list[ServerItem]:
        # includeGuids: the new agents put the TMDb/IMDb ids in Guid[], not in guid.
        listing = self._get(f"/library/sections/{library.key}/all", includeGuids="1")
        if library.library_type != "show":
            return parse.parse_plex_items(listing, library.key)
        return [
            item
            for show in parse.plex_show_keys(listing)
            for item in parse.parse_plex_items(
                self._get(f"/library/metadata/{show}/allLeaves", includeGuids="1"), library.key
            )
        ]

    def playing_paths(self) -> set[str]:
        return parse.plex_playing_paths(self._get("/status/sessions"))

    def refresh(self, library: ServerLibrary, server_folder: str) -> None:
        """Scan one folder of a library (a partial scan, not the whole library)."""
        response = self._http.get(
            f"/library/sections/{library.key}/refresh", params={"path": server_folder}
        )
        response.raise_for_status()
