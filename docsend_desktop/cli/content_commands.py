"""documents, spaces and links commands."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import datetime

from ..clock import as_utc
from ..content import documents, links, spaces
from ..content.urls import external_link_url, owner_url
from ..store.models import Document, Link, Space
from .context import CommandContext
from .output import emit_json, emit_table


def register(sub) -> None:
    docs = sub.add_parser("documents", help="add and list PDF documents").add_subparsers(dest="action", required=True)
    p = docs.add_parser("add", help="add a PDF (copied into the data dir)")
    p.add_argument("file")
    p.add_argument("--name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=documents_add)
    p = docs.add_parser("list", help="list documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=documents_list)

    sp = sub.add_parser("spaces", help="create and list Spaces").add_subparsers(dest="action", required=True)
    p = sp.add_parser("create", help="create a Space from documents, in order")
    p.add_argument("name")
    p.add_argument("--document", type=_positive_id, action="append", required=True, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=spaces_create)
    p = sp.add_parser("list", help="list Spaces")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=spaces_list)

    ln = sub.add_parser("links", help="create, list and disable links").add_subparsers(dest="action", required=True)
    p = ln.add_parser("create", help="create a link to a document or a Space")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--document", type=_positive_id, metavar="ID")
    target.add_argument("--space", type=_positive_id, metavar="ID")
    p.add_argument("--name")
    p.add_argument("--account")
    p.add_argument("--require-email", action="store_true")
    p.add_argument("--passcode")
    p.add_argument("--expires", type=_iso_datetime, metavar="ISO8601")
    p.add_argument("--allow-download", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=links_create)
    p = ln.add_parser("list", help="list links")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=links_list)
    for action, disabled in (("disable", True), ("enable", False)):
        p = ln.add_parser(action, help=f"{action} a link")
        p.add_argument("id", type=_positive_id)
        p.add_argument("--json", action="store_true")
        p.set_defaults(run=links_set_disabled, disabled=disabled)


def _positive_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ArgumentTypeError(f"{text!r} is not an id (a positive whole number)")
    return int(text)


def _iso_datetime(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time such as 2027-01-31T17:00:00Z") from None


def document_json(d: Document, **extra) -> dict:
    return {"id": d.id, "name": d.name, "pages": d.page_count, "sha256": d.sha256, "size_bytes": d.size_bytes,
            "created_at": d.created_at, "owner_url": owner_url("document", d.id), **extra}


def link_json(link: Link) -> dict:
    target = link.document if link.document_id else link.space
    return {
        "id": link.id, "url": external_link_url(link.slug), "name": link.name, "account_name": link.account_name,
        "target": {"type": "document" if link.document_id else "space", "id": target.id, "name": target.name},
        "require_email": link.require_email, "passcode": link.passcode_hash is not None,
        "expires_at": link.expires_at, "allow_download": link.allow_download, "disabled": link.disabled,
        "created_at": link.created_at, "owner_url": owner_url("link", link.id),
    }


def space_json(space: Space, docs: list[Document]) -> dict:
    return {"id": space.id, "name": space.name, "created_at": space.created_at,
            "documents": [{"id": d.id, "name": d.name} for d in docs], "owner_url": owner_url("space", space.id)}


def documents_add(ctx: CommandContext, args) -> int:
    added = documents.add_document(ctx.data_dir, args.file, ctx.clock, name=args.name)
    if ctx.json:
        emit_json(document_json(added.document, existing=added.existing))
    elif added.existing:
        print(f"already added as document {added.document.id} ({added.document.name})")
    else:
        print(f"added document {added.document.id}: {added.document.name} ({added.document.page_count} pages)")
    return 0


def documents_list(ctx: CommandContext, args) -> int:
    docs = documents.list_documents()
    if ctx.json:
        emit_json([document_json(d) for d in docs])
    else:
        emit_table(["ID", "NAME", "PAGES", "ADDED"], [(d.id, d.name, d.page_count, d.created_at) for d in docs])
    return 0


def spaces_create(ctx: CommandContext, args) -> int:
    space = spaces.create_space(args.name, args.document, ctx.clock)
    docs = spaces.space_documents(space)
    if ctx.json:
        emit_json(space_json(space, docs))
    else:
        print(f"created Space {space.id}: {space.name} ({len(docs)} documents)")
    return 0


def spaces_list(ctx: CommandContext, args) -> int:
    rows = spaces.list_spaces()
    if ctx.json:
        emit_json([space_json(s, d) for s, d in rows])
    else:
        emit_table(["ID", "NAME", "DOCUMENTS"], [(s.id, s.name, ", ".join(x.name for x in d)) for s, d in rows])
    return 0


def links_create(ctx: CommandContext, args) -> int:
    request = links.LinkRequest(
        document_id=args.document, space_id=args.space, name=args.name, account_name=args.account,
        require_email=args.require_email, passcode=args.passcode, expires_at=args.expires,
        allow_download=args.allow_download,
    )
    link = links.create_link(request, ctx.clock)
    if ctx.json:
        emit_json(link_json(link))
    else:
        print(f"created link {link.id}: {external_link_url(link.slug)}")
    return 0


def links_list(ctx: CommandContext, args) -> int:
    rows = links.list_links()
    if ctx.json:
        emit_json([link_json(link) for link in rows])
    else:
        emit_table(
            ["ID", "NAME", "ACCOUNT", "TARGET", "EMAIL", "PASSCODE", "EXPIRES", "STATE", "URL"],
            [(k.id, k.name, k.account_name or None, (k.document or k.space).name, k.require_email,
              k.passcode_hash is not None, k.expires_at, "disabled" if k.disabled else "active",
              external_link_url(k.slug)) for k in rows],
        )
    return 0


def links_set_disabled(ctx: CommandContext, args) -> int:
    link = links.set_link_disabled(args.id, args.disabled)
    if ctx.json:
        emit_json(link_json(link))
    else:
        print(f"link {link.id} {'disabled' if link.disabled else 'enabled'}")
    return 0
