"""The deletion plan (seed 000's pending_deletions): per group, what to keep and what to stage.

Every group keeps at least one file; every other file gets a row with a category, a confidence,
a review flag and a reason written for a person. Files kept on purpose where a rule could have
proposed them get a ``KeepNote`` instead (seed 000's "foreign_film (KEEP, not delete)" reasons).

Language classes (from ``languages.language_facts``, untagged audio taking the TMDb original
language; an English sidecar subtitle counts as English subtitles):

- english: has English audio;
- foreign: no English audio but English subtitles, or the film's non-English original language
  (``is_foreign_film``) — seed 000 rule 3's "DO NOT auto-delete";
- other: neither (a dub without English subtitles, or audio in an unknown language).

Keepers, per group, among healthy files (all files when every copy is corrupt):

- the best English-audio file (rule 3: kept over a better non-English one);
- the best foreign version as well: seed 000 says foreign films are kept "regardless" and never
  auto-deleted, and rule 3 says "keep higher quality version" — so when a group holds Parasite in
  Korean with English subtitles and an English dub, both stay: the original as the foreign film,
  the dub because it is the only English audio (it is never staged while it is). The one of them
  with the better quality is the primary (canonical) file;
- when neither exists, the best non-English file ("Only available version is non-English").
- a corrupt file that is the group's only English audio is kept too (a damaged English copy is
  more than none), as is a multi-episode file unless kept files cover every episode it holds.

Everything else is proposed, compared with the keeper of its own class:

- same MD5 as a keeper → duplicate_exact; certain when both have English audio (rule 1),
  otherwise review;
- corrupt (probe integrity or probe error) beside a healthy keeper → corrupted;
- same class, different content → lower_quality, or duplicate_fuzzy when the names only matched
  fuzzily (different titles and no TMDb id both are surely known by, an ID tag or a decisive
  match: review, since "Star Trek" and "Star Trek TNG" match as well as "RedDwarf TVLab" and
  "RedDwarf"). Rule 2: a difference under the review
  threshold needs review (uncertain), otherwise certain; with 3+ files rule 4 sets the confidence
  (certain above 10 points, review_recommended at or below). Foreign versions always need review;
  groups with only non-English versions need review and say so;
- non-English without English subtitles beside an English keeper → wrong_language, certain,
  unless the deleted file is better by more than the language override threshold (100 points):
  then review, uncertain. Audio in an unknown language is never certain. Beside a foreign
  version only (no English audio anywhere) it needs review;
- whatever the category, review when the deleted file is the only one with English subtitles,
  or when the running times differ by more than PAL speed-up explains (an unlabelled cut, or
  another show of the same name), or when only a low-confidence TMDb match makes the two one
  title. The reason says when a TMDb id made differently named files one title.

Rows of a manual group (one a person made) always need review and are never auto-approved.

Auto-approval only when the policy enables it, for lower_quality rows between English-audio files
whose difference is over the auto-approve threshold and that need no review (seed 000: "Auto-approve
if quality difference > 50 points AND language matches"); never for foreign films.

Hardlinks: the keeper's other paths are the kept file and are never proposed. A proposed file is
proposed with all its paths (one row each); bytes_freed is its size on one row only when every link
is in the inventory, otherwise 0. A file in several groups (a multi-episode file) gets one row.

Reasons are plain text in the style of seed 000's examples: file names are untrusted, so control
and format characters are replaced, and nothing is markup (seed 000's "**REQUIRES REVIEW**" is
written "REQUIRES REVIEW:").
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from os import PathLike, fspath
from pathlib import PurePosixPath
from typing import Literal

from babelfish import Error as BabelfishError
from babelfish import Language

from mediavault_assets.domain.curation import REJECTED, preferred_by_rating, rating_sentence
from mediavault_assets.domain.grouping import (
    DEFAULT_FUZZY_THRESHOLD,
    DuplicateGroup,
    GroupMember,
    identity_basis,
    match_confidence,
    tmdb_title_id,
)
from mediavault_assets.domain.languages import (
    UNDETERMINED,
    LanguageFacts,
    language_facts,
)
from mediavault_assets.domain.model import LibraryFile, MediaType, stable_id
from mediavault_assets.domain.quality import (
    audio_channels_text,
    bitrate_text,
    codec_display,
    quality_tier,
    resolution_text,
)

DeletionCategory = Literal[
    "duplicate_exact", "duplicate_fuzzy", "lower_quality", "wrong_language", "corrupted"
]
DecisionConfidence = Literal["certain", "review_recommended", "uncertain"]
KeepCategory = Literal[
    "foreign_film", "english_audio", "only_non_english", "other_episodes", "runs_longer"
]
LanguageClass = Literal["english", "foreign", "other"]

# Rule 4: with 3+ copies a ranking over 10 points apart is certain.
RULE4_CERTAIN_DIFFERENCE = 10.0
# Running times of two versions may differ by PAL speed-up (4 %) or a few seconds of logos.
RUNTIME_TOLERANCE = 0.05
RUNTIME_TOLERANCE_SECONDS = 120.0
# A file is never staged in favour of one that runs less than half as long: that is an extra, a
# sample or one part of a stack, not another copy of it.
MUCH_SHORTER = 0.5
_MAX_ERROR_TEXT = 160


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    """The plan's knobs (settings: review_quality_difference, auto_approve_quality_difference,
    auto_approve_enabled, fuzzy_match_threshold); the language override is seed 000's 100."""

    review_threshold: float = 20.0
    auto_approve_threshold: float = 50.0
    auto_approve_enabled: bool = False
    language_override_threshold: float = 100.0
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A row of seed 000's pending_deletions (the decision columns belong to the review store)."""

    id: int
    file_id: int
    duplicate_group_id: int
    original_filepath: str
    staging_relative_path: str  # "{root_key}/{relative_path}": unique across roots
    media_type: MediaType
    deletion_reason: str
    deletion_category: DeletionCategory
    kept_file_id: int
    kept_file_quality_score: float
    deleted_file_quality_score: float
    quality_difference: float  # positive: the kept file is better
    audio_languages: tuple[str, ...]
    subtitle_languages: tuple[str, ...]
    has_english_audio: bool
    has_english_subtitles: bool
    is_foreign_film: bool
    decision_confidence: DecisionConfidence
    requires_manual_review: bool
    auto_approved: bool
    bytes_freed: int


