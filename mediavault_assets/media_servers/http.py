"""The HTTP side every media server client shares: one httpx client with the server's auth."""

from __future__ import annotations

import httpx


class ServerHttp:
    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        timeout: float,
        transport: httpx.BaseTransport | None,
    ) -> None:
        # trust_env=False: the server is on the LAN, and its token must not go through a proxy.
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={**headers, "Accept": "application/json"},
            timeout=timeout,
            trust_env=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, **params: str) -> object:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        return response.json()
