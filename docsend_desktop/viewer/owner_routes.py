"""The owner's pages (DESIGN §3 internal URLs) and their sign-in.

``/owner/documents/<id>``, ``/owner/links/<id>``, ``/owner/spaces/<id>``, ``/owner/visits/<id>`` and the
``/owner/`` overview. Without an owner session each answers 401 with the sign-in form and nothing else.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..content.links import is_available
from ..content.urls import external_link_url
from ..store.models import Document, Link, Space, Visit
from . import owner_queries as q
from .context import ViewerContext, viewer_context
from .owner_auth import (
    check_owner_password,
    consume_sign_in_token,
    end_session,
    has_owner_password,
    is_owner,
    safe_next_path,
    start_session,
)
from .ratelimit import minutes_text
from .security import BadForm, BodyTooLarge, client_address, read_form


def _page(request: Request, ctx: ViewerContext, template: str, status_code: int = 200, /,
          **context: Any) -> Response:
    new_cookies: dict[str, str] = {}
    csrf = ctx.csrf.token_for(request, new_cookies)
    response = ctx.pages.render(template, status_code, csrf=csrf, **context)
    for value in new_cookies.values():
        ctx.csrf.set_cookie(response, value)
    return response


def _sign_in_form(request: Request, ctx: ViewerContext, next_path: str, *, error: str = "",
                  status_code: int = 401) -> Response:
    return _page(request, ctx, "owner_sign_in.html", status_code, title="Owner sign-in", next_path=next_path,
                 has_password=has_owner_password(), error=error)


def _owner_only(view):
    """Runs ``view(request, ctx)`` in a worker thread for a signed-in owner; the sign-in form for anyone else."""

    def endpoint(request: Request) -> Response:
        ctx = viewer_context(request)
        if not is_owner(request, ctx):
            return _sign_in_form(request, ctx, safe_next_path(request.url.path))
        return view(request, ctx)

    return endpoint


def _not_found(ctx: ViewerContext) -> Response:
    return ctx.pages.message(404, "Not found", "Nothing here: it may have been deleted.")


def overview(request: Request, ctx: ViewerContext) -> Response:
    return _page(request, ctx, "owner_overview.html", title="Overview", visits=q.recent_visits(),
                 links=q.overview_links())


def document_page(request: Request, ctx: ViewerContext) -> Response:
    document = Document.get_or_none(Document.id == request.path_params["item_id"])
    if document is None:
        return _not_found(ctx)
    return _page(request, ctx, "owner_document.html", title=document.name, document=document,
                 page_times=q.document_page_times(document), links=q.links_to(document=document),
                 visits=q.recent_visits(Visit.document == document))


def link_page(request: Request, ctx: ViewerContext) -> Response:
    link = Link.get_or_none(Link.id == request.path_params["item_id"])
    if link is None:
        return _not_found(ctx)
    target = link.document if link.document_id else link.space
    return _page(request, ctx, "owner_link.html", title=link.name, link=link, target=target,
                 target_kind="document" if link.document_id else "space",
                 url=external_link_url(link.slug, base=ctx.base_url()), available=is_available(link, ctx.clock.now()),
                 visitors=q.link_visitors(link.id), visits=q.recent_visits(Visit.link == link))


def space_page(request: Request, ctx: ViewerContext) -> Response:
    space = Space.get_or_none(Space.id == request.path_params["item_id"])
    if space is None:
        return _not_found(ctx)
    links = q.links_to(space=space)
    return _page(request, ctx, "owner_space.html", title=space.name, space=space, documents=q.space_contents(space),
                 links=links, visits=q.recent_visits(Visit.link.in_([link.id for link in links])) if links else [])


def visit_page(request: Request, ctx: ViewerContext) -> Response:
    visit = q.visit_detail(request.path_params["item_id"])
    if visit is None:
        return _not_found(ctx)
    return _page(request, ctx, "owner_visit.html", title=f"Visit by {visit.who}", visit=visit)


def sign_in_page(request: Request) -> Response:
    ctx = viewer_context(request)
    next_path = safe_next_path(request.query_params.get("next"))
    if is_owner(request, ctx):
        return RedirectResponse(next_path, status_code=303)
    return _sign_in_form(request, ctx, next_path, status_code=200)


async def sign_in_submit(request: Request) -> Response:
    ctx = viewer_context(request)
    try:
        form = await read_form(request)
    except (BodyTooLarge, BadForm):
        return ctx.pages.message(400, "Bad request", "That form could not be read.")
    if not ctx.csrf.is_valid(request, form):
        return ctx.pages.message(403, "Please try again", "The form had expired. Reload the page and try again.")
    return await run_in_threadpool(_check_password, request, ctx, form)


def _check_password(request: Request, ctx: ViewerContext, form: dict[str, str]) -> Response:
    next_path = safe_next_path(form.get("next"))
    key = ("owner", client_address(request))
    wait = ctx.owner_failures.retry_after(key)
    if wait is not None:
        response = ctx.pages.message(429, "Too many wrong passwords", f"Try again in {minutes_text(wait)}.")
        response.headers["retry-after"] = str(int(wait))
        return response
    if not check_owner_password(form.get("password", "")):
        ctx.owner_failures.record_failure(key)
        return _sign_in_form(request, ctx, next_path, error="That password is not right.", status_code=403)
    ctx.owner_failures.reset(key)
    response = RedirectResponse(next_path, status_code=303)
    start_session(response, ctx)
    return response


def sign_in_with_link(request: Request) -> Response:
    ctx = viewer_context(request)
    if not consume_sign_in_token(request.path_params["token"], ctx.clock):
        return ctx.pages.message(403, "This sign-in link can't be used",
                                 "It has been used already or has expired. Open the owner pages from the app again.")
    response = RedirectResponse(safe_next_path(request.query_params.get("next")), status_code=303)
    start_session(response, ctx)
    return response


async def sign_out(request: Request) -> Response:
    ctx = viewer_context(request)
    try:
        form = await read_form(request)
    except (BodyTooLarge, BadForm):
        form = {}
    if not ctx.csrf.is_valid(request, form):
        return ctx.pages.message(403, "Please try again", "The form had expired. Reload the page and try again.")
    response = RedirectResponse("/owner/sign-in", status_code=303)
    end_session(response, ctx)
    return response


routes = [
    Route("/owner", lambda request: RedirectResponse("/owner/", status_code=308), methods=["GET"]),
    Route("/owner/", _owner_only(overview), methods=["GET", "HEAD"]),
    Route("/owner/documents/{item_id:int}", _owner_only(document_page), methods=["GET", "HEAD"]),
    Route("/owner/links/{item_id:int}", _owner_only(link_page), methods=["GET", "HEAD"]),
    Route("/owner/spaces/{item_id:int}", _owner_only(space_page), methods=["GET", "HEAD"]),
    Route("/owner/visits/{item_id:int}", _owner_only(visit_page), methods=["GET", "HEAD"]),
    Route("/owner/sign-in", sign_in_page, methods=["GET", "HEAD"]),
    Route("/owner/sign-in", sign_in_submit, methods=["POST"]),
    Route("/owner/sign-in/{token}", sign_in_with_link, methods=["GET"]),
    Route("/owner/sign-out", sign_out, methods=["POST"]),
]
