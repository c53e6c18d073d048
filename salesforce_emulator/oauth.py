"""OAuth 2.0 endpoints: the web-server flow with PKCE, refresh, revoke, userinfo and the identity URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .errors import OAuthError
from .sessions import DEFAULT_SCOPES, Client

LOGIN_FAILED = ("Please check your username and password. If you still can't log in, contact your Salesforce "
                "administrator.")
_NO_STORE = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private", "Pragma": "no-cache"}


def _state(request: Request):
    return request.app.state.emulator


def _render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _oauth_json(error: OAuthError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=_NO_STORE)


def _redirect_error(redirect_uri: str, error: str, description: str, state_param: str | None) -> Response:
    params = {"error": error, "error_description": description}
    if state_param is not None:
        params["state"] = state_param
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(params), status_code=302)


def _authorize_checks(request: Request) -> tuple[Client | None, Response | None]:
    """The client for a valid authorize request, or the answer Salesforce gives to a bad one."""
    params = request.query_params
    state = _state(request)
    client = state.sessions.client(params.get("client_id"))
    if client is None:
        return None, _render(request, "oauth_error.html", 400, error="invalid_client_id",
                             description="client identifier invalid")
    redirect_uri = params.get("redirect_uri", "")
    if not client.allows_redirect(redirect_uri):
        return None, _render(request, "oauth_error.html", 400, error="redirect_uri_mismatch",
                             description="redirect_uri must match configuration")
    state_param = params.get("state")
    if params.get("response_type") != "code":
        return None, _redirect_error(redirect_uri, "unsupported_response_type", "response type not supported",
                                     state_param)
    challenge = params.get("code_challenge")
    if client.require_pkce and not challenge:
        return None, _redirect_error(redirect_uri, "invalid_request", "missing required code challenge", state_param)
    if params.get("code_challenge_method", "S256") != "S256":
        return None, _redirect_error(redirect_uri, "invalid_request", "invalid code challenge method", state_param)
    return client, None


async def authorize(request: Request) -> Response:
    state = _state(request)
    await state.faults.delay()
    client, refusal = _authorize_checks(request)
    if refusal is not None:
        return refusal
    action = "/services/oauth2/authorize?" + request.url.query
    login_hint = request.query_params.get("login_hint", "")
    if request.method == "GET":
        return _render(request, "login.html", action=action, username=login_hint, error=None, client_name=client.name)
    form = await request.form()
    username, password = form.get("username"), form.get("password")
    user_id = state.sessions.authenticate(username, password)
    if user_id is None:
        return _render(request, "login.html", action=action, username=username if isinstance(username, str) else "",
                       error=LOGIN_FAILED, client_name=client.name)
    params = request.query_params
    scope = params.get("scope") or " ".join(DEFAULT_SCOPES)
    code = state.sessions.issue_code(client, user_id, params["redirect_uri"], params.get("code_challenge"), scope)
    reply = {"code": code}
    if params.get("state") is not None:
        reply["state"] = params["state"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return RedirectResponse(params["redirect_uri"] + separator + urlencode(reply), status_code=302)


def token_response(state, tokens: dict, client: Client | None) -> dict:
    """The token endpoint's JSON for freshly issued tokens."""
    issued_at = str(int(state.clock.now().timestamp() * 1000))
    identity_url = f"{state.base_url}/id/{state.org.org_id}/{tokens['user_id']}"
    body = {"access_token": tokens["access_token"]}
    if tokens.get("refresh_token"):
        body["refresh_token"] = tokens["refresh_token"]
    body.update({
        "signature": state.sessions.signature(client, identity_url, issued_at),
        "scope": tokens["scope"],
        "instance_url": state.base_url,
        "id": identity_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
    })
    return body


async def _form_params(request: Request) -> dict[str, str]:
    params = dict(parse_qsl(request.url.query))
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type or "multipart/form-data" in content_type:
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


