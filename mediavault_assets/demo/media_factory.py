"""Real, tiny, deterministic video files made with PyAV, for tests and the demo library.

Every file is a genuine container with genuine streams (mediainfo and FFmpeg read them like any
download), but only a handful of frames of a synthetic pattern, so one file encodes in a fraction
of a second even at 3840x2160. The same spec always yields the same bytes: muxers run with
``+bitexact`` (no random Matroska UIDs, no dates, no library versions) and encoders run on one
thread.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
from av.container import OutputContainer
from av.subtitles.stream import SubtitleStream

Container = Literal["mkv", "mp4", "mov", "avi", "webm", "mpegts", "mpeg", "wmv"]
VideoCodec = Literal["h264", "hevc", "mpeg4", "vp9", "av1", "mpeg2", "wmv"]
AudioCodec = Literal["aac", "ac3", "eac3", "mp3", "opus", "flac", "pcm", "wma"]
HdrKind = Literal["SDR", "HDR10", "HLG"]

# Container ids are the ones probe_file reports, so a spec and a probe compare directly.
_FORMATS: dict[str, str] = {
    "mkv": "matroska",
    "mp4": "mp4",
    "mov": "mov",
    "avi": "avi",
    "webm": "webm",
    "mpegts": "mpegts",
    "mpeg": "mpeg",
    "wmv": "asf",
}
_VIDEO_ENCODERS: dict[str, str] = {
    "h264": "libx264",
    "hevc": "libx265",
    "mpeg4": "mpeg4",
    "vp9": "libvpx-vp9",
    "av1": "libsvtav1",
    "mpeg2": "mpeg2video",
    "wmv": "wmv2",
}
_AUDIO_ENCODERS: dict[str, str] = {
    "aac": "aac",
    "ac3": "ac3",
    "eac3": "eac3",
    "mp3": "libmp3lame",
    "opus": "libopus",
    "flac": "flac",
    "pcm": "pcm_s16le",
    "wma": "wmav2",
}
# wmav2 has no default bit rate and refuses to open without one; the others pick their own.
_AUDIO_BITRATES: dict[str, int] = {"wma": 128_000}
_LAYOUTS: dict[int, str] = {1: "mono", 2: "stereo", 6: "5.1", 8: "7.1"}
_SUBTITLE_CODECS: dict[str, str] = {"mkv": "subrip", "mp4": "mov_text", "mov": "mov_text"}
# Containers with no per-stream language field: what they hold is always untagged.
_UNTAGGABLE = frozenset({"avi", "mpeg"})
_SAMPLE_RATE = 48_000
_AUDIO_FRAME = 1024  # samples per frame we hand to the encoder; PyAV re-frames as needed

# Fastest settings that still produce a standard stream. x265 logs to stderr by itself unless
# told otherwise; "pools=none" keeps it on one thread so output never depends on scheduling.
_X265_BASE = "log-level=error:pools=none:frame-threads=1:rc-lookahead=0:bframes=0"
_X265_HDR: dict[str, str] = {
    "HDR10": (
        ":colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:hdr10=1:max-cll=1000,400"
        ":master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)"
    ),
    "HLG": ":colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
}
_VIDEO_OPTIONS: dict[str, dict[str, str]] = {
    "h264": {"preset": "ultrafast"},
    "hevc": {"preset": "ultrafast"},
    "vp9": {"deadline": "realtime", "cpu-used": "8"},
    "av1": {"preset": "12"},
}
# A minimal ASS header: FFmpeg's text subtitle encoders refuse to open without one.
_ASS_HEADER = (
    b"[Script Info]\r\nScriptType: v4.00+\r\n\r\n[Events]\r\n"
    b"Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n"
)


@dataclass(frozen=True, slots=True)
class AudioSpec:
    codec: AudioCodec = "aac"
    language: str | None = "eng"  # ISO 639-2 as written by real muxers; None = untagged
    channels: int = 2  # 1, 2, 6 (5.1) or 8 (7.1)
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SubtitleSpec:
    language: str | None = "eng"
    lines: tuple[str, ...] = ("Subtitle line one.", "Subtitle line two.")
    title: str | None = None  # e.g. "English SDH": players and our probe read flavours here
    forced: bool = False
    hearing_impaired: bool = False


@dataclass(frozen=True, slots=True)
class VideoSpec:
    container: Container = "mkv"
    video_codec: VideoCodec = "h264"
    width: int = 640
    height: int = 360
    duration_s: float = 2.0
    fps: float = 4.0  # low on purpose: few frames keeps 4K encodes fast
    audio: tuple[AudioSpec, ...] = (AudioSpec(),)
    subtitles: tuple[SubtitleSpec, ...] = ()
    seed: int = 0  # varies picture and tone: otherwise equal specs make different bytes
    bitrate_kbps: int | None = None  # video target; None lets the encoder pick
    hdr: HdrKind = "SDR"
    # (start in seconds, title): each chapter ends where the next starts, the last at the end
    chapters: tuple[tuple[float, str], ...] = ()

    def __post_init__(self) -> None:
        if self.width % 2 or self.height % 2:
            raise ValueError(f"4:2:0 video needs even dimensions, got {self.width}x{self.height}")
        if self.hdr != "SDR" and self.video_codec != "hevc":
            raise ValueError(f"{self.hdr} is only supported for hevc, not {self.video_codec}")
        if self.subtitles and self.container not in _SUBTITLE_CODECS:
            raise ValueError(f"embedded text subtitles are not supported in {self.container}")
        if self.container in _UNTAGGABLE and any(a.language for a in self.audio):
            raise ValueError(f"{self.container} cannot store audio languages; use language=None")
        for track in self.audio:
            if track.channels not in _LAYOUTS:
                raise ValueError(f"unsupported channel count {track.channels}")

    @property
    def frame_count(self) -> int:
        return max(1, round(self.duration_s * self.fps))


def make_video(path: Path, spec: VideoSpec) -> None:
    """Encode `spec` into `path` (parent folders are created; the file appears atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    try:
        with _scheduling_kept():
            _encode(partial, spec)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def _scheduling_kept() -> Iterator[None]:
    """SVT-AV1 makes the thread that opens it SCHED_FIFO 99 where it may (as root, like in a
    NAS container): everything the process starts later (Dagster, Streamlit, Chromium) would
    inherit a real-time priority, and one busy loop then starves the machine."""
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    try:
        yield
    finally:
        if os.sched_getscheduler(0) != policy:
            os.sched_setscheduler(0, policy, param)


def truncate_file(path: Path, keep_fraction: float) -> None:
    """Cut a file short, like an interrupted copy or download."""
    if not 0 < keep_fraction < 1:
        raise ValueError(f"keep_fraction must be between 0 and 1, got {keep_fraction}")
    size = path.stat().st_size
    os.truncate(path, int(size * keep_fraction))


def make_zero_byte(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def _encode(path: Path, spec: VideoSpec) -> None:
    if spec.video_codec == "av1":
        # SVT-AV1 prints its configuration banner to stderr unless its log level is lowered.
        os.environ.setdefault("SVT_LOG", "1")
    rate = Fraction(spec.fps).limit_denominator(1001)
    options = {"fflags": "+bitexact"}
    if spec.container == "avi":
        # The MP3 encoder's priming delay would shift every timestamp; AVI then pads the video
        # with an empty frame and the file claims one frame more than it has.
        options["avoid_negative_ts"] = "disabled"
    with av.open(str(path), "w", format=_FORMATS[spec.container], container_options=options) as out:
        video = _add_video_stream(out, spec, rate)
        audio_streams = [_add_audio_stream(out, track) for track in spec.audio]
        subtitle_streams = [_add_subtitle_stream(out, spec, track) for track in spec.subtitles]
        if spec.chapters:
            out.set_chapters(_chapters(spec))

        for index in range(spec.frame_count):
            out.mux(video.encode(_video_frame(spec, index)))
        out.mux(video.encode(None))

        samples = round(spec.duration_s * _SAMPLE_RATE)
        for number, stream in enumerate(audio_streams):
            frequency = 220.0 + 55.0 * ((spec.seed + number) % 12)
            for start in range(0, samples, _AUDIO_FRAME):
                count = min(_AUDIO_FRAME, samples - start)
                out.mux(stream.encode(_tone(stream.layout.name, frequency, start, count)))
            out.mux(stream.encode(None))

        for stream, track in zip(subtitle_streams, spec.subtitles, strict=True):
            for packet in _subtitle_packets(stream, spec, track):
                out.mux(packet)


def _chapters(spec: VideoSpec) -> list[dict[str, object]]:
    starts = [round(start * 1000) for start, _ in spec.chapters]
    ends = [*starts[1:], round(spec.duration_s * 1000)]
    return [
        {
            "id": number,
            "start": start,
            "end": end,
            "time_base": Fraction(1, 1000),
            "metadata": {"title": title},
        }
        for number, ((_, title), start, end) in enumerate(
            zip(spec.chapters, starts, ends, strict=True), start=1
        )
    ]


def _add_video_stream(out: OutputContainer, spec: VideoSpec, rate: Fraction) -> av.VideoStream:
    stream = out.add_stream(_VIDEO_ENCODERS[spec.video_codec], rate=rate)
    stream.width = spec.width
    stream.height = spec.height
    stream.pix_fmt = "yuv420p10le" if spec.hdr != "SDR" else "yuv420p"
    if spec.bitrate_kbps:
        stream.bit_rate = spec.bitrate_kbps * 1000
    context = stream.codec_context
    context.thread_count = 1
    options = dict(_VIDEO_OPTIONS.get(spec.video_codec, {}))
    if spec.video_codec == "hevc":
        options["x265-params"] = _X265_BASE + _X265_HDR.get(spec.hdr, "")
    context.options = options
    if spec.container == "avi" and spec.video_codec == "mpeg4":
        context.codec_tag = "XVID"  # what real-world AVI rips carry (FFmpeg's default is FMP4)
    stream.disposition = av.stream.Disposition.default
    return stream


def _add_audio_stream(out: OutputContainer, track: AudioSpec) -> av.AudioStream:
    stream = out.add_stream(_AUDIO_ENCODERS[track.codec], rate=_SAMPLE_RATE)
    stream.layout = _LAYOUTS[track.channels]
    if track.codec in _AUDIO_BITRATES:
        stream.bit_rate = _AUDIO_BITRATES[track.codec]
    if track.language:
        stream.metadata["language"] = track.language
    if track.title:
        stream.metadata["title"] = track.title
    # The first audio track is the default one, as in nearly every real release.
    if not any(s.type == "audio" for s in out.streams if s is not stream):
        stream.disposition = av.stream.Disposition.default
    return stream


def _add_subtitle_stream(
    out: OutputContainer, spec: VideoSpec, track: SubtitleSpec
) -> SubtitleStream:
    stream = out.add_stream(_SUBTITLE_CODECS[spec.container])
    stream.codec_context.subtitle_header = _ASS_HEADER
    if track.language:
        stream.metadata["language"] = track.language
    if track.title:
        stream.metadata["title"] = track.title
    disposition = av.stream.Disposition(0)
    if track.forced:
        disposition |= av.stream.Disposition.forced
    if track.hearing_impaired:
        disposition |= av.stream.Disposition.hearing_impaired
    stream.disposition = disposition
    return stream


def _video_frame(spec: VideoSpec, index: int) -> av.VideoFrame:
    """A diagonal gradient that slides each frame; `seed` changes its slope and phase."""
    w, h = spec.width, spec.height
    xs = np.arange(w, dtype=np.uint32) + index * 7 + spec.seed * 31
    ys = np.arange(h, dtype=np.uint32) * (1 + spec.seed % 5)
    luma = np.add.outer(ys, xs)
    if spec.hdr != "SDR":
        planes = np.full((h * 3 // 2, w), 512, dtype=np.uint16)
        planes[:h] = (luma * 4) % 1024
        pixel_format = "yuv420p10le"
    else:
        planes = np.full((h * 3 // 2, w), 128, dtype=np.uint8)
        planes[:h] = luma % 256
        pixel_format = "yuv420p"
    frame = av.VideoFrame.from_ndarray(planes, format=pixel_format)
    frame.pts = index
    return frame


def _tone(layout: str, frequency: float, start: int, count: int) -> av.AudioFrame:
    t = np.arange(start, start + count, dtype=np.float64) / _SAMPLE_RATE
    wave = (0.2 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    channels = av.AudioLayout(layout).nb_channels
    # Packed samples: PyAV miscounts planes for planar 7.1 frames (8 data pointers max).
    interleaved = np.repeat(wave, channels)[np.newaxis, :]
    frame = av.AudioFrame.from_ndarray(interleaved, format="flt", layout=layout)
    frame.sample_rate = _SAMPLE_RATE
    frame.pts = start
    return frame


def _subtitle_packets(
    stream: SubtitleStream, spec: VideoSpec, track: SubtitleSpec
) -> list[av.Packet]:
    """Cues spread evenly over the video; raw packets, since the payload is just the text."""
    slot_ms = int(spec.duration_s * 1000) // max(1, len(track.lines))
    packets = []
    for number, line in enumerate(track.lines):
        text = line.encode("utf-8")
        if stream.codec_context.name == "mov_text":
            text = struct.pack(">H", len(text)) + text  # tx3g samples are length-prefixed
        packet = av.Packet(text)
        packet.stream = stream
        packet.time_base = Fraction(1, 1000)
        packet.pts = packet.dts = number * slot_ms
        packet.duration = slot_ms - 100
        packets.append(packet)
    return packets
