"""Who is reviewing: password hashes for `review_users`, the sign-in check, and media-route tokens.

Hashes are ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` (hashlib.pbkdf2_hmac, SHA-256),
compared in constant time, as bytes (`hmac.compare_digest` raises on non-ASCII `str`). Sign-ins
go through a `SignInGuard`: failures back off per user name and per client, and only one
password is verified at a time, so parallel guesses cannot take a NAS's cores.

The media routes are plain HTTP beside Streamlit's websocket, so a signed-in session gets a
short-lived signed token for its video and thumbnail URLs. A token names its sign-in session:
signing out ends the session and every token made for it, and a token only works while its user
is still active. Sessions are rows of the app store's `sessions` (user_store.py: who signed in,
from where, until when, revoked on sign-out); the signing key lives only in this process's memory
(a restart signs everyone's media URLs out).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from mediavault_assets.settings import ReviewUser, Settings
from mediavault_assets.user_store import UserStore

log = logging.getLogger(__name__)

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
# A page refreshes its token on every run; a link copied out of the page stops working soon.
TOKEN_TTL_SECONDS = 3600
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_SIGNING_KEY = secrets.token_bytes(32)


def hash_password(plain: str, *, iterations: int = ITERATIONS) -> str:
    """A salted hash for the settings file's `review_users[].password_hash`."""
    if not plain:
        raise ValueError("the password must not be empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", _utf8(plain), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(plain: str, encoded: str) -> bool:
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
        if algorithm != ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", _utf8(plain), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(digest, bytes.fromhex(expected))
    except ValueError:
        return False


def authenticate(users: list[ReviewUser], username: str, password: str) -> str | None:
    """The user name when the password matches its hash, else None.

    An unknown name is checked against a dummy hash of the users' own cost, so the response
    time does not reveal which names exist."""
    user = next((u for u in users if same_text(u.username, username)), None)
    ok = verify_password(password, user.password_hash if user else _dummy_hash(users))
    return user.username if user and ok else None


def same_text(a: str, b: str) -> bool:
    """Constant-time equality of two strings, whatever characters they hold."""
    return hmac.compare_digest(_utf8(a), _utf8(b))


def _utf8(text: str) -> bytes:
    # surrogatepass: a lone surrogate from a query string compares unequal instead of raising.
    return text.encode("utf-8", "surrogatepass")


def _dummy_hash(users: Iterable[ReviewUser]) -> str:
    costs = [_iterations(u.password_hash) for u in users]
    return f"{ALGORITHM}${max(costs, default=ITERATIONS)}${'00' * 16}${'00' * 32}"


def _iterations(encoded: str) -> int:
    parts = encoded.split("$")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else ITERATIONS


class SignInRefused(Exception):
    """A sign-in that was not checked (too many failures, or too many at once); `str()` says
    so to the person."""


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class SignInGuard:
    """Growing delays after failed sign-ins, per user name and per client, and a cap on
    concurrent password checks (PBKDF2 is meant to be expensive)."""

    def __init__(
        self,
        *,
        free_failures: int = 3,
        base_delay_s: float = 1.0,
        max_delay_s: float = 300.0,
        parallel: int = 1,
        busy_wait_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.busy_wait_s = busy_wait_s
        self._clock = clock
        self._slots = threading.BoundedSemaphore(parallel)
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def sign_in(
        self, users: list[ReviewUser], username: str, password: str, client: str | None
    ) -> str | None:
        """`authenticate`, unless this user name or client must wait (SignInRefused)."""
        keys = [f"user:{username}"] + ([f"client:{client}"] if client else [])
        wait = max(self._wait(key) for key in keys)
        if wait > 0:
            log.warning("sign-in as %r from %s refused: backing off", username, client)
            raise SignInRefused(f"Too many failed sign-ins: try again in {math.ceil(wait)} s.")
        if not self._slots.acquire(timeout=self.busy_wait_s):
            log.warning("sign-in as %r from %s refused: too many at once", username, client)
            raise SignInRefused("Too many sign-ins at once: try again in a moment.")
        try:
            user = authenticate(users, username, password)
        finally:
            self._slots.release()
        with self._lock:
            if user:
                for key in keys:
                    self._failures.pop(key, None)
                return user
            now = self._clock()
            self._forget_old(now)
            for key in keys:
                entry = self._failures.setdefault(key, _Failures(0, now))
                entry.count, entry.last = entry.count + 1, now
        log.warning("failed sign-in as %r from %s", username, client)
        return None

    def _delay(self, count: int) -> float:
        over = count - self.free_failures
        return 0.0 if over < 0 else min(self.base_delay_s * 2**over, self.max_delay_s)

    def _wait(self, key: str) -> float:
        with self._lock:
            entry = self._failures.get(key)
            if entry is None:
                return 0.0
            return entry.last + self._delay(entry.count) - self._clock()

    def _forget_old(self, now: float) -> None:
        # Failures older than the longest delay no longer count: the map cannot grow unbounded
        # under a stream of made-up names.
        if len(self._failures) > 1000:
            horizon = now - 2 * self.max_delay_s
            for key in [k for k, e in self._failures.items() if e.last < horizon]:
                del self._failures[key]


SIGN_IN = SignInGuard()


def local_reviewer() -> str:
    """Who decides when the app serves 127.0.0.1 without users: the OS account."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, allowed_hosts: Iterable[str] = ()) -> bool:
    """Whether a request's Host header names this machine's loopback (or a configured name).

    A page on any web site can reach 127.0.0.1 through a DNS name it re-points there (DNS
    rebinding); its requests still carry that site's name in Host. A request without Host
    comes from no browser."""
    if host_header is None:
        return True
    name = host_header.strip().lower()
    if name.startswith("["):  # [::1]:8501
        name = name[1 : name.find("]")] if "]" in name else ""
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".")
    return is_loopback(name) or name in {h.lower().rstrip(".") for h in allowed_hosts}


def user_store(settings: Settings) -> UserStore:
    """The app store's users, with the settings file's review_users synced in."""
    store = UserStore(settings.app_store_path)
    store.sync_settings_users(settings.review_users)
    return store


def login_required(settings: Settings, store: UserStore | None = None) -> bool:
    """Whether anyone can sign in with a password (settings' review_users or app-made users)."""
    return bool(settings.review_users) or bool((store or user_store(settings)).sign_in_users())


def start_session(
    store: UserStore,
    username: str,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """A new sign-in session of `username`, recorded in the store, for media_token."""
    return store.start_session(
        username, ttl_seconds=TOKEN_TTL_SECONDS, ip_address=ip_address, user_agent=user_agent
    )


def end_session(store: UserStore, session: str | None) -> None:
    """Sign-out: the session is revoked, so every media token of it stops working at once."""
    store.end_session(session)


def media_token(
    store: UserStore, session: str, username: str, *, now: float | None = None
) -> str | None:
    """A token for this session's media URLs, valid TOKEN_TTL_SECONDS; None once the session
    has ended (signed out, expired, or its user disabled)."""
    moment = now or time.time()
    expires = int(moment + TOKEN_TTL_SECONDS)
    if store.session_user(session, at=_utc(moment)) != username:
        return None
    store.extend_session(session, _utc(expires))
    payload = f"{expires}:{session}:{username}"
    return f"{payload}:{_sign(payload)}"


def token_user(token: str | None, store: UserStore, *, now: float | None = None) -> str | None:
    """The user a valid, unexpired token of a live session was made for."""
    if not token:
        return None
    expires, _, rest = token.partition(":")
    session, _, rest = rest.partition(":")
    username, _, signature = rest.rpartition(":")
    if not (expires.isascii() and expires.isdigit() and session and username and signature):
        return None
    if not same_text(signature, _sign(f"{expires}:{session}:{username}")):
        return None
    moment = now or time.time()
    if int(expires) <= moment:
        return None
    live = store.session_user(session, at=_utc(moment))
    return username if live is not None and same_text(live, username) else None


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _sign(payload: str) -> str:
    return hmac.new(_SIGNING_KEY, _utf8(payload), hashlib.sha256).hexdigest()
