"""Recursive-descent parser for the SOQL subset the emulator supports.

Grammar (keywords case-insensitive)::

    query      := SELECT select FROM ident [WHERE condition] [ORDER BY order (, order)*]
                  [LIMIT integer] [OFFSET integer]
    select     := COUNT ( ) | field (, field)*
    field      := ident [. ident]
    condition  := unary ((AND unary)* | (OR unary)*)      -- AND and OR never mix unparenthesised
    unary      := NOT unary | ( condition ) | predicate
    predicate  := field op value | field [NOT] IN ( value (, value)* ) | field LIKE string
    value      := string | number | TRUE | FALSE | NULL | date | datetime | DATE_LITERAL [: integer]
    order      := field [ASC | DESC] [NULLS (FIRST | LAST)]

Anything else (sub-queries, GROUP BY, aggregate functions other than COUNT(), TYPEOF, ...) is a
``SoqlSyntaxError``, which the REST layer answers as 400 MALFORMED_QUERY.
"""

from __future__ import annotations

from .ast import BoolOp, Comparison, FieldPath, InList, Literal, Not, OrderItem, Query
from .lexer import SoqlSyntaxError, Token, tokenize

DATE_RANGES = frozenset({
    "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH", "THIS_MONTH",
    "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
})
DATE_RANGES_WITH_N = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS",
                                "LAST_N_MONTHS", "NEXT_N_MONTHS"})
_UNSUPPORTED_CLAUSES = ("GROUP", "HAVING", "WITH", "FOR", "USING", "TYPEOF", "UPDATE")
_RESERVED = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT",
                       "OFFSET", "ASC", "DESC", "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE",
                       "INCLUDES", "EXCLUDES"} | set(_UNSUPPORTED_CLAUSES))


