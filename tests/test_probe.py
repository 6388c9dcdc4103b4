"""probe_file against real files: the demo library's recorded facts, damaged files, bad input."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from mediavault_assets.demo.demo_library import DemoRecord
from mediavault_assets.demo.media_factory import (
    AudioSpec,
    SubtitleSpec,
    VideoSpec,
    make_video,
    truncate_file,
)
from mediavault_assets.domain.model import Chapter
from mediavault_assets.media import mediainfo, probe
from mediavault_assets.media.mediainfo import read_tracks
from mediavault_assets.media.probe import (
    audio_codec_id,
    channel_layout_value,
    chapters_from_menu,
    classify_hdr,
    container_id,
    probe_file,
    probe_many,
    video_codec_id,
)
from tests.media_fixtures import cached_demo_library, mediainfo_tracks


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoRecord]:
    return cached_demo_library(tmp_path_factory)


def test_probe_matches_the_record_for_every_demo_video(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    checked = 0
    for demo_file in record.videos(include_skipped=True):
        if demo_file.media is None or demo_file.corrupt:
            continue
        media = demo_file.media
        facts = probe_file(record.path_of(dest, demo_file))
        where = demo_file.ref
        assert facts.probe_error is None, where
        assert facts.integrity_error is None, where
        assert facts.container == media.container, where
        assert facts.video_codec == media.video_codec, where
        assert facts.audio_codec == media.audio_codec, where
        assert (facts.width, facts.height) == (media.width, media.height), where
        assert facts.framerate == media.framerate, where
        assert facts.hdr_type == media.hdr_type, where
        assert facts.audio_channels == media.audio_channels, where
        assert facts.audio_track_count == media.audio_track_count, where
        assert facts.subtitle_track_count == media.subtitle_track_count, where
        assert facts.audio_languages == media.audio_languages, where
        assert facts.subtitle_languages == media.subtitle_languages, where
        # Audio encoder padding and MPEG-TS duration estimates add a little.
        assert facts.duration == pytest.approx(media.duration, abs=0.25), where
        assert facts.bitrate and facts.bitrate > 0, where
        checked += 1
    assert checked == 24


def test_4k_outranks_1080p_on_bitrate(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    folder = "Movies/Inception (2010)"
    uhd = probe_file(
        record.root_path(dest, "videos") / folder / "Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv"
    )
    hd = probe_file(
        record.root_path(dest, "videos") / folder / "Inception.2010.1080p.BluRay.x264.mkv"
    )
    assert (uhd.width, uhd.height, uhd.video_codec, uhd.hdr_type) == (3840, 2160, "hevc", "HDR10")
    assert uhd.audio_track_count == 2
    assert uhd.bitrate is not None and hd.bitrate is not None and uhd.bitrate > hd.bitrate


def test_truncated_and_zero_byte_demo_files(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    (truncated,) = [f for f in record.files if f.corrupt == "truncated"]
    facts = probe_file(record.path_of(dest, truncated))
    assert facts.integrity_error is not None and "truncated" in facts.integrity_error
    assert facts.probe_error is None
    # The header survives, so the file is still identified.
    assert (facts.video_codec, facts.width, facts.height) == ("h264", 1920, 1040)

    (zero,) = [f for f in record.files if f.corrupt == "zero_byte"]
    facts = probe_file(record.path_of(dest, zero))
    assert facts.probe_error == "empty file (0 bytes)"
    assert facts.video_codec is None


def test_sidecars_and_nfo_are_not_videos(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    for demo_file in record.files:
        if demo_file.kind in ("subtitle", "nfo"):
            facts = probe_file(record.path_of(dest, demo_file))
            assert facts.probe_error is not None, demo_file.ref
            assert facts.video_codec is None


@pytest.mark.parametrize(
    ("container", "codec", "audio", "keep"),
    [
        ("mkv", "h264", AudioSpec("aac"), 0.5),
        ("webm", "vp9", AudioSpec("opus"), 0.6),
        ("avi", "mpeg4", AudioSpec("mp3", None), 0.5),
        # mediainfo has no "truncated" signal for ASF: the PyAV tail check must catch it.
        ("wmv", "wmv", AudioSpec("wma"), 0.3),
    ],
)
def test_truncation_is_detected(
    tmp_path: Path, container: str, codec: str, audio: AudioSpec, keep: float
) -> None:
    path = tmp_path / f"clip.{container}"
    make_video(path, VideoSpec(container=container, video_codec=codec, audio=(audio,)))
    assert probe_file(path).integrity_error is None
    truncate_file(path, keep)
    facts = probe_file(path)
    assert facts.integrity_error is not None and "truncated" in facts.integrity_error
    assert facts.probe_error is None
    assert facts.video_codec == codec


def test_mp4_without_its_index_is_unprobeable_and_truncated(tmp_path: Path) -> None:
    # FFmpeg writes the moov atom last: cutting the file loses every track description.
    path = tmp_path / "clip.mp4"
    make_video(path, VideoSpec(container="mp4"))
    truncate_file(path, 0.5)
    facts = probe_file(path)
    assert facts.probe_error == "no video track (MPEG-4)"
    assert facts.integrity_error is not None and "truncated" in facts.integrity_error


def _zero_tail(path: Path, fraction: float) -> None:
    """A preallocated download that stopped: the size is final, the last part is still zeros."""
    size = path.stat().st_size
    start = int(size * (1 - fraction))
    with path.open("r+b") as handle:
        handle.seek(start)
        handle.write(bytes(size - start))


@pytest.mark.parametrize("container", ["mkv", "webm"])
def test_a_zero_filled_tail_is_truncation(tmp_path: Path, container: str) -> None:
    # libmediainfo sees a complete header and no cut, so this is the PyAV tail check's case.
    path = tmp_path / f"clip.{container}"
    codec = "vp9" if container == "webm" else "h264"
    audio = AudioSpec("opus" if container == "webm" else "aac")
    make_video(path, VideoSpec(container=container, video_codec=codec, audio=(audio,)))
    _zero_tail(path, 0.4)
    facts = probe_file(path)
    assert read_tracks(path).general.get("istruncated") is None
    assert facts.integrity_error is not None and "truncated" in facts.integrity_error
    assert facts.probe_error is None


def test_pyav_reads_only_where_mediainfo_leaves_a_question(
    library: tuple[Path, DemoRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    dest, record = library
    opened: list[Path] = []
    real = probe._inspect_with_pyav

    def counted(path: Path, expected: float | None) -> object:
        opened.append(path)
        return real(path, expected)

    monkeypatch.setattr(probe, "_inspect_with_pyav", counted)
    intact = [
        record.path_of(dest, f)
        for f in record.files
        if not f.corrupt and f.relative_path.endswith((".mkv", ".mp4"))
    ]
    assert intact
    for path in intact:
        assert probe_file(path).integrity_error is None
    assert opened == []


def test_mediainfo_fields_are_those_pymediainfo_reads(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    kinds = {"General": "general", "Video": "videos", "Audio": "audios", "Text": "texts"}
    checked = 0
    for demo_file in record.files:
        path = record.path_of(dest, demo_file)
        if demo_file.corrupt or not path.exists():
            continue
        ours = read_tracks(path)
        for kind, attribute in kinds.items():
            theirs = mediainfo_tracks(path).get(kind, [])
            mine = getattr(ours, attribute)
            mine = [mine] if kind == "General" else mine
            assert len(mine) == len(theirs), (path, kind)
            for our_track, their_track in zip(mine, theirs, strict=True):
                wanted = set(mediainfo.FIELDS_READ[kind]) & set(their_track)
                assert wanted <= set(our_track), (path, kind, wanted - set(our_track))
                for key, value in our_track.items():
                    assert str(their_track[key]) == value or float(their_track[key]) == float(
                        value
                    ), (path, kind, key)
                    checked += 1
    assert checked > 300


def test_tracks_are_read_without_human_readable_variants(library: tuple[Path, DemoRecord]) -> None:
    # The fields above match pymediainfo's default (ReadByHuman 1) parse; ours skips that work.
    dest, record = library
    path = next(p for f in record.files if (p := record.path_of(dest, f)).suffix == ".mkv")
    mediainfo_tracks(path)  # pymediainfo's parse resets libmediainfo's options afterwards
    assert read_tracks(path).videos
    assert mediainfo._lib().MediaInfo_Option(None, "ReadByHuman_Get", "") == "0"


def test_probe_many_keeps_the_order_of_its_paths(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    paths = [record.path_of(dest, f) for f in record.files][:40]
    assert list(probe_many(paths, threads=4)) == [probe_file(p) for p in paths]


def test_a_large_batch_is_probed_in_worker_processes(
    library: tuple[Path, DemoRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    dest, record = library
    paths = [record.path_of(dest, f) for f in record.files] * 2
    monkeypatch.setattr(probe, "_PROCESS_BATCH", len(paths))
    started = []
    real = probe.ProcessPoolExecutor

    def counted(*args: object, **kwargs: object) -> object:
        started.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(probe, "ProcessPoolExecutor", counted)
    assert list(probe_many(paths, threads=4, processes=2)) == [probe_file(p) for p in paths]
    assert list(probe_many(paths[1:], threads=4, processes=2)) == [probe_file(p) for p in paths[1:]]
    assert len(started) == 1  # the smaller batch stayed on threads


def test_subtitle_flavours_and_untagged_tracks(tmp_path: Path) -> None:
    path = tmp_path / "subs.mkv"
    spec = VideoSpec(
        audio=(AudioSpec("ac3", "ger", 6), AudioSpec("aac", None, 2)),
        subtitles=(
            SubtitleSpec("eng", title="English (SDH)"),
            SubtitleSpec("fre", forced=True),
            SubtitleSpec("eng", title="Closed Captions CC"),
            SubtitleSpec(None),
        ),
    )
    make_video(path, spec)
    facts = probe_file(path)
    assert facts.audio_languages == ("de", "und")
    assert facts.audio_codec == "ac3"  # the default (first) track
    assert facts.audio_channels == 5.1
    assert facts.subtitle_languages == ("en-sdh", "fr-forced", "en-cc", "und")
    assert facts.subtitle_track_count == 4


def test_language_without_iso_639_1_code_does_not_break_the_probe(tmp_path: Path) -> None:
    path = tmp_path / "filipino.mkv"
    make_video(path, VideoSpec(audio=(AudioSpec("aac", "fil"),)))
    facts = probe_file(path)
    assert facts.probe_error is None
    assert facts.audio_track_count == 1
    assert facts.audio_languages in (("fil",), ("und",))


def test_framerate_falls_back_to_pyav_for_asf(tmp_path: Path) -> None:
    path = tmp_path / "clip.wmv"
    make_video(
        path, VideoSpec(container="wmv", video_codec="wmv", fps=5, audio=(AudioSpec("wma"),))
    )
    facts = probe_file(path)
    assert (facts.container, facts.video_codec, facts.audio_codec) == ("wmv", "wmv", "wma")
    assert facts.framerate == 5.0


def test_bad_input_gives_probe_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert probe_file(tmp_path / "gone.mkv").probe_error == (
        "file not found (it may have been moved or deleted)"
    )
    assert probe_file(tmp_path).probe_error == "not a regular file"
    text = tmp_path / "notes.mkv"
    text.write_text("not a video at all", encoding="utf-8")
    assert probe_file(text).probe_error == "not a recognizable media file"

    locked = tmp_path / "locked.mkv"
    make_video(locked, VideoSpec())

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Tests run as root, where chmod 000 does not stop reads.
    monkeypatch.setattr(Path, "open", deny)
    assert probe_file(locked).probe_error == "permission denied"


def test_unexpected_failures_become_probe_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clip.mkv"
    make_video(path, VideoSpec())

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(probe, "classify_hdr", explode)
    assert probe_file(path).probe_error == "unexpected probe failure: RuntimeError: boom"


HDR_CASES = [
    ({"bit_depth": 8, "color_primaries": "BT.709", "transfer_characteristics": "BT.709"}, "SDR"),
    ({}, "SDR"),
    (
        {
            "hdr_format": "Dolby Vision / SMPTE ST 2086",
            "hdr_format_compatibility": "HDR10 / HDR10",
            "bit_depth": 10,
            "transfer_characteristics": "PQ",
            "color_primaries": "BT.2020",
        },
        "Dolby Vision",
    ),
    ({"hdr_format_commercial": "Dolby Vision", "bit_depth": 10}, "Dolby Vision"),
    (
        {
            "hdr_format": "SMPTE ST 2094 App 4",
            "hdr_format_compatibility": "HDR10+ Profile B",
            "transfer_characteristics": "PQ",
        },
        "HDR10+",
    ),
    ({"hdr_format_commercial": "HDR10+", "bit_depth": 10}, "HDR10+"),
    (
        {
            "hdr_format": "SMPTE ST 2086",
            "hdr_format_commercial": "HDR10",
            "bit_depth": 10,
            "color_primaries": "BT.2020",
            "transfer_characteristics": "PQ",
        },
        "HDR10",
    ),
    ({"bit_depth": 10, "color_primaries": "BT.2020", "transfer_characteristics": "PQ"}, "HDR10"),
    (
        {
            "bit_depth": 10,
            "color_primaries": "BT.2020",
            "transfer_characteristics": "SMPTE ST 2084",
        },
        "HDR10",
    ),
    ({"bit_depth": 8, "color_primaries": "BT.2020", "transfer_characteristics": "PQ"}, "SDR"),
    ({"bit_depth": 10, "color_primaries": "BT.709", "transfer_characteristics": "PQ"}, "SDR"),
    ({"bit_depth": 10, "color_primaries": "BT.2020", "transfer_characteristics": "HLG"}, "HLG"),
    (
        {
            "bit_depth": 10,
            "color_primaries": "BT.2020",
            "transfer_characteristics": "BT.2020 (10-bit)",
            "transfer_characteristics_original": "HLG",
        },
        "HLG",
    ),
    (
        {
            "bit_depth": 10,
            "color_primaries": "BT.2020",
            "transfer_characteristics": "BT.2020 (10-bit)",
        },
        "SDR",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), HDR_CASES)
def test_classify_hdr(fields: dict[str, object], expected: str) -> None:
    assert classify_hdr(fields) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"format": "AVC", "codec_id": "V_MPEG4/ISO/AVC"}, "h264"),
        ({"format": "HEVC", "codec_id": "hvc1"}, "hevc"),
        ({"format": "MPEG-4 Visual", "codec_id": "XVID"}, "mpeg4"),
        ({"format": "xvid", "codec_id": "XVID"}, "mpeg4"),
        ({"format": "DivX", "codec_id": "DX50"}, "mpeg4"),
        ({"format": "VP9"}, "vp9"),
        ({"format": "AV1"}, "av1"),
        ({"format": "MPEG Video", "format_version": "Version 2"}, "mpeg2"),
        ({"format": "MPEG Video", "format_version": "Version 1"}, "mpeg1"),
        ({"format": "VC-1", "codec_id": "WVC1"}, "vc1"),
        ({"format": "VC-1", "codec_id": "WMV3"}, "vc1"),
        ({"format": "WMV2", "codec_id": "WMV2"}, "wmv"),
        ({"format": "WMV1", "codec_id": "WMV1"}, "wmv"),
        ({"format": "ProRes"}, "prores"),
        ({"format": "Some New-Codec"}, "somenewcodec"),
        ({}, None),
    ],
)
def test_video_codec_ids(fields: dict[str, object], expected: str | None) -> None:
    assert video_codec_id(fields) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"format": "AAC", "format_additionalfeatures": "LC"}, "aac"),
        ({"format": "AC-3"}, "ac3"),
        ({"format": "E-AC-3", "format_additionalfeatures": "JOC"}, "eac3"),
        ({"format": "DTS", "format_additionalfeatures": "XLL"}, "dts"),
        ({"format": "MLP FBA", "format_additionalfeatures": "16-ch"}, "truehd"),
        ({"format": "MPEG Audio", "format_profile": "Layer 3"}, "mp3"),
        ({"format": "MPEG Audio", "format_profile": "Layer 2"}, "mp2"),
        ({"format": "Opus"}, "opus"),
        ({"format": "FLAC"}, "flac"),
        ({"format": "PCM"}, "pcm"),
        ({"format": "WMA", "format_version": "Version 2"}, "wma"),
    ],
)
def test_audio_codec_ids(fields: dict[str, object], expected: str) -> None:
    assert audio_codec_id(fields) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"format": "Matroska"}, "mkv"),
        ({"format": "WebM"}, "webm"),
        ({"format": "MPEG-4", "format_profile": "Base Media"}, "mp4"),
        ({"format": "MPEG-4", "format_profile": "QuickTime"}, "mov"),
        ({"format": "AVI", "format_profile": "OpenDML"}, "avi"),
        ({"format": "MPEG-TS"}, "mpegts"),
        ({"format": "BDAV"}, "m2ts"),
        ({"format": "MPEG-PS"}, "mpeg"),
        ({"format": "Windows Media"}, "wmv"),
        ({"format": "Flash Video"}, "flv"),
        ({}, None),
    ],
)
def test_container_ids(fields: dict[str, object], expected: str | None) -> None:
    assert container_id(fields) == expected


@pytest.mark.parametrize(
    ("channels", "layout", "expected"),
    [
        (2, "L R", 2.0),
        (1, "C", 1.0),
        (6, "L R C LFE Ls Rs", 5.1),
        (6, "C L R Ls Rs LFE", 5.1),
        (8, "L R C LFE Ls Rs Lb Rb", 7.1),
        (3, "L R LFE", 2.1),
        (3, "L R C", 3.0),
        (6, None, 5.1),
        (8, None, 7.1),
        (2, None, 2.0),
    ],
)
def test_channel_layout_value(channels: int, layout: str | None, expected: float) -> None:
    assert channel_layout_value(channels, layout) == expected


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_chapters_are_read_with_their_starts_ends_and_titles(
    tmp_path: Path, container: str
) -> None:
    path = tmp_path / f"chaptered.{container}"
    spec = VideoSpec(
        container=container,
        duration_s=3.0,
        chapters=((0.0, "Opening"), (1.0, "Heist"), (2.5, "Kick")),
    )
    make_video(path, spec)

    facts = probe_file(path)
    chapters = facts.chapters

    assert [(c.start_ms, c.end_ms, c.title) for c in chapters] == [
        (0, 1000, "Opening"),
        (1000, 2500, "Heist"),
        # mediainfo gives starts only: the last chapter ends with the file.
        (2500, round((facts.duration or 0) * 1000), "Kick"),
    ]
    assert 3000 <= chapters[-1].end_ms <= 3100
    # Two independent readers of the same file: FFmpeg's chapters (PyAV) and pymediainfo's Menu.
    with av.open(str(path)) as media:
        theirs = [
            (round(c["start"] * c["time_base"] * 1000), c["metadata"]["title"])
            for c in media.chapters()
        ]
    assert [(c.start_ms, c.title) for c in chapters] == theirs
    menu = next(m for m in mediainfo_tracks(path)["Menu"] if "00_00_02500" in m)
    assert [c.title for c in chapters] == [
        menu[key] for key in ("00_00_00000", "00_00_01000", "00_00_02500")
    ]


def test_files_without_chapters_have_none(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    chaptered = {
        f.relative_path: probe_file(record.path_of(dest, f)).chapters
        for f in record.videos()
        if not f.corrupt
    }
    assert {name for name, chapters in chaptered.items() if chapters} == {
        "Movies/Inception (2010)/Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv",
        "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        "media/Inception.2010.1080p.mkv",  # its byte copy in the other root
    }


def test_chapters_from_menu_fields() -> None:
    # As mediainfo names and values them: a language prefix when the container tags one,
    # out of order or repeated starts (an MP4's two chapter lists), an empty title.
    fields = [
        ("00:01:30.500", "en:The Heist"),
        ("00:00:00.000", ""),
        ("00:01:30.500", "en:The Heist"),
        ("01:00:00.000", "Part 2: Limbo"),
    ]
    assert chapters_from_menu(fields, duration=3700.25) == (
        Chapter(0, 90_500, None, None),
        Chapter(90_500, 3_600_000, "The Heist", "en"),
        Chapter(3_600_000, 3_700_250, "Part 2: Limbo", None),
    )
    # Without a duration the last chapter ends where it starts (seed 004: end_ms is required).
    assert chapters_from_menu([("00:00:05.000", "x")], duration=None) == (
        Chapter(5000, 5000, "x", None),
    )
