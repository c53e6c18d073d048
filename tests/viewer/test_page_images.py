"""Page images and downloads: only for a valid visit token of that document, cached by hash/page/width."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
from viewer_helpers import visit_token

from docsend_desktop.content.links import set_link_disabled
from docsend_desktop.store.models import Visit
from docsend_desktop.viewer.document_routes import download_name
from docsend_desktop.viewer.pages import WIDTH_BUCKETS, PageRenderer, snap_width


def image_url(token: str, page: int = 1, width: int | str = 960) -> str:
    return "/view/page?" + urlencode({"t": token, "n": page, "w": width})


def test_page_image_is_webp_private_and_cached_on_disk(client, link, data_dir):
    three = link(pages=3)
    token = visit_token(client.get(f"/l/{three.slug}"))
    response = client.get(image_url(token, 2, 700))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WEBP"
    assert response.headers["cache-control"].startswith("private")
    cached = data_dir / "cache" / "pages" / three.document.sha256 / "2-720.webp"
    assert cached.is_file()  # 700 snapped up to the 720 bucket
    again = client.get(image_url(token, 2, 710))
    assert again.content == response.content


def test_rendered_width_follows_the_bucket(client, link):
    from io import BytesIO

    from PIL import Image

    token = visit_token(client.get(f"/l/{link().slug}"))
    for asked, bucket in ((100, 480), (1281, 1600), (99999, 2048)):
        image = Image.open(BytesIO(client.get(image_url(token, 1, asked)).content))
        assert image.width == bucket


def test_widths_snap_to_a_few_buckets():
    assert snap_width(None) == 960 and snap_width(0) == 960
    assert [snap_width(w) for w in (1, 480, 481, 2048, 5000)] == [480, 480, 720, 2048, 2048]
    assert {snap_width(w) for w in range(1, 4000, 7)} <= set(WIDTH_BUCKETS)


@pytest.mark.parametrize("page", ["0", "4", "999999", "-1", "1.0", "abc", "", "../../etc/passwd", "1%00"])
def test_bad_page_numbers_are_refused(client, link, page):
    token = visit_token(client.get(f"/l/{link(pages=3).slug}"))
    response = client.get("/view/page?" + urlencode({"t": token, "n": page, "w": 960}))
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("width", ["-5", "abc", "1e9", "../x", ""])
def test_odd_widths_fall_back_to_the_default_bucket(client, link, width, data_dir):
    token = visit_token(client.get(f"/l/{link().slug}"))
    assert client.get(image_url(token, 1, width)).status_code == 200
    names = {p.name for p in (data_dir / "cache" / "pages").rglob("*.webp")}
    assert names == {"1-960.webp"}


def test_images_need_a_valid_token_of_that_document(client, link):
    token = visit_token(client.get(f"/l/{link().slug}"))
    assert client.get("/view/page?n=1&w=960").status_code == 403
    assert client.get(image_url("not-a-token")).status_code == 403
    assert client.get(image_url(token[:-3] + "AAA")).status_code == 403


def test_images_stop_when_the_link_is_disabled(client, link):
    off = link()
    token = visit_token(client.get(f"/l/{off.slug}"))
    set_link_disabled(off.id)
    assert client.get(image_url(token)).status_code == 410


def test_concurrent_first_requests_render_once(data_dir, link, monkeypatch):
    from docsend_desktop.content.documents import document_file
    from docsend_desktop.viewer import pages

    deck = link(pages=2).document
    renderer = PageRenderer(data_dir)
    calls = []
    real = pages._render_page
    monkeypatch.setattr(pages, "_render_page", lambda *args: calls.append(args) or real(*args))
    threads = [threading.Thread(target=renderer.render, args=(document_file(data_dir, deck), deck.sha256, 1, 480))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_cache_paths_come_only_from_validated_parts(data_dir):
    renderer = PageRenderer(data_dir)
    for sha, page, width in (("../../etc", 1, 960), ("A" * 64, 1, 960), ("a" * 64, 0, 960), ("a" * 64, 1, 961)):
        with pytest.raises(ValueError):
            renderer.cached_path(sha, page, width)


def test_no_download_unless_the_link_allows_it(client, link):
    token = visit_token(client.get(f"/l/{link().slug}"))
    assert client.get(f"/view/download?{urlencode({'t': token})}").status_code == 403
    assert Visit.select().count() == 0


def test_download_serves_the_pdf_and_is_recorded(client, visitor, link, data_dir):
    shared = link(allow_download=True, require_email=True, title="Pricing")
    visitor.submit(f"/l/{shared.slug}", f"/l/{shared.slug}/email", email="ana@example.com")
    page = client.get(f"/l/{shared.slug}")
    token = visit_token(page)
    response = client.get(f"/view/download?{urlencode({'t': token})}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-disposition"] == 'attachment; filename="Pricing.pdf"'
    assert response.headers["cache-control"] == "no-store"
    visit = Visit.get()
    assert visit.downloaded and visit.visitor.email == "ana@example.com"


def test_download_names_are_safe():
    assert download_name("Q3 plan") == "Q3 plan.pdf"
    assert download_name("deck.PDF") == "deck.pdf"
    assert download_name('../../etc/"passwd"\r\n') == "_.._etc__passwd___.pdf"
    assert download_name("...") == "document.pdf"
    assert len(download_name("x" * 500)) == 154


def test_a_disabled_link_stops_serving_images_within_the_grant_cache_seconds(client, link, monkeypatch, clock):
    import time

    from docsend_desktop.viewer import grants

    off = link()
    token = visit_token(client.get(f"/l/{off.slug}"))
    assert client.get(image_url(token)).status_code == 200  # confirmed: remembered for a moment
    set_link_disabled(off.id)
    assert client.get(image_url(token)).status_code == 200  # a page turn within the same moment
    later = time.monotonic() + grants.GRANT_CACHE_SECONDS + 0.1
    monkeypatch.setattr(grants.time, "monotonic", lambda: later)
    assert client.get(image_url(token)).status_code == 410


def test_expiry_is_exact_even_for_remembered_grants(client, link, clock):
    from datetime import timedelta

    expiring = link(expires_at=clock.now() + timedelta(minutes=5))
    token = visit_token(client.get(f"/l/{expiring.slug}"))
    assert client.get(image_url(token)).status_code == 200
    clock.advance(minutes=5)
    assert client.get(image_url(token)).status_code == 410
