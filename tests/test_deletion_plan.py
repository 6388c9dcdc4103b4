"""The deletion plan, rule by rule: one table of (situation → decision and reason) per rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from domain_builders import episode, hardlink, library_file, matched_to, movie, probe

from mediavault_assets.domain.deletion_plan import (
    DeletionPlan,
    PlanPolicy,
    PlanRow,
    plan_deletions,
    staging_path,
)
from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.domain.model import LibraryFile, Sidecar
from mediavault_assets.domain.plan_checks import check_runtimes_support_the_plan
from mediavault_assets.domain.quality import calculate_quality_score

GB = 1_000_000_000


def plan(files: list[LibraryFile], policy: PlanPolicy | None = None) -> DeletionPlan:
    policy = policy or PlanPolicy()
    groups = group_duplicates(files, fuzzy_threshold=policy.fuzzy_threshold)
    return plan_deletions(groups, files, policy)


def row_of(result: DeletionPlan, file: LibraryFile) -> PlanRow:
    (row,) = [r for r in result.rows if r.file_id == file.file_id]
    return row


def planned(result: DeletionPlan) -> set[str]:
    return {r.original_filepath for r in result.rows}


# --- the seeds' examples -----------------------------------------------------------------------


RED_DWARF: list[tuple[str, tuple[str, str], tuple[str, str], str, str, bool, str]] = [
    # situation, (title, deleted title), (kept file name, deleted file name), category,
    # confidence, review, reason
    (
        "seed 002's pair as the project's parser reads it: one title, two release groups",
        ("Red Dwarf", "Red Dwarf"),
        ("RedDwarf_TVLab_s01e01.mkv", "RedDwarf_s01e01_Wondercrew.mp4"),
        "lower_quality",
        "certain",
        False,
        "Kept 720p version 'RedDwarf_TVLab_s01e01.mkv' (1280x720, H.264, 4 Mbps). "
        "Deleted 480p version 'RedDwarf_s01e01_Wondercrew.mp4' (720x480, MPEG4, 1.2 Mbps). "
        "Quality difference: +41.0 points.",
    ),
    (
        "seed 002's pair as bare guessit reads it: the release group glued to the title",
        ("RedDwarf TVLab", "RedDwarf"),
        ("RedDwarf_TVLab_s01e01.mkv", "RedDwarf_s01e01_Wondercrew.mp4"),
        "duplicate_fuzzy",
        "review_recommended",
        True,
        "RedDwarf S01E01 (fuzzy match 86% confidence): "
        "Kept 'RedDwarf_TVLab_s01e01.mkv' (720p, H.264, 1280x720, 4 Mbps), "
        "deleted 'RedDwarf_s01e01_Wondercrew.mp4' (480p, MPEG4, 720x480, 1.2 Mbps). "
        "Quality difference: +41.0 points. "
        "Names differ ('RedDwarf TVLab' vs 'RedDwarf'): check they are the same episode.",
    ),
    (
        "seed 000's misspelt name",
        ("Red Dwarf", "Red Dwwarf"),
        ("RedDwarf_s01e01_Wondercrew.mkv", "RedDwwarf_TVLab_s01e01.avi"),
        "duplicate_fuzzy",
        "review_recommended",
        True,
        "Red Dwarf S01E01 (fuzzy match 97% confidence): "
        "Kept 'RedDwarf_s01e01_Wondercrew.mkv' (720p, H.264, 1280x720, 4 Mbps), "
        "deleted 'RedDwwarf_TVLab_s01e01.avi' (480p, MPEG4, 720x480, 1.2 Mbps). "
        "Quality difference: +41.0 points. "
        "Names differ ('Red Dwarf' vs 'Red Dwwarf'): check they are the same episode.",
    ),
]


@pytest.mark.parametrize(
    ("situation", "titles", "names", "category", "confidence", "review", "reason"),
    RED_DWARF,
    ids=[r[0] for r in RED_DWARF],
)
def test_red_dwarf_keeps_the_720p(
    situation: str,
    titles: tuple[str, str],
    names: tuple[str, str],
    category: str,
    confidence: str,
    review: bool,
    reason: str,
) -> None:
    kept = library_file(f"/volume1/videos/TV/{names[0]}", episode(titles[0], 1, 1), probe("720p"))
    deleted = library_file(
        f"/volume1/docker/downloads/{names[1]}",
        episode(titles[1], 1, 1),
        probe("480p", container=names[1].rsplit(".", 1)[1]),
    )
    result = plan([kept, deleted])
    row = row_of(result, deleted)
    assert row.kept_file_id == kept.file_id, situation
    assert (row.deletion_category, row.decision_confidence, row.requires_manual_review) == (
        category,
        confidence,
        review,
    )
    assert row.deletion_reason == reason
    assert row.quality_difference == pytest.approx(41.0)
    assert result.groups[0].primary_file_id == kept.file_id


def inception() -> tuple[LibraryFile, LibraryFile, LibraryFile]:
    uhd = probe("4K", hdr_type="HDR10", audio_channels=5.1)
    kept = library_file(
        "/volume1/videos/Movies/Inception.mkv",
        movie("Inception", 2010, screen_size="2160p"),
        uhd,
        md5="abc123def4567890abc123def4567890",
        size=50 * GB,
    )
    copy = library_file(
        "/volume1/docker/media/Inception.mkv",
        movie("Inception", 2010, screen_size="2160p"),
        uhd,
        md5="abc123def4567890abc123def4567890",
        size=50 * GB,
        mtime=1_700_000_000.0,
    )
    hd = library_file(
        "/volume1/docker/Inception.2010.1080p.mkv",
        movie("Inception", 2010, screen_size="1080p"),
        probe("1080p"),
        size=8 * GB,
    )
    return kept, copy, hd


def test_inception_exact_copy_reads_like_seed_000() -> None:
    kept, copy, _ = inception()
    row = row_of(plan([kept, copy]), copy)
    assert row.deletion_category == "duplicate_exact"
    assert row.deletion_reason == (
        "Exact MD5 match (abc123def456). Files are byte-for-byte identical. "
        "Keeping /volume1/videos/Movies/Inception.mkv, "
        "deleting duplicate at /volume1/docker/media/Inception.mkv."
    )
    assert (row.decision_confidence, row.requires_manual_review) == ("certain", False)
    assert row.quality_difference == 0
    assert row.bytes_freed == 50 * GB


def test_inception_4k_over_1080p_reads_like_seed_000() -> None:
    kept, _, hd = inception()
    row = row_of(plan([kept, hd]), hd)
    assert row.deletion_category == "lower_quality"
    assert row.deletion_reason == (
        "Kept 4K version 'Inception.mkv' (3840x2160, H.265, 25 Mbps). "
        "Deleted 1080p version 'Inception.2010.1080p.mkv' (1920x1080, H.264, 8 Mbps). "
        "Quality difference: +56.0 points. "
        "Kept HDR10 version; deleted SDR version. "
        "Kept file with 5.1 audio (AAC); deleted file with stereo audio (AAC)."
    )
    assert (row.kept_file_quality_score, row.deleted_file_quality_score) == (180.0, 124.0)
    assert (row.decision_confidence, row.requires_manual_review, row.auto_approved) == (
        "certain",
        False,
        False,  # over 50 points, but auto-approval is off by default
    )


def test_inception_three_files_keep_one() -> None:
    kept, copy, hd = inception()
    result = plan([kept, copy, hd])
    assert planned(result) == {copy.path, hd.path}
    assert row_of(result, copy).deletion_category == "duplicate_exact"
    assert row_of(result, hd).deletion_reason.startswith(
        "Kept highest quality (#1 of 3). Files #2 and #3 are redundant. Kept 4K version"
    )
    (group,) = result.groups
    assert group.primary_file_id == kept.file_id
    assert [m.is_primary for m in group.members] == [True, False, False]
    assert group.potential_savings == 58 * GB


def test_parasite_original_with_subtitles_and_english_dub_are_both_kept() -> None:
    original = library_file(
        "/volume1/videos/Movies/Parasite.2019.KOREAN.1080p.mkv",
        movie("Parasite", 2019),
        probe("1080p", audio_languages=("ko",), subtitle_languages=("en",)),
        original_language="ko",
    )
    dub = library_file(
        "/volume1/docker/Parasite.2019.720p.English.Dub.mkv",
        movie("Parasite", 2019),
        probe("720p", audio_languages=("en",)),
        original_language="ko",
    )
    result = plan([original, dub])
    assert result.rows == ()
    notes = {n.category: n for n in result.keep_notes}
    assert notes["foreign_film"].reason == (
        "Foreign film detected: Parasite (Korean, 2019). Has English subtitles. "
        "Keeping 'Parasite.2019.KOREAN.1080p.mkv' despite non-English audio."
    )
    assert notes["foreign_film"].is_foreign_film
    assert notes["english_audio"].file_id == dub.file_id
    assert "English-audio version of Parasite (2019)" in notes["english_audio"].reason
    assert result.groups[0].primary_file_id == original.file_id  # the better of the two


# --- rule 1: exact duplicates ------------------------------------------------------------------

EXACT: list[tuple[str, dict[str, Any], dict[str, Any], str, bool]] = [
    # situation, probe of the kept copy, probe of the other copy, confidence, review
    ("English audio on both", {}, {}, "certain", False),
    (
        "Spanish only: not rule 1",
        {"audio_languages": ("es",)},
        {"audio_languages": ("es",)},
        "review_recommended",
        True,
    ),
    (
        "foreign film: never auto-deleted",
        {"audio_languages": ("ko",), "subtitle_languages": ("en",)},
        {"audio_languages": ("ko",), "subtitle_languages": ("en",)},
        "review_recommended",
        True,
    ),
    (
        "the copy failed to decode, yet its bytes are identical",
        {},
        {"integrity_error": "decoding failed at 10:00"},
        "certain",
        False,
    ),
]


@pytest.mark.parametrize(
    ("situation", "kept_facts", "copy_facts", "confidence", "review"),
    EXACT,
    ids=[e[0] for e in EXACT],
)
def test_rule_1_exact_copies(
    situation: str,
    kept_facts: dict[str, Any],
    copy_facts: dict[str, Any],
    confidence: str,
    review: bool,
) -> None:
    kept = library_file(
        "/volume1/videos/Movies/Heat.mkv",
        movie("Heat", 1995),
        probe("1080p", **kept_facts),
        md5="e" * 32,
    )
    copy = library_file(
        "/volume1/docker/Heat.mkv",
        movie("Heat", 1995),
        probe("1080p", **copy_facts),
        md5="e" * 32,
        mtime=2e9,
    )
    result = plan([kept, copy], PlanPolicy(auto_approve_enabled=True))
    row = row_of(result, copy)
    assert row.kept_file_id == kept.file_id, situation
    assert row.deletion_category == "duplicate_exact"
    assert (row.decision_confidence, row.requires_manual_review) == (confidence, review)
    assert not row.auto_approved  # no quality difference to clear the threshold


# --- rule 2: quality, same language ------------------------------------------------------------

QUALITY: list[tuple[str, dict[str, Any], dict[str, Any], str, bool]] = [
    # situation, kept probe, deleted probe, confidence, review
    ("4K vs 1080p", {"tier": "4K"}, {"tier": "1080p"}, "certain", False),
    ("1080p vs 720p, 25 points", {"tier": "1080p"}, {"tier": "720p"}, "certain", False),
    ("1080p vs 480p DVD rip", {"tier": "1080p"}, {"tier": "480p"}, "certain", False),
    (
        "same 1080p, 8 vs 7.4 Mbps",
        {"tier": "1080p"},
        {"tier": "1080p", "bitrate": 7_400},
        "uncertain",
        True,
    ),
    (
        "H.265 vs H.264 at 1080p",
        {"tier": "1080p", "video_codec": "hevc"},
        {"tier": "1080p"},
        "uncertain",
        True,
    ),
    (
        "5.1 vs stereo only",
        {"tier": "1080p", "audio_channels": 5.1},
        {"tier": "1080p"},
        "uncertain",
        True,
    ),
    ("HDR10 vs SDR", {"tier": "4K", "hdr_type": "HDR10"}, {"tier": "4K"}, "uncertain", True),
    (
        "HDR10 + 5.1 vs plain: 20 points is not under 20",
        {"tier": "4K", "hdr_type": "HDR10", "audio_channels": 5.1},
        {"tier": "4K"},
        "certain",
        False,
    ),
]


def _probe(spec: dict[str, Any]) -> Any:
    spec = dict(spec)
    return probe(spec.pop("tier"), **spec)


@pytest.mark.parametrize(
    ("situation", "kept_spec", "deleted_spec", "confidence", "review"),
    QUALITY,
    ids=[q[0] for q in QUALITY],
)
def test_rule_2_keeps_the_higher_score(
    situation: str,
    kept_spec: dict[str, Any],
    deleted_spec: dict[str, Any],
    confidence: str,
    review: bool,
) -> None:
    better = library_file(
        "/volume1/videos/Movies/Heat.1995.a.mkv", movie("Heat", 1995), _probe(kept_spec)
    )
    worse = library_file(
        "/volume1/docker/Heat.1995.b.mkv", movie("Heat", 1995), _probe(deleted_spec)
    )
    result = plan([worse, better])
    row = row_of(result, worse)
    assert row.kept_file_id == better.file_id, situation
    assert row.deletion_category == "lower_quality"
    assert (row.decision_confidence, row.requires_manual_review) == (confidence, review)
    expected_diff = calculate_quality_score(better.probe) - calculate_quality_score(worse.probe)
    assert row.quality_difference == pytest.approx(expected_diff)
    assert f"Quality difference: +{expected_diff:.1f} points." in row.deletion_reason
    assert ("compare before deleting" in row.deletion_reason) == review


AUTO: list[tuple[str, PlanPolicy, bool]] = [
    ("default policy: never", PlanPolicy(), False),
    ("enabled, 56 points > 50", PlanPolicy(auto_approve_enabled=True), True),
    (
        "enabled, threshold 56: not over it",
        PlanPolicy(auto_approve_enabled=True, auto_approve_threshold=56),
        False,
    ),
]


@pytest.mark.parametrize(("situation", "policy", "auto"), AUTO, ids=[a[0] for a in AUTO])
def test_auto_approval_only_when_settings_allow(
    situation: str, policy: PlanPolicy, auto: bool
) -> None:
    kept, _, hd = inception()
    row = row_of(plan([kept, hd], policy), hd)
    assert row.quality_difference == 56.0
    assert row.auto_approved is auto, situation


def test_a_fuzzy_title_match_is_never_auto_approved() -> None:
    kept = library_file(
        "/volume1/videos/TV/Red.Dwarf.S01E01.2160p.mkv", episode("Red Dwarf", 1, 1), probe("4K")
    )
    other = library_file(
        "/volume1/docker/Red.Dwarf.X.S01E01.avi", episode("Red Dwarf X", 1, 1), probe("SD")
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert row.deletion_category == "duplicate_fuzzy"
    assert row.quality_difference > 50
    assert (row.requires_manual_review, row.auto_approved) == (True, False)


def test_a_shared_tmdb_id_makes_differently_named_files_lower_quality() -> None:
    kept = library_file(
        "/volume1/videos/TV/Red.Dwarf.S01E01.mkv",
        episode("Red Dwarf", 1, 1, tmdb_id=326),
        probe("1080p"),
    )
    other = library_file(
        "/volume1/docker/Red.Dwarf.UK.S01E01.avi",
        episode("Red Dwarf UK", 1, 1, tmdb_id=326),
        probe("480p"),
    )
    assert row_of(plan([kept, other]), other).deletion_category == "lower_quality"


def test_a_decisive_tmdb_match_makes_differently_named_files_one_title_and_says_so() -> None:
    kept = library_file(
        "/volume1/videos/Movies/Le Fabuleux Destin d'Amelie Poulain (2001).mkv",
        movie("Le Fabuleux Destin d'Amelie Poulain", 2001),
        probe("1080p"),
        tmdb_match=matched_to(194),
    )
    other = library_file(
        "/volume1/docker/Amelie.2001.avi",
        movie("Amelie", 2001),
        probe("480p"),
        tmdb_match=matched_to(194, 0.85),
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert (row.deletion_category, row.decision_confidence) == ("lower_quality", "certain")
    assert row.deletion_reason.endswith("Same title by TMDb id 194, although the names differ.")


def test_a_low_confidence_tmdb_match_alone_never_decides() -> None:
    kept = library_file(
        "/volume1/videos/Movies/Gladiator (2000).mkv",
        movie("Gladiator", 2000),
        probe("4K"),
        tmdb_match=matched_to(98),
    )
    other = library_file(
        "/volume1/docker/Gladiator.480p.avi",
        movie("Gladiator", None),
        probe("480p"),
        tmdb_match=matched_to(98, 0.7),
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert row.deletion_category == "lower_quality"
    assert row.quality_difference > 50
    assert (row.decision_confidence, row.requires_manual_review, row.auto_approved) == (
        "review_recommended",
        True,
        False,
    )
    assert (
        "'Gladiator (2000).mkv' and 'Gladiator.480p.avi' are one title only by a "
        "low-confidence TMDb match (id 98, 70%): check they are the same movie."
    ) in row.deletion_reason


# --- rule 3: languages -------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageCase:
    situation: str
    english: dict[str, Any]  # probe of the English-audio file
    other: dict[str, Any]  # probe of the other file
    original_language: str | None
    planned: str  # "other", "english" or "none"
    category: str | None
    confidence: str | None
    review: bool | None
    reason_contains: str
    note: str | None = None  # keep-note category expected for the unplanned file


LANGUAGE_CASES = [
    LanguageCase(
        "Spanish-only beside English, same quality",
        {"tier": "1080p"},
        {"tier": "1080p", "audio_languages": ("es",)},
        "en",
        "other",
        "wrong_language",
        "certain",
        False,
        "Deleted Spanish audio version 'Heat.Spanish.mkv' (audio: ['es']; no English audio, "
        "no English subtitles). Not a foreign film. Kept English 1080p version 'Heat.English.mkv' "
        "(1920x1080, H.264, 8 Mbps). Quality difference: +0.0 points.",
    ),
    LanguageCase(
        "French dub of lower quality",
        {"tier": "1080p"},
        {"tier": "720p", "audio_languages": ("fr",)},
        "en",
        "other",
        "wrong_language",
        "certain",
        False,
        "Kept English 1080p version 'Heat.English.mkv' (1920x1080, H.264, 8 Mbps), "
        "which also has better quality.",
    ),
    LanguageCase(
        "better Spanish version: English kept even if lower quality",
        {"tier": "720p"},
        {"tier": "1080p", "audio_languages": ("es",)},
        "en",
        "other",
        "wrong_language",
        "certain",
        False,
        "Quality difference: -25.0 points.",
    ),
    LanguageCase(
        "Spanish 4K vs English 480p: over 100 points needs review",
        {"tier": "480p"},
        {"tier": "4K", "audio_languages": ("es",), "hdr_type": "HDR10", "audio_channels": 5.1},
        "en",
        "other",
        "wrong_language",
        "uncertain",
        True,
        "REQUIRES REVIEW: Deleting higher quality file 'Heat.Spanish.mkv' (4K) because it lacks "
        "English audio (audio: ['es']). Lower quality 'Heat.English.mkv' (480p) has English. "
        "Quality difference: -122.0 points. Confidence: uncertain.",
    ),
    LanguageCase(
        "untagged audio, original language unknown: not English, not certain",
        {"tier": "1080p"},
        {"tier": "720p", "audio_languages": ("und",)},
        None,
        "other",
        "wrong_language",
        "uncertain",
        True,
        "Audio language unknown: confirm it is not English before deleting.",
    ),
    LanguageCase(
        "untagged audio of an English-language film is English",
        {"tier": "1080p"},
        {"tier": "720p", "audio_languages": ("und",)},
        "en",
        "other",
        "lower_quality",
        "certain",
        False,
        "Deleted 720p version 'Heat.Spanish.mkv'",
    ),
    LanguageCase(
        "dual audio Spanish/English is an English version",
        {"tier": "1080p"},
        {"tier": "480p", "audio_languages": ("es", "en"), "audio_track_count": 2},
        "en",
        "other",
        "lower_quality",
        "certain",
        False,
        "Kept 1080p version",
    ),
    LanguageCase(
        "original language with English subtitles beside an English dub: both kept",
        {"tier": "720p"},
        {"tier": "1080p", "audio_languages": ("ko",), "subtitle_languages": ("en",)},
        "ko",
        "none",
        None,
        None,
        None,
        "",
        note="foreign_film",
    ),
    LanguageCase(
        "foreign film of lower quality than the dub: still kept",
        {"tier": "1080p"},
        {"tier": "480p", "audio_languages": ("ko",), "subtitle_languages": ("en",)},
        "ko",
        "none",
        None,
        None,
        None,
        "",
        note="foreign_film",
    ),
    LanguageCase(
        "original-language audio without subtitles (TMDb says Korean): kept",
        {"tier": "1080p"},
        {"tier": "720p", "audio_languages": ("ko",)},
        "ko",
        "none",
        None,
        None,
        None,
        "",
        note="foreign_film",
    ),
]


@pytest.mark.parametrize("case", LANGUAGE_CASES, ids=[c.situation for c in LANGUAGE_CASES])
def test_rule_3_languages(case: LanguageCase) -> None:
    english = library_file(
        "/volume1/videos/Movies/Heat.English.mkv",
        movie("Heat", 1995),
        _probe(case.english),
        original_language=case.original_language,
    )
    other = library_file(
        "/volume1/docker/Heat.Spanish.mkv",
        movie("Heat", 1995),
        _probe(case.other),
        original_language=case.original_language,
    )
    result = plan([english, other], PlanPolicy(auto_approve_enabled=True))
    if case.planned == "none":
        assert result.rows == ()
        assert {n.category for n in result.keep_notes if n.file_id == other.file_id} == {case.note}
        return
    row = row_of(result, other)
    assert row.kept_file_id == english.file_id
    assert (row.deletion_category, row.decision_confidence, row.requires_manual_review) == (
        case.category,
        case.confidence,
        case.review,
    )
    assert case.reason_contains in row.deletion_reason
    if case.category == "wrong_language":
        assert not row.auto_approved  # the languages differ
        assert not row.has_english_audio


def test_an_unknown_language_code_is_named_as_written() -> None:
    english = library_file("/volume1/videos/Movies/Heat.mkv", movie("Heat", 1995), probe("1080p"))
    odd = library_file(
        "/volume1/docker/Heat.x.mkv", movie("Heat", 1995), probe("720p", audio_languages=("qaa",))
    )
    reason = row_of(plan([english, odd]), odd).deletion_reason
    assert reason.startswith("Deleted qaa audio version 'Heat.x.mkv' (audio: ['qaa'];")


def test_only_non_english_versions_need_review() -> None:
    better = library_file(
        "/volume1/videos/Movies/Heat.1080p.mkv",
        movie("Heat", 1995),
        probe("1080p", audio_languages=("es",)),
    )
    worse = library_file(
        "/volume1/docker/Heat.480p.mkv", movie("Heat", 1995), probe("480p", audio_languages=("es",))
    )
    result = plan([better, worse], PlanPolicy(auto_approve_enabled=True))
    row = row_of(result, worse)
    assert (row.deletion_category, row.decision_confidence, row.requires_manual_review) == (
        "lower_quality",
        "uncertain",
        True,
    )
    assert row.deletion_reason.endswith(
        "Only available version is non-English: review before deleting."
    )
    assert not row.auto_approved
    (note,) = result.keep_notes
    assert (note.category, note.file_id) == ("only_non_english", better.file_id)
    assert note.reason.startswith("Only available version is non-English (audio: ['es']).")


def test_foreign_film_copies_are_never_auto_approved() -> None:
    subs = {"audio_languages": ("ko",), "subtitle_languages": ("en",)}
    better = library_file(
        "/volume1/videos/Movies/Parasite.2160p.mkv",
        movie("Parasite", 2019),
        probe("4K", **subs),
        original_language="ko",
    )
    worse = library_file(
        "/volume1/docker/Parasite.480p.mkv",
        movie("Parasite", 2019),
        probe("480p", **subs),
        original_language="ko",
    )
    result = plan([better, worse], PlanPolicy(auto_approve_enabled=True))
    row = row_of(result, worse)
    assert row.quality_difference > 50
    assert (row.deletion_category, row.decision_confidence) == (
        "lower_quality",
        "review_recommended",
    )
    assert (row.is_foreign_film, row.requires_manual_review, row.auto_approved) == (
        True,
        True,
        False,
    )
    assert "will not auto-delete" in row.deletion_reason


def test_a_dub_without_subtitles_beside_a_foreign_film_needs_review() -> None:
    original = library_file(
        "/volume1/videos/Movies/Parasite.mkv",
        movie("Parasite", 2019),
        probe("1080p", audio_languages=("ko",), subtitle_languages=("en",)),
        original_language="ko",
    )
    spanish = library_file(
        "/volume1/docker/Parasite.Spanish.mkv",
        movie("Parasite", 2019),
        probe("1080p", audio_languages=("es",)),
        original_language="ko",
    )
    row = row_of(plan([original, spanish]), spanish)
    assert (row.deletion_category, row.decision_confidence, row.requires_manual_review) == (
        "wrong_language",
        "review_recommended",
        True,
    )
    assert "Kept original-language 1080p version 'Parasite.mkv'" in row.deletion_reason


def test_an_english_sidecar_subtitle_counts_and_is_not_lost_silently() -> None:
    kept = library_file(
        "/volume1/videos/Movies/Heat.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    with_subs = library_file(
        "/volume1/docker/Heat.720p.mkv",
        movie("Heat", 1995),
        probe("720p"),
        sidecars=(Sidecar("Heat.720p.en.srt", "subtitle", "en"),),
    )
    row = row_of(plan([kept, with_subs]), with_subs)
    assert row.has_english_subtitles and row.subtitle_languages == ("en",)
    assert row.requires_manual_review
    assert "Only the deleted file has English subtitles" in row.deletion_reason


# --- rule 4: three or more ---------------------------------------------------------------------

THREE: list[tuple[str, list[dict[str, Any]], list[tuple[str, bool]]]] = [
    # situation, probes best first, (confidence, review) of #2 and #3
    (
        "1080p, 720p, 480p",
        [{"tier": "1080p"}, {"tier": "720p"}, {"tier": "480p"}],
        [("certain", False), ("certain", False)],
    ),
    (
        "three 1080p encodes within 5 points",
        [
            {"tier": "1080p", "bitrate": 8_000},
            {"tier": "1080p", "bitrate": 7_000},
            {"tier": "1080p", "bitrate": 6_500},
        ],
        [("review_recommended", True), ("review_recommended", True)],
    ),
    (
        "15 points apart: rule 4 is sure of the order, rule 2 still wants a look",
        [
            {"tier": "1080p", "bitrate": 10_000},
            {"tier": "1080p", "bitrate": 5_000},
            {"tier": "720p"},
        ],
        [("certain", True), ("certain", False)],
    ),
]


@pytest.mark.parametrize(("situation", "specs", "expected"), THREE, ids=[t[0] for t in THREE])
def test_rule_4_ranks_three_copies(
    situation: str, specs: list[dict[str, Any]], expected: list[tuple[str, bool]]
) -> None:
    files = [
        library_file(
            f"/volume1/docker/Red.Dwarf.S01E01.v{i}.mkv", episode("Red Dwarf", 1, 1), _probe(spec)
        )
        for i, spec in enumerate(specs)
    ]
    result = plan(files)
    assert {r.kept_file_id for r in result.rows} == {files[0].file_id}, situation
    assert [
        (row_of(result, f).decision_confidence, row_of(result, f).requires_manual_review)
        for f in files[1:]
    ] == expected
    for f in files[1:]:
        assert row_of(result, f).deletion_reason.startswith(
            "Kept highest quality (#1 of 3). Files #2 and #3 are redundant. Kept 1080p version"
        )


# --- corrupted files ---------------------------------------------------------------------------

CORRUPT: list[tuple[str, dict[str, Any], dict[str, Any], str, bool, str]] = [
    # situation, healthy-ish kept probe, damaged probe, confidence, review, reason start
    (
        "truncated copy beside a healthy one",
        {"tier": "720p"},
        {"tier": "1080p", "integrity_error": "decoding failed at 41:10"},
        "certain",
        False,
        "Deleted corrupted file 'Heat.damaged.mkv' (decoding failed at 41:10). "
        "Kept healthy copy 720p version",
    ),
    (
        "unreadable file: maybe just an unusual format",
        {"tier": "720p"},
        {"tier": "SD", "probe_error": "no video stream"},
        "review_recommended",
        True,
        "Deleted unreadable file 'Heat.damaged.mkv' (could not be probed: no video stream).",
    ),
    (
        "cut so short that its running time is gone (an MP4 that lost its index)",
        {"tier": "720p"},
        {
            "tier": "SD",
            "duration": None,
            "probe_error": "no video track (MPEG-4)",
            "integrity_error": "truncated",
        },
        "review_recommended",
        True,
        "Deleted unreadable file 'Heat.damaged.mkv' (could not be probed: truncated).",
    ),
    (
        "every copy is damaged",
        {"tier": "1080p", "integrity_error": "bad frame"},
        {"tier": "720p", "integrity_error": "truncated"},
        "uncertain",
        True,
        "Deleted corrupted file 'Heat.damaged.mkv' (truncated). The kept copy 1080p version",
    ),
]


@pytest.mark.parametrize(
    ("situation", "kept_spec", "damaged_spec", "confidence", "review", "reason"),
    CORRUPT,
    ids=[c[0] for c in CORRUPT],
)
def test_corrupt_files(
    situation: str,
    kept_spec: dict[str, Any],
    damaged_spec: dict[str, Any],
    confidence: str,
    review: bool,
    reason: str,
) -> None:
    kept = library_file("/volume1/videos/Movies/Heat.mkv", movie("Heat", 1995), _probe(kept_spec))
    damaged = library_file(
        "/volume1/docker/Heat.damaged.mkv", movie("Heat", 1995), _probe(damaged_spec)
    )
    result = plan([kept, damaged])
    row = row_of(result, damaged)
    assert row.kept_file_id == kept.file_id, situation
    assert (row.deletion_category, row.decision_confidence, row.requires_manual_review) == (
        "corrupted",
        confidence,
        review,
    )
    assert row.deletion_reason.startswith(reason)
    assert result.groups[0].primary_file_id == kept.file_id
    assert not check_runtimes_support_the_plan(result.rows, {f.file_id: f for f in (kept, damaged)})


def test_a_damaged_only_english_copy_is_kept() -> None:
    spanish = library_file(
        "/volume1/videos/Movies/Heat.es.mkv",
        movie("Heat", 1995),
        probe("1080p", audio_languages=("es",)),
    )
    english = library_file(
        "/volume1/docker/Heat.en.mkv",
        movie("Heat", 1995),
        probe("720p", integrity_error="truncated"),
    )
    result = plan([spanish, english])
    assert result.rows == ()
    notes = {n.file_id: n for n in result.keep_notes}
    assert notes[english.file_id].category == "english_audio"
    assert "although it reports errors (truncated)" in notes[english.file_id].reason
    assert notes[spanish.file_id].category == "only_non_english"


# --- hardlinks ---------------------------------------------------------------------------------


def test_the_keepers_hardlink_is_never_planned() -> None:
    kept = library_file(
        "/volume1/docker/downloads/Heat.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    kept, library_link = hardlink(kept, "/volume1/videos/Movies/Heat.1080p.mkv")
    lower = library_file(
        "/volume1/docker/Heat.720p.mkv", movie("Heat", 1995), probe("720p"), size=4 * GB
    )
    result = plan([kept, library_link, lower])
    assert planned(result) == {lower.path}
    assert result.groups[0].potential_savings == 4 * GB


def test_a_planned_hardlinked_file_moves_with_all_its_paths_and_frees_its_bytes_once() -> None:
    better = library_file(
        "/volume1/videos/Movies/Heat.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    lower = library_file(
        "/volume1/docker/downloads/Heat.720p.mkv", movie("Heat", 1995), probe("720p"), size=4 * GB
    )
    lower, link = hardlink(lower, "/volume1/videos/Movies/Heat.720p.mkv")
    result = plan([better, lower, link])
    assert planned(result) == {lower.path, link.path}
    assert sorted(r.bytes_freed for r in result.rows) == [0, 4 * GB]
    assert row_of(result, lower).deletion_reason.endswith(
        "Same file on disk as /volume1/videos/Movies/Heat.720p.mkv: "
        "all its paths are staged together."
    )
    assert row_of(result, link).deletion_reason.endswith(
        "Same file on disk as /volume1/docker/downloads/Heat.720p.mkv: "
        "all its paths are staged together."
    )
    assert result.groups[0].potential_savings == 4 * GB


def test_a_link_outside_the_library_frees_nothing() -> None:
    better = library_file(
        "/volume1/videos/Movies/Heat.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    lower = library_file(
        "/volume1/docker/Heat.720p.mkv", movie("Heat", 1995), probe("720p"), nlink=2
    )
    row = row_of(plan([better, lower]), lower)
    assert row.bytes_freed == 0
    assert "staging it frees no space" in row.deletion_reason


# --- multi-episode files -----------------------------------------------------------------------


def show_files(
    double_tier: str, e01_tier: str | None, e02_tier: str | None
) -> dict[str, LibraryFile]:
    files = {
        "double": library_file(
            "/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe(double_tier)
        )
    }
    if e01_tier:
        files["e01"] = library_file(
            "/volume1/videos/Show/Show.S01E01.mkv", episode("Show", 1, 1), probe(e01_tier)
        )
    if e02_tier:
        files["e02"] = library_file(
            "/volume1/videos/Show/Show.S01E02.mkv", episode("Show", 1, 2), probe(e02_tier)
        )
    return files


MULTI: list[tuple[str, tuple[str, str | None, str | None], set[str], set[str]]] = [
    # situation, tiers (double, E01, E02), planned, kept with a note
    (
        "both single episodes are better: the double goes",
        ("720p", "1080p", "1080p"),
        {"double"},
        set(),
    ),
    ("E02 has no other copy: the double stays", ("720p", "1080p", None), set(), {"double"}),
    (
        "the double is better: singles go against it",
        ("1080p", "720p", "720p"),
        {"e01", "e02"},
        set(),
    ),
    (
        "the double keeps E01, so E02's better copy cannot free it",
        ("1080p", "720p", "4K"),
        {"e01"},
        {"double"},
    ),
]


@pytest.mark.parametrize(
    ("situation", "tiers", "staged", "noted"), MULTI, ids=[m[0] for m in MULTI]
)
def test_multi_episode_files(
    situation: str, tiers: tuple[str, str | None, str | None], staged: set[str], noted: set[str]
) -> None:
    files = show_files(*tiers)
    result = plan(list(files.values()))
    assert planned(result) == {files[name].path for name in staged}, situation
    assert {n.file_id for n in result.keep_notes if n.category == "other_episodes"} == {
        files[name].file_id for name in noted
    }
    assert len(result.rows) == len({r.file_id for r in result.rows})  # one row per file


def test_a_staged_double_episode_names_where_each_episode_is_kept() -> None:
    files = show_files("720p", "1080p", "1080p")
    row = row_of(plan(list(files.values())), files["double"])
    assert row.deletion_reason.endswith(
        "Multi-episode file: every episode is kept elsewhere "
        "(E01 in 'Show.S01E01.mkv', E02 in 'Show.S01E02.mkv')."
    )
    assert row.bytes_freed == files["double"].size


# --- running times ----------------------------------------------------------------------------

RUNTIMES: list[tuple[str, float, float, bool]] = [
    # situation, kept seconds, deleted seconds, review
    ("the same cut", 8_220.0, 8_221.0, False),
    ("PAL speed-up: 4 % shorter", 8_220.0, 7_891.0, False),
    ("an unlabelled special edition: 17 minutes longer", 8_220.0, 9_240.0, True),
    ("a different show with the same name: 30 vs 45 minutes", 1_800.0, 2_700.0, True),
]


@pytest.mark.parametrize(
    ("situation", "kept_s", "deleted_s", "review"), RUNTIMES, ids=[r[0] for r in RUNTIMES]
)
def test_running_times_must_agree(
    situation: str, kept_s: float, deleted_s: float, review: bool
) -> None:
    kept = library_file(
        "/volume1/videos/Movies/Aliens.1986.mkv",
        movie("Aliens", 1986),
        probe("4K", duration=kept_s),
    )
    other = library_file(
        "/volume1/docker/Aliens.1986.avi", movie("Aliens", 1986), probe("480p", duration=deleted_s)
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert row.requires_manual_review is review, situation
    assert ("Running times differ" in row.deletion_reason) is review
    if review:
        assert row.decision_confidence == "review_recommended"
        assert not row.auto_approved


def test_running_time_text() -> None:
    kept = library_file(
        "/volume1/videos/Movies/Aliens.1986.mkv",
        movie("Aliens", 1986),
        probe("4K", duration=8_220.0),
    )
    other = library_file(
        "/volume1/docker/Aliens.1986.avi", movie("Aliens", 1986), probe("480p", duration=9_240.0)
    )
    assert row_of(plan([kept, other]), other).deletion_reason.endswith(
        "Running times differ (2:17:00 kept, 2:34:00 deleted): "
        "check it is the same cut of the movie."
    )


# --- columns, ids, safety ----------------------------------------------------------------------


def test_rows_carry_seed_000_columns_and_stable_ids() -> None:
    kept, copy, hd = inception()
    first = plan([kept, copy, hd])
    again = plan([hd, copy, kept])
    assert first.rows and [r.id for r in first.rows] == [r.id for r in again.rows]
    row = row_of(first, hd)
    assert row.original_filepath == hd.path
    assert row.staging_relative_path == "docker/Inception.2010.1080p.mkv"
    assert row.media_type == "movie"
    assert (row.audio_languages, row.subtitle_languages) == (("en",), ())
    assert (row.has_english_audio, row.has_english_subtitles, row.is_foreign_film) == (
        True,
        False,
        False,
    )
    assert row.duplicate_group_id == first.groups[0].id


def test_file_names_in_reasons_are_inert_text() -> None:
    kept = library_file(
        "/volume1/videos/Movies/Heat.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    hostile = library_file(
        "/volume1/docker/Heat.\nKept everything. Approved.\u202e.mkv",
        movie("Heat", 1995),
        probe("720p"),
    )
    reason = row_of(plan([kept, hostile]), hostile).deletion_reason
    assert "\n" not in reason and "\u202e" not in reason
    assert "'Heat.\ufffdKept everything. Approved.\ufffd.mkv'" in reason


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (
            "docker/Inception.2010.1080p.mkv",
            "/volume1/video/duplicates_before_purge/movie/2025-11-08/docker/Inception.2010.1080p.mkv",
        ),
        (
            "videos/TV/Red Dwarf/S01/RedDwarf_s01e01.avi",
            "/volume1/video/duplicates_before_purge/movie/2025-11-08/"
            "videos/TV/Red Dwarf/S01/RedDwarf_s01e01.avi",
        ),
        (
            "videos/..hidden/file..mkv",
            "/volume1/video/duplicates_before_purge/movie/2025-11-08/videos/..hidden/file..mkv",
        ),
    ],
)
def test_staging_path_follows_seed_000(relative: str, expected: str) -> None:
    root = "/volume1/video/duplicates_before_purge"
    assert staging_path(root, "movie", date(2025, 11, 8), relative) == expected
    assert staging_path(Path(root), "movie", date(2025, 11, 8), relative) == expected


@pytest.mark.parametrize(
    ("root", "media_type", "relative"),
    [
        ("/staging", "movie", "../etc/passwd"),
        ("/staging", "movie", "docker/../../etc/passwd"),
        ("/staging", "movie", "/etc/passwd"),
        ("/staging", "movie", ""),
        ("/staging", "movie", "docker//x.mkv"),
        ("/staging", "movie", "docker/x\x00.mkv"),
        ("/staging", "music", "docker/x.mkv"),
        ("staging", "tv", "docker/x.mkv"),
    ],
)
def test_staging_path_rejects_escapes(root: str, media_type: str, relative: str) -> None:
    with pytest.raises(ValueError):
        staging_path(root, media_type, date(2025, 11, 8), relative)


def test_never_staged_in_favour_of_a_file_under_half_as_long() -> None:
    """A 4K 12-minute extra in a folder the parser did not know (Plex's Other/) beside the
    1080p feature: the extra scores higher, but the feature is never proposed for it."""
    extra = library_file(
        "/volume1/videos/Movies/Heat (1995)/Other/Heat (1995).mkv",
        movie("Heat", 1995),
        probe("4K", duration=720.0),
    )
    feature = library_file(
        "/volume1/videos/Movies/Heat (1995)/Heat (1995).mkv",
        movie("Heat", 1995),
        probe("1080p", duration=10_200.0),
    )
    result = plan([extra, feature], PlanPolicy(auto_approve_enabled=True))
    assert result.rows == ()
    [note] = [n for n in result.keep_notes if n.file_id == feature.file_id]
    assert note.category == "runs_longer" and "more than twice as long" in note.reason


@pytest.mark.parametrize("missing", ["kept", "deleted"])
def test_a_missing_running_time_means_review_never_certain(missing: str) -> None:
    kept = library_file(
        "/volume1/videos/Movies/Aliens.1986.mkv",
        movie("Aliens", 1986),
        probe("4K", duration=None if missing == "kept" else 8_220.0),
    )
    other = library_file(
        "/volume1/docker/Aliens.1986.avi",
        movie("Aliens", 1986),
        probe("480p", duration=None if missing == "deleted" else 8_220.0),
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert row.requires_manual_review and not row.auto_approved
    assert row.decision_confidence != "certain"
    assert "Running time unknown" in row.deletion_reason


@pytest.mark.parametrize("guessed", ["kept", "deleted"])
def test_a_name_read_without_guessit_is_never_proposed_automatically(guessed: str) -> None:
    """The fallback parser's identity is a guess: with auto-approval on and a clear quality gap,
    a file it read is still left to a person; a byte-identical copy is not a guess."""
    timed_out = "guessit timed out after 5.0s"
    kept = library_file(
        "/volume1/videos/Movies/Aliens.1986.2160p.mkv",
        movie("Aliens", 1986, parse_error=timed_out if guessed == "kept" else None),
        probe("4K"),
    )
    other = library_file(
        "/volume1/docker/Aliens.1986.480p.avi",
        movie("Aliens", 1986, parse_error=timed_out if guessed == "deleted" else None),
        probe("SD"),
    )
    row = row_of(plan([kept, other], PlanPolicy(auto_approve_enabled=True)), other)
    assert row.quality_difference > 50
    assert row.requires_manual_review and not row.auto_approved
    assert row.decision_confidence != "certain"
    assert "timed out" in row.deletion_reason
