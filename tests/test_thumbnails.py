"""Seed 001's thumbnails: two sizes, a frame that is not black, made by a job, cleaned up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import yaml
from PIL import Image, ImageStat

from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.media.thumbnails import ThumbnailJob, frame_image, make_limited
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.settings import load_settings
from mediavault_assets.snapshot import read_snapshot

pytestmark = pytest.mark.slow


def _fade_in(path: Path, black_seconds: int = 5, seconds: int = 10) -> None:
    """A clip that is black for its first seconds (a studio fade), then bright."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.options = {"g": "5"}  # a key frame every second
        for index in range(seconds * 5):
            level = 0 if index < black_seconds * 5 else 200
            pixels = np.full((180, 320, 3), level, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 5)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_the_thumbnail_frame_is_past_a_black_opening(tmp_path: Path) -> None:
    clip = tmp_path / "fade.mp4"
    _fade_in(clip)
    assert ImageStat.Stat(frame_image(clip).convert("L")).mean[0] > 100


def test_a_broken_file_costs_only_its_own_thumbnails(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.mkv", tmp_path / "bad.mkv"
    make_video(good, VideoSpec(width=640, height=360, seed=1))
    bad.write_bytes(b"\x1a\x45\xdf\xa3" + os.urandom(4000))
    jobs = [
        ThumbnailJob(1, str(good), {"160x90": str(tmp_path / "g-s.jpg")}),
        ThumbnailJob(2, str(bad), {"160x90": str(tmp_path / "b-s.jpg")}),
    ]
    errors = make_limited(jobs)
    assert set(errors) == {2}
    with Image.open(tmp_path / "g-s.jpg") as image:
        assert image.size == (160, 90)


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    videos = tmp_path / "volume1" / "videos"
    make_video(
        videos / "Movies/Heat (1995)/Heat.1995.1080p.mkv",
        VideoSpec(width=1920, height=1080, seed=1),
    )
    make_video(videos / "Movies/Ronin (1998)/Ronin.1998.mkv", VideoSpec(seed=3))
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(tmp_path / "volume1" / "duplicates_before_purge"),
        "library_roots": [{"key": "videos", "path": str(videos), "media_type": "movie"}],
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    yield path
    os.environ.pop("DAGSTER_HOME", None)


def test_thumbnails_are_made_once_recorded_and_removed_with_their_file(library: Path) -> None:
    settings = load_settings(library)
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    made = run_job(library, "make_thumbnails", echo=lambda _: None)
    assert made.success
    rows = read_snapshot(
        settings, "SELECT media_file_id, thumbnail_size, mime_type, file_path FROM media_thumbnails"
    )
    assert rows.height == 4 and set(rows["thumbnail_size"]) == {"160x90", "640x360"}
    assert set(rows["mime_type"]) == {"image/jpeg"}
    for r in rows.iter_rows(named=True):
        with Image.open(r["file_path"]) as image:
            width, height = (int(x) for x in r["thumbnail_size"].split("x"))
            assert image.width <= width and image.height <= height
    before = {p: Path(p).stat().st_mtime_ns for p in rows["file_path"]}
    assert run_job(library, "make_thumbnails", echo=lambda _: None).success  # nothing new
    assert {p: Path(p).stat().st_mtime_ns for p in before} == before

    (settings.root("videos").path / "Movies/Ronin (1998)/Ronin.1998.mkv").unlink()
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    assert run_job(library, "make_thumbnails", echo=lambda _: None).success
    after = read_snapshot(settings, "SELECT file_path FROM media_thumbnails")
    assert after.height == 2
    gone = set(before) - set(after["file_path"])
    assert len(gone) == 2 and not any(Path(p).exists() for p in gone)
