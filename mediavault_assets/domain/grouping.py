"""Duplicate groups: one coherent group per movie or episode, holding every copy of it.

Three kinds of sameness are collapsed in order, so a reviewer never sees one copy twice:

1. Hardlinks (same device + inode) are one physical file. A group holds one member for them
   (its lowest path) and lists the other paths in ``linked_file_ids``; two links of one inode are
   never duplicates of each other, and staging one of them frees nothing.
2. Exact copies (same size and full MD5 on distinct inodes) are one *content*. They always share a
   group, whatever their names say; the content's identity is read from its best-named copy.
3. Contents with the same identity are grouped when seed 002's confidence (title 50 %,
   season/episode 30 %, year 10 %, resolution 10 %) reaches the threshold. Identity is a movie's
   title and year, or a show's season and episode; TMDb ids, when both files have one, decide
   the title outright (equal: the same title; different: never the same). A file's TMDb id is
   its name's ID tag, else the title the TMDb asset matched its name to, so "Inception.1080p"
   and "Inception (2010)", or "Amelie" and "Le Fabuleux Destin d'Amélie Poulain", are compared.
   A match below ``DECISIVE_MATCH_CONFIDENCE`` still groups, but ``identity_basis`` reports it
   as weak, and the plan leaves such pairs to a person.

A group whose members are all one content is ``exact``; otherwise it is ``fuzzy`` and may hold
exact copies too; a ``manual`` group is one a person made (``with_manual_groups``), whatever the
rules say. Never grouped (the rules below make them incomparable): zero-byte files,
extras/samples/trailers with anything but their own byte-identical copies, different editions
(an untagged cut is its own edition: "Theatrical" and untagged are not assumed equal), 3D and 2D,
the parts of a stacked movie, files of different TMDb titles or of different years, and TV files
whose episode is unknown. A multi-episode file takes part once per episode it holds, so it can be
in several groups; groups with exactly the same contents (two copies of one double episode) merge.

Comparisons happen only inside blocks (same season and episode or same year, same first title
token ignoring a leading article; or same TMDb id), so the cost grows with the library, not with
its square. A cost of that: titles that differ in their first token ("RedDwarf" / "Red Dwarf")
are only grouped through a shared TMDb id.

``is_primary`` and ``primary_file_id`` are left for ``deletion_plan.plan_deletions``, which decides
the kept file with the language rules; ``potential_savings`` here is seed 002's "keeping only best
quality" estimate, and the plan replaces it with the bytes its rows really free.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz, process

from mediavault_assets.domain.model import LibraryFile, MediaType, ParsedName, stable_id
from mediavault_assets.domain.quality import calculate_quality_score

GroupType = Literal["exact", "fuzzy", "manual"]
# What says two files are one title: a TMDb id both are surely known by, a shared id that rests
# on a low-confidence match alone, or their names.
IdentityBasis = Literal["tmdb", "weak_tmdb", "names"]

DEFAULT_FUZZY_THRESHOLD = 85.0
EXACT_CONFIDENCE = 100.0
_LEADING_ARTICLES = frozenset({"the", "a", "an"})
# The title term is half of the confidence, so below this title score no pair can reach the
# threshold even with every other term matching.
_OTHER_TERMS_MAX = 50.0


@dataclass(frozen=True, slots=True)
class GroupMember:
    """A row of seed 002's duplicate_members: one physical file of a group."""

    id: int
    group_id: int
    file_id: int
    quality_rank: int  # 1 = best quality score in the group
    quality_score: float
    size_rank: int  # 1 = largest
    is_primary: bool = False  # set by deletion_plan.plan_deletions
    linked_file_ids: tuple[int, ...] = ()  # other paths on the same inode (hardlinks)


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """A row of seed 002's duplicate_groups, with its members (best quality first)."""

    id: int
    group_type: GroupType
    confidence_score: float  # 100 for exact groups; the weakest accepted match otherwise
    media_type: MediaType
    show_name: str  # the seed's column; the movie title for movies
    season_number: int | None
    episode_number: int | None  # the first of ``episodes``
    year: int | None
    file_count: int  # physical files (hardlinks count once)
    total_size: int  # bytes on disk (hardlinks count once)
    potential_savings: int  # bytes staging would really free
    members: tuple[GroupMember, ...]
    episodes: tuple[int, ...] = ()
    identity_key: str = ""  # what the stable id is derived from
    primary_file_id: int | None = None  # set by deletion_plan.plan_deletions