@dataclass(frozen=True, slots=True)
class KeepNote:
    """Why a file a rule could have proposed is kept (seed 000's foreign_film KEEP reasoning)."""

    id: int
    file_id: int
    duplicate_group_id: int
    original_filepath: str
    category: KeepCategory
    reason: str
    audio_languages: tuple[str, ...]
    subtitle_languages: tuple[str, ...]
    has_english_audio: bool
    has_english_subtitles: bool
    is_foreign_film: bool


@dataclass(frozen=True, slots=True)
class DeletionPlan:
    rows: tuple[PlanRow, ...]
    keep_notes: tuple[KeepNote, ...]
    # The input groups with primary_file_id, is_primary and potential_savings (the bytes this
    # plan's rows free) filled in.
    groups: tuple[DuplicateGroup, ...]


def file_languages(file: LibraryFile) -> LanguageFacts:
    """Seed 000's language facts of a file, its subtitle sidecars included."""
    sidecar_subtitles = tuple(
        s.language for s in file.sidecars if s.kind == "subtitle" and s.language
    )
    return language_facts(
        file.probe.audio_languages,
        file.probe.subtitle_languages + sidecar_subtitles,
        file.original_language,
    )


def language_class(facts: LanguageFacts) -> LanguageClass:
    if facts.has_english_audio:
        return "english"
    if facts.is_foreign_film or facts.has_english_subtitles:
        return "foreign"
    return "other"


def is_corrupt(file: LibraryFile) -> bool:
    return bool(file.probe.integrity_error or file.probe.probe_error)


def staging_path(
    staging_root: str | PathLike[str], media_type: str, day: date, relative_path: str
) -> str:
    """Seed 000's staging layout: ``{staging_root}/{media_type}/{date}/{relative path}``.

    ``relative_path`` must stay inside the staging folder: no absolute path, no "..", no empty
    or NUL-containing name. Pass ``PlanRow.staging_relative_path`` so two roots never collide.
    """
    if media_type not in ("tv", "movie"):
        raise ValueError(f"unknown media type {media_type!r}")
    root = fspath(staging_root)
    if not root.startswith("/"):
        raise ValueError("staging root must be an absolute path")
    if not relative_path or relative_path.startswith("/") or "\x00" in relative_path:
        raise ValueError(f"not a relative path: {relative_path!r}")
    parts = relative_path.split("/")
    if any(part in ("", "..") for part in parts):
        raise ValueError(f"relative path must not contain '..' or empty parts: {relative_path!r}")
    return str(PurePosixPath(root, media_type, day.isoformat(), *parts))


@dataclass(frozen=True, slots=True)
class _Candidate:
    member: GroupMember
    file: LibraryFile
    facts: LanguageFacts
    language: LanguageClass
    healthy: bool

    @property
    def score(self) -> float:
        return self.member.quality_score


@dataclass(frozen=True, slots=True)
class _Proposal:
    """A file a group would stage, before the plan checks the file's other groups."""

    group: DuplicateGroup
    candidate: _Candidate
    kept: _Candidate
    category: DeletionCategory
    confidence: DecisionConfidence
    review: bool
    auto_approved: bool
    reason: str
    doubt: str | None = None  # why a member's identity is uncertain (see _with_path_identity_check)


@dataclass(slots=True)
class _GroupDecision:
    group: DuplicateGroup
    keepers: list[_Candidate]
    primary: _Candidate
    proposals: list[_Proposal]
    notes: list[KeepNote]


