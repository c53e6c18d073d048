"""OAuth 2.0 web-server flow with PKCE, refresh, rotation, revocation, identity, session expiry."""

from __future__ import annotations

import pytest
from emulator_oauth import (
    CLIENT_ID,
    REDIRECT_URI,
    LoginForm,
    authorize_url,
    exchange,
    login_code,
    make_verifier,
    submit_login,
)
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession


@pytest.fixture
def http(emulator):
    session = emulator.requests_session()
    yield session
    session.close()


def full_login(emulator, http) -> dict:
    verifier, challenge = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    answer = exchange(http, emulator.base_url, code, verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()


def refresh(http, emulator, refresh_token, client_id=CLIENT_ID):
    return http.post(f"{emulator.base_url}/services/oauth2/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})


def test_pkce_login_then_simple_salesforce_works(emulator, http):
    tokens = full_login(emulator, http)
    assert set(tokens) >= {"access_token", "refresh_token", "instance_url", "id", "issued_at", "signature",
                           "token_type", "scope"}
    assert "expires_in" not in tokens
    assert tokens["instance_url"] == emulator.base_url
    org_id = emulator.admin.state()["org_id"]
    user_id = emulator.admin.state()["default_user_id"]
    assert tokens["id"] == f"{emulator.base_url}/id/{org_id}/{user_id}"
    assert tokens["token_type"] == "Bearer" and tokens["issued_at"].isdigit()
    sf = Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                    session=emulator.requests_session(), version="59.0")
    created = sf.Account.create({"Name": "Acme"})
    assert sf.Account.get(created["id"])["Name"] == "Acme"


def test_redirect_keeps_state_and_code_is_url_encoded(emulator, http):
    verifier, challenge = make_verifier()
    answer = submit_login(http, authorize_url(emulator.base_url, challenge, state="a b&c"))
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    assert "state=a+b%26c" in location and "%3D%3D" in location  # codes end in "==", encoded


def test_any_localhost_port_is_accepted_but_not_127_0_0_1(emulator, http):
    verifier, challenge = make_verifier()
    params = login_code(http, emulator.base_url, challenge, redirect_uri="http://localhost:53117/OauthRedirect")
    assert exchange(http, emulator.base_url, params["code"], verifier,
                    redirect_uri="http://localhost:53117/OauthRedirect").status_code == 200
    page = http.get(authorize_url(emulator.base_url, challenge, redirect_uri="http://127.0.0.1:7171/OauthRedirect"))
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text


def test_wrong_password_shows_the_form_again(emulator, http):
    verifier, challenge = make_verifier()
    answer = submit_login(http, authorize_url(emulator.base_url, challenge), password="wrong")
    assert answer.status_code == 200
    form = LoginForm()
    form.feed(answer.text)
    assert "check your username and password" in form.error


def test_unknown_client_at_authorize_and_token(emulator, http):
    verifier, challenge = make_verifier()
    page = http.get(authorize_url(emulator.base_url, challenge, client_id="nobody"))
    assert page.status_code == 400 and "invalid_client_id" in page.text
    code = login_code(http, emulator.base_url, challenge)["code"]
    answer = exchange(http, emulator.base_url, code, verifier, client_id="nobody")
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_client_id", "error_description": "client identifier invalid"}


def test_missing_code_challenge_is_refused_with_a_redirect(emulator, http):
    page = http.get(authorize_url(emulator.base_url, None), allow_redirects=False)
    assert page.status_code == 302
    assert "error=invalid_request" in page.headers["Location"] and "state=st4te" in page.headers["Location"]


def test_wrong_verifier(emulator, http):
    _, challenge = make_verifier()
    other_verifier, _ = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    answer = exchange(http, emulator.base_url, code, other_verifier)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}
    assert exchange(http, emulator.base_url, code, None).json()["error_description"] == "invalid code verifier"


def test_reused_code_fails_and_revokes_what_it_gave(emulator, http):
    verifier, challenge = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    first = exchange(http, emulator.base_url, code, verifier)
    assert first.status_code == 200
    second = exchange(http, emulator.base_url, code, verifier)
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant", "error_description": "invalid authorization code"}
    assert refresh(http, emulator, first.json()["refresh_token"]).status_code == 400


def test_expired_code(emulator, http):
    verifier, challenge = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    emulator.admin.advance_clock(601)
    answer = exchange(http, emulator.base_url, code, verifier)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "expired authorization code"}


def test_code_within_ten_minutes_works(emulator, http):
    verifier, challenge = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    emulator.admin.advance_clock(590)
    assert exchange(http, emulator.base_url, code, verifier).status_code == 200


def test_wrong_redirect_uri_at_token(emulator, http):
    verifier, challenge = make_verifier()
    code = login_code(http, emulator.base_url, challenge)["code"]
    answer = exchange(http, emulator.base_url, code, verifier, redirect_uri="http://localhost:9999/OauthRedirect")
    assert answer.status_code == 400
    assert answer.json() == {"error": "redirect_uri_mismatch",
                             "error_description": "redirect_uri must match configuration"}


def test_unsupported_grant_type(emulator, http):
    answer = http.post(f"{emulator.base_url}/services/oauth2/token", data={"grant_type": "password"})
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


