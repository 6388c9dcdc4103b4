"""Between the warehouse and the hasher: candidates with their cache in, file_hashes rows out."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from mediavault_assets.media.hashing import HashCandidate, HashRecord, HashResult

HASH_SCHEMA = {
    "file_id": pl.Int64,
    "root_key": pl.String,
    "file_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "inode": pl.UInt64,
    "head_hash": pl.String,
    "tail_hash": pl.String,
    "md5_hash": pl.String,
    "sha256_hash": pl.String,
    "hash_error": pl.String,
    "hashed_at": pl.Datetime("us"),
}


def candidates_and_cache(rows: pl.DataFrame) -> tuple[list[HashCandidate], dict[int, HashRecord]]:
    """From sql/queries/hash_candidates.sql rows: what to hash, and what the last run knew."""
    candidates, cache = [], {}
    for r in rows.iter_rows(named=True):
        candidates.append(
            HashCandidate(
                r["file_id"],
                r["local_path"],
                r["file_size"],
                r["mtime_ns"],
                r["device"],
                r["inode"],
            )
        )
        if r["hashed_at"] is not None:
            cache[r["file_id"]] = HashRecord(
                file_id=r["file_id"],
                size=r["cached_size"],
                mtime_ns=r["cached_mtime_ns"],
                inode=r["cached_inode"],
                head_hash=r["head_hash"],
                tail_hash=r["tail_hash"],
                md5=r["md5_hash"],
                sha256=r["sha256_hash"],
                hashed_at=r["hashed_at"].replace(tzinfo=UTC).timestamp(),
            )
    return candidates, cache


def hash_frame(result: HashResult, roots: dict[int, str]) -> pl.DataFrame:
    """file_hashes rows: one per hashed file, and one carrying the error for each failure."""
    rows = [
        {
            "file_id": rec.file_id,
            "root_key": roots[rec.file_id],
            "file_size": rec.size,
            "mtime_ns": rec.mtime_ns,
            "inode": rec.inode,
            "head_hash": rec.head_hash,
            "tail_hash": rec.tail_hash,
            "md5_hash": rec.md5,
            "sha256_hash": rec.sha256,
            "hash_error": None,
            "hashed_at": datetime.fromtimestamp(rec.hashed_at, UTC).replace(tzinfo=None),
        }
        for rec in result.records.values()
    ]
    now = datetime.now(UTC).replace(tzinfo=None)
    rows += [
        {
            "file_id": err.file_id,
            "root_key": roots[err.file_id],
            "file_size": -1,  # never matches a signature, so the next run tries again
            "mtime_ns": -1,
            "inode": 0,
            "head_hash": None,
            "tail_hash": None,
            "md5_hash": None,
            "sha256_hash": None,
            "hash_error": err.message,
            "hashed_at": now,
        }
        for err in result.errors
    ]
    return pl.DataFrame(rows, schema=HASH_SCHEMA)