def plan_deletions(
    groups: Iterable[DuplicateGroup],
    files: Mapping[int, LibraryFile] | Iterable[LibraryFile],
    policy: PlanPolicy | None = None,
) -> DeletionPlan:
    """The deletion plan for duplicate groups; ``files`` must hold every member and hardlink."""
    policy = policy or PlanPolicy()
    by_id = files if isinstance(files, Mapping) else {f.file_id: f for f in files}
    decisions = [_decide_group(group, by_id, policy) for group in groups]

    kept_ids = {k.file.file_id for d in decisions for k in d.keepers}
    proposals_by_file: dict[int, list[_Proposal]] = defaultdict(list)
    for decision in decisions:
        for proposal in decision.proposals:
            if proposal.candidate.file.file_id in kept_ids:
                decision.notes.append(_kept_for_other_group_note(proposal, decisions))
            else:
                proposals_by_file[proposal.candidate.file.file_id].append(proposal)

    rows: list[PlanRow] = []
    notes = [note for d in decisions for note in d.notes]
    for proposals in proposals_by_file.values():
        uncovered = _uncovered_episodes(proposals)
        if uncovered:
            notes.append(_multi_episode_note(proposals[0], uncovered))
            continue
        # One row per file: the strongest reason (an exact copy), else its first episode's group.
        chosen = min(
            proposals,
            key=lambda p: (p.category != "duplicate_exact", p.group.episodes, p.group.id),
        )
        # A file in a group with an uncertain identity is decided by a person, whichever of
        # its groups gives the row.
        doubt = next((p.doubt for p in proposals if p.doubt), None)
        if doubt and not chosen.doubt:
            chosen = _with_doubt(chosen, doubt)
        rows.extend(_rows(chosen, proposals, by_id))

    freed: dict[int, int] = defaultdict(int)
    for row in rows:
        freed[row.duplicate_group_id] += row.bytes_freed
    planned_groups = tuple(
        replace(
            d.group,
            primary_file_id=d.primary.file.file_id,
            potential_savings=freed[d.group.id],
            members=tuple(
                replace(m, is_primary=m.file_id == d.primary.file.file_id) for m in d.group.members
            ),
        )
        for d in decisions
    )
    return DeletionPlan(tuple(rows), tuple(notes), planned_groups)


def _decide_group(
    group: DuplicateGroup, files: Mapping[int, LibraryFile], policy: PlanPolicy
) -> _GroupDecision:
    candidates = []
    for member in group.members:  # best quality first
        file = files[member.file_id]
        facts = file_languages(file)
        candidates.append(
            _Candidate(member, file, facts, language_class(facts), healthy=not is_corrupt(file))
        )
    # A person's ratings reorder the choice of keeper (seed 001): see preferred_by_rating.
    order = preferred_by_rating(
        {c.file.file_id: c.file.user_score for c in candidates},
        {c.file.file_id: c.score for c in candidates},
        [c.file.file_id for c in candidates],
        policy.review_threshold,
    )
    preference = {file_id: index for index, file_id in enumerate(order)}
    candidates.sort(key=lambda c: preference[c.file.file_id])
    healthy = [c for c in candidates if c.healthy]
    pool = healthy or candidates
    best = {
        cls: next((c for c in pool if c.language == cls), None)
        for cls in ("english", "foreign", "other")
    }
    keepers = [c for c in (best["english"], best["foreign"]) if c is not None] or [pool[0]]
    if healthy and best["english"] is None:
        damaged_english = next((c for c in candidates if c.language == "english"), None)
        if damaged_english is not None:
            keepers.append(damaged_english)
    primary = min(keepers, key=lambda c: (not c.healthy, preference[c.file.file_id]))

    decision = _GroupDecision(group, keepers, primary, [], [])
    decision.notes.extend(_keeper_notes(decision, candidates))
    kept_ids = {k.file.file_id for k in keepers}
    redundant_ranks = [c.member.quality_rank for c in candidates if c.file.file_id not in kept_ids]
    for candidate in candidates:
        if candidate.file.file_id not in kept_ids:
            proposal = _with_manual_grouping(
                _with_watching(
                    _with_rating(
                        _with_path_identity_check(
                            _propose(decision, candidate, best, redundant_ranks, policy),
                            candidates,
                        ),
                        policy,
                    )
                )
            )
            if runs_much_shorter(proposal.kept.file, candidate.file):
                decision.notes.append(_runs_longer_note(proposal))
            else:
                decision.proposals.append(proposal)
    return decision


def runs_much_shorter(kept: LibraryFile, other: LibraryFile) -> bool:
    """Whether `kept` runs less than half as long as `other` (both durations known)."""
    a, b = kept.probe.duration, other.probe.duration
    return bool(a and b and a < MUCH_SHORTER * b)


def _runs_longer_note(proposal: _Proposal) -> KeepNote:
    kept, c = proposal.kept, proposal.candidate
    longer, shorter = c.file.probe.duration or 0, kept.file.probe.duration or 0
    reason = (
        f"KEEP: {_quoted(c.file.filename)} runs {_duration(longer)}, more than twice as long as "
        f"{_quoted(kept.file.filename)} ({_duration(shorter)}): the shorter file is an extra, "
        "a sample or one part, not a copy of it."
    )
    return _note(proposal.group, c, "runs_longer", reason)


