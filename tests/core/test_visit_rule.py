"""DocSend's visit rule: one viewer's activity on one link is one visit until 10 minutes pass without any."""

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsend_desktop.clock import FakeClock
from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link, set_link_disabled
from docsend_desktop.content.sample_pdf import make_pdf
from docsend_desktop.content.spaces import create_space
from docsend_desktop.errors import InputError
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.tracking.activity import VISIT_GAP, ActivityEvent, end_idle_visits, record_activity

VIEWERS = ["ana@example.com", "BEN@example.com", None]  # None: an anonymous viewer
ANON_ID = "anon-viewer-0123456789abcdef"


def _event(link_id, viewer, kind="page", page=1, seconds=0.0, document_id=None):
    if viewer is None:
        return ActivityEvent(link_id, kind, document_id=document_id, viewer_id=ANON_ID, page=page, seconds=seconds)
    return ActivityEvent(link_id, kind, document_id=document_id, email=viewer, page=page, seconds=seconds)


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "deck.pdf"
    path.write_bytes(make_pdf("Deck", 5))
    return path


events_strategy = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1500, allow_nan=False),  # seconds since the previous event
        st.sampled_from(range(len(VIEWERS))),
        st.integers(min_value=1, max_value=5),  # page
        st.floats(min_value=0, max_value=30, allow_nan=False),  # visible seconds reported
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events_strategy)
def test_visits_partition_activity_by_the_ten_minute_rule(events, pdf_path, tmp_path):
    data_dir = tmp_path / "prop"
    data_dir.mkdir(exist_ok=True)
    open_database(data_dir, "sqlite:///:memory:")
    try:
        clock = FakeClock()
        doc = add_document(data_dir, pdf_path, clock).document
        link = create_link(LinkRequest(document_id=doc.id), clock)
        times: dict[int, list] = {i: [] for i in range(len(VIEWERS))}
        for gap, viewer, page, seconds in events:
            clock.advance(gap)
            record_activity(_event(link.id, VIEWERS[viewer], page=page, seconds=seconds), clock)
            times[viewer].append(clock.now())
        clock.advance(VISIT_GAP.total_seconds())
        end_idle_visits(clock)

        visits = list(Visit.select().order_by(Visit.started_at, Visit.id))
        # No activity lost: every event counted in exactly one visit.
        assert sum(v.event_count for v in visits) == len(events)
        for viewer_index, stamps in times.items():
            mine = [v for v in visits if _viewer_index(v) == viewer_index]
            # The oracle: split this viewer's event times wherever a gap reaches 10 minutes.
            expected = []
            for stamp in stamps:
                if expected and stamp - expected[-1][1] < VISIT_GAP:
                    expected[-1][1] = stamp
                else:
                    expected.append([stamp, stamp])
            assert [(v.started_at, v.last_activity_at) for v in mine] == [tuple(e) for e in expected]
            for earlier, later in zip(mine, mine[1:], strict=False):
                assert later.started_at - earlier.last_activity_at >= VISIT_GAP  # apart, never overlapping
            assert all(v.ended_at == v.last_activity_at for v in mine)
            for v in mine:  # visible time never outruns the wall clock (plus the per-event slack)
                wall = (v.last_activity_at - v.started_at).total_seconds()
                assert v.visible_seconds <= wall + 10 * v.event_count + 0.01
        assert OutboxItem.select().where(OutboxItem.kind == "visit").count() == len(visits)
    finally:
        close_database()


def _viewer_index(visit: Visit) -> int:
    if visit.visitor_id is None:
        return VIEWERS.index(None)
    return [v.lower() if v else v for v in VIEWERS].index(visit.visitor.email)


@pytest.fixture
def link(database, data_dir, clock, pdf_path):
    doc = add_document(data_dir, pdf_path, clock).document
    return create_link(LinkRequest(document_id=doc.id, account_name="Acme"), clock)


def test_figures_accumulate_per_page_and_percent_counts_distinct_pages(link, clock):
    record_activity(_event(link.id, "ana@example.com", kind="open", page=1), clock)
    for page, seconds in ((1, 12), (2, 8), (2, 4), (4, 20)):
        clock.advance(seconds)
        visit = record_activity(_event(link.id, "ana@example.com", page=page, seconds=seconds), clock)
    assert visit.pages_seen == [1, 2, 4]
    assert visit.seconds_per_page == {"1": 12.0, "2": 12.0, "4": 20.0}
    assert visit.visible_seconds == 44.0
    assert visit.percent_viewed == 60.0  # 3 of 5 pages


