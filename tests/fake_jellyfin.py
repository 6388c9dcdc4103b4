"""A fake Jellyfin server (Emby speaks the same API) on 127.0.0.1 for tests.

It answers what MediaVault asks with Jellyfin's JSON shapes: GET /Library/VirtualFolders (Name,
ItemId, Locations, CollectionType: null for a mixed library), GET /Users (Name, Id, Policy),
GET /Users/{id}/Items and /Items (Recursive, IncludeItemTypes, ParentId, Fields: Path and
ProviderIds only when asked for; UserData only per user), GET /Sessions (NowPlayingItem only
while playing) and POST /Library/Media/Updated ({"Updates": [{"Path", "UpdateType"}]}, 204).
Ids are 32 hex digits, dates .NET's 7-digit fractions with a Z. It accepts `Authorization:
MediaBrowser Token="..."` or X-Emby-Token, else 401. Every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "fake-jellyfin-token-93fa"
_TOKEN = re.compile(r'Token="([^"]*)"')


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Library:
    item_id: str
    name: str
    collection_type: str | None
    locations: list[str]
    items: list[dict[str, Any]] = field(default_factory=list)


class FakeJellyfin:
    def __init__(self) -> None:
        self.libraries: dict[str, Library] = {}
        self.users = [
            {"Name": "kids", "Id": "0b1c" * 8, "Policy": {"IsAdministrator": False}},
            {"Name": "Ann", "Id": "a11e" * 8, "Policy": {"IsAdministrator": True}},
        ]
        self.user_data: dict[tuple[str, str], dict[str, Any]] = {}  # (user id, item id) →
        self.playing: list[str | None] = []  # NowPlayingItem paths (None: an idle session)
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_library(self, item_id: str, name: str, kind: str | None, *locations: str) -> None:
        self.libraries[item_id] = Library(item_id, name, kind, list(locations))

    def add_item(self, library: str, item: dict[str, Any]) -> None:
        self.libraries[library].items.append(item)

    def played(self, user: str, item: str, count: int, last: str | None, done: bool) -> None:
        self.user_data[(user, item)] = {
            "PlaybackPositionTicks": 0,
            "PlayCount": count,
            "IsFavorite": False,
            "Played": done,
            "Key": item,
            **({"LastPlayedDate": last} if last else {}),
        }

    def updates(self) -> list[dict[str, str]]:
        return [
            u
            for r in self.requests
            if r.path == "/Library/Media/Updated"
            for u in (r.body or {}).get("Updates", [])
        ]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.requests.append(Request(handler.command, url.path, query, body))
        header = _TOKEN.search(handler.headers.get("Authorization") or "")
        token = header.group(1) if header else handler.headers.get("X-Emby-Token")
        if token != TOKEN:
            self._send(handler, 401, None)
            return
        status, payload = self._route(handler.command, url.path, query)
        self._send(handler, status, payload)

    def _route(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if method == "POST":
            return (204, None) if path == "/Library/Media/Updated" else (404, None)
        if path == "/Library/VirtualFolders":
            return 200, [
                {
                    "Name": lib.name,
                    "Locations": lib.locations,
                    "CollectionType": lib.collection_type,
                    "LibraryOptions": {"EnableRealtimeMonitor": True, "PathInfos": []},
                    "ItemId": lib.item_id,
                    "PrimaryImageItemId": lib.item_id,
                    "RefreshStatus": "Idle",
                }
                for lib in self.libraries.values()
            ]
        if path == "/Users":
            return 200, self.users
        user = re.fullmatch(r"/Users/(\w+)/Items", path)
        if user or path == "/Items":
            return 200, self._items(user.group(1) if user else query.get("userId"), query)
        if path == "/Sessions":
            return 200, [
                {
                    "Id": f"{n:032x}",
                    "UserName": "Ann",
                    "Client": "Jellyfin Web",
                    **({"NowPlayingItem": {"Name": "x", "Path": p, "Type": "Movie"}} if p else {}),
                }
                for n, p in enumerate(self.playing)
            ]
        return 404, None

    def _items(self, user: str | None, query: dict[str, str]) -> dict[str, Any]:
        library = self.libraries.get(query.get("ParentId", ""))
        fields = set(query.get("Fields", "").split(","))
        types = set(query.get("IncludeItemTypes", "Movie,Episode").split(","))
        items = []
        for item in library.items if library else []:
            if item.get("Type") not in types:
                continue
            shown = {k: v for k, v in item.items() if k not in ("Path", "ProviderIds")}
            shown |= {k: item[k] for k in ("Path", "ProviderIds") if k in fields and k in item}
            if user is not None:
                shown["UserData"] = self.user_data.get(
                    (user, item["Id"]), {"PlayCount": 0, "Played": False, "Key": item["Id"]}
                )
            items.append(shown)
        return {"Items": items, "TotalRecordCount": len(items), "StartIndex": 0}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        handler.send_response(status)
        if data:
            handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@contextmanager
def running_fake_jellyfin() -> Iterator[FakeJellyfin]:
    fake = FakeJellyfin()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
