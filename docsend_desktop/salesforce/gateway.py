"""The API gateway over simple-salesforce: one place that calls Salesforce, refreshes an expired session
once, and turns every failure into a classified ``SalesforceError``.

Batched lookups live in ``lookups.py``, collections in ``collections.py``; both go through ``call``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as SimpleSalesforceError
from simple_salesforce.exceptions import SalesforceExpiredSession

from .connection import SalesforceConnection
from .errors import ConnectionFailed, SignInRequired, TransientError, from_status
from .http import ApiUsage

log = logging.getLogger(__name__)
API_VERSION = "59.0"
COMPOSITE_MAX_SUBREQUESTS = 25
COMPOSITE_MAX_HEAVY = 5  # queries and collections per composite call
T = TypeVar("T")


class Unreachable(TransientError):
    """The request never left: offline, DNS, refused. Nothing can have landed."""


class OutcomeUnknown(TransientError):
    """The request may have reached Salesforce (the connection dropped after sending): a write may have landed."""


class SalesforceGateway:
    def __init__(self, connection: SalesforceConnection, version: str = API_VERSION) -> None:
        self.connection = connection
        self.version = version
        self._sf: Salesforce | None = None
        self._task_describe: dict | None = None

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def usage(self) -> ApiUsage | None:
        return self.connection.session.usage

    @property
    def calls(self) -> int:
        return self.connection.session.calls

    def call(self, operation: Callable[[Salesforce], T]) -> T:
        """Run ``operation`` against Salesforce; on an expired session refresh once and retry once."""
        if self.connection.sign_in_required:
            raise SignInRequired("Salesforce sign-in required")
        sf = self._client()
        try:
            return self._classified(operation, sf)
        except SignInRequired as exc:
            if exc.code != "INVALID_SESSION_ID":
                raise
        self.connection.refresh(stale_token=sf.session_id)
        self._rebind(sf)
        return self._classified(operation, sf)

    def _client(self) -> Salesforce:
        if self._sf is None:
            self._sf = Salesforce(instance_url=self.connection.info.instance_url,
                                  session_id=self.connection.access_token(), session=self.connection.session,
                                  version=self.version)
        elif self._sf.session_id != self.connection.access_token():
            self._rebind(self._sf)
        return self._sf

    def _rebind(self, sf: Salesforce) -> None:
        sf.session_id = self.connection.access_token()
        sf._generate_headers()  # simple-salesforce has no public way to swap the token of a direct session

    @staticmethod
    def _classified(operation: Callable[[Salesforce], T], sf: Salesforce) -> T:
        try:
            return operation(sf)
        except SalesforceExpiredSession as exc:
            raise SignInRequired("session expired", code="INVALID_SESSION_ID", status=exc.status) from None
        except SimpleSalesforceError as exc:
            raise from_status(exc.status, exc.content) from None
        except requests.exceptions.SSLError:
            raise ConnectionFailed("TLS verification failed for the Salesforce host") from None
        except (requests.exceptions.ConnectTimeout, requests.exceptions.InvalidURL):
            raise Unreachable("can't reach Salesforce (connect timed out)") from None
        except requests.exceptions.ConnectionError as exc:
            if _never_sent(exc):
                raise Unreachable("can't reach Salesforce (offline?)") from None
            raise OutcomeUnknown("the connection to Salesforce dropped before its answer") from None
        except (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError):
            raise OutcomeUnknown("Salesforce didn't answer in time") from None

    # -- REST helpers -----------------------------------------------------------------------------
    def rest(self, method: str, path: str, **kwargs) -> Any:
        """A REST call relative to ``/services/data/vXX.X/``."""
        return self.call(lambda sf: sf.restful(path, method=method, **kwargs))

    def data_path(self, path: str) -> str:
        return f"/services/data/v{self.version}/{path}"

    def composite(self, subrequests: Sequence[dict]) -> list[dict]:
        """One ``composite`` call (allOrNone false); returns the subresponses in order."""
        if not subrequests:
            return []
        if len(subrequests) > COMPOSITE_MAX_SUBREQUESTS:
            raise ValueError("a composite call carries at most 25 subrequests")
        body = {"allOrNone": False, "compositeRequest": list(subrequests)}
        result = self.rest("POST", "composite", json=body)
        return result["compositeResponse"]

    def describe_task(self, refresh: bool = False) -> dict:
        """``sobjects/Task/describe``, cached for the field-mapping settings."""
        if self._task_describe is None or refresh:
            self._task_describe = self.rest("GET", "sobjects/Task/describe")
        return self._task_describe

    def task_fields(self, refresh: bool = False) -> dict[str, dict]:
        return {f["name"]: f for f in self.describe_task(refresh)["fields"]}

    def limits(self) -> dict:
        return self.rest("GET", "limits")


def _never_sent(exc: Exception) -> bool:
    """A refused or unresolvable connection never carried the request; a reset or a drop may have."""
    text = repr(exc)
    return any(marker in text for marker in ("NewConnectionError", "Connection refused", "Name or service not known",
                                              "nodename nor servname", "Failed to resolve", "No route to host"))
