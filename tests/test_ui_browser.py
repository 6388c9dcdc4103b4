"""The review app in headless Chromium (Debian's package) against `streamlit run`, on the demo.

Opens every page and saves a screenshot of each to test-artifacts/ui/, plays both videos of a
group in step on Compare, makes decisions (by click and by keyboard shortcut) and checks they
reached the review store, and checks the st.App media route of the live server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_ui_app import (
    FakeDagster,
    RunningDagster,
    copy_snapshot,
    first_proposal,
    free_port,
    stage_in_snapshot,
    staged_library,
    ui_settings,
)

from mediavault_assets.orchestration import prepare_dagster_home
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.reviewing import queue_entries
from mediavault_assets.settings import CONFIG_ENV, load_settings
from mediavault_assets.user_store import UserStore
from mediavault_ui import auth

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
PAGES = [
    "dashboard",
    "library",
    "duplicates",
    "compare",
    "review",
    "scans",
    "settings",
    "chat",
    "watching",
]
TITLES = {"chat": "Chat with your data"}


class App:
    def __init__(self, url: str, settings_file: Path, store: Path, demo: Any) -> None:
        self.url = url
        self.settings_file = settings_file
        self.store = ReviewStore(store)
        self.demo = demo

    def group(self, where: str) -> int:
        return int(self.demo.query(f"SELECT id FROM duplicate_groups WHERE {where}")["id"][0])


@contextmanager
def streamlit_server(settings_file: Path, log_file: Path) -> Iterator[str]:
    """`streamlit run mediavault_ui/app.py` (what `mediavault ui` runs) on a free 127.0.0.1
    port; yields its URL and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "mediavault_ui" / "app.py")]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with log_file.open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "MEDIAVAULT_CONFIG": str(settings_file)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{url}/_stcore/health", server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, refreshed_demo: Any) -> Iterator[App]:
    """The app on a private copy of the demo snapshot (one file journaled as staged), with a
    fake Dagster that has some finished runs."""
    base = tmp_path_factory.mktemp("ui-browser")
    warehouse = copy_snapshot(refreshed_demo, base / "data")
    stage_in_snapshot(warehouse, first_proposal(warehouse))
    with FakeDagster() as dagster:
        for key in refreshed_demo.settings.root_keys:
            tags = {"executionMetadata": {"tags": [{"key": "dagster/partition", "value": key}]}}
            dagster.add_run(f"scan-{key}", "scan_library_root", "SUCCESS", tags)
        dagster.add_run("analysis", "analyze_library", "SUCCESS")
        settings_file = ui_settings(
            base, refreshed_demo, warehouse=warehouse, dagster_url=dagster.url
        )
        with streamlit_server(settings_file, base / "streamlit.log") as url:
            yield App(url, settings_file, base / "review.sqlite", refreshed_demo)


