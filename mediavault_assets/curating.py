"""Ratings, keywords and search from the terminal and the app (seed 001's curation).

Reads the published snapshot to find a file and writes only the review store, so a rating is
saved while a Dagster run writes the warehouse. Export and import carry ratings and keywords
by (root, relative path) as CSV or JSON: the way in for people coming from sidecar score files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from mediavault_assets.curation_store import (
    USER_KEYWORD_TYPES,
    CurationStore,
    curated_file_from_row,
)
from mediavault_assets.domain.curation import (
    CuratedFile,
    CurationError,
    checked_score,
    normalized_keyword,
)
from mediavault_assets.settings import Settings
from mediavault_assets.snapshot import read_named

EXPORT_COLUMNS = (
    "root_key",
    "relative_path",
    "score",
    "keywords",
    "prompt_keywords",
    "workflow_keywords",
)
_LIST_COLUMNS = EXPORT_COLUMNS[3:]
_LIST_SEPARATOR = ";"


class UnknownFileError(LookupError):
    """A file id or path that is not in the library as of the last refresh."""


def store_for(settings: Settings) -> CurationStore:
    return CurationStore(settings.app_store_path)


def curated_file(settings: Settings, file_id: int) -> CuratedFile:
    """The file as the last refresh saw it (what a rating is attached to)."""
    rows = read_named(settings, "app/curation_file", {"file_id": file_id})
    if not rows.height:
        raise UnknownFileError(f"no file {file_id} in the library (as of the last refresh)")
    return curated_file_from_row(rows.row(0, named=True))


def live_tables(store: CurationStore) -> dict[str, pl.DataFrame]:
    """The review store's ratings and keywords as the frames app/live_library.sql joins."""
    frames = store.frames()
    return {
        "live_scores": frames["ratings"].select("file_id", "score"),
        "live_keywords": frames["keywords"].select("file_id", "keyword", "keyword_type"),
    }


def export_curation(store: CurationStore, fmt: str) -> str:
    """Every rated or tagged file's rating and keywords, as CSV or JSON text."""
    rows = list(store.export_rows())
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise CurationError(f"export format is csv or json, not {fmt!r}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                **{c: _LIST_SEPARATOR.join(row[c]) for c in _LIST_COLUMNS},  # type: ignore[arg-type]
            }
        )
    return out.getvalue()


def parse_export(text: str, fmt: str) -> list[dict[str, Any]]:
    """Rows of an export (CSV or JSON) with list columns as lists; errors name the row."""
    if fmt == "json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise CurationError(f"not JSON: {error}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CurationError("a JSON import is a list of objects, one per file")
        return rows
    if fmt != "csv":
        raise CurationError(f"import format is csv or json, not {fmt!r}")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"root_key", "relative_path"} - set(reader.fieldnames or ())
    if missing:
        raise CurationError(f"the CSV needs the columns {', '.join(sorted(missing))}")
    return [
        {
            **row,
            **{
                c: [w for w in (row.get(c) or "").split(_LIST_SEPARATOR) if w.strip()]
                for c in _LIST_COLUMNS
            },
        }
        for row in reader
    ]


def import_curation(
    settings: Settings, store: CurationStore, rows: Iterable[dict[str, Any]], *, by: str
) -> tuple[int, list[str]]:
    """Apply imported ratings and keywords to the files now at those paths.

    Returns (files updated, problems): a row whose file is not in the library, or whose rating
    or keyword is invalid, is reported and skipped; the rest goes in."""
    present = {
        (r["root_key"], r["relative_path"]): curated_file_from_row(r)
        for r in read_named(settings, "app/curation_files").iter_rows(named=True)
    }
    updated, problems = 0, []
    for number, row in enumerate(rows, start=1):
        where = (str(row.get("root_key", "")), str(row.get("relative_path", "")))
        file = present.get(where)
        if file is None:
            problems.append(f"row {number}: no file {where[0]}:{where[1]!r} in the library")
            continue
        try:
            # Checked whole before anything is written: a bad row changes nothing.
            score = checked_score(row.get("score") or 0)
            words = {
                keyword_type: [normalized_keyword(w) for w in _words(row.get(column))]
                for column, keyword_type in zip(_LIST_COLUMNS, USER_KEYWORD_TYPES, strict=True)
            }
        except CurationError as error:
            problems.append(f"row {number} ({where[1]!r}): {error}")
            continue
        if score:
            store.rate(file, score, by=by)
        for keyword_type, keywords in words.items():
            if keywords:
                store.tag(file, keywords, by=by, keyword_type=keyword_type)
        updated += 1
    return updated, problems


def _words(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    raise CurationError(f"keywords are a list of words, not {value!r}")


def read_import(path: Path) -> tuple[str, str]:
    """(text, format) of an import file; the format comes from the suffix (.csv or .json)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise CurationError(f"{path}: an import file ends in .csv or .json")
    return path.read_text(encoding="utf-8-sig"), fmt
