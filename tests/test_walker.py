import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mediavault_assets.media.walker import walk_root


def _touch(path: Path, data: bytes = b"data") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_walk_lists_videos_with_sidecars_and_skips_clutter(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _touch(root / "Movies/Heat (1995)/Heat.1995.mkv", b"v" * 10)
    _touch(root / "Movies/Heat (1995)/Heat.1995.en.srt")
    _touch(root / "Movies/Heat (1995)/Heat.1995.nfo")
    _touch(root / "Movies/Heat (1995)/notes.txt")
    _touch(root / "TV/Show/S01E01.MP4")
    _touch(root / "TV/Show/S01E02.m2ts")
    for clutter in ("@eaDir", "#recycle", ".AppleDouble", ".Trashes", ".stfolder"):
        _touch(root / clutter / "copy.mkv")
    staging = root / "duplicates_before_purge"
    _touch(staging / "movie/2026-01-01/Movies/old.mkv")
    os.link(root / "Movies/Heat (1995)/Heat.1995.mkv", root / "Heat-link.mkv")

    result = walk_root(root, exclude=(staging,))
    paths = [f.relative_path for f in result.files]
    assert paths == [
        "Heat-link.mkv",
        "Movies/Heat (1995)/Heat.1995.mkv",
        "TV/Show/S01E01.MP4",
        "TV/Show/S01E02.m2ts",
    ]
    assert result.errors == []
    assert result.skipped_dirs == 6
    heat = result.files[1]
    assert heat.size == 10 and heat.nlink == 2
    assert heat.inode == result.files[0].inode
    assert [(s.kind, s.language) for s in heat.sidecars] == [("subtitle", "en"), ("nfo", None)]


def test_odd_names_are_kept_or_reported(tmp_path: Path) -> None:
    root = tmp_path / "root"
    odd = [
        "Amélie (2001)/Amélie 2001.mkv",
        "With Spaces/a b  c.mkv",
        "line\nbreak.mkv",
        "日本語/千と千尋.mkv",
    ]
    for name in odd:
        _touch(root / name)
    long_dir = root / "/".join(["d" * 200] * 10)
    _touch(long_dir / ("x" * 240 + ".mkv"))
    # A name that is not valid UTF-8 is reported, not crashed on.
    bad = os.fsencode(root) + b"/bad\xff\xfename.mkv"
    with open(bad, "wb") as handle:
        handle.write(b"x")
    result = walk_root(root)
    paths = {f.relative_path for f in result.files}
    assert set(odd) <= paths
    assert any(p.endswith("x" * 240 + ".mkv") for p in paths)
    assert [(e.path, e.error) for e in result.errors] == [
        ("bad\\xff\\xfename.mkv", "name is not valid UTF-8; rename it to include it")
    ]


def test_symlinks_are_reported_never_followed(tmp_path: Path) -> None:
    root, other, outside = tmp_path / "root", tmp_path / "other-root", tmp_path / "outside"
    _touch(root / "a/movie.mkv")
    _touch(other / "Film (2001)/Film.2001.mkv")
    _touch(outside / "elsewhere.mkv")
    (root / "a/loop").symlink_to(root / "a")
    (root / "gone.mkv").symlink_to(root / "does-not-exist.mkv")
    (root / "alias.mkv").symlink_to(root / "a/movie.mkv")  # one file, two names
    (root / "into-other").symlink_to(other)  # a folder symlink into another root
    (root / "out.mkv").symlink_to(outside / "elsewhere.mkv")
    result = walk_root(root)
    assert [f.relative_path for f in result.files] == ["a/movie.mkv"]
    assert {(e.path, e.error) for e in result.errors} == {
        ("a/loop", "symlink; not followed (its target in this root is scanned where it lies)"),
        ("gone.mkv", "dangling symlink (its target does not exist); skipped"),
        ("alias.mkv", "symlink; not followed (its target in this root is scanned where it lies)"),
        ("into-other", "symlink that leads out of the library root; not followed"),
        ("out.mkv", "symlink that leads out of the library root; not followed"),
    }


def test_one_sidecar_beside_two_copies_belongs_to_neither(tmp_path: Path) -> None:
    folder = tmp_path / "root/Parasite (2019)"
    for name in ("Parasite (2019).mkv", "Parasite (2019).avi", "Parasite (2019).en.srt"):
        _touch(folder / name)
    _touch(tmp_path / "root/Movie.Part.mkv")
    _touch(tmp_path / "root/Movie.Part.2.mkv")
    _touch(tmp_path / "root/Movie.Part.2.srt")
    files = {f.relative_path: f for f in walk_root(tmp_path / "root").files}
    assert files["Parasite (2019)/Parasite (2019).mkv"].sidecars == ()
    assert files["Parasite (2019)/Parasite (2019).avi"].sidecars == ()
    assert files["Movie.Part.mkv"].sidecars == ()
    assert [s.relative_path for s in files["Movie.Part.2.mkv"].sidecars] == ["Movie.Part.2.srt"]


@pytest.mark.skipif(os.geteuid() != 0, reason="bind mounts need root")
def test_staging_root_reached_through_a_second_mount_is_skipped(tmp_path: Path) -> None:
    share = tmp_path / "share"
    _touch(share / "Film.mkv")
    staging = share / "duplicates_before_purge"
    _touch(staging / "movie/2026-01-01/videos/Film.mkv")
    second = tmp_path / "second-mount"
    second.mkdir()
    subprocess.run(["mount", "--bind", str(share), str(second)], check=True)
    try:
        # The staging root as configured is /…/share/…; the root is walked as /…/second-mount.
        result = walk_root(second, exclude=(staging,))
        assert [f.relative_path for f in result.files] == ["Film.mkv"]
        assert result.skipped_dirs == 1
        inside = walk_root(second / "duplicates_before_purge", exclude=(staging,))
        assert inside.files == []
        assert "is inside" in inside.errors[0].error
    finally:
        subprocess.run(["umount", str(second)], check=True)


def test_missing_root_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = walk_root(tmp_path / "not-mounted")
    assert result.files == []
    assert result.errors[0].error.startswith("library root is not readable")


def test_a_path_walk_lists_only_its_folders_by_root_relative_path(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _touch(root / "Movies/Heat (1995)/Heat.1995.mkv")
    _touch(root / "Movies/Heat (1995)/Heat.1995.en.srt")
    _touch(root / "Movies 2/Ronin.1998.mkv")
    _touch(root / "TV/Show/S01E01.mkv")
    result = walk_root(root, folders=("Movies", "TV/Show"))
    assert [f.relative_path for f in result.files] == [
        "Movies/Heat (1995)/Heat.1995.mkv",
        "TV/Show/S01E01.mkv",
    ]
    assert result.files[0].sidecars and result.root_error is None
    (root / "Linked").symlink_to(root / "Movies")
    staging = root / "TV"
    for folder, problem in [
        ("Dune", "folder does not exist in the library root"),
        ("Movies/#recycle", "folder is inside NAS housekeeping (#recycle); not walked"),
        ("Linked", "folder is reached through a symlink; not walked"),
        ("TV/Show", f"folder is inside {staging}; not walked"),
    ]:
        refused = walk_root(root, exclude=(staging,), folders=(folder,))
        assert (refused.files, refused.root_error) == ([], problem)


def test_unreadable_folder_is_reported_and_the_walk_goes_on() -> None:
    # Root reads anything, so a child process imports the walker, then drops to "nobody".
    base = Path(tempfile.mkdtemp(prefix="mv-walk-"))
    try:
        base.chmod(0o755)
        _touch(base / "ok/film.mkv").parent.chmod(0o755)
        (base / "ok/film.mkv").chmod(0o644)
        locked = base / "locked"
        _touch(locked / "secret.mkv")
        locked.chmod(0o700)
        code = (
            "import json, os, sys; from pathlib import Path; "
            "from mediavault_assets.media.walker import walk_root; "
            "os.setgid(65534); os.setuid(65534); "
            "r = walk_root(Path(sys.argv[1])); "
            "print(json.dumps([[f.relative_path for f in r.files], "
            "[[e.path, e.error] for e in r.errors]]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(base)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        files, errors = json.loads(out.stdout)
        assert files == ["ok/film.mkv"]
        assert errors == [["locked", "cannot read folder: Permission denied"]]
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=True)
