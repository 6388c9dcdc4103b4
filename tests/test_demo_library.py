"""The demo NAS: every recorded fact is true of the files on disk, and it is reproducible."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from pathlib import Path

import pytest

from mediavault_assets.demo import demo_library as demo
from mediavault_assets.demo.demo_library import (
    RECORD_NAME,
    DemoFile,
    DemoRecord,
    generate_demo_library,
    load_demo_record,
)
from tests.media_fixtures import (
    MEDIAINFO_CONTAINERS,
    MEDIAINFO_VIDEO_FORMATS,
    cached_demo_library,
    mediainfo_tracks,
)

REQUIRED_SCENARIOS = {
    demo.EXACT_DUPLICATE,
    demo.RESOLUTION_VERSIONS,
    demo.EPISODE_REENCODE,
    demo.LANGUAGE_VERSIONS,
    demo.FOREIGN_FILM,
    demo.MULTI_EPISODE,
    demo.STACKED_PARTS,
    demo.EDITIONS,
    demo.EXTRAS,
    demo.HARDLINK,
    demo.TRUNCATED_COPY,
    demo.ZERO_BYTE,
    demo.SIDECARS,
    demo.AWKWARD_NAMES,
    demo.UNTAGGED_AUDIO,
    demo.NAS_CLUTTER,
}


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoRecord]:
    return cached_demo_library(tmp_path_factory)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _probeable(record: DemoRecord) -> list[DemoFile]:
    return [f for f in record.videos(include_skipped=True) if f.media and f.corrupt is None]


def test_roots_and_record_file(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    assert [(r.key, r.path) for r in record.roots] == [
        ("videos", "volume1/videos"),
        ("docker", "volume1/docker"),
    ]
    assert all(record.root_path(dest, r.key).is_dir() for r in record.roots)
    assert load_demo_record(dest) == record


def test_record_lists_exactly_the_files_on_disk(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    on_disk = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} - {
        RECORD_NAME
    }
    recorded = {record.path_of(dest, f).relative_to(dest).as_posix() for f in record.files}
    assert recorded == on_disk
    for demo_file in record.files:
        info = record.path_of(dest, demo_file).stat()
        assert info.st_size == demo_file.size, demo_file.ref
        assert info.st_mtime == demo_file.mtime, demo_file.ref


def test_every_required_scenario_is_present(library: tuple[Path, DemoRecord]) -> None:
    _, record = library
    present = {s for f in record.files for s in f.scenarios}
    assert present >= REQUIRED_SCENARIOS


def test_mediainfo_reads_back_codec_resolution_and_languages(
    library: tuple[Path, DemoRecord],
) -> None:
    dest, record = library
    checked = 0
    for demo_file in _probeable(record):
        media = demo_file.media
        assert media is not None
        tracks = mediainfo_tracks(record.path_of(dest, demo_file))
        (video,) = tracks["Video"]
        where = demo_file.ref
        assert tracks["General"][0]["format"] == MEDIAINFO_CONTAINERS[media.container], where
        assert video["format"] == MEDIAINFO_VIDEO_FORMATS[media.video_codec], where
        assert (video["width"], video["height"]) == (media.width, media.height), where
        audio_languages = [a.get("language") or "und" for a in tracks.get("Audio", [])]
        assert tuple(audio_languages) == media.audio_languages, where
        # Embedded subtitles: language from the track, the SDH flavour from its title.
        subtitle_languages = [
            t["language"] + ("-sdh" if "SDH" in str(t.get("title")) else "")
            for t in tracks.get("Text", [])
        ]
        assert tuple(subtitle_languages) == media.subtitle_languages, where
        checked += 1
    assert checked == 24


def test_exact_copies_share_bytes_but_not_inodes(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    groups: dict[str, list[DemoFile]] = defaultdict(list)
    for demo_file in record.files:
        if demo_file.byte_identical_group:
            groups[demo_file.byte_identical_group].append(demo_file)
    members = groups["inception-1080p"]
    assert {f.ref for f in members} == {
        "videos/Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        "docker/media/Inception.2010.1080p.mkv",
        "videos/#recycle/Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
    }
    paths = [record.path_of(dest, f) for f in members]
    assert len({_md5(p) for p in paths}) == 1
    assert len({p.stat().st_ino for p in paths}) == 3
    # A unique size is what lets the hasher skip a file: only real copies may collide.
    sizes = [f.size for f in record.videos() if f.hardlink_group is None and f.size]
    duplicated = {s for s in sizes if sizes.count(s) > 1}
    assert duplicated == {members[0].size}


def test_hardlinks_share_one_inode(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    linked = [f for f in record.files if f.hardlink_group == "amelie"]
    assert {f.root for f in linked} == {"videos", "docker"}
    stats = [record.path_of(dest, f).stat() for f in linked]
    assert stats[0].st_ino == stats[1].st_ino
    assert stats[0].st_nlink == 2
    assert linked[0].mtime == linked[1].mtime


def test_corrupt_files(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    truncated = [f for f in record.files if f.corrupt == "truncated"]
    (zero,) = [f for f in record.files if f.corrupt == "zero_byte"]
    (broken,) = truncated
    healthy = next(f for f in record.with_scenario(demo.TRUNCATED_COPY) if f.corrupt is None)
    assert broken.relative_path.split("/")[-1] == healthy.relative_path.split("/")[-1]
    assert broken.size == healthy.size // 2
    assert (
        record.path_of(dest, broken).read_bytes()
        == (record.path_of(dest, healthy).read_bytes()[: broken.size])
    )
    assert zero.size == 0
    assert zero.identity is not None and zero.identity.title == "Gladiator"


def test_clutter_is_marked_skipped(library: tuple[Path, DemoRecord]) -> None:
    _, record = library
    skipped = {f.relative_path for f in record.files if f.skipped}
    assert skipped == {
        "#recycle/Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        "TV/Red Dwarf/Season 01/@eaDir/RedDwarf_TVLab_s01e01.mkv/SYNOPHOTO_FILM_H.mp4",
    }
    assert all(f.kind == "video" for f in record.files if f.skipped)


def test_sidecars_sit_beside_their_video(library: tuple[Path, DemoRecord]) -> None:
    dest, record = library
    sidecars = [f for f in record.files if f.sidecar_of]
    by_name = {f.relative_path.rsplit("/", 1)[-1]: f for f in sidecars}
    assert by_name["The.Matrix.1999.720p.BluRay.x264.en.srt"].language == "en"
    assert by_name["The.Matrix.1999.720p.BluRay.x264.en.sdh.srt"].language == "en-sdh"
    assert by_name["The.Matrix.1999.720p.BluRay.x264.nfo"].kind == "nfo"
    assert by_name["Le Fabuleux Destin d'Amélie Poulain 2001 720p.en.srt"].language == "en"
    for sidecar in sidecars:
        video = record.find(sidecar.root, sidecar.sidecar_of or "")
        assert video.media is not None
        stem = video.relative_path.rsplit(".", 1)[0]
        assert sidecar.relative_path.startswith(stem + ".")
        if sidecar.language:
            assert sidecar.language in video.media.sidecar_languages
    matrix_srt = record.path_of(dest, by_name["The.Matrix.1999.720p.BluRay.x264.en.srt"])
    assert "What is the Matrix?" in matrix_srt.read_text(encoding="utf-8")


def test_identities_of_the_tricky_cases(library: tuple[Path, DemoRecord]) -> None:
    _, record = library
    season = "TV/Red Dwarf/Season 01"
    multi = record.find("videos", f"{season}/Red Dwarf - S01E01E02 - The End + Future Echoes.mkv")
    assert multi.identity is not None and multi.identity.episodes == (1, 2)
    singles = [
        f.identity.episodes
        for f in record.with_scenario(demo.MULTI_EPISODE)
        if f.identity and f is not multi
    ]
    assert sorted(singles) == [(1,), (2,)]

    parts = [f.identity.part for f in record.with_scenario(demo.STACKED_PARTS) if f.identity]
    assert sorted(p for p in parts if p) == [1, 2]
    editions = {f.identity.edition for f in record.with_scenario(demo.EDITIONS) if f.identity}
    assert editions == {None, "Director's Cut"}
    extras = {f.identity.extra_kind for f in record.with_scenario(demo.EXTRAS) if f.identity}
    assert extras == {"sample", "trailer"}

    reencode = record.with_scenario(demo.EPISODE_REENCODE)
    assert {(f.media.video_codec, f.media.height) for f in reencode if f.media} == {
        ("h264", 720),
        ("mpeg4", 480),
    }
    uhd = record.find(
        "videos", "Movies/Inception (2010)/Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv"
    )
    assert uhd.media is not None
    assert (uhd.media.video_codec, uhd.media.width, uhd.media.hdr_type) == ("hevc", 3840, "HDR10")


def test_language_scenarios(library: tuple[Path, DemoRecord]) -> None:
    _, record = library
    matrix = {
        f.media.audio_languages for f in record.with_scenario(demo.LANGUAGE_VERSIONS) if f.media
    }
    assert matrix == {("en",), ("es",)}
    parasite = [
        f
        for f in record.with_scenario(demo.FOREIGN_FILM)
        if f.identity and f.identity.title == "Parasite"
    ]
    assert len(parasite) == 2
    assert all(f.media and f.media.audio_languages == ("ko",) for f in parasite)
    assert all(f.media and "en" in f.media.subtitle_languages for f in parasite)
    untagged = [
        f.media.audio_languages for f in record.with_scenario(demo.UNTAGGED_AUDIO) if f.media
    ]
    assert untagged == [("und",), ("und",)]


def test_generation_is_deterministic(
    library: tuple[Path, DemoRecord], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second build, through the CLI, has the same bytes, mtimes and record."""
    dest, record = library
    again = tmp_path / "again"
    assert demo.main([str(again)]) == 0
    assert "volume1/videos" in capsys.readouterr().out
    assert (again / RECORD_NAME).read_bytes() == (dest / RECORD_NAME).read_bytes()
    for demo_file in record.files:
        first, second = record.path_of(dest, demo_file), record.path_of(again, demo_file)
        assert first.read_bytes() == second.read_bytes(), demo_file.ref
        assert os.stat(second).st_mtime == demo_file.mtime


def test_refuses_a_folder_with_content(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate_demo_library(tmp_path)
    assert demo.main([str(tmp_path)]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
