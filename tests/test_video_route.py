"""The media routes: byte ranges by catalog id, previews and thumbnails, and what they refuse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from test_ui_app import copy_snapshot, edited_snapshot, ui_settings

from mediavault_ui import auth
from mediavault_ui.routes import media_routes

LOCAL = ("127.0.0.1", 50000)


def client(
    config: Path, monkeypatch: pytest.MonkeyPatch, *, address: tuple[str, int] = LOCAL
) -> TestClient:
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    return TestClient(Starlette(routes=media_routes()), client=address)


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
        token = auth.media_token("alice")
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
