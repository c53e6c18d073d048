"""The REST API under ``/services/data/vNN.N/``: routing and the sObject, query and limits resources.

``RestApi.handle`` is transport-free (an ``ApiRequest`` in, an ``ApiResponse`` out) so that the
composite resource can run subrequests through it; authentication, limits and faults are the
HTTP gateway's job (``app.py``).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from . import describe
from .api_types import ApiRequest, ApiResponse, allow_methods, error_response
from .composite import CompositeResources
from .errors import ApiError, RecordValidationError, not_found
from .ids import normalize_id
from .org import MultipleMatches
from .schema import ObjectSchema
from .soql import run_query
from .soql.evaluate import attributes
from .validation import deserialize

SUPPORTED_VERSIONS = ("58.0", "59.0", "60.0", "61.0", "62.0")
VERSION_LABELS = {"58.0": "Summer '23", "59.0": "Winter '24", "60.0": "Spring '24", "61.0": "Summer '24",
                  "62.0": "Winter '25"}
DEFAULT_BATCH_SIZE = 2000
_log = logging.getLogger(__name__)
MAX_SOQL_LENGTH = 100_000


def supported_versions() -> list[dict]:
    return [{"label": VERSION_LABELS[v], "url": f"/services/data/v{v}", "version": v} for v in SUPPORTED_VERSIONS]


class RestApi:
    def __init__(self, state) -> None:
        self.state = state
        self.composite = CompositeResources(self)

    @property
    def org(self):
        return self.state.org

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one REST call; every error becomes Salesforce's error answer, never an exception."""
        try:
            return self._route(request)
        except ApiError as error:
            return error_response(error)
        except RecordValidationError as error:
            return error_response(error.as_api_error())
        except MultipleMatches as matches:
            version = request.path.split("/", 1)[0][1:]
            return ApiResponse(300, [attributes(matches.obj.name, record_id, version)["url"]
                                     for record_id in matches.ids])
        except Exception:  # an emulator bug: answer as Salesforce does for its own, and say so in the log
            _log.exception("unexpected error in %s %s", request.method, request.path)
            return ApiResponse(500, [{"errorCode": "UNKNOWN_EXCEPTION",
                                      "message": "An unexpected error occurred in the emulator."}])

    # -- routing --------------------------------------------------------------------------------

    def _route(self, request: ApiRequest) -> ApiResponse:
        segments = [unquote(part) for part in request.path.strip("/").split("/")]
        if not segments or not segments[0].startswith("v") or segments[0][1:] not in SUPPORTED_VERSIONS:
            raise not_found()
        version, rest = segments[0][1:], segments[1:]
        method = request.method
        if not rest:
            allow_methods(method, "GET")
            base = f"/services/data/v{version}"
            return ApiResponse(200, {name: f"{base}/{name}" for name in (
                "sobjects", "query", "queryAll", "limits", "composite", "search", "tooling")})
        head = rest[0]
        if head == "sobjects":
            return self._sobjects(request, version, rest[1:])
        if head in ("query", "queryAll") and len(rest) <= 2:
            allow_methods(method, "GET")
            if len(rest) == 2:
                return self._query_more(request, version, rest[1])
            return self._query(request, version, include_deleted=head == "queryAll")
        if head == "limits" and len(rest) == 1:
            allow_methods(method, "GET")
            return ApiResponse(200, self._limits())
        if head == "composite":
            return self.composite.route(request, version, rest[1:])
        raise not_found()

    def _sobjects(self, request: ApiRequest, version: str, rest: list[str]) -> ApiResponse:
        method = request.method
        if not rest:
            allow_methods(method, "GET")
            return ApiResponse(200, describe.describe_global(self.org.schema, version))
        obj = self.org.object(rest[0])
        if len(rest) == 1:
            allow_methods(method, "GET", "POST")
            if method == "GET":
                return ApiResponse(200, {"objectDescribe": describe.object_summary(obj, version), "recentItems": []})
            record = self.org.create(obj, deserialize(obj, request.json()), request.session.user_id)
            return ApiResponse(201, {"id": record["Id"], "success": True, "errors": []}, committed_write=True)
        if len(rest) == 2 and rest[1] == "describe":
            allow_methods(method, "GET")
            return ApiResponse(200, describe.describe_object(obj, version))
        if len(rest) == 2:
            record_id = normalize_id(rest[1])
            if record_id is None or record_id[:3] != obj.key_prefix:
                raise ApiError(404, "NOT_FOUND",
                               f"Provided external ID field does not exist or is not accessible: {rest[1]}")
            return self._record(request, version, obj, record_id)
        if len(rest) == 3:
            return self._by_external_id(request, version, obj, rest[1], rest[2])
        raise not_found()

    # -- records --------------------------------------------------------------------------------

    def _record(self, request: ApiRequest, version: str, obj: ObjectSchema, record_id: str) -> ApiResponse:
        method = request.method
        allow_methods(method, "GET", "PATCH", "DELETE")
        user = request.session.user_id
        if method == "GET":
            record = self.org.retrieve(obj, record_id)
            return ApiResponse(200, self.record_body(obj, record, version, request.params.get("fields")))
        if method == "PATCH":
            self.org.update(obj, record_id, deserialize(obj, request.json()), user)
            return ApiResponse(204, committed_write=True)
        self.org.delete(obj, record_id, user)
        return ApiResponse(204, committed_write=True)

    def _by_external_id(self, request: ApiRequest, version: str, obj: ObjectSchema, field_name: str,
                        key: str) -> ApiResponse:
        method = request.method
        allow_methods(method, "GET", "PATCH", "DELETE")
        ext_field = obj.field(field_name)
        if ext_field is None or not (ext_field.external_id or ext_field.name == "Id"):
            raise ApiError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: "
                                             f"{field_name}")
        user = request.session.user_id
        if method == "PATCH":
            values = deserialize(obj, request.json())
            record, created = self.org.upsert(obj, ext_field.name, key, values, user)
            body = {"id": record["Id"], "success": True, "errors": [], "created": created}
            return ApiResponse(201 if created else 200, body, committed_write=True)
        matches = self.org.find_by_field(obj, ext_field.name, key)
        if len(matches) > 1:
            raise MultipleMatches(obj, matches)
        if not matches:
            raise not_found()
        if method == "GET":
            return ApiResponse(200, self.record_body(obj, matches[0], version, request.params.get("fields")))
        self.org.delete(obj, matches[0]["Id"], user)
        return ApiResponse(204, committed_write=True)

    def record_body(self, obj: ObjectSchema, record: dict, version: str, fields: str | None = None) -> dict:
        body: dict = {"attributes": attributes(obj.name, record["Id"], version)}
        if fields:
            for name in fields.split(","):
                found = obj.field(name.strip())
                if found is None:
                    raise ApiError(400, "INVALID_FIELD", f"No such column '{name.strip()}' on entity '{obj.name}'. "
                                   "If you are attempting to use a custom field, be sure to append the '__c' after "
                                   "the custom field name. Please reference your WSDL or the describe call for the "
                                   "appropriate names.")
                body[found.name] = record.get(found.name)
            return body
        for described in obj.fields.values():
            body[described.name] = record.get(described.name)
        return body

    # -- query ----------------------------------------------------------------------------------

    def _query(self, request: ApiRequest, version: str, *, include_deleted: bool) -> ApiResponse:
        source = request.params.get("q")
        if not source:
            raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        if len(source) > MAX_SOQL_LENGTH:
            raise ApiError(400, "MALFORMED_QUERY",
                           f"SOQL statements cannot be longer than {MAX_SOQL_LENGTH:,} characters")
        result = run_query(self.org, source, version, include_deleted=include_deleted)
        return ApiResponse(200, self._page(request, version, result.total_size, result.records, 0))

    def _query_more(self, request: ApiRequest, version: str, locator: str) -> ApiResponse:
        cursor, _, offset_text = locator.rpartition("-")
        records = self.state.cursors.fetch(cursor) if cursor and offset_text.isdigit() else None
        if records is None or int(offset_text) > len(records):
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return ApiResponse(200, self._page(request, version, len(records), records, int(offset_text), cursor))

    def _page(self, request: ApiRequest, version: str, total: int, records: list[dict], offset: int,
              cursor: str | None = None) -> dict:
        size = _batch_size(request.headers.get("sforce-query-options", ""))
        page = records[offset: offset + size]
        body: dict = {"totalSize": total, "done": offset + size >= len(records)}
        if not body["done"]:
            cursor = cursor or self.state.cursors.open(records)
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor}-{offset + size}"
        body["records"] = page
        return body

    def _limits(self) -> dict:
        limit = self.state.settings.daily_api_limit
        used = self.state.usage.used()
        return {
            "DailyApiRequests": {"Max": limit, "Remaining": max(limit - used, 0)},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        }


def _batch_size(options: str) -> int:
    for part in options.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip() == "batchSize" and value.strip().isdigit():
            return min(max(int(value), 200), DEFAULT_BATCH_SIZE)
    return DEFAULT_BATCH_SIZE
