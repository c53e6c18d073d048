"""Documents: PDFs validated with pdfium, copied into the data dir, and known by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from ..clock import Clock
from ..errors import InputError, NotFoundError
from ..store.models import NAME_MAX, Document, db
from ..store.paths import DOCUMENTS_DIR
from .names import clean_name
from .pdfium_lock import PDFIUM_LOCK

MAX_PDF_BYTES = 200 * 1024 * 1024
_TAIL_BYTES = 2048  # a complete PDF ends with %%EOF (plus trailing whitespace) within its last bytes


@dataclass(frozen=True)
class AddedDocument:
    document: Document
    existing: bool  # the same content had been added before


def add_document(
    data_dir: Path, source: str | os.PathLike[str], clock: Clock, name: str | None = None
) -> AddedDocument:
    """Validate ``source`` as a PDF, copy it into the data dir and record it.

    The same content (by SHA-256) added twice returns the first document (``existing=True``),
    so scripts can add a file idempotently.
    """
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > MAX_PDF_BYTES:
        limit = MAX_PDF_BYTES // (1024 * 1024)
        raise InputError(f"{path}: too large ({size // (1024 * 1024)} MiB; at most {limit} MiB)")
    name = clean_name(name if name is not None else path.stem, what="document name", max_length=NAME_MAX)

    # Copy first, then validate the copy: the original may change under us, the copy can't.
    documents_dir = data_dir / DOCUMENTS_DIR
    documents_dir.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=documents_dir, suffix=".part")
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        existing = Document.get_or_none(Document.sha256 == sha256)
        if existing is not None:
            return AddedDocument(existing, existing=True)
        page_count = pdf_page_count(temp, label=str(path))
        stored = Path(DOCUMENTS_DIR) / f"{sha256}.pdf"  # named by content, never by user input
        os.replace(temp, data_dir / stored)
        now = clock.now()
        with db.atomic():
            document = Document.create(
                name=name, stored_path=stored.as_posix(), sha256=sha256, page_count=page_count,
                size_bytes=size, created_at=now,
            )
        return AddedDocument(document, existing=False)
    finally:
        temp.unlink(missing_ok=True)


def pdf_page_count(path: Path, *, label: str) -> int:
    """Page count of a readable PDF; ``InputError`` for anything else (not a PDF, encrypted, truncated)."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, path.stat().st_size - _TAIL_BYTES))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise InputError(f"{label}: not a PDF file")
    if b"%%EOF" not in tail:
        raise InputError(f"{label}: the PDF is truncated or damaged (no end-of-file marker)")
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            message = str(exc)
            if "password" in message.lower():
                raise InputError(f"{label}: the PDF is encrypted and needs a password; add an unprotected copy") \
                    from None
            reason = message.removeprefix("Failed to load document ")
            raise InputError(f"{label}: the PDF can't be read ({reason})") from None
        try:
            count = len(pdf)
        finally:
            pdf.close()
    if count < 1:
        raise InputError(f"{label}: the PDF has no pages")
    return count


def get_document(document_id: int) -> Document:
    document = Document.get_or_none(Document.id == document_id)
    if document is None:
        raise NotFoundError(f"no document with id {document_id}")
    return document


def list_documents() -> list[Document]:
    return list(Document.select().order_by(Document.id))


def document_file(data_dir: Path, document: Document) -> Path:
    return data_dir / document.stored_path


__all__ = ["AddedDocument", "add_document", "document_file", "get_document", "list_documents"]
