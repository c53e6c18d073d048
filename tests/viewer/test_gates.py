"""Opening /l/<slug>: the gates in their order, then the viewer or a Space's list."""

from __future__ import annotations

from datetime import timedelta

from viewer_helpers import visit_token

from docsend_desktop.content.links import set_link_disabled
from docsend_desktop.store.models import Visit


def test_unknown_and_malformed_slugs_are_not_found(client, link):
    link()
    for path in ("/l/AAAAAAAAAAAAAAAAAAAAAA", "/l/short", "/l/" + "x" * 65, "/l/has%20space%20in%20it-xxxxxxx"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "nothing at this address" in response.text


def test_disabled_link_is_gone(client, link):
    gone = link()
    set_link_disabled(gone.id)
    response = client.get(f"/l/{gone.slug}")
    assert response.status_code == 410
    assert "This link is no longer available" in response.text
    assert "data-token" not in response.text


def test_expired_link_is_gone_once_the_clock_passes_expiry(client, link, clock):
    expiring = link(expires_at=clock.now() + timedelta(hours=1))
    assert client.get(f"/l/{expiring.slug}").status_code == 200
    clock.advance(hours=1)
    response = client.get(f"/l/{expiring.slug}")
    assert response.status_code == 410
    assert "This link is no longer available" in response.text


def test_open_link_shows_the_first_page_to_an_anonymous_viewer(client, link):
    open_link = link(pages=4, title="Quarterly")
    response = client.get(f"/l/{open_link.slug}")
    assert response.status_code == 200
    assert 'data-pages="4"' in response.text and 'data-page="1"' in response.text
    assert "<h1>Quarterly</h1>" in response.text
    viewer_cookie = client.cookies.get("dsd_viewer")
    assert viewer_cookie and 16 <= len(viewer_cookie) <= 64
    # The same browser keeps its anonymous id.
    client.get(f"/l/{open_link.slug}")
    assert client.cookies.get("dsd_viewer") == viewer_cookie


def test_page_query_opens_that_page_clamped_to_the_document(client, link):
    three = link(pages=3)
    assert 'data-page="2"' in client.get(f"/l/{three.slug}?page=2").text
    assert 'data-page="3"' in client.get(f"/l/{three.slug}?page=99").text
    assert 'data-page="1"' in client.get(f"/l/{three.slug}?page=-1").text
    assert 'data-page="1"' in client.get(f"/l/{three.slug}?page=abc").text


def test_no_download_button_unless_the_link_allows_it(client, link):
    assert "/view/download" not in client.get(f"/l/{link().slug}").text
    assert "/view/download" in client.get(f"/l/{link(allow_download=True).slug}").text


def test_require_email_refuses_a_bad_email_then_accepts_a_good_one(client, visitor, link):
    gated = link(require_email=True)
    form = client.get(f"/l/{gated.slug}")
    assert form.status_code == 200
    assert 'type="email"' in form.text and "data-token" not in form.text

    refused = visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="not-an-email")
    assert refused.status_code == 400
    assert "Enter a valid email address" in refused.text
    assert 'value="not-an-email"' in refused.text  # kept for correction
    assert "dsd_visitor" not in client.cookies

    accepted = visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email=" Ana@Example.COM ", name="Ana")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/l/{gated.slug}"
    cookie = accepted.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; see test_security for https
    viewer = client.get(f"/l/{gated.slug}")
    assert "data-token" in viewer.text
    assert "Viewing as ana@example.com" in viewer.text


def test_remembered_email_opens_every_require_email_link_of_this_installation(client, visitor, link):
    first, second = link(require_email=True), link(require_email=True, title="Other")
    visitor.submit(f"/l/{first.slug}", f"/l/{first.slug}/email", email="ana@example.com")
    assert "data-token" in client.get(f"/l/{second.slug}").text


def test_forged_email_cookie_is_ignored(client, link):
    gated = link(require_email=True)
    client.cookies.set("dsd_visitor", "eyJlIjoiZXZpbEBleGFtcGxlLmNvbSJ9.aaaaaa.forged-signature")
    assert "data-token" not in client.get(f"/l/{gated.slug}").text


def test_not_you_forgets_the_email(client, visitor, link):
    gated = link(require_email=True)
    visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="ana@example.com")
    response = visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/forget")
    assert response.status_code == 303
    assert 'type="email"' in client.get(f"/l/{gated.slug}").text