def _propose(
    decision: _GroupDecision,
    candidate: _Candidate,
    best: Mapping[str, _Candidate | None],
    redundant_ranks: list[int],
    policy: PlanPolicy,
) -> _Proposal:
    group = decision.group
    exact = next((k for k in decision.keepers if _same_content(k.file, candidate.file)), None)
    if exact is not None:
        return _exact_proposal(group, candidate, exact)
    same_class = next((k for k in decision.keepers if k.language == candidate.language), None)
    if not candidate.healthy:
        return _with_tmdb_identity_check(
            _corrupted_proposal(group, candidate, same_class or decision.primary)
        )
    if same_class is not None:
        proposal = _quality_proposal(group, candidate, same_class, redundant_ranks, policy)
    else:
        kept = best["english"] or best["foreign"] or decision.primary
        proposal = _wrong_language_proposal(group, candidate, kept, policy)
    return _with_tmdb_identity_check(_with_name_check(_with_runtime_check(proposal)))


def _with_rating(proposal: _Proposal, policy: PlanPolicy) -> _Proposal:
    """Say where a person's rating decided; a rated file is never staged automatically."""
    kept, c = proposal.kept.file, proposal.candidate.file
    if not (kept.user_score or c.user_score):
        return proposal
    parts = [proposal.reason]
    review = proposal.review
    if c.user_score == REJECTED:
        parts.append(f"{rating_sentence(REJECTED, 'this copy')}: it is proposed first.")
    elif c.user_score:
        parts.append(f"{rating_sentence(c.user_score, 'this copy')}: a person decides.")
        review = True
    better_by = round(proposal.candidate.score - proposal.kept.score, 2)
    if kept.user_score > max(c.user_score, 0) and better_by > 0:
        parts.append(
            f"{rating_sentence(kept.user_score, 'the kept copy')}: it is kept although it "
            f"scores {better_by:.1f} points below this one (within "
            f"{policy.review_threshold:g} points, a rating decides)."
        )
        review = True
    elif kept.user_score > 0:
        parts.append(f"{rating_sentence(kept.user_score, 'the kept copy')}.")
    confidence: DecisionConfidence = (
        "review_recommended" if review and proposal.confidence == "certain" else proposal.confidence
    )
    return replace(
        proposal,
        reason=_join(*parts),
        review=review,
        confidence=confidence,
        auto_approved=False,
    )


def _with_watching(proposal: _Proposal) -> _Proposal:
    """A file watched lately or whose title is on a watch plan is someone's to decide: never
    staged automatically, and the reason says which watch."""
    note = proposal.candidate.file.watch_note
    if note is None:
        return proposal
    return replace(
        proposal,
        reason=_join(proposal.reason, f"{note}: a person decides."),
        review=True,
        confidence="review_recommended"
        if proposal.confidence == "certain"
        else proposal.confidence,
        auto_approved=False,
    )


def _with_manual_grouping(proposal: _Proposal) -> _Proposal:
    """A group a person made is their claim that the files are one title, not the rules': every
    row of it is theirs to confirm (never certain, never auto-approved)."""
    if proposal.group.group_type != "manual":
        return proposal
    return replace(
        proposal,
        reason=_join(proposal.reason, "Grouped by hand: a person confirms before it is staged."),
        review=True,
        auto_approved=False,
        confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
    )


def _with_tmdb_identity_check(proposal: _Proposal) -> _Proposal:
    """Say when a TMDb id made two differently named files one title; a low-confidence match
    alone never decides: a person confirms (never certain, never auto-approved)."""
    kept, c = proposal.kept.file, proposal.candidate.file
    basis = identity_basis(kept, c)
    if basis == "names":
        return proposal
    tmdb_id = tmdb_title_id(kept)
    names = f"{_quoted(kept.filename)} and {_quoted(c.filename)}"
    if basis == "tmdb":
        if (kept.parsed.title_key, kept.parsed.year) == (c.parsed.title_key, c.parsed.year):
            return proposal
        return replace(
            proposal,
            reason=_join(
                proposal.reason, f"Same title by TMDb id {tmdb_id}, although the names differ."
            ),
        )
    weakest = min(
        (f.tmdb_match.confidence for f in (kept, c) if f.tmdb_match is not None), default=0.0
    )
    return replace(
        proposal,
        reason=_join(
            proposal.reason,
            f"{names} are one title only by a low-confidence TMDb match (id {tmdb_id}, "
            f"{weakest:.0%}): check they are the same "
            f"{'episode' if proposal.group.media_type == 'tv' else 'movie'}.",
        ),
        review=True,
        auto_approved=False,
        confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
    )