def parse(source: str) -> Query:
    """Parse ``source``; raise SoqlSyntaxError."""
    if not isinstance(source, str) or not source.strip():
        raise SoqlSyntaxError("empty query")
    return _Parser(tokenize(source)).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    # -- helpers --------------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def unexpected(self) -> SoqlSyntaxError:
        token = self.current
        if token.kind == "EOF":
            return SoqlSyntaxError("unexpected end of query", token.position)
        return SoqlSyntaxError(f"unexpected token: '{token.text}'", token.position)

    def expect(self, kind: str) -> Token:
        if self.current.kind != kind:
            raise self.unexpected()
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        if not self.current.is_keyword(word):
            raise self.unexpected()
        return self.advance()

    def accept_keyword(self, *words: str) -> Token | None:
        if self.current.is_keyword(*words):
            return self.advance()
        return None

    def integer(self) -> int:
        token = self.expect("NUMBER")
        if not isinstance(token.value, int) or token.value < 0:
            raise SoqlSyntaxError(f"expected a non-negative integer, found {token.text}", token.position)
        return token.value

    # -- grammar --------------------------------------------------------------------------------

    def query(self) -> Query:
        self.expect_keyword("SELECT")
        fields, count_only = self.select_list()
        self.expect_keyword("FROM")
        sobject = self.identifier()
        query = Query(sobject=sobject, fields=fields, count_only=count_only)
        if self.current.kind == "IDENT" and not self.current.is_keyword(*_RESERVED):
            raise SoqlSyntaxError("object aliases are not supported", self.current.position)
        if self.accept_keyword("WHERE"):
            query.where = self.condition()
        if self.accept_keyword("ORDER"):
            self.expect_keyword("BY")
            query.order_by.append(self.order_item())
            while self.current.kind == "COMMA":
                self.advance()
                query.order_by.append(self.order_item())
        if self.accept_keyword("LIMIT"):
            query.limit = self.integer()
        if self.accept_keyword("OFFSET"):
            query.offset = self.integer()
        if self.current.is_keyword(*_UNSUPPORTED_CLAUSES):
            raise SoqlSyntaxError(f"{self.current.text.upper()} is not supported by the emulator",
                                  self.current.position)
        if self.current.kind != "EOF":
            raise self.unexpected()
        return query

    def select_list(self) -> tuple[list[FieldPath], bool]:
        if self.current.is_keyword("COUNT") and self.tokens[self.index + 1].kind == "LPAREN":
            self.advance()
            self.advance()
            if self.current.kind != "RPAREN":
                raise SoqlSyntaxError("only COUNT() without a field is supported", self.current.position)
            self.advance()
            return [], True
        fields = [self.select_field()]
        while self.current.kind == "COMMA":
            self.advance()
            fields.append(self.select_field())
        seen: set[str] = set()
        for path in fields:
            key = path.text.lower()
            if key in seen:
                raise SoqlSyntaxError(f"duplicate field selected: {path.text}", path.position)
            seen.add(key)
        return fields, False

    def select_field(self) -> FieldPath:
        if self.current.kind == "LPAREN":
            raise SoqlSyntaxError("sub-queries are not supported by the emulator", self.current.position)
        if self.current.kind == "IDENT" and self.tokens[self.index + 1].kind == "LPAREN":
            raise SoqlSyntaxError(f"function {self.current.text}() is not supported by the emulator",
                                  self.current.position)
        if self.current.is_keyword("FROM"):
            raise self.unexpected()
        return self.field_path()

    def identifier(self) -> str:
        token = self.expect("IDENT")
        return token.text

    def field_path(self) -> FieldPath:
        start = self.current.position
        parts = [self.identifier()]
        while self.current.kind == "DOT":
            self.advance()
            parts.append(self.identifier())
        if len(parts) > 2:
            raise SoqlSyntaxError("only one level of parent relationship is supported by the emulator", start)
        return FieldPath(tuple(parts), start)

    def order_item(self) -> OrderItem:
        path = self.field_path()
        descending = False
        if self.accept_keyword("DESC"):
            descending = True
        else:
            self.accept_keyword("ASC")
        nulls_last = None
        if self.accept_keyword("NULLS"):
            word = self.accept_keyword("FIRST", "LAST")
            if word is None:
                raise self.unexpected()
            nulls_last = word.text.upper() == "LAST"
        return OrderItem(path, descending, nulls_last)

    def condition(self) -> object:
        first = self.unary()
        if not self.current.is_keyword("AND", "OR"):
            return first
        operator = self.current.text.upper()
        operands = [first]
        while self.current.is_keyword("AND", "OR"):
            if self.current.text.upper() != operator:
                raise SoqlSyntaxError(
                    f"unexpected token: '{self.current.text}' (use parentheses to mix AND and OR)",
                    self.current.position,
                )
            self.advance()
            operands.append(self.unary())
        return BoolOp(operator, tuple(operands))

    def unary(self) -> object:
        if self.accept_keyword("NOT"):
            return Not(self.unary())
        if self.current.kind == "LPAREN":
            self.advance()
            inner = self.condition()
            self.expect("RPAREN")
            return inner
        return self.predicate()

    def predicate(self) -> object:
        if self.current.kind != "IDENT" or self.current.is_keyword(*_RESERVED):
            raise self.unexpected()
        if self.tokens[self.index + 1].kind == "LPAREN":
            raise SoqlSyntaxError(f"function {self.current.text}() is not supported by the emulator",
                                  self.current.position)
        path = self.field_path()
        if self.accept_keyword("NOT"):
            self.expect_keyword("IN")
            return InList(path, self.value_list(), negated=True)
        if self.accept_keyword("IN"):
            return InList(path, self.value_list(), negated=False)
        if self.accept_keyword("LIKE"):
            value = self.value()
            if value.kind != "string":
                raise SoqlSyntaxError("LIKE needs a string literal", self.current.position)
            return Comparison(path, "LIKE", value)
        if self.current.is_keyword("INCLUDES", "EXCLUDES"):
            raise SoqlSyntaxError("INCLUDES and EXCLUDES are not supported by the emulator", self.current.position)
        operator = self.expect("OP").text
        return Comparison(path, operator, self.value())

    def value_list(self) -> tuple[Literal, ...]:
        self.expect("LPAREN")
        if self.current.is_keyword("SELECT"):
            raise SoqlSyntaxError("semi-join sub-queries are not supported by the emulator", self.current.position)
        values = [self.value()]
        while self.current.kind == "COMMA":
            self.advance()
            values.append(self.value())
        self.expect("RPAREN")
        return tuple(values)

    def value(self) -> Literal:
        token = self.current
        if token.kind == "STRING":
            self.advance()
            return Literal("string", token.value, token.like_pattern)
        if token.kind == "NUMBER":
            self.advance()
            return Literal("number", token.value)
        if token.kind in ("DATE", "DATETIME"):
            self.advance()
            return Literal(token.kind.lower(), token.value)
        if token.kind == "IDENT":
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                self.advance()
                return Literal("boolean", word == "TRUE")
            if word == "NULL":
                self.advance()
                return Literal("null", None)
            if word in DATE_RANGES:
                self.advance()
                return Literal("date_range", word)
            if word in DATE_RANGES_WITH_N:
                self.advance()
                self.expect("COLON")
                return Literal("date_range", word, range_n=self.integer())
        raise self.unexpected()
