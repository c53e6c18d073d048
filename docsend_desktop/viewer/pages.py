"""Page images: PDF pages rendered with pdfium to WebP, cached on disk by document hash, page and width.

Cache layout: ``DATA/cache/pages/<sha256>/<page>-<width>.webp``; the most recently served also stay in
memory (bounded). Every part of that path comes from the database (a validated hex digest) or from integers
checked against the document; nothing from a URL. Widths snap up to a few buckets, so a document has at
most ``pages × len(WIDTH_BUCKETS)`` images.

pdfium is not thread-safe: renders are serialised by one process-wide lock, and they run in worker threads,
never on the event loop. The image is written under the same lock, so a crowd asking for one new page
waits for a single render instead of starting one each.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import pypdfium2 as pdfium

from ..content.pdfium_lock import PDFIUM_LOCK

WIDTH_BUCKETS = (480, 720, 960, 1280, 1600, 2048)
DEFAULT_WIDTH = 960
MEMORY_CACHE_BYTES = 32 * 1024 * 1024  # the most recently served images, kept in memory too
MAX_HEIGHT_PX = 4096  # a freakishly tall page is scaled down rather than rendered huge
CACHE_DIR = Path("cache") / "pages"
IMAGE_TYPE = "image/webp"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def snap_width(requested: int | None) -> int:
    """The smallest bucket at least ``requested`` wide (the largest when none is)."""
    if requested is None or requested <= 0:
        return DEFAULT_WIDTH
    for bucket in WIDTH_BUCKETS:
        if bucket >= requested:
            return bucket
    return WIDTH_BUCKETS[-1]


class PageRenderer:
    """Page images from memory, else from the disk cache, else rendered; all methods run in worker threads."""

    def __init__(self, data_dir: Path, memory_bytes: int = MEMORY_CACHE_BYTES) -> None:
        self._cache_root = data_dir / CACHE_DIR
        self._memory: OrderedDict[Path, bytes] = OrderedDict()
        self._memory_limit = memory_bytes
        self._memory_used = 0
        self._memory_lock = threading.Lock()

    def cached_path(self, sha256: str, page: int, width: int) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        if width not in WIDTH_BUCKETS or page < 1:
            raise ValueError("page or width out of range")
        return self._cache_root / sha256 / f"{page}-{width}.webp"

    def memory_image(self, sha256: str, page: int, width: int) -> bytes | None:
        """The image if it is in memory; never touches the disk (event-loop safe)."""
        target = self.cached_path(sha256, page, width)
        with self._memory_lock:
            data = self._memory.get(target)
            if data is not None:
                self._memory.move_to_end(target)
            return data

    def image_bytes(self, pdf_path: Path, sha256: str, page: int, width: int) -> bytes:
        """The encoded image: from memory, from the disk cache, or rendered now (and cached on both)."""
        data = self.memory_image(sha256, page, width)
        if data is not None:
            return data
        target = self.cached_path(sha256, page, width)
        if not target.is_file():
            self.render(pdf_path, sha256, page, width)
        data = target.read_bytes()
        self._remember(target, data)
        return data

    def render(self, pdf_path: Path, sha256: str, page: int, width: int) -> Path:
        target = self.cached_path(sha256, page, width)
        with PDFIUM_LOCK:
            if target.is_file():  # another request rendered it while this one waited
                return target
            image = _render_page(pdf_path, page, width)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    image.save(out, format="WEBP", quality=88, method=4)
                os.replace(temp, target)
            finally:
                Path(temp).unlink(missing_ok=True)
        return target

    def _remember(self, target: Path, data: bytes) -> None:
        if len(data) > self._memory_limit // 8:
            return
        with self._memory_lock:
            if target in self._memory:
                return
            self._memory[target] = data
            self._memory_used += len(data)
            while self._memory_used > self._memory_limit:
                _, dropped = self._memory.popitem(last=False)
                self._memory_used -= len(dropped)


def _render_page(pdf_path: Path, page: int, width: int):
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        if not 1 <= page <= len(pdf):
            raise ValueError(f"page {page} is outside the document")
        pdf_page = pdf[page - 1]
        try:
            page_width, page_height = pdf_page.get_size()
            scale = width / max(page_width, 1.0)
            if page_height * scale > MAX_HEIGHT_PX:
                scale = MAX_HEIGHT_PX / max(page_height, 1.0)
            bitmap = pdf_page.render(scale=scale, draw_annots=True)
            return bitmap.to_pil().convert("RGB")
        finally:
            pdf_page.close()
    finally:
        pdf.close()