def title_similarity(a: str, b: str) -> float:
    """Seed 002's title score: rapidfuzz token_sort_ratio of the normalized titles (0-100)."""
    return fuzz.token_sort_ratio(a, b)


def match_confidence(a: ParsedName, b: ParsedName, *, title_score: float | None = None) -> float:
    """Seed 002's confidence (0-100) that two parsed names are the same movie or episode.

    0 when they can never be the same thing, whatever the title score says.
    """
    if not _comparable(a, b):
        return 0.0
    same_tmdb = a.tmdb_id is not None and a.tmdb_id == b.tmdb_id
    if title_score is None:
        title_score = 100.0 if same_tmdb else title_similarity(a.title_key, b.title_key)
    season_episode = (50 if a.season == b.season else 0) + (
        50 if set(a.episodes) & set(b.episodes) or a.episodes == b.episodes else 0
    )
    # A shared TMDb id has resolved the year already, even when one name omits it.
    year = 100 if a.year == b.year or same_tmdb else 0
    resolution = 100 if a.screen_size == b.screen_size else 0
    return round(title_score * 0.5 + season_episode * 0.3 + year * 0.1 + resolution * 0.1, 2)


def tmdb_title_id(file: LibraryFile) -> int | None:
    """The TMDb id a file is known by: its name's ID tag, else the id its name was matched to
    (only of the name's media type: movie and show ids are separate number spaces)."""
    if file.parsed.tmdb_id is not None:
        return file.parsed.tmdb_id
    match = file.tmdb_match
    return match.tmdb_id if match and match.tmdb_type == file.parsed.media_type else None


def _surely_identified(file: LibraryFile) -> bool:
    return file.parsed.tmdb_id is not None or bool(file.tmdb_match and file.tmdb_match.decisive)


def identity_basis(a: LibraryFile, b: LibraryFile) -> IdentityBasis:
    """Why two files count as one title. "tmdb": both are known by one TMDb id through an ID tag
    or a decisive match; "weak_tmdb": they share an id, one of them through a low-confidence
    match, and their names alone would not make them one title; "names" otherwise."""
    shared = tmdb_title_id(a)
    if shared is None or shared != tmdb_title_id(b):
        return "names"
    if _surely_identified(a) and _surely_identified(b):
        return "tmdb"
    if a.parsed.title_key == b.parsed.title_key and _comparable(a.parsed, b.parsed):
        return "names"
    return "weak_tmdb"


def _with_tmdb_id(file: LibraryFile) -> ParsedName:
    """The name grouping compares: the parsed name with the TMDb id the file is known by."""
    tmdb_id = tmdb_title_id(file)
    return file.parsed if tmdb_id == file.parsed.tmdb_id else replace(file.parsed, tmdb_id=tmdb_id)


def _comparable(a: ParsedName, b: ParsedName) -> bool:
    if a.media_type != b.media_type or a.extra_kind or b.extra_kind:
        return False
    if (a.edition, a.is_3d, a.part) != (b.edition, b.is_3d, b.part):
        return False
    if a.tmdb_id is not None and b.tmdb_id is not None and a.tmdb_id != b.tmdb_id:
        return False
    if a.media_type == "tv":
        if a.year is not None and b.year is not None and a.year != b.year:
            return False
        return a.season == b.season and bool(set(a.episodes) & set(b.episodes))
    # A movie is its title and year. A shared TMDb id vouches for a name without a year, or one a
    # year off (festival vs release year), never for a remake decades apart.
    same_tmdb = a.tmdb_id is not None and a.tmdb_id == b.tmdb_id
    if a.year is None or b.year is None:
        return a.year == b.year or same_tmdb
    return a.year == b.year or (same_tmdb and abs(a.year - b.year) <= 1)


