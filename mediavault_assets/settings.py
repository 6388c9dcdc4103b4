"""Settings: one YAML file (MEDIAVAULT_CONFIG, default ./mediavault.yaml).

Secrets come only from the environment.

Relative paths in the file are resolved against the file's own folder, so a settings file can be
moved together with its data.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

CONFIG_ENV = "MEDIAVAULT_CONFIG"
DEFAULT_CONFIG = "mediavault.yaml"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class SettingsError(ValueError):
    """Invalid or missing settings; the message names the key and the problem."""


class LibraryRoot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="slug used as the Dagster partition key")
    path: Path = Field(description="the root as mounted on this machine")
    media_type: Literal["tv", "movie", "mixed"] = "mixed"
    nas_path: str | None = Field(
        default=None, description="the same folder as the NAS shows it, e.g. /volume1/videos"
    )

    @field_validator("key")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                "must be a slug: lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit"
            )
        return value

    def display_path(self, relative_path: str) -> str:
        """A file's path as the owner knows it (the NAS path when configured)."""
        base = self.nas_path.rstrip("/") if self.nas_path else str(self.path)
        return f"{base}/{relative_path}"


class ReviewUser(BaseModel):
    """A person allowed into the review app when it serves beyond 127.0.0.1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(min_length=1, max_length=64)
    password_hash: str = Field(
        pattern=r"^pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]+$",
        description="from `mediavault hash-password`; never a plain password",
    )
    admin: bool = Field(
        default=False, description="may change the settings and the users in the app"
    )


class PathMapping(BaseModel):
    """A folder as a media server names it, next to where this machine sees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server_path: str = Field(description="e.g. /data/movies (Plex in Docker) or D:\\Movies")
    local_path: Path = Field(description="the same folder as mounted here")

    @field_validator("server_path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        # A relative prefix would match inside unrelated paths.
        if not (value.startswith(("/", "\\\\")) or re.match(r"^[A-Za-z]:[\\/]", value)):
            raise ValueError("must be an absolute path as the server shows it")
        return value


class MediaServer(BaseModel):
    """A Plex, Jellyfin or Emby server; its URL and token come from the environment
    (MEDIAVAULT_<KIND>_URL, MEDIAVAULT_<KIND>_TOKEN)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, description="shown in reports; default: the kind")
    path_mappings: list[PathMapping] = Field(default_factory=list)
    user: str | None = Field(
        default=None,
        description="Jellyfin/Emby: whose watch status to read (default: the first administrator)",
    )
    timeout_seconds: float = Field(default=10.0, gt=0)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouse_path: Path = Path(".mediavault/warehouse.duckdb")
    app_store_path: Path = Field(
        default=Path(".mediavault/review.sqlite"),
        description="the review app's own store (decisions, notes, chat history)",
    )
    cache_dir: Path = Path(".mediavault/cache")
    staging_root: Path = Field(description="seed 000's duplicates_before_purge folder")
    library_roots: list[LibraryRoot] = Field(min_length=1)
    fuzzy_match_threshold: float = Field(default=85.0, ge=0, le=100)
    review_quality_difference: float = Field(default=20.0, ge=0)
    auto_approve_quality_difference: float = Field(default=50.0, ge=0)
    auto_approve_enabled: bool = False
    auto_delete_unreviewed: bool = False
    retention_days: int = Field(default=30, ge=0)
    recent_watch_days: int = Field(
        default=30,
        ge=0,
        description="a file watched within this many days is never staged automatically",
    )
    # Retention is the window in which a wrongly staged file can still be restored; turning it
    # off takes an explicit word, never a typo'd 0.
    allow_purge_without_retention: bool = False
    guessit_timeout_seconds: float = Field(default=5.0, gt=0)
    pool_wait_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="how long a command waits for another run to release the warehouse",
    )
    run_executor: Literal["in_process", "multiprocess"] = Field(
        default="in_process",
        description="how runs started from the Dagster UI or the app execute their steps: in "
        "the run's own process (starts in seconds), or a process per step (parses and probes "
        "in parallel with other steps, but each step imports everything again)",
    )
    dagster_url: str = Field(
        default="http://127.0.0.1:3000", description="the Dagster webserver the app starts runs on"
    )
    review_users: list[ReviewUser] = Field(default_factory=list)
    media_servers: dict[Literal["plex", "jellyfin", "emby"], MediaServer] = Field(
        default_factory=dict,
        description="path mappings per media server kind; a server is used when its URL and "
        "token are set in the environment",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names besides loopback the app answers to without review_users "
        "(e.g. a reverse proxy on this machine); anything else is refused (DNS rebinding)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        keys = [root.key for root in self.library_roots]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"library_roots: duplicate key(s) {', '.join(dupes)}")
        if self.retention_days < 1 and not self.allow_purge_without_retention:
            raise ValueError(
                "retention_days must be at least 1 (staged files must stay restorable for a "
                "while); set allow_purge_without_retention: true to purge with no retention"
            )
        if self.auto_approve_quality_difference < self.review_quality_difference:
            raise ValueError(
                "auto_approve_quality_difference must not be below review_quality_difference"
            )
        return self

    def root(self, key: str) -> LibraryRoot:
        for root in self.library_roots:
            if root.key == key:
                return root
        raise SettingsError(f"library_roots: no root with key {key!r}")

    @property
    def root_keys(self) -> list[str]:
        return [root.key for root in self.library_roots]


class Secrets(BaseModel):
    """API credentials, read only from the environment and never written anywhere.

    Keys and tokens are SecretStr: a repr, a log line or a traceback's locals show `**********`;
    `revealed()` hands the value to the one client that sends it."""

    model_config = ConfigDict(frozen=True)

    tmdb_api_key: SecretStr | None = None
    tmdb_read_access_token: SecretStr | None = None
    tmdb_api_base_url: str = "https://api.themoviedb.org/3"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    azure_openai_key: SecretStr | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_version: str | None = None
    azure_deployment_name_chat: str | None = None
    # Seed 000's "for cheaper queries": session titles and routing; the main model answers.
    azure_deployment_name_chat_mini: str | None = None
    openai_chat_model: str | None = None  # a local OpenAI-compatible server's model name
    openai_chat_mini_model: str | None = None
    # The similar-title search's embeddings (default text-embedding-3-small).
    azure_deployment_name_embedding: str | None = None
    openai_embedding_model: str | None = None
    # A webhook or Apprise API URL for notifications: such URLs carry their tokens.
    mediavault_notify_url: SecretStr | None = None
    # Media servers (settings' media_servers holds their path mappings).
    mediavault_plex_url: str | None = None
    mediavault_plex_token: SecretStr | None = None
    mediavault_jellyfin_url: str | None = None
    mediavault_jellyfin_token: SecretStr | None = None
    mediavault_emby_url: str | None = None
    mediavault_emby_token: SecretStr | None = None

    @property
    def has_tmdb(self) -> bool:
        return bool(self.tmdb_api_key or self.tmdb_read_access_token)

    @property
    def chat_provider(self) -> Literal["azure", "openai"] | None:
        if self.azure_openai_key:
            return "azure"
        if self.openai_api_key:
            return "openai"
        return None

    def media_server(self, kind: str) -> tuple[str, SecretStr] | None:
        """A media server's (URL, token) when both are set."""
        url, token = (
            getattr(self, f"mediavault_{kind}_url"),
            getattr(self, f"mediavault_{kind}_token"),
        )
        return (url, token) if url and token else None

    def presence(self) -> dict[str, bool]:
        """Which secrets are set — for display; never the values."""
        return {
            name.upper(): bool(value)
            for name, value in self
            if name.endswith(("key", "token")) or name == "mediavault_notify_url"
        }


def revealed(secret: SecretStr | None) -> str | None:
    """A secret's value, for the API client that sends it (and nowhere else)."""
    return secret.get_secret_value() if secret is not None else None


def load_secrets(environ: os._Environ[str] | dict[str, str] | None = None) -> Secrets:
    env = os.environ if environ is None else environ
    values = {name: env.get(name.upper()) or None for name in Secrets.model_fields}
    values["tmdb_api_base_url"] = (
        env.get("TMDB_API_BASE_URL") or Secrets.model_fields["tmdb_api_base_url"].default
    )
    secrets = Secrets(**values)
    if secrets.azure_openai_key:
        missing = [
            name
            for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_VERSION")
            if not env.get(name)
        ]
        if missing:
            raise SettingsError(f"AZURE_OPENAI_KEY is set but {', '.join(missing)} is not")
    return secrets


def _load_secrets_named(*prefixes: str) -> Secrets:
    # One feature's variables only: an unrelated half-configured provider (an Azure key without
    # its endpoint, say) must not stop it.
    return load_secrets({k: v for k, v in os.environ.items() if k.startswith(prefixes)})


def load_tmdb_secrets() -> Secrets:
    return _load_secrets_named("TMDB_")


def load_media_server_secrets() -> Secrets:
    return _load_secrets_named("MEDIAVAULT_PLEX_", "MEDIAVAULT_JELLYFIN_", "MEDIAVAULT_EMBY_")


def load_notify_url() -> str | None:
    return revealed(_load_secrets_named("MEDIAVAULT_NOTIFY_").mediavault_notify_url)


def config_path(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG).expanduser().resolve()


def _format_error(error: ValidationError, source: Path) -> str:
    lines = [f"Invalid settings in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)


def parse_settings(data: object, source: Path) -> Settings:
    if not isinstance(data, dict):
        raise SettingsError(f"Invalid settings in {source}: the file must hold a YAML mapping")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise SettingsError(_format_error(error, source)) from None
    resolved = _resolve_paths(settings, source.parent)
    _check_overlaps(resolved, source)
    _check_server_mappings(resolved, source)
    return resolved


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def resolve(path: Path) -> Path:
        path = path.expanduser()
        return path if path.is_absolute() else (base / path).resolve()

    resolved = settings.model_copy(
        update={
            "warehouse_path": resolve(settings.warehouse_path),
            "app_store_path": resolve(settings.app_store_path),
            "cache_dir": resolve(settings.cache_dir),
            "staging_root": resolve(settings.staging_root),
            "library_roots": [
                root.model_copy(update={"path": resolve(root.path)})
                for root in settings.library_roots
            ],
            "media_servers": {
                kind: server.model_copy(
                    update={
                        "path_mappings": [
                            m.model_copy(update={"local_path": resolve(m.local_path)})
                            for m in server.path_mappings
                        ]
                    }
                )
                for kind, server in settings.media_servers.items()
            },
        }
    )
    return resolved


def _check_overlaps(settings: Settings, source: Path) -> None:
    """One file must never be seen through two roots (it would count as two copies, and keeping
    one name would stage the other, which is the same file), and no root may lie in staging."""
    problems = []
    roots = settings.library_roots
    real = {root.key: Path(os.path.realpath(root.path)) for root in roots}
    staging = Path(os.path.realpath(settings.staging_root))
    for i, a in enumerate(roots):
        for b in roots[i + 1 :]:
            if real[a.key] == real[b.key]:
                problems.append(f"{a.key} and {b.key} are the same folder ({a.path})")
            elif real[a.key].is_relative_to(real[b.key]):
                problems.append(f"{a.key} ({a.path}) lies inside {b.key} ({b.path})")
            elif real[b.key].is_relative_to(real[a.key]):
                problems.append(f"{b.key} ({b.path}) lies inside {a.key} ({a.path})")
        if real[a.key].is_relative_to(staging):
            problems.append(f"{a.key} ({a.path}) lies inside staging_root")
    if problems:
        raise SettingsError(
            f"Invalid settings in {source}:\n  - library_roots: roots overlap: "
            + "; ".join(problems)
            + ". Each file must belong to exactly one root."
        )


def _check_server_mappings(settings: Settings, source: Path) -> None:
    """A mapping must lead into the library (else no file of it is ever matched), and one
    server folder may map to one local folder only."""
    problems = []
    roots = [Path(os.path.realpath(root.path)) for root in settings.library_roots]
    for kind, server in settings.media_servers.items():
        seen: set[str] = set()
        for i, m in enumerate(server.path_mappings):
            key = f"media_servers.{kind}.path_mappings.{i}"
            prefix = m.server_path.rstrip("/\\")
            if prefix in seen:
                problems.append(f"{key}: server_path {m.server_path} is mapped twice")
            seen.add(prefix)
            local = Path(os.path.realpath(m.local_path))
            if not any(local.is_relative_to(r) or r.is_relative_to(local) for r in roots):
                problems.append(f"{key}: local_path {m.local_path} is not in any library root")
    if problems:
        raise SettingsError(
            f"Invalid settings in {source}:\n" + "\n".join(f"  - {p}" for p in problems)
        )


def load_settings(path: Path | None = None) -> Settings:
    source = path or config_path()
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(
            f"No settings file at {source}. Create one (see README: Settings) or set "
            f"{CONFIG_ENV}; `mediavault demo` writes one for the demo library."
        ) from None
    except OSError as error:
        raise SettingsError(f"Cannot read settings file {source}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SettingsError(f"Settings file {source} is not valid YAML: {error}") from None
    return parse_settings(data, source)


def read_settings_data(path: Path | None = None) -> dict[str, object]:
    """The settings file's mapping as written (relative paths stay relative), to edit and save."""
    source = path or config_path()
    load_settings(source)  # the same errors as at start-up for a file that does not load
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return dict(data)


def write_settings(settings_data: dict[str, object], path: Path) -> Path:
    """Validate a settings mapping exactly as at start-up, then replace the file atomically.

    The new text keeps the old file's comments for every top-level key (see `_render`).
    Nothing is written when the mapping is invalid (SettingsError)."""
    parse_settings(settings_data, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    text = _render(settings_data, old_text)
    if yaml.safe_load(text) != settings_data:  # the rendering must say exactly what was validated
        raise SettingsError(f"Cannot write {path}: the new text would not read back the same")
    _write_atomically(path, text)
    return path


def save_settings(settings_data: dict[str, object], path: Path) -> Path | None:
    """`write_settings` over an existing file, after copying it to `<name>.<UTC time>.bak`
    (returned; None when there was no file). Nothing at all is written when invalid."""
    parse_settings(settings_data, path)
    if not path.exists():
        write_settings(settings_data, path)
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    _write_atomically(backup, path.read_text(encoding="utf-8"))
    write_settings(settings_data, path)
    return backup


def _write_atomically(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, os.replace, fsync the folder: a reader (or a crash)
    sees the old file or the new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):")


def _render(data: dict[str, object], old_text: str) -> str:
    """YAML for `data` that keeps the old file's comments: the header, the comment lines above
    each top-level key, and a key's block verbatim (inline comments too) while its value is
    unchanged. A changed key is dumped anew under its old comments; new keys go at the end."""
    header, blocks, footer = _top_level_blocks(old_text)
    old_data = yaml.safe_load(old_text) if old_text.strip() else None
    old_values = old_data if isinstance(old_data, dict) else {}
    parts = [header]
    for key, value in data.items():
        comments, body = blocks.get(key, ("", ""))
        if body and key in old_values and old_values[key] == value:
            parts.append(comments + body)
        else:
            parts.append(comments + yaml.safe_dump({key: value}, sort_keys=False))
    return "".join([*parts, footer])


def _top_level_blocks(text: str) -> tuple[str, dict[str, tuple[str, str]], str]:
    """(header comments, key → (comment lines above it, its own lines), trailing comments)."""
    header, pending = "", ""
    blocks: dict[str, tuple[str, str]] = {}
    current: str | None = None
    for line in text.splitlines(keepends=True):
        match = _TOP_KEY.match(line)
        if match:
            current = match.group(1)
            blocks[current] = (pending, line)
            pending = ""
        elif line.startswith("#") or not line.strip():
            if current is None and not blocks:
                header += line
            else:
                pending += line
        elif current is not None:
            comments, body = blocks[current]
            blocks[current] = (comments, body + pending + line)
            pending = ""
    return header, blocks, pending
