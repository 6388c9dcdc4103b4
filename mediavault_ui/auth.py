"""Who is reviewing: password hashes for `review_users`, the login check, and media-route tokens.

Hashes are ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` (hashlib.pbkdf2_hmac, SHA-256),
compared in constant time. The media routes are plain HTTP beside Streamlit's websocket, so a
logged-in session gets a short-lived signed token to put in its video and thumbnail URLs; the
signing key lives only in this process's memory (a restart signs everyone's media URLs out).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import ipaddress
import secrets
import time

from mediavault_assets.settings import ReviewUser, Settings

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
TOKEN_TTL_SECONDS = 12 * 3600
_SIGNING_KEY = secrets.token_bytes(32)
# Unknown user names still cost one hash, so response time does not reveal which names exist.
_DUMMY_HASH = f"{ALGORITHM}$1000${'00' * 16}${'00' * 32}"


def hash_password(plain: str, *, iterations: int = ITERATIONS) -> str:
    """A salted hash for the settings file's `review_users[].password_hash`."""
    if not plain:
        raise ValueError("the password must not be empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", plain.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(plain: str, encoded: str) -> bool:
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
        if algorithm != ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", plain.encode("utf-8"), bytes.fromhex(salt), int(iterations)
        )
        return hmac.compare_digest(digest, bytes.fromhex(expected))
    except ValueError:
        return False


def authenticate(users: list[ReviewUser], username: str, password: str) -> str | None:
    """The user name when the password matches its hash, else None."""
    user = next((u for u in users if hmac.compare_digest(u.username, username)), None)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user.username if user and ok else None


def local_reviewer() -> str:
    """Who decides when the app serves 127.0.0.1 without users: the OS account."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login_required(settings: Settings) -> bool:
    return bool(settings.review_users)


def media_token(username: str, *, now: float | None = None) -> str:
    """A token for this user's media URLs, valid TOKEN_TTL_SECONDS."""
    expires = int((now or time.time()) + TOKEN_TTL_SECONDS)
    payload = f"{expires}:{username}"
    return f"{payload}:{_sign(payload)}"


def token_user(token: str | None, *, now: float | None = None) -> str | None:
    """The user a valid, unexpired token was made for, else None."""
    if not token:
        return None
    expires, _, rest = token.partition(":")
    username, _, signature = rest.rpartition(":")
    if not (expires.isdigit() and username and signature):
        return None
    if not hmac.compare_digest(signature, _sign(f"{expires}:{username}")):
        return None
    return username if int(expires) > (now or time.time()) else None


def _sign(payload: str) -> str:
    return hmac.new(_SIGNING_KEY, payload.encode("utf-8"), hashlib.sha256).hexdigest()
