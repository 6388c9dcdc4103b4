"""The media routes: byte ranges by catalog id, previews and thumbnails, and what they refuse."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient
from test_ui_app import copy_snapshot, edited_snapshot, ui_settings, users_of

from mediavault_ui import auth
from mediavault_ui.routes import HostGuard, media_routes

LOCAL = ("127.0.0.1", 50000)


def client(
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    address: tuple[str, int] = LOCAL,
    base_url: str = "http://127.0.0.1:8501",
) -> TestClient:
    """The media routes with the app's middleware (app.py), as a browser on `base_url` sees
    them."""
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    app = Starlette(routes=media_routes(), middleware=[Middleware(HostGuard)])
    return TestClient(app, client=address, base_url=base_url)


def file_row(demo: Any, relative_path: str) -> dict[str, Any]:
    row = demo.query(
        "SELECT file_id, local_path, file_size FROM inventory_files "
        f"WHERE relative_path = '{relative_path}'"
    ).row(0, named=True)
    return row


@pytest.fixture
def config(tmp_path: Path, refreshed_demo: Any) -> Path:
    return ui_settings(tmp_path, refreshed_demo)


@pytest.fixture
def http(config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with client(config, monkeypatch) as c:
        yield c


H264 = "Movies/Blade Runner (1982)/Blade.Runner.1982.1080p.BluRay.x264.mkv"
HEVC = "Movies/Inception (2010)/Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv"
EMPTY = "media/Gladiator.2000.1080p.BluRay.x264.mkv"


def test_byte_ranges_are_answered_with_206(http: TestClient, refreshed_demo: Any) -> None:
    row = file_row(refreshed_demo, H264)
    data = Path(row["local_path"]).read_bytes()
    response = http.get(f"/api/video/{row['file_id']}", headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert response.headers["content-type"] == "video/x-matroska"
    assert response.content == data[100:1100]
    tail = http.get(f"/api/video/{row['file_id']}", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    whole = http.get(f"/api/video/{row['file_id']}")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    beyond = http.get(f"/api/video/{row['file_id']}", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416


@pytest.mark.parametrize(
    "path",
    [
        "/api/video/1",  # not in the catalog
        "/api/video/9223372036854775807",
        "/api/video/99999999999999999999999",  # beyond BIGINT
        "/api/video/abc",
        "/api/video/-5",
        "/api/video/%C2%B2",  # a Unicode digit
        "/api/video/..%2F..%2Fetc%2Fpasswd",
        "/api/thumb/1",
    ],
)
def test_ids_not_in_the_catalog_get_404(http: TestClient, path: str) -> None:
    assert http.get(path).status_code == 404


def test_paths_from_the_catalog_outside_the_roots_are_refused(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = copy_snapshot(refreshed_demo, tmp_path / "data")
    row = file_row(refreshed_demo, H264)
    outside = tmp_path / "outside.mkv"
    outside.write_bytes(Path(row["local_path"]).read_bytes())
    extra_root = tmp_path / "extra"
    extra_root.mkdir()
    inside = extra_root / "inside.mkv"
    inside.write_bytes(outside.read_bytes())
    link_out = extra_root / "link-out.mkv"  # a symlink in a root that leads out of it
    os.symlink(outside, link_out)
    roots = [{"key": r.key, "path": str(r.path)} for r in refreshed_demo.settings.library_roots] + [
        {"key": "extra", "path": str(extra_root)}
    ]
    config = ui_settings(tmp_path, refreshed_demo, warehouse=warehouse, library_roots=roots)
    url = f"/api/video/{row['file_id']}"
    with client(config, monkeypatch) as http:
        for path, status in ((outside, 404), (link_out, 404), (inside, 200)):
            with edited_snapshot(warehouse) as con:
                con.execute(
                    "UPDATE inventory_files SET local_path = ? WHERE file_id = ?",
                    [str(path), row["file_id"]],
                )
            assert http.get(url).status_code == status, path


def test_codecs_chromium_cannot_play_get_a_cached_h264_preview(
    http: TestClient, refreshed_demo: Any, config: Path, tmp_path: Path
) -> None:
    row = file_row(refreshed_demo, HEVC)
    first = http.get(f"/api/video/{row['file_id']}", headers={"Range": "bytes=0-"})
    assert first.status_code == 206
    assert first.headers["content-type"] == "video/mp4"
    assert first.headers["x-mediavault-preview"] == "1"
    assert first.content[4:8] == b"ftyp"
    stat = Path(row["local_path"]).stat()
    cached = (
        tmp_path / "cache" / "previews" / f"{row['file_id']}-{stat.st_size}-{stat.st_mtime_ns}.mp4"
    )
    assert cached.read_bytes() == first.content
    made = cached.stat().st_mtime_ns
    again = http.get(f"/api/video/{row['file_id']}", headers={"Range": "bytes=0-99"})
    assert again.status_code == 206 and len(again.content) == 100
    assert cached.stat().st_mtime_ns == made  # served from the cache, not re-encoded

    import av

    with av.open(str(cached)) as clip:
        assert clip.streams.video[0].codec_context.name == "h264"
        assert clip.streams.audio[0].codec_context.name == "aac"
        assert clip.streams.video[0].codec_context.height <= 480


def test_thumbnails_are_cached_jpegs_and_broken_files_get_a_placeholder(
    http: TestClient, refreshed_demo: Any, tmp_path: Path
) -> None:
    row = file_row(refreshed_demo, H264)
    thumb = http.get(f"/api/thumb/{row['file_id']}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:2] == b"\xff\xd8"
    assert len(list((tmp_path / "cache" / "thumbs").glob(f"{row['file_id']}-*.jpg"))) == 1
    empty = file_row(refreshed_demo, EMPTY)
    placeholder = http.get(f"/api/thumb/{empty['file_id']}")
    assert placeholder.status_code == 200
    assert placeholder.headers["content-type"].startswith("image/svg+xml")
    assert list((tmp_path / "cache" / "thumbs").glob(f"{empty['file_id']}-*.none"))


def test_with_users_a_media_token_is_required(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"username": "alice", "password_hash": auth.hash_password("pw", iterations=1000)}]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    row = file_row(refreshed_demo, H264)
    url = f"/api/video/{row['file_id']}"
    with client(config, monkeypatch, address=("192.0.2.7", 50000)) as http:
        assert http.get(url).status_code == 403
        assert http.get(url, params={"t": "123:alice:forged"}).status_code == 403
        token = auth.media_token(
            users_of(config), auth.start_session(users_of(config), "alice"), "alice"
        )
        ok = http.get(url, params={"t": token}, headers={"Range": "bytes=0-9"})
        assert ok.status_code == 206 and len(ok.content) == 10


def test_without_users_only_loopback_clients_are_served(
    config: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = file_row(refreshed_demo, H264)
    with client(config, monkeypatch, address=("192.0.2.7", 50000)) as http:
        assert http.get(f"/api/video/{row['file_id']}").status_code == 403


def test_no_snapshot_is_503(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ui_settings(tmp_path, refreshed_demo, warehouse=tmp_path / "none" / "w.duckdb")
    with client(config, monkeypatch) as http:
        response = http.get("/api/video/1")
    assert response.status_code == 503 and "No library data yet" in response.text


def _bytes_read() -> int:
    """What this process has read through system calls so far (Linux)."""
    io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(io["rchar"])


def test_a_preview_holds_and_reads_only_the_start_of_a_long_file(tmp_path: Path) -> None:
    import av

    from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
    from mediavault_ui.media import make_preview

    source, clip = tmp_path / "long.mkv", tmp_path / "clip.mp4"
    audio = (AudioSpec(codec="ac3", channels=6),)
    spec = VideoSpec("mkv", "hevc", duration_s=60, fps=4, audio=audio, bitrate_kbps=2000)
    make_video(source, spec)
    before = _bytes_read()
    make_preview(source, clip, max_seconds=5)
    read = _bytes_read() - before
    with av.open(str(clip)) as preview:
        seconds = preview.duration / av.time_base
        frames = sum(1 for _ in preview.decode(video=0))
    assert 4.5 <= seconds <= 6.5, seconds
    assert frames <= 5 * 4 + 2, frames
    # A feature film is not read to its end for a one-minute preview.
    assert read < source.stat().st_size / 3, (read, source.stat().st_size)


# ---------------------------------------------------------------------------------------------
# Security review (issue 22)


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 403),  # a DNS name re-pointed at 127.0.0.1 (DNS rebinding)
        ("evil.example:8501", 403),
        ("127.0.0.1.nip.io", 403),
        ("localhost:8501", 206),
        ("LOCALHOST.", 206),
        ("127.0.0.1:8501", 206),
        ("[::1]:8501", 206),
        ("nas.local:8501", 206),  # configured in allowed_hosts
    ],
)
def test_without_users_a_forged_host_header_is_refused(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch, host: str, status: int
) -> None:
    config = ui_settings(tmp_path, refreshed_demo, allowed_hosts=["nas.local"])
    row = file_row(refreshed_demo, H264)
    with client(config, monkeypatch) as http:
        response = http.get(
            f"/api/video/{row['file_id']}", headers={"Host": host, "Range": "bytes=0-9"}
        )
        assert response.status_code == status
        thumb = http.get(f"/api/thumb/{row['file_id']}", headers={"Host": host})
        assert thumb.status_code == (403 if status == 403 else 200)


def test_the_host_check_covers_the_apps_pages_and_websocket(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.websockets import WebSocketDisconnect

    with client(config, monkeypatch, base_url="http://evil.example:8501") as http:
        assert http.get("/").status_code == 403
        assert http.get("/_stcore/health").status_code == 403
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            http.websocket_connect("/_stcore/stream"),
        ):
            pass
        assert closed.value.code == 1008


def test_with_users_the_host_is_not_checked_but_the_token_is(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"username": "alice", "password_hash": auth.hash_password("pw", iterations=1000)}]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    row = file_row(refreshed_demo, H264)
    token = auth.media_token(
        users_of(config), auth.start_session(users_of(config), "alice"), "alice"
    )
    with client(config, monkeypatch, base_url="http://nas.example:8501") as http:
        response = http.get(f"/api/video/{row['file_id']}", params={"t": token})
        assert response.status_code == 200


def test_a_non_ascii_token_is_refused_not_a_server_error(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"username": "josé", "password_hash": auth.hash_password("pw", iterations=1000)}]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    row = file_row(refreshed_demo, H264)
    url = f"/api/video/{row['file_id']}"
    with client(config, monkeypatch) as http:
        for forged in ["9999999999:ab:josé:é", "é:é:é:é"]:
            assert http.get(url, params={"t": forged}).status_code == 403
        assert http.get(f"{url}?t=9999999999:ab:jos%C3%A9:%FF%C3").status_code == 403
        token = auth.media_token(
            users_of(config), auth.start_session(users_of(config), "josé"), "josé"
        )
        assert http.get(url, params={"t": token}).status_code == 200


def test_media_tokens_end_with_the_sign_in_session_and_the_user(
    tmp_path: Path, refreshed_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed = auth.hash_password("pw", iterations=1000)
    users = [{"username": n, "password_hash": hashed} for n in ("alice", "bob")]
    config = ui_settings(tmp_path, refreshed_demo, review_users=users)
    row = file_row(refreshed_demo, H264)
    url = f"/api/video/{row['file_id']}"
    alice = auth.start_session(users_of(config), "alice")
    alice_token = auth.media_token(users_of(config), alice, "alice")
    bob_token = auth.media_token(
        users_of(config), auth.start_session(users_of(config), "bob"), "bob"
    )
    with client(config, monkeypatch) as http:
        assert http.get(url, params={"t": alice_token}).status_code == 200
        auth.end_session(users_of(config), alice)  # sign-out
        assert http.get(url, params={"t": alice_token}).status_code == 403
        assert (
            auth.media_token(users_of(config), alice, "alice") is None
        )  # and no new token for that session
        assert http.get(url, params={"t": bob_token}).status_code == 200
        ui_settings(tmp_path, refreshed_demo, review_users=users[:1])  # bob is removed
        assert http.get(url, params={"t": bob_token}).status_code == 403
    assert auth.TOKEN_TTL_SECONDS <= 3600


def test_thumbnails_share_the_decode_slots_with_previews(
    http: TestClient, refreshed_demo: Any
) -> None:
    from mediavault_ui import media

    row = file_row(refreshed_demo, H264)
    done = threading.Event()

    def fetch() -> None:
        http.get(f"/api/thumb/{row['file_id']}")
        done.set()

    held = 0
    while media.DECODE_SLOTS.acquire(blocking=False):  # every slot busy with a preview
        held += 1
    thread = threading.Thread(target=fetch)
    try:
        thread.start()
        assert not done.wait(1.0), "a thumbnail was decoded beside busy previews"
    finally:
        for _ in range(held):
            media.DECODE_SLOTS.release()
    thread.join(60)
    assert done.is_set() and held == 2


def _long_hevc(path: Path) -> Path:
    from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video

    audio = (AudioSpec(codec="ac3", channels=6),)
    make_video(path, VideoSpec("mkv", "hevc", duration_s=60, fps=4, audio=audio, bitrate_kbps=2000))
    return path


def test_previews_are_decoded_in_a_limited_child_process(tmp_path: Path) -> None:
    from mediavault_assets.limited import ChildFailed, ChildTimeout, Limits
    from mediavault_ui import media

    source = _long_hevc(tmp_path / "long.mkv")
    media.decode_limited(media.make_preview, source, tmp_path / "clip.mp4", media.PREVIEW_LIMITS)
    assert (tmp_path / "clip.mp4").stat().st_size > 0
    assert media.PREVIEW_LIMITS.cpu_seconds and media.PREVIEW_LIMITS.memory_bytes
    assert media.THUMBNAIL_LIMITS.cpu_seconds and media.THUMBNAIL_LIMITS.memory_bytes
    started = time.monotonic()
    with pytest.raises(ChildTimeout):
        slow = Limits(wall_seconds=0.5)
        media.decode_limited(media.make_preview, source, tmp_path / "slow.mp4", slow)
    assert time.monotonic() - started < 3  # killed at the deadline, not left to finish
    with pytest.raises(ChildFailed):  # out of memory in the child; this process carries on
        small = Limits(wall_seconds=30, memory_bytes=64 * 2**20)
        media.decode_limited(media.make_preview, source, tmp_path / "small.mp4", small)


def test_a_preview_of_packets_without_timestamps_stops_by_count(tmp_path: Path) -> None:
    import av
    import numpy as np

    from mediavault_ui.media import make_preview

    raw = tmp_path / "raw.h264"  # an elementary stream: no packet carries a timestamp
    with av.open(str(raw), "w", format="h264") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(250):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    make_preview(raw, tmp_path / "clip.mp4", max_seconds=2)
    with av.open(str(tmp_path / "clip.mp4")) as clip:
        frames = sum(1 for _ in clip.decode(video=0))
    assert frames <= 3 * 25 + 2, frames  # not all 250 frames (10 s) of the file


def test_the_per_file_lock_map_does_not_grow(tmp_path: Path) -> None:
    from mediavault_ui import media

    for i in range(50):
        media.ensure_cached(tmp_path / f"{i}.jpg", lambda partial: partial.write_bytes(b"x"))
    assert not media._locks