def _wait_for(url: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("streamlit exited before serving")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


_BUSY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return true;
    if (document.querySelector('[data-testid="stSkeleton"]')) return true;
    // Charts draw after the run: wait until each has its canvas or svg.
    return [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .some(c => !c.querySelector('canvas, svg'));
}"""


def settle(tab: Any, timeout: float = 60) -> None:
    """Wait until the script run is over and nothing is still drawing (three quiet checks)."""
    tab.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3:
        if time.monotonic() > deadline:
            raise TimeoutError("the page kept running")
        quiet = 0 if _busy(tab, deadline - time.monotonic()) else quiet + 1
        time.sleep(0.3)


def _busy(tab: Any, seconds_left: float) -> bool:
    """_BUSY, with a timeout: page.evaluate has none, so a renderer stuck in a script would hang
    the test (and CI) for ever. wait_for_function's timer runs in the driver; an object is
    truthy, so it returns at the first evaluation."""
    handle = tab.wait_for_function(
        f"() => ({{busy: ({_BUSY})()}})", timeout=max(seconds_left, 1) * 1000
    )
    return bool(handle.json_value()["busy"])


def screenshot(tab: Any, name: str) -> Path:
    """The whole page: grow the viewport to the content's height (the main area scrolls
    inside the page, so a plain full-page shot would cut it)."""
    # A page with a chat input scrolls in its own container instead of stMain.
    height = tab.evaluate(
        "() => Math.max(...['stMain', 'stAppScrollToBottomContainer'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
    )
    tab.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 4000))})
    time.sleep(0.8)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path))
    tab.set_viewport_size({"width": 1440, "height": 1000})
    return path


def sign_in(tab: Any, user: str, *, then: str, password: str = "pw") -> None:
    """Sign in on the form the app shows, wait for the Dashboard, then open the page `then`."""
    tab.get_by_label("User name").fill(user)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Dashboard").wait_for(timeout=30_000)
    tab.get_by_role("link", name=then).click()


def open_page(tab: Any, app: App, path: str) -> None:
    tab.goto(f"{app.url}/{path}")
    settle(tab)
    assert tab.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_and_is_captured(page: Any, app: App, name: str) -> None:
    thumbs: list[int] = []
    page.on("response", lambda r: thumbs.append(r.status) if "/api/thumb/" in r.url else None)
    open_page(page, app, "" if name == "dashboard" else name)
    assert page.locator("h1").first.inner_text() == TITLES.get(name, name.capitalize())
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    if name == "library":
        page.wait_for_timeout(1500)  # the grid asks for its images once drawn
        assert thumbs and all(status == 200 for status in thumbs)
    if name == "chat":  # no API key: the built-in answers, from the same read-only SQL
        page.get_by_role("button", name="How many 4K movies do I have?").click()
        page.locator('[data-testid="stChatMessage"]').nth(1).wait_for(timeout=30_000)
        settle(page)
        answer = page.locator('[data-testid="stChatMessage"]').nth(1).inner_text()
        assert "4K" in answer and "SELECT" in answer, answer
    if name == "review":
        page.get_by_role("tab", name="Staged files (1)").click()
        settle(page)
        screenshot(page, "review-staged")
        page.get_by_role("tab", name="Deletion plan (8)").click()
        settle(page)
    assert screenshot(page, name).stat().st_size > 10_000


def _videos(tab: Any) -> list[dict[str, Any]]:
    return tab.locator("video").evaluate_all(
        "vs => vs.map(v => ({t: v.currentTime, paused: v.paused, ready: v.readyState,"
        " duration: v.duration, src: v.currentSrc}))"
    )


def test_compare_plays_both_videos_in_sync(page: Any, app: App) -> None:
    # Inception: the 4K HEVC/EAC3 keeper needs a preview clip, the 1080p H.264 plays as it is.
    group = app.group("show_name = 'Inception'")
    open_page(page, app, f"compare?group={group}")
    # The player lives in a shadow root: locators pierce it, document.querySelector does not.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        videos = _videos(page)
        if len(videos) == 2 and all(v["ready"] >= 2 for v in videos):
            break
        time.sleep(0.3)
    assert len(videos) == 2 and all(v["ready"] >= 2 for v in videos), videos
    assert all("/api/video/" in v["src"] for v in videos)
    page.locator('button[data-act="play"]').click()
    page.wait_for_timeout(700)
    playing = _videos(page)
    assert all(not v["paused"] and v["t"] > 0.2 for v in playing), playing
    assert abs(playing[0]["t"] - playing[1]["t"]) < 0.3, playing
    page.locator('button[data-act="play"]').click()  # pause both
    page.wait_for_timeout(200)
    paused = _videos(page)
    assert all(v["paused"] for v in paused)
    assert abs(paused[0]["t"] - paused[1]["t"]) < 0.3, paused
    page.locator('button[data-act="jump"][data-pct="0.5"]').click()
    page.wait_for_timeout(300)
    middle = _videos(page)
    span = min(v["duration"] for v in middle)
    assert all(abs(v["t"] - span / 2) < 0.15 for v in middle), middle
    page.locator('button[data-act="back"]').click()  # −10 s clamps at the start
    page.wait_for_timeout(300)
    assert all(v["t"] == 0 for v in _videos(page))
    page.locator('button[data-act="jump"][data-pct="0.5"]').click()
    page.wait_for_timeout(300)
    screenshot(page, "compare-playing")


def test_decisions_reach_the_review_store(page: Any, app: App) -> None:
    group = app.group("show_name = 'Red Dwarf' AND episode_number = 1")
    open_page(page, app, f"compare?group={group}")
    members = app.demo.query(
        f"SELECT file_id, is_primary FROM duplicate_members WHERE group_id = {group}"
    )
    keeper = members.filter(members["is_primary"])["file_id"][0]
    page.get_by_label("Notes (saved with the decision)").fill("checked in the browser")
    page.get_by_role("button", name="Keep Left").click()
    page.get_by_text("Saved by").wait_for(timeout=30_000)
    settle(page)
    decisions = app.store.decisions()
    assert decisions[keeper].decision == "keep"
    assert {d.file_id for d in decisions.values() if d.decision == "stage"} == set(
        members["file_id"]
    ) - {keeper}
    assert decisions[keeper].notes == "checked in the browser"
    page.mouse.move(0, 0)  # no tooltip in the picture
    screenshot(page, "compare-after-decision")
    # On to another group still to review.
    assert int(page.evaluate("() => new URLSearchParams(location.search).get('group')")) != group

    # The keyboard: "2" is Keep Right.
    shown = app.group("show_name = 'The Matrix'")
    open_page(page, app, f"compare?group={shown}")
    page.locator("h1").click()  # focus the page, not an input
    page.keyboard.press("2")
    # Keeping the Spanish copy would stage the only English one: the page asks first.
    confirm = page.get_by_role("button", name="Stage anyway")
    confirm.wait_for(timeout=30_000)
    assert "only English-audio copy" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert len(app.store.user_decisions()) == 1
    confirm.click()
    deadline = time.monotonic() + 30
    while len(app.store.user_decisions()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    logged = app.store.user_decisions()
    assert [d["duplicate_group_id"] for d in logged] == [group, shown]


def test_review_approves_rows_selected_in_the_grid(page: Any, app: App) -> None:
    staged_before = sum(d.decision == "stage" for d in app.store.decisions().values())
    open_page(page, app, "review")
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    for row in (0, 1):  # the selection checkboxes of the first two rows (35 px rows)
        page.mouse.click(grid["x"] + 16, grid["y"] + 35 * (row + 1) + 17)
        settle(page)
    page.get_by_text("2 selected").wait_for(timeout=30_000)
    page.get_by_label("Notes for this decision").fill("both obviously worse")
    page.mouse.move(0, 0)
    screenshot(page, "review-selected")
    page.get_by_role("button", name="Approve selected").click()
    page.get_by_text("Approved 2 file(s) for staging").wait_for(timeout=30_000)
    decisions = app.store.decisions().values()
    assert sum(d.decision == "stage" for d in decisions) == staged_before + 2
    assert sum(d.notes == "both obviously worse" for d in decisions) == 2


def test_the_review_queue_resolves_an_item_of_one_kind(page: Any, app: App) -> None:
    settings = load_settings(app.settings_file)
    pending = [e.item for e in queue_entries(settings, status="pending")]
    kind = next(i.kind for i in pending if i.kind != "plan_review")
    of_kind = [i for i in pending if i.kind == kind]
    open_page(page, app, "review")
    page.get_by_role("tab", name=f"Review queue ({len(pending)})").click()
    settle(page)
    page.locator('[data-testid="stMultiSelect"]:visible').filter(has_text="Kind").click()
    page.get_by_role("option", name=kind).click()
    page.keyboard.press("Escape")
    settle(page)
    grid = page.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]')
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's checkbox
    settle(page)
    page.mouse.move(0, 0)
    screenshot(page, "review-queue-selected")
    page.get_by_role("button", name="Resolve 1 selected").click()
    page.get_by_text(f"Resolved 1 queue item(s) as {auth.local_reviewer()}").wait_for(
        timeout=30_000
    )
    settle(page)
    answer = app.store.queue_resolutions()[of_kind[0].item_key]
    assert (answer.status, answer.reviewer) == ("resolved", auth.local_reviewer())
    answered_at = datetime.fromisoformat(answer.resolved_at)
    assert abs(answered_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    assert page.get_by_role("tab", name=f"Review queue ({len(pending) - 1})").is_visible()
    page.get_by_role("tab", name=f"Review queue ({len(pending) - 1})").click()
    settle(page)
    page.mouse.move(0, 0)
    screenshot(page, "review-queue-resolved")


def test_the_live_video_route_answers_ranges_and_refuses_unknown_ids(app: App) -> None:
    file_id = app.demo.query(
        "SELECT file_id FROM inventory_files WHERE relative_path LIKE '%Blade.Runner.1982.1080p%'"
    )["file_id"][0]
    request = urllib.request.Request(
        f"{app.url}/api/video/{file_id}", headers={"Range": "bytes=0-99"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206 and len(response.read()) == 100
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{app.url}/api/video/12345", timeout=10)
    assert refused.value.code == 404


def test_a_deep_link_asks_users_to_sign_in_first(
    browser: Any, tmp_path: Path, refreshed_demo: Any
) -> None:
    users = [{"username": "alice", "password_hash": auth.hash_password("pw", iterations=1000)}]
    settings_file = ui_settings(tmp_path, refreshed_demo, review_users=users)
    with streamlit_server(settings_file, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        tab = context.new_page()
        thumbs: list[int] = []
        tab.on("response", lambda r: thumbs.append(r.status) if "/api/thumb/" in r.url else None)
        tab.goto(f"{url}/library")
        settle(tab)
        assert tab.get_by_text("Sign in to review").is_visible()
        assert tab.locator('[data-testid="stDataFrame"]').count() == 0
        screenshot(tab, "sign-in")
        sign_in(tab, "alice", then="Library")
        tab.get_by_role("heading", name="Library").wait_for(timeout=30_000)
        settle(tab)
        tab.wait_for_timeout(1500)
        # The thumbnails carry the session's media token: the route serves them (200).
        assert thumbs and all(status == 200 for status in thumbs), thumbs
        context.close()


def test_library_rates_tags_and_searches(page: Any, app: App) -> None:
    from mediavault_assets.curation_store import CurationStore

    curation = CurationStore(app.store.path)
    before = curation.scores()
    open_page(page, app, "library")
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 28)  # the first row (56 px rows)
    settle(page)
    page.get_by_text("Rating and keywords").wait_for(timeout=30_000)
    slider = page.get_by_role("slider").last  # the file's rating; the filter's comes first
    slider.focus()
    for _ in range(5):  # unrated → ★★★★★ (one step a key)
        slider.press("ArrowRight")
    settle(page)
    page.get_by_text("Rated").first.wait_for(timeout=30_000)
    page.get_by_label("Add keywords").fill("Favourite, rainy sunday")
    page.get_by_role("button", name="Add").click()
    page.get_by_text("Tagged favourite, rainy sunday").wait_for(timeout=30_000)
    page.mouse.move(0, 0)
    screenshot(page, "library-rated")
    [rated] = set(curation.scores().items()) - set(before.items())
    assert rated[1] == 5
    assert {k.keyword for k in curation.keywords()} == {"favourite", "rainy sunday"}
    assert {k.file_id for k in curation.keywords()} == {rated[0]}

    page.get_by_label("Search names, titles and keywords").fill("rainy")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_text("1 files").wait_for(timeout=30_000)
    page.mouse.move(0, 0)
    assert screenshot(page, "library-curation").stat().st_size > 10_000


def test_library_groups_files_picked_on_it_as_duplicates(page: Any, app: App) -> None:
    open_page(page, app, "library")
    add = page.get_by_role("button", name="Pick the selected file for a manual group")
    for row in (0, 1):  # 56 px rows under a 35 px header
        # Clicking the button below scrolled the page: bring the grid back and measure it.
        page.locator('[data-testid="stMain"]').evaluate("main => main.scrollTo(0, 0)")
        grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 28 + 56 * row)
        settle(page)
        add.click()
        settle(page)
        page.get_by_text("Manual group", exact=True).wait_for(timeout=30_000)
    group = page.get_by_role("button", name="Group as duplicates")
    assert group.is_enabled()
    page.mouse.move(0, 0)
    screenshot(page, "library-manual-group")
    group.click()
    page.get_by_text("as manual group").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Group as duplicates").count() == 0
    (made,) = app.store.manual_groups()
    assert len(made.file_ids) == 2
    assert screenshot(page, "library-manual-grouped").stat().st_size > 10_000


def test_compare_rates_both_files_by_click_and_by_keyboard(page: Any, app: App) -> None:
    from mediavault_assets.curation_store import CurationStore

    curation = CurationStore(app.store.path)
    group = app.group("show_name = 'Red Dwarf' AND episode_number = 2")
    open_page(page, app, f"compare?group={group}")
    members = set(
        app.demo.query(f"SELECT file_id FROM duplicate_members WHERE group_id = {group}")["file_id"]
    )
    page.locator("h1").click()  # focus the page, not an input
    page.keyboard.press("Shift+4")  # the left file: ★★★★☆
    page.get_by_text("Rating, left: ★★★★☆").wait_for(timeout=30_000)
    settle(page)
    page.locator("h1").click()
    page.keyboard.press("Alt+0")  # the right file: rejected
    page.get_by_text("Rating, right: rejected").wait_for(timeout=30_000)
    settle(page)
    rated = {f: s for f, s in curation.scores().items() if f in members}
    assert sorted(rated.values()) == [-1, 4]
    # A click on the current rating clears it.
    page.get_by_role("button").filter(has_text="Shift + 4").click()
    page.get_by_text("Rating, left: unrated").wait_for(timeout=30_000)
    settle(page)
    assert sorted(s for f, s in curation.scores().items() if f in members) == [-1]
    page.mouse.move(0, 0)
    screenshot(page, "compare-rated")


def _view(tab: Any, name: str) -> None:
    """Pick a view of a segmented control (the Watching page's)."""
    tab.get_by_role("radiogroup", name="View").get_by_role("radio", name=name).click()
    settle(tab)


def test_watching_reviews_logs_plans_fields_recommends_and_searches(page: Any, app: App) -> None:
    from mediavault_assets import watching
    from mediavault_assets.settings import load_settings

    settings = load_settings(app.settings_file)
    store = watching.store_for(settings)
    red_dwarf = watching.resolve_title(settings, "Red Dwarf")
    store.review(red_dwarf, 8, by="carol", text="Sci-fi in space, hilarious", tags=["comedy"])
    open_page(page, app, "watching")
    # A title by typing its name into the title picker.
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.keyboard.type("Blade Runner")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("heading", name="Blade Runner (1982)").wait_for(timeout=30_000)
    blade_runner = watching.resolve_title(settings, "Blade Runner")

    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(3):  # 7.0 → 8.5 in steps of 0.5
        slider.press("ArrowRight")
    page.get_by_label("Review", exact=True).fill("Neo-noir sci-fi in the rain")
    page.get_by_label("Tags (comma-separated)").fill("noir, rainy")
    page.get_by_role("button", name="Save review").click()
    page.get_by_text("Review of Blade Runner saved: 8.5/10.").wait_for(timeout=30_000)
    settle(page)
    page.get_by_label("Minutes watched").fill("117")
    page.get_by_role("button", name="Log watch").click()
    page.get_by_text("Watch of Blade Runner on").wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("button", name="Plan", exact=True).click()
    page.get_by_text("Blade Runner planned for").wait_for(timeout=30_000)
    settle(page)
    [review] = store.reviews(blade_runner.media_id)
    assert (float(review.rating), review.tags) == (8.5, ["noir", "rainy"])
    assert [w.watch_duration for w in store.watches(blade_runner.media_id)] == [117]
    assert [e.media_id for e in store.events()] == [blade_runner.media_id]

    _view(page, "Custom fields")
    page.get_by_label("Name (letters, digits, _)").fill("where_to_watch")
    page.get_by_label("Label", exact=True).fill("Where to watch")
    page.get_by_role("button", name="Define field").click()
    page.get_by_text("Custom field where_to_watch (text) defined.").wait_for(timeout=30_000)
    settle(page)
    page.mouse.move(0, 0)
    screenshot(page, "watching-fields")
    _view(page, "Title")
    page.get_by_label("Where to watch").fill("Living room")
    page.get_by_role("button", name="Save fields").click()
    page.get_by_text("Custom fields of Blade Runner saved.").wait_for(timeout=30_000)
    settle(page)
    assert store.field_values(blade_runner.media_id)[blade_runner.media_id] == {
        "where_to_watch": "Living room"
    }
    page.mouse.move(0, 0)
    screenshot(page, "watching-title")

    _view(page, "Calendar")
    page.get_by_text("Blade Runner · watch").wait_for(timeout=30_000)
    screenshot(page, "watching-calendar")
    _view(page, "Recommendations")
    page.get_by_role("button", name="Recommend").click()
    page.get_by_text("used 1 times").wait_for(timeout=30_000)
    settle(page)
    page.mouse.move(0, 0)
    screenshot(page, "watching-recommendations")
    _view(page, "Search")
    page.get_by_label("What would you like to watch?").fill(
        "something like Blade Runner but funnier"
    )
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text("comedy (asked for funnier)").wait_for(timeout=30_000)
    settle(page)
    hits = page.locator('[data-testid="stMain"] strong').all_inner_texts()  # the titles found
    assert hits and hits[0] == "Red Dwarf" and "Blade Runner" not in hits, hits
    page.mouse.move(0, 0)
    assert screenshot(page, "watching-search").stat().st_size > 10_000


def test_an_admin_changes_a_threshold_and_adds_a_root(
    browser: Any, tmp_path: Path, refreshed_demo: Any
) -> None:
    users = [
        {
            "username": "ann",
            "password_hash": auth.hash_password("pw", iterations=1000),
            "admin": True,
        }
    ]
    new_root = tmp_path / "more-videos"
    new_root.mkdir()
    with FakeDagster() as dagster:
        settings_file = ui_settings(
            tmp_path, refreshed_demo, review_users=users, dagster_url=dagster.url
        )
        with streamlit_server(settings_file, tmp_path / "streamlit.log") as url:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            tab = context.new_page()
            tab.goto(f"{url}/settings")
            settle(tab)
            sign_in(tab, "ann", then="Settings")
            tab.get_by_role("heading", name="Change settings").wait_for(timeout=30_000)
            settle(tab)
            slider = tab.get_by_role("slider").first
            slider.focus()
            for _ in range(5):  # 85 → 90, one step a key press
                slider.press("ArrowRight")
            tab.get_by_role("button", name="Save settings").click()
            tab.get_by_text("Changed fuzzy_match_threshold").wait_for(timeout=30_000)
            settle(tab)
            assert load_settings(settings_file).fuzzy_match_threshold == 90

            tab.get_by_role("textbox", name="Key", exact=True).fill("more")
            tab.get_by_role("textbox", name="Mounted at", exact=True).fill(str(new_root))
            tab.get_by_role("textbox", name="NAS path (optional)").fill("/volume1/more")
            tab.get_by_role("button", name="Add root").click()
            tab.get_by_text("Added root more.").wait_for(timeout=30_000)
            settle(tab)
            settings = load_settings(settings_file)
            assert settings.root("more").nas_path == "/volume1/more"
            assert settings.fuzzy_match_threshold == 90
            assert dagster.partitions == [("library_roots", "more")]
            assert len(list(tmp_path.glob("mediavault.yaml.*.bak"))) == 2
            assert tab.get_by_text("Fuzzy match threshold: 90 %").is_visible()
            tab.mouse.move(0, 0)
            assert screenshot(tab, "settings-admin-saved").stat().st_size > 10_000
            context.close()


def test_library_groups_by_show_and_links_to_the_title_page(page: Any, app: App) -> None:
    open_page(page, app, "library")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Group by").click()
    page.get_by_role("option", name="show", exact=True).click()
    settle(page)
    show = page.locator('[data-testid="stExpander"] summary').filter(has_text="Red Dwarf")
    assert "1 season · 3 episodes · 5 files" in show.inner_text()
    show.click()
    settle(page)
    link = page.get_by_role("link", name="Open the title page")
    link.wait_for(timeout=30_000)
    page.mouse.move(0, 0)
    screenshot(page, "library-grouped-by-show")
    link.click()
    page.get_by_role("heading", name="Red Dwarf").wait_for(timeout=30_000)
    settle(page)
    red_dwarf = app.demo.query("SELECT id FROM titles WHERE name = 'Red Dwarf'")["id"][0]
    assert page.evaluate("() => new URLSearchParams(location.search).get('id')") == str(red_dwarf)
    assert page.locator("h1").first.inner_text() == "Title"
    screenshot(page, "title-show")
    # A deep link opens the title straight away.
    inception = app.demo.query("SELECT id FROM titles WHERE name = 'Inception'")["id"][0]
    open_page(page, app, f"title?id={inception}")
    page.get_by_role("heading", name="Inception (2010)").wait_for(timeout=30_000)
    screenshot(page, "title-movie")


def test_compare_chapter_seeks_each_player_to_its_own_chapter(page: Any, app: App) -> None:
    # Left: the 4K keeper, "Kick" at 1.0 s; right: the 1080p cut, "Kick" at 1.5 s.
    group = app.group("show_name = 'Inception'")
    open_page(page, app, f"compare?group={group}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        videos = _videos(page)
        if len(videos) == 2 and all(v["ready"] >= 2 for v in videos):
            break
        time.sleep(0.3)
    chapters = page.locator(".mv-chapters button")
    assert chapters.all_inner_texts() == ["1. Dream Within a Dream", "2. Kick"]
    chapters.nth(1).click()
    page.wait_for_timeout(300)
    left, right = _videos(page)
    assert abs(left["t"] - 1.0) < 0.05 and abs(right["t"] - 1.5) < 0.05, (left, right)
    assert "right +0.5 s" in page.locator(".mv-time").inner_text()
    page.mouse.move(0, 0)
    screenshot(page, "compare-chapters")
    # Playing keeps them half a second apart: each at its own chapter.
    chapters.nth(0).click()
    page.wait_for_timeout(200)
    assert all(v["t"] == 0 for v in _videos(page))
    chapters.nth(1).click()
    page.locator('button[data-act="play"]').click()
    page.wait_for_timeout(300)
    page.locator('button[data-act="play"]').click()
    left, right = _videos(page)
    assert left["t"] > 1.0 and abs(right["t"] - left["t"] - 0.5) < 0.3, (left, right)


def test_a_signed_in_reviewer_purges_a_due_file_after_confirming(
    browser: Any, tmp_path: Path
) -> None:
    users = [{"username": "pat", "password_hash": auth.hash_password("pw", iterations=1000)}]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        prepare_dagster_home(tmp_path / "dagster_home")
        staged = staged_library(tmp_path, review_users=users)
        env.setenv(CONFIG_ENV, str(staged.config))
        with RunningDagster(staged.config) as dagster:
            text = staged.config.read_text().replace(
                load_settings(staged.config).dagster_url, dagster.url
            )
            staged.config.write_text(text)
            with streamlit_server(staged.config, tmp_path / "streamlit.log") as url:
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                tab = context.new_page()
                tab.goto(f"{url}/review")
                settle(tab)
                sign_in(tab, "pat", then="Review")
                tab.get_by_role("tab", name="Due for purge (1)").wait_for(timeout=30_000)
                settle(tab)
                tab.get_by_role("tab", name="Due for purge (1)").click()
                tab.get_by_role("button", name="Purge all 1 due…").click()
                question = tab.get_by_text("for good? This cannot be undone")
                question.wait_for(timeout=30_000)
                settle(tab)
                confirmation = tab.locator('[data-testid="stMarkdownContainer"]').filter(
                    has_text="This cannot be undone"
                )
                asked = confirmation.last.inner_text()
                assert "Delete 1 file (64.0 KB) for good?" in asked, asked
                assert "Old.Copy.2001.720p.mkv" in asked and "Recent.Copy" not in asked
                tab.mouse.move(0, 0)
                screenshot(tab, "review-purge-confirm")
                assert not dagster.launched  # nothing before the confirmation
                tab.get_by_role("button", name="Confirm purge").click()
                tab.get_by_text("1 file deleted for good").wait_for(timeout=60_000)
                settle(tab)
                assert tab.get_by_role("tab", name="Due for purge (0)").is_visible()
                tab.mouse.move(0, 0)
                assert screenshot(tab, "review-purged").stat().st_size > 10_000
                context.close()
        for execution in dagster.executions:
            execution.join(timeout=60)
    # The due file is gone for good; the other stays in staging, restorable.
    assert not staged.staged_paths[staged.due.file_id].exists()
    assert staged.staged_paths[staged.not_due.file_id].exists()
    pat = UserStore(load_settings(staged.config).app_store_path).user_ids()["pat"]
    warehouse = load_settings(staged.config).warehouse_path
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT file_id, status, triggered_by, completed_at FROM archive_operations "
            "WHERE operation_type = 'delete'"
        ).fetchall()
    [(file_id, status, triggered_by, completed_at)] = rows
    assert (file_id, status, triggered_by) == (staged.due.file_id, "completed", pat)
    assert abs(completed_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)


def test_duplicates_archives_a_group_after_confirming(page: Any, app: App) -> None:
    """Archive on the Duplicates page: the confirmation names what would be staged; confirming
    records the group decision (kept file and staged files) as the reviewer, for the
    approved-decisions sensor to move."""
    group = app.group("show_name = 'Inception'")
    members = app.demo.query(
        f"SELECT file_id, is_primary FROM duplicate_members WHERE group_id = {group}"
    )
    keeper = members.filter(members["is_primary"])["file_id"][0]
    before = {i: d.decision for i, d in app.store.decisions().items()}  # earlier tests' too
    open_page(page, app, "duplicates")
    page.get_by_label("Title contains").fill("Inception")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="Archive", exact=True).first.click()
    confirm = page.get_by_role("button", name="Confirm Archive")
    confirm.wait_for(timeout=30_000)
    settle(page)
    page.mouse.move(0, 0)
    screenshot(page, "duplicates-archive-confirm")
    assert {i: d.decision for i, d in app.store.decisions().items()} == before  # not yet
    confirm.click()
    page.get_by_text("Saved by").wait_for(timeout=30_000)
    settle(page)
    screenshot(page, "duplicates-archived")
    decisions = app.store.decisions()
    assert decisions[keeper].decision == "keep"
    member_ids = set(members["file_id"])
    staged = {i for i, d in decisions.items() if d.decision == "stage"} & member_ids
    assert staged == member_ids - {keeper}
    assert app.store.user_decisions()[-1]["duplicate_group_id"] == group


