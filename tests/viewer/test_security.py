"""Every request is hostile: headers, CSRF, sizes, paths, escaping, errors, and what a visitor can learn."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient
from viewer_helpers import SECRET, csrf_of, visit_token

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.viewer import create_app
from docsend_desktop.viewer.security import CONTENT_SECURITY_POLICY

SCRIPT = '<script>alert("pwned")</script>'


def assert_security_headers(response):
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    if response.headers.get("content-type", "").startswith("text/html"):
        assert response.headers["cache-control"] == "no-store"


def test_the_csp_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_security_headers_on_every_kind_of_response(client, link, space_link):
    gated, room = link(require_email=True, passcode="open-sesame"), space_link()
    token = visit_token(client.get(f"/l/{link().slug}"))
    for response in (
        client.get(f"/l/{gated.slug}"),
        client.get(f"/l/{room.slug}"),
        client.get("/l/AAAAAAAAAAAAAAAAAAAAAA"),
        client.get("/nowhere"),
        client.get(f"/view/page?t={token}&n=1&w=480"),
        client.post("/view/beacon", content=b"{}", headers={"content-type": "application/json"}),
        client.get("/static/viewer.js"),
        client.get("/owner/"),
        client.delete(f"/l/{gated.slug}"),
    ):
        assert_security_headers(response)


def test_pages_have_no_inline_script_or_style(client, link, space_link, visitor):
    gated = link(require_email=True, allow_download=True)
    pages = [client.get(f"/l/{gated.slug}"), client.get(f"/l/{link(passcode='open-sesame').slug}"),
             client.get(f"/l/{space_link().slug}"), client.get("/owner/sign-in")]
    visitor.submit(f"/l/{gated.slug}", f"/l/{gated.slug}/email", email="ana@example.com")
    pages.append(client.get(f"/l/{gated.slug}"))
    for page in pages:
        assert page.status_code in (200, 401)
        for tag in re.findall(r"<script[^>]*>", page.text):
            assert 'src="/static/' in tag
        assert "<style" not in page.text and " style=" not in page.text
        assert re.search(r"\son[a-z]+=", page.text) is None  # no inline event handlers


def test_an_unexpected_error_shows_a_plain_page_without_a_trace(app, link, monkeypatch, caplog):
    from docsend_desktop.viewer import visitor_routes

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/shadow")

    monkeypatch.setattr(visitor_routes, "get_link_by_slug", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/l/{link().slug}")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert_security_headers(response)
    assert "secret internal detail" in caplog.text  # logged for the owner instead


@pytest.mark.parametrize("path", [
    "/l/../../etc/passwd",
    "/l/%2e%2e/%2e%2e/etc/passwd",
    "/l/..%2f..%2fetc%2fpasswd",
    "/l/%2e%2e%2f%2e%2e%2fetc%2fpasswd/1",
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e%2fapp.py",
    "/static/viewer.js%00.html",
    "/static/templates/viewer.html",
    "/static/..%5c..%5capp.py",
    "/view/page/../../../etc/passwd",
    "//etc/passwd",
    "/documents/" + "a" * 64 + ".pdf",
    "/cache/pages/",
    "/docsend.db",
])
def test_path_tricks_reach_no_file(client, path):
    response = client.get(path)
    assert response.status_code in (404, 400, 405)
    assert b"root:" not in response.content and b"import" not in response.content
    assert b"SQLite format" not in response.content and b"%PDF" not in response.content


def test_static_assets_are_a_fixed_whitelist(client):
    js = client.get("/static/viewer.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "immutable" in js.headers["cache-control"]
    assert client.get("/static/viewer.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/viewer.js", headers={"if-none-match": js.headers["etag"]}).status_code == 304
    assert client.get("/static/pages.py").status_code == 404


def test_names_with_script_are_escaped_everywhere(database, data_dir, clock, pdf_file, client, visitor):
    from docsend_desktop.content.spaces import create_space
    from docsend_desktop.viewer.owner_auth import create_owner_sign_in_url

    document = add_document(data_dir, pdf_file("Deck"), clock, name=SCRIPT).document
    doc_link = create_link(LinkRequest(document_id=document.id, name=SCRIPT, account_name=SCRIPT,
                                       require_email=True), clock)
    space = create_space(SCRIPT, [document.id], clock)
    space_link = create_link(LinkRequest(space_id=space.id, name=SCRIPT), clock)
    visitor.submit(f"/l/{doc_link.slug}", f"/l/{doc_link.slug}/email", email="eve@example.com", name=SCRIPT)
    visitor.beacon(visitor.token(f"/l/{doc_link.slug}"), ("open", 1, 0))
    bad_email = visitor.submit(f"/l/{doc_link.slug}", f"/l/{doc_link.slug}/email", email=SCRIPT)

    pages = [client.get(f"/l/{doc_link.slug}"), client.get(f"/l/{space_link.slug}"),
             client.get(f"/l/{space_link.slug}/1"), bad_email]
    client.get(create_owner_sign_in_url(clock, base_url="http://127.0.0.1:8765").split(":8765", 1)[1])
    for path in ("/owner/", f"/owner/documents/{document.id}", f"/owner/links/{doc_link.id}",
                 f"/owner/spaces/{space.id}", "/owner/visits/1"):
        page = client.get(path)
        assert page.status_code == 200, path
        pages.append(page)
    for page in pages:
        assert SCRIPT not in page.text
        assert "&lt;script&gt;" in page.text


def test_forms_need_a_valid_csrf_token(client, link, visitor):
    gated = link(require_email=True, passcode="open-sesame")
    form = client.get(f"/l/{gated.slug}")
    token = csrf_of(form)
    for data in ({"passcode": "open-sesame"}, {"passcode": "open-sesame", "csrf": ""},
                 {"passcode": "open-sesame", "csrf": token[:-1] + ("0" if token[-1] != "0" else "1")},
                 {"passcode": "open-sesame", "csrf": "x" * 5000}):
        response = client.post(f"/l/{gated.slug}/passcode", data=data)
        assert response.status_code == 403, data
        assert "dsd_pass" not in response.headers.get("set-cookie", "")
    # A token copied from another browser does not match this browser's cookie.
    client.cookies.clear()
    client.cookies.set("dsd_csrf", "another-browser-cookie-value-123")
    assert client.post(f"/l/{gated.slug}/passcode", data={"passcode": "open-sesame", "csrf": token}
                       ).status_code == 403
    client.cookies.clear()
    assert client.post(f"/l/{gated.slug}/passcode", data={"passcode": "open-sesame", "csrf": token}
                       ).status_code == 403
    for action in ("email", "forget"):
        assert client.post(f"/l/{gated.slug}/{action}", data={"email": "a@example.com"}).status_code == 403
    assert client.post("/owner/sign-in", data={"password": "whatever-password"}).status_code == 403
    assert client.post("/owner/sign-out", data={}).status_code == 403


def test_forms_are_bounded_in_size_and_encoding(client, link):
    gated = link(require_email=True)
    token = csrf_of(client.get(f"/l/{gated.slug}"))
    huge = client.post(f"/l/{gated.slug}/email", data={"csrf": token, "email": "a@example.com", "x": "y" * 20000})
    assert huge.status_code == 413
    multipart = client.post(f"/l/{gated.slug}/email", files={"email": ("a.txt", b"a@example.com")})
    assert multipart.status_code == 400
    many = "&".join(f"f{i}=1" for i in range(50))
    assert client.post(f"/l/{gated.slug}/email", content=many,
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 400
    long_name = client.post(f"/l/{gated.slug}/email", data={"csrf": token, "email": "a@example.com", "name": "n" * 300})
    assert long_name.status_code == 400 and "at most 200" in long_name.text


def test_cookies_are_secure_behind_an_https_public_url(database, data_dir, clock, link):
    app = create_app(data_dir, clock, secret=SECRET, public_url="https://docs.example.com")
    gated = link(require_email=True)
    with TestClient(app, base_url="https://docs.example.com", follow_redirects=False) as client:
        form = client.get(f"/l/{gated.slug}")
        assert "Secure" in form.headers["set-cookie"]  # the CSRF cookie
        response = client.post(f"/l/{gated.slug}/email", data={"csrf": csrf_of(form), "email": "a@example.com"})
        assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]


def test_a_visitor_learns_nothing_about_other_links(client, link, space_link, visitor):
    mine, other, room = link(title="Mine"), link(title="Other secret deck", require_email=True), space_link()
    page = client.get(f"/l/{mine.slug}")
    assert other.slug not in page.text and room.slug not in page.text
    assert "Other secret deck" not in page.text
    # Owner pages answer a visitor with the sign-in form only, whatever the id.
    for path in (f"/owner/links/{other.id}", f"/owner/links/{mine.id}", "/owner/links/999", "/owner/visits/1"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Other secret deck" not in response.text and other.slug not in response.text
    # Unknown and existing-but-other slugs look the same from outside: both need the exact slug.
    near_miss = other.slug[:-1] + ("A" if other.slug[-1] != "A" else "B")
    assert client.get(f"/l/{near_miss}").status_code == 404


def test_methods_other_than_the_expected_ones_are_refused(client, link):
    gated = link()
    assert client.post(f"/l/{gated.slug}").status_code == 405
    assert client.put("/view/beacon").status_code == 405
    assert client.get("/view/beacon").status_code == 405
