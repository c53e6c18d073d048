"""Beacons become visits, and nothing else does: every malformed, forged or excessive beacon is refused."""

from __future__ import annotations

import json

import pytest

from docsend_desktop.content.links import set_link_disabled
from docsend_desktop.store.models import OutboxItem, Visit


@pytest.fixture
def gated(link, visitor):
    """A require-email link to a 4-page document, with ana@example.com past the gate."""
    gated = link(pages=4, require_email=True)
    visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="ana@example.com", name="Ana")
    return gated


def only_visit() -> Visit:
    visits = list(Visit.select())
    assert len(visits) == 1, visits
    return visits[0]


def test_beacons_record_one_visit_with_pages_percent_and_visible_seconds(visitor, gated, clock):
    token = visitor.token(f"/l/{gated.slug}")
    assert visitor.beacon(token, ("open", 1, 0)).status_code == 204
    clock.advance(5)
    assert visitor.beacon(token, ("heartbeat", 1, 5.0)).status_code == 204
    clock.advance(3)
    assert visitor.beacon(token, ("heartbeat", 1, 3.0), ("page", 2, 0)).status_code == 204
    clock.advance(4)
    assert visitor.beacon(token, ("heartbeat", 2, 4.0), ("page", 3, 0)).status_code == 204
    clock.advance(2)
    assert visitor.beacon(token, ("close", 3, 2.0)).status_code == 204

    visit = only_visit()
    assert visit.visitor.email == "ana@example.com" and visit.visitor.name == "Ana"
    assert visit.link_id == gated.id and visit.document_id == gated.document_id
    assert visit.pages_seen == [1, 2, 3]
    assert visit.percent_viewed == 75.0
    assert visit.visible_seconds == pytest.approx(14.0)
    assert visit.seconds_per_page == {"1": 8.0, "2": 4.0, "3": 2.0}
    assert visit.event_count == 7
    outbox = OutboxItem.get((OutboxItem.kind == "visit") & (OutboxItem.subject_id == visit.id))
    assert outbox.revision == 7  # the outbox row moved with every event


def test_anonymous_viewer_gets_a_visit_under_its_viewer_id(visitor, link, client):
    open_link = link()
    token = visitor.token(f"/l/{open_link.slug}")
    assert visitor.beacon(token, ("open", 1, 0)).status_code == 204
    visit = only_visit()
    assert visit.visitor_id is None and visit.viewer_id == client.cookies.get("dsd_viewer")


def test_return_within_ten_minutes_continues_the_visit_and_after_starts_a_new_one(visitor, gated, clock):
    token = visitor.token(f"/l/{gated.slug}")
    visitor.beacon(token, ("open", 1, 0))
    clock.advance(minutes=9, seconds=59)
    visitor.beacon(visitor.token(f"/l/{gated.slug}"), ("open", 1, 0))  # a return: a new page load
    assert Visit.select().count() == 1
    clock.advance(minutes=10)
    visitor.beacon(visitor.token(f"/l/{gated.slug}"), ("open", 1, 0))
    first, second = Visit.select().order_by(Visit.id)
    assert first.ended_at is not None and second.ended_at is None


def test_body_fields_cannot_redirect_activity_to_another_link_document_or_person(visitor, gated, link, client):
    other = link(pages=9)
    token = visitor.token(f"/l/{gated.slug}")
    raw = {"t": token, "l": other.id, "d": other.document_id, "link_id": other.id, "document_id": other.document_id,
           "email": "mallory@example.com", "e": [{"k": "open", "p": 1, "s": 0, "email": "mallory@example.com",
                                                    "link_id": other.id}]}
    assert visitor.beacon(token, raw=raw).status_code == 204
    visit = only_visit()
    assert (visit.link_id, visit.document_id, visit.visitor.email) == (gated.id, gated.document_id, "ana@example.com")