def test_a_person_starts_an_incremental_scan_and_cancels_another(
    browser: Any, tmp_path: Path, refreshed_demo: Any
) -> None:
    videos = refreshed_demo.settings.root("videos").path
    folder = next(p for p in sorted(videos.iterdir()) if p.is_dir() and p.name[0].isalnum())
    with FakeDagster() as dagster:
        tags = {"executionMetadata": {"tags": [{"key": "dagster/partition", "value": "docker"}]}}
        dagster.add_run("full-docker", "scan_library_root", "STARTED", tags)
        settings_file = ui_settings(tmp_path, refreshed_demo, dagster_url=dagster.url)
        with streamlit_server(settings_file, tmp_path / "streamlit.log") as url:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            tab = context.new_page()
            tab.goto(f"{url}/scans")
            settle(tab)
            tab.get_by_role("button", name="Scan videos").click()  # incremental, the default
            tab.get_by_text("Started scan_library_root").wait_for(timeout=30_000)
            settle(tab)
            [launched] = dagster.launched
            assert {t["key"]: t["value"] for t in launched["executionMetadata"]["tags"]} == {
                "mediavault/trigger": "api",
                "dagster/partition": "videos",
                "mediavault/scan_mode": "incremental",
            }
            # Both runs are going now; the other one is cancelled by its own button.
            assert tab.get_by_role("button", name="Cancel").count() == 2
            tab.locator(".st-key-cancel_full-docker button").click()
            tab.get_by_text("Cancelling run full-doc").wait_for(timeout=30_000)
            assert dagster.cancelled == ["full-docker"]

            tab.get_by_text("One folder", exact=True).click()
            settle(tab)
            tab.get_by_role("textbox", name="Folder").fill(str(tmp_path))
            tab.get_by_role("button", name="Scan folder").click()
            tab.get_by_text("is not inside a configured library root").wait_for(timeout=30_000)
            assert len(dagster.launched) == 1  # refused before any run
            tab.get_by_role("textbox", name="Folder").fill(str(folder))
            tab.get_by_role("button", name="Scan folder").click()
            tab.get_by_text("run-2", exact=True).wait_for(timeout=30_000)  # the run's id
            settle(tab)
            tags = {t["key"]: t["value"] for t in dagster.launched[1]["executionMetadata"]["tags"]}
            assert tags["mediavault/scan_paths"] == f'["{folder.name}"]'
            tab.mouse.move(0, 0)
            assert screenshot(tab, "scans-modes").stat().st_size > 10_000
            context.close()
