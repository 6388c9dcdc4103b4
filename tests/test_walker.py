import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def test_symlink_loops_and_dangling_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _touch(root / "a/movie.mkv")
    (root / "a/loop").symlink_to(root / "a")
    (root / "gone.mkv").symlink_to(root / "does-not-exist.mkv")
    result = walk_root(root)
    assert [f.relative_path for f in result.files] == ["a/movie.mkv"]
    problems = {(e.path, e.error) for e in result.errors}
    assert ("a/loop", "symlink loop (folder already visited); skipped") in problems
    assert ("gone.mkv", "vanished during the scan") in problems


def test_missing_root_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = walk_root(tmp_path / "not-mounted")
    assert result.files == []
    assert result.errors[0].error.startswith("library root is not readable")


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
