"""A thin Jellyfin client (httpx), also for Emby, which speaks the same API; parsing lives in
domain/media_servers.py."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from mediavault_assets.domain import media_servers as parse
from mediavault_assets.domain.media_servers import ServerItem, ServerLibrary
from mediavault_assets.media_servers.http import ServerHttp


class JellyfinError(RuntimeError):
    """The server answered, but not with what is needed (e.g. no such user)."""


class JellyfinClient(ServerHttp):
    def __init__(
        self,
        base_url: str,
        token: SecretStr,
        *,
        kind: str = "jellyfin",
        user: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.kind = kind
        self._user = user
        self._user_id: str | None = None
        secret = token.get_secret_value()
        headers = {
            "Authorization": f'MediaBrowser Client="MediaVault", Token="{secret}"',
            "X-Emby-Token": secret,  # older Emby releases read only this header
        }
        super().__init__(base_url, headers, timeout=timeout, transport=transport)

    def libraries(self) -> list[ServerLibrary]:
        return parse.parse_jellyfin_folders(self._get("/Library/VirtualFolders"))

    def user_id(self) -> str:
        """Watch status is per user: the settings' user, else the first administrator."""
        if self._user_id is None:
            self._user_id = parse.jellyfin_user_id(self._get("/Users"), self._user)
            if self._user_id is None:
                raise JellyfinError(f"{self.kind} has no user {self._user or '(none at all)'}")
        return self._user_id

    def items(self, library: ServerLibrary) -> list[ServerItem]:
        payload = self._get(
            f"/Users/{self.user_id()}/Items",
            Recursive="true",
            Fields="Path,ProviderIds",
            IncludeItemTypes="Movie,Episode",
            ParentId=library.key,
        )
        return parse.parse_jellyfin_items(payload, library.key)

    def playing_paths(self) -> set[str]:
        return parse.jellyfin_playing_paths(self._get("/Sessions"))

    def refresh(self, library: ServerLibrary, server_folder: str) -> None:
        """Tell the server one folder changed (it rescans that folder only)."""
        response = self._http.post(
            "/Library/Media/Updated",
            json={"Updates": [{"Path": server_folder, "UpdateType": "Modified"}]},
        )
        response.raise_for_status()
