"""A fake Plex Media Server on 127.0.0.1 (ephemeral port, one thread per request) for tests.

It answers the paths MediaVault uses with the real server's JSON shapes (Accept:
application/json): GET /library/sections (MediaContainer.Directory with key, title, type,
Location[{id, path}]), /library/sections/{key}/all (movies, or the shows of a show library),
/library/metadata/{ratingKey}/allLeaves (a show's episodes, parentIndex/index),
/status/sessions (what is playing now) and /library/sections/{key}/refresh?path=... (a partial
scan). Like Plex it wants X-Plex-Token (header or query) and answers 401 without it, sends
ratingKeys and keys as strings, leaves out Metadata when a container is empty, omits viewCount
and lastViewedAt for unplayed items, and may list a stacked movie's parts or a file twice.
Every request is recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "fake-plex-token-Zq8x"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]


@dataclass
class Section:
    key: str
    title: str
    type: str  # movie, show, artist, photo
    locations: list[str]
    items: list[dict[str, Any]] = field(default_factory=list)  # movies or shows


def media(*files: str) -> list[dict[str, Any]]:
    """Plex's Media[].Part[] for one version made of `files` (several: a stacked movie)."""
    return [
        {
            "id": 9000 + n,
            "duration": 5400000,
            "container": "mkv",
            "Part": [{"id": 7000 + n, "key": f"/library/parts/{7000 + n}/file.mkv", "file": f}],
        }
        for n, f in enumerate(files)
    ]


class FakePlex:
    def __init__(self) -> None:
        self.sections: dict[str, Section] = {}
        self.leaves: dict[str, list[dict[str, Any]]] = {}  # show ratingKey → episodes
        self.playing: list[str] = []  # files being played now
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
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

    def add_section(self, key: str, title: str, type: str, *locations: str) -> Section:
        self.sections[key] = Section(key, title, type, list(locations))
        return self.sections[key]

    def add_movie(
        self, section: str, rating_key: str, title: str, *files: str, **extra: Any
    ) -> None:
        self.sections[section].items.append(
            {
                "ratingKey": rating_key,
                "key": f"/library/metadata/{rating_key}",
                "guid": extra.pop("guid", f"plex://movie/5d7768{rating_key}"),
                "type": "movie",
                "title": title,
                "addedAt": 1700000000,
                "Media": media(*files),
                **extra,
            }
        )

    def add_show(self, section: str, rating_key: str, title: str) -> None:
        self.sections[section].items.append(
            {"ratingKey": rating_key, "type": "show", "title": title, "childCount": 1}
        )
        self.leaves.setdefault(rating_key, [])

    def add_episode(
        self,
        show: str,
        rating_key: str,
        season: int | None,
        episode: int | None,
        *files: str,
        **extra: Any,
    ) -> None:
        self.leaves[show].append(
            {
                "ratingKey": rating_key,
                "type": "episode",
                "grandparentRatingKey": show,
                "grandparentTitle": next(
                    i["title"]
                    for s in self.sections.values()
                    for i in s.items
                    if i.get("ratingKey") == show
                ),
                "parentIndex": season,
                "index": episode,
                "title": f"Episode {episode}",
                "Media": media(*files),
                **extra,
            }
        )

    def refreshes(self) -> list[tuple[str, str]]:
        """(section key, path) of every partial scan asked for."""
        return [
            (r.path.split("/")[3], r.query.get("path", ""))
            for r in self.requests
            if r.path.endswith("/refresh")
        ]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.requests.append(Request(handler.command, url.path, query))
        token = handler.headers.get("X-Plex-Token") or query.get("X-Plex-Token")
        if token != TOKEN:
            self._send(handler, 401, None)
            return
        status, body = self._route(url.path, query)
        self._send(handler, status, body)

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if path == "/library/sections":
            return 200, self._container(
                "Directory",
                [
                    {
                        "allowSync": True,
                        "key": s.key,
                        "type": s.type,
                        "title": s.title,
                        "agent": "tv.plex.agents.movie",
                        "Location": [{"id": n, "path": p} for n, p in enumerate(s.locations)],
                    }
                    for s in self.sections.values()
                ],
            )
        if parts[:2] == ["library", "sections"] and len(parts) == 4:
            section = self.sections.get(parts[2])
            if section is None:
                return 404, None
            if parts[3] == "all":
                return 200, self._container("Metadata", section.items, librarySectionID=section.key)
            if parts[3] == "refresh":
                return 200, None
        if parts[:2] == ["library", "metadata"] and len(parts) == 4 and parts[3] == "allLeaves":
            if parts[2] not in self.leaves:
                return 404, None
            return 200, self._container("Metadata", self.leaves[parts[2]])
        if path == "/status/sessions":
            sessions = [
                {
                    "type": "movie",
                    "ratingKey": "999",
                    "sessionKey": str(n),
                    "Media": media(f),
                    "Player": {"state": "playing", "title": "Living Room"},
                }
                for n, f in enumerate(self.playing)
            ]
            return 200, self._container("Metadata", sessions)
        return 404, None

    @staticmethod
    def _container(name: str, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        container: dict[str, Any] = {"size": len(rows), "allowSync": False, **extra}
        if rows:  # Plex leaves the list out of an empty container
            container[name] = rows
        return {"MediaContainer": container}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@contextmanager
def running_fake_plex() -> Iterator[FakePlex]:
    fake = FakePlex()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