def test_reported_seconds_cannot_outrun_the_wall_clock(link, clock):
    record_activity(_event(link.id, "ana@example.com", kind="open"), clock)
    clock.advance(5)
    visit = record_activity(_event(link.id, "ana@example.com", page=2, seconds=500), clock)
    assert visit.visible_seconds == 15.0  # 5 s elapsed + 10 s slack


def test_a_change_bumps_the_outbox_revision_and_reopens_a_synced_item(link, clock):
    visit = record_activity(_event(link.id, "ana@example.com", kind="open"), clock)
    OutboxItem.update(state="synced", synced_revision=1).where(OutboxItem.subject_id == visit.id).execute()
    clock.advance(30)
    record_activity(_event(link.id, "ana@example.com", page=2, seconds=30), clock)
    row = OutboxItem.get((OutboxItem.kind == "visit") & (OutboxItem.subject_id == visit.id))
    assert (row.state, row.revision, row.synced_revision) == ("pending", 2, 1)


@pytest.mark.parametrize(
    ("event_kwargs", "message"),
    [
        ({"page": 6}, "outside 1..5"),
        ({"page": 0}, "outside 1..5"),
        ({"seconds": -1}, "between 0 and"),
        ({"seconds": 601}, "between 0 and"),
        ({"kind": "explode"}, "unknown event kind"),
        ({"email": "not-an-email"}, "not a valid email"),
        ({"email": None, "viewer_id": "short"}, "email or an anonymous viewer id"),
        ({"document_id": 999}, "not behind this link"),
    ],
)
def test_bad_events_are_refused_and_write_nothing(link, clock, event_kwargs, message):
    kwargs = {"link_id": link.id, "kind": "page", "email": "ana@example.com", "page": 1, "seconds": 0.0}
    kwargs.update(event_kwargs)
    with pytest.raises(InputError, match=message):
        record_activity(ActivityEvent(**kwargs), clock)
    assert Visit.select().count() == 0 and OutboxItem.select().where(OutboxItem.kind == "visit").count() == 0


def test_activity_on_a_disabled_link_is_refused(link, clock):
    set_link_disabled(link.id)
    with pytest.raises(InputError, match="no longer available"):
        record_activity(_event(link.id, "ana@example.com"), clock)


def test_space_link_visits_are_per_document(database, data_dir, clock, pdf_file):
    a = add_document(data_dir, pdf_file("A", 2), clock).document
    b = add_document(data_dir, pdf_file("B", 4), clock).document
    link = create_link(LinkRequest(space_id=create_space("Room", [a.id, b.id], clock).id), clock)
    with pytest.raises(InputError, match="must name its document"):
        record_activity(_event(link.id, "ana@example.com"), clock)
    va = record_activity(_event(link.id, "ana@example.com", document_id=a.id, page=2), clock)
    vb = record_activity(_event(link.id, "ana@example.com", document_id=b.id, page=1), clock)
    assert va.id != vb.id and (va.percent_viewed, vb.percent_viewed) == (50.0, 25.0)


def test_end_idle_visits_only_ends_visits_idle_for_ten_minutes(link, clock):
    first = record_activity(_event(link.id, "ana@example.com"), clock)
    clock.advance(minutes=5)
    second = record_activity(_event(link.id, "ben@example.com"), clock)
    clock.advance(timedelta(minutes=5).total_seconds())
    assert end_idle_visits(clock) == 1
    assert Visit.get_by_id(first.id).ended_at == first.last_activity_at
    assert Visit.get_by_id(second.id).ended_at is None


def test_a_new_visitor_on_a_link_changes_the_link_item_but_a_returning_one_does_not(link, clock):
    def link_revision():
        return OutboxItem.get((OutboxItem.kind == "document_link") & (OutboxItem.subject_id == link.id)).revision

    record_activity(_event(link.id, "ana@example.com"), clock)
    assert link_revision() == 2
    clock.advance(minutes=30)
    record_activity(_event(link.id, "ana@example.com"), clock)  # a second visit, same visitor
    record_activity(_event(link.id, None), clock)  # anonymous viewers aren't listed
    assert link_revision() == 2
    record_activity(_event(link.id, "ben@example.com"), clock)
    assert link_revision() == 3
