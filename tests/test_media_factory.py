"""The media factory makes real files: mediainfo must read back exactly what the spec asked for."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import av
import pytest

from mediavault_assets.demo.media_factory import (
    AudioSpec,
    SubtitleSpec,
    VideoSpec,
    make_video,
    make_zero_byte,
    truncate_file,
)
from tests.media_fixtures import MEDIAINFO_CONTAINERS, MEDIAINFO_VIDEO_FORMATS, mediainfo_tracks

UNTAGGED_MP3 = (AudioSpec("mp3", None),)

# (container, video codec, audio) → mediainfo audio Format, for every pairing the demo relies on
# plus the ones the probe's maps must understand.
COMBINATIONS = [
    ("mkv", "h264", (AudioSpec("aac", "eng", 6),), "AAC"),
    ("mp4", "h264", (AudioSpec("aac", "spa", 2),), "AAC"),
    ("mov", "h264", (AudioSpec("pcm", "eng", 2),), "PCM"),
    ("avi", "mpeg4", UNTAGGED_MP3, "MPEG Audio"),
    ("webm", "vp9", (AudioSpec("opus", "kor", 6),), "Opus"),
    ("mkv", "av1", (AudioSpec("opus", None, 2),), "Opus"),
    ("mpegts", "mpeg2", (AudioSpec("ac3", "eng", 6),), "AC-3"),
    ("mpeg", "mpeg2", UNTAGGED_MP3, "MPEG Audio"),
    ("wmv", "wmv", (AudioSpec("wma", "eng", 2),), "WMA"),
    ("mkv", "hevc", (AudioSpec("eac3", "fre", 6), AudioSpec("flac", "eng", 2)), "E-AC-3"),
]


@pytest.mark.parametrize(("container", "codec", "audio", "audio_format"), COMBINATIONS)
def test_mediainfo_reads_back_the_spec(
    tmp_path: Path, container: str, codec: str, audio: tuple[AudioSpec, ...], audio_format: str
) -> None:
    spec = VideoSpec(
        container=container, video_codec=codec, width=352, height=288, audio=audio, seed=7
    )
    path = tmp_path / f"clip.{container}"
    make_video(path, spec)

    tracks = mediainfo_tracks(path)
    assert tracks["General"][0]["format"] == MEDIAINFO_CONTAINERS[container]
    (video,) = tracks["Video"]
    assert video["format"] == MEDIAINFO_VIDEO_FORMATS[codec]
    assert (video["width"], video["height"]) == (352, 288)
    assert float(tracks["General"][0]["duration"]) == pytest.approx(2000, abs=300)
    assert tracks["Audio"][0]["format"] == audio_format
    assert [a["channel_s"] for a in tracks["Audio"]] == [a.channels for a in audio]
    # mediainfo reports ISO 639-1 for tagged tracks and nothing for untagged ones.
    expected = [{"eng": "en", "spa": "es", "kor": "ko", "fre": "fr"}.get(a.language) for a in audio]
    assert [a.get("language") for a in tracks["Audio"]] == expected


def test_4k_hevc_hdr10_is_really_4k_and_hdr(tmp_path: Path) -> None:
    path = tmp_path / "uhd.mkv"
    make_video(path, VideoSpec(video_codec="hevc", width=3840, height=2160, fps=1, hdr="HDR10"))
    (video,) = mediainfo_tracks(path)["Video"]
    assert (video["format"], video["width"], video["height"]) == ("HEVC", 3840, 2160)
    assert video["bit_depth"] == 10
    assert video["hdr_format_commercial"] == "HDR10"
    assert video["transfer_characteristics"] == "PQ"
    assert video["color_primaries"] == "BT.2020"


def test_hlg_is_signalled(tmp_path: Path) -> None:
    path = tmp_path / "hlg.mkv"
    make_video(path, VideoSpec(video_codec="hevc", hdr="HLG"))
    (video,) = mediainfo_tracks(path)["Video"]
    assert video["transfer_characteristics"] == "HLG"
    assert video["bit_depth"] == 10


def test_frame_count_and_rate_follow_the_spec(tmp_path: Path) -> None:
    path = tmp_path / "clip.mkv"
    make_video(path, VideoSpec(duration_s=3.0, fps=5.0))
    (video,) = mediainfo_tracks(path)["Video"]
    assert int(video["frame_count"]) == 15
    assert float(video["frame_rate"]) == 5.0


def test_embedded_subtitles_carry_language_title_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "subs.mkv"
    subtitles = (
        SubtitleSpec("eng", ("Hello.",), title="English SDH", hearing_impaired=True),
        SubtitleSpec("fre", ("Bonjour.",), forced=True),
        SubtitleSpec(None, ("?",)),
    )
    make_video(path, VideoSpec(subtitles=subtitles))
    texts = mediainfo_tracks(path)["Text"]
    assert [t["format"] for t in texts] == ["UTF-8"] * 3
    assert [t.get("language") for t in texts] == ["en", "fr", None]
    assert [t.get("title") for t in texts] == ["English SDH", None, None]
    assert [t["forced"] for t in texts] == ["No", "Yes", "No"]


def test_mp4_subtitles_are_mov_text(tmp_path: Path) -> None:
    path = tmp_path / "subs.mp4"
    make_video(path, VideoSpec(container="mp4", subtitles=(SubtitleSpec("eng"),)))
    (text,) = mediainfo_tracks(path)["Text"]
    assert (text["format"], text["codec_id"], text["language"]) == ("Timed Text", "tx3g", "en")


def test_same_spec_same_bytes_and_seed_changes_them(tmp_path: Path) -> None:
    spec = VideoSpec(audio=(AudioSpec("aac", "eng", 6),), subtitles=(SubtitleSpec(),), seed=3)
    digests = []
    for name, variant in [("a", spec), ("b", spec), ("c", replace(spec, seed=4))]:
        make_video(tmp_path / f"{name}.mkv", variant)
        digests.append(hashlib.md5((tmp_path / f"{name}.mkv").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_avi_duration_is_not_padded(tmp_path: Path) -> None:
    # MP3 priming once shifted every AVI timestamp, adding a phantom frame.
    path = tmp_path / "clip.avi"
    make_video(path, VideoSpec(container="avi", video_codec="mpeg4", audio=UNTAGGED_MP3))
    (video,) = mediainfo_tracks(path)["Video"]
    assert int(video["frame_count"]) == 8
    assert video["codec_id"] == "XVID"


def test_encoding_av1_leaves_the_process_scheduling_as_it_was(tmp_path: Path) -> None:
    """SVT-AV1 makes its caller SCHED_FIFO 99 when run as root; the demo then started Dagster,
    Streamlit and Chromium real-time, and a spinning renderer starved the machine."""
    before = (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority)
    make_video(tmp_path / "av1.mkv", VideoSpec(video_codec="av1", audio=()))
    assert (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority) == before
    child = subprocess.run(["chrt", "-p", str(os.getpid())], capture_output=True, text=True)
    assert "SCHED_FIFO" not in child.stdout


def test_make_video_leaves_no_partial_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "broken.mkv"
    with pytest.raises(av.FFmpegError):  # LAME encodes at most two channels
        make_video(path, VideoSpec(audio=(AudioSpec("mp3", "eng", 6),)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 641}, "even dimensions"),
        ({"hdr": "HDR10"}, "only supported for hevc"),
        ({"container": "avi", "video_codec": "mpeg4", "subtitles": (SubtitleSpec(),)}, "subtitles"),
        ({"container": "avi", "video_codec": "mpeg4"}, "cannot store audio languages"),
        ({"audio": (AudioSpec(channels=5),)}, "channel count"),
    ],
)
def test_invalid_specs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VideoSpec(**kwargs)  # type: ignore[arg-type]


def test_truncate_and_zero_byte(tmp_path: Path) -> None:
    path = tmp_path / "clip.mkv"
    make_video(path, VideoSpec())
    size = path.stat().st_size
    truncate_file(path, 0.25)
    assert path.stat().st_size == int(size * 0.25)
    with pytest.raises(ValueError):
        truncate_file(path, 1.0)

    empty = tmp_path / "sub" / "empty.mkv"
    make_zero_byte(empty)
    assert empty.stat().st_size == 0


def test_bitrate_target_steers_the_encoder(tmp_path: Path) -> None:
    sizes = []
    for kbps in (50, 1500):
        path = tmp_path / f"{kbps}.mkv"
        make_video(path, VideoSpec(audio=(), bitrate_kbps=kbps))
        sizes.append(path.stat().st_size)
    assert sizes[1] > sizes[0] * 1.5
