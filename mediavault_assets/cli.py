"""The `mediavault` command: refresh the library, run the demo, start the review app."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mediavault_assets.domain.review_queue import KINDS, RESOLUTIONS
from mediavault_assets.domain.scan_modes import DEFAULT_MODE, MODES
from mediavault_assets.settings import CONFIG_ENV, SettingsError, config_path, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = Path(".mediavault")


def _settings_or_exit(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_settings(path)
    except SettingsError as error:
        print(f"mediavault: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_refresh(args: argparse.Namespace) -> int:
    from mediavault_assets.domain.scan_modes import ScanRequestError
    from mediavault_assets.orchestration import prepare_dagster_home, refresh
    from mediavault_assets.scan_targets import folders_by_root

    path = config_path()
    settings = _settings_or_exit(path)
    try:
        folders = folders_by_root(settings, [os.path.abspath(p) for p in args.path or []])
    except ScanRequestError as problem:
        print(f"mediavault: {problem}; nothing was scanned", file=sys.stderr)
        return 2
    unknown = [key for key in args.root or [] if key not in settings.root_keys]
    if unknown:
        print(
            f"mediavault: unknown root key(s) {', '.join(unknown)}; "
            f"configured: {', '.join(settings.root_keys)}",
            file=sys.stderr,
        )
        return 2
    home = prepare_dagster_home(path.parent / DEFAULT_HOME / "dagster_home")
    print(f"Settings: {path}\nDagster instance: {home}")
    outcomes = refresh(
        settings, path, roots=args.root, mode=args.mode, folders=folders, trigger=args.trigger
    )
    failed = [o for o in outcomes if not o.success]
    if failed:
        print(
            f"mediavault: {len(failed)} run(s) failed; see the Dagster UI for details",
            file=sys.stderr,
        )
        return 1
    print("Refresh complete.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mediavault_assets.demo.demo_library import (
        RECORD_NAME,
        generate_demo_library,
        load_demo_record,
    )
    from mediavault_assets.orchestration import prepare_dagster_home, refresh
    from mediavault_assets.settings import write_settings

    base = Path(args.dir).resolve()
    library = base / "library"
    if (library / RECORD_NAME).exists():
        # A second demo run keeps the library (and anything staged or decided in it).
        record = load_demo_record(library)
        print(f"Using the demo library in {library} ({len(record.files)} files)")
    else:
        print(f"Generating the demo library in {library} ...")
        started = time.monotonic()
        record = generate_demo_library(library)
        print(f"  {len(record.files)} files in {time.monotonic() - started:.1f}s")
    settings_file = write_settings(demo_settings(library), base / "mediavault.yaml")
    os.environ[CONFIG_ENV] = str(settings_file)
    home = prepare_dagster_home(base / "dagster_home")
    settings = load_settings(settings_file)
    outcomes = refresh(settings, settings_file, trigger="demo")
    if not all(o.success for o in outcomes):
        print("mediavault: the demo refresh failed; see the messages above", file=sys.stderr)
        return 1
    print(f"Settings file: {settings_file}\nWarehouse: {settings.warehouse_path}")
    if args.no_serve:
        return 0
    return serve(home, dagster_port=args.dagster_port, ui_port=args.ui_port)


def demo_settings(library: Path) -> dict[str, object]:
    volume = library / "volume1"
    return {
        "warehouse_path": str(library.parent / "warehouse.duckdb"),
        "app_store_path": str(library.parent / "review.sqlite"),
        "cache_dir": str(library.parent / "cache"),
        "staging_root": str(volume / "video" / "duplicates_before_purge"),
        "library_roots": [
            {
                "key": "videos",
                "path": str(volume / "videos"),
                "media_type": "mixed",
                "nas_path": "/volume1/videos",
            },
            {
                "key": "docker",
                "path": str(volume / "docker"),
                "media_type": "mixed",
                "nas_path": "/volume1/docker",
            },
        ],
        "fuzzy_match_threshold": 85,
        "review_quality_difference": 20,
        "auto_approve_quality_difference": 50,
        "retention_days": 30,
    }


def _streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "mediavault_ui" / "app.py"),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        # Tracebacks go to the log only: a visitor must never read the app's internals.
        "--client.showErrorDetails",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def serve(home: Path, *, dagster_port: int, ui_port: int) -> int:
    """Start the Dagster UI and the review app on 127.0.0.1 until Ctrl-C or SIGTERM."""
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    # Started in the background (`cmd &`), a process inherits SIGINT ignored and passes that on
    # to its children, which would then never stop on our SIGINT: catch it here, so they start
    # with the default. SIGTERM (a service manager's stop) stops both as cleanly as Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    dagster_command = [sys.executable, "-m", "dagster", "dev", "-w"]
    dagster_command += [str(PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1"]
    dagster_command += ["-p", str(dagster_port)]
    # Each child leads its own process group: what `dagster dev` starts (webserver, daemon,
    # code server) is stopped with it even if it has to be killed.
    children = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, process_group=0)
        for command in (_streamlit_command(ui_port), dagster_command)
    ]
    print(
        f"\nDagster UI:  http://127.0.0.1:{dagster_port}\n"
        f"Review app:  http://127.0.0.1:{ui_port}\n(Ctrl-C stops both)",
        flush=True,
    )
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(children)
    return 0


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGINT to each child's process group, then SIGKILL to the groups still there."""
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
    deadline = time.monotonic() + 20
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # the group's leftovers, if any