def _first_title_token(title_key: str) -> str:
    tokens = title_key.split()
    while len(tokens) > 1 and tokens[0] in _LEADING_ARTICLES:
        tokens = tokens[1:]
    return tokens[0] if tokens else ""


@dataclass(slots=True)
class _Physical:
    """One inode: its representative path and the other paths."""

    file: LibraryFile
    links: tuple[LibraryFile, ...]

    @property
    def freeable_bytes(self) -> int:
        # Only when every link is in the inventory does staging them all free the space.
        return self.file.size if 1 + len(self.links) >= self.file.nlink else 0


@dataclass(slots=True)
class _Content:
    """Byte-identical physical files (or a single one) and the name they are known by."""

    physicals: list[_Physical]
    parsed: ParsedName = field(init=False)

    def __post_init__(self) -> None:
        # The best-named copy: a feature over an extra, parsed over unparsed, TMDb-matched first.
        best = min(
            self.physicals,
            key=lambda p: (
                p.file.parsed.extra_kind is not None,
                p.file.parsed.parse_error is not None,
                tmdb_title_id(p.file) is None,
                p.file.parsed.year is None,
                p.file.path,
            ),
        )
        self.parsed = _with_tmdb_id(best.file)


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def _quality_order_key(file: LibraryFile, score: float) -> tuple[object, ...]:
    """Best first: score, then subtitle sidecars (they leave with their video), then size, then
    the older file (the original of a copy), then the path, so ranks never tie."""
    sidecar_subtitles = sum(1 for s in file.sidecars if s.kind == "subtitle")
    return (-score, -sidecar_subtitles, -file.size, file.mtime, file.path)


def group_duplicates(
    files: Iterable[LibraryFile], *, fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD
) -> list[DuplicateGroup]:
    """Exact and fuzzy duplicate groups of a library, ordered by group id."""
    contents = _contents(_physicals(files))
    slots: list[tuple[int, int | None]] = []  # (content index, episode)
    for index, content in enumerate(contents):
        parsed = content.parsed
        if parsed.extra_kind:
            continue
        if parsed.media_type == "tv":
            slots.extend((index, episode) for episode in parsed.episodes)
        else:
            slots.append((index, None))

    union = _UnionFind(len(slots))
    edges: list[tuple[int, float]] = []
    for block in _blocks(contents, slots).values():
        if len(block) > 1:
            _match_block(block, contents, slots, fuzzy_threshold, union, edges)

    weakest: dict[int, float] = {}
    for slot, confidence in edges:
        root = union.find(slot)
        weakest[root] = min(weakest.get(root, EXACT_CONFIDENCE), confidence)

    # Components keyed by their contents: the episodes of one multi-episode pair merge.
    components: dict[frozenset[int], tuple[set[int], float]] = {}
    members_by_root: dict[int, set[int]] = defaultdict(set)
    for slot, (content_index, _) in enumerate(slots):
        members_by_root[union.find(slot)].add(content_index)
    for root, content_set in members_by_root.items():
        key = frozenset(content_set)
        episodes, confidence = components.get(key, (set(), EXACT_CONFIDENCE))
        episode = slots[root][1]
        if episode is not None:
            episodes.add(episode)
        components[key] = (episodes, min(confidence, weakest.get(root, EXACT_CONFIDENCE)))
    # Copies that take no part in fuzzy matching (extras, unknown episodes) still form a group.
    with_slots = {content_index for content_index, _ in slots}
    for index, content in enumerate(contents):
        if len(content.physicals) > 1 and index not in with_slots:
            components[frozenset({index})] = (set(content.parsed.episodes), EXACT_CONFIDENCE)

    identities = sorted(
        (
            (_identity(contents, sorted(key), tuple(sorted(episodes))), confidence)
            for key, (episodes, confidence) in components.items()
            if sum(len(contents[i].physicals) for i in key) > 1
        ),
        key=lambda pair: (pair[0].key, pair[0].lowest_file_id),
    )
    groups = []
    seen: set[str] = set()
    for identity, confidence in identities:
        if identity.key in seen:
            # Two groups can share an identity (one TMDb title matched below the threshold):
            # the later one carries its lowest file id, so ids stay unique and stable.
            identity = identity.disambiguated()
        seen.add(identity.key)
        groups.append(_build_group(identity, confidence))
    return _with_savings(groups, [c for identity, _ in identities for c in identity.contents])


