"""The pages a visitor opens: ``/l/<slug>``, its gates, the document viewer and a Space's document list.

Gates, in order: a disabled or expired link is gone (410); a passcode link asks for its passcode (wrong
codes rate-limited per client and link, and per link); a require-email link asks for an email, which a
signed cookie then remembers on this device for all of this installation's links. Past the gates the
page embeds a visit token (see ``tokens``) that its script sends with every beacon.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..content.links import get_link_by_slug, is_available
from ..content.names import clean_name, normalise_email
from ..content.passcodes import verify_passcode
from ..content.spaces import space_documents
from ..errors import InputError
from ..store.models import NAME_MAX, Document, Link, Space
from .context import ViewerContext, viewer_context
from .pages import DEFAULT_WIDTH, WIDTH_BUCKETS
from .ratelimit import minutes_text
from .security import BadForm, BodyTooLarge, client_address, delete_cookie, read_form, set_cookie
from .tokens import VIEWER_ID, new_viewer_id

SLUG = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VISITOR_COOKIE = "dsd_visitor"  # signed {"e": email, "n": name}, for every link of this installation
VIEWER_ID_COOKIE = "dsd_viewer"  # a random anonymous id, for links that don't ask for an email
PASSCODE_COOKIE = "dsd_pass"  # signed, scoped to one link's path: the passcode was given
REMEMBER_EMAIL_FOR = timedelta(days=180)
REMEMBER_VIEWER_FOR = timedelta(days=365)
PASSCODE_PASS_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class OpenedLink:
    link: Link
    space: Space | None
    documents: list[Document]

    @property
    def path(self) -> str:
        return f"/l/{self.link.slug}"

    @property
    def title(self) -> str:
        return self.space.name if self.space is not None else self.documents[0].name


@dataclass(frozen=True)
class Identity:
    email: str | None
    name: str
    viewer_id: str | None
    is_new_viewer: bool = False


def open_link(ctx: ViewerContext, slug: str) -> OpenedLink | Response:
    """The link behind ``slug`` with its documents, or the page saying why not (404, 410)."""
    link = get_link_by_slug(slug) if SLUG.match(slug) else None
    if link is None:
        return ctx.pages.message(404, "Not found", "There is nothing at this address. Check the link you were sent.")
    if not is_available(link, ctx.clock.now()):
        return gone(ctx)
    if link.document_id is not None:
        return OpenedLink(link, None, [link.document])
    return OpenedLink(link, link.space, space_documents(link.space_id))


def gone(ctx: ViewerContext) -> Response:
    return ctx.pages.message(410, "This link is no longer available",
                             "The person who shared it has disabled it or it has expired. Ask them for a new link.")


def link_page(request: Request) -> Response:
    """GET ``/l/<slug>`` and ``/l/<slug>/<n>`` (the n-th document of a Space); runs in a worker thread."""
    ctx = viewer_context(request)
    opened = open_link(ctx, request.path_params["slug"])
    if isinstance(opened, Response):
        return opened
    position = request.path_params.get("position")
    new_cookies: dict[str, str] = {}
    response = _gate(request, ctx, opened, position, new_cookies)
    if response is None:
        identity = remembered_identity(request, ctx)
        if opened.space is not None and position is None:
            response = ctx.pages.render("space.html", opened=opened, title=opened.title,
                                        forget=_forget_form(request, ctx, opened, identity, new_cookies))
        elif position is not None and not (opened.space is not None and 1 <= position <= len(opened.documents)):
            response = ctx.pages.message(404, "Not found", "This document is not part of the link you opened.")
        else:
            document = opened.documents[(position or 1) - 1]
            response = _viewer(request, ctx, opened, document, position, identity, new_cookies)
        if identity.is_new_viewer:
            set_cookie(response, VIEWER_ID_COOKIE, identity.viewer_id or "", secure=ctx.secure_cookies,
                       max_age=int(REMEMBER_VIEWER_FOR.total_seconds()))
    for value in new_cookies.values():
        ctx.csrf.set_cookie(response, value)
    return response


def remembered_identity(request: Request, ctx: ViewerContext) -> Identity:
    remembered = ctx.signed.loads("visitor", request.cookies.get(VISITOR_COOKIE), REMEMBER_EMAIL_FOR)
    if isinstance(remembered, dict) and isinstance(remembered.get("e"), str):
        return Identity(remembered["e"], str(remembered.get("n", "")), None)
    viewer_id = request.cookies.get(VIEWER_ID_COOKIE, "")
    if VIEWER_ID.match(viewer_id):
        return Identity(None, "", viewer_id)
    return Identity(None, "", new_viewer_id(), is_new_viewer=True)


def _gate(request: Request, ctx: ViewerContext, opened: OpenedLink, position: int | None,
          new_cookies: dict[str, str]) -> Response | None:
    """The passcode or email form this visitor must fill in first, or ``None`` when they may view."""
    if opened.link.passcode_hash and not _passcode_passed(request, ctx, opened.link):
        return passcode_form(request, ctx, opened, position, new_cookies)
    if opened.link.require_email and remembered_identity(request, ctx).email is None:
        return email_form(request, ctx, opened, position, new_cookies)
    return None


def passcode_form(request: Request, ctx: ViewerContext, opened: OpenedLink, position: int | None,
                  new_cookies: dict[str, str], *, error: str = "", status_code: int = 200) -> Response:
    # The document's name stays hidden until the passcode is given.
    return ctx.pages.render("gate_passcode.html", status_code, title="Passcode required",
                            action=f"{opened.path}/passcode", position=position or "", error=error,
                            csrf=ctx.csrf.token_for(request, new_cookies))


def email_form(request: Request, ctx: ViewerContext, opened: OpenedLink, position: int | None,
               new_cookies: dict[str, str], *, error: str = "", email: str = "", name: str = "",
               status_code: int = 200) -> Response:
    return ctx.pages.render("gate_email.html", status_code, title=opened.title, action=f"{opened.path}/email",
                            position=position or "", error=error, email=email, name=name,
                            csrf=ctx.csrf.token_for(request, new_cookies))


def _viewer(request: Request, ctx: ViewerContext, opened: OpenedLink, document: Document, position: int | None,
            identity: Identity, new_cookies: dict[str, str]) -> Response:
    page = _requested_page(request, document.page_count)
    token = ctx.visit_tokens.issue(opened.link.id, document.id, email=identity.email, name=identity.name,
                                   viewer_id=None if identity.email else identity.viewer_id)
    here = opened.path if position is None else f"{opened.path}/{position}"
    return ctx.pages.render(
        "viewer.html",
        title=document.name,
        document=document,
        page=page,
        token=token,
        here=here,
        image=page_image_urls(token, page),
        widths=",".join(str(w) for w in WIDTH_BUCKETS),
        download_url=f"/view/download?{urlencode({'t': token})}" if opened.link.allow_download else None,
        space_url=opened.path if opened.space is not None else None,
        space_name=opened.space.name if opened.space is not None else None,
        forget=_forget_form(request, ctx, opened, identity, new_cookies),
    )


def page_image_urls(token: str, page: int) -> dict[str, str]:
    def url(width: int) -> str:
        return "/view/page?" + urlencode({"t": token, "n": page, "w": width})

    return {"src": url(DEFAULT_WIDTH), "srcset": ", ".join(f"{url(w)} {w}w" for w in WIDTH_BUCKETS)}


def _forget_form(request: Request, ctx: ViewerContext, opened: OpenedLink, identity: Identity,
                 new_cookies: dict[str, str]) -> dict | None:
    if identity.email is None:
        return None
    return {"email": identity.email, "action": f"{opened.path}/forget",
            "csrf": ctx.csrf.token_for(request, new_cookies)}


def _requested_page(request: Request, page_count: int) -> int:
    text = request.query_params.get("page", "1")
    if not text.isdigit() or len(text) > 6:
        return 1
    return min(max(int(text), 1), page_count)


def _passcode_fingerprint(link: Link) -> str:
    return hashlib.sha256(f"{link.slug}\0{link.passcode_hash}".encode()).hexdigest()[:24]


def _passcode_passed(request: Request, ctx: ViewerContext, link: Link) -> bool:
    value = ctx.signed.loads("passcode", request.cookies.get(PASSCODE_COOKIE), PASSCODE_PASS_FOR)
    return value == _passcode_fingerprint(link)


def _return_path(opened: OpenedLink, form: dict[str, str]) -> str:
    position = form.get("position", "")
    if position.isdigit() and len(position) <= 4 and opened.space is not None:
        return f"{opened.path}/{int(position)}"
    return opened.path


def _form_position(form: dict[str, str]) -> int | None:
    text = form.get("position", "")
    return int(text) if text.isdigit() and len(text) <= 4 else None


async def _read_posted_form(request: Request, ctx: ViewerContext) -> dict[str, str] | Response:
    try:
        form = await read_form(request)
    except BodyTooLarge:
        return ctx.pages.message(413, "Too much data", "That form was larger than this page accepts.")
    except BadForm:
        return ctx.pages.message(400, "Bad request", "That form could not be read. Go back and try again.")
    if not ctx.csrf.is_valid(request, form):
        return ctx.pages.message(403, "Please try again",
                                 "The form had expired or came from elsewhere. Go back, reload the page and try again.")
    return form


async def _handle_form(request: Request, check) -> Response:
    """Read and check a posted gate form on the event loop, then run ``check`` (it touches the DB) in a thread."""
    ctx = viewer_context(request)
    form = await _read_posted_form(request, ctx)
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(check, request, ctx, form)


async def submit_passcode(request: Request) -> Response:
    return await _handle_form(request, _check_passcode)


def _check_passcode(request: Request, ctx: ViewerContext, form: dict[str, str]) -> Response:
    opened = open_link(ctx, request.path_params["slug"])
    if isinstance(opened, Response):
        return opened
    link = opened.link
    if not link.passcode_hash:
        return RedirectResponse(_return_path(opened, form), status_code=303)
    client_key = (client_address(request), link.id)
    wait = ctx.passcode_failures.retry_after(client_key) or ctx.passcode_link_failures.retry_after(link.id)
    if wait is not None:
        response = ctx.pages.message(429, "Too many wrong passcodes", f"Try again in {minutes_text(wait)}.")
        response.headers["retry-after"] = str(int(wait))
        return response
    new_cookies: dict[str, str] = {}
    if not verify_passcode(form.get("passcode", ""), link.passcode_hash):
        ctx.passcode_failures.record_failure(client_key)
        ctx.passcode_link_failures.record_failure(link.id)
        return passcode_form(request, ctx, opened, _form_position(form), new_cookies,
                             error="That passcode is not right.", status_code=403)
    ctx.passcode_failures.reset(client_key)
    response = RedirectResponse(_return_path(opened, form), status_code=303)
    set_cookie(response, PASSCODE_COOKIE, ctx.signed.dumps("passcode", _passcode_fingerprint(link)),
               secure=ctx.secure_cookies, max_age=int(PASSCODE_PASS_FOR.total_seconds()), path=opened.path)
    return response


async def submit_email(request: Request) -> Response:
    return await _handle_form(request, _check_email)


def _check_email(request: Request, ctx: ViewerContext, form: dict[str, str]) -> Response:
    opened = open_link(ctx, request.path_params["slug"])
    if isinstance(opened, Response):
        return opened
    if opened.link.passcode_hash and not _passcode_passed(request, ctx, opened.link):
        return RedirectResponse(_return_path(opened, form), status_code=303)
    typed_email, typed_name = form.get("email", "")[:320], form.get("name", "")[:NAME_MAX + 50]
    try:
        email = normalise_email(typed_email)
        name = clean_name(typed_name, what="name", max_length=NAME_MAX, allow_empty=True)
    except InputError as exc:
        message = "Enter a valid email address, such as name@company.com." if "email" in str(exc) else (
            f"Your name can be at most {NAME_MAX} characters, without control characters.")
        return email_form(request, ctx, opened, _form_position(form), {}, error=message, email=typed_email,
                          name=typed_name, status_code=400)
    response = RedirectResponse(_return_path(opened, form), status_code=303)
    set_cookie(response, VISITOR_COOKIE, ctx.signed.dumps("visitor", {"e": email, "n": name}),
               secure=ctx.secure_cookies, max_age=int(REMEMBER_EMAIL_FOR.total_seconds()))
    return response


async def forget_email(request: Request) -> Response:
    """"Not you?": forget the remembered email on this device."""
    ctx = viewer_context(request)
    form = await _read_posted_form(request, ctx)
    if isinstance(form, Response):
        return form
    slug = request.path_params["slug"]
    target = f"/l/{slug}" if SLUG.match(slug) else "/"
    response = RedirectResponse(target, status_code=303)
    delete_cookie(response, VISITOR_COOKIE, secure=ctx.secure_cookies)
    return response


routes = [
    Route("/l/{slug}", link_page, methods=["GET", "HEAD"]),
    Route("/l/{slug}/{position:int}", link_page, methods=["GET", "HEAD"]),
    Route("/l/{slug}/passcode", submit_passcode, methods=["POST"]),
    Route("/l/{slug}/email", submit_email, methods=["POST"]),
    Route("/l/{slug}/forget", forget_email, methods=["POST"]),
]