def _with_name_check(proposal: _Proposal) -> _Proposal:
    """A name read without guessit (it failed or timed out) or with no title in it is a guess:
    only the bytes (an exact match) or a person may decide on it."""
    errors = [
        f"{_quoted(c.file.filename)}: {_safe(c.file.parsed.parse_error or '')}"
        for c in (proposal.kept, proposal.candidate)
        if c.file.parsed.parse_error
    ]
    if not errors:
        return proposal
    return replace(
        proposal,
        reason=_join(proposal.reason, f"Name read with low confidence ({'; '.join(errors)})."),
        review=True,
        auto_approved=False,
        confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
    )


def _with_path_identity_check(proposal: _Proposal, members: list[_Candidate]) -> _Proposal:
    """A group holding a file whose path leaves its identity uncertain (folder and file name
    disagree, an episode without a season) is only a suggestion: a person decides every row."""
    doubts = [
        f"{_quoted(c.file.filename)}: {_safe(c.file.parsed.identity_doubt or '')}"
        for c in members
        if c.file.parsed.identity_doubt
    ]
    return _with_doubt(proposal, "; ".join(doubts)) if doubts else proposal


def _with_doubt(proposal: _Proposal, doubt: str) -> _Proposal:
    return replace(
        proposal,
        reason=_join(proposal.reason, f"REQUIRES REVIEW: identity uncertain ({doubt})."),
        review=True,
        auto_approved=False,
        confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
        doubt=doubt,
    )


def _with_runtime_check(proposal: _Proposal) -> _Proposal:
    """Versions of one movie or episode run as long as each other (PAL speed-up is 4 %). A bigger
    gap means an unlabelled cut or a different show with the same name: a person decides."""
    a, b = proposal.kept.file.probe.duration, proposal.candidate.file.probe.duration
    if not a or not b:
        # Without both running times nothing shows the two are the same cut: a person checks.
        return replace(
            proposal,
            reason=_join(
                proposal.reason, "Running time unknown for one of the files: check they match."
            ),
            review=True,
            auto_approved=False,
            confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
        )
    tolerance = max(RUNTIME_TOLERANCE_SECONDS, RUNTIME_TOLERANCE * max(a, b))
    if abs(a - b) <= tolerance:
        return proposal
    what = "episode" if proposal.group.media_type == "tv" else "cut of the movie"
    return replace(
        proposal,
        reason=_join(
            proposal.reason,
            f"Running times differ ({_duration(a)} kept, {_duration(b)} deleted): "
            f"check it is the same {what}.",
        ),
        review=True,
        auto_approved=False,
        confidence="uncertain" if proposal.confidence == "uncertain" else "review_recommended",
    )


def _same_content(a: LibraryFile, b: LibraryFile) -> bool:
    return a.md5 is not None and a.md5 == b.md5 and a.size == b.size


def _exact_proposal(group: DuplicateGroup, c: _Candidate, kept: _Candidate) -> _Proposal:
    reason = (
        f"Exact MD5 match ({_safe(kept.file.md5 or '')[:12]}). Files are byte-for-byte identical. "
        f"Keeping {_safe(kept.file.path)}, deleting duplicate at {_safe(c.file.path)}."
    )
    both_english = c.language == kept.language == "english"
    suffix = _class_caveat(c)
    extra_subtitles = _only_deleted_has_english_subtitles(c, kept)
    review = not both_english or bool(extra_subtitles)
    return _Proposal(
        group,
        c,
        kept,
        "duplicate_exact",
        "review_recommended" if review else "certain",
        review,
        False,  # rule 1 has no quality difference to clear the auto-approve threshold
        _join(reason, suffix, extra_subtitles),
    )


def _corrupted_proposal(group: DuplicateGroup, c: _Candidate, kept: _Candidate) -> _Proposal:
    problem = _problem(c.file)
    name = _quoted(c.file.filename)
    if not kept.healthy:
        reason = _join(
            f"Deleted corrupted file {name} ({_error(problem)}).",
            f"The kept copy {_version(kept)} reports errors too ({_error(_problem(kept.file))}).",
            "Review before deleting.",
        )
        confidence: DecisionConfidence = "uncertain"
    elif c.file.probe.integrity_error and c.file.probe.duration and kept.file.probe.duration:
        # Certain only with both running times: damage that hides the duration (an MP4 cut
        # before its index) leaves nothing to show it is the same cut as the keeper.
        reason = _join(
            f"Deleted corrupted file {name} ({_error(problem)}).",
            f"Kept healthy copy {_version(kept)}.",
        )
        confidence = "certain"
    else:
        reason = _join(
            f"Deleted unreadable file {name} (could not be probed: {_error(problem)}).",
            f"Kept healthy copy {_version(kept)}.",
            "Check that it really does not play before deleting.",
        )
        confidence = "review_recommended"
    return _Proposal(
        group, c, kept, "corrupted", confidence, confidence != "certain", False, reason
    )


