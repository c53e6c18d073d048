"""Owner pages: only for a signed-in owner (password or one-time link), never for a visitor's cookies."""

from __future__ import annotations

import re

import pytest
from viewer_helpers import csrf_of

from docsend_desktop.errors import InputError
from docsend_desktop.store import settings
from docsend_desktop.store.models import Visit
from docsend_desktop.viewer.owner_auth import (
    SIGN_IN_TOKENS_KEY,
    create_owner_sign_in_url,
    has_owner_password,
    set_owner_password,
    sign_out_everywhere,
)

BASE = "http://127.0.0.1:8765"


def path_of(url: str) -> str:
    assert url.startswith(BASE)
    return url[len(BASE):]


@pytest.fixture
def activity(link, space_link, visitor, clock):
    """A visit by ana@example.com: 8 s on page 1, 4 s on page 2 of a 4-page deck; and a Space link."""
    gated = link(pages=4, require_email=True, title="Board deck", account_name="Acme")
    visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="ana@example.com", name="Ana")
    token = visitor.token(f"/l/{gated.slug}")
    visitor.beacon(token, ("open", 1, 0))
    clock.advance(8)
    visitor.beacon(token, ("heartbeat", 1, 8), ("page", 2, 0))
    clock.advance(4)
    visitor.beacon(token, ("close", 2, 4))
    room = space_link(titles=("Intro", "Pricing"))
    return {"link": gated, "visit": Visit.get(), "space": room.space, "space_link": room}


def owner_paths(activity) -> list[str]:
    return ["/owner/", f"/owner/documents/{activity['link'].document_id}", f"/owner/links/{activity['link'].id}",
            f"/owner/spaces/{activity['space'].id}", f"/owner/visits/{activity['visit'].id}"]


def sign_in(client, clock, next_path="/owner/"):
    response = client.get(path_of(create_owner_sign_in_url(clock, next_path=next_path, base_url=BASE)))
    assert response.status_code == 303
    return response


def test_owner_pages_refuse_visitors_even_with_their_cookies(client, activity):
    assert "dsd_visitor" in client.cookies  # this browser is a visitor who passed the email gate
    for path in owner_paths(activity):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Owner sign-in" in response.text
        assert "ana@example.com" not in response.text and "Board deck" not in response.text


def test_forged_owner_cookie_is_refused(client, activity):
    client.cookies.set("dsd_owner", "eyJlcCI6IngifQ.aaaaaa.forged", path="/owner")
    assert client.get("/owner/").status_code == 401


def test_one_time_sign_in_link_works_once(client, activity, clock):
    url = create_owner_sign_in_url(clock, next_path=f"/owner/visits/{activity['visit'].id}", base_url=BASE)
    assert re.fullmatch(rf"{BASE}/owner/sign-in/[A-Za-z0-9_-]{{43}}\?next=/owner/visits/\d+", url)
    first = client.get(path_of(url))
    assert first.status_code == 303 and first.headers["location"] == f"/owner/visits/{activity['visit'].id}"
    cookie = first.headers["set-cookie"]
    assert "Path=/owner" in cookie and "HttpOnly" in cookie
    for path in owner_paths(activity):
        assert client.get(path).status_code == 200, path
    client.cookies.clear()
    again = client.get(path_of(url))
    assert again.status_code == 403 and "used already or has expired" in again.text
    assert client.get("/owner/").status_code == 401


def test_sign_in_link_expires_and_only_its_hash_is_stored(client, clock):
    url = create_owner_sign_in_url(clock, base_url=BASE)
    token = path_of(url).rsplit("/", 1)[1]
    assert token not in settings.get_internal(SIGN_IN_TOKENS_KEY)
    clock.advance(minutes=5, seconds=1)
    assert client.get(path_of(url)).status_code == 403


@pytest.mark.parametrize("token", ["x", "A" * 43, "../../etc/passwd", "A" * 500])
def test_made_up_sign_in_tokens_are_refused(client, token):
    assert client.get(f"/owner/sign-in/{token}").status_code in (403, 404)


