"""What can go wrong talking to Salesforce, sorted by what the caller should do about it (DESIGN §5)."""

from __future__ import annotations

from datetime import datetime

TRANSIENT_CODES = {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG", "QUERY_TIMEOUT"}
CONFIGURATION_CODES = {"INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE", "NO_SUCH_COLUMN", "INVALID_TYPE",
                       "NOT_FOUND_FIELD", "INVALID_FIELD_WHEN_USING_TEMPLATE"}


class SalesforceError(Exception):
    """Base: ``kind`` is one of record, transient, limit, auth, configuration, connection."""

    kind = "error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class TransientError(SalesforceError):
    """Retry later: timeouts, dropped connections, 5xx, UNABLE_TO_LOCK_ROW."""

    kind = "transient"


class LimitExceeded(SalesforceError):
    """REQUEST_LIMIT_EXCEEDED, or usage past the configured share: pause until ``resume_at``."""

    kind = "limit"

    def __init__(self, message: str, *, resume_at: datetime | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.resume_at = resume_at


class SignInRequired(SalesforceError):
    """The grant is dead (invalid_grant) or there is none: no calls until the user signs in again."""

    kind = "auth"


class NotConnected(SignInRequired):
    """No Salesforce connection has been made yet."""


class ConfigurationError(SalesforceError):
    """The org doesn't match our settings (a mapped field gone, an unknown object)."""

    kind = "configuration"


class ConnectionFailed(SalesforceError):
    """Can't reach or trust the host at all (wrong URL, DNS, TLS) — shown to the user as is."""

    kind = "connection"


class RecordError(SalesforceError):
    """One record was refused (validation, duplicates); the others went on."""

    kind = "record"

    def __init__(self, message: str, *, code: str | None = None, fields: list[str] | None = None) -> None:
        super().__init__(message, code=code)
        self.fields = fields or []


def first_error(content) -> tuple[str | None, str]:
    """(errorCode, message) from a REST error body: a list of {message, errorCode} or an OAuth dict."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        item = content[0]
        return item.get("errorCode") or item.get("statusCode"), str(item.get("message", ""))
    if isinstance(content, dict):
        return content.get("error") or content.get("errorCode"), str(
            content.get("error_description") or content.get("message") or "")
    return None, str(content)[:300]


def from_status(status: int, content) -> SalesforceError:
    """Classify a non-2xx REST response."""
    code, message = first_error(content)
    text = f"{code}: {message}" if code else message or f"HTTP {status}"
    if code == "REQUEST_LIMIT_EXCEEDED":
        return LimitExceeded(text, code=code, status=status)
    if status == 401 or code == "INVALID_SESSION_ID":
        return SignInRequired(text, code=code, status=status)
    if status >= 500 or status == 429 or code in TRANSIENT_CODES:
        return TransientError(text, code=code, status=status)
    if code in CONFIGURATION_CODES or status == 404:
        return ConfigurationError(text, code=code, status=status)
    return SalesforceError(text, code=code, status=status)
