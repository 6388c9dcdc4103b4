"""Duplicate groups: what belongs together, what never does, and the seed's columns."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from domain_builders import episode, hardlink, library_file, matched_to, movie, probe

from mediavault_assets.domain.grouping import (
    DuplicateGroup,
    group_duplicates,
    identity_basis,
    match_confidence,
)
from mediavault_assets.domain.model import LibraryFile, ParsedName

GB = 1_000_000_000


def only_group(files: list[LibraryFile]) -> DuplicateGroup:
    groups = group_duplicates(files)
    assert len(groups) == 1, groups
    return groups[0]


def paths(group: DuplicateGroup, files: list[LibraryFile]) -> list[str]:
    """Member paths, best quality first."""
    by_id = {f.file_id: f.path for f in files}
    return [by_id[m.file_id] for m in group.members]


# --- seed 002's example ------------------------------------------------------------------------


def red_dwarf() -> list[LibraryFile]:
    # What guessit makes of the seed's names: the release group stays in one title.
    return [
        library_file(
            "/volume1/videos/TV/RedDwarf_TVLab_s01e01.mkv",
            episode("RedDwarf TVLab", 1, 1),
            probe("720p"),
        ),
        library_file(
            "/volume1/docker/downloads/RedDwarf_s01e01_Wondercrew.mp4",
            episode("RedDwarf", 1, 1, episode_title="Wondercrew"),
            probe("480p", container="mp4"),
        ),
    ]


def test_red_dwarf_pair_is_one_fuzzy_group() -> None:
    files = red_dwarf()
    group = only_group(files)
    assert group.group_type == "fuzzy"
    assert (group.media_type, group.season_number, group.episode_number) == ("tv", 1, 1)
    # token_sort_ratio 72.7 * 0.5 + season/episode 30 + year (both none) 10 + resolution 10
    assert group.confidence_score == pytest.approx(86.36)
    assert paths(group, files) == [
        "/volume1/videos/TV/RedDwarf_TVLab_s01e01.mkv",
        "/volume1/docker/downloads/RedDwarf_s01e01_Wondercrew.mp4",
    ]
    assert [m.quality_rank for m in group.members] == [1, 2]
    assert group.file_count == 2 and group.total_size == 2 * GB
    assert group.potential_savings == GB  # keeping only the 720p frees the 480p


def test_threshold_comes_from_settings() -> None:
    assert group_duplicates(red_dwarf(), fuzzy_threshold=90) == []


# --- seed 000's Inception ----------------------------------------------------------------------


def inception_copies() -> list[LibraryFile]:
    uhd = probe("4K", hdr_type="HDR10", audio_channels=5.1)
    return [
        library_file(
            "/volume1/videos/Movies/Inception.mkv",
            movie("Inception", 2010),
            uhd,
            md5="abc123def4567890abc123def4567890",
            size=50 * GB,
        ),
        library_file(
            "/volume1/docker/media/Inception.mkv",
            movie("Inception", 2010),
            uhd,
            md5="abc123def4567890abc123def4567890",
            size=50 * GB,
            mtime=1_700_000_000.0,  # the later copy
        ),
    ]


def test_exact_md5_copies_are_an_exact_group() -> None:
    files = inception_copies()
    group = only_group(files)
    assert group.group_type == "exact"
    assert group.confidence_score == 100.0
    assert paths(group, files)[0] == "/volume1/videos/Movies/Inception.mkv"  # the original
    assert group.potential_savings == 50 * GB


def test_exact_copies_and_another_encode_make_one_group_per_movie() -> None:
    files = [
        *inception_copies(),
        library_file(
            "/volume1/docker/Inception.2010.1080p.mkv",
            movie("Inception", 2010, screen_size="1080p"),
            probe("1080p"),
            size=8 * GB,
        ),
    ]
    group = only_group(files)
    assert group.group_type == "fuzzy"
    assert group.file_count == 3
    assert [m.quality_rank for m in group.members] == [1, 2, 3]
    assert paths(group, files)[2] == "/volume1/docker/Inception.2010.1080p.mkv"
    assert group.potential_savings == 58 * GB


def test_exact_copies_group_whatever_their_names_say() -> None:
    files = [
        library_file(
            "/volume1/videos/Movies/Inception.2010.mkv", movie("Inception", 2010), md5="f" * 32
        ),
        library_file("/volume1/docker/tmp/movie1.mkv", movie("movie1", None), md5="f" * 32),
    ]
    group = only_group(files)
    assert group.group_type == "exact"
    assert group.show_name == "Inception"


# --- what is never a duplicate -----------------------------------------------------------------

NOT_DUPLICATES: list[tuple[str, ParsedName, ParsedName]] = [
    (
        "Director's Cut vs theatrical",
        movie("Blade Runner", 1982, edition="Director's Cut"),
        movie("Blade Runner", 1982),
    ),
    (
        "Extended vs Theatrical",
        movie("Aliens", 1986, edition="Extended"),
        movie("Aliens", 1986, edition="Theatrical"),
    ),
    ("3D vs 2D", movie("Avatar", 2009, is_3d=True), movie("Avatar", 2009)),
    ("sample vs feature", movie("Inception", 2010, extra_kind="sample"), movie("Inception", 2010)),
    (
        "trailer vs feature",
        movie("Inception", 2010, extra_kind="trailer"),
        movie("Inception", 2010),
    ),
    (
        "two featurettes",
        movie("Inception", 2010, extra_kind="featurette"),
        movie("Inception", 2010, extra_kind="featurette"),
    ),
    ("CD1 vs CD2", movie("Heat", 1995, part=1), movie("Heat", 1995, part=2)),
    ("remake", movie("The Lion King", 1994), movie("The Lion King", 2019)),
    (
        "remake TMDb mismatched to one id",
        movie("The Lion King", 1994, tmdb_id=8587),
        movie("The Lion King", 2019, tmdb_id=8587),
    ),
    ("a movie without year vs with year", movie("Inception", None), movie("Inception", 2010)),
    (
        "different TMDb titles with one name",
        episode("The Office", 1, 1, tmdb_id=2996),
        episode("The Office", 1, 1, tmdb_id=2316),
    ),
    ("different episodes", episode("Red Dwarf", 1, 1), episode("Red Dwarf", 1, 2)),
    ("different seasons", episode("Red Dwarf", 1, 1), episode("Red Dwarf", 2, 1)),
    ("a spin-off", episode("Star Trek", 1, 1), episode("Star Trek Discovery", 1, 1)),
    (
        "two shows, one name, two years",
        episode("Doctor Who", 1, 1, year=1963),
        episode("Doctor Who", 1, 1, year=2005),
    ),
    ("unknown episode", episode("Red Dwarf", 1), episode("Red Dwarf", 1)),
    ("movie vs episode", movie("Fargo", 1996), episode("Fargo", 1, 1)),
]


@pytest.mark.parametrize(
    ("situation", "a", "b"), NOT_DUPLICATES, ids=[row[0] for row in NOT_DUPLICATES]
)
def test_never_grouped(situation: str, a: ParsedName, b: ParsedName) -> None:
    files = [
        library_file("/volume1/videos/a/file.mkv", a, probe("1080p")),
        library_file("/volume1/docker/b/file.mkv", b, probe("720p")),
    ]
    assert group_duplicates(files) == [], situation
    assert match_confidence(a, b) < 85


def test_zero_byte_files_are_duplicates_of_nothing() -> None:
    empty_md5 = "d41d8cd98f00b204e9800998ecf8427e"
    files = [
        library_file("/volume1/videos/Movies/Heat.mkv", movie("Heat", 1995), size=0, md5=empty_md5),
        library_file("/volume1/docker/Heat.mkv", movie("Heat", 1995), size=0, md5=empty_md5),
        library_file("/volume1/docker/other/Heat.1995.mkv", movie("Heat", 1995), size=GB),
    ]
    assert group_duplicates(files) == []


def test_identical_extras_are_still_exact_copies_of_each_other() -> None:
    sample = movie("Inception", 2010, extra_kind="sample")
    files = [
        library_file("/volume1/videos/Movies/Inception/sample.mkv", sample, md5="a" * 32, size=50),
        library_file("/volume1/docker/Inception/sample.mkv", sample, md5="a" * 32, size=50),
        library_file("/volume1/docker/Inception.2010.mkv", movie("Inception", 2010)),
    ]
    group = only_group(files)
    assert group.group_type == "exact"
    assert group.total_size == 100


# --- hardlinks ---------------------------------------------------------------------------------


def test_hardlinks_alone_are_not_duplicates() -> None:
    original = library_file(
        "/volume1/docker/downloads/Heat.1995.mkv", movie("Heat", 1995), md5="b" * 32
    )
    files = list(hardlink(original, "/volume1/videos/Movies/Heat.1995.mkv"))
    assert group_duplicates(files) == []


def test_a_hardlinked_file_is_one_member_with_its_links() -> None:
    original = library_file(
        "/volume1/docker/downloads/Heat.1995.720p.mkv",
        movie("Heat", 1995),
        probe("720p"),
        size=4 * GB,
    )
    linked_pair = hardlink(original, "/volume1/videos/Movies/Heat.1995.720p.mkv")
    better = library_file(
        "/volume1/videos/Movies/Heat.1995.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    group = only_group([*linked_pair, better])
    assert group.file_count == 2
    assert group.total_size == 5 * GB  # the inode counts once
    lower = group.members[1]
    assert lower.file_id == linked_pair[0].file_id  # the lowest path represents the inode
    assert lower.linked_file_ids == (linked_pair[1].file_id,)
    assert group.potential_savings == 4 * GB  # both links are in the inventory


def test_a_link_outside_the_library_means_no_savings() -> None:
    lower = library_file(
        "/volume1/videos/Movies/Heat.1995.720p.mkv", movie("Heat", 1995), probe("720p"), nlink=2
    )
    better = library_file(
        "/volume1/videos/Movies/Heat.1995.1080p.mkv", movie("Heat", 1995), probe("1080p")
    )
    group = only_group([lower, better])
    assert group.file_count == 2
    assert group.potential_savings == 0


# --- multi-episode files -----------------------------------------------------------------------


def test_a_multi_episode_file_joins_a_group_per_episode_it_holds() -> None:
    double = library_file(
        "/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("720p")
    )
    e01 = library_file(
        "/volume1/videos/Show/Show.S01E01.mkv", episode("Show", 1, 1), probe("1080p")
    )
    e02 = library_file(
        "/volume1/videos/Show/Show.S01E02.mkv", episode("Show", 1, 2), probe("1080p")
    )
    e03 = library_file(
        "/volume1/videos/Show/Show.S01E03.mkv", episode("Show", 1, 3), probe("1080p")
    )
    groups = sorted(group_duplicates([double, e01, e02, e03]), key=lambda g: g.episodes)
    assert [g.episodes for g in groups] == [(1,), (2,)]
    assert [{m.file_id for m in g.members} for g in groups] == [
        {double.file_id, e01.file_id},
        {double.file_id, e02.file_id},
    ]
    # Staging the double episode frees its bytes once, not once per group.
    assert sum(g.potential_savings for g in groups) == double.size


def test_a_multi_episode_file_is_not_freed_while_it_holds_an_only_copy() -> None:
    double = library_file(
        "/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("720p")
    )
    e01 = library_file(
        "/volume1/videos/Show/Show.S01E01.mkv", episode("Show", 1, 1), probe("1080p")
    )
    group = only_group([double, e01])
    assert group.episodes == (1,)
    assert group.potential_savings == 0


def test_copies_of_one_double_episode_are_one_group() -> None:
    files = [
        library_file(
            "/volume1/videos/Show/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), md5="c" * 32
        ),
        library_file("/volume1/docker/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), md5="c" * 32),
    ]
    group = only_group(files)
    assert (group.group_type, group.episodes, group.episode_number) == ("exact", (1, 2), 1)


def test_two_encodes_of_one_double_episode_are_one_group() -> None:
    files = [
        library_file(
            "/volume1/videos/Show/Show.S01E01E02.mkv", episode("Show", 1, 1, 2), probe("1080p")
        ),
        library_file(
            "/volume1/docker/Show.S01E01-E02.avi", episode("Show", 1, 1, 2), probe("480p")
        ),
    ]
    group = only_group(files)
    assert (group.group_type, group.episodes) == ("fuzzy", (1, 2))


# --- identity ----------------------------------------------------------------------------------


def test_a_shared_tmdb_id_forgives_a_release_year_one_off() -> None:
    files = [
        library_file(
            "/volume1/videos/Movies/Parasite.2019.mkv", movie("Parasite", 2019, tmdb_id=496243)
        ),
        library_file("/volume1/docker/Parasite.2020.mkv", movie("Parasite", 2020, tmdb_id=496243)),
    ]
    assert only_group(files).file_count == 2


def test_a_shared_tmdb_id_decides_the_title() -> None:
    files = [
        library_file(
            "/volume1/videos/Movies/Inception.2010.mkv",
            movie("Inception", 2010, tmdb_id=27205),
            probe("1080p"),
        ),
        library_file(
            "/volume1/docker/Inception.mkv", movie("Inception", None, tmdb_id=27205), probe("720p")
        ),
    ]
    group = only_group(files)
    assert group.year == 2010
    assert group.identity_key.startswith("movie|tmdb:27205|2010")


# --- identity by the TMDb match of the name (tmdb_file_matches), not a tag in it --------------

MOVIE_MATCH_PAIRS = [
    # situation, (path, parsed, match) twice, grouped?
    (
        "one name has no year",
        ("/volume1/videos/Movies/Inception (2010).1080p.mkv", movie("Inception", 2010), 27205),
        ("/volume1/docker/Inception.1080p.mkv", movie("Inception", None), 27205),
        True,
    ),
    (
        "English and original title",
        (
            "/volume1/videos/Movies/Amelie (2001).mkv",
            movie("Amelie", 2001),
            194,
        ),
        (
            "/volume1/docker/Le Fabuleux Destin d'Amelie Poulain (2001).mkv",
            movie("Le Fabuleux Destin d'Amelie Poulain", 2001),
            194,
        ),
        True,
    ),
    (
        "sequels a year apart in wording only",
        ("/volume1/videos/Movies/Alien (1979).mkv", movie("Alien", 1979), 348),
        ("/volume1/docker/Aliens (1986).mkv", movie("Aliens", 1986), 679),
        False,
    ),
    (
        "the names agree, TMDb says two films",
        ("/volume1/videos/Movies/The Thing (1982).mkv", movie("The Thing", 1982), 1091),
        ("/volume1/docker/The Thing (1982).mkv", movie("The Thing", 1982), 60935),
        False,
    ),
    (
        "no match at all: the names alone, and they disagree on the year",
        ("/volume1/videos/Movies/Inception (2010).1080p.mkv", movie("Inception", 2010), None),
        ("/volume1/docker/Inception.1080p.mkv", movie("Inception", None), None),
        False,
    ),
]


@pytest.mark.parametrize(
    ("situation", "a", "b", "grouped"), MOVIE_MATCH_PAIRS, ids=[c[0] for c in MOVIE_MATCH_PAIRS]
)
def test_files_matched_to_one_tmdb_id_are_compared_whatever_their_names(
    situation: str,
    a: tuple[str, ParsedName, int | None],
    b: tuple[str, ParsedName, int | None],
    grouped: bool,
) -> None:
    files = [
        library_file(path, parsed, tmdb_match=matched_to(tmdb_id) if tmdb_id else None)
        for path, parsed, tmdb_id in (a, b)
    ]
    groups = group_duplicates(files)
    assert len(groups) == (1 if grouped else 0), situation
    if grouped:
        assert groups[0].identity_key.startswith(f"movie|tmdb:{a[2]}|")
        assert identity_basis(*files) == "tmdb"


def test_episodes_matched_to_one_show_are_compared_per_episode() -> None:
    # Doctor Who 1963 and 2005 are two shows; one name without the year matched the new one.
    old = library_file(
        "/volume1/videos/TV/Doctor.Who.1963.S01E01.mkv",
        episode("Doctor Who", 1, 1, year=1963),
        tmdb_match=matched_to(121, tmdb_type="tv"),
    )
    new = library_file(
        "/volume1/videos/TV/Doctor.Who.2005.S01E01.mkv",
        episode("Doctor Who", 1, 1, year=2005),
        tmdb_match=matched_to(57243, tmdb_type="tv"),
    )
    bare = library_file(
        "/volume1/docker/Doctor Who - S01E01 - Rose.mkv",
        episode("Doctor Who", 1, 1),
        tmdb_match=matched_to(57243, tmdb_type="tv"),
    )
    next_episode = library_file(
        "/volume1/docker/Doctor Who - S01E02.mkv",
        episode("Doctor Who", 1, 2),
        tmdb_match=matched_to(57243, tmdb_type="tv"),
    )
    group = only_group([old, new, bare, next_episode])
    assert {m.file_id for m in group.members} == {new.file_id, bare.file_id}
    assert group.identity_key.startswith("tv|tmdb:57243|2005|1|1|")


def test_a_match_of_the_other_media_type_is_not_an_identity() -> None:
    # Movie 194 and show 194 are different titles: TMDb numbers them separately.
    files = [
        library_file(
            "/volume1/videos/Movies/X (2001).mkv", movie("X", 2001), tmdb_match=matched_to(194)
        ),
        library_file(
            "/volume1/docker/Y (2001).mkv",
            movie("Y", 2001),
            tmdb_match=matched_to(194, tmdb_type="tv"),
        ),
    ]
    assert group_duplicates(files) == []


def test_a_low_confidence_match_groups_but_says_it_is_weak() -> None:
    sure = library_file(
        "/volume1/videos/Movies/Gladiator (2000).mkv",
        movie("Gladiator", 2000),
        tmdb_match=matched_to(98),
    )
    weak = library_file(
        "/volume1/docker/Gladiator.1080p.mkv",
        movie("Gladiator", None),
        tmdb_match=matched_to(98, 0.7),
    )
    assert only_group([sure, weak]).file_count == 2
    assert identity_basis(sure, weak) == "weak_tmdb"
    # Names that agree on their own need no TMDb id, however weak the match.
    copy = library_file(
        "/volume1/docker/Gladiator (2000).avi",
        movie("Gladiator", 2000),
        tmdb_match=matched_to(98, 0.7),
    )
    assert identity_basis(sure, copy) == "names"


@pytest.mark.parametrize(
    ("a", "b", "confidence"),
    [
        # title 100 * .5 + season/episode 30 + year 10 + resolution 10
        (episode("Red Dwarf", 1, 1), episode("Red Dwarf", 1, 1), 100.0),
        (episode("Red Dwarf", 1, 1, screen_size="720p"), episode("Red Dwarf", 1, 1), 90.0),
        (episode("Red Dwarf", 1, 1, year=1988), episode("Red Dwarf", 1, 1), 90.0),
        (episode("Red Dwarf", 1, 1, 2), episode("Red Dwarf", 1, 2), 100.0),  # shares E02
        (
            movie("Inception", 2010, screen_size="2160p"),
            movie("Inception", 2010, screen_size="1080p"),
            90.0,
        ),
        (episode("RedDwarf TVLab", 1, 1), episode("RedDwarf", 1, 1), 86.36),
        (episode("Star Trek TNG", 1, 1), episode("Star Trek", 1, 1), 90.91),
        (movie("Heat", 1995, tmdb_id=949), movie("Heat 1995 remux", None, tmdb_id=949), 100.0),
    ],
)
def test_match_confidence_follows_seed_002(a: ParsedName, b: ParsedName, confidence: float) -> None:
    assert match_confidence(a, b) == pytest.approx(confidence, abs=0.01)


def test_blocks_use_the_first_title_token_ignoring_articles() -> None:
    files = [
        library_file(
            "/volume1/videos/TV/The.Office.S01E01.mkv", episode("The Office", 1, 1), probe("1080p")
        ),
        library_file("/volume1/docker/Office.S01E01.mkv", episode("Office", 1, 1), probe("720p")),
    ]
    # token_sort_ratio("the office", "office") = 75 → 37.5 + 30 + 10 + 10 = 87.5
    assert only_group(files).confidence_score == pytest.approx(87.5)


# --- stable ids and ranks ----------------------------------------------------------------------


def library() -> list[LibraryFile]:
    return [
        *red_dwarf(),
        *inception_copies(),
        library_file("/volume1/docker/Heat.1995.720p.mkv", movie("Heat", 1995), probe("720p")),
        library_file(
            "/volume1/videos/Movies/Heat.1995.1080p.mkv", movie("Heat", 1995), probe("1080p")
        ),
    ]


def summary(groups: list[DuplicateGroup]) -> list[tuple[int, list[tuple[int, int, int]]]]:
    return [(g.id, [(m.id, m.file_id, m.quality_rank) for m in g.members]) for g in groups]


@pytest.mark.parametrize(
    "change",
    [
        lambda files: list(reversed(files)),
        lambda files: random.Random(7).sample(files, len(files)),
        lambda files: [
            *files,
            library_file("/volume1/videos/Movies/Alien.1979.mkv", movie("Alien", 1979)),
        ],
    ],
    ids=["reversed", "shuffled", "unrelated file added"],
)
def test_group_ids_are_stable_across_runs(
    change: Callable[[list[LibraryFile]], list[LibraryFile]],
) -> None:
    files = library()
    assert summary(group_duplicates(change(files))) == summary(group_duplicates(files))


def test_group_ids_differ_by_type_and_identity() -> None:
    groups = group_duplicates(library())
    assert len({g.id for g in groups}) == len(groups) == 3
    assert len({m.id for g in groups for m in g.members}) == 6


def test_ranks_by_quality_and_by_size() -> None:
    files = [
        library_file(
            "/volume1/videos/Movies/Heat.1080p.mkv",
            movie("Heat", 1995),
            probe("1080p"),
            size=8 * GB,
        ),
        library_file(
            "/volume1/docker/Heat.720p.remux.mkv", movie("Heat", 1995), probe("720p"), size=12 * GB
        ),
        library_file("/volume1/docker/Heat.480p.avi", movie("Heat", 1995), probe("480p"), size=GB),
    ]
    group = only_group(files)
    assert [(m.quality_rank, m.size_rank) for m in group.members] == [(1, 2), (2, 1), (3, 3)]
    assert [m.quality_score for m in group.members] == sorted(
        (m.quality_score for m in group.members), reverse=True
    )
    assert not any(m.is_primary for m in group.members)  # the plan decides
    assert group.primary_file_id is None


def test_edition_3d_part_and_extra_rules_apply_on_top_of_a_shared_tmdb_match() -> None:
    base = ("/volume1/videos/Movies/Blade Runner (1982).mkv", movie("Blade Runner", 1982))
    others = [
        (
            "/volume1/docker/Blade Runner Final Cut.mkv",
            movie("Blade Runner", 1982, edition="Final Cut"),
        ),
        ("/volume1/docker/Blade Runner 3D.mkv", movie("Blade Runner", 1982, is_3d=True)),
        ("/volume1/docker/Blade Runner CD1.mkv", movie("Blade Runner", 1982, part=1)),
        (
            "/volume1/docker/Blade Runner trailer.mkv",
            movie("Blade Runner", 1982, extra_kind="trailer"),
        ),
    ]
    for path, parsed in others:
        files = [
            library_file(base[0], base[1], tmdb_match=matched_to(78)),
            library_file(path, parsed, tmdb_match=matched_to(78)),
        ]
        assert group_duplicates(files) == [], path
