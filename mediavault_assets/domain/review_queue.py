"""Seed 004's review_queue: one list of everything that needs a person.

Each scan proposes candidates (plan rows that require review, TMDb titles left unmatched or
ambiguous, files with probe or integrity errors, samples and truncated files in no duplicate
group, files whose path leaves their identity in doubt). An item's key (``kind:subject``) is
stable across scans; its signature is the size, mtime and inode of its file(s) now.

A person's resolution is kept by the review side with the signature it was made on: the item
stays resolved (or rejected) on every re-scan while the signature holds, and is pending again
once a file changed. A plan row's approve/reject decision resolves its item the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from mediavault_assets.domain.model import stable_id

Status = Literal["pending", "resolved", "rejected"]
RESOLUTIONS: tuple[Status, ...] = ("resolved", "rejected")
KINDS = (
    "plan_review",
    "tmdb_unmatched",
    "tmdb_ambiguous",
    "probe_error",
    "integrity_error",
    "sample_outside_group",
    "truncated_outside_group",
    "identity_conflict",
)


def item_key(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


def file_signature(size: int, mtime_ns: int, inode: int) -> str:
    return f"{size}:{mtime_ns}:{inode}"


@dataclass(frozen=True, slots=True)
class QueueCandidate:
    kind: str
    subject: str  # the file id, or a TMDb identity key
    asset_id: int  # the file; for a title, its first file
    reason: str
    confidence: float  # 0-1: how sure MediaVault is of what it proposes or reports
    signature: str  # of the file(s) the item is about, as they are now
    file_count: int = 1

    @property
    def item_key(self) -> str:
        return item_key(self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class Resolution:
    item_key: str
    signature: str  # what the file(s) were when it was made
    status: Status
    reviewer: str
    resolved_at: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    item_key: str
    kind: str
    subject: str
    asset_id: int
    reason: str
    confidence: float
    status: Status
    file_signature: str
    file_count: int
    resolved_by: str | None
    resolved_at: str | None


def identity_signature(signatures: Iterable[str]) -> str:
    """One signature for several files: it changes when any of them does."""
    return "|".join(sorted(signatures))


def build_queue(
    candidates: Iterable[QueueCandidate],
    resolutions: Mapping[str, Resolution],
    decisions: Mapping[str, Resolution] | None = None,
) -> list[QueueItem]:
    """The queue now: each candidate once, resolved where a person's resolution still applies.

    `resolutions` are made on the queue itself; `decisions` elsewhere (a plan row approved or
    rejected). The newer of the two that still applies wins.
    """
    decisions = decisions or {}
    items: dict[str, QueueItem] = {}
    for c in candidates:
        key = c.item_key
        if key in items:
            continue  # the first proposal of an item wins (the query orders them)
        applying = [
            r
            for r in (resolutions.get(key), decisions.get(key))
            if r is not None and r.signature == c.signature
        ]
        done = max(applying, key=lambda r: r.resolved_at, default=None)
        items[key] = QueueItem(
            id=stable_id("review_queue", key),
            item_key=key,
            kind=c.kind,
            subject=c.subject,
            asset_id=c.asset_id,
            reason=c.reason,
            confidence=min(max(c.confidence, 0.0), 1.0),
            status=done.status if done else "pending",
            file_signature=c.signature,
            file_count=c.file_count,
            resolved_by=done.reviewer if done else None,
            resolved_at=done.resolved_at if done else None,
        )
    return sorted(items.values(), key=lambda i: (i.status != "pending", i.kind, i.item_key))
