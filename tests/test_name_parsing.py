"""The time-boxed batch runner: order, timeouts, crashed workers, progress, no leaked processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator

import pytest

from mediavault_assets.domain.model import ParsedName
from mediavault_assets.domain.naming import MediaTypeHint, parse_fallback, parse_name
from mediavault_assets.media.name_parsing import NameParser, parse_names

ITEMS: list[tuple[str, MediaTypeHint]] = [
    ("RedDwarf_TVLab_s01e01.mkv", "tv"),
    ("RedDwarf_s01e01_Wondercrew.mp4", "tv"),
    ("Red.Dwarf.S01E01.WEB-DL.x264-TVLab.mkv", "tv"),
    ("Red Dwarf/Season 1/Episode 02.mkv", "tv"),
    ("Inception (2010)/Inception.2010.1080p.mkv", "movie"),
    ("Inception.2010.2160p.UHD.BluRay.x265.mkv", "movie"),
    ("Parasite (2019)/Parasite.2019.KOREAN.1080p.BluRay.x264-RARBG.mkv", "mixed"),
    ("Dune Part Two (2024).mkv", "movie"),
    ("Movie.CD1.avi", "movie"),
    ("[SubsPlease] Frieren - 01 [1080p].mkv", "tv"),
    ("Avatar.2009.3D.HSBS.1080p.mkv", "movie"),
    ("", "mixed"),
]


def flaky_parse(relative_path: str, hint: MediaTypeHint) -> ParsedName:
    """parse_name, except that marked names hang, crash the worker, or raise.

    Module-level so that the spawned workers can import it by name.
    """
    if "SLOW" in relative_path:
        time.sleep(120)  # far beyond any time box used here: the worker must be killed
    if "CRASH" in relative_path:
        os._exit(3)
    if "BUG" in relative_path:
        raise ValueError("parser bug")
    return parse_name(relative_path, hint)


def broken_parse(relative_path: str, hint: MediaTypeHint) -> ParsedName:
    raise ImportError("guessit is not installed")


@pytest.fixture(scope="module")
def parser() -> Iterator[NameParser]:
    # Small chunks so that even short batches exercise several chunks per worker.
    with NameParser(workers=2, chunk_size=3, parse=flaky_parse) as shared:
        yield shared


def expected(items: list[tuple[str, MediaTypeHint]]) -> list[ParsedName]:
    return [parse_name(path, hint) for path, hint in items]


def child_pids() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_results_equal_parse_name_in_input_order(parser: NameParser) -> None:
    items = ITEMS * 3
    assert parser.parse_many(items) == expected(items)


def test_a_slow_name_gets_the_fallback_while_the_rest_still_parse(parser: NameParser) -> None:
    items = list(ITEMS)
    items.insert(2, ("SLOW.Red.Dwarf.S01E03.mkv", "tv"))
    items.insert(9, ("SLOW Inception (2010).mkv", "movie"))
    before = child_pids()
    started = time.monotonic()
    results = parser.parse_many(items, timeout_s=1.0)
    assert time.monotonic() - started < 30
    for (path, hint), result in zip(items, results, strict=True):
        if "SLOW" in path:
            assert result == parse_fallback(path, hint, error="guessit timed out after 1.0s")
        else:
            assert result == parse_name(path, hint)
    assert results[2].title_key == "slow red dwarf" and results[2].episodes == (3,)
    # The stuck workers were killed, not left sleeping.
    assert not any(is_running(pid) for pid in before - child_pids())


def test_the_default_time_box_is_five_seconds(parser: NameParser) -> None:
    started = time.monotonic()
    results = parser.parse_many([("SLOW.Movie.2010.mkv", "movie"), ITEMS[0]])
    assert 5.0 <= time.monotonic() - started < 20
    assert results[0].parse_error == "guessit timed out after 5.0s"
    assert (results[0].title, results[0].year) == ("SLOW Movie", 2010)
    assert results[1] == parse_name(*ITEMS[0])


def test_a_crashed_worker_costs_one_name(parser: NameParser) -> None:
    items = [*ITEMS[:4], ("CRASH.mkv", "movie"), *ITEMS[4:]]
    results = parser.parse_many(items)
    assert results[4].parse_error == "name parser worker died (exit code 3)"
    assert results[:4] + results[5:] == expected(ITEMS)


def test_a_parser_bug_costs_one_name(parser: NameParser) -> None:
    items = [("BUG.S01E01.mkv", "tv"), *ITEMS]
    results = parser.parse_many(items)
    assert results[0].parse_error == "name parsing failed: ValueError('parser bug')"
    assert (results[0].season, results[0].episodes) == (1, (1,))
    assert results[1:] == expected(ITEMS)


def test_progress_counts_up_to_the_total(parser: NameParser) -> None:
    calls: list[tuple[int, int]] = []
    parser.parse_many(ITEMS, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(ITEMS), len(ITEMS))
    assert {total for _, total in calls} == {len(ITEMS)}
    done = [d for d, _ in calls]
    assert done == sorted(set(done))


def test_an_empty_batch_starts_no_worker() -> None:
    before = child_pids()
    with NameParser() as fresh:
        assert fresh.parse_many([]) == []
        assert child_pids() == before


def test_no_worker_outlives_the_parser() -> None:
    others = child_pids()  # the shared fixture's workers
    seen: set[int] = set()
    with NameParser(workers=2, chunk_size=2, parse=flaky_parse) as fresh:
        fresh.parse_many(ITEMS, progress=lambda *_: seen.update(child_pids() - others))
        fresh.parse_many([("SLOW.mkv", "movie"), *ITEMS], timeout_s=0.5)  # one gets killed
        seen.update(child_pids() - others)
    assert len(seen) >= 2
    assert not any(is_running(pid) for pid in seen)
    assert not child_pids() & seen
    with pytest.raises(RuntimeError, match="closed"):
        fresh.parse_many(ITEMS)


def test_an_interrupted_batch_leaves_no_stale_answers() -> None:
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    before = child_pids()
    with NameParser(workers=1, chunk_size=2, parse=flaky_parse) as fresh:
        with pytest.raises(KeyboardInterrupt):
            fresh.parse_many(ITEMS * 2, progress=interrupt)
        assert child_pids() <= before  # busy workers were stopped with the batch
        reversed_items = ITEMS[::-1]
        assert fresh.parse_many(reversed_items) == expected(reversed_items)


def test_a_worker_that_cannot_start_fails_the_batch_loudly() -> None:
    before = child_pids()
    with (
        NameParser(workers=1, parse=broken_parse) as fresh,
        pytest.raises(RuntimeError, match="start"),
    ):
        fresh.parse_many(ITEMS)
    assert child_pids() <= before


def test_parse_names_is_a_one_shot_parser() -> None:
    before = child_pids()
    assert parse_names(ITEMS[:3]) == expected(ITEMS[:3])
    assert child_pids() <= before
