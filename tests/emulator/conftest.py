"""Fixtures for the emulator's conformance tests.

``emulator`` is a running emulator, reset to its seed state before each test; one server runs
per test module. ``sf`` is simple-salesforce signed in as rep@example.com over verified TLS, and
``api`` a requests Session carrying a bearer token (for the raw-HTTP checks).
"""

from __future__ import annotations

import pytest
import requests
from emulator_helpers import API_VERSION, Api
from simple_salesforce import Salesforce

from salesforce_emulator import Emulator


@pytest.fixture(scope="module")
def emulator_server():
    with Emulator() as server:
        yield server


@pytest.fixture
def emulator(emulator_server):
    emulator_server.admin.reset()
    return emulator_server


@pytest.fixture
def tokens(emulator) -> dict:
    return emulator.admin.issue_tokens()


@pytest.fixture
def sf(emulator, tokens) -> Salesforce:
    return Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                      session=emulator.requests_session(), version=API_VERSION)


@pytest.fixture
def api(emulator, tokens) -> Api:
    client = Api(emulator, tokens["access_token"])
    yield client
    client.session.close()


@pytest.fixture
def api_for(emulator):
    """Call GET /limits with a given access token; returns the response."""
    session = emulator.requests_session()

    def call(access_token: str) -> requests.Response:
        return session.get(f"{emulator.base_url}/services/data/v{API_VERSION}/limits",
                           headers={"Authorization": f"Bearer {access_token}"}, timeout=10)

    yield call
    session.close()