def _physicals(files: Iterable[LibraryFile]) -> list[_Physical]:
    by_inode: dict[tuple[int, int], list[LibraryFile]] = defaultdict(list)
    for f in files:
        if f.size > 0:  # an empty file is not a copy of anything
            by_inode[(f.device, f.inode)].append(f)
    physicals = []
    for paths in by_inode.values():
        paths.sort(key=lambda f: f.path)
        physicals.append(_Physical(paths[0], tuple(paths[1:])))
    return physicals


def _contents(physicals: list[_Physical]) -> list[_Content]:
    by_hash: dict[tuple[int, str], list[_Physical]] = defaultdict(list)
    contents = []
    for physical in physicals:
        if physical.file.md5:
            by_hash[(physical.file.size, physical.file.md5)].append(physical)
        else:
            contents.append(_Content([physical]))
    contents.extend(_Content(copies) for copies in by_hash.values())
    return contents


def _blocks(
    contents: list[_Content], slots: list[tuple[int, int | None]]
) -> dict[Hashable, list[int]]:
    blocks: dict[Hashable, list[int]] = defaultdict(list)
    for slot, (content_index, episode) in enumerate(slots):
        p = contents[content_index].parsed
        kind = (p.edition, p.is_3d, p.part)
        if p.media_type == "tv":
            blocks[("tv", p.season, episode, _first_title_token(p.title_key), kind)].append(slot)
            if p.tmdb_id is not None:
                blocks[("tv-tmdb", p.tmdb_id, p.season, episode, kind)].append(slot)
        else:
            blocks[("movie", p.year, _first_title_token(p.title_key), kind)].append(slot)
            if p.tmdb_id is not None:
                blocks[("movie-tmdb", p.tmdb_id, kind)].append(slot)
    return blocks


def _match_block(
    block: list[int],
    contents: list[_Content],
    slots: list[tuple[int, int | None]],
    threshold: float,
    union: _UnionFind,
    edges: list[tuple[int, float]],
) -> None:
    by_title: dict[str, list[int]] = defaultdict(list)
    for slot in block:
        by_title[contents[slots[slot][0]].parsed.title_key].append(slot)
    titles = list(by_title)
    scores = process.cdist(
        titles,
        titles,
        scorer=fuzz.token_sort_ratio,
        score_cutoff=max(0.0, 2 * (threshold - _OTHER_TERMS_MAX)),
        workers=1,
    )
    tmdb_ids = {
        title: {contents[slots[slot][0]].parsed.tmdb_id for slot in title_slots} - {None}
        for title, title_slots in by_title.items()
    }
    for i, title_a in enumerate(titles):
        for j in range(i, len(titles)):
            # A shared TMDb id is the title, however little the names look alike.
            if scores[i, j] <= 0 and not tmdb_ids[title_a] & tmdb_ids[titles[j]]:
                continue
            slots_a, slots_b = by_title[title_a], by_title[titles[j]]
            for x, slot_a in enumerate(slots_a):
                for slot_b in slots_a[x + 1 :] if i == j else slots_b:
                    a = contents[slots[slot_a][0]].parsed
                    b = contents[slots[slot_b][0]].parsed
                    same_tmdb = a.tmdb_id is not None and a.tmdb_id == b.tmdb_id
                    if scores[i, j] <= 0 and not same_tmdb:
                        continue
                    confidence = match_confidence(
                        a, b, title_score=100.0 if same_tmdb else float(scores[i, j])
                    )
                    if confidence >= threshold:
                        union.union(slot_a, slot_b)
                        edges.append((slot_a, confidence))


def _most_common(values: Iterable[object]) -> object:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], str(v)))


