"""HTTP routes served beside Streamlit (st.App): videos and thumbnails by catalog id.

A request names a file id, never a path: the path comes from the snapshot's inventory_files and
must resolve (symlinks followed) inside a configured library root. Unknown ids get 404. Files
Chromium cannot decode are answered with a cached H.264/AAC preview clip. FileResponse answers
Range requests with 206, which is what lets a <video> element seek without reading whole files.

With review_users configured, a request must carry a media token (``?t=``) from a signed-in
session; without users the app serves 127.0.0.1 only and so do these routes. `HostGuard`, the
app's middleware, refuses every request (pages, websocket, media) whose Host header is not a
loopback name or one of `allowed_hosts` while there are no users: that is what stops a web page
from reaching the app through a DNS name re-pointed at 127.0.0.1 (DNS rebinding).

Thumbnails and previews are decoded in limited child processes (media.decode_limited).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from mediavault_assets.limited import ChildFailed
from mediavault_assets.settings import Settings, SettingsError, load_settings
from mediavault_ui import auth, media, queries
from mediavault_ui.data import DataUnavailable, open_library

log = logging.getLogger(__name__)

_CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "matroska": "video/x-matroska",
}
_CACHE_CONTROL = "private, max-age=3600"
_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
    '<rect width="320" height="180" fill="#e6e8ee"/>'
    '<path d="M140 70h40v40h-40z" fill="none" stroke="#9aa1b1" stroke-width="4"/></svg>'
)


class _Refused(Exception):
    def __init__(self, status: int, message: str, *, known: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.known = known  # the id is in the catalog; its file is not where it was


def video(request: Request) -> Response:
    try:
        file_id, row, source, settings = _resolve(request)
    except _Refused as refused:
        return PlainTextResponse(str(refused), status_code=refused.status)
    facts = media.MediaFacts(row["format"], row["video_codec"], row["audio_codec"])
    headers = {"Cache-Control": _CACHE_CONTROL}
    if media.browser_can_play(facts):
        content_type = _CONTENT_TYPES.get((row["format"] or "").lower(), "video/mp4")
        return FileResponse(source, media_type=content_type, headers=headers)
    target = media.preview_path(settings.cache_dir, file_id, source)
    try:
        media.ensure_cached(
            target,
            lambda partial: media.decode_limited(
                media.make_preview, source, partial, media.PREVIEW_LIMITS
            ),
        )
    except (OSError, ValueError, ChildFailed) as error:  # av.FFmpegError is an OSError
        log.warning("no preview for file %s: %s", file_id, error)
        return PlainTextResponse("This file cannot be previewed.", status_code=422)
    return FileResponse(
        target, media_type="video/mp4", headers={**headers, "X-MediaVault-Preview": "1"}
    )


def thumbnail(request: Request) -> Response:
    headers = {"Cache-Control": _CACHE_CONTROL}
    try:
        file_id, row, source, settings = _resolve(request)
    except _Refused as refused:
        if refused.known:  # staged or moved: a neutral picture, not a broken image
            return Response(_PLACEHOLDER, media_type="image/svg+xml", headers=headers)
        return PlainTextResponse(str(refused), status_code=refused.status)
    # The background job's thumbnail of this size (lists: small, detail: large), else one
    # made now.
    large = request.query_params.get("size") == "large"
    made = row.get("thumbnail_large" if large else "thumbnail_small")
    if made and Path(str(made)).is_file():
        return FileResponse(made, media_type="image/jpeg", headers=headers)
    target = media.thumbnail_path(settings.cache_dir, file_id, source)
    failed = target.with_suffix(".none")
    if not failed.exists():
        try:
            media.ensure_cached(
                target,
                lambda partial: media.decode_limited(
                    media.make_thumbnail, source, partial, media.THUMBNAIL_LIMITS
                ),
            )
            return FileResponse(target, media_type="image/jpeg", headers=headers)
        except (OSError, ValueError, StopIteration, IndexError, ChildFailed) as error:
            log.info("no thumbnail for file %s: %s", file_id, error)
            failed.touch()  # a broken file is not decoded again on every page view
    return Response(_PLACEHOLDER, media_type="image/svg+xml", headers=headers)


def _resolve(request: Request) -> tuple[int, dict[str, object], Path, Settings]:
    """The catalog row and the real path of the requested file id, or _Refused."""
    raw = request.path_params["file_id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) >= 2**63:
        raise _Refused(404, "Unknown file id.")
    file_id = int(raw)
    try:
        library = open_library()
        settings = library.settings
        if not _authorized(request, settings):
            raise _Refused(403, "Log in to the review app to see media.")
        row = library.one(queries.MEDIA_FILE, {"file_id": file_id})
    except DataUnavailable as problem:
        raise _Refused(503, str(problem)) from None
    if not row:
        raise _Refused(404, "Unknown file id.")
    source = Path(os.path.realpath(str(row["local_path"])))
    roots = [Path(os.path.realpath(root.path)) for root in settings.library_roots]
    if not any(source.is_relative_to(root) for root in roots):
        log.warning("file %s resolves outside the library roots: refused", file_id)
        raise _Refused(404, "Unknown file id.")
    if not source.is_file():
        raise _Refused(404, "The file is not at its place any more (moved or staged?).", known=True)
    return file_id, row, source, settings


def _authorized(request: Request, settings: Settings) -> bool:
    store = auth.user_store(settings)
    if auth.login_required(settings, store):
        return auth.token_user(request.query_params.get("t"), store) is not None
    return auth.is_loopback(request.client.host if request.client else None)


def media_routes() -> list[Route]:
    return [
        Route("/api/video/{file_id}", video, methods=["GET", "HEAD"]),
        Route("/api/thumb/{file_id}", thumbnail, methods=["GET", "HEAD"]),
    ]


class HostGuard:
    """ASGI middleware: without review_users, only requests naming this machine (Host is a
    loopback name or one of `allowed_hosts`) reach the app and its routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not _host_ok(scope):
            log.warning("refused a request for Host %r", Headers(scope=scope).get("host"))
            if scope["type"] == "websocket":
                await WebSocketClose(code=1008)(scope, receive, send)
            else:
                refusal = PlainTextResponse(
                    "MediaVault answers only to localhost here (see README: DNS rebinding).",
                    status_code=403,
                )
                await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_ok(scope: Scope) -> bool:
    try:
        settings: Settings | None = load_settings()
    except SettingsError:
        settings = None  # the pages say what is wrong, to this machine only
    if settings is not None and auth.login_required(settings):
        return True
    allowed = settings.allowed_hosts if settings is not None else []
    return auth.host_allowed(Headers(scope=scope).get("host"), allowed)
