"""Sign-in against the emulator over TLS: the PKCE flow, the keychain, refresh, rotation, revocation."""

import json
import re
from urllib.parse import urljoin

import pytest
import requests

from docsend_desktop.cli import main
from docsend_desktop.salesforce import oauth
from docsend_desktop.salesforce.connection import ConnectionInfo, SalesforceConnection, http_session
from docsend_desktop.salesforce.errors import ConnectionFailed, SignInRequired
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.salesforce.token_store import TokenStore
from docsend_desktop.store.database import close_database


def log_in_through_the_form(org, authorize_url, username="rep@example.com", password="demo") -> str:
    """The browser's part: load the login form, post it, return where Salesforce redirects."""
    session = org.requests_session()
    page = session.get(authorize_url, timeout=10)
    assert page.status_code == 200 and 'name="username"' in page.text and 'name="password"' in page.text
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    answer = session.post(urljoin(authorize_url, action), data={"username": username, "password": password},
                          allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:300]
    return answer.headers["Location"]


def test_full_pkce_sign_in_stores_identity_and_the_refresh_token_only_in_the_keychain(
        database, data_dir, salesforce_org, memory_keyring):
    session = http_session(data_dir, salesforce_org.ca_path)
    flow = oauth.AuthorizationFlow(salesforce_org.login_url, "docsend-desktop", oauth.redirect_uri_for(1717), session)
    url = flow.authorization_url()
    assert "code_challenge_method=S256" in url and f"state={flow.state}" in url and "code_verifier" not in url
    redirect = log_in_through_the_form(salesforce_org, url)
    assert flow.is_redirect(redirect)
    grant = flow.complete(redirect)
    from docsend_desktop.salesforce.connection import complete_sign_in

    result, connection = complete_sign_in(data_dir, salesforce_org.login_url, "docsend-desktop", grant, session,
                                          salesforce_org.ca_path)
    assert result.remembered and result.identity.username == "rep@example.com"
    info = ConnectionInfo.load()
    assert (info.username, info.state, info.instance_url) == ("rep@example.com", "connected", salesforce_org.base_url)
    assert list(memory_keyring.secrets.values()) == [grant.refresh_token]
    assert SalesforceGateway(connection).limits()["DailyApiRequests"]["Max"] > 0


def test_cli_connect_with_the_browser_flow_then_status(data_dir, salesforce_org, memory_keyring, monkeypatch, capsys):
    from docsend_desktop.cli import connection_commands

    def browser(url):  # the system browser: log in, then follow the redirect to the loopback listener
        redirect = log_in_through_the_form(salesforce_org, url)
        assert requests.get(redirect, timeout=10).status_code == 200
        return True

    monkeypatch.setattr(connection_commands, "_open_browser", browser)
    code = main(["--data-dir", str(data_dir), "--ca-file", str(salesforce_org.ca_path), "connect", "--login-url",
                 salesforce_org.login_url, "--client-id", "docsend-desktop", "--port", "17171",
                 "--json"])
    close_database()
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["username"] == "rep@example.com"
    # A later command without --ca-file still trusts the emulator: the CA is remembered with the connection.
    assert main(["--data-dir", str(data_dir), "status", "--json"]) == 0
    close_database()
    status = json.loads(capsys.readouterr().out)
    assert status["connection"]["username"] == "rep@example.com" and status["connection"]["connected"]
    assert main(["--data-dir", str(data_dir), "disconnect", "--json"]) == 0
    close_database()
    assert json.loads(capsys.readouterr().out)["revoked"] is True
    assert memory_keyring.secrets == {}


def test_refresh_on_expiry_is_transparent(connected, salesforce_org):
    gateway = SalesforceGateway(connected)
    gateway.limits()
    salesforce_org.admin.configure(access_token_ttl=60)
    salesforce_org.admin.advance_clock(3600)
    assert gateway.limits()["DailyApiRequests"]["Max"] > 0  # 401 → refresh → retried once


def test_rotation_replaces_the_stored_refresh_token(connected, salesforce_org, memory_keyring, data_dir):
    salesforce_org.admin.configure(rotate_refresh_tokens=True)
    before = TokenStore(data_dir).load()
    connected.refresh()
    after = TokenStore(data_dir).load()
    assert after and after != before
    with pytest.raises(SignInRequired):  # the old one died with the rotation
        oauth.refresh(salesforce_org.login_url, "docsend-desktop", before, connected.session)