def cmd_ui(args: argparse.Namespace) -> int:
    from mediavault_ui.auth import is_loopback

    path = config_path()
    settings = _settings_or_exit(path)
    os.environ[CONFIG_ENV] = str(path)
    if not is_loopback(args.address) and not settings.review_users:
        print(
            "mediavault: the review app serves only 127.0.0.1 unless review_users are configured "
            "(add them to the settings file with `mediavault hash-password`)",
            file=sys.stderr,
        )
        return 2
    return subprocess.call(_streamlit_command(args.port, args.address), cwd=PROJECT_ROOT)


def _reviewer(args: argparse.Namespace) -> str:
    return args.reviewer or getpass.getuser()


def _review_call(action):  # type: ignore[no-untyped-def]
    """Run a review action, turning missing data and unknown ids into clear errors."""
    from mediavault_assets.curating import UnknownFileError
    from mediavault_assets.domain.curation import CurationError
    from mediavault_assets.review_store import ManualGroupRefused
    from mediavault_assets.reviewing import UnknownIdError
    from mediavault_assets.snapshot import DataUnavailable

    try:
        return action()
    except (
        UnknownIdError,
        UnknownFileError,
        CurationError,
        DataUnavailable,
        ManualGroupRefused,
    ) as error:
        print(f"mediavault: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_rate(args: argparse.Namespace) -> int:
    from mediavault_assets.curating import curated_file, store_for
    from mediavault_assets.domain.curation import stars

    settings = _settings_or_exit(config_path())
    file = _review_call(lambda: curated_file(settings, args.file_id))
    score = _review_call(lambda: store_for(settings).rate(file, args.score, by=_reviewer(args)))
    print(f"{_printable(file.relative_path)}: {stars(score) or 'unrated'}.")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from mediavault_assets.curating import curated_file, store_for

    settings = _settings_or_exit(config_path())
    file = _review_call(lambda: curated_file(settings, args.file_id))
    store = store_for(settings)
    if args.remove:
        removed = _review_call(
            lambda: store.untag(file.file_id, args.words, keyword_type=args.type)
        )
        print(f"{_printable(file.relative_path)}: {removed} keyword(s) removed.")
        return 0
    added = _review_call(
        lambda: store.tag(file, args.words, by=_reviewer(args), keyword_type=args.type)
    )
    print(f"{_printable(file.relative_path)}: tagged {', '.join(map(_printable, added))}.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from mediavault_assets.curating import live_tables, store_for
    from mediavault_assets.domain.curation import normalized_keyword, stars
    from mediavault_assets.snapshot import query_snapshot
    from mediavault_assets.warehouse import snapshot_path_for
    from mediavault_ui import queries

    settings = _settings_or_exit(config_path())
    filters = queries.LibraryFilter(
        search=" ".join(args.text),
        keywords=_review_call(lambda: [normalized_keyword(k) for k in args.keyword or ()]),
        match_all=args.all,
        keyword_type=args.type,
        min_score=args.min_score,
        max_score=args.max_score,
        extensions=[e.lower().lstrip(".") for e in args.ext or ()],
    )
    where, params = filters.where()
    _, page_sql = queries.library_page(where, args.sort, args.sort in ("Rating", "Size"))
    started = time.perf_counter()
    rows = _review_call(
        lambda: query_snapshot(
            snapshot_path_for(settings.warehouse_path),
            page_sql,
            {**params, "limit": args.limit, "offset": 0},
            tables=live_tables(store_for(settings)),
        )
    )
    took = time.perf_counter() - started
    columns = [
        "file_id",
        "root_key",
        "relative_path",
        "title",
        "score",
        "user_keywords",
        "auto_keywords",
        "quality_tier",
        "file_size",
    ]
    if args.json:
        print(json.dumps(rows.select(columns).to_dicts(), indent=2, ensure_ascii=False))
        return 0
    for r in rows.iter_rows(named=True):
        words = ", ".join([*r["user_keywords"], *r["auto_keywords"]])
        print(
            f"{r['file_id']}  {stars(r['score']) or 'unrated'}  "
            f"{_printable(r['root_key'])}:{_printable(r['relative_path'])}\n"
            f"  {_printable(words)}"
        )
    print(f"{rows.height} file(s) shown (at most {args.limit}) in {took * 1000:.0f} ms.")
    return 0


def _watching_call(action):  # type: ignore[no-untyped-def]
    """Run a watching action, turning bad input and missing data into clear errors."""
    from mediavault_assets.domain.watching import WatchingError
    from mediavault_assets.snapshot import DataUnavailable

    try:
        return action()
    except (WatchingError, DataUnavailable, SettingsError) as error:
        print(f"mediavault: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _title_for(settings, text: str):  # type: ignore[no-untyped-def]
    from mediavault_assets.watching import resolve_title

    return _watching_call(lambda: resolve_title(settings, text))


def _day(text: str):  # type: ignore[no-untyped-def]
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date is YYYY-MM-DD, not {text!r}") from None


def cmd_review(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import store_for

    settings = _settings_or_exit(config_path())
    title = _title_for(settings, args.title)
    review = _watching_call(
        lambda: store_for(settings).review(
            title,
            args.rating,
            by=_reviewer(args),
            text=args.text,
            watched_date=args.watched_date,
            tags=[t for tag in args.tags or () for t in tag.split(",")],
            season=args.season,
            episode=args.episode,
        )
    )
    print(f"{_printable(title.name)}: reviewed {review.rating:g}/10 (review {review.id}).")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from datetime import datetime

    from mediavault_assets.watching import store_for

    settings = _settings_or_exit(config_path())
    title = _title_for(settings, args.title)
    when = datetime.combine(args.date, datetime.min.time()) if args.date else None
    entry = _watching_call(
        lambda: store_for(settings).log_watch(
            title,
            by=_reviewer(args),
            watched_at=when,
            duration=args.duration,
            completed=not args.partial,
            source=args.source,
            context=args.context,
            season=args.season,
            episode=args.episode,
        )
    )
    state = "completed" if entry.completed else "partial"
    print(f"{_printable(title.name)}: watch {entry.id} logged ({entry.watched_at}, {state}).")
    return 0


def cmd_plan_watch(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import store_for

    settings = _settings_or_exit(config_path())
    title = _title_for(settings, args.title)
    event = _watching_call(
        lambda: store_for(settings).plan_watch(
            title,
            args.date,
            event_time=args.time,
            location=args.location,
            description=args.note,
            season=args.season,
            episode=args.episode,
        )
    )
    print(f"{_printable(title.name)}: planned for {event.event_date} (event {event.id}).")
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import calendar

    settings = _settings_or_exit(config_path())
    rows = _watching_call(lambda: calendar(settings, args.since))
    for r in rows:
        print(f"{r['event_date']}  {r['event_type']:<8} {_printable(str(r['title'] or ''))}")
    print(f"{len(rows)} event(s).")
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import recommend_titles

    settings = _settings_or_exit(config_path())
    preset, results = _watching_call(
        lambda: recommend_titles(settings, args.preset, limit=args.limit)
    )
    if args.json:
        rows = [
            {
                "media_id": r.media_id,
                "title": r.title,
                "year": r.year,
                "score": r.score,
                "criteria": [
                    {
                        "criterion": c.criterion,
                        "weight": c.weight,
                        "match": c.match,
                        "explanation": c.explanation,
                    }
                    for c in r.criteria
                ],
            }
            for r in results
        ]
        print(
            json.dumps(
                {"preset": preset.name, "use_count": preset.use_count, "titles": rows},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print(f"Preset {_printable(preset.name)} (used {preset.use_count} times):")
    for r in results:
        year = f" ({r.year})" if r.year else ""
        print(f"{r.score:5.1f}  {_printable(r.title)}{year}  [{r.media_id}]")
        print(f"       {_printable(r.explanation)}")
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import similar

    settings = _settings_or_exit(config_path())
    hits = _watching_call(lambda: similar(settings, " ".join(args.query), limit=args.limit))
    if args.json:
        print(
            json.dumps(
                {
                    "method": hits.method,
                    "titles": [
                        {"media_id": h.media_id, "title": h.title, "score": h.score, "why": h.why}
                        for h in hits
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    for h in hits:
        print(f"{h.score:6.2f}  {_printable(h.title)}  [{h.media_id}]\n        {_printable(h.why)}")
    print(f"{len(hits)} title(s), {_printable(hits.method)}.")
    return 0


def cmd_custom_field(args: argparse.Namespace) -> int:
    from mediavault_assets.domain.watching import CustomField
    from mediavault_assets.watching import store_for

    settings = _settings_or_exit(config_path())
    store = store_for(settings)
    if args.action == "define":
        rules = _watching_call(lambda: _json_object(args.rules))
        field = _watching_call(
            lambda: store.define_field(
                CustomField(
                    field_name=args.name,
                    field_label=args.label or args.name.replace("_", " ").capitalize(),
                    field_type=args.type,
                    field_options=tuple(
                        o.strip() for o in (args.options or "").split(",") if o.strip()
                    ),
                    field_default_value=args.default,
                    is_required=args.required,
                    validation_rules=rules,
                    help_text=args.help_text,
                )
            )
        )
        print(f"Custom field {field.field_name} ({field.field_type}) defined.")
        return 0
    if args.action == "set":
        title = _title_for(settings, args.title)
        value = _watching_call(
            lambda: store.set_field(title, args.name, args.value, by=_reviewer(args))
        )
        print(f"{_printable(title.name)}: {args.name} = {json.dumps(value, ensure_ascii=False)}")
        return 0
    for f in store.fields():
        print(f"{f.field_name}  {f.field_type}  {_printable(f.field_label)}")
    return 0


def _json_object(text: str | None):  # type: ignore[no-untyped-def]
    from mediavault_assets.domain.watching import WatchingError

    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise WatchingError(f"--rules is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise WatchingError("--rules is a JSON object")
    return value


def cmd_preset(args: argparse.Namespace) -> int:
    from mediavault_assets.watching import store_for

    settings = _settings_or_exit(config_path())
    store = store_for(settings)
    preset = _watching_call(
        lambda: store.save_preset(
            args.name, args.criteria, description=args.description, is_default=args.default
        )
    )
    print(f"Preset {_printable(preset.name)} saved{' (default)' if preset.is_default else ''}.")
    return 0


def cmd_export_curation(args: argparse.Namespace) -> int:
    from mediavault_assets.curating import export_curation, store_for

    settings = _settings_or_exit(config_path())
    text = _review_call(lambda: export_curation(store_for(settings), args.format))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Ratings and keywords written to {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_import_curation(args: argparse.Namespace) -> int:
    from mediavault_assets.curating import import_curation, parse_export, read_import, store_for

    settings = _settings_or_exit(config_path())
    text, fmt = _review_call(lambda: read_import(Path(args.file)))
    rows = _review_call(lambda: parse_export(text, fmt))
    updated, problems = _review_call(
        lambda: import_curation(settings, store_for(settings), rows, by=_reviewer(args))
    )
    for problem in problems:
        print(f"skipped {_printable(problem)}", file=sys.stderr)
    print(f"Imported ratings and keywords for {updated} file(s); {len(problems)} row(s) skipped.")
    return 0 if not problems else 1


def cmd_decisions(args: argparse.Namespace) -> int:
    from mediavault_assets.presentation import human_bytes
    from mediavault_assets.reviewing import awaiting_review

    settings = _settings_or_exit(config_path())
    rows = _review_call(lambda: awaiting_review(settings))
    columns = [
        "plan_id",
        "group_id",
        "file_id",
        "file",
        "category",
        "confidence",
        "requires_manual_review",
        "auto_approved",
        "bytes_freed",
        "reason",
    ]
    if args.json:
        print(json.dumps(rows.select(columns).to_dicts(), indent=2, ensure_ascii=False))
        return 0
    if rows.height == 0:
        print("Nothing awaits review.")
        return 0
    for r in rows.iter_rows(named=True):
        flag = "REVIEW" if r["requires_manual_review"] else ("auto" if r["auto_approved"] else "")
        print(
            f"plan {r['plan_id']}  group {r['group_id']}  {r['confidence']} {flag}\n"
            f"  {_printable(r['file'])}\n  frees {human_bytes(r['bytes_freed'])}: "
            f"{_printable(r['reason'])}"
        )
    print(
        f"\n{rows.height} plan row(s) await review; "
        "`mediavault approve ID...` or `mediavault reject ID...`."
    )
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from mediavault_assets.reviewing import queue_entries, resolve_queue_item

    settings = _settings_or_exit(config_path())
    if args.action == "resolve":
        if not args.item or not args.resolution:
            print("mediavault: queue resolve ITEM --as resolved|rejected", file=sys.stderr)
            return 2
        item = _review_call(
            lambda: resolve_queue_item(settings, args.item, args.resolution, _reviewer(args))
        )
        print(f"{args.resolution.capitalize()}: {_printable(item.item_key)}")
        return 0
    entries = _review_call(lambda: queue_entries(settings, kind=args.kind, status=args.status))
    if args.json:
        print(
            json.dumps(
                [{**dataclasses.asdict(e.item), "file": e.file} for e in entries],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not entries:
        print("The review queue is empty.")
        return 0
    for e in entries:
        i = e.item
        answered = f" by {i.resolved_by} at {i.resolved_at}" if i.resolved_by else ""
        print(
            f"{i.id}  {i.kind}  {i.status}{answered}  confidence {i.confidence:.2f}\n"
            f"  {_printable(e.file or i.subject)}\n  {_printable(i.reason)}"
        )
    pending = sum(e.item.status == "pending" for e in entries)
    print(
        f"\n{len(entries)} item(s), {pending} pending; "
        "`mediavault queue resolve ID --as resolved|rejected`."
    )
    return 0


def _printable(text: str) -> str:
    # File names are untrusted: keep terminal control characters out of the output.
    return "".join(c if c.isprintable() else "?" for c in text)


def cmd_approve(args: argparse.Namespace) -> int:
    from mediavault_assets.reviewing import approve, reject

    settings = _settings_or_exit(config_path())
    action = approve if args.command == "approve" else reject
    count = _review_call(lambda: action(settings, args.ids, _reviewer(args), args.notes))
    verb = "Approved" if args.command == "approve" else "Rejected (kept)"
    print(f"{verb} {count} plan row(s).")
    if args.command == "approve":
        print("The staging sensor picks them up, or run `mediavault stage` now.")
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from mediavault_assets.reviewing import DecisionLosesData, decide

    settings = _settings_or_exit(config_path())
    action = "keep_one" if args.keep else ("keep_all" if args.keep_all else "not_duplicate")
    try:
        staged = _review_call(
            lambda: decide(
                settings,
                args.group_id,
                action,
                _reviewer(args),
                keep_file_id=args.keep,
                notes=args.notes,
                accept_losses=args.accept_loss,
            )
        )
    except DecisionLosesData as refusal:
        print(f"mediavault: group {args.group_id}: nothing was decided, because", file=sys.stderr)
        for loss in refusal.losses:
            print(f"  - {_printable(loss)}", file=sys.stderr)
        print("Keep another file, or add --accept-loss to decide this anyway.", file=sys.stderr)
        return 2
    if staged:
        print(
            f"Group {args.group_id}: keeping file {args.keep}, "
            f"{len(staged)} file(s) approved for staging."
        )
    else:
        print(f"Group {args.group_id}: every file is kept.")
    return 0


def cmd_group(args: argparse.Namespace) -> int:
    from mediavault_assets.reviewing import group_files

    settings = _settings_or_exit(config_path())
    group_id = _review_call(
        lambda: group_files(settings, args.file_ids, _reviewer(args), args.notes)
    )
    print(
        f"Grouped {len(set(args.file_ids))} files as manual group {group_id}; the next analysis "
        "plans it (every row awaits review)."
    )
    return 0


def cmd_ungroup(args: argparse.Namespace) -> int:
    from mediavault_assets.reviewing import ungroup

    settings = _settings_or_exit(config_path())
    _review_call(lambda: ungroup(settings, args.group_id, _reviewer(args)))
    print(f"Manual group {args.group_id} is dissolved; the next analysis drops it.")
    return 0


def _run_staging_job(job: str, op: str, config: dict) -> int:
    from mediavault_assets.orchestration import prepare_dagster_home, run_job
    from mediavault_assets.presentation import human_bytes

    path = config_path()
    _settings_or_exit(path)
    prepare_dagster_home(path.parent / DEFAULT_HOME / "dagster_home")
    outcome = run_job(path, job, op_config={op: config})
    if not outcome.success:
        print(f"mediavault: {job} failed: {outcome.summary}", file=sys.stderr)
        return 1
    counts = outcome.output["counts"] if isinstance(outcome.output, dict) else {}
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
    size = human_bytes(outcome.output["bytes"]) if isinstance(outcome.output, dict) else "0 B"
    print(
        f"{job}: {done}; {size}" + (" (dry run: nothing changed)" if config.get("dry_run") else "")
    )
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    return _run_staging_job("stage_approved", "stage_files", {"dry_run": args.dry_run})


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.all and not args.file_ids:
        print("mediavault: name FILE_ID(s) to restore, or --all", file=sys.stderr)
        return 2
    return _run_staging_job(
        "restore_staged",
        "restore_files",
        {
            "file_ids": args.file_ids,
            "restore_all": args.all,
            "dry_run": args.dry_run,
            "restored_by": _reviewer(args),
        },
    )


def cmd_purge(args: argparse.Namespace) -> int:
    return _run_staging_job("purge_staged", "purge_files", {"dry_run": args.dry_run})


def cmd_doctor(args: argparse.Namespace) -> int:
    import dagster as dg

    from mediavault_assets.doctor import examine
    from mediavault_assets.orchestration import prepare_dagster_home

    path = config_path()
    settings = _settings_or_exit(path)
    home = prepare_dagster_home(path.parent / DEFAULT_HOME / "dagster_home")
    print(f"Settings: {path}\nDagster instance: {home}")
    with dg.DagsterInstance.get() as instance:
        try:
            found = examine(settings, instance, dry_run=args.dry_run, echo=_print_safe)
        except RuntimeError as error:
            print(f"mediavault: {error}", file=sys.stderr)
            return 1
    if not found:
        print("Nothing to repair: no dead run, interrupted move, partial file or stale snapshot.")
    elif args.dry_run:
        print(f"{found} thing(s) to repair; run `mediavault doctor` without --dry-run to do it.")
    else:
        print(f"Repaired {found} thing(s).")
    return 0


def _print_safe(line: str) -> None:
    print(_printable(line))


def cmd_ask(args: argparse.Namespace) -> int:
    from mediavault_assets.chat.service import answer_from_cli
    from mediavault_assets.snapshot import DataUnavailable

    settings = _settings_or_exit(config_path())
    try:
        print(answer_from_cli(" ".join(args.question), settings, user_id=args.reviewer))
    except (DataUnavailable, SettingsError, ValueError) as error:
        print(f"mediavault: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_hash_password(args: argparse.Namespace) -> int:
    from mediavault_ui.auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Password for the review app: ")
        again = getpass.getpass("Again: ")
    else:  # piped in (a script, a password manager): one line, asked once
        password = again = sys.stdin.readline().rstrip("\r\n")
    if not password or password != again:
        print("mediavault: the passwords were empty or did not match", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediavault",
        description="Keep a home media library organized and free of duplicates. "
        f"Settings come from ${CONFIG_ENV} (default ./mediavault.yaml).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser("refresh", help="scan the library roots and re-plan")
    scope = refresh.add_mutually_exclusive_group()
    scope.add_argument("--root", action="append", metavar="KEY", help="only this root (repeatable)")
    scope.add_argument(
        "--path",
        action="extend",
        nargs="+",
        metavar="PATH",
        help="only these folders (each inside a library root); files elsewhere stay as recorded",
    )
    refresh.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help="incremental: probe and hash only new or changed files (default); "
        "full: probe and hash every file again",
    )
    refresh.add_argument("--trigger", default="manual", help=argparse.SUPPRESS)
    refresh.set_defaults(func=cmd_refresh)

    demo = commands.add_parser("demo", help="generate a demo library, refresh it, start the UIs")
    demo.add_argument("--dir", default=".mediavault/demo", help="where the demo lives")
    demo.add_argument("--no-serve", action="store_true", help="stop after the refresh")
    demo.add_argument("--dagster-port", type=int, default=3000)
    demo.add_argument("--ui-port", type=int, default=8501)
    demo.set_defaults(func=cmd_demo)

    decisions = commands.add_parser("decisions", help="list the plan rows that await review")
    decisions.add_argument("--json", action="store_true", help="machine-readable output")
    decisions.set_defaults(func=cmd_decisions)

    queue = commands.add_parser("queue", help="list (or answer) everything that needs a person")
    queue.add_argument("action", nargs="?", choices=["list", "resolve"], default="list")
    queue.add_argument("item", nargs="?", metavar="ITEM", help="resolve: the item's id or key")
    queue.add_argument("--as", dest="resolution", choices=RESOLUTIONS)
    queue.add_argument("--kind", choices=KINDS)
    queue.add_argument("--status", choices=["pending", *RESOLUTIONS])
    queue.add_argument("--json", action="store_true", help="machine-readable output")
    queue.add_argument("--reviewer", help="who answers (default: your user name)")
    queue.set_defaults(func=cmd_queue)

    for name, text in (
        ("approve", "approve staging these plan rows"),
        ("reject", "keep these plan rows' files"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("ids", nargs="+", type=int, metavar="ID", help="plan row id")
        sub.add_argument("--notes")
        sub.add_argument("--reviewer", help="who decides (default: your user name)")
        sub.set_defaults(func=cmd_approve)

    decide = commands.add_parser("decide", help="decide a whole duplicate group")
    decide.add_argument("group_id", type=int, metavar="GROUP_ID")
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--keep", type=int, metavar="FILE_ID", help="keep this file, stage the rest"
    )
    choice.add_argument("--keep-all", action="store_true", help="keep every file")
    choice.add_argument("--not-duplicate", action="store_true", help="these are not duplicates")
    decide.add_argument("--notes")
    decide.add_argument(
        "--accept-loss",
        action="store_true",
        help="decide even if it stages the only English-audio or original-language copy",
    )
    decide.add_argument("--reviewer", help="who decides (default: your user name)")
    decide.set_defaults(func=cmd_decide)

    group = commands.add_parser("group", help="group files as duplicates by hand")
    group.add_argument("file_ids", nargs="+", type=int, metavar="FILE_ID")
    group.add_argument("--notes")
    group.add_argument("--reviewer", help="who groups (default: your user name)")
    group.set_defaults(func=cmd_group)

    ungroup = commands.add_parser("ungroup", help="dissolve a manual duplicate group")
    ungroup.add_argument("group_id", type=int, metavar="GROUP_ID")
    ungroup.add_argument("--reviewer", help="who ungroups (default: your user name)")
    ungroup.set_defaults(func=cmd_ungroup)

    rate = commands.add_parser("rate", help="rate a file: -1 rejected, 1-5 stars, 0 clears")
    rate.add_argument("file_id", type=int, metavar="FILE_ID")
    rate.add_argument("score", metavar="SCORE", help="-1, 0, 1, 2, 3, 4 or 5")
    rate.add_argument("--reviewer", help="who rates (default: your user name)")
    rate.set_defaults(func=cmd_rate)

    tag = commands.add_parser("tag", help="add keywords to a file (or --remove them)")
    tag.add_argument("file_id", type=int, metavar="FILE_ID")
    tag.add_argument("words", nargs="+", metavar="WORD")
    tag.add_argument("--remove", action="store_true", help="remove these keywords instead")
    tag.add_argument("--type", default="user", choices=["user", "prompt", "workflow"])
    tag.add_argument("--reviewer", help="who tags (default: your user name)")
    tag.set_defaults(func=cmd_tag)

    search = commands.add_parser("search", help="find files by words, keywords and rating")
    search.add_argument("text", nargs="*", metavar="WORD", help="full text: path, titles, keywords")
    search.add_argument("--keyword", action="append", metavar="K", help="has this keyword")
    search.add_argument("--all", action="store_true", help="every --keyword, not any")
    search.add_argument("--type", default="any", choices=["any", "user", "auto"])
    search.add_argument("--min-score", type=int, metavar="N")
    search.add_argument("--max-score", type=int, metavar="N")
    search.add_argument("--ext", action="append", metavar="EXT", help="file type, e.g. mkv")
    search.add_argument("--sort", default="Title", choices=["Title", "Rating", "Size"])
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(func=cmd_search)

    def title_args(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("title", metavar="TITLE", help="a title's id or name (e.g. 'Heat 1995')")
        sub.add_argument("--season", type=int)
        sub.add_argument("--episode", type=int)
        sub.add_argument("--reviewer", help="who (default: your user name)")

    review = commands.add_parser("review", help="review a title: rating 0-10, text, tags")
    title_args(review)
    review.add_argument("--rating", required=True, help="0.0 to 10.0")
    review.add_argument("--text")
    review.add_argument("--watched-date", type=_day, metavar="YYYY-MM-DD")
    review.add_argument("--tags", action="append", metavar="TAG[,TAG]")
    review.set_defaults(func=cmd_review)

    watch = commands.add_parser("watch", help="log a watch of a title or episode")
    title_args(watch)
    watch.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="default: now")
    watch.add_argument("--duration", type=int, metavar="MINUTES")
    done = watch.add_mutually_exclusive_group()
    done.add_argument("--completed", action="store_true", help="watched to the end (default)")
    done.add_argument("--partial", action="store_true", help="stopped before the end")
    watch.add_argument("--source", help="e.g. NAS, Blu-ray, Theater")
    watch.add_argument("--context", help="e.g. Solo, With Friends")
    watch.set_defaults(func=cmd_watch)

    plan_watch = commands.add_parser("plan-watch", help="put a title on the watch calendar")
    title_args(plan_watch)
    plan_watch.add_argument("--date", type=_day, required=True, metavar="YYYY-MM-DD")
    plan_watch.add_argument("--time", metavar="HH:MM")
    plan_watch.add_argument("--location")
    plan_watch.add_argument("--note")
    plan_watch.set_defaults(func=cmd_plan_watch)

    cal = commands.add_parser("calendar", help="planned watches and upcoming releases")
    cal.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="default: today")
    cal.set_defaults(func=cmd_calendar)

    rec = commands.add_parser("recommend", help="titles on disk you have not watched, scored")
    rec.add_argument("--preset", help="a preset's name (default: the default preset)")
    rec.add_argument("--limit", type=int, default=10)
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(func=cmd_recommend)

    preset = commands.add_parser("preset", help="save a recommendation preset")
    preset.add_argument("name")
    preset.add_argument("criteria", help="criteria_config JSON (see the README)")
    preset.add_argument("--description")
    preset.add_argument("--default", action="store_true")
    preset.set_defaults(func=cmd_preset)

    sim = commands.add_parser("similar", help="titles for a wish: 'like Blade Runner but funnier'")
    sim.add_argument("query", nargs="+")
    sim.add_argument("--limit", type=int, default=10)
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(func=cmd_similar)

    custom = commands.add_parser("custom-field", help="define, set or list custom fields")
    custom_actions = custom.add_subparsers(dest="action", required=True)
    define = custom_actions.add_parser("define")
    define.add_argument("name")
    define.add_argument(
        "--type",
        default="text",
        choices=["text", "number", "boolean", "select", "multi-select", "date"],
    )
    define.add_argument("--label")
    define.add_argument("--options", help="comma-separated, for select fields")
    define.add_argument("--default")
    define.add_argument("--required", action="store_true")
    define.add_argument("--rules", help='validation rules JSON, e.g. {"min": 0, "max": 10}')
    define.add_argument("--help-text")
    custom_set = custom_actions.add_parser("set")
    custom_set.add_argument("title")
    custom_set.add_argument("name")
    custom_set.add_argument("value", help="empty clears it")
    custom_set.add_argument("--reviewer")
    custom_actions.add_parser("list")
    custom.set_defaults(func=cmd_custom_field)

    export = commands.add_parser("export-curation", help="write ratings and keywords out")
    export.add_argument("--format", default="csv", choices=["csv", "json"])
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    export.set_defaults(func=cmd_export_curation)

    imports = commands.add_parser(
        "import-curation", help="read ratings and keywords from an export (.csv or .json)"
    )
    imports.add_argument("file", metavar="FILE")
    imports.add_argument("--reviewer", help="who they are recorded as (default: your user name)")
    imports.set_defaults(func=cmd_import_curation)

    stage = commands.add_parser("stage", help="move approved files into staging now")
    stage.add_argument("--dry-run", action="store_true", help="show what would move")
    stage.set_defaults(func=cmd_stage)

    restore = commands.add_parser("restore", help="put staged files back where they were")
    restore.add_argument("file_ids", nargs="*", type=int, metavar="FILE_ID")
    restore.add_argument("--all", action="store_true", help="restore every staged file")
    restore.add_argument("--dry-run", action="store_true")
    restore.add_argument("--reviewer", help="who restores (default: your user name)")
    restore.set_defaults(func=cmd_restore)

    purge_cmd = commands.add_parser(
        "purge", help="delete staged files for good (approved, past retention only)"
    )
    purge_cmd.add_argument("--dry-run", action="store_true", help="show what would be deleted")
    purge_cmd.set_defaults(func=cmd_purge)

    doctor = commands.add_parser(
        "doctor",
        help="repair what a crash left: dead runs holding the warehouse, interrupted moves, "
        "partial files, a stale snapshot",
    )
    doctor.add_argument("--dry-run", action="store_true", help="only show what it would do")
    doctor.set_defaults(func=cmd_doctor)

    ask = commands.add_parser("ask", help="ask the library a question in plain language")
    ask.add_argument("question", nargs="+", help='e.g. "How many 4K movies do I have?"')
    ask.add_argument("--reviewer", help="whose chat history (default: your user name)")
    ask.set_defaults(func=cmd_ask)

    hashing = commands.add_parser(
        "hash-password", help="print a password hash for review_users in the settings file"
    )
    hashing.set_defaults(func=cmd_hash_password)

    ui = commands.add_parser("ui", help="start the review app")
    ui.add_argument("--port", type=int, default=8501)
    ui.add_argument("--address", default="127.0.0.1")
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