def test_space_token_is_bound_to_its_document(visitor, space_link):
    room = space_link(titles=("Intro", "Pricing"))
    token = visitor.token(f"/l/{room.slug}/1")  # Intro has 2 pages, Pricing 3
    assert visitor.beacon(token, ("page", 3, 0)).status_code == 400  # a page only Pricing has
    assert visitor.beacon(token, ("page", 2, 0)).status_code == 204
    assert only_visit().document.name == "Intro"


@pytest.mark.parametrize("token", [
    None, "", "x", "gAAAAA" + "A" * 150, 12345, ["a"], {"t": "x"}, "é" * 40, "A" * 5000,
])
def test_forged_tokens_are_refused(visitor, gated, token):
    response = visitor.beacon(token, raw={"t": token, "e": [{"k": "open", "p": 1, "s": 0}]})
    assert response.status_code in (401, 413)
    assert Visit.select().count() == 0


def test_tampered_token_is_refused(visitor, gated):
    token = visitor.token(f"/l/{gated.slug}")
    for position in (10, len(token) // 2, len(token) - 5):
        flipped = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
        assert visitor.beacon(flipped, ("open", 1, 0)).status_code == 401
    assert Visit.select().count() == 0


def test_token_from_another_installation_is_refused(visitor, gated, data_dir, clock):
    from docsend_desktop.viewer.tokens import VisitTokens

    foreign = VisitTokens("another-installation-secret", clock).issue(
        gated.id, gated.document_id, email="ana@example.com", name="", viewer_id=None)
    assert visitor.beacon(foreign, ("open", 1, 0)).status_code == 401


def test_expired_token_is_refused(visitor, gated, clock):
    token = visitor.token(f"/l/{gated.slug}")
    clock.advance(hours=12, seconds=1)
    assert visitor.beacon(token, ("open", 1, 0)).status_code == 401


@pytest.mark.parametrize("event", [
    {"k": "open", "p": 0, "s": 0},
    {"k": "open", "p": 5, "s": 0},  # the document has 4 pages
    {"k": "open", "p": 999, "s": 0},
    {"k": "open", "p": -1, "s": 0},
    {"k": "open", "p": "2", "s": 0},
    {"k": "open", "p": 1.5, "s": 0},
    {"k": "open", "p": True, "s": 0},
    {"k": "open", "p": None, "s": 0},
    {"k": "open", "s": 0},
    {"k": "heartbeat", "p": 1, "s": -1},
    {"k": "heartbeat", "p": 1, "s": 600.5},
    {"k": "heartbeat", "p": 1, "s": 1e308 * 10},  # json.dumps writes Infinity
    {"k": "heartbeat", "p": 1, "s": "5"},
    {"k": "heartbeat", "p": 1, "s": True},
    {"k": "download", "p": 1, "s": 0},  # downloads are recorded by the server, never claimed
    {"k": "delete", "p": 1, "s": 0},
    {"k": None, "p": 1, "s": 0},
    "open",
    ["open", 1, 0],
])
def test_bad_events_are_refused_and_nothing_is_written(visitor, gated, event):
    token = visitor.token(f"/l/{gated.slug}")
    response = visitor.beacon(token, raw={"t": token, "e": [{"k": "open", "p": 1, "s": 0}, event]})
    assert response.status_code == 400
    assert "error" in response.json()
    assert Visit.select().count() == 0  # the good event before the bad one was not written either


def test_nan_is_refused(visitor, gated, client):
    token = visitor.token(f"/l/{gated.slug}")
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps({"t": token, "e": [{"k": "heartbeat", "p": 1, "s": 1}]}).replace('"s": 1', f'"s": {constant}')
        response = client.post("/view/beacon", content=body, headers={"content-type": "text/plain"})
        assert response.status_code == 400
    assert Visit.select().count() == 0


@pytest.mark.parametrize("events", [[], [{"k": "heartbeat", "p": 1, "s": 0}] * 9])
def test_event_count_is_bounded(visitor, gated, events):
    token = visitor.token(f"/l/{gated.slug}")
    assert visitor.beacon(token, raw={"t": token, "e": events}).status_code == 400


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'{"t": "x"}', b'{"e": {}}', b"\xff\xfe", b"[" * 4000])
def test_malformed_bodies_are_refused(client, body):
    response = client.post("/view/beacon", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_beacon_content_types(visitor, gated, client):
    token = visitor.token(f"/l/{gated.slug}")
    body = json.dumps({"t": token, "e": [{"k": "open", "p": 1, "s": 0}]})
    # sendBeacon posts a string as text/plain; fetch sends JSON.
    assert client.post("/view/beacon", content=body, headers={"content-type": "text/plain;charset=UTF-8"}
                       ).status_code == 204
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html", ""):
        response = client.post("/view/beacon", content=body, headers={"content-type": content_type})
        assert response.status_code == 415, content_type


def test_huge_bodies_are_refused_before_reading_them(visitor, gated, client):
    token = visitor.token(f"/l/{gated.slug}")
    padding = "x" * 5000
    body = json.dumps({"t": token, "e": [{"k": "open", "p": 1, "s": 0}], "pad": padding})
    assert client.post("/view/beacon", content=body, headers={"content-type": "application/json"}
                       ).status_code == 413
    # Lying about the length, or not saying it (chunked), does not help.
    lying = client.post("/view/beacon", content=body, headers={"content-type": "application/json",
                                                                 "content-length": "100"})
    assert lying.status_code in (400, 413)

    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    chunked = client.post("/view/beacon", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 413
    assert client.post("/view/beacon", content=b"{}", headers={"content-type": "application/json",
                                                                "content-length": "99999999999"}).status_code == 413
    assert Visit.select().count() == 0


def test_beacons_are_rate_limited_per_page_load(visitor, gated, clock):
    token = visitor.token(f"/l/{gated.slug}")
    answers = [visitor.beacon(token, ("heartbeat", 1, 0)).status_code for _ in range(25)]
    assert answers[:20] == [204] * 20 and set(answers[20:]) == {429}
    another_page_load = visitor.token(f"/l/{gated.slug}")
    assert visitor.beacon(another_page_load, ("heartbeat", 1, 0)).status_code == 204
    clock.advance(1)  # two a second refill
    assert [visitor.beacon(token, ("heartbeat", 1, 0)).status_code for _ in range(3)] == [204, 204, 429]


def test_beacons_stop_when_the_link_is_disabled(visitor, gated):
    token = visitor.token(f"/l/{gated.slug}")
    assert visitor.beacon(token, ("open", 1, 0)).status_code == 204
    set_link_disabled(gated.id)
    assert visitor.beacon(token, ("heartbeat", 1, 5)).status_code == 410
    assert only_visit().event_count == 1


def test_seconds_cannot_outrun_the_clock(visitor, gated, clock):
    """Bounded per event here, and the domain clamps to elapsed wall time plus slack."""
    token = visitor.token(f"/l/{gated.slug}")
    visitor.beacon(token, ("open", 1, 0))
    clock.advance(1)
    for _ in range(5):
        visitor.beacon(token, ("heartbeat", 1, 600))
    assert only_visit().visible_seconds <= 1 + 5 * 10  # not 3,000


def test_script_in_a_visitor_name_is_stored_as_text(visitor, link):
    gated = link(require_email=True)
    name = '<script>alert("x")</script>'
    visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="eve@example.com", name=name)
    visitor.beacon(visitor.token(f"/l/{gated.slug}"), ("open", 1, 0))
    assert only_visit().visitor.name == name  # escaped where shown: see test_security


def test_visit_token_is_opaque(visitor, gated):
    import base64

    token = visitor.token(f"/l/{gated.slug}")
    decoded = base64.urlsafe_b64decode(token + "==")
    assert b"ana@example.com" not in decoded and b'"l"' not in decoded