def test_a_revoked_grant_means_sign_in_required_and_no_further_calls(connected, salesforce_org, data_dir,
                                                                    memory_keyring):
    gateway = SalesforceGateway(connected)
    salesforce_org.admin.revoke_all()
    with pytest.raises(SignInRequired):
        gateway.limits()
    calls = gateway.calls
    for _ in range(3):
        with pytest.raises(SignInRequired):
            gateway.limits()
    assert gateway.calls == calls  # nothing more left this machine
    assert ConnectionInfo.load().state == "sign_in_required" and memory_keyring.secrets == {}
    reopened = SalesforceConnection.open(data_dir)
    assert reopened.sign_in_required


def test_no_keychain_still_signs_in_for_the_session(database, data_dir, salesforce_org, monkeypatch):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    from docsend_desktop.salesforce.connection import complete_sign_in

    keyring.set_keyring(FailKeyring())
    tokens = salesforce_org.admin.issue_tokens()
    grant = oauth.Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"], tokens["id"])
    result, connection = complete_sign_in(data_dir, salesforce_org.login_url, "docsend-desktop", grant,
                                          http_session(data_dir, salesforce_org.ca_path), salesforce_org.ca_path)
    assert not result.remembered and "can't remember the sign-in" in result.warning
    assert SalesforceGateway(connection).limits()


@pytest.mark.parametrize(
    ("redirect_query", "message"),
    [("error=access_denied&error_description=end-user+denied+authorization", "cancelled"),
     ("code=abc", "state doesn't match")],
)
def test_denied_or_forged_redirects_are_refused(database, data_dir, salesforce_org, redirect_query, message):
    flow = oauth.AuthorizationFlow(salesforce_org.login_url, "docsend-desktop", oauth.redirect_uri_for(1717),
                                   http_session(data_dir, salesforce_org.ca_path))
    state = f"&state={flow.state}" if "error" in redirect_query else "&state=forged"
    with pytest.raises(SignInRequired, match=message):
        flow.complete(f"http://localhost:1717/OauthRedirect?{redirect_query}{state}")
    assert not ConnectionInfo.load().connected


def test_an_unknown_consumer_key_is_refused(database, data_dir, salesforce_org):
    session = http_session(data_dir, salesforce_org.ca_path)
    with pytest.raises(SignInRequired, match="invalid_client"):
        oauth.refresh(salesforce_org.login_url, "no-such-client", "whatever-token", session)


def test_tls_without_the_emulator_ca_fails_clearly(database, data_dir, salesforce_org):
    with pytest.raises(ConnectionFailed, match="TLS verification failed"):
        oauth.refresh(salesforce_org.login_url, "docsend-desktop", "x" * 20, http_session(data_dir, None))


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["--login-url", "https://127.0.0.1:9", "--client-id", "docsend-desktop", "--refresh-token-stdin"],
         "token\n", 1, "can't reach the login host"),
        (["--login-url", "{org}", "--client-id", "docsend-desktop", "--refresh-token-stdin"], "revoked-token\n", 1,
         "invalid_grant"),
        (["--login-url", "{org}", "--client-id", "docsend-desktop", "--refresh-token-stdin"], "\n", 2,
         "no refresh token"),
        (["--login-url", "ftp://x", "--client-id", "docsend-desktop"], "", 2, "login URL must be https"),
    ],
)
def test_cli_connect_failures_are_one_line_and_store_nothing(data_dir, salesforce_org, memory_keyring, monkeypatch,
                                                            capsys, args, stdin, code, message):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    argv = ["--data-dir", str(data_dir), "--ca-file", str(salesforce_org.ca_path), "connect",
            *[a.format(org=salesforce_org.login_url) for a in args]]
    try:
        result = main(argv)
    except SystemExit as exc:
        result = exc.code
    close_database()
    err = capsys.readouterr().err.strip().splitlines()
    assert result == code and len(err) == 1 and message in err[0], err
    assert memory_keyring.secrets == {}


def test_a_browser_that_never_comes_back_times_out_clearly(database, data_dir, salesforce_org):
    from docsend_desktop.salesforce.loopback import wait_for_redirect

    flow = oauth.AuthorizationFlow(salesforce_org.login_url, "docsend-desktop", oauth.redirect_uri_for(17172),
                                   http_session(data_dir, salesforce_org.ca_path))
    shown = []
    with pytest.raises(SignInRequired, match="timed out .* nothing was changed"):
        wait_for_redirect(flow, 17172, open_url=lambda url: False, timeout=0.5, on_url=shown.append)
    assert shown and shown[0].startswith(salesforce_org.login_url)  # no browser: the URL was printed instead
    assert not ConnectionInfo.load().connected


def test_connect_without_a_consumer_key_says_how_to_give_one(data_dir, capsys):
    code = main(["--data-dir", str(data_dir), "connect", "--refresh-token-stdin"])
    close_database()
    err = capsys.readouterr().err
    assert code == 2 and "no consumer key" in err and len(err.strip().splitlines()) == 1