@dataclass(frozen=True, slots=True)
class _Identity:
    """What a group is about; ``key`` is what its stable id is derived from."""

    key: str
    group_type: GroupType
    show_name: str
    year: int | None
    episodes: tuple[int, ...]
    contents: tuple[_Content, ...]

    @property
    def lowest_file_id(self) -> int:
        return min(p.file.file_id for c in self.contents for p in c.physicals)

    def disambiguated(self) -> _Identity:
        return replace(self, key=f"{self.key}#{self.lowest_file_id}")


def _identity(contents: list[_Content], indexes: list[int], episodes: tuple[int, ...]) -> _Identity:
    chosen = [contents[i] for i in indexes]
    parses = [c.parsed for c in chosen]
    first = parses[0]
    tmdb_id = _most_common(p.tmdb_id for p in parses)
    if tmdb_id is not None:
        title_part = f"tmdb:{tmdb_id}"
        named = next(p for p in parses if p.tmdb_id == tmdb_id)
    else:
        title_key = _most_common(p.title_key for p in parses)
        title_part = f"title:{title_key}"
        named = next(p for p in parses if p.title_key == title_key)
    year = _most_common(p.year for p in parses)
    key = "|".join(
        str(part)
        for part in (
            first.media_type,
            title_part,
            year,
            first.season,
            ",".join(map(str, episodes)),
            first.edition,
            first.is_3d,
            first.part,
            first.extra_kind,
        )
    )
    return _Identity(
        key=key,
        group_type="exact" if len(chosen) == 1 else "fuzzy",
        show_name=named.title,
        year=year if isinstance(year, int) else None,
        episodes=episodes,
        contents=tuple(chosen),
    )


def _build_group(identity: _Identity, confidence: float) -> DuplicateGroup:
    group_id = stable_id("duplicate_group", identity.group_type, identity.key)
    physicals = [p for c in identity.contents for p in c.physicals]
    first = identity.contents[0].parsed
    return DuplicateGroup(
        id=group_id,
        group_type=identity.group_type,
        confidence_score=confidence,
        media_type=first.media_type,
        show_name=identity.show_name,
        season_number=first.season,
        episode_number=identity.episodes[0] if identity.episodes else None,
        year=identity.year,
        file_count=len(physicals),
        total_size=sum(p.file.size for p in physicals),
        potential_savings=0,
        members=_members(group_id, physicals),
        episodes=identity.episodes,
        identity_key=identity.key,
    )


def _members(group_id: int, physicals: list[_Physical]) -> tuple[GroupMember, ...]:
    # Scored here, for group members only: most of a library is in no group.
    scores = {p.file.file_id: calculate_quality_score(p.file.probe) for p in physicals}
    by_quality = sorted(physicals, key=lambda p: _quality_order_key(p.file, scores[p.file.file_id]))
    by_size = sorted(physicals, key=lambda p: (-p.file.size, p.file.path))
    size_rank = {p.file.file_id: rank for rank, p in enumerate(by_size, 1)}
    return tuple(
        GroupMember(
            id=stable_id("duplicate_member", str(group_id), str(p.file.file_id)),
            group_id=group_id,
            file_id=p.file.file_id,
            quality_rank=rank,
            quality_score=scores[p.file.file_id],
            size_rank=size_rank[p.file.file_id],
            linked_file_ids=tuple(link.file_id for link in p.links),
        )
        for rank, p in enumerate(by_quality, 1)
    )