def _quality_proposal(
    group: DuplicateGroup,
    c: _Candidate,
    kept: _Candidate,
    redundant_ranks: list[int],
    policy: PlanPolicy,
) -> _Proposal:
    diff = round(kept.score - c.score, 2)
    review = diff < policy.review_threshold
    confidence: DecisionConfidence
    if group.file_count >= 3:
        confidence = "certain" if diff > RULE4_CERTAIN_DIFFERENCE else "review_recommended"
    else:
        confidence = "uncertain" if review else "certain"
    parts: list[str] = []
    if group.file_count >= 3 and kept.member.quality_rank == 1:
        parts.append(_rule4_text(group.file_count, redundant_ranks))

    fuzzy = not _same_title(kept.file, c.file)
    if fuzzy:
        pair = match_confidence(kept.file.parsed, c.file.parsed) or group.confidence_score
        parts.append(
            f"{_label(group)} (fuzzy match {pair:.0f}% confidence): "
            f"Kept {_quoted(kept.file.filename)} ({_brief(kept)}), "
            f"deleted {_quoted(c.file.filename)} ({_brief(c)}). "
            f"Quality difference: {diff:+.1f} points."
        )
        parts.append(
            f"Names differ ({_quoted(kept.file.parsed.title)} vs {_quoted(c.file.parsed.title)}): "
            f"check they are the same {'episode' if group.media_type == 'tv' else 'movie'}."
        )
        review = True
        confidence = "uncertain" if confidence == "uncertain" else "review_recommended"
    else:
        parts.append(
            f"Kept {_version(kept)}. Deleted {_version(c)}. Quality difference: {diff:+.1f} points."
        )
    parts.append(_differences(kept, c))
    if diff < policy.review_threshold:
        parts.append(
            f"Quality difference under {policy.review_threshold:g} points: compare before deleting."
        )
    caveat = _class_caveat(c)
    if caveat:
        parts.append(caveat)
        review = True
        confidence = "uncertain" if c.language == "other" else "review_recommended"
    extra_subtitles = _only_deleted_has_english_subtitles(c, kept)
    if extra_subtitles:
        parts.append(extra_subtitles)
        review = True
    auto = (
        policy.auto_approve_enabled
        and not fuzzy
        and not review
        and c.language == kept.language == "english"
        and diff > policy.auto_approve_threshold
    )
    category: DeletionCategory = "duplicate_fuzzy" if fuzzy else "lower_quality"
    return _Proposal(group, c, kept, category, confidence, review, auto, _join(*parts))


def _wrong_language_proposal(
    group: DuplicateGroup, c: _Candidate, kept: _Candidate, policy: PlanPolicy
) -> _Proposal:
    diff = round(kept.score - c.score, 2)
    audio = _language_list(c.facts.audio_languages)
    name = _quoted(c.file.filename)
    known = [a for a in c.facts.audio_languages if a != UNDETERMINED]
    if kept.language != "english":
        reason = _join(
            f"Deleted {_language_names(known)} audio version {name} (audio: {audio}; "
            "no English audio, no English subtitles).",
            f"Kept {_version(kept, 'original-language')} with English subtitles.",
            f"Quality difference: {diff:+.1f} points.",
            "Only available versions are non-English: review before deleting.",
        )
        return _Proposal(
            group, c, kept, "wrong_language", "review_recommended", True, False, reason
        )
    if not known:
        reason = _join(
            f"Deleted {name} (audio language untagged, no English subtitles).",
            f"Kept {_version(kept, 'English')}.",
            f"Quality difference: {diff:+.1f} points.",
            "Audio language unknown: confirm it is not English before deleting.",
        )
        return _Proposal(group, c, kept, "wrong_language", "uncertain", True, False, reason)
    if -diff > policy.language_override_threshold:
        reason = _join(
            f"REQUIRES REVIEW: Deleting higher quality file {name} ({_tier(c)}) because it lacks "
            f"English audio (audio: {audio}).",
            f"Lower quality {_quoted(kept.file.filename)} ({_tier(kept)}) has English.",
            f"Quality difference: {diff:+.1f} points. Confidence: uncertain.",
        )
        return _Proposal(group, c, kept, "wrong_language", "uncertain", True, False, reason)
    better = ", which also has better quality" if diff > 0 else ""
    reason = _join(
        f"Deleted {_language_names(known)} audio version {name} (audio: {audio}; "
        "no English audio, no English subtitles). Not a foreign film.",
        f"Kept {_version(kept, 'English')}{better}.",
        f"Quality difference: {diff:+.1f} points.",
    )
    return _Proposal(group, c, kept, "wrong_language", "certain", False, False, reason)


def _keeper_notes(decision: _GroupDecision, candidates: list[_Candidate]) -> list[KeepNote]:
    group, notes = decision.group, []
    for keeper in decision.keepers:
        if keeper.language == "foreign":
            notes.append(_note(group, keeper, "foreign_film", _foreign_film_text(group, keeper)))
        elif keeper.language == "english" and (
            keeper is not decision.primary or not keeper.healthy
        ):
            damaged = (
                f" although it reports errors ({_error(_problem(keeper.file))})"
                if not keeper.healthy
                else ""
            )
            text = (
                f"Kept {_version(keeper)}{damaged}: it is the English-audio version of "
                f"{_label(group)}, kept beside {_quoted(decision.primary.file.filename)}."
            )
            notes.append(_note(group, keeper, "english_audio", text))
        elif keeper.language == "other":
            others = sum(1 for c in candidates if c.language == "other")
            text = _join(
                "Only available version is non-English "
                f"(audio: {_language_list(keeper.facts.audio_languages)}).",
                f"Kept {_version(keeper)}, the best of {others}; other copies need review.",
            )
            notes.append(_note(group, keeper, "only_non_english", text))
    return notes


