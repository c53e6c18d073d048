"""``serve`` (the viewer in the foreground, for a team server) and ``owner`` (owner sign-in for its pages).

``docsend-desktop serve [--host HOST] [--port PORT] [--public-url URL]`` prints one line
``docsend-desktop viewer ready URL`` once listening and stops cleanly on SIGINT or SIGTERM. Host and port
default to the ``viewer.host`` / ``viewer.port`` settings; ``--public-url`` applies to this run only (the
``viewer.public_url`` setting, which links and Salesforce Tasks use, is left as it is).
"""

from __future__ import annotations

import getpass
import signal
import sys
import threading
from argparse import ArgumentTypeError
from datetime import timedelta

from ..store import settings
from ..viewer.owner_auth import SIGN_IN_TTL, create_owner_sign_in_url, set_owner_password
from ..viewer.server import ViewerServer, ViewerStartError
from .context import CommandContext
from .output import emit_json, error_line


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the viewer (the web pages visitors open) in the foreground")
    p.add_argument("--host", type=_host, help="address to listen on (default: the viewer.host setting, 127.0.0.1)")
    p.add_argument("--port", type=_port, help="port to listen on, 0 for any free port (default: viewer.port, 8765)")
    p.add_argument("--public-url", type=_public_url, metavar="URL",
                   help="the URL visitors use, e.g. https://docs.example.com behind a reverse proxy (this run only)")
    p.set_defaults(run=serve)

    owner = sub.add_parser("owner", help="sign-in to the viewer's owner pages").add_subparsers(dest="action",
                                                                                              required=True)
    p = owner.add_parser("set-password", help="set the owner password (read from standard input)")
    p.set_defaults(run=owner_set_password)
    p = owner.add_parser("sign-in-link", help="print a one-time URL that signs a browser in to the owner pages")
    p.add_argument("--next", default="/owner/", metavar="PATH", help="owner page to land on, e.g. /owner/visits/7")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=owner_sign_in_link)


def _host(text: str) -> str:
    text = text.strip()
    if not text or len(text) > 253 or any(ch.isspace() or ch in "/@?#" for ch in text):
        raise ArgumentTypeError(f"{text!r} is not a host name or address")
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _public_url(text: str) -> str:
    try:
        return settings.validate("viewer.public_url", text)
    except settings.SettingError as exc:
        raise ArgumentTypeError(str(exc).replace("viewer.public_url", "--public-url")) from None


def serve(ctx: CommandContext, args) -> int:
    host = args.host or settings.get("viewer.host")
    port = args.port if args.port is not None else int(settings.get("viewer.port"))
    stored_url = settings.get("viewer.public_url")
    if args.public_url and args.public_url != stored_url:
        error_line(f"note: --public-url applies to this run; links and Tasks use the viewer.public_url setting "
                   f"({stored_url or 'unset'}); change it with 'settings set viewer.public_url {args.public_url}'")
    server = ViewerServer(ctx.data_dir, host=host, port=port, clock=ctx.clock,
                          public_url=args.public_url or stored_url or None)
    try:
        server.start()
    except ViewerStartError as exc:
        error_line(str(exc))
        return 1
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"docsend-desktop viewer ready {server.url}", flush=True)
        while not stop.wait(0.5):
            if not server.is_running:
                error_line("the viewer stopped unexpectedly (see the messages above)")
                return 1
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def owner_set_password(ctx: CommandContext, args) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Owner password: ")
        if getpass.getpass("Again: ") != password:
            error_line("the two passwords differ")
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    set_owner_password(password)  # InputError (too short, ...) → exit 2
    print("owner password set; owner sessions were signed out")
    return 0


def owner_sign_in_link(ctx: CommandContext, args) -> int:
    url = create_owner_sign_in_url(ctx.clock, next_path=args.next)
    expires_at = ctx.clock.now() + SIGN_IN_TTL
    if ctx.json:
        emit_json({"url": url, "expires_at": expires_at})
    else:
        print(url)
        minutes = SIGN_IN_TTL // timedelta(minutes=1)
        print(f"(works once, within {minutes} minutes)", file=sys.stderr)
    return 0
