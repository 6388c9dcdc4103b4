"""Seed 001's curation: ratings and keywords, kept across renames, used by the plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from domain_builders import library_file, movie, probe

from mediavault_assets.curation_store import CurationStore
from mediavault_assets.domain.curation import (
    CuratedFile,
    CurationError,
    checked_score,
    followed_moves,
    normalized_keyword,
    preferred_by_rating,
    stars,
)
from mediavault_assets.domain.deletion_plan import PlanPolicy, plan_deletions
from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.domain.plan_checks import check_no_auto_approved_rated_file


@pytest.mark.parametrize(
    ("given", "expected"),
    [(-1, -1), (0, 0), (5, 5), ("3", 3), (" 4 ", 4), ("+2", 2), ("-1", -1)],
)
def test_ratings_run_from_rejected_to_five_stars(given: object, expected: int) -> None:
    assert checked_score(given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [6, -2, "7", "3.5", "", "five", True, None, "٣"])
def test_anything_else_is_refused_with_the_range(given: object) -> None:
    with pytest.raises(CurationError, match="-1 to 5"):
        checked_score(given)  # type: ignore[arg-type]


def test_stars() -> None:
    assert [stars(s) for s in (-1, 0, 1, 5)] == ["rejected", "", "★☆☆☆☆", "★★★★★"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Cult   Classic ", "cult classic"),
        ("AMÉLIE", "amélie"),
        ("Ame\u0301lie", "amélie"),  # decomposed accent: one keyword, not two
        ("Straße", "strasse"),
        ("two\nlines", "two lines"),
    ],
)
def test_keywords_are_matched_as_typed_by_anyone(typed: str, stored: str) -> None:
    assert normalized_keyword(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "bell\x07", "zero\u200bwidth", "x" * 65])
def test_keywords_that_cannot_be_stored(typed: str) -> None:
    with pytest.raises(CurationError):
        normalized_keyword(typed)


def _at(file_id: int, path: str, inode: int, root: str = "videos") -> CuratedFile:
    return CuratedFile(file_id, root, path, inode, 1000, 5)


def test_a_renamed_file_keeps_its_curation() -> None:
    old = _at(1, "Movies/Heat.mkv", inode=77)
    moved = _at(2, "Movies/Heat (1995)/Heat.1995.mkv", inode=77)
    other = _at(3, "Movies/Ronin.mkv", inode=78)
    assert followed_moves([old], [moved, other]) == {1: 2}


def test_what_moves_nothing() -> None:
    old = _at(1, "a.mkv", inode=77)
    # Still there, or away in staging (a hardlink left behind shares its inode).
    assert followed_moves([old], [old, _at(2, "b.mkv", 77)]) == {}
    assert followed_moves([old], [_at(2, "b.mkv", 77)], away=[1]) == {}
    # Two paths with its signature (hardlinks): which one is it?
    assert followed_moves([old], [_at(2, "b.mkv", 77), _at(3, "c.mkv", 77)]) == {}
    # Another root, another size, or a file curated in its own right.
    assert followed_moves([old], [_at(2, "a.mkv", 77, root="docker")]) == {}
    assert followed_moves([old], [CuratedFile(2, "videos", "b.mkv", 77, 999, 5)]) == {}
    assert followed_moves([old, _at(2, "b.mkv", 77)], [_at(2, "b.mkv", 77)]) == {}


def test_ratings_reorder_keepers_only_within_the_gap() -> None:
    quality = {1: 100.0, 2: 90.0, 3: 60.0}
    assert preferred_by_rating({}, quality, [1, 2, 3], 20) == [1, 2, 3]
    assert preferred_by_rating({2: 4}, quality, [1, 2, 3], 20) == [2, 1, 3]
    assert preferred_by_rating({3: 5}, quality, [1, 2, 3], 20) == [1, 2, 3]  # 30 points down
    assert preferred_by_rating({1: -1}, quality, [1, 2, 3], 20) == [2, 3, 1]
    assert preferred_by_rating({1: 3, 2: 2}, quality, [1, 2, 3], 20) == [1, 2, 3]


def _heat(tier: str, name: str, score: int = 0):  # type: ignore[no-untyped-def]
    f = library_file(f"/volume1/videos/Movies/{name}", movie("Heat", 1995), probe(tier))
    return replace(f, user_score=score)


def _plan(files, policy=None):  # type: ignore[no-untyped-def]
    return plan_deletions(group_duplicates(files), files, policy or PlanPolicy())


def test_a_copy_rated_higher_is_kept_when_the_gap_is_small_and_the_reason_says_so() -> None:
    better = _heat("1080p", "Heat.1995.1080p.x265.mkv")
    liked = _heat("1080p", "Heat.1995.1080p.Criterion.mkv", score=5)
    liked = replace(liked, probe=replace(liked.probe, bitrate=(better.probe.bitrate or 8000) // 2))
    result = _plan([better, liked])
    [row] = result.rows
    assert row.file_id == better.file_id and row.kept_file_id == liked.file_id
    assert row.requires_manual_review and not row.auto_approved
    assert "You rated the kept copy 5/5: it is kept although it scores" in row.deletion_reason


def test_far_better_quality_still_wins_over_a_rating() -> None:
    best = _heat("4K", "Heat.1995.2160p.mkv")
    liked = _heat("480p", "Heat.1995.480p.mkv", score=5)
    [row] = _plan([best, liked]).rows
    assert row.file_id == liked.file_id
    assert "You rated this copy 5/5: a person decides." in row.deletion_reason
    assert row.requires_manual_review


def test_a_rejected_copy_is_proposed_first() -> None:
    rejected = _heat("4K", "Heat.1995.2160p.mkv", score=-1)
    other = _heat("720p", "Heat.1995.720p.mkv")
    [row] = _plan([rejected, other]).rows
    assert row.file_id == rejected.file_id and row.kept_file_id == other.file_id
    assert "You rejected this copy (-1): it is proposed first." in row.deletion_reason


def test_a_rated_file_is_never_auto_approved() -> None:
    policy = PlanPolicy(review_threshold=5, auto_approve_threshold=10, auto_approve_enabled=True)
    best = _heat("4K", "Heat.1995.2160p.mkv")
    plain = _heat("480p", "Heat.1995.480p.mkv")
    [row] = _plan([best, plain], policy).rows
    assert row.auto_approved  # the same plan without a rating: approved automatically
    for score in (-1, 2):
        [row] = _plan([best, replace(plain, user_score=score)], policy).rows
        assert not row.auto_approved, row.deletion_reason
    # And the promise check catches a plan that would.
    files = {f.file_id: f for f in (best, replace(plain, user_score=3))}
    assert check_no_auto_approved_rated_file([row], files) == []
    assert check_no_auto_approved_rated_file([replace(row, auto_approved=True)], files)


def test_the_store_follows_a_rename_with_ratings_and_keywords(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = CurationStore(tmp_path / "review.sqlite")
    before = _at(1, "Heat.mkv", inode=7)
    store.rate(before, 4, by="ann")
    store.tag(before, ["Favourite", "favourite ", "crime"], by="ann")
    assert [k.keyword for k in store.keywords()] == ["crime", "favourite"]
    after = _at(2, "Heat (1995)/Heat.mkv", inode=7)
    store.follow({1: after})
    assert store.scores() == {2: 4}
    assert {k.file_id for k in store.keywords()} == {2}
    assert store.curated_files()[2][0] == after
    assert store.untag(2, ["CRIME"]) == 1
    store.rate(after, 0, by="ann")  # 0 clears
    assert store.scores() == {}
    assert [k.keyword for k in store.keywords()] == ["favourite"]
    with pytest.raises(CurationError):
        store.tag(after, ["x"], by="ann", keyword_type="auto")
