"""The SOQL tokenizer and recursive-descent parser, without a server."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from simple_salesforce.format import format_soql

from salesforce_emulator.soql import SoqlSyntaxError, parse
from salesforce_emulator.soql.ast import BoolOp, Comparison, InList, Not
from salesforce_emulator.soql.evaluate import like_regex


def test_full_query_shape():
    query = parse(
        "select Id, Account.Name from Contact where (Email = 'a@b.c' or Email like 'x%') and "
        "CreatedDate > LAST_N_DAYS:3 order by Name desc nulls last, Id limit 5 offset 2"
    )
    assert query.sobject == "Contact"
    assert [f.parts for f in query.fields] == [("Id",), ("Account", "Name")]
    assert isinstance(query.where, BoolOp) and query.where.operator == "AND"
    assert query.where.operands[1].value.kind == "date_range" and query.where.operands[1].value.range_n == 3
    assert query.order_by[0].descending and query.order_by[0].nulls_last is True
    assert query.order_by[1].descending is False and query.order_by[1].nulls_last is None
    assert (query.limit, query.offset) == (5, 2)


def test_count_and_literals():
    query = parse("SELECT COUNT() FROM Task WHERE IsClosed = TRUE AND ActivityDate >= 2024-02-29 AND "
                  "CreatedDate < 2024-03-01T10:00:00.000+0100 AND Amount__c > -1.5 AND WhoId != NULL")
    assert query.count_only and query.fields == []
    values = [operand.value for operand in query.where.operands]
    assert [(v.kind, v.value) for v in values] == [
        ("boolean", True), ("date", "2024-02-29"), ("datetime", "2024-03-01T09:00:00.000+0000"),
        ("number", -1.5), ("null", None),
    ]


def test_in_not_in_and_not():
    query = parse("SELECT Id FROM Lead WHERE NOT (Email IN ('a', 'b')) AND Status NOT IN ('x')")
    first, second = query.where.operands
    assert isinstance(first, Not) and isinstance(first.operand, InList) and not first.operand.negated
    assert isinstance(second, InList) and second.negated and [v.value for v in second.values] == ["x"]


def test_escaped_quotes_and_backslashes():
    query = parse(r"SELECT Id FROM Account WHERE Name = 'O\'Brien \\ \"Co\"\n'")
    assert query.where.value.value == "O'Brien \\ \"Co\"\n"


def test_like_escapes_keep_percent_literal():
    query = parse(r"SELECT Id FROM Account WHERE Name LIKE '50\%%'")
    pattern = like_regex(query.where.value.like_pattern)
    assert pattern.fullmatch("50% off") and not pattern.fullmatch("500 off")


@pytest.mark.parametrize("source", [
    "",
    "SELECT FROM Account",
    "SELECT Id FROM",
    "SELECT Id FROM Account WHERE",
    "SELECT Id FROM Account WHERE Name = 'a' AND Id = 'b' OR Id = 'c'",  # AND/OR mixed without parentheses
    "SELECT Id FROM Account WHERE Name = 'unterminated",
    "SELECT Id FROM Account WHERE Name = 'bad \\q escape'",
    "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
    "SELECT COUNT(Id) FROM Account",
    "SELECT Name, MAX(AnnualRevenue) FROM Account",
    "SELECT Id FROM Account GROUP BY Name",
    "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
    "SELECT Owner.Manager.Name FROM Account",
    "SELECT Id FROM Account a",
    "SELECT Id, Id FROM Account",
    "SELECT Id FROM Account LIMIT -1",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T00:00:00",  # no time zone
    "SELECT Id FROM Account WHERE Name = 'x' FOR UPDATE",
    "SELECT Id FROM Account WHERE Name # 'x'",
    "SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2024",
    "SELECT Id FROM Account WHERE Name INCLUDES ('a')",
])
def test_unsupported_or_malformed_queries_raise(source):
    with pytest.raises(SoqlSyntaxError):
        parse(source)


def test_errors_carry_a_position():
    with pytest.raises(SoqlSyntaxError) as caught:
        parse("SELECT Id FROM Account WHERE Name = 'a' AND Id = 'b' OR Id = 'c'")
    assert caught.value.position == len("SELECT Id FROM Account WHERE Name = 'a' AND Id = 'b' ")


@given(st.text())
def test_string_literals_round_trip_through_format_soql(value):
    query = parse(format_soql("SELECT Id FROM Lead WHERE Email = {}", value))
    assert isinstance(query.where, Comparison)
    assert query.where.value.value == value


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_in_lists_round_trip_through_format_soql(values):
    query = parse(format_soql("SELECT Id FROM Contact WHERE Email IN {}", values))
    assert [literal.value for literal in query.where.values] == values


@given(st.text())
def test_like_patterns_from_format_soql_match_the_literal_text(value):
    query = parse(format_soql("SELECT Id FROM Account WHERE Name LIKE '{:like}%'", value))
    pattern = like_regex(query.where.value.like_pattern)
    assert pattern.fullmatch(value + "anything")
    assert pattern.fullmatch(value)
