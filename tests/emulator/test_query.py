"""SOQL over HTTP: filters, relationships, ordering, paging, dates, and its errors."""

from __future__ import annotations

import pytest
from emulator_helpers import error_code
from simple_salesforce.exceptions import SalesforceMalformedRequest
from simple_salesforce.format import format_soql


@pytest.fixture
def crm(emulator):
    """Two accounts, three contacts, two leads, tasks on a contact and a lead."""
    return emulator.admin.seed({
        "Account": [{"Name": "Acme", "ref": "acme", "NumberOfEmployees": 50},
                    {"Name": "Globex", "ref": "globex", "NumberOfEmployees": 5}],
        "Contact": [
            {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@acme.com", "AccountId": "@acme", "ref": "ann"},
            {"FirstName": "Bob", "LastName": "O'Hara", "Email": "BOB@acme.com", "AccountId": "@acme", "ref": "bob"},
            {"LastName": "Zed", "AccountId": "@globex"},
        ],
        "Lead": [{"LastName": "Lou", "Company": "Initech", "Email": "lou@initech.com", "ref": "lou"},
                 {"LastName": "Max", "Company": "Initech", "Email": "max@initech.com", "IsConverted": True}],
        "Task": [{"Subject": "Call Ann", "WhoId": "@ann", "WhatId": "@acme", "Status": "Completed"},
                 {"Subject": "Mail Lou", "WhoId": "@lou"},
                 {"Subject": "Nobody"}],
    })["refs"]


def names(result, field="LastName"):
    return [record[field] for record in result["records"]]


def test_equality_is_case_insensitive(sf, crm):
    result = sf.query("select id, lastname from contact where email = 'ANN@ACME.COM'")
    assert names(result) == ["Lee"] and result["totalSize"] == 1 and result["done"] is True
    record = result["records"][0]
    assert list(record) == ["attributes", "Id", "LastName"]  # canonical names, in the query's order
    assert record["attributes"] == {"type": "Contact", "url": f"/services/data/v59.0/sobjects/Contact/{crm['ann']}"}


def test_comparison_operators(sf, crm):
    assert names(sf.query("SELECT Name FROM Account WHERE NumberOfEmployees > 5"), "Name") == ["Acme"]
    assert names(sf.query("SELECT Name FROM Account WHERE NumberOfEmployees >= 5 ORDER BY Name"), "Name") == [
        "Acme", "Globex"]
    assert names(sf.query("SELECT Name FROM Account WHERE NumberOfEmployees < 50"), "Name") == ["Globex"]
    assert names(sf.query("SELECT Name FROM Account WHERE NumberOfEmployees <= 50 AND Name != 'acme'"), "Name") == [
        "Globex"]


def test_in_not_in_like_null_and_parentheses(sf, crm):
    query = format_soql("SELECT LastName FROM Contact WHERE Email IN {} ORDER BY LastName", ["bob@ACME.com", "x@y"])
    assert names(sf.query(query)) == ["O'Hara"]
    assert names(sf.query("SELECT LastName FROM Contact WHERE Email NOT IN ('ann@acme.com') ORDER BY LastName")) == [
        "O'Hara", "Zed"]  # null Email is "not in" the list, as in Salesforce
    assert names(sf.query("SELECT LastName FROM Contact WHERE Email LIKE '%@ACME.%' ORDER BY LastName")) == [
        "Lee", "O'Hara"]
    assert names(sf.query("SELECT LastName FROM Contact WHERE Email = null")) == ["Zed"]
    assert names(sf.query("SELECT LastName FROM Contact WHERE (Email = null OR LastName = 'Lee') AND "
                          "NOT LastName LIKE 'Z%'")) == ["Lee"]


def test_escaped_quotes(sf, crm):
    assert names(sf.query(format_soql("SELECT LastName FROM Contact WHERE LastName = {}", "o'hara"))) == ["O'Hara"]


def test_parent_relationship_fields(sf, crm):
    result = sf.query("SELECT LastName, Account.Name, account.numberofemployees FROM Contact ORDER BY LastName")
    first = result["records"][0]
    assert first["Account"]["Name"] == "Acme" and first["Account"]["NumberOfEmployees"] == 50
    assert first["Account"]["attributes"]["type"] == "Account"
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Account.Name FROM Lead")  # Lead has no Account relationship
    assert sf.query("SELECT Name, Account.Name FROM Contact WHERE Account.Name = 'globex'")["records"][0][
        "Name"] == "Zed"


def test_polymorphic_who_and_what(sf, crm):
    result = sf.query("SELECT Subject, Who.Email, Who.Type, What.Name FROM Task ORDER BY Subject")
    by_subject = {record["Subject"]: record for record in result["records"]}
    assert by_subject["Call Ann"]["Who"]["Email"] == "ann@acme.com"
    assert by_subject["Call Ann"]["Who"]["Type"] == "Contact"
    assert by_subject["Call Ann"]["Who"]["attributes"]["type"] == "Name"
    assert by_subject["Call Ann"]["What"]["Name"] == "Acme"
    assert by_subject["Mail Lou"]["Who"]["Type"] == "Lead" and by_subject["Mail Lou"]["What"] is None
    assert by_subject["Nobody"]["Who"] is None
    leads = sf.query("SELECT Subject FROM Task WHERE Who.Type = 'Lead'")
    assert names(leads, "Subject") == ["Mail Lou"]


def test_booleans_and_ids(sf, crm):
    assert names(sf.query("SELECT LastName FROM Lead WHERE IsConverted = false")) == ["Lou"]
    query = format_soql("SELECT LastName FROM Contact WHERE Id IN {}", [crm["ann"][:15], crm["bob"].lower()])
    assert sorted(names(sf.query(query))) == ["Lee", "O'Hara"]
    assert names(sf.query(format_soql("SELECT Subject FROM Task WHERE WhoId = {}", crm["lou"])), "Subject") == [
        "Mail Lou"]


def test_order_by_nulls_limit_offset(sf, crm):
    query = "SELECT LastName FROM Contact ORDER BY Email {} LIMIT {} OFFSET {}"
    assert names(sf.query(query.format("ASC", 3, 0))) == ["Zed", "Lee", "O'Hara"]
    assert names(sf.query(query.format("ASC NULLS LAST", 3, 0))) == ["Lee", "O'Hara", "Zed"]
    assert names(sf.query(query.format("DESC", 3, 0))) == ["O'Hara", "Lee", "Zed"]
    assert names(sf.query(query.format("DESC NULLS FIRST", 2, 1))) == ["O'Hara", "Lee"]


def test_count(sf, crm):
    result = sf.query("SELECT COUNT() FROM Contact WHERE Account.Name = 'Acme'")
    assert result == {"totalSize": 2, "done": True, "records": []}


def test_dates_and_date_literals(sf, emulator):
    emulator.admin.configure(access_token_ttl=10 * 86400)
    emulator.admin.seed({"Task": [
        {"Subject": "old", "ActivityDate": "2020-01-01", "CreatedDate": "2020-01-01T10:00:00.000+0000"},
        {"Subject": "new"},
    ]})
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate = TODAY"), "Subject") == ["new"]
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate < LAST_N_DAYS:30"), "Subject") == ["old"]
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate > 2020-01-01T10:00:00Z"), "Subject") == ["new"]
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate >= 2020-01-01T10:00:00Z ORDER BY CreatedDate"),
                 "Subject") == ["old", "new"]
    assert names(sf.query("SELECT Subject FROM Task WHERE ActivityDate = 2020-01-01"), "Subject") == ["old"]
    emulator.admin.advance_clock(3 * 86400)
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate = LAST_N_DAYS:2"), "Subject") == []
    assert names(sf.query("SELECT Subject FROM Task WHERE CreatedDate = LAST_N_DAYS:3"), "Subject") == ["new"]


