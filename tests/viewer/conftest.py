"""Viewer fixtures: the app on a FakeClock behind Starlette's TestClient, documents and links to open.

``visitor`` helpers drive the pages the way a browser would (GET the form, POST it with its CSRF token)
so the HTTP tests read like the visitor's steps.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from viewer_helpers import SECRET, Visitor

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.content.spaces import create_space
from docsend_desktop.store.models import Link
from docsend_desktop.viewer import create_app


@pytest.fixture
def app(database, data_dir, clock):
    return create_app(data_dir, clock, secret=SECRET)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://127.0.0.1:8765", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def document(database, data_dir, clock, pdf_file):
    def make(title: str = "Deck", pages: int = 3, name: str | None = None):
        return add_document(data_dir, pdf_file(title, pages), clock, name=name).document

    return make


@pytest.fixture
def link(database, clock, document):
    """``link(pages=3, **LinkRequest fields)``: a link to a fresh document (or to ``space_id``)."""

    def make(pages: int = 3, title: str = "Deck", **fields) -> Link:
        if "space_id" not in fields and "document_id" not in fields:
            fields["document_id"] = document(title, pages).id
        return create_link(LinkRequest(**fields), clock)

    return make


@pytest.fixture
def space_link(database, clock, document):
    def make(titles=("Intro", "Pricing"), name: str = "Acme deal room", **fields) -> Link:
        docs = [document(title, pages=2 + i) for i, title in enumerate(titles)]
        space = create_space(name, [d.id for d in docs], clock)
        return create_link(LinkRequest(space_id=space.id, **fields), clock)

    return make


@pytest.fixture
def visitor(client) -> Visitor:
    return Visitor(client)
