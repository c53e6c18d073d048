"""A small org and a local data dir with activity, for the sync engine's tests."""

from datetime import UTC, datetime

import pytest

from docsend_desktop.clock import FakeClock
from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.store import settings
from docsend_desktop.sync.engine import SyncEngine
from docsend_desktop.tracking.activity import ActivityEvent, record_activity


@pytest.fixture
def clock():
    """Our clock starts at the real now, so Salesforce's CreatedDate and our send times agree."""
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def org(salesforce_org):
    refs = salesforce_org.admin.seed({
        "Account": [{"Name": "Acme Corporation", "ref": "acme"}, {"Name": "Globex", "ref": "globex"}],
        "Contact": [{"FirstName": "Ana", "LastName": "Diaz", "Email": "ana@acme.example", "AccountId": "@acme",
                     "ref": "ana"}],
        "Lead": [{"FirstName": "Ben", "LastName": "Ode", "Company": "Initech", "Email": "ben@initech.example",
                  "ref": "ben"}],
    })["refs"]
    salesforce_org.refs = refs
    return salesforce_org


@pytest.fixture
def deck(data_dir, database, clock, pdf_file):
    return add_document(data_dir, pdf_file("Pitch deck", pages=4), clock).document


@pytest.fixture
def make_link(deck, clock):
    def make(account="Acme Corporation", **kwargs):
        return create_link(LinkRequest(document_id=deck.id, account_name=account, **kwargs), clock)

    return make


@pytest.fixture
def visit(clock):
    """``visit(link, email, pages=3)``: a visitor opens the link and reads ``pages`` pages, 20 s each."""

    def run(link, email, pages=2, name="", seconds=20):
        v = record_activity(ActivityEvent(link.id, "open", email=email, name=name, page=1), clock)
        for page in range(1, pages + 1):
            clock.advance(seconds)
            v = record_activity(ActivityEvent(link.id, "page", email=email, page=page, seconds=seconds), clock)
        return v

    return run


@pytest.fixture
def engine(connected, clock):
    import random

    return SyncEngine(SalesforceGateway(connected), clock, rng=random.Random(7))


@pytest.fixture
def switch():
    def set_(key, value):
        settings.set_value(key, value)

    return set_
