"""The parsed form of a SOQL query."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldPath:
    """``Name`` or ``Account.Name`` (one level of parent relationship), as written."""

    parts: tuple[str, ...]
    position: int = 0

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """A value in a condition. kind: string, number, boolean, null, date, datetime, date_range."""

    kind: str
    value: object
    like_pattern: tuple = ()  # strings: (char, is_wildcard) pairs
    range_n: int | None = None  # date_range: the n of LAST_N_DAYS:n


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    operator: str  # = != < > <= >= LIKE
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldPath
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class BoolOp:
    operator: str  # AND / OR
    operands: tuple


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool = False
    nulls_last: bool | None = None  # None: Salesforce's default (first when ascending)


@dataclass
class Query:
    sobject: str
    fields: list[FieldPath] = field(default_factory=list)
    count_only: bool = False
    where: object | None = None
    order_by: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
