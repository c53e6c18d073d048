import pytest

from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.content.spaces import create_space
from docsend_desktop.errors import InputError
from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.tracking.visit_import import import_visits

HEADER = "link_id,email,name,started_at,duration_seconds,percent_viewed,pages\n"


@pytest.fixture
def link(database, data_dir, clock, pdf_file):
    doc = add_document(data_dir, pdf_file("Deck", pages=4), clock).document
    return create_link(LinkRequest(document_id=doc.id, name="Acme deck", account_name="Acme"), clock)


def _write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "visits.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_our_format_creates_ended_visits_with_pages(link, clock, tmp_path):
    row = f"{link.id},Ana@Example.com,Ana Diaz,2026-01-02T10:00:00+01:00,95,75,1:30;2:40;3:25\n"
    path = _write(tmp_path, HEADER + row)
    report = import_visits(path, clock)
    assert report.rejected == [] and len(report.imported) == 1
    visit = Visit.get_by_id(report.imported[0])
    assert visit.visitor.email == "ana@example.com" and visit.visitor.name == "Ana Diaz"
    assert visit.started_at.isoformat() == "2026-01-02T09:00:00+00:00"
    assert (visit.ended_at - visit.started_at).total_seconds() == 95
    assert (visit.pages_seen, visit.seconds_per_page) == ([1, 2, 3], {"1": 30.0, "2": 40.0, "3": 25.0})
    assert visit.percent_viewed == 75 and visit.source == "import"
    assert OutboxItem.get(OutboxItem.subject_id == visit.id, OutboxItem.kind == "visit").state == "pending"


def test_papermark_export_is_accepted(link, clock, tmp_path):
    path = _write(tmp_path, "Viewed at,Name,Email,Link Name,Total View Duration (s),Total Document Completion (%),"
                  "Country\n2026-02-03 14:05:00,Ben Ode,ben@globex.example,Acme deck,42,100,DE\n")
    report = import_visits(path, clock)
    assert report.format == "papermark" and len(report.imported) == 1
    assert Visit.get_by_id(report.imported[0]).link_id == link.id


def test_bad_rows_are_rejected_with_line_numbers_and_good_rows_kept(link, clock, tmp_path):
    rows = [
        f"{link.id},ana@example.com,Ana,2026-01-02T10:00:00Z,60,50,",  # line 2: good
        f"{link.id},not-an-email,X,2026-01-02T10:00:00Z,60,50,",  # 3
        f"{link.id},b@example.com,B,yesterday,60,50,",  # 4
        f"{link.id},c@example.com,C,2026-01-02T10:00:00Z,-5,50,",  # 5
        f"{link.id},d@example.com,D,2026-01-02T10:00:00Z,60,101,",  # 6
        "999,e@example.com,E,2026-01-02T10:00:00Z,60,50,",  # 7
        f"{link.id},f@example.com,F,2026-01-02T10:00:00Z,60,50,9:10",  # 8
        f"{link.id},g@example.com",  # 9
        f"{link.id},,Anonymous,2026-01-02T12:00:00Z,10,25,",  # 10: good, anonymous
    ]
    report = import_visits(_write(tmp_path, HEADER + "\n".join(rows) + "\n"), clock)
    assert len(report.imported) == 2
    reasons = dict(report.rejected)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "not a valid email" in reasons[3] and "ISO 8601" in reasons[4] and "outside" in reasons[5]
    assert "outside 0..100" in reasons[6] and "no link with id 999" in reasons[7] and "not a page" in reasons[8]
    assert "expected 7 fields" in reasons[9]


def test_importing_the_same_file_twice_does_not_duplicate(link, clock, tmp_path):
    path = _write(tmp_path, HEADER + f"{link.id},ana@example.com,Ana,2026-01-02T10:00:00Z,60,50,\n")
    import_visits(path, clock)
    again = import_visits(path, clock)
    assert again.imported == [] and again.duplicates == [2]
    assert Visit.select().count() == 1


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("link_id,email,started_at\n1,a@b.co,2026-01-01\n", "utf-8", "missing column.*duration_seconds"),
        ("email,started_at,duration_seconds,percent_viewed\n", "utf-8", "link_id or link_name"),
        (HEADER + "1,zoë@example.com,Zoë,2026-01-01T00:00:00Z,1,1,\n", "latin-1", "not UTF-8"),
        ("", "utf-8", "empty"),
    ],
)
def test_file_level_problems_import_nothing(link, clock, tmp_path, content, encoding, message):
    with pytest.raises(InputError, match=message):
        import_visits(_write(tmp_path, content, encoding), clock)
    assert Visit.select().count() == 0


def test_space_link_rows_name_their_document(database, data_dir, clock, pdf_file, tmp_path):
    a = add_document(data_dir, pdf_file("A", 2), clock).document
    link = create_link(LinkRequest(space_id=create_space("Room", [a.id], clock).id), clock)
    text = ("link_id,document_name,email,name,started_at,duration_seconds,percent_viewed\n"
            f"{link.id},A,ana@example.com,Ana,2026-01-02T10:00:00Z,60,50\n"
            f"{link.id},,ben@example.com,Ben,2026-01-02T10:00:00Z,60,50\n")
    report = import_visits(_write(tmp_path, text), clock)
    assert len(report.imported) == 1 and "Space link" in dict(report.rejected)[3]
