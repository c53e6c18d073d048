"""The same models and migrations on PostgreSQL (CI starts a server; skipped when none is reachable)."""

import os
import uuid

import pytest
from peewee import PostgresqlDatabase

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.migrations import LATEST_VERSION, current_version
from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.tracking.activity import ActivityEvent, end_idle_visits, record_activity

pytestmark = pytest.mark.postgres
URL = os.environ.get("DOCSEND_TEST_DATABASE_URL", "")


@pytest.fixture
def pg_database(data_dir):
    if not URL:
        pytest.skip("DOCSEND_TEST_DATABASE_URL is not set (CI sets it from scripts/start-postgres.sh)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = PostgresqlDatabase(None)
    admin.init(**_params(URL))
    try:
        admin.connect()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server here"
        if os.environ.get("CI"):
            pytest.fail(f"CI set up PostgreSQL but it isn't reachable: {exc}")
        pytest.skip(f"no PostgreSQL reachable at the test URL: {exc}")
    admin.execute_sql(f'CREATE SCHEMA "{schema}"')
    database = open_database(data_dir, f"{URL}?options=-csearch_path%3D{schema}")
    try:
        yield database
    finally:
        close_database()
        admin.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def _params(url):
    from playhouse.db_url import parse

    return parse(url)


def test_migrations_and_the_visit_rule_work_on_postgresql(pg_database, data_dir, clock, pdf_file):
    assert current_version(pg_database) == LATEST_VERSION
    doc = add_document(data_dir, pdf_file("Deck", 4), clock).document
    link = create_link(LinkRequest(document_id=doc.id, account_name="Acme"), clock)
    record_activity(ActivityEvent(link.id, "open", email="ana@example.com", page=1), clock)
    clock.advance(30)
    visit = record_activity(ActivityEvent(link.id, "page", email="ana@example.com", page=3, seconds=30), clock)
    clock.advance(minutes=11)
    assert end_idle_visits(clock) == 1
    stored = Visit.get_by_id(visit.id)
    assert stored.pages_seen == [1, 3] and stored.percent_viewed == 50.0 and stored.ended_at is not None
    assert stored.started_at.tzinfo is not None
    assert OutboxItem.select().count() == 2