@pytest.mark.parametrize("next_path", ["//evil.example.com/", "https://evil.example.com", "/l/abc", "/owner/../l/x",
                                       "/owner/\\evil", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_the_owner_pages(client, clock, next_path):
    with pytest.raises(InputError):
        create_owner_sign_in_url(clock, next_path=next_path, base_url=BASE)
    url = create_owner_sign_in_url(clock, base_url=BASE)
    response = client.get(path_of(url), params={"next": next_path})
    assert response.headers["location"] == "/owner/"


def test_password_sign_in(client, activity):
    set_owner_password("correct horse battery")
    form = client.get("/owner/sign-in?next=/owner/links/1")
    assert form.status_code == 200 and 'type="password"' in form.text
    wrong = client.post("/owner/sign-in", data={"csrf": csrf_of(form), "password": "wrong password", "next": "/x"})
    assert wrong.status_code == 403 and client.get("/owner/").status_code == 401
    right = client.post("/owner/sign-in", data={"csrf": csrf_of(form), "password": "correct horse battery",
                                                "next": f"/owner/links/{activity['link'].id}"})
    assert right.status_code == 303 and right.headers["location"] == f"/owner/links/{activity['link'].id}"
    assert client.get("/owner/").status_code == 200


def test_without_a_password_the_sign_in_page_points_to_the_app(client):
    assert not has_owner_password()
    page = client.get("/owner/sign-in")
    assert 'type="password"' not in page.text and "DocSend Desktop app" in page.text


def test_wrong_owner_passwords_are_rate_limited(client, clock):
    set_owner_password("correct horse battery")
    token = csrf_of(client.get("/owner/sign-in"))
    for _ in range(5):
        assert client.post("/owner/sign-in", data={"csrf": token, "password": "nope-nope"}).status_code == 403
    limited = client.post("/owner/sign-in", data={"csrf": token, "password": "correct horse battery"})
    assert limited.status_code == 429 and "Try again in 15 minutes" in limited.text
    clock.advance(minutes=15)
    assert client.post("/owner/sign-in", data={"csrf": token, "password": "correct horse battery"}
                       ).status_code == 303


def test_weak_owner_passwords_are_refused():
    for weak in ("short", " padded password ", "x" * 129):
        with pytest.raises(InputError):
            set_owner_password(weak)


def test_sign_out_and_password_change_end_sessions(client, clock, activity):
    sign_in(client, clock)
    page = client.get("/owner/")
    assert client.post("/owner/sign-out", data={"csrf": csrf_of(page)}).status_code == 303
    assert client.get("/owner/").status_code == 401

    sign_in(client, clock)
    set_owner_password("a brand new password")
    assert client.get("/owner/").status_code == 401
    sign_in(client, clock)
    sign_out_everywhere()
    assert client.get("/owner/").status_code == 401


def test_visit_stats_page_shows_duration_percent_and_time_per_page(client, clock, activity):
    sign_in(client, clock)
    page = client.get(f"/owner/visits/{activity['visit'].id}")
    assert page.status_code == 200
    assert "Visit by ana@example.com" in page.text
    assert 'id="visit-duration">12 s<' in page.text
    assert 'id="visit-percent">50%<' in page.text
    bars = re.findall(r'<rect x="52" y="[\d.]+" width="([\d.]+)"', page.text)
    assert [float(w) for w in bars] == [330.0, 165.0, 0.0, 0.0]  # 8 s, 4 s, 0, 0 against the longest
    assert "Page 1: 8 s" in page.text and "Page 2: 4 s" in page.text


def test_link_page_lists_its_visitors(client, clock, activity):
    sign_in(client, clock)
    page = client.get(f"/owner/links/{activity['link'].id}")
    assert "ana@example.com" in page.text and "(Ana)" in page.text
    assert f"http://127.0.0.1:8765/l/{activity['link'].slug}" in page.text
    assert "email required" in page.text and "Acme" in page.text


def test_space_and_document_pages(client, clock, activity):
    sign_in(client, clock)
    space = client.get(f"/owner/spaces/{activity['space'].id}")
    assert "Intro" in space.text and "Pricing" in space.text
    document = client.get(f"/owner/documents/{activity['link'].document_id}")
    assert "Time per page, all visits" in document.text and "Board deck" in document.text
    assert client.get("/owner/visits/9999").status_code == 404


def test_pending_sign_in_links_are_bounded(clock):
    for _ in range(30):
        create_owner_sign_in_url(clock, base_url=BASE)
    assert settings.get_internal(SIGN_IN_TOKENS_KEY).count('"h"') == 20


def test_durations_read_at_a_glance():
    from docsend_desktop.viewer.templating import format_duration

    assert [format_duration(s) for s in (0, 1.26, 8.0, 42.4, 185, 3720)] == [
        "0 s", "1.3 s", "8 s", "42 s", "3 min 5 s", "1 h 2 min"]
