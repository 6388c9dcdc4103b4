"""Exact-duplicate hashing on small real files: what is found, and how many bytes it costs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import time
from pathlib import Path

import pytest

from mediavault_assets.media import hashing
from mediavault_assets.media.hashing import (
    HEAD_SIZE,
    TAIL_SIZE,
    HashCandidate,
    HashRecord,
    HashResult,
    find_exact_duplicates,
)

LARGE = 5 * HEAD_SIZE + 123  # probed by head and tail first
SMALL = HEAD_SIZE + TAIL_SIZE  # the largest file read whole at once
PROBE = HEAD_SIZE + TAIL_SIZE

_rng = random.Random(20251122)


def noise(size: int) -> bytes:
    return _rng.randbytes(size)


class Tree:
    """Files under tmp_path with stable file_ids (1, 2, ... in creation order)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ids: dict[str, int] = {}

    def write(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.ids[name] = len(self.ids) + 1
        return path

    def link(self, name: str, target: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(self.root / target, path)
        self.ids[name] = len(self.ids) + 1

    def candidates(self) -> list[HashCandidate]:
        return [HashCandidate.from_path(i, str(self.root / n)) for n, i in self.ids.items()]

    def group_names(self, result: HashResult) -> list[set[str]]:
        names = {i: n for n, i in self.ids.items()}
        return sorted(({names[i] for i in g} for g in result.groups), key=sorted)


def with_byte_changed(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


def test_identical_copies_in_other_folders_are_grouped(tree: Tree) -> None:
    big, small = noise(LARGE), noise(SMALL)
    tree.write("movies/a.mkv", big)
    tree.write("backup/a copy.mkv", big)
    tree.write("old/a.mkv", big)
    tree.write("tv/s.srt", small)
    tree.write("tv2/s.srt", small)
    tree.write("other.mkv", noise(LARGE))  # same size, other content

    result = find_exact_duplicates(tree.candidates())

    assert tree.group_names(result) == [
        {"backup/a copy.mkv", "movies/a.mkv", "old/a.mkv"},
        {"tv/s.srt", "tv2/s.srt"},
    ]
    assert not result.errors
    md5s = {result.records[tree.ids[n]].md5 for n in ("movies/a.mkv", "old/a.mkv")}
    assert md5s == {hashlib.md5(big).hexdigest()}
    assert result.records[tree.ids["other.mkv"]].md5 is None  # head differs: never fully read
    # The SHA-256 comes from the same read as the MD5, and only where the file was read whole.
    assert result.records[tree.ids["old/a.mkv"]].sha256 == hashlib.sha256(big).hexdigest()
    assert result.records[tree.ids["other.mkv"]].sha256 is None


def test_unique_sizes_are_never_read(tree: Tree) -> None:
    for i in range(5):
        tree.write(f"f{i}.mkv", noise(LARGE + i))
    tree.write("tiny.nfo", noise(10))

    result = find_exact_duplicates(tree.candidates())

    assert (result.bytes_read, result.files_read, result.files_fully_hashed) == (0, 0, 0)
    assert result.groups == []
    assert len(result.records) == 6
    assert all(r.md5 is None and r.head_hash is None for r in result.records.values())


def test_zero_byte_files_are_recorded_but_not_read_or_grouped(tree: Tree) -> None:
    tree.write("a/empty", b"")
    tree.write("b/empty", b"")

    result = find_exact_duplicates(tree.candidates())

    assert result.groups == [] and result.bytes_read == 0 and result.files_read == 0
    assert set(result.records) == set(tree.ids.values())


def test_hardlinks_alone_are_not_duplicates_and_are_not_read(tree: Tree) -> None:
    tree.write("a.mkv", noise(LARGE))
    tree.link("links/a.mkv", "a.mkv")
    tree.link("links/a again.mkv", "a.mkv")

    result = find_exact_duplicates(tree.candidates())

    assert result.groups == []
    assert (result.bytes_read, result.files_read) == (0, 0)  # one inode: its size is unique


def test_hardlinks_of_a_duplicate_are_read_once_and_all_listed(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.link("link to a.mkv", "a.mkv")
    tree.write("copy.mkv", data)

    result = find_exact_duplicates(tree.candidates())

    assert tree.group_names(result) == [{"a.mkv", "link to a.mkv", "copy.mkv"}]
    assert result.files_read == 2 and result.files_fully_hashed == 2
    # Two physical files: head+tail each, then the rest (the head is not read again).
    assert result.bytes_read == 2 * PROBE + 2 * (LARGE - HEAD_SIZE)
    a, link = result.records[tree.ids["a.mkv"]], result.records[tree.ids["link to a.mkv"]]
    assert a.md5 == link.md5 is not None and a.inode == link.inode


def test_same_size_files_differing_near_the_end_are_told_apart_by_the_tail(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", with_byte_changed(data, LARGE - 3))

    result = find_exact_duplicates(tree.candidates())

    assert result.groups == []
    assert result.files_fully_hashed == 0
    assert result.bytes_read == 2 * PROBE
    a, b = result.records[tree.ids["a.mkv"]], result.records[tree.ids["b.mkv"]]
    assert a.head_hash == b.head_hash and a.tail_hash != b.tail_hash


def test_same_size_files_differing_in_the_middle_are_told_apart(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", with_byte_changed(data, LARGE // 2))
    tree.write("c.mkv", data)

    result = find_exact_duplicates(tree.candidates())

    assert tree.group_names(result) == [{"a.mkv", "c.mkv"}]
    a, b = result.records[tree.ids["a.mkv"]], result.records[tree.ids["b.mkv"]]
    assert (a.head_hash, a.tail_hash) == (b.head_hash, b.tail_hash)
    assert a.md5 is not None and a.md5 != b.md5


def test_lockstep_reading_splits_classes_at_the_differing_chunk(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashing, "CHUNK_SIZE", HEAD_SIZE)  # many chunks, a short last one
    size = 16 * HEAD_SIZE + 100
    data = noise(size)
    other = with_byte_changed(data, 3 * HEAD_SIZE + 5)
    late = with_byte_changed(data, size - 2 * HEAD_SIZE)  # differs in the last chunk but one
    for name, content in [("a", data), ("b", other), ("a2", data), ("b2", other), ("c", late)]:
        tree.write(f"{name}.mkv", content)

    result = find_exact_duplicates(tree.candidates())

    assert tree.group_names(result) == [{"a.mkv", "a2.mkv"}, {"b.mkv", "b2.mkv"}]
    expected = {"a": data, "b": other, "a2": data, "b2": other, "c": late}
    for name, content in expected.items():
        assert result.records[tree.ids[f"{name}.mkv"]].md5 == hashlib.md5(content).hexdigest()
        assert result.records[tree.ids[f"{name}.mkv"]].sha256 == hashlib.sha256(content).hexdigest()
    assert result.bytes_read == 5 * (PROBE + size - HEAD_SIZE)
    assert result.files_fully_hashed == 5


def test_small_files_are_read_once_whole(tree: Tree) -> None:
    data = noise(SMALL)
    tree.write("a.srt", data)
    tree.write("b.srt", data)
    tree.write("c.srt", noise(SMALL))

    result = find_exact_duplicates(tree.candidates())

    assert tree.group_names(result) == [{"a.srt", "b.srt"}]
    assert (result.bytes_read, result.files_read, result.files_fully_hashed) == (3 * SMALL, 3, 3)
    assert all(r.head_hash is None and r.md5 for r in result.records.values())
    assert result.records[tree.ids["a.srt"]].sha256 == hashlib.sha256(data).hexdigest()


def test_second_run_with_cache_reads_nothing(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    tree.write("c.mkv", with_byte_changed(data, LARGE - 1))
    tree.write("d.srt", noise(SMALL))
    tree.write("e.srt", noise(SMALL))
    tree.write("unique.mkv", noise(LARGE + 1))
    first = find_exact_duplicates(tree.candidates())
    assert first.bytes_read > 0

    calls: list[tuple[int, int]] = []

    second = find_exact_duplicates(
        tree.candidates(), first.records, progress=lambda d, t: calls.append((d, t))
    )

    assert calls == [(0, 0)]
    assert (second.bytes_read, second.files_read, second.files_fully_hashed) == (0, 0, 0)
    assert second.reused == len(tree.ids)
    assert second.groups == first.groups == [[tree.ids["a.mkv"], tree.ids["b.mkv"]]]
    assert second.records == first.records


def test_a_changed_mtime_forces_a_reread(tree: Tree) -> None:
    data = noise(LARGE)
    a = tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    first = find_exact_duplicates(tree.candidates())
    st = a.stat()
    a.write_bytes(with_byte_changed(data, LARGE // 2))  # same size, new content
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))

    second = find_exact_duplicates(tree.candidates(), first.records)

    assert second.groups == []
    # a is probed and read in full again; b's head/tail/MD5 come from the cache.
    assert second.files_read == 1 and second.reused == 1
    assert second.bytes_read == PROBE + (LARGE - HEAD_SIZE)
    assert second.records[tree.ids["a.mkv"]].md5 != first.records[tree.ids["a.mkv"]].md5


def test_a_new_copy_of_a_cached_file_reads_only_the_new_file(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    first = find_exact_duplicates(tree.candidates())
    tree.write("c.mkv", data)

    second = find_exact_duplicates(tree.candidates(), first.records)

    assert second.groups == [sorted(tree.ids.values())]
    assert second.files_read == 1 and second.bytes_read == LARGE + TAIL_SIZE


def test_cached_head_tail_without_md5_is_completed_when_a_copy_appears(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", with_byte_changed(data, LARGE - 1))  # collides on size only
    first = find_exact_duplicates(tree.candidates())
    cached_a = first.records[tree.ids["a.mkv"]]
    assert cached_a.head_hash is not None and cached_a.md5 is None
    tree.write("c.mkv", data)

    second = find_exact_duplicates(tree.candidates(), first.records)

    assert tree.group_names(second) == [{"a.mkv", "c.mkv"}]
    # c: probe + rest; a: read whole once (its head/tail are cached); b: nothing.
    assert second.bytes_read == (PROBE + LARGE - HEAD_SIZE) + LARGE
    assert second.files_read == 2


def test_cached_head_that_no_longer_matches_is_an_error(tree: Tree) -> None:
    data = noise(LARGE)
    a = tree.write("a.mkv", data)
    tree.write("b.mkv", with_byte_changed(data, LARGE - 1))
    first = find_exact_duplicates(tree.candidates())
    st = a.stat()
    a.write_bytes(with_byte_changed(data, 0))  # rewritten in place, mtime put back
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    tree.write("c.mkv", data)

    second = find_exact_duplicates(tree.candidates(), first.records)

    assert [(e.file_id, e.message) for e in second.errors] == [
        (tree.ids["a.mkv"], "content differs from its cached head hash")
    ]
    assert second.groups == []


def test_vanished_and_unreadable_files_are_errors_and_the_rest_carries_on(
    tree: Tree, tmp_path: Path
) -> None:
    data = noise(SMALL)
    for name in ("a.srt", "b.srt", "gone.srt", "dir.srt"):
        tree.write(name, data)
    # A FIFO must not block the run; give it a size that collides so it would be read.
    fifo = tmp_path / "pipe.srt"
    os.mkfifo(fifo)  # before the unlinks below, so it cannot reuse their inode numbers
    st = fifo.stat()
    candidates = tree.candidates()
    candidates.append(HashCandidate(99, str(fifo), SMALL, st.st_mtime_ns, st.st_dev, st.st_ino))
    (tmp_path / "gone.srt").unlink()
    (tmp_path / "dir.srt").unlink()
    (tmp_path / "dir.srt").mkdir()

    result = find_exact_duplicates(candidates)

    assert tree.group_names(result) == [{"a.srt", "b.srt"}]
    errors = {e.file_id: e.message for e in result.errors}
    assert errors == {
        tree.ids["gone.srt"]: "FileNotFoundError: No such file or directory",
        tree.ids["dir.srt"]: "not a regular file",
        99: "not a regular file",
    }
    assert set(result.records) == {tree.ids["a.srt"], tree.ids["b.srt"]}


def test_a_file_changed_since_the_inventory_is_an_error(tree: Tree) -> None:
    data = noise(SMALL)
    tree.write("a.srt", data)
    tree.write("b.srt", data)
    tree.write("c.srt", data)
    candidates = tree.candidates()
    (tree.root / "c.srt").write_bytes(data + b"more")

    result = find_exact_duplicates(candidates)

    assert tree.group_names(result) == [{"a.srt", "b.srt"}]
    [error] = result.errors
    assert error.file_id == tree.ids["c.srt"]
    assert error.message.startswith(f"changed since it was inventoried: size {SMALL} -> ")


@pytest.mark.parametrize(
    ("restore_mtime", "message"),
    [
        (False, f"changed while being read: size {LARGE} -> {LARGE + 1}"),
        (True, "changed while being read (ctime moved)"),
    ],
    ids=["appended", "mtime-restored"],
)
def test_a_file_changed_while_being_probed_is_an_error(
    tree: Tree, restore_mtime: bool, message: str
) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    victim = tree.write("c.mkv", data)
    st = victim.stat()
    time.sleep(0.02)  # let the coarse timestamp clock tick, so a write moves ctime

    def meddle(done: int, total: int) -> None:
        # One worker, path order: a and b are probed, then c's head is read.
        if done == 2 * PROBE + HEAD_SIZE:
            if restore_mtime:  # same size, mtime put back: only ctime tells
                victim.write_bytes(with_byte_changed(data, LARGE // 2))
                os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
            else:
                with victim.open("ab") as f:
                    f.write(b"!")

    result = find_exact_duplicates(tree.candidates(), progress=meddle, workers=1)

    [error] = result.errors
    assert error.file_id == tree.ids["c.mkv"]
    assert error.message.startswith(message)
    assert tree.group_names(result) == [{"a.mkv", "b.mkv"}]


def test_a_file_changed_during_the_full_hash_is_an_error(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashing, "CHUNK_SIZE", HEAD_SIZE)
    data = noise(LARGE)
    a = tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    seen: list[int] = []

    def meddle(done: int, total: int) -> None:
        seen.append(done)
        if done == 2 * PROBE + 2 * HEAD_SIZE:  # probes, then the first lockstep chunk of both
            with a.open("ab") as f:
                f.write(b"!")

    result = find_exact_duplicates(tree.candidates(), progress=meddle, workers=1)

    assert 2 * PROBE + 2 * HEAD_SIZE in seen
    [error] = result.errors
    assert error.file_id == tree.ids["a.mkv"]
    assert error.message.startswith("changed while being read")
    assert result.groups == []
    assert result.records[tree.ids["b.mkv"]].md5 == hashlib.md5(data).hexdigest()


def test_progress_is_monotonic_and_ends_at_the_total(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    tree.write("c.mkv", with_byte_changed(data, LARGE - 1))  # dropped after the probe
    tree.write("d.srt", noise(SMALL))
    tree.write("e.srt", noise(SMALL))
    calls: list[tuple[int, int]] = []

    result = find_exact_duplicates(tree.candidates(), progress=lambda d, t: calls.append((d, t)))

    totals = {t for _, t in calls}
    dones = [d for d, _ in calls]
    assert totals == {3 * (LARGE + TAIL_SIZE) + 2 * SMALL}  # worst case, planned up front
    assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == totals.pop()
    assert result.bytes_read < dones[-1]


@pytest.mark.parametrize("workers", [1, 4])
def test_many_copies_are_one_group_whatever_the_thread_count(tree: Tree, workers: int) -> None:
    data = noise(LARGE)
    for i in range(hashing.MAX_BATCH + 3):  # more than one lockstep batch
        tree.write(f"copies/{i}.mkv", data)
    tree.write("odd.mkv", with_byte_changed(data, LARGE // 2))

    result = find_exact_duplicates(tree.candidates(), workers=workers)

    assert len(result.groups) == 1 and len(result.groups[0]) == hashing.MAX_BATCH + 3
    assert result.records[tree.ids["odd.mkv"]].md5 is not None
    assert result.files_fully_hashed == hashing.MAX_BATCH + 4


def test_records_of_another_version_of_the_file_are_ignored(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    first = find_exact_duplicates(tree.candidates())
    stale = {
        i: HashRecord(i, r.size, r.mtime_ns + 1, r.inode, "x", "y", "z", "w", 0.0)
        for i, r in first.records.items()
    }

    again = find_exact_duplicates(tree.candidates(), stale)

    assert again.reused == 0 and again.bytes_read == first.bytes_read
    assert again.groups == first.groups
    assert {r.md5 for r in again.records.values()} == {hashlib.md5(data).hexdigest()}


def test_a_cached_md5_without_sha256_is_hashed_again_once(tree: Tree) -> None:
    data = noise(LARGE)
    tree.write("a.mkv", data)
    tree.write("b.mkv", data)
    first = find_exact_duplicates(tree.candidates())
    # As a run before SHA-256 was kept left them.
    older = {i: dataclasses.replace(r, sha256=None) for i, r in first.records.items()}

    second = find_exact_duplicates(tree.candidates(), older)
    third = find_exact_duplicates(tree.candidates(), second.records)

    # Head and tail stay cached; each file is read whole once for both hashes.
    assert second.bytes_read == 2 * LARGE
    assert {i: (r.md5, r.sha256) for i, r in second.records.items()} == {
        i: (r.md5, r.sha256) for i, r in first.records.items()
    }
    assert third.bytes_read == 0
