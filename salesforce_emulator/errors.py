"""Salesforce's error shapes.

REST resources answer ``[{"message", "errorCode", "fields"?}]``; sObject Collections report per
record ``{"statusCode", "message", "fields"}``; OAuth endpoints answer ``{"error", "error_description"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RecordError:
    """One error about one record, as a collection result reports it."""

    status_code: str
    message: str
    fields: list[str] = field(default_factory=list)

    def as_collection_error(self) -> dict:
        return {"statusCode": self.status_code, "message": self.message, "fields": list(self.fields)}

    def as_rest_error(self) -> dict:
        body: dict = {"message": self.message, "errorCode": self.status_code}
        if self.fields:
            body["fields"] = list(self.fields)
        return body


class ApiError(Exception):
    """An error answer of the REST API: an HTTP status and a list of errors."""

    def __init__(self, status: int, error_code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.errors = [RecordError(error_code, message, list(fields or []))]

    @classmethod
    def from_record_errors(cls, status: int, errors: list[RecordError]) -> ApiError:
        error = cls(status, errors[0].status_code, errors[0].message, errors[0].fields)
        error.errors = list(errors)
        return error

    @property
    def error_code(self) -> str:
        return self.errors[0].status_code

    def body(self) -> list[dict]:
        return [error.as_rest_error() for error in self.errors]


class RecordValidationError(Exception):
    """A record failed validation; carries the errors Salesforce would report for it."""

    def __init__(self, errors: list[RecordError], status: int = 400) -> None:
        super().__init__("; ".join(f"{error.status_code}: {error.message}" for error in errors))
        self.errors = errors
        self.status = status

    def as_api_error(self) -> ApiError:
        return ApiError.from_record_errors(self.status, self.errors)


class OAuthError(Exception):
    """An OAuth endpoint error: HTTP 400 ``{"error", "error_description"}`` unless told otherwise."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def invalid_session() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
