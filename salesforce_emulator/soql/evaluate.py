"""Run a parsed SOQL query against the org's records, with Salesforce's comparison rules.

Text compares case-insensitively; ids compare in their 18-character form; ``null`` is a value
(``!=`` and ``NOT IN`` match null fields); date literals such as ``TODAY`` and ``LAST_N_DAYS:n``
are UTC ranges (the emulator's users live in GMT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ApiError
from ..ids import normalize_id
from ..schema import ID_TYPES, NUMBER_TYPES, STRING_TYPES, FieldSchema, ObjectSchema
from .ast import BoolOp, Comparison, FieldPath, InList, Literal, Not, OrderItem, Query
from .lexer import SoqlSyntaxError
from .parser import parse

MAX_OFFSET = 2000
_TYPE_NAMES = {"int": "int", "double": "double", "currency": "double", "percent": "double", "boolean": "boolean",
               "date": "date", "datetime": "dateTime", "id": "id", "reference": "reference"}


@dataclass
class QueryResult:
    sobject: str
    total_size: int
    records: list[dict]


@dataclass(frozen=True)
class _Resolved:
    """A field path bound to the schema: a field of the queried object or of a parent."""

    path: FieldPath
    field: FieldSchema | None  # None for the polymorphic pseudo-field ``Type``
    relationship: FieldSchema | None = None  # the reference field followed, if any

    def output_name(self) -> str:
        return self.field.name if self.field is not None else "Type"


def run_query(org, source: str, version: str, *, include_deleted: bool = False) -> QueryResult:
    """Parse and run ``source``; raise ApiError (400) as Salesforce would."""
    try:
        query = parse(source)
    except SoqlSyntaxError as exc:
        raise ApiError(400, "MALFORMED_QUERY", _located(source, exc.position, str(exc))) from None
    obj = org.schema.object(query.sobject)
    if obj is None:
        raise ApiError(400, "INVALID_TYPE", _located(source, None,
            f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, be sure "
            "to append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
            "appropriate names."))
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    evaluator = _Evaluator(org, obj, source)
    selected = [evaluator.resolve(path) for path in query.fields]
    predicate = evaluator.compile(query.where) if query.where is not None else None
    order = [(evaluator.resolve(item.field), item) for item in query.order_by]

    records = org.store.records(obj.name) if include_deleted else org.live_records(obj)
    if predicate is not None:
        records = [record for record in records if predicate(record)]
    for resolved, item in reversed(order):
        records = _sorted(records, resolved, item, evaluator)
    if query.offset:
        records = records[query.offset:]
    if query.limit is not None:
        records = records[: query.limit]
    if query.count_only:
        return QueryResult(obj.name, len(records), [])
    rows = [evaluator.serialize(record, selected, version) for record in records]
    return QueryResult(obj.name, len(rows), rows)


def _located(source: str, position: int | None, message: str) -> str:
    if position is None:
        return message
    return f"\n{source}\n{' ' * position}^\nERROR at Row:1:Column:{position + 1}\n{message}"


def _sorted(records: list[dict], resolved: _Resolved, item: OrderItem, evaluator: _Evaluator) -> list[dict]:
    nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
    # Keys: nulls are (0,) or (2,), values (1, v); a reverse sort keeps ties stable.
    null_key = (2,) if nulls_last != item.descending else (0,)

    def key(record: dict) -> tuple:
        value = evaluator.value(record, resolved)
        if value is None:
            return null_key
        return (1, value.casefold() if isinstance(value, str) else value)

    return sorted(records, key=key, reverse=item.descending)


class _Evaluator:
    def __init__(self, org, obj: ObjectSchema, source: str) -> None:
        self.org = org
        self.obj = obj
        self.source = source

    # -- binding --------------------------------------------------------------------------------

    def no_such_column(self, path: FieldPath, name: str, entity: str) -> ApiError:
        return ApiError(400, "INVALID_FIELD", _located(self.source, path.position,
            f"No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure to "
            "append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
            "appropriate names."))

    def resolve(self, path: FieldPath) -> _Resolved:
        parts = path.parts
        if len(parts) == 2 and parts[0].lower() == self.obj.name.lower() and self.obj.relationship(parts[0]) is None:
            parts = parts[1:]
        if len(parts) == 1:
            field = self.obj.field(parts[0])
            if field is None:
                raise self.no_such_column(path, parts[0], self.obj.name)
            return _Resolved(path, field)
        relationship = self.obj.relationship(parts[0])
        if relationship is None:
            raise ApiError(400, "INVALID_FIELD", _located(self.source, path.position,
                f"Didn't understand relationship '{parts[0]}' in field path. If you are attempting to use a custom "
                "relationship, be sure to append the '__r' after the custom relationship name. Please reference your "
                "WSDL or the describe call for the appropriate names."))
        targets = [self.org.schema.object(name) for name in relationship.reference_to]
        if relationship.is_polymorphic and parts[1].lower() == "type":
            return _Resolved(path, None, relationship)
        for target in targets:
            field = target.field(parts[1]) if target else None
            if field is not None:
                return _Resolved(path, field, relationship)
        entity = "Name" if relationship.is_polymorphic else relationship.reference_to[0]
        raise self.no_such_column(path, parts[1], entity)

    def parent(self, record: dict, relationship: FieldSchema) -> tuple[str, dict] | None:
        parent_id = record.get(relationship.name)
        found = self.org.find(parent_id) if parent_id else None
        if found is None or found[1].get("IsDeleted"):
            return None
        return found[0].name, found[1]

    def value(self, record: dict, resolved: _Resolved) -> object:
        if resolved.relationship is None:
            return record.get(resolved.field.name)
        parent = self.parent(record, resolved.relationship)
        if parent is None:
            return None
        if resolved.field is None:
            return parent[0]
        return parent[1].get(resolved.field.name)

    # -- conditions -----------------------------------------------------------------------------

    def compile(self, node: object):
        if isinstance(node, BoolOp):
            parts = [self.compile(operand) for operand in node.operands]
            if node.operator == "AND":
                return lambda record: all(part(record) for part in parts)
            return lambda record: any(part(record) for part in parts)
        if isinstance(node, Not):
            inner = self.compile(node.operand)
            return lambda record: not inner(record)
        if isinstance(node, InList):
            return self.compile_in(node)
        return self.compile_comparison(node)

    def field_type(self, resolved: _Resolved) -> str:
        return "string" if resolved.field is None else resolved.field.type

    def check_filterable(self, resolved: _Resolved) -> None:
        if resolved.field is not None and not resolved.field.filterable:
            raise ApiError(400, "INVALID_FIELD", _located(self.source, resolved.path.position,
                f"field '{resolved.field.name}' can not be filtered in a query call"))

    def operand(self, resolved: _Resolved, literal: Literal, operator: str) -> object:
        """The literal in the stored form of the field's type: a value, a (start, end) range or None."""
        kind = self.field_type(resolved)
        if literal.kind == "null":
            if operator not in ("=", "!="):
                raise self.type_error(resolved, "null can only be compared with = or !=")
            return None
        if kind in ID_TYPES:
            if literal.kind != "string":
                raise self.type_error(resolved, self.type_message(resolved, "id"))
            canonical = normalize_id(literal.value)
            if canonical is None:
                raise ApiError(400, "INVALID_QUERY_FILTER_OPERATOR", _located(
                    self.source, resolved.path.position, f"invalid ID field: {literal.value}"))
            return canonical
        if kind in STRING_TYPES:
            if literal.kind != "string":
                raise self.type_error(resolved, f"value of filter criterion for field '{resolved.path.text}' "
                                                "must be of type string and should be enclosed in quotes")
            return literal.value.casefold()
        if kind in NUMBER_TYPES:
            if literal.kind != "number":
                raise self.type_error(resolved, self.type_message(resolved, _TYPE_NAMES[kind]))
            return literal.value
        if kind == "boolean":
            if literal.kind != "boolean" or operator not in ("=", "!="):
                raise self.type_error(resolved, self.type_message(resolved, "boolean"))
            return literal.value
        if kind == "date":
            if literal.kind == "date":
                return literal.value
            if literal.kind == "date_range":
                start, end = date_range(literal, self.org.clock.today())
                return (start.isoformat(), end.isoformat())
            raise self.type_error(resolved, self.type_message(resolved, "date"))
        if kind == "datetime":
            if literal.kind == "datetime":
                return literal.value
            if literal.kind == "date_range":
                start, end = date_range(literal, self.org.clock.today())
                return (f"{start.isoformat()}T00:00:00.000+0000", f"{end.isoformat()}T00:00:00.000+0000")
            raise self.type_error(resolved, self.type_message(resolved, "dateTime"))
        raise self.type_error(resolved, f"field '{resolved.path.text}' can not be filtered")

    def type_message(self, resolved: _Resolved, type_name: str) -> str:
        return (f"value of filter criterion for field '{resolved.path.text}' must be of type {type_name} "
                "and should not be enclosed in quotes")

    def type_error(self, resolved: _Resolved, message: str) -> ApiError:
        return ApiError(400, "INVALID_FIELD", _located(self.source, resolved.path.position, message))

    def normalized(self, record: dict, resolved: _Resolved) -> object:
        value = self.value(record, resolved)
        if isinstance(value, str) and self.field_type(resolved) in STRING_TYPES:
            return value.casefold()
        return value

    def compile_comparison(self, node: Comparison):
        resolved = self.resolve(node.field)
        self.check_filterable(resolved)
        if node.operator == "LIKE":
            if self.field_type(resolved) not in STRING_TYPES:
                raise self.type_error(resolved, f"invalid operator on id field: LIKE on {resolved.path.text}")
            pattern = like_regex(node.value.like_pattern)
            return lambda record: (value := self.value(record, resolved)) is not None and bool(
                pattern.fullmatch(str(value)))
        operand = self.operand(resolved, node.value, node.operator)
        operator = node.operator
        if isinstance(operand, tuple):
            return self.range_predicate(resolved, operator, operand)

        def test(record: dict) -> bool:
            value = self.normalized(record, resolved)
            if operator == "=":
                return value == operand
            if operator == "!=":
                return value != operand
            if value is None or operand is None:
                return False
            return _ORDERING[operator](value, operand)

        return test

    def range_predicate(self, resolved: _Resolved, operator: str, bounds: tuple[str, str]):
        start, end = bounds

        def test(record: dict) -> bool:
            value = self.value(record, resolved)
            if value is None:
                return operator == "!="
            inside = start <= value < end
            return {"=": inside, "!=": not inside, "<": value < start, "<=": value < end,
                    ">": value >= end, ">=": value >= start}[operator]

        return test

    def compile_in(self, node: InList):
        resolved = self.resolve(node.field)
        self.check_filterable(resolved)
        operands = []
        for literal in node.values:
            operand = self.operand(resolved, literal, "=")
            if isinstance(operand, tuple):
                raise self.type_error(resolved, "date literals with ranges can't be used in IN")
            operands.append(operand)
        wanted = set(operands)
        if node.negated:
            return lambda record: self.normalized(record, resolved) not in wanted
        return lambda record: self.normalized(record, resolved) in wanted

    # -- output ---------------------------------------------------------------------------------

    def serialize(self, record: dict, selected: list[_Resolved], version: str) -> dict:
        row: dict = {"attributes": attributes(self.obj.name, record["Id"], version)}
        for resolved in selected:
            if resolved.relationship is None:
                row[resolved.field.name] = record.get(resolved.field.name)
                continue
            name = resolved.relationship.relationship_name
            if name not in row:
                parent = self.parent(record, resolved.relationship)
                if parent is None:
                    row[name] = None
                else:
                    type_name = "Name" if resolved.relationship.is_polymorphic else parent[0]
                    row[name] = {"attributes": {"type": type_name,
                                                "url": attributes(parent[0], parent[1]["Id"], version)["url"]}}
            if row[name] is not None:
                row[name][resolved.output_name()] = self.value(record, resolved)
        return row


