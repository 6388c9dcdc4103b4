"""The TMDb client against the fake server on 127.0.0.1: auth, rate limit, retries, cache."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fake_tmdb import (
    API_KEY,
    READ_ACCESS_TOKEN,
    FakeTmdb,
    clear_proxy_env,
    max_in_any_window,
    running_fake_tmdb,
)

from mediavault_assets.domain.tmdb_matching import TitleIdentity
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.tmdb.cache import (
    CacheEntry,
    ResponseCache,
    load_entries,
    request_key,
    store_entries,
)
from mediavault_assets.tmdb.client import (
    SlidingWindowLimiter,
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbResource,
)
from mediavault_assets.warehouse import Warehouse


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTmdb]:
    clear_proxy_env(monkeypatch)
    with running_fake_tmdb() as server:
        yield server


def client_for(fake: FakeTmdb, **options: object) -> TmdbClient:
    settings: dict[str, object] = {"api_key": API_KEY, "backoff_seconds": 0.05, **options}
    return TmdbClient(fake.base_url, **settings)  # type: ignore[arg-type]


def movie(title: str, title_key: str, year: int | None = None, **tags: object) -> TitleIdentity:
    return TitleIdentity(f"movie|{title_key}|{year}", "movie", title, title_key, year, **tags)  # type: ignore[arg-type]


def test_api_key_and_bearer_token_authenticate(fake: FakeTmdb) -> None:
    with client_for(fake) as client:
        assert client.get("/movie/603")["title"] == "The Matrix"
    with TmdbClient(fake.base_url, read_access_token=READ_ACCESS_TOKEN) as client:
        assert client.get("/movie/78")["title"] == "Blade Runner"
    assert [r.status for r in fake.requests] == [200, 200]
    assert all("api_key" not in r.params for r in fake.requests)


def test_wrong_key_is_an_auth_error_that_names_no_key(fake: FakeTmdb) -> None:
    with client_for(fake, api_key="wrong-key-123") as client, pytest.raises(TmdbAuthError) as error:
        client.get("/movie/603")
    assert "wrong-key-123" not in str(error.value)
    assert len(fake.requests) == 1  # a 401 is not retried


def test_burst_never_exceeds_the_limit_in_any_window(fake: FakeTmdb) -> None:
    limit, window = 10, 1.0
    with client_for(fake, requests_per_window=limit, window_seconds=window) as client:
        for n in range(60):
            client.get("/movie/603", {"burst": n})  # distinct keys: no cache hits
    arrivals = [r.at for r in fake.requests]
    assert len(arrivals) == 60
    assert max_in_any_window(arrivals, window) <= limit
    # ...and the limiter does not dawdle: 60 requests need just over 5 windows.
    assert arrivals[-1] - arrivals[0] < 5 * window + 1.5


def test_limiter_holds_across_threads() -> None:
    limiter = SlidingWindowLimiter(5, 0.2)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            with limiter.slot():
                with lock:
                    starts.append(time.monotonic())
                time.sleep(0.01)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 40
    assert max_in_any_window(starts, 0.2) <= 5


def test_429_waits_for_retry_after(fake: FakeTmdb) -> None:
    fake.fail_next(429, retry_after="1")
    with client_for(fake) as client:
        assert client.get("/movie/603")["id"] == 603
        assert (client.requests_sent, client.retries) == (2, 1)
    first, second = fake.requests
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0


def test_429_without_retry_after_backs_off(fake: FakeTmdb) -> None:
    fake.fail_next(429)
    with client_for(fake) as client:
        assert client.get("/movie/603")["id"] == 603
    assert [r.status for r in fake.requests] == [429, 200]


def test_500s_are_retried_with_growing_backoff(fake: FakeTmdb) -> None:
    fake.fail_next(500, times=2)
    with client_for(fake) as client:
        assert client.get("/movie/603")["id"] == 603
        assert client.retries == 2
    a, b, c = fake.requests
    assert [r.status for r in (a, b, c)] == [500, 500, 200]
    assert b.at - a.at >= 0.05 and c.at - b.at >= 0.1


def test_persistent_500s_give_up_with_a_clear_error(fake: FakeTmdb) -> None:
    fake.fail_next(503, times=10)
    with client_for(fake, max_retries=2) as client, pytest.raises(TmdbError) as error:
        client.get("/movie/603")
    assert "/movie/603" in str(error.value) and "3 attempts" in str(error.value)
    assert API_KEY not in str(error.value)
    assert len(fake.requests) == 3


def test_a_slow_response_times_out_and_is_retried(fake: FakeTmdb) -> None:
    fake.delay_next(2.0)  # far beyond the timeout, so a busy test machine cannot blur it
    with client_for(fake, timeout_seconds=0.3) as client:
        assert client.get("/movie/603")["id"] == 603
        assert client.retries == 1
    assert len(fake.requests) == 2


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TmdbClient(
        f"http://127.0.0.1:{port}/3", api_key=API_KEY, max_retries=2, backoff_seconds=0.01
    )
    with client, pytest.raises(TmdbError, match="ConnectError"):
        client.get("/movie/603")
    assert client.requests_sent == 3


def test_api_key_never_reaches_the_logs(fake: FakeTmdb, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next(500)
    with client_for(fake) as client:
        client.get("/search/movie", {"query": "Inception"})
        client.get("/movie/999999")  # 404
    assert "HTTP Request" in caplog.text  # httpx did log the requests...
    assert API_KEY not in caplog.text  # ...with the key masked
    assert "api_key=***" in caplog.text


def test_the_cache_answers_repeats_and_remembers_404s(fake: FakeTmdb) -> None:
    cache = ResponseCache(ttl=timedelta(days=1))
    with client_for(fake, cache=cache) as client:
        for _ in range(2):
            assert client.get("/movie/603")["id"] == 603
            assert client.get("/movie/999999") is None
    assert fake.paths() == ["/movie/603", "/movie/999999"]
    assert cache.hits == 2
    assert {e.status_code for e in cache.new_entries} == {200, 404}
    assert all(API_KEY not in e.request_key for e in cache.new_entries)


def test_expired_entries_are_asked_again(fake: FakeTmdb) -> None:
    now = utc_now()
    stale = CacheEntry(request_key("/movie/603"), 603, 200, '{"id": 603}', now, now)
    with client_for(fake, cache=ResponseCache([stale], ttl=timedelta(days=1))) as client:
        assert client.get("/movie/603")["title"] == "The Matrix"
    assert fake.paths() == ["/movie/603"]


def test_cache_round_trip_through_the_warehouse(warehouse: Warehouse) -> None:
    now = utc_now()
    ttl = timedelta(days=30)
    search = request_key("/search/movie", {"query": "The Matrix", "year": 1999})
    entries = [
        CacheEntry(search, None, 200, '{"results": [{"id": 603}]}', now, now + ttl),
        CacheEntry(
            "/movie/603?append_to_response=credits", 603, 200, '{"id": 603}', now, now + ttl
        ),
        CacheEntry("/movie/604", 604, 200, '{"id": 604}', now, now + ttl),  # not referenced
        CacheEntry("/search/movie?query=Old", None, 200, '{"results": []}', now, now),  # expired
    ]
    with warehouse.transaction() as con:
        store_entries(con, entries, now - timedelta(seconds=1))
    loaded = load_entries(warehouse, [search, "/search/movie?query=Old"], [], now)
    assert sorted(e.request_key for e in loaded) == sorted([search, entries[1].request_key])
    with warehouse.transaction() as con:  # a later run prunes what has expired
        store_entries(con, [], now + timedelta(seconds=1))
    assert warehouse.frame("SELECT count(*) AS n FROM tmdb_cache")["n"][0] == 3


def test_resolve_movie_show_tags_and_ambiguity(fake: FakeTmdb) -> None:
    red_dwarf = TitleIdentity(
        "tv|red dwarf|", "tv", "Red Dwarf", "red dwarf", episodes=((1, 1), (1, 2))
    )
    with client_for(fake) as client:
        inception = client.resolve(movie("Inception", "inception", 2010))
        show = client.resolve(red_dwarf)
        tagged = client.resolve(movie("The Matrix", "the matrix", tmdb_id=603))
        by_imdb = client.resolve(movie("Amelie", "amelie", imdb_id="tt0211915"))
        off_by_one = client.resolve(movie("Parasite", "parasite", 2020))
        ambiguous = client.resolve(movie("The Thing", "the thing"))
        missing = client.resolve(movie("Home Video", "home video", 2003))
    assert (inception.decision.tmdb_id, inception.details["runtime"]) == (27205, 148)
    assert inception.details["credits"]["cast"][0]["name"] == "Leonardo DiCaprio"
    assert (show.decision.tmdb_id, sorted(show.seasons)) == (326, [1])
    assert (tagged.decision.tmdb_id, tagged.decision.confidence) == (603, 1.0)
    assert (by_imdb.decision.tmdb_id, by_imdb.details["original_language"]) == (194, "fr")
    assert (off_by_one.decision.tmdb_id, off_by_one.decision.confidence) == (496243, 0.85)
    assert ambiguous.decision.status == "ambiguous" and ambiguous.details is None
    assert missing.decision.status == "unmatched"
    assert fake.paths() == [
        "/search/movie",
        "/movie/27205",
        "/search/tv",
        "/tv/326",
        "/tv/326/season/1",
        "/movie/603",
        "/find/tt0211915",
        "/movie/194",
        "/search/movie",  # with year 2020: nothing
        "/search/movie",  # without the year
        "/movie/496243",
        "/search/movie",
        "/search/movie",
        "/search/movie",
    ]


def test_resource_without_credentials_gives_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TMDB_API_KEY", "TMDB_READ_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    resource = TmdbResource()
    assert not resource.has_credentials()
    assert resource.client(ResponseCache(ttl=resource.cache_ttl)) is None