def _with_savings(groups: list[DuplicateGroup], contents: list[_Content]) -> list[DuplicateGroup]:
    """Seed 002's potential_savings: the bytes freed by keeping only each group's best file.

    A file counts once, in its first group, and only when it is the best of none of its groups,
    every episode it holds has a group, and all its hardlinks are staged with it.
    """
    known = {p.file.file_id: (p, c.parsed) for c in contents for p in c.physicals}
    groups_of: dict[int, list[DuplicateGroup]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            groups_of[m.file_id].append(g)
    best = {g.members[0].file_id for g in groups}
    savings: Counter[int] = Counter()
    for file_id, its_groups in groups_of.items():
        physical, parsed = known[file_id]
        covered = {e for g in its_groups for e in g.episodes}
        if file_id in best or not set(parsed.episodes) <= covered:
            continue
        first = min(its_groups, key=lambda g: (g.episodes, g.id))
        savings[first.id] += physical.freeable_bytes
    return sorted((replace(g, potential_savings=savings[g.id]) for g in groups), key=lambda g: g.id)


@dataclass(frozen=True, slots=True)
class ManualGroup:
    """Files a person grouped as duplicates (the review store's manual_groups)."""

    id: int  # its duplicate group id: manual_group_id of its files
    file_ids: frozenset[int]


def manual_group_id(file_ids: Iterable[int]) -> int:
    """A manual group's stable duplicate group id: the same files give the same id."""
    return stable_id("duplicate_group", "manual", ",".join(map(str, sorted(set(file_ids)))))


def with_manual_groups(
    groups: Iterable[DuplicateGroup], files: Iterable[LibraryFile], manual: Iterable[ManualGroup]
) -> list[DuplicateGroup]:
    """The analysis' groups with the groups people made, ordered by group id.

    A manual group takes in every found group that shares a file with it: their members join
    it and it replaces them (a person said these files are one title, so the copies found of
    any of them are copies of it too). A file is in one manual group at most (the review store
    refuses a second); manual groups that take in one found group become one, under the lowest
    id. Files no longer in the library are left out, and a manual group left with fewer than
    two physical files (hardlinks are one) is no group. Its episodes are those
    every member holds, so a multi-episode file is only staged when other groups keep the rest.
    """
    found = list(groups)
    by_id = {f.file_id: f for f in files}
    clusters: list[tuple[int, set[int]]] = []  # (group id, file ids)
    for group in sorted(manual, key=lambda g: g.id):
        present = {i for i in group.file_ids if i in by_id}
        wanted = present.union(
            *(_member_file_ids(g) for g in found if present & _member_file_ids(g))
        )
        # Manual groups that took in one found group are one group now.
        joined = [c for c in clusters if c[1] & wanted]
        for cluster in joined:
            clusters.remove(cluster)
        clusters.append(
            (min([group.id, *(c[0] for c in joined)]), wanted.union(*(c[1] for c in joined)))
        )
    grouped = set().union(*(c[1] for c in clusters))
    made = []
    for group_id, file_ids in clusters:
        physicals = _physicals(by_id[i] for i in file_ids)
        if len(physicals) >= 2:
            made.append(_manual_group(group_id, physicals))
    kept = [g for g in found if not _member_file_ids(g) & grouped]
    return sorted(kept + made, key=lambda g: g.id)


def _member_file_ids(group: DuplicateGroup) -> set[int]:
    return {i for m in group.members for i in (m.file_id, *m.linked_file_ids)}


def _manual_group(group_id: int, physicals: list[_Physical]) -> DuplicateGroup:
    parses = [_with_tmdb_id(p.file) for p in physicals]
    media_type = _most_common(p.media_type for p in parses)
    same_type = [p for p in parses if p.media_type == media_type]
    # Named after its best-known member: TMDb-matched first, then one with a year.
    named = min(same_type, key=lambda p: (p.tmdb_id is None, p.year is None, p.title))
    episodes = tuple(sorted(set.intersection(*(set(p.episodes) for p in parses))))
    seasons = {p.season for p in parses}
    year = _most_common(p.year for p in same_type)
    return DuplicateGroup(
        id=group_id,
        group_type="manual",
        confidence_score=EXACT_CONFIDENCE,  # a person vouched for it
        media_type=named.media_type,
        show_name=named.title,
        season_number=seasons.pop() if len(seasons) == 1 else None,
        episode_number=episodes[0] if episodes else None,
        year=year if isinstance(year, int) else None,
        file_count=len(physicals),
        total_size=sum(p.file.size for p in physicals),
        potential_savings=0,  # the plan fills in what its rows free
        members=_members(group_id, physicals),
        episodes=episodes,
        identity_key=f"manual:{group_id}",
    )