async def token(request: Request) -> Response:
    state = _state(request)
    await state.faults.delay()
    params = await _form_params(request)
    try:
        grant_type = params.get("grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        client = state.sessions.client(params.get("client_id"))
        if client is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        secret = params.get("client_secret")
        if client.secret and secret is not None and secret != client.secret:
            raise OAuthError("invalid_client", "invalid client credentials")
        if grant_type == "authorization_code":
            if not params.get("code"):
                raise OAuthError("invalid_request", "missing required parameter: code")
            tokens = state.sessions.redeem_code(client, params.get("code"), params.get("redirect_uri"),
                                                params.get("code_verifier"))
        else:
            tokens = state.sessions.refresh(client, params.get("refresh_token"))
    except OAuthError as error:
        return _oauth_json(error)
    return JSONResponse(token_response(state, tokens, client), headers=_NO_STORE)


async def revoke(request: Request) -> Response:
    state = _state(request)
    await state.faults.delay()
    params = await _form_params(request)
    if not state.sessions.revoke(params.get("token")):
        return _oauth_json(OAuthError("invalid_token", "invalid token"))
    return Response(status_code=200, headers=_NO_STORE)


def _session_from_request(request: Request):
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token_value = value.strip() if scheme.lower() in ("bearer", "oauth") else None
    token_value = token_value or request.query_params.get("oauth_token") or request.query_params.get("access_token")
    return _state(request).sessions.session_for(token_value)


def _user(state, user_id: str) -> dict:
    found = state.org.find(user_id)
    return found[1] if found else {}


def _urls(base: str, org_id: str, user_id: str) -> dict:
    data = f"{base}/services/data/v{{version}}/"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org_id}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{org_id}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org_id}",
        "rest": data, "sobjects": data + "sobjects/", "search": data + "search/", "query": data + "query/",
        "recent": data + "recent/", "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org_id}",
        "tooling_rest": data + "tooling/", "profile": f"{base}/{user_id}",
        "feeds": data + "chatter/feeds", "groups": data + "chatter/groups", "users": data + "chatter/users",
        "feed_items": data + "chatter/feed-items", "feed_elements": data + "chatter/feed-elements",
        "custom_domain": base,
    }


async def identity(request: Request) -> Response:
    state = _state(request)
    await state.faults.delay()
    session = _session_from_request(request)
    if session is None:
        return PlainTextResponse("Bad_OAuth_Token", status_code=403)
    if request.path_params["org_id"] != state.org.org_id or request.path_params["user_id"] != session.user_id:
        return PlainTextResponse("Bad_Id", status_code=403)
    user = _user(state, session.user_id)
    org_id = state.org.org_id
    return JSONResponse({
        "id": f"{state.base_url}/id/{org_id}/{session.user_id}", "asserted_user": True,
        "user_id": session.user_id, "organization_id": org_id, "username": user.get("Username"),
        "nick_name": user.get("Alias"), "display_name": user.get("Name"), "email": user.get("Email"),
        "email_verified": True, "first_name": user.get("FirstName"), "last_name": user.get("LastName"),
        "timezone": user.get("TimeZoneSidKey") or "GMT",
        "photos": {"picture": f"{state.base_url}/profilephoto/005/F",
                   "thumbnail": f"{state.base_url}/profilephoto/005/T"},
        "addr_street": None, "addr_city": None, "addr_state": None, "addr_country": None, "addr_zip": None,
        "mobile_phone": None, "mobile_phone_verified": False, "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None}, "urls": _urls(state.base_url, org_id, session.user_id),
        "active": bool(user.get("IsActive", True)), "user_type": "STANDARD", "language": "en_US",
        "locale": "en_US", "utcOffset": 0, "last_modified_date": user.get("LastModifiedDate"),
        "is_app_installed": True,
    })


async def userinfo(request: Request) -> Response:
    state = _state(request)
    await state.faults.delay()
    session = _session_from_request(request)
    if session is None:
        return PlainTextResponse("Bad_OAuth_Token", status_code=403)
    user = _user(state, session.user_id)
    org_id = state.org.org_id
    return JSONResponse({
        "sub": f"{state.base_url}/id/{org_id}/{session.user_id}", "user_id": session.user_id,
        "organization_id": org_id, "preferred_username": user.get("Username"), "nickname": user.get("Alias"),
        "name": user.get("Name"), "email": user.get("Email"), "email_verified": True,
        "given_name": user.get("FirstName"), "family_name": user.get("LastName"),
        "zoneinfo": user.get("TimeZoneSidKey") or "GMT", "profile": f"{state.base_url}/{session.user_id}",
        "picture": f"{state.base_url}/profilephoto/005/F", "address": {},
        "urls": _urls(state.base_url, org_id, session.user_id), "active": bool(user.get("IsActive", True)),
        "user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": 0,
        "updated_at": user.get("LastModifiedDate"), "is_app_installed": True,
    })


def routes() -> list[Route]:
    return [
        Route("/services/oauth2/authorize", authorize, methods=["GET", "POST"]),
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/oauth2/revoke", revoke, methods=["GET", "POST"]),
        Route("/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/id/{org_id}/{user_id}", identity, methods=["GET", "POST"]),
    ]