def test_paging_in_batches_of_2000(sf, emulator, api):
    emulator.admin.seed({"Lead": [{"LastName": f"L{i:05d}", "Company": "C"} for i in range(4500)]})
    first = api.get("query", params={"q": "SELECT Id, LastName FROM Lead ORDER BY LastName"}).json()
    assert first["totalSize"] == 4500 and first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    second = api.get(f"https://{api.base.split('/')[2]}{first['nextRecordsUrl']}").json()
    assert second["records"][0]["LastName"] == "L02000" and len(second["records"]) == 2000
    everything = sf.query_all("SELECT LastName FROM Lead")
    assert everything["totalSize"] == 4500 and len(everything["records"]) == 4500
    small = api.get("query", params={"q": "SELECT Id FROM Lead"},
                    headers={"Sforce-Query-Options": "batchSize=500"}).json()
    assert len(small["records"]) == 500 and small["nextRecordsUrl"].endswith("-500")


def test_bad_query_locator(api):
    answer = api.get("query/01gNOPE-2000")
    assert answer.status_code == 400 and error_code(answer) == "INVALID_QUERY_LOCATOR"


@pytest.mark.parametrize(("soql", "code"), [
    ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
    ("SELECT Id FROM Account WHERE Name = 'a' AND Id = 'b' OR Name = 'c'", "MALFORMED_QUERY"),
    ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "MALFORMED_QUERY"),
    ("SELECT Name FROM Account GROUP BY Name", "MALFORMED_QUERY"),
    ("SELECT Nope FROM Account", "INVALID_FIELD"),
    ("SELECT Id FROM Nope", "INVALID_TYPE"),
    ("SELECT Id FROM Task WHERE Description = 'x'", "INVALID_FIELD"),
    ("SELECT Id FROM Account WHERE NumberOfEmployees = 'five'", "INVALID_FIELD"),
    ("SELECT Id FROM Account WHERE CreatedDate = 2024-01-01", "INVALID_FIELD"),
    ("SELECT Id FROM Account WHERE Id = 'nonsense'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
    ("SELECT Foo.Name FROM Contact", "INVALID_FIELD"),
])
def test_query_errors_are_400s(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.content[0]["errorCode"] == code


def test_missing_q(api):
    answer = api.get("query")
    assert answer.status_code == 400 and error_code(answer) == "MALFORMED_QUERY"


def test_deleted_records_are_not_returned(sf):
    record_id = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(record_id)
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0
    assert sf.query_all("SELECT Id FROM Account", include_deleted=True)["totalSize"] == 1