def _foreign_film_text(group: DuplicateGroup, keeper: _Candidate) -> str:
    known = [a for a in keeper.facts.audio_languages if a != UNDETERMINED]
    language = _language_names(known)
    if group.media_type == "movie" and group.year:
        title = f"{_safe(group.show_name)} ({language}, {group.year})"
    else:
        title = f"{_label(group)} ({language})"
    if keeper.facts.has_english_subtitles:
        return (
            f"Foreign film detected: {title}. Has English subtitles. "
            f"Keeping {_quoted(keeper.file.filename)} despite non-English audio."
        )
    return (
        f"Original language version of {language} film: {title}, {_quoted(keeper.file.filename)}. "
        "Marked is_foreign_film=true. Will not auto-delete."
    )


def _kept_for_other_group_note(proposal: _Proposal, decisions: list[_GroupDecision]) -> KeepNote:
    file_id = proposal.candidate.file.file_id
    kept_in = next(d.group for d in decisions if any(k.file.file_id == file_id for k in d.keepers))
    text = (
        f"Kept {_quoted(proposal.candidate.file.filename)}: it is also the kept version of "
        f"{_label(kept_in)}."
    )
    return _note(proposal.group, proposal.candidate, "other_episodes", text)


def _uncovered_episodes(proposals: list[_Proposal]) -> list[int]:
    """Episodes of a proposed file that no group keeps another copy of."""
    file = proposals[0].candidate.file
    if file.parsed.media_type != "tv" or len(file.parsed.episodes) < 2:
        return []
    covered = {e for p in proposals for e in p.group.episodes}
    return [e for e in file.parsed.episodes if e not in covered]


def _multi_episode_note(proposal: _Proposal, uncovered: list[int]) -> KeepNote:
    episodes = " and ".join(f"E{e:02d}" for e in uncovered)
    text = (
        f"Kept multi-episode file {_quoted(proposal.candidate.file.filename)}: no other copy of "
        f"{episodes} is kept, so staging it would lose {'them' if len(uncovered) > 1 else 'it'}."
    )
    return _note(proposal.group, proposal.candidate, "other_episodes", text)


def _rows(
    chosen: _Proposal, proposals: list[_Proposal], files: Mapping[int, LibraryFile]
) -> list[PlanRow]:
    c, kept = chosen.candidate, chosen.kept
    reason = chosen.reason
    if len(c.file.parsed.episodes) > 1 and c.file.parsed.media_type == "tv":
        keepers = {e: p.kept.file.filename for p in proposals for e in p.group.episodes}
        covered = ", ".join(f"E{e:02d} in {_quoted(name)}" for e, name in sorted(keepers.items()))
        reason = _join(reason, f"Multi-episode file: every episode is kept elsewhere ({covered}).")
    links = [files[i] for i in c.member.linked_file_ids]
    paths = [c.file, *links]
    freed = c.file.size if len(paths) >= c.file.nlink else 0
    if not freed:
        reason = _join(
            reason, "It has hardlinks outside the scanned folders: staging it frees no space."
        )
    rows = []
    for index, path_file in enumerate(paths):
        row_reason = reason
        if links:
            others = ", ".join(_safe(f.path) for f in paths if f is not path_file)
            row_reason = _join(
                reason, f"Same file on disk as {others}: all its paths are staged together."
            )
        rows.append(
            PlanRow(
                id=stable_id("pending_deletion", str(chosen.group.id), str(path_file.file_id)),
                file_id=path_file.file_id,
                duplicate_group_id=chosen.group.id,
                original_filepath=path_file.path,
                staging_relative_path=f"{path_file.root_key}/{path_file.relative_path}",
                media_type=path_file.parsed.media_type,
                deletion_reason=row_reason,
                deletion_category=chosen.category,
                kept_file_id=kept.file.file_id,
                kept_file_quality_score=kept.score,
                deleted_file_quality_score=c.score,
                quality_difference=round(kept.score - c.score, 2),
                audio_languages=c.facts.audio_languages,
                subtitle_languages=c.facts.subtitle_languages,
                has_english_audio=c.facts.has_english_audio,
                has_english_subtitles=c.facts.has_english_subtitles,
                is_foreign_film=c.facts.is_foreign_film,
                decision_confidence=chosen.confidence,
                requires_manual_review=chosen.review,
                auto_approved=chosen.auto_approved,
                bytes_freed=freed if index == 0 else 0,  # one inode, freed once
            )
        )
    return rows


