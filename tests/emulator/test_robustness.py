"""Bad input never makes the emulator answer 500: fuzzed bodies, SOQL and paths over real HTTP."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(["Subject", "Status", "WhoId", "WhatId", "ActivityDate", "Description", "Priority",
                               "IsClosed", "OwnerId", "DocSend_Percent_Viewed__c", "Id", "attributes", "Bogus"])
records = st.dictionaries(field_names, json_values, max_size=5)


@FUZZ
@given(body=records)
def test_fuzzed_creates(api, body):
    answer = api.post("sobjects/Task/", json=body)
    assert answer.status_code in (201, 400), answer.text


@FUZZ
@given(body=st.one_of(json_values, st.fixed_dictionaries({"allOrNone": json_values,
                                                          "records": st.lists(records, max_size=4)})))
def test_fuzzed_collections(api, body):
    for method in ("POST", "PATCH"):
        answer = api.request(method, "composite/sobjects", json=body)
        assert answer.status_code < 500, answer.text


subrequests = st.fixed_dictionaries({
    "method": st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", 7]),
    "url": st.sampled_from(["/services/data/v59.0/sobjects/Task", "/services/data/v59.0/sobjects/Task/@{a.id}",
                            "/services/data/v59.0/query?q=SELECT+Id+FROM+Task", "/nowhere", "@{b.records[9].x}",
                            "/services/data/v59.0/composite"]),
    "referenceId": st.sampled_from(["a", "b", "c", "1bad", ""]),
    "body": json_values,
})


@FUZZ
@given(body=st.one_of(json_values, st.fixed_dictionaries({"allOrNone": st.booleans(),
                                                          "compositeRequest": st.lists(subrequests, max_size=4)})))
def test_fuzzed_composite(api, body):
    answer = api.post("composite", json=body)
    assert answer.status_code < 500, answer.text


soql_words = st.sampled_from([
    "SELECT", "Id", "Name", "FROM", "Account", "Contact", "WHERE", "AND", "OR", "NOT", "(", ")", ",", "=", "!=",
    "<", ">=", "LIKE", "IN", "'a'", "'%'", "1", "-2.5", "null", "TRUE", "TODAY", "LAST_N_DAYS:3", "LAST_N_DAYS",
    ":", "ORDER", "BY", "DESC", "NULLS", "LAST", "LIMIT", "OFFSET", "COUNT()", "Account.Name", "Who.Email",
    "2024-01-01", "2024-01-01T00:00:00Z", "Email", "NumberOfEmployees", "CreatedDate", "\\", "'",
])


@FUZZ
@given(words=st.lists(soql_words, max_size=14), noise=st.text(max_size=20))
def test_fuzzed_soql(api, words, noise):
    for source in (" ".join(["SELECT", "Id", "FROM", "Account", *words]), " ".join(words), noise):
        answer = api.get("query", params={"q": source})
        assert answer.status_code in (200, 400), (source, answer.text)


@FUZZ
@given(path=st.lists(st.text(alphabet="abcAT0123_-.%@", max_size=20), min_size=1, max_size=5),
       method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]))
def test_fuzzed_paths(api, path, method):
    answer = api.request(method, "/".join(["sobjects", *path]), data=b"{}",
                         headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text
