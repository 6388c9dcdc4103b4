"""Quality tiers and seed 002's quality score, plus the display text reasons are made of.

The score follows seed 002's ``calculate_quality_score`` as its code is written:

- resolution tier: 4K 100, 1080p 75, 720p 50, 480p 25, SD 10;
- video codec: av1 22, hevc 20, vp9 18, h264 15, mpeg4 5, mpeg2 3, anything else (or unknown) 5;
- bitrate: ``min(bitrate_kbps / ideal_kbps, 2.0) * 30`` with the ideal 25 Mbps for 4K, 10 Mbps for
  1080p, 5 Mbps for 720p and 2 Mbps below. The seed's comment says "0-30" but its code caps the
  ratio at 2.0, so a file at twice the ideal earns 60; we follow the code. No bitrate earns 0;
- audio: 15 for 5.1 or more channels, 10 for stereo, 5 otherwise (unknown channels count as mono);
- more than one audio track: ``min(tracks * 3, 10)``; subtitle tracks: ``min(tracks * 2, 10)``
  (embedded tracks, as the seed's ``subtitle_track_count``; sidecars count for languages only);
- HDR of any kind: 15.

Tiers come from width OR height (DESIGN.md), so scope crops such as 1920x800 stay 1080p. One
deliberate change: DESIGN.md's lower bound for the 480p class (w>=1000 | h>=560) would put seed
002's own 480p example (854x480) and NTSC DVDs (720x480) into SD, so the 480p class starts at
w>=840 | h>=470 instead, the same ~2-6 % crop slack the other tiers have. Unknown dimensions are
"SD", the lowest tier: a file we could not measure never outranks one we could.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mediavault_assets.domain.model import ProbeFacts

QualityTier = Literal["4K", "1080p", "720p", "480p", "SD"]

RESOLUTION_POINTS: dict[str, float] = {"4K": 100, "1080p": 75, "720p": 50, "480p": 25, "SD": 10}
CODEC_POINTS: dict[str, float] = {
    "hevc": 20,
    "h264": 15,
    "vp9": 18,
    "av1": 22,
    "mpeg4": 5,
    "mpeg2": 3,
}
OTHER_CODEC_POINTS = 5.0
IDEAL_BITRATE_KBPS: dict[str, int] = {"4K": 25_000, "1080p": 10_000, "720p": 5_000}
OTHER_IDEAL_BITRATE_KBPS = 2_000
MAX_BITRATE_RATIO = 2.0
HDR_POINTS = 15.0

# (min width, min height) per tier, best first; a frame qualifies on either dimension.
_TIER_BOUNDS: tuple[tuple[QualityTier, int, int], ...] = (
    ("4K", 3200, 2100),
    ("1080p", 1800, 1000),
    ("720p", 1200, 700),
    ("480p", 840, 470),
)

_CODEC_NAMES = {
    "hevc": "H.265",
    "h264": "H.264",
    "vp9": "VP9",
    "vp8": "VP8",
    "av1": "AV1",
    "mpeg4": "MPEG4",
    "mpeg2": "MPEG-2",
    "mpeg1": "MPEG-1",
    "vc1": "VC-1",
    "wmv": "WMV",
    "aac": "AAC",
    "ac3": "AC3",
    "eac3": "E-AC3",
    "dts": "DTS",
    "truehd": "TrueHD",
    "mp3": "MP3",
    "opus": "Opus",
    "flac": "FLAC",
    "pcm": "PCM",
    "vorbis": "Vorbis",
}


def quality_tier(width: int | None, height: int | None) -> QualityTier:
    """The seed's quality tier of a frame size, from width OR height."""
    w, h = width or 0, height or 0
    for tier, min_width, min_height in _TIER_BOUNDS:
        if w >= min_width or h >= min_height:
            return tier
    return "SD"


@dataclass(frozen=True, slots=True)
class QualityTerms:
    """Each term of seed 002's score, so a reviewer (and a test) can see where points come from."""

    resolution: float
    codec: float
    bitrate: float
    audio: float
    multi_audio: float
    subtitles: float
    hdr: float

    @property
    def total(self) -> float:
        return round(
            self.resolution
            + self.codec
            + self.bitrate
            + self.audio
            + self.multi_audio
            + self.subtitles
            + self.hdr,
            2,
        )


def quality_terms(probe: ProbeFacts) -> QualityTerms:
    tier = quality_tier(probe.width, probe.height)
    codec = CODEC_POINTS.get((probe.video_codec or "").lower(), OTHER_CODEC_POINTS)
    bitrate = 0.0
    if probe.bitrate:
        ideal = IDEAL_BITRATE_KBPS.get(tier, OTHER_IDEAL_BITRATE_KBPS)
        bitrate = min(probe.bitrate / ideal, MAX_BITRATE_RATIO) * 30
    channels = probe.audio_channels or 0.0
    audio = 15.0 if channels >= 5.1 else 10.0 if channels >= 2.0 else 5.0
    multi_audio = min(probe.audio_track_count * 3, 10) if probe.audio_track_count > 1 else 0
    subtitles = min(probe.subtitle_track_count * 2, 10) if probe.subtitle_track_count > 0 else 0
    hdr = HDR_POINTS if probe.hdr_type and probe.hdr_type != "SDR" else 0.0
    return QualityTerms(
        resolution=RESOLUTION_POINTS[tier],
        codec=codec,
        bitrate=bitrate,
        audio=audio,
        multi_audio=float(multi_audio),
        subtitles=float(subtitles),
        hdr=hdr,
    )


def calculate_quality_score(probe: ProbeFacts) -> float:
    """Seed 002's quality score (higher is better), rounded to 2 decimals."""
    return quality_terms(probe).total


def codec_display(codec: str | None) -> str:
    """Like "hevc" → "H.265", "h264" → "H.264"; unknown ids upper-cased; None → "unknown codec"."""
    if not codec:
        return "unknown codec"
    return _CODEC_NAMES.get(codec.lower(), codec.upper())


def resolution_text(width: int | None, height: int | None) -> str:
    """Like "3840x2160"; "unknown resolution" when the probe had none."""
    if not width or not height:
        return "unknown resolution"
    return f"{width}x{height}"


def bitrate_text(kbps: int | None) -> str:
    """25000 → "25 Mbps", 2500 → "2.5 Mbps", 640 → "640 kbps"; None → "unknown bitrate"."""
    if not kbps:
        return "unknown bitrate"
    if kbps < 1000:
        return f"{kbps} kbps"
    return f"{kbps / 1000:.1f}".removesuffix(".0") + " Mbps"


def audio_channels_text(channels: float | None) -> str:
    """5.1 → "5.1", 2.0 → "stereo", 1.0 → "mono"; None → "unknown channels"."""
    if channels is None:
        return "unknown channels"
    if channels < 2.0:
        return "mono"
    if channels == 2.0:
        return "stereo"
    return f"{channels:.1f}"
