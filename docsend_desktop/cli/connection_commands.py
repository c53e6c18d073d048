"""connect and disconnect."""

from __future__ import annotations

import sys
import webbrowser
from argparse import ArgumentTypeError

from ..salesforce import oauth
from ..salesforce.connection import complete_sign_in, disconnect, http_session
from ..salesforce.errors import SalesforceError
from ..salesforce.loopback import DEFAULT_TIMEOUT, wait_for_redirect
from ..store import settings
from .context import CommandContext
from .output import emit_json, error_line


def register(sub) -> None:
    p = sub.add_parser("connect", help="sign in to Salesforce (OAuth with PKCE)")
    p.add_argument("--login-url", type=_login_url,
                   help="production, sandbox, or your My Domain / any https login URL (default: the "
                        "salesforce.login_url setting)")
    p.add_argument("--client-id", help="the consumer key of your org's External Client App (default: the "
                                       "salesforce.client_id setting)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--browser", action="store_true", help="sign in with the system browser (the default)")
    how.add_argument("--refresh-token-stdin", action="store_true",
                     help="headless provisioning: read a refresh token from standard input")
    p.add_argument("--port", type=_port,
                   help="loopback port of the callback http://localhost:PORT/OauthRedirect (default: the "
                        "salesforce.redirect_port setting, 1717)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for the browser")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=connect)
    p = sub.add_parser("disconnect", help="revoke and forget the Salesforce sign-in")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_disconnect)


def _login_url(text: str) -> str:
    try:
        return oauth.normalise_login_url(text)
    except ValueError as exc:
        raise ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def connect(ctx: CommandContext, args) -> int:
    args.login_url = args.login_url or oauth.normalise_login_url(settings.get("salesforce.login_url"))
    args.client_id = (args.client_id or settings.get("salesforce.client_id")).strip()
    args.port = args.port or int(settings.get("salesforce.redirect_port"))
    if not args.client_id:
        error_line("no consumer key: pass --client-id or set salesforce.client_id (see the README, "
                   "'Connecting Salesforce')")
        return 2
    try:
        session = http_session(ctx.data_dir, ctx.ca_file)
    except ValueError as exc:
        error_line(str(exc))
        return 2
    try:
        if args.refresh_token_stdin:
            refresh_token = sys.stdin.readline().strip()
            if not refresh_token:
                error_line("no refresh token on standard input")
                return 2
            grant = oauth.refresh(args.login_url, args.client_id, refresh_token, session)
        else:
            flow = oauth.AuthorizationFlow(args.login_url, args.client_id, oauth.redirect_uri_for(args.port), session)
            redirect = wait_for_redirect(flow, args.port, _open_browser, timeout=args.timeout,
                                         on_url=lambda url: print(f"Open this URL to sign in:\n{url}", flush=True))
            grant = flow.complete(redirect)
        result, _ = complete_sign_in(ctx.data_dir, args.login_url, args.client_id, grant, session, ctx.ca_file)
    except SalesforceError as exc:
        error_line(str(exc))
        return 1
    settings.set_value("salesforce.client_id", args.client_id)
    settings.set_value("salesforce.login_url", args.login_url)
    if result.warning:
        error_line(result.warning)
    identity = result.identity
    if ctx.json:
        emit_json({"connected": True, "username": identity.username, "display_name": identity.display_name,
                   "user_id": identity.user_id, "org_id": identity.org_id, "instance_url": grant.instance_url,
                   "remembered": result.remembered})
    else:
        print(f"connected as {identity.username} ({identity.display_name}) to {grant.instance_url}")
    return 0


def _open_browser(url: str) -> bool:
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def run_disconnect(ctx: CommandContext, args) -> int:
    revoked = disconnect(ctx.data_dir)
    if ctx.json:
        emit_json({"connected": False, "revoked": revoked})
    else:
        print("disconnected" + ("" if revoked else " (Salesforce couldn't be told; the grant is forgotten here)"))
    return 0
