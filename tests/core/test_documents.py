import pikepdf
import pytest

from docsend_desktop.content.documents import add_document, document_file, get_document
from docsend_desktop.errors import InputError, NotFoundError
from docsend_desktop.store.models import Document


def test_added_pdf_is_copied_counted_and_survives_the_original_moving(database, data_dir, clock, pdf_file):
    source = pdf_file("Acme deck", pages=5)
    added = add_document(data_dir, source, clock)
    source.rename(source.with_name("moved.pdf"))

    doc = get_document(added.document.id)
    assert (doc.name, doc.page_count, added.existing) == ("Acme deck", 5, False)
    copy = document_file(data_dir, doc)
    assert copy.is_file() and copy.parent == data_dir / "documents"
    assert copy.read_bytes() == source.with_name("moved.pdf").read_bytes()


def test_same_content_twice_returns_the_first_document(database, data_dir, clock, pdf_file):
    first = add_document(data_dir, pdf_file("Deck"), clock, name="First")
    again = add_document(data_dir, pdf_file("Deck", name="copy.pdf"), clock, name="Second")
    assert again.existing and again.document.id == first.document.id
    assert Document.select().count() == 1


def _encrypted(path, tmp_path):
    target = tmp_path / "locked.pdf"
    with pikepdf.open(path) as pdf:
        pdf.save(target, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    return target


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p, t: t / "absent.pdf", "no such file"),
        (lambda p, t: t, "not a regular file"),
        (lambda p, t: (t / "notes.pdf").write_text("hello") and t / "notes.pdf", "not a PDF file"),
        (lambda p, t: (t / "cut.pdf").write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]) and t / "cut.pdf",
         "truncated"),
        (_encrypted, "encrypted"),
    ],
    ids=["missing", "directory", "not-pdf", "truncated", "encrypted"],
)
def test_bad_files_are_refused_and_leave_nothing_behind(database, data_dir, clock, pdf_file, tmp_path, make, message):
    bad = make(pdf_file("Deck"), tmp_path)
    with pytest.raises(InputError, match=message):
        add_document(data_dir, bad, clock)
    assert Document.select().count() == 0
    assert list((data_dir / "documents").iterdir()) == []


@pytest.mark.parametrize(("name", "message"), [("   ", "empty"), ("x" * 201, "too long"), ("a\x00b", "control")])
def test_bad_names_are_refused(database, data_dir, clock, pdf_file, name, message):
    with pytest.raises(InputError, match=message):
        add_document(data_dir, pdf_file(), clock, name=name)
    assert Document.select().count() == 0


def test_unknown_document_id(database):
    with pytest.raises(NotFoundError, match="no document with id 42"):
        get_document(42)
