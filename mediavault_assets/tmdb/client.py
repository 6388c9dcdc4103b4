"""The TMDb API over httpx: rate limit, retries, the response cache, and identity lookups.

- Credentials come from the environment only (TMDB_READ_ACCESS_TOKEN as a Bearer header, else
  TMDB_API_KEY as the api_key query parameter) and never reach a log line or an error message:
  httpx logs each URL, so its logger gets a filter that masks api_key.
- The base URL is TMDB_API_BASE_URL (default https://api.themoviedb.org/3), so a mirror or a
  fake server can stand in.
- Seed 002: 40 requests per 10 seconds. The limiter holds every sliding window to that, counting
  a request from when it starts until its response has arrived, so even the server's clock never
  sees more than the limit in a window.
- 429 waits for Retry-After; 5xx, timeouts and connection errors retry with exponential backoff.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import dagster as dg
import httpx

from mediavault_assets.domain.model import MediaType
from mediavault_assets.domain.tmdb_matching import (
    Candidate,
    MatchDecision,
    TitleIdentity,
    candidates_from_results,
    choose,
    choose_found,
    manual_match,
)
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.settings import load_tmdb_secrets, revealed
from mediavault_assets.tmdb.cache import ResponseCache, request_key

DEFAULT_REQUESTS_PER_WINDOW = 40  # seed 002
DEFAULT_WINDOW_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 30.0
_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s\"']+")


class TmdbError(RuntimeError):
    """TMDb could not answer (after retries) or answered something unusable."""


class TmdbAuthError(TmdbError):
    """TMDb refused the credentials (401): retrying cannot help."""


def redact(text: str) -> str:
    return _API_KEY_IN_TEXT.sub(r"\1***", text)


class _RedactApiKey(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message:
            record.msg, record.args = redact(message), None
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactApiKey) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactApiKey())


class SlidingWindowLimiter:
    """At most `limit` requests in any `period` seconds, across threads.

    A request holds its slot from when it starts until `period` after its response ended: then
    request n+limit starts only after request n was answered and a full period has passed, which
    bounds what the server sees as well as what the client sends.
    """

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("the rate limit needs limit >= 1 and period > 0")
        self.limit, self.period = limit, period
        self.waited_seconds = 0.0
        self._ends: deque[float] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            started = time.monotonic()
            while True:
                now = time.monotonic()
                while self._ends and self._ends[0] <= now - self.period:
                    self._ends.popleft()
                if self._in_flight + len(self._ends) < self.limit:
                    break
                self._cond.wait(self._ends[0] + self.period - now if self._ends else None)
            self.waited_seconds += time.monotonic() - started
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._ends.append(time.monotonic())
                self._cond.notify_all()


@dataclass(frozen=True, slots=True)
class Resolution:
    """What TMDb says about one identity: the decision, and the bodies to store if matched."""

    identity: TitleIdentity
    decision: MatchDecision
    details: dict[str, Any] | None = None
    seasons: dict[int, dict[str, Any]] = field(default_factory=dict)


def search_request(identity: TitleIdentity, *, with_year: bool) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"query": identity.title, "include_adult": "false"}
    if with_year and identity.year is not None:
        params["year" if identity.media_type == "movie" else "first_air_date_year"] = identity.year
    return f"/search/{identity.media_type}", params


def find_request(identity: TitleIdentity) -> tuple[str, dict[str, Any]] | None:
    if identity.imdb_id:
        return f"/find/{identity.imdb_id}", {"external_source": "imdb_id"}
    if identity.tvdb_id:
        return f"/find/{identity.tvdb_id}", {"external_source": "tvdb_id"}
    return None


# What a details request appends (one request instead of five): the certification is in a
# movie's release_dates and a show's content_ratings.
DETAILS_APPENDED: dict[MediaType, str] = {
    "movie": "credits,external_ids,release_dates,videos",
    "tv": "credits,external_ids,content_ratings,videos",
}


def details_request(tmdb_type: MediaType, tmdb_id: int) -> tuple[str, dict[str, Any]]:
    """Its cache key holds the appended parts: details cached before a part was added are
    not reused, they are fetched again."""
    return f"/{tmdb_type}/{tmdb_id}", {"append_to_response": DETAILS_APPENDED[tmdb_type]}


def first_requests(identity: TitleIdentity) -> list[tuple[str, dict[str, Any]]]:
    """The requests a lookup of this identity starts with (what the plan step preloads)."""
    if identity.known_tmdb_id:
        return [details_request(identity.media_type, identity.known_tmdb_id)]
    if found := find_request(identity):
        return [found]
    return [search_request(identity, with_year=True), search_request(identity, with_year=False)]


class TmdbClient:
    """A synchronous TMDb client; use it as a context manager so its connections are closed."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        read_access_token: str | None = None,
        cache: ResponseCache | None = None,
        requests_per_window: int = DEFAULT_REQUESTS_PER_WINDOW,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        timeout_seconds: float = 10.0,
        max_retries: int = 4,
        backoff_seconds: float = 0.5,
        max_retry_after_seconds: float = 60.0,
    ) -> None:
        if not (api_key or read_access_token):
            raise ValueError("TmdbClient needs an API key or a read access token")
        headers = {"Accept": "application/json"}
        params: dict[str, str] = {}
        if read_access_token:
            headers["Authorization"] = f"Bearer {read_access_token}"
        else:
            params["api_key"] = str(api_key)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            params=params,
            timeout=httpx.Timeout(timeout_seconds),
        )
        self.cache = cache or ResponseCache(ttl=timedelta(days=30))
        self.limiter = SlidingWindowLimiter(requests_per_window, window_seconds)
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.max_retry_after_seconds = max_retry_after_seconds
        self.requests_sent = 0
        self.retries = 0

    def __enter__(self) -> TmdbClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON body of GET path (from the cache when fresh); None when TMDb says 404."""
        key = request_key(path, params)
        entry = self.cache.get(key, utc_now())
        if entry is not None:
            return entry.json()
        response = self._send(path, dict(params or {}))
        if response.status_code == 401:
            raise TmdbAuthError(
                "TMDb refused the credentials (401): check TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN"
            )
        if response.status_code == 404:
            self.cache.put(key, 404, None, utc_now())
            return None
        if response.status_code != 200:
            raise TmdbError(f"TMDb answered {response.status_code} for {path}")
        try:
            body = response.json()
        except ValueError:
            raise TmdbError(f"TMDb sent a body that is not JSON for {path}") from None
        self.cache.put(key, 200, response.text, utc_now())
        return body

    def _send(self, path: str, params: dict[str, Any]) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            try:
                with self.limiter.slot():
                    self.requests_sent += 1
                    response = self._http.get(path, params=params)
            except httpx.TransportError as error:  # connect errors, timeouts, broken responses
                failure, delay = type(error).__name__, self._backoff(attempt)
            else:
                if response.status_code == 429:
                    failure, delay = "429 Too Many Requests", self._retry_after(response, attempt)
                elif response.status_code >= 500:
                    failure, delay = f"{response.status_code}", self._backoff(attempt)
                else:
                    return response
            if attempt == self.max_retries:
                break
            self.retries += 1
            time.sleep(delay)
        raise TmdbError(f"TMDb request {path} failed after {attempt + 1} attempts ({failure})")

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_seconds * 2**attempt, MAX_BACKOFF_SECONDS)

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        value = response.headers.get("Retry-After", "").strip()
        seconds: float | None = None
        if value.replace(".", "", 1).isdigit():
            seconds = float(value)
        elif value:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
        if seconds is None:
            return self._backoff(attempt)
        return min(max(seconds, 0.0), self.max_retry_after_seconds)

    def resolve(self, identity: TitleIdentity) -> Resolution:
        """Match an identity (ID tag, else search) and fetch the matched title's details and the
        seasons its episodes are in."""
        decision = self._decide(identity)
        if decision.status != "matched" or decision.tmdb_id is None:
            return Resolution(identity, decision)
        tmdb_type = decision.tmdb_type or identity.media_type
        details = self.get(*details_request(tmdb_type, decision.tmdb_id))
        if details is None:
            return Resolution(
                identity,
                MatchDecision("unmatched", f"TMDb has no {tmdb_type} {decision.tmdb_id}"),
            )
        seasons: dict[int, dict[str, Any]] = {}
        if tmdb_type == "tv":
            for number in identity.seasons:
                season = self.get(f"/tv/{decision.tmdb_id}/season/{number}")
                if season is not None:
                    seasons[number] = season
        return Resolution(identity, decision, details, seasons)

    def _decide(self, identity: TitleIdentity) -> MatchDecision:
        if known := manual_match(identity):
            return known
        if found := find_request(identity):
            external_id = found[0].removeprefix("/find/")
            return choose_found(self.get(*found) or {}, identity.media_type, external_id)
        decision = choose(self._search(identity, with_year=True), identity.title_key, identity.year)
        if decision.status == "unmatched" and identity.year is not None:
            # TMDb's year filter misses titles it dates differently (festival vs release).
            decision = choose(
                self._search(identity, with_year=False), identity.title_key, identity.year
            )
        return decision

    def _search(self, identity: TitleIdentity, *, with_year: bool) -> list[Candidate]:
        body = self.get(*search_request(identity, with_year=with_year)) or {}
        return candidates_from_results(body.get("results") or [], identity.media_type)


class TmdbResource(dg.ConfigurableResource):
    """TMDb access. Credentials and base URL are read from the environment when a client is
    made, so a missing key means "skip enrichment", never a failed run."""

    requests_per_window: int = DEFAULT_REQUESTS_PER_WINDOW
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    timeout_seconds: float = 10.0
    max_retries: int = 4
    backoff_seconds: float = 0.5
    max_retry_after_seconds: float = 60.0
    cache_ttl_days: float = 30.0

    @property
    def cache_ttl(self) -> timedelta:
        return timedelta(days=self.cache_ttl_days)

    def has_credentials(self) -> bool:
        return load_tmdb_secrets().has_tmdb

    def client(self, cache: ResponseCache) -> TmdbClient | None:
        """A client over `cache`, or None when neither TMDB_API_KEY nor
        TMDB_READ_ACCESS_TOKEN is set."""
        secrets = load_tmdb_secrets()
        if not secrets.has_tmdb:
            return None
        return TmdbClient(
            secrets.tmdb_api_base_url,
            api_key=revealed(secrets.tmdb_api_key),
            read_access_token=revealed(secrets.tmdb_read_access_token),
            cache=cache,
            requests_per_window=self.requests_per_window,
            window_seconds=self.window_seconds,
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            backoff_seconds=self.backoff_seconds,
            max_retry_after_seconds=self.max_retry_after_seconds,
        )
