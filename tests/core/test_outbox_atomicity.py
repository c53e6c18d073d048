"""Every write that creates activity writes its outbox row in the same transaction: both or neither."""

import pytest

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.store import outbox
from docsend_desktop.store.models import Link, OutboxItem, Visit
from docsend_desktop.tracking.activity import ActivityEvent, record_activity
from docsend_desktop.tracking.visit_import import import_visits


class InjectedCrash(Exception):
    pass


@pytest.fixture
def doc(database, data_dir, clock, pdf_file):
    return add_document(data_dir, pdf_file("Deck"), clock).document


def _crash(*args, **kwargs):
    raise InjectedCrash("between the activity and its outbox row")


def test_link_and_outbox_row_are_written_together(doc, clock, monkeypatch):
    monkeypatch.setattr(outbox, "enqueue", _crash)
    with pytest.raises(InjectedCrash):
        create_link(LinkRequest(document_id=doc.id), clock)
    assert Link.select().count() == 0 and OutboxItem.select().count() == 0


def test_new_visit_and_outbox_row_are_written_together(doc, clock, monkeypatch):
    link = create_link(LinkRequest(document_id=doc.id), clock)
    monkeypatch.setattr(outbox, "enqueue", _crash)
    with pytest.raises(InjectedCrash):
        record_activity(ActivityEvent(link.id, "open", email="ana@example.com"), clock)
    assert Visit.select().count() == 0
    assert OutboxItem.select().where(OutboxItem.kind == "visit").count() == 0


def test_visit_change_and_outbox_revision_are_written_together(doc, clock, monkeypatch):
    link = create_link(LinkRequest(document_id=doc.id), clock)
    visit = record_activity(ActivityEvent(link.id, "open", email="ana@example.com"), clock)
    monkeypatch.setattr(outbox, "mark_changed", _crash)
    clock.advance(20)
    with pytest.raises(InjectedCrash):
        record_activity(ActivityEvent(link.id, "page", email="ana@example.com", page=3, seconds=20), clock)
    unchanged = Visit.get_by_id(visit.id)
    assert (unchanged.pages_seen, unchanged.event_count, unchanged.visible_seconds) == ([1], 1, 0.0)
    assert OutboxItem.get(OutboxItem.subject_id == visit.id, OutboxItem.kind == "visit").revision == 1


def test_import_writes_visits_and_outbox_rows_together(doc, clock, monkeypatch, tmp_path):
    link = create_link(LinkRequest(document_id=doc.id), clock)
    csv_file = tmp_path / "visits.csv"
    csv_file.write_text(
        "link_id,email,name,started_at,duration_seconds,percent_viewed\n"
        f"{link.id},ana@example.com,Ana,2026-01-02T10:00:00Z,60,50\n"
        f"{link.id},ben@example.com,Ben,2026-01-02T11:00:00Z,30,100\n"
    )
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise InjectedCrash("second row")
        return real(*args, **kwargs)

    real = outbox.enqueue
    monkeypatch.setattr(outbox, "enqueue", crash_on_second)
    with pytest.raises(InjectedCrash):
        import_visits(csv_file, clock)
    assert Visit.select().count() == 0
    assert OutboxItem.select().where(OutboxItem.kind == "visit").count() == 0