def test_passcode_gate_refuses_a_wrong_code_and_accepts_the_right_one(client, visitor, link):
    locked = link(passcode="open-sesame", title="Secret plan")
    form = client.get(f"/l/{locked.slug}")
    assert form.status_code == 200 and 'type="password"' in form.text
    assert "Secret plan" not in form.text  # the name stays hidden behind the passcode

    wrong = visitor.submit(f"/l/{locked.slug}", f"/l/{locked.slug}/passcode", passcode="guess")
    assert wrong.status_code == 403 and "not right" in wrong.text

    right = visitor.submit(f"/l/{locked.slug}", f"/l/{locked.slug}/passcode", passcode="open-sesame")
    assert right.status_code == 303
    assert f"Path=/l/{locked.slug}" in right.headers["set-cookie"]  # good for this link only
    assert "Secret plan" in client.get(f"/l/{locked.slug}").text


def test_passcode_pass_does_not_open_another_passcode_link(client, visitor, link):
    first, second = link(passcode="first-code"), link(passcode="first-code")
    visitor.submit(f"/l/{first.slug}", f"/l/{first.slug}/passcode", passcode="first-code")
    pass_cookie = next(c for c in client.cookies.jar if c.name == "dsd_pass")
    # Even replayed by hand on the other link's path, the pass is bound to its own link.
    client.cookies.set("dsd_pass", pass_cookie.value, path=f"/l/{second.slug}")
    assert 'type="password"' in client.get(f"/l/{second.slug}").text


def test_wrong_passcodes_are_rate_limited_per_client_and_link(client, visitor, link, clock):
    locked = link(passcode="open-sesame")
    for _ in range(5):
        assert visitor.submit(f"/l/{locked.slug}", f"/l/{locked.slug}/passcode", passcode="nope").status_code == 403
    limited = visitor.submit(f"/l/{locked.slug}", f"/l/{locked.slug}/passcode", passcode="open-sesame")
    assert limited.status_code == 429
    assert "Try again in 15 minutes" in limited.text
    assert int(limited.headers["retry-after"]) == 900
    clock.advance(minutes=15)
    assert visitor.submit(f"/l/{locked.slug}", f"/l/{locked.slug}/passcode",
                          passcode="open-sesame").status_code == 303


def test_passcode_comes_before_the_email_gate(client, visitor, link):
    both = link(passcode="open-sesame", require_email=True)
    assert 'type="password"' in client.get(f"/l/{both.slug}").text
    # Posting an email first does not skip the passcode.
    skipped = visitor.submit(f"/l/{both.slug}", f"/l/{both.slug}/email", email="ana@example.com")
    assert skipped.status_code == 303 and "dsd_visitor" not in client.cookies
    visitor.submit(f"/l/{both.slug}", f"/l/{both.slug}/passcode", passcode="open-sesame")
    assert 'type="email"' in client.get(f"/l/{both.slug}").text
    visitor.submit(f"/l/{both.slug}", f"/l/{both.slug}/email", email="ana@example.com")
    assert "data-token" in client.get(f"/l/{both.slug}").text


def test_space_link_lists_its_documents_each_opening_in_the_viewer(client, space_link):
    room = space_link(titles=("Intro", "Pricing"))
    listing = client.get(f"/l/{room.slug}")
    assert listing.status_code == 200
    assert "Acme deal room" in listing.text
    assert f'href="/l/{room.slug}/1">Intro' in listing.text and f'href="/l/{room.slug}/2">Pricing' in listing.text
    second = client.get(f"/l/{room.slug}/2")
    assert "<h1>Pricing</h1>" in second.text and 'data-pages="3"' in second.text
    assert f'href="/l/{room.slug}"' in second.text  # back to the Space
    for missing in ("/0", "/3", "/99999"):
        assert client.get(f"/l/{room.slug}{missing}").status_code == 404


def test_positions_are_refused_on_a_document_link(client, link):
    assert client.get(f"/l/{link().slug}/1").status_code == 404


def test_opening_the_page_alone_records_no_visit(client, link):
    """Link unfurlers and scanners fetch the HTML but run no script: no beacon, no visit."""
    visit_token(client.get(f"/l/{link().slug}"))
    assert Visit.select().count() == 0
