"""What a visit token unlocks besides beacons: page images and, when the link allows it, the PDF.

Both are served only to the holder of a valid token for that very document; a document id alone opens
nothing. Images are private to the browser (``Cache-Control: private``); the PDF is never cached.
"""

from __future__ import annotations

import logging
import unicodedata

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..content.documents import document_file
from ..errors import InputError
from .context import ViewerContext, viewer_context
from .grants import GrantedDocument, GrantRefused, check_grant
from .pages import IMAGE_TYPE, snap_width
from .recording import record_events
from .tokens import VisitGrant

log = logging.getLogger(__name__)
PAGE_IMAGE_MAX_AGE = 3600


def _small_int(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 6:
        return None
    return int(text)


def _refused(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers={"cache-control": "no-store"})


async def _granted(ctx: ViewerContext, token: str | None) -> tuple[VisitGrant, GrantedDocument] | Response:
    grant = ctx.visit_tokens.read(token)
    if grant is None:
        return _refused(403, "This page has expired. Reload the link to continue.")
    try:
        return grant, await run_in_threadpool(check_grant, ctx, grant)
    except GrantRefused as refused:
        return _refused(refused.status, refused.reason)


async def page_image(request: Request) -> Response:
    """GET ``/view/page?t=TOKEN&n=PAGE&w=WIDTH``."""
    ctx = viewer_context(request)
    page, width = _small_int(request.query_params.get("n")), _small_int(request.query_params.get("w"))
    if page is None:
        return _refused(400, "bad page number")
    grant = ctx.visit_tokens.read(request.query_params.get("t"))
    if grant is None:
        return _refused(403, "This page has expired. Reload the link to continue.")
    width = snap_width(width)
    found = ctx.grants.get(grant)  # a page turn: usually answered from memory, without a worker thread
    if found is not None and 1 <= page <= found.document.page_count:
        data = ctx.renderer.memory_image(found.document.sha256, page, width)
        if data is not None:
            return _image_response(data)
    return await run_in_threadpool(_page_image, ctx, grant, page, width)


def _page_image(ctx: ViewerContext, grant: VisitGrant, page: int, width: int) -> Response:
    try:
        document = check_grant(ctx, grant).document
    except GrantRefused as refused:
        return _refused(refused.status, refused.reason)
    if not 1 <= page <= document.page_count:
        return _refused(404, "no such page")
    return _image_response(ctx.renderer.image_bytes(document_file(ctx.data_dir, document), document.sha256, page,
                                                    width))


def _image_response(data: bytes) -> Response:
    return Response(data, media_type=IMAGE_TYPE, headers={"cache-control": f"private, max-age={PAGE_IMAGE_MAX_AGE}"})


async def download(request: Request) -> Response:
    """GET ``/view/download?t=TOKEN``: the PDF, when the link allows downloads; the download is recorded."""
    ctx = viewer_context(request)
    granted = await _granted(ctx, request.query_params.get("t"))
    if isinstance(granted, Response):
        return granted
    grant, found = granted
    if not found.link.allow_download:
        return _refused(403, "This link does not allow downloads.")
    try:
        await ctx.writer.run(record_events, ctx.clock, grant, [("download", None, 0.0)])
    except InputError as exc:
        log.info("download refused: %s", exc)
        return _refused(410, "This link is no longer available.")
    return FileResponse(document_file(ctx.data_dir, found.document), media_type="application/pdf",
                        filename=download_name(found.document.name), headers={"cache-control": "no-store"})


def download_name(name: str) -> str:
    """The document's name as a safe file name: no separators, quotes or control characters."""
    cleaned = "".join("_" if ch in '/\\"<>:|?*' or unicodedata.category(ch)[0] == "C" else ch for ch in name)
    if cleaned.lower().endswith(".pdf"):
        cleaned = cleaned[:-4]
    return (cleaned[:150].strip(" .") or "document") + ".pdf"


routes = [
    Route("/view/page", page_image, methods=["GET", "HEAD"]),
    Route("/view/download", download, methods=["GET"]),
]
