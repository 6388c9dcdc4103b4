"""Seed 002's quality score, term by term, and the tiers and texts reasons are built from."""

from __future__ import annotations

import pytest

from mediavault_assets.domain.model import ProbeFacts
from mediavault_assets.domain.quality import (
    audio_channels_text,
    bitrate_text,
    calculate_quality_score,
    codec_display,
    quality_terms,
    quality_tier,
    resolution_text,
)


@pytest.mark.parametrize(
    ("width", "height", "tier"),
    [
        (3840, 2160, "4K"),
        (4096, 1716, "4K"),  # DCI scope: wide enough
        (3840, 1600, "4K"),  # cropped UHD
        (1920, 1080, "1080p"),
        (1920, 800, "1080p"),  # cropped scope encode (DESIGN.md)
        (1440, 1080, "1080p"),  # 4:3 pillarboxed
        (1280, 720, "720p"),
        (1280, 536, "720p"),  # cropped 720p
        (960, 720, "720p"),
        (1024, 576, "480p"),  # PAL widescreen
        (720, 576, "480p"),  # PAL DVD
        (854, 480, "480p"),  # seed 002's own 480p example
        (720, 480, "480p"),  # NTSC DVD
        (640, 480, "480p"),
        (854, 356, "480p"),  # cropped 480p
        (640, 360, "SD"),
        (512, 384, "SD"),
        (None, None, "SD"),  # unknown: never outranks a measured file
        (0, 0, "SD"),
    ],
)
def test_quality_tier_uses_width_or_height(
    width: int | None, height: int | None, tier: str
) -> None:
    assert quality_tier(width, height) == tier


@pytest.mark.parametrize(
    ("width", "height", "points"),
    [(3840, 2160, 100), (1920, 1080, 75), (1280, 720, 50), (720, 480, 25), (512, 384, 10)],
)
def test_resolution_term(width: int, height: int, points: float) -> None:
    assert quality_terms(ProbeFacts(width=width, height=height)).resolution == points


@pytest.mark.parametrize(
    ("codec", "points"),
    [
        ("av1", 22),
        ("hevc", 20),
        ("vp9", 18),
        ("h264", 15),
        ("mpeg4", 5),
        ("mpeg2", 3),
        ("HEVC", 20),  # ids are lower-case; a stray capital still matches
        ("vc1", 5),  # not in the seed's map
        ("wmv", 5),
        (None, 5),  # unknown codec
    ],
)
def test_codec_term(codec: str | None, points: float) -> None:
    assert quality_terms(ProbeFacts(video_codec=codec)).codec == points


@pytest.mark.parametrize(
    ("width", "height", "kbps", "points"),
    [
        (1920, 1080, 10_000, 30.0),  # 1080p ideal 10 Mbps
        (1920, 1080, 5_000, 15.0),
        (1920, 1080, 8_000, 24.0),
        (1920, 1080, 30_000, 60.0),  # ratio capped at 2.0, as the seed's code does
        (3840, 2160, 25_000, 30.0),  # 4K ideal 25 Mbps
        (3840, 2160, 10_000, 12.0),
        (1280, 720, 5_000, 30.0),  # 720p ideal 5 Mbps
        (1280, 720, 2_500, 15.0),
        (720, 480, 2_000, 30.0),  # everything below 720p: 2 Mbps
        (512, 384, 1_000, 15.0),
        (1920, 1080, None, 0.0),  # no bitrate, no points
        (1920, 1080, 0, 0.0),
    ],
)
def test_bitrate_term_is_relative_to_the_tier_ideal(
    width: int, height: int, kbps: int | None, points: float
) -> None:
    terms = quality_terms(ProbeFacts(width=width, height=height, bitrate=kbps))
    assert terms.bitrate == pytest.approx(points)


@pytest.mark.parametrize(
    ("channels", "points"), [(None, 5), (1.0, 5), (2.0, 10), (2.1, 10), (5.1, 15), (7.1, 15)]
)
def test_audio_term(channels: float | None, points: float) -> None:
    assert quality_terms(ProbeFacts(audio_channels=channels)).audio == points


@pytest.mark.parametrize(("tracks", "points"), [(0, 0), (1, 0), (2, 6), (3, 9), (4, 10), (9, 10)])
def test_multi_audio_term(tracks: int, points: float) -> None:
    assert quality_terms(ProbeFacts(audio_track_count=tracks)).multi_audio == points


@pytest.mark.parametrize(("tracks", "points"), [(0, 0), (1, 2), (3, 6), (5, 10), (8, 10)])
def test_subtitle_term(tracks: int, points: float) -> None:
    assert quality_terms(ProbeFacts(subtitle_track_count=tracks)).subtitles == points


@pytest.mark.parametrize(
    ("hdr", "points"),
    [("SDR", 0), ("", 0), ("HDR10", 15), ("HDR10+", 15), ("Dolby Vision", 15), ("HLG", 15)],
)
def test_hdr_term(hdr: str, points: float) -> None:
    assert quality_terms(ProbeFacts(hdr_type=hdr)).hdr == points


def test_total_is_the_sum_of_the_terms_rounded() -> None:
    uhd = ProbeFacts(
        width=3840,
        height=2160,
        video_codec="hevc",
        bitrate=25_000,
        audio_channels=5.1,
        audio_track_count=2,
        subtitle_track_count=3,
        hdr_type="HDR10",
    )
    # 100 resolution + 20 codec + 30 bitrate + 15 audio + 6 tracks + 6 subtitles + 15 HDR
    assert calculate_quality_score(uhd) == 192.0
    dvd = ProbeFacts(width=720, height=480, video_codec="mpeg4", bitrate=1_234, audio_channels=2.0)
    # 25 + 5 + 1234/2000*30 = 18.51 + 10
    assert calculate_quality_score(dvd) == 58.51


def test_an_unprobed_file_scores_the_minimum() -> None:
    # SD 10 + unknown codec 5 + no bitrate 0 + unknown channels 5
    assert calculate_quality_score(ProbeFacts(probe_error="not a media file")) == 20.0


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("hevc", "H.265"),
        ("h264", "H.264"),
        ("mpeg4", "MPEG4"),
        ("av1", "AV1"),
        ("aac", "AAC"),
        ("dts", "DTS"),
        ("prores", "PRORES"),
        (None, "unknown codec"),
    ],
)
def test_codec_display(codec: str | None, text: str) -> None:
    assert codec_display(codec) == text


@pytest.mark.parametrize(
    ("kbps", "text"),
    [
        (25_000, "25 Mbps"),
        (8_000, "8 Mbps"),
        (2_500, "2.5 Mbps"),
        (1_234, "1.2 Mbps"),
        (640, "640 kbps"),
        (None, "unknown bitrate"),
    ],
)
def test_bitrate_text(kbps: int | None, text: str) -> None:
    assert bitrate_text(kbps) == text


def test_resolution_and_channel_texts() -> None:
    assert resolution_text(3840, 2160) == "3840x2160"
    assert resolution_text(None, 1080) == "unknown resolution"
    assert [audio_channels_text(c) for c in (1.0, 2.0, 5.1, 7.1, None)] == [
        "mono",
        "stereo",
        "5.1",
        "7.1",
        "unknown channels",
    ]
