"""Pure parts of the Salesforce layer: SOQL chunking through format_soql, and log redaction."""

import io
import logging
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from docsend_desktop.redaction import MASK, RedactingFilter, redact, register_secret
from docsend_desktop.salesforce.lookups import CONTACTS, MAX_SOQL_CHARS, chunk_in_queries
from docsend_desktop.salesforce.oauth import normalise_login_url

NASTY = ["o'brien@example.com", "back\\slash@example.com", "100%_sure@example.com", "zoë@exämple.com",
         "a" * 230 + "@example.com", "quote\"d@example.com", "new\nline@example.com"]


def test_every_value_lands_in_exactly_one_bounded_query():
    emails = [f"user{i}@example.com" for i in range(5000)] + NASTY
    queries = chunk_in_queries(CONTACTS, emails)
    assert len(queries) > 1
    assert all(len(quote(q, safe="")) <= MAX_SOQL_CHARS + 100 for q in queries)
    for email in NASTY:
        assert sum(_escaped(email) in q for q in queries) == 1
    assert sum(q.count("@example.com'") for q in queries) == 5000 + 6  # + the six nasty ones at example.com


def _escaped(value):
    return value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace('"', '\\"')


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=300))
def test_chunking_never_drops_or_repeats_a_value(values):
    queries = chunk_in_queries("SELECT Id FROM Account WHERE Name IN {}", values, max_chars=2000, max_values=50)
    assert len(queries) >= len(set(values)) / 50
    assert all(q.startswith("SELECT Id FROM Account WHERE Name IN (") for q in queries)


def test_login_url_shortcuts_and_refusals():
    assert normalise_login_url("production") == "https://login.salesforce.com"
    assert normalise_login_url("Sandbox") == "https://test.salesforce.com"
    assert normalise_login_url("https://acme.my.salesforce.com/") == "https://acme.my.salesforce.com"
    for bad in ("http://login.salesforce.com", "login.salesforce.com", "https://x.com/path", "https://x.com/?a=1"):
        try:
            normalise_login_url(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} accepted")


def test_redaction_by_shape_and_by_registered_value():
    register_secret("verifier-abcdef-123456")
    lines = [
        "GET /services/oauth2/authorize?code=aPrx123456789&state=xyz987654321",
        "headers {'Authorization': 'Bearer 00D000000000001!AQ0AQPzvExUaWqjWnKQfu8f4'}",
        '{"access_token": "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog", "refresh_token": "5Aep861TSESvWeug"}',
        "posting code_verifier=verifier-abcdef-123456 now",
        "raw verifier-abcdef-123456 in text",
        "token=5Aep861TSESvWeug&client_id=docsend-desktop",
    ]
    for line in lines:
        out = redact(line)
        for secret in ("aPrx123456789", "xyz987654321", "00D000000000001!AQ0AQPzvExUaWqjWnKQfu8f4",
                       "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog", "5Aep861TSESvWeug", "verifier-abcdef-123456"):
            assert secret not in out, out
        assert MASK in out
    assert redact("client_id=docsend-desktop") == "client_id=docsend-desktop"


def test_the_filter_scrubs_messages_args_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        register_secret("refresh-SECRET-value-42")
        logger.warning("refresh with %s", "refresh-SECRET-value-42")
        try:
            raise RuntimeError("failed: refresh_token=refresh-SECRET-value-42")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert "refresh-SECRET-value-42" not in stream.getvalue() and stream.getvalue().count(MASK) >= 2
