"""Composite resources: ``composite`` (subrequests with ``@{ref}`` references) and sObject
Collections (``composite/sobjects``: create, update, upsert, delete and retrieve up to 200 records).

Both run inside one store transaction so that ``allOrNone`` can roll everything back.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit
from urllib.parse import quote as url_quote

from .api_types import ApiRequest, ApiResponse, allow_methods, error_response
from .errors import ApiError, RecordError, RecordValidationError, not_found
from .ids import normalize_id
from .org import MultipleMatches
from .validation import deserialize

MAX_COLLECTION_RECORDS = 200
MAX_SUBREQUESTS = 25
MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5
_REFERENCE = re.compile(r"@\{([^}]*)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
_HALTED = "The transaction was rolled back since another operation in the same transaction failed."


class _Rollback(Exception):
    pass


class CompositeResources:
    def __init__(self, api) -> None:
        self.api = api

    @property
    def org(self):
        return self.api.org

    def route(self, request, version: str, rest: list[str]):
        method = request.method
        if not rest:
            allow_methods(method, "POST")
            return self.composite(request, version)
        if rest[0] != "sobjects" or len(rest) > 3:
            raise not_found()
        if len(rest) == 1:
            allow_methods(method, "POST", "PATCH", "DELETE")
            if method == "DELETE":
                return _collection_response(self.delete_collection(request))
            return _collection_response(self.write_collection(request, "create" if method == "POST" else "update"))
        obj = self.org.object(rest[1])
        if len(rest) == 2:
            allow_methods(method, "GET", "POST")
            return ApiResponse(200, self.retrieve_collection(request, version, obj))
        allow_methods(method, "PATCH")
        ext_field = obj.field(rest[2])
        if ext_field is None or not ext_field.external_id:
            raise ApiError(400, "INVALID_FIELD", f"Field name provided, {rest[2]} is not an External ID or indexed "
                                                 f"field for {obj.name}")
        return _collection_response(self.write_collection(request, "upsert", obj, ext_field.name))

    # -- sObject Collections --------------------------------------------------------------------

    def _records_payload(self, request) -> tuple[list, bool]:
        payload = request.json()
        if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object with a \"records\" list")
        records = payload["records"]
        if len(records) > MAX_COLLECTION_RECORDS:
            raise ApiError(400, "EXCEEDED_ID_LIMIT",
                           f"record limit reached. cannot submit more than {MAX_COLLECTION_RECORDS} records into "
                           "this call")
        return records, bool(payload.get("allOrNone", False))

    def write_collection(self, request, operation: str, upsert_obj=None, ext_field: str | None = None) -> list:
        records, all_or_none = self._records_payload(request)
        # Deserialise every record first: an unknown field or a badly typed value fails the request.
        prepared: list[tuple[object, dict | None, RecordError | None]] = []
        for item in records:
            if not isinstance(item, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "Each record is a JSON object")
            type_name = item.get("attributes", {}).get("type") if isinstance(item.get("attributes"), dict) else None
            obj = self.org.schema.object(type_name) if type_name else None
            if obj is None:
                prepared.append((None, None, RecordError("INVALID_TYPE", "Must send a concrete entity type.")))
            elif upsert_obj is not None and obj is not upsert_obj:
                prepared.append((None, None, RecordError(
                    "INVALID_TYPE", f"The type in the attributes map ({type_name}) doesn't match {upsert_obj.name}")))
            else:
                payload = {key: value for key, value in item.items() if key.lower() != "id"}
                values = deserialize(obj, payload)
                values["Id"] = next((value for key, value in item.items() if key.lower() == "id"), None)
                prepared.append((obj, values, None))
        user = request.session.user_id
        results: list[dict] = []
        try:
            with self.org.store.atomic():
                for obj, values, error in prepared:
                    results.append(self._write_one(operation, obj, values, error, ext_field, user))
                if all_or_none and not all(result["success"] for result in results):
                    raise _Rollback
        except _Rollback:
            results = [
                result if not result["success"] else _failure(result, [_ROLLED_BACK], operation) for result in results
            ]
        return results

    def _write_one(self, operation: str, obj, values: dict | None, error: RecordError | None,
                   ext_field: str | None, user: str) -> dict:
        if error is not None:
            return {"success": False, "errors": [error.as_collection_error()]}
        record_id = values.pop("Id")
        try:
            if operation == "create":
                if record_id is not None:
                    raise RecordValidationError([RecordError(
                        "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])])
                record = self.org.create(obj, values, user)
                return {"id": record["Id"], "success": True, "errors": []}
            if operation == "update":
                if not record_id:
                    raise RecordValidationError([RecordError("MISSING_ARGUMENT", "Id not specified in an update call")])
                record = self.org.update(obj, record_id, values, user)
                return {"id": record["Id"], "success": True, "errors": []}
            key = values.get(ext_field)
            if key is None:
                raise RecordValidationError([RecordError("MISSING_ARGUMENT", f"{ext_field} not specified")])
            record, created = self.org.upsert(obj, ext_field, key, values, user)
            return {"id": record["Id"], "success": True, "errors": [], "created": created}
        except RecordValidationError as exc:
            result = {"success": False, "errors": [e.as_collection_error() for e in exc.errors]}
        except ApiError as exc:
            result = {"success": False, "errors": [e.as_collection_error() for e in exc.errors]}
        except MultipleMatches as exc:
            result = {"success": False, "errors": [RecordError(
                "DUPLICATE_EXTERNAL_ID",
                f"{ext_field}: more than one record found for external id field: {exc.ids}", [ext_field],
            ).as_collection_error()]}
        if operation == "update" and record_id:
            result = {"id": record_id, **result}
        if operation == "upsert":
            result["created"] = False
        return result

    def delete_collection(self, request) -> list:
        ids = [part for part in request.params.get("ids", "").split(",") if part]
        if not ids:
            raise ApiError(400, "MISSING_ARGUMENT", "ids parameter is required")
        if len(ids) > MAX_COLLECTION_RECORDS:
            raise ApiError(400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than "
                                                     f"{MAX_COLLECTION_RECORDS} records into this call")
        all_or_none = request.params.get("allOrNone", "false").lower() == "true"
        results = []
        try:
            with self.org.store.atomic():
                for raw in ids:
                    canonical = normalize_id(raw)
                    obj = self.org.schema.object_for_prefix(canonical[:3]) if canonical else None
                    try:
                        if obj is None:
                            raise RecordValidationError([RecordError("MALFORMED_ID", f"malformed id {raw}")])
                        self.org.delete(obj, canonical, request.session.user_id)
                        results.append({"id": canonical, "success": True, "errors": []})
                    except (RecordValidationError, ApiError) as exc:
                        results.append({"id": canonical, "success": False,
                                        "errors": [e.as_collection_error() for e in exc.errors]})
                if all_or_none and not all(result["success"] for result in results):
                    raise _Rollback
        except _Rollback:
            results = [result if not result["success"] else _failure(result, [_ROLLED_BACK], "delete")
                       for result in results]
        return results

    def retrieve_collection(self, request, version: str, obj) -> list:
        if request.method == "POST":
            payload = request.json()
            ids = payload.get("ids") if isinstance(payload, dict) else None
            fields = payload.get("fields") if isinstance(payload, dict) else None
        else:
            ids = [part for part in request.params.get("ids", "").split(",") if part]
            fields = [part for part in request.params.get("fields", "").split(",") if part]
        if not isinstance(ids, list) or not ids or not isinstance(fields, list) or not fields:
            raise ApiError(400, "MISSING_ARGUMENT", "ids and fields are required")
        if len(ids) > 2000:
            raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records")
        rows: list = []
        for raw in ids:
            found = self.org.find(raw) if isinstance(raw, str) else None
            if found is None or found[0] is not obj or found[1].get("IsDeleted"):
                rows.append(None)
            else:
                rows.append(self.api.record_body(obj, found[1], version, ",".join(fields)))
        return rows

    # -- composite ------------------------------------------------------------------------------

    def composite(self, request, version: str):
        payload = request.json()
        subrequests = payload.get("compositeRequest") if isinstance(payload, dict) else None
        if not isinstance(subrequests, list) or not subrequests:
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object with a \"compositeRequest\" list")
        if len(subrequests) > MAX_SUBREQUESTS:
            raise ApiError(400, "LIMIT_EXCEEDED", f"Composite request limit exceeded: at most {MAX_SUBREQUESTS} "
                                                  "subrequests are allowed")
        heavy = 0
        seen_refs: set[str] = set()
        for sub in subrequests:
            if not isinstance(sub, dict) or not isinstance(sub.get("url"), str) or not isinstance(
                    sub.get("method"), str) or not isinstance(sub.get("referenceId"), str):
                raise ApiError(400, "JSON_PARSER_ERROR", "Each subrequest needs method, url and referenceId")
            if not _REFERENCE_ID.match(sub["referenceId"]) or sub["referenceId"] in seen_refs:
                raise ApiError(400, "INVALID_INPUT", f"Invalid referenceId: {sub['referenceId']}")
            seen_refs.add(sub["referenceId"])
            path = urlsplit(sub["url"]).path
            if "/query" in path or "/composite/sobjects" in path:
                heavy += 1
        if heavy > MAX_QUERY_OR_COLLECTION_SUBREQUESTS:
            raise ApiError(400, "LIMIT_EXCEEDED", f"Composite request limit exceeded: at most "
                                                  f"{MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or sObject Collection "
                                                  "subrequests are allowed")
        all_or_none = bool(payload.get("allOrNone", False))
        outcomes: dict[str, tuple[int, object]] = {}
        responses: list[dict] = []
        wrote = False
        try:
            with self.org.store.atomic():
                for sub in subrequests:
                    ref = sub["referenceId"]
                    try:
                        url = _substitute(sub["url"], outcomes, quote=True)
                        body = _substitute(sub.get("body"), outcomes)
                    except _Unresolved as missing:
                        responses.append(_sub_response(ref, 400, [{"errorCode": "PROCESSING_HALTED",
                                                                   "message": str(missing)}]))
                        outcomes[ref] = (400, None)
                        continue
                    response = self._run_sub(request, sub["method"].upper(), url, body)
                    wrote = wrote or response.committed_write
                    outcomes[ref] = (response.status, response.body)
                    responses.append(_sub_response(ref, response.status, response.body, response.headers))
                    if all_or_none and response.status >= 400:
                        raise _Rollback
        except _Rollback:
            failed_ref = responses[-1]["referenceId"]
            halted = [{"errorCode": "PROCESSING_HALTED", "message": _HALTED}]
            responses = [
                entry if entry["referenceId"] == failed_ref else _sub_response(entry["referenceId"], 400, halted)
                for entry in responses
            ] + [_sub_response(sub["referenceId"], 400, halted) for sub in subrequests[len(responses):]]
            wrote = False
        return ApiResponse(200, {"compositeResponse": responses}, committed_write=wrote)

    def _run_sub(self, request: ApiRequest, method: str, url: str, body: object) -> ApiResponse:
        parts = urlsplit(url)
        prefix = "/services/data/"
        if not parts.path.startswith(prefix):
            return error_response(not_found())
        path = parts.path[len(prefix):]
        if path.strip("/").split("/")[1:2] == ["composite"] and path.strip("/").split("/")[2:3] != ["sobjects"]:
            return ApiResponse(400, [{"errorCode": "INVALID_INPUT",
                                      "message": "A composite request can't contain another composite request"}])
        sub = ApiRequest(
            method=method, path=path, session=request.session, params=dict(parse_qsl(parts.query)),
            body=b"" if body is None else json.dumps(body).encode(), headers=dict(request.headers),
        )
        response = self.api.handle(sub)
        if response.status == 201 and isinstance(response.body, dict) and "id" in response.body:
            obj_path = path.strip("/").split("/")
            if len(obj_path) >= 3 and obj_path[1] == "sobjects":
                response = replace(response, headers={
                    "Location": f"/services/data/{obj_path[0]}/sobjects/{obj_path[2]}/{response.body['id']}"})
        return response


class _Unresolved(Exception):
    pass


def _collection_response(results: list[dict]):
    return ApiResponse(200, results, committed_write=any(result["success"] for result in results))


def _sub_response(ref: str, status: int, body: object, headers: dict | None = None) -> dict:
    return {"body": body, "httpHeaders": dict(headers or {}), "httpStatusCode": status, "referenceId": ref}


def _failure(result: dict, errors: list[RecordError], operation: str) -> dict:
    """A would-be success turned into a failure by an allOrNone rollback."""
    failed: dict = {}
    if operation in ("update", "delete") or (operation == "upsert" and not result.get("created")):
        failed["id"] = result.get("id")
    failed.update({"success": False, "errors": [error.as_collection_error() for error in errors]})
    if operation == "upsert":
        failed["created"] = False
    return failed


def _lookup(expression: str, outcomes: dict[str, tuple[int, object]]) -> object:
    parts = expression.split(".")
    ref = parts[0]
    status, current = outcomes.get(ref, (None, None))
    if status is None or status >= 400:
        raise _Unresolved(f"Invalid reference specified. No value for {expression} found in {ref}. "
                          f"Provided referenceId ('{ref}') must be a successful earlier subrequest.")
    for part in parts[1:]:
        name, _, index_text = part.partition("[")
        try:
            if name:
                current = current[name]
            if index_text:
                current = current[int(index_text.rstrip("]"))]
        except (KeyError, IndexError, TypeError, ValueError):
            raise _Unresolved(f"Invalid reference specified. No value for {expression} found in {ref}.") from None
    return current


def _substitute(value: object, outcomes: dict, *, quote: bool = False) -> object:
    if isinstance(value, str):
        def replace_match(match: re.Match) -> str:
            resolved = _lookup(match.group(1), outcomes)
            text = resolved if isinstance(resolved, str) else json.dumps(resolved)
            return url_quote(text, safe="") if quote else text

        return _REFERENCE.sub(replace_match, value)
    if isinstance(value, dict):
        return {key: _substitute(item, outcomes) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, outcomes) for item in value]
    return value
