"""End to end in Debian's Chromium: what the browser does is what the visit says.

The viewer runs for real (uvicorn in a thread) on a clock that follows real time and can be moved
forward, so "a return after 10 minutes" needs no waiting. Hiding the tab overrides
``document.visibilityState`` and dispatches ``visibilitychange``: the page's own Page Visibility code runs.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from docsend_desktop.store.models import Visit
from docsend_desktop.viewer import ViewerServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SET_VISIBILITY = """(state) => {
    Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
    Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
    document.dispatchEvent(new Event("visibilitychange"));
}"""


class ShiftableClock:
    """Real time plus an offset the test can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **kwargs: float) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_clock() -> ShiftableClock:
    return ShiftableClock()


@pytest.fixture
def server(database, data_dir, live_clock):
    server = ViewerServer(data_dir, port=0, clock=live_clock, idle_sweep_seconds=None)
    server.start()
    yield server
    server.stop()


class BeaconLog:
    """Every beacon the page sent, read from the browser's side of the wire."""

    def __init__(self, context) -> None:
        self.events: list[dict] = []
        self.csp_errors: list[str] = []
        context.on("request", self._on_request)

    def _on_request(self, request) -> None:
        if request.url.endswith("/view/beacon") and request.method == "POST":
            self.events.extend(json.loads(request.post_data)["e"])

    def watch(self, page) -> None:
        page.on("console", lambda message: "Content Security Policy" in message.text
                and self.csp_errors.append(message.text))

    def seconds(self) -> float:
        return sum(event["s"] for event in self.events)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def wait_for(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def visits() -> list[Visit]:
    return list(Visit.select().order_by(Visit.id))


def show_page(page, number: int) -> None:
    page.wait_for_function("n => document.getElementById('page-input').value == n", arg=number)
    page.wait_for_function("() => { const i = document.getElementById('page-image'); "
                           "return i.complete && i.naturalWidth > 0; }")


def test_require_email_visit_counts_only_visible_time_and_follows_the_ten_minute_rule(
        server, context, link, live_clock):
    gated = link(pages=4, require_email=True, title="Board deck", account_name="Acme")
    log = BeaconLog(context)
    page = context.new_page()
    log.watch(page)

    page.goto(f"{server.url}/l/{gated.slug}")
    page.fill("#email", "not an email")
    with page.expect_response(lambda r: r.url.endswith("/email")) as refused:
        page.click("button[type=submit]")
    assert refused.value.status == 400
    assert "Enter a valid email address" in page.inner_text("#email-error")

    page.fill("#email", "Ana@Example.com")
    page.fill("#name", "Ana Lima")
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")) as opened:
        page.click("button[type=submit]")
    assert opened.value.status == 204
    started = time.monotonic()
    show_page(page, 1)

    time.sleep(1.0)  # reading: real visible time must pass
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.keyboard.press("ArrowRight")
    show_page(page, 2)
    time.sleep(1.0)
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.click("#next")
    show_page(page, 3)
    time.sleep(1.0)

    hidden_at = time.monotonic()
    page.evaluate(SET_VISIBILITY, "hidden")
    time.sleep(3.0)  # hidden: this time must not count
    shown_at = time.monotonic()
    page.evaluate(SET_VISIBILITY, "visible")
    time.sleep(1.0)
    closed_at = time.monotonic()
    page.close(run_before_unload=True)

    # Playwright no longer reports a closed page's requests: wait for the close beacon's seconds instead.
    sent_before_close = log.seconds()
    wait_for(lambda: visits() and visits()[0].visible_seconds >= sent_before_close + 0.5, what="the close beacon")
    [visit] = visits()
    visible = (hidden_at - started) + (closed_at - shown_at)
    assert visit.visitor.email == "ana@example.com" and visit.visitor.name == "Ana Lima"
    assert visit.pages_seen == [1, 2, 3]
    assert visit.percent_viewed == 75.0
    assert visible - 0.5 <= visit.visible_seconds <= visible + 0.5  # the page counted from its load
    assert visit.visible_seconds < (closed_at - started) - 2.5  # the hidden 3 s are not in it
    assert all(visit.seconds_per_page[str(n)] > 0.7 for n in (1, 2, 3))
    assert log.csp_errors == []

    # A return within 10 minutes continues the visit (the email is remembered: no form).
    live_clock.advance(minutes=9)
    again = context.new_page()
    with again.expect_response(lambda r: r.url.endswith("/view/beacon")):
        again.goto(f"{server.url}/l/{gated.slug}")
    assert len(visits()) == 1
    events_before = visits()[0].event_count
    again.close(run_before_unload=True)
    wait_for(lambda: visits()[0].event_count > events_before, what="the second close")

    # A return after 10 minutes without activity starts a new visit.
    live_clock.advance(minutes=10, seconds=30)
    later = context.new_page()
    with later.expect_response(lambda r: r.url.endswith("/view/beacon")):
        later.goto(f"{server.url}/l/{gated.slug}")
    first, second = visits()
    assert first.ended_at is not None and second.ended_at is None
    assert second.visitor_id == first.visitor_id and second.pages_seen == [1]


def test_space_link_opens_its_documents(server, context, space_link):
    room = space_link(titles=("Intro", "Pricing"))
    page = context.new_page()
    page.goto(f"{server.url}/l/{room.slug}")
    assert page.inner_text("h1") == "Acme deal room"
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.click("text=Pricing")
    show_page(page, 1)
    assert page.inner_text("h1") == "Pricing"
    page.fill("#page-input", "3")
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.press("#page-input", "Enter")
    show_page(page, 3)
    wait_for(lambda: visits() and visits()[0].pages_seen == [1, 3], what="the page jump")
    assert visits()[0].document.name == "Pricing"
    page.click("a.back")
    page.wait_for_selector("#documents")


def test_passcode_link_refuses_wrong_codes_and_rate_limits(server, context, link, live_clock):
    locked = link(passcode="open-sesame", title="Secret plan")
    page = context.new_page()
    page.goto(f"{server.url}/l/{locked.slug}")
    for _ in range(5):
        page.fill("#passcode", "wrong-code")
        page.click("button[type=submit]")
        assert "That passcode is not right." in page.inner_text("#passcode-error")
    page.fill("#passcode", "open-sesame")
    with page.expect_response(lambda r: r.url.endswith("/passcode")) as limited:
        page.click("button[type=submit]")
    assert limited.value.status == 429
    assert "Try again in 15 minutes" in page.inner_text("#message")

    live_clock.advance(minutes=15)
    page.goto(f"{server.url}/l/{locked.slug}")
    page.fill("#passcode", "open-sesame")
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.click("button[type=submit]")
    assert page.inner_text("h1") == "Secret plan"


def test_expired_link_says_so(server, context, link, live_clock):
    expiring = link(expires_at=live_clock.now() + timedelta(hours=1))
    live_clock.advance(hours=2)
    page = context.new_page()
    response = page.goto(f"{server.url}/l/{expiring.slug}")
    assert response.status == 410
    assert page.inner_text("h1") == "This link is no longer available"


def test_download_button_only_when_allowed_and_recorded(server, context, link):
    shared = link(allow_download=True, title="Pricing")
    page = context.new_page()
    with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
        page.goto(f"{server.url}/l/{shared.slug}")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "Pricing.pdf"
    wait_for(lambda: visits() and visits()[0].downloaded, what="the recorded download")
    plain = context.new_page()
    plain.goto(f"{server.url}/l/{link().slug}")
    assert plain.query_selector("#download") is None


def test_done_when_a_cli_link_opened_through_serve_gives_a_visit_the_owner_pages_show(browser, tmp_path):
    """The issue's acceptance: CLI link → ``docsend-desktop serve`` → Chromium → visit → owner pages."""
    import subprocess
    import sys

    from docsend_desktop.content.sample_pdf import make_pdf

    def cli(*args: str) -> dict | list:
        result = subprocess.run([sys.executable, "-m", "docsend_desktop", "--data-dir", str(tmp_path / "data"),
                                 *args, "--json"], capture_output=True, text=True, timeout=60, check=True)
        return json.loads(result.stdout)

    (tmp_path / "proposal.pdf").write_bytes(make_pdf("Proposal", 5))
    document = cli("documents", "add", str(tmp_path / "proposal.pdf"))
    created = cli("links", "create", "--document", str(document["id"]), "--require-email", "--account", "Acme")
    with subprocess.Popen([sys.executable, "-m", "docsend_desktop", "--data-dir", str(tmp_path / "data"), "serve",
                           "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as serve:
        try:
            url = serve.stdout.readline().strip().rsplit(" ", 1)[1]
            context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            page = context.new_page()
            page.goto(url + "/l/" + created["url"].rsplit("/", 1)[1])
            page.fill("#email", "buyer@acme.example")
            with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
                page.click("button[type=submit]")
            opened_at = time.monotonic()
            show_page(page, 1)
            time.sleep(1.0)
            with page.expect_response(lambda r: r.url.endswith("/view/beacon")):
                page.keyboard.press("ArrowRight")
            show_page(page, 2)
            time.sleep(1.0)
            closed_at = time.monotonic()
            page.close(run_before_unload=True)
            visit = wait_for(lambda: next((v for v in cli("visits", "list") if v["visible_seconds"] > 1.5), None),
                             what="the visit with its close beacon")
            assert visit["email"] == "buyer@acme.example" and visit["account_name"] == "Acme"
            assert visit["pages_seen"] == [1, 2] and visit["percent_viewed"] == 40.0
            assert abs(visit["visible_seconds"] - (closed_at - opened_at)) < 0.6

            sign_in = subprocess.run([sys.executable, "-m", "docsend_desktop", "--data-dir", str(tmp_path / "data"),
                                      "owner", "sign-in-link", "--next", f"/owner/visits/{visit['id']}"],
                                     capture_output=True, text=True, timeout=60, check=True).stdout.strip()
            owner = context.new_page()
            owner.goto(url + "/owner/sign-in/" + sign_in.split("/owner/sign-in/", 1)[1])
            assert owner.inner_text("h1") == "Visit by buyer@acme.example"
            assert owner.inner_text("#visit-percent") == "40%"
            assert owner.locator("svg.bars rect").count() == 5
            context.close()
        finally:
            serve.terminate()
            serve.wait(timeout=20)