def attributes(sobject: str, record_id: str, version: str) -> dict:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


_ORDERING = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def like_regex(pattern: tuple) -> re.Pattern:
    parts = []
    for char, wildcard in pattern:
        if wildcard:
            parts.append(".*" if char == "%" else ".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _month_start(day: date, shift: int) -> date:
    months = day.year * 12 + day.month - 1 + shift
    return date(months // 12, months % 12 + 1, 1)


def date_range(literal: Literal, today: date) -> tuple[date, date]:
    """[start, end) of a date literal such as TODAY or LAST_N_DAYS:7, for ``today``."""
    name, n = literal.value, literal.range_n or 0
    day = timedelta(days=1)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday (en_US)
    ranges = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "THIS_WEEK": (week_start, week_start + 7 * day),
        "LAST_WEEK": (week_start - 7 * day, week_start),
        "NEXT_WEEK": (week_start + 7 * day, week_start + 14 * day),
        "THIS_MONTH": (_month_start(today, 0), _month_start(today, 1)),
        "LAST_MONTH": (_month_start(today, -1), _month_start(today, 0)),
        "NEXT_MONTH": (_month_start(today, 1), _month_start(today, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "THIS_YEAR": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": (week_start - 7 * n * day, week_start),
        "NEXT_N_WEEKS": (week_start + 7 * day, week_start + 7 * (n + 1) * day),
        "LAST_N_MONTHS": (_month_start(today, -n), _month_start(today, 0)),
        "NEXT_N_MONTHS": (_month_start(today, 1), _month_start(today, n + 1)),
    }
    return ranges[name]


__all__ = ["QueryResult", "attributes", "date_range", "like_regex", "run_query", "Query"]