def test_refresh_without_rotation_keeps_the_refresh_token(emulator, http):
    tokens = full_login(emulator, http)
    answer = refresh(http, emulator, tokens["refresh_token"])
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body and body["access_token"] != tokens["access_token"]
    assert body["instance_url"] == emulator.base_url
    assert refresh(http, emulator, tokens["refresh_token"]).status_code == 200


def test_refresh_with_rotation_kills_the_old_refresh_token(emulator, http):
    emulator.admin.configure(rotate_refresh_tokens=True)
    tokens = full_login(emulator, http)
    answer = refresh(http, emulator, tokens["refresh_token"])
    new_refresh = answer.json()["refresh_token"]
    assert new_refresh != tokens["refresh_token"]
    old = refresh(http, emulator, tokens["refresh_token"])
    assert old.status_code == 400
    assert old.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert refresh(http, emulator, new_refresh).status_code == 200


def test_refresh_with_another_client_or_garbage_fails(emulator, http):
    emulator.admin.add_client("other-app", ["http://localhost:*/OauthRedirect"])
    tokens = full_login(emulator, http)
    assert refresh(http, emulator, tokens["refresh_token"], client_id="other-app").json()["error"] == "invalid_grant"
    assert refresh(http, emulator, "garbage").json()["error"] == "invalid_grant"
    assert refresh(http, emulator, tokens["refresh_token"], client_id="nobody").json()["error"] == "invalid_client_id"


def test_access_token_expires_after_idle_ttl_and_refresh_recovers(emulator, http):
    emulator.admin.configure(access_token_ttl=60)
    tokens = full_login(emulator, http)
    sf = Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                    session=emulator.requests_session(), version="59.0")
    sf.query("SELECT Id FROM Account")
    emulator.admin.advance_clock(45)
    sf.query("SELECT Id FROM Account")  # use keeps the session alive
    emulator.admin.advance_clock(45)
    sf.query("SELECT Id FROM Account")
    emulator.admin.advance_clock(61)
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    new_access = refresh(http, emulator, tokens["refresh_token"]).json()["access_token"]
    sf.session_id = new_access
    sf._generate_headers()
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0


def test_refresh_token_idle_expiry(emulator, http):
    emulator.admin.configure(refresh_token_ttl=3600)
    tokens = full_login(emulator, http)
    emulator.admin.advance_clock(3601)
    assert refresh(http, emulator, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_access_token(emulator, http, api_for):
    tokens = full_login(emulator, http)
    assert http.post(f"{emulator.base_url}/services/oauth2/revoke", data={"token": tokens["access_token"]}
                     ).status_code == 200
    assert api_for(tokens["access_token"]).status_code == 401
    assert refresh(http, emulator, tokens["refresh_token"]).status_code == 200


def test_revoke_refresh_token_revokes_its_access_tokens(emulator, http, api_for):
    tokens = full_login(emulator, http)
    second_access = refresh(http, emulator, tokens["refresh_token"]).json()["access_token"]
    assert http.post(f"{emulator.base_url}/services/oauth2/revoke", data={"token": tokens["refresh_token"]}
                     ).status_code == 200
    assert api_for(tokens["access_token"]).status_code == 401
    assert api_for(second_access).status_code == 401
    assert refresh(http, emulator, tokens["refresh_token"]).status_code == 400
    again = http.post(f"{emulator.base_url}/services/oauth2/revoke", data={"token": tokens["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"


def test_admin_revoke_all(emulator, http, api_for):
    tokens = full_login(emulator, http)
    emulator.admin.revoke_all()
    assert api_for(tokens["access_token"]).status_code == 401
    assert refresh(http, emulator, tokens["refresh_token"]).status_code == 400


def test_identity_url_and_userinfo(emulator, http):
    tokens = full_login(emulator, http)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    identity = http.get(tokens["id"], headers=bearer).json()
    assert identity["username"] == "rep@example.com" and identity["email"] == "rep@example.com"
    assert identity["user_id"] == tokens["id"].rsplit("/", 1)[1]
    assert identity["organization_id"] == tokens["id"].rsplit("/", 2)[1]
    assert identity["display_name"] == "Riley Rep"
    assert identity["urls"]["rest"] == f"{emulator.base_url}/services/data/v{{version}}/"
    info = http.get(f"{emulator.base_url}/services/oauth2/userinfo", headers=bearer).json()
    assert info["preferred_username"] == "rep@example.com" and info["sub"] == tokens["id"]
    assert http.get(tokens["id"], headers={"Authorization": "Bearer nope"}).status_code == 403
    assert http.get(f"{emulator.base_url}/services/oauth2/userinfo").status_code == 403


def test_a_scope_without_refresh_token_gets_no_refresh_token(emulator, http):
    verifier, challenge = make_verifier()
    answer = submit_login(http, authorize_url(emulator.base_url, challenge) .replace(
        "scope=api+refresh_token", "scope=api"))
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    from urllib.parse import unquote
    tokens = exchange(http, emulator.base_url, unquote(code), verifier).json()
    assert "refresh_token" not in tokens and tokens["scope"] == "api"
