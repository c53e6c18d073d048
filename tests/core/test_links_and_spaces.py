from datetime import timedelta

import pytest

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link, is_available, set_link_disabled
from docsend_desktop.content.passcodes import verify_passcode
from docsend_desktop.content.spaces import create_space, set_space_documents, space_documents
from docsend_desktop.errors import InputError, NotFoundError
from docsend_desktop.store.models import Link, OutboxItem, Space


@pytest.fixture
def docs(database, data_dir, clock, pdf_file):
    return [add_document(data_dir, pdf_file(f"Doc {i}", pages=i + 1), clock).document for i in range(3)]


def test_space_keeps_document_order_and_can_be_reordered(docs, clock):
    space = create_space("Evaluation room", [docs[2].id, docs[0].id], clock)
    assert [d.id for d in space_documents(space)] == [docs[2].id, docs[0].id]
    set_space_documents(space.id, [docs[0].id, docs[1].id, docs[2].id])
    assert [d.id for d in space_documents(space)] == [d.id for d in docs]


@pytest.mark.parametrize(("ids", "message"), [([], "at least one"), ([1, 1], "twice"), ([1, 99], "no document")])
def test_bad_space_requests_write_nothing(docs, clock, ids, message):
    with pytest.raises(InputError, match=message):
        create_space("Room", ids, clock)
    assert Space.select().count() == 0


def test_link_has_a_128_bit_slug_hashed_passcode_and_an_outbox_row(docs, clock):
    link = create_link(LinkRequest(document_id=docs[0].id, account_name=" Acme ", passcode="open sesame",
                                   require_email=True), clock)
    assert len(link.slug) >= 22  # 16 random bytes, URL-safe base64
    assert link.account_name == "Acme" and link.name == docs[0].name
    assert "open sesame" not in link.passcode_hash
    assert verify_passcode("open sesame", link.passcode_hash) and not verify_passcode("open sesamE", link.passcode_hash)
    row = OutboxItem.get(OutboxItem.subject_id == link.id)
    assert (row.kind, row.state, row.due_at) == ("document_link", "pending", clock.now())


def test_space_link_gets_a_space_link_outbox_row(docs, clock):
    space = create_space("Room", [docs[0].id], clock)
    link = create_link(LinkRequest(space_id=space.id), clock)
    assert OutboxItem.get(OutboxItem.subject_id == link.id).kind == "space_link"


def test_slugs_are_unique(docs, clock):
    slugs = {create_link(LinkRequest(document_id=docs[0].id), clock).slug for _ in range(50)}
    assert len(slugs) == 50


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"document_id": 99}, "no document with id 99"),
        ({"space_id": 99}, "no Space with id 99"),
        ({}, "exactly one"),
        ({"expires_in": -1}, "in the past"),
        ({"name": ""}, "empty"),
        ({"name": "n" * 201}, "too long"),
        ({"account_name": "a" * 256}, "too long"),
        ({"passcode": "abc"}, "4 to 128"),
    ],
)
def test_bad_link_requests_write_nothing(docs, clock, request_kwargs, message):
    kwargs = {"document_id": docs[0].id} if "space_id" not in request_kwargs else {}
    if request_kwargs == {}:
        kwargs = {}
    kwargs.update(request_kwargs)
    if "expires_in" in kwargs:
        kwargs["expires_at"] = clock.now() + timedelta(days=kwargs.pop("expires_in"))
    with pytest.raises(InputError, match=message):
        create_link(LinkRequest(**kwargs), clock)
    assert Link.select().count() == 0 and OutboxItem.select().count() == 0


def test_disabled_and_expired_links_are_unavailable(docs, clock):
    link = create_link(LinkRequest(document_id=docs[0].id, expires_at=clock.now() + timedelta(hours=1)), clock)
    assert is_available(link, clock.now())
    assert not is_available(link, clock.now() + timedelta(hours=1))
    assert not is_available(set_link_disabled(link.id), clock.now())
    with pytest.raises(NotFoundError):
        set_link_disabled(12345)