def _note(group: DuplicateGroup, c: _Candidate, category: KeepCategory, reason: str) -> KeepNote:
    return KeepNote(
        id=stable_id("keep_note", str(group.id), str(c.file.file_id), category),
        file_id=c.file.file_id,
        duplicate_group_id=group.id,
        original_filepath=c.file.path,
        category=category,
        reason=reason,
        audio_languages=c.facts.audio_languages,
        subtitle_languages=c.facts.subtitle_languages,
        has_english_audio=c.facts.has_english_audio,
        has_english_subtitles=c.facts.has_english_subtitles,
        is_foreign_film=c.facts.is_foreign_film,
    )


# --- reason text -------------------------------------------------------------------------------


def _safe(text: str) -> str:
    """Untrusted text (file names, probe errors) made inert: no control or format characters."""
    return "".join("\ufffd" if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _quoted(name: str) -> str:
    return f"'{_safe(name)}'"


def _error(problem: str) -> str:
    text = _safe(problem)
    return text if len(text) <= _MAX_ERROR_TEXT else text[: _MAX_ERROR_TEXT - 1] + "…"


def _problem(file: LibraryFile) -> str:
    return file.probe.integrity_error or file.probe.probe_error or ""


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _tier(c: _Candidate) -> str:
    return quality_tier(c.file.probe.width, c.file.probe.height)


def _version(c: _Candidate, qualifier: str = "") -> str:
    """Like "4K version 'Inception.mkv' (3840x2160, H.265, 25 Mbps)"; "English 4K version ..."."""
    p = c.file.probe
    tier = f"{qualifier} {_tier(c)}" if qualifier else _tier(c)
    return (
        f"{tier} version {_quoted(c.file.filename)} ({resolution_text(p.width, p.height)}, "
        f"{codec_display(p.video_codec)}, {bitrate_text(p.bitrate)})"
    )


def _brief(c: _Candidate) -> str:
    """Like "720p, H.264, 1280x720, 4 Mbps": seed 000's Red Dwarf example leads with tier, codec."""
    p = c.file.probe
    return (
        f"{_tier(c)}, {codec_display(p.video_codec)}, {resolution_text(p.width, p.height)}, "
        f"{bitrate_text(p.bitrate)}"
    )


def _differences(kept: _Candidate, c: _Candidate) -> str:
    """What else the kept file has, in seed 000's words (HDR, 5.1 audio)."""
    a, b = kept.file.probe, c.file.probe
    parts = []
    if a.hdr_type != "SDR" and b.hdr_type == "SDR":
        parts.append(f"Kept {_safe(a.hdr_type)} version; deleted SDR version.")
    if (a.audio_channels or 0) >= 5.1 > (b.audio_channels or 0):
        parts.append(
            f"Kept file with {audio_channels_text(a.audio_channels)} audio "
            f"({codec_display(a.audio_codec)}); deleted file with "
            f"{audio_channels_text(b.audio_channels)} audio ({codec_display(b.audio_codec)})."
        )
    return _join(*parts)


def _rule4_text(count: int, ranks: list[int]) -> str:
    listed = [f"#{r}" for r in sorted(ranks)]
    if len(listed) == 1:
        redundant = f"File {listed[0]} is redundant."
    else:
        redundant = f"Files {', '.join(listed[:-1])} and {listed[-1]} are redundant."
    return f"Kept highest quality (#1 of {count}). {redundant}"


def _class_caveat(c: _Candidate) -> str:
    if c.language == "foreign":
        return "Foreign-language version with English subtitles: will not auto-delete."
    if c.language == "other":
        return "Only available version is non-English: review before deleting."
    return ""


def _only_deleted_has_english_subtitles(c: _Candidate, kept: _Candidate) -> str:
    if c.facts.has_english_subtitles and not kept.facts.has_english_subtitles:
        return "Only the deleted file has English subtitles: review before deleting."
    return ""


def _same_title(a: LibraryFile, b: LibraryFile) -> bool:
    return identity_basis(a, b) == "tmdb" or a.parsed.title_key == b.parsed.title_key


def _label(group: DuplicateGroup) -> str:
    """Like "Red Dwarf S01E01", "Show S01E01E02", "Inception (2010)"."""
    name = _safe(group.show_name)
    if group.media_type == "tv":
        season = f"S{group.season_number:02d}" if group.season_number is not None else ""
        return f"{name} {season}{''.join(f'E{e:02d}' for e in group.episodes)}".rstrip()
    return f"{name} ({group.year})" if group.year else name


def _language_list(codes: tuple[str, ...]) -> str:
    """Seed 000's "['fr']"."""
    return "[" + ", ".join(f"'{_safe(code)}'" for code in codes) + "]"


def _language_names(codes: list[str]) -> str:
    names = []
    for code in codes:
        try:
            names.append(Language.fromalpha2(code.split("-", 1)[0]).name)
        except (ValueError, KeyError, BabelfishError):  # not a code babelfish knows
            names.append(_safe(code))
    return "/".join(dict.fromkeys(names)) or "untagged"
