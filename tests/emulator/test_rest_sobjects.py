"""sObject resources: create, read, update, delete, upsert, describe, versions, and their errors."""

from __future__ import annotations

import pytest
from emulator_helpers import error_code
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_external_id


def test_versions_listing_needs_no_session(emulator):
    session = emulator.requests_session()
    answer = session.get(f"{emulator.base_url}/services/data/")
    assert answer.status_code == 200
    assert [v["version"] for v in answer.json()] == ["58.0", "59.0", "60.0", "61.0", "62.0"]
    assert answer.json()[1] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")


@pytest.mark.parametrize("version", ["58.0", "62.0"])
def test_every_supported_version_answers(api, version):
    assert api.get(f"https://{api.base.split('/')[2]}/services/data/v{version}/limits").status_code == 200


def test_unsupported_version_is_not_found(api):
    answer = api.get(api.base.replace("v59.0", "v57.0") + "limits")
    assert answer.status_code == 404 and error_code(answer) == "NOT_FOUND"


def test_create_read_update_delete(sf, emulator):
    created = sf.Account.create({"Name": "Acme", "Industry": "Technology", "NumberOfEmployees": 12})
    assert created["success"] is True and created["errors"] == [] and created["id"].startswith("001")
    assert len(created["id"]) == 18
    record = sf.Account.get(created["id"])
    assert record["attributes"] == {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{created['id']}"}
    assert record["Name"] == "Acme" and record["NumberOfEmployees"] == 12 and record["IsDeleted"] is False
    user_id = emulator.admin.state()["default_user_id"]
    assert record["OwnerId"] == user_id and record["CreatedById"] == user_id
    assert record["CreatedDate"].endswith("+0000") and len(record["CreatedDate"]) == 28
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]
    emulator.admin.advance_clock(5)
    assert sf.Account.update(created["id"], {"Name": "Acme Corp"}) == 204
    updated = sf.Account.get(created["id"])
    assert updated["Name"] == "Acme Corp" and updated["LastModifiedDate"] > updated["CreatedDate"]
    assert sf.Account.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(created["id"])


def test_a_15_character_id_and_an_id_in_any_case_address_the_record(sf):
    record_id = sf.Account.create({"Name": "Acme"})["id"]
    assert sf.Account.get(record_id[:15])["Id"] == record_id
    assert sf.Account.get(record_id.lower())["Id"] == record_id


def test_get_selected_fields(api, sf):
    record_id = sf.Contact.create({"LastName": "Doe", "Email": "d@x.io"})["id"]
    body = api.get(f"sobjects/Contact/{record_id}", params={"fields": "email,LastName"}).json()
    assert body == {"attributes": body["attributes"], "Email": "d@x.io", "LastName": "Doe"}


def test_defaults_and_derived_fields(sf):
    contact = sf.Contact.create({"FirstName": "Jane", "LastName": "Doe", "AccountId": sf.Account.create(
        {"Name": "Acme"})["id"]})["id"]
    task = sf.Task.get(sf.Task.create({"Subject": "Call", "WhoId": contact})["id"])
    assert task["Status"] == "Not Started" and task["Priority"] == "Normal" and task["IsClosed"] is False
    assert task["AccountId"] == sf.Contact.get(contact)["AccountId"]
    lead = sf.Lead.get(sf.Lead.create({"LastName": "Roe", "Company": "Roe Inc"})["id"])
    assert lead["IsConverted"] is False and lead["Status"] == "Open - Not Contacted" and lead["Name"] == "Roe"
    sf.Task.update(task["Id"], {"Status": "Completed"})
    closed = sf.Task.get(task["Id"])
    assert closed["IsClosed"] is True and closed["CompletedDateTime"] is not None
    assert sf.Contact.get(contact)["Name"] == "Jane Doe"


def test_key_prefixes(sf):
    prefixes = {
        "Account": sf.Account.create({"Name": "A"})["id"][:3],
        "Contact": sf.Contact.create({"LastName": "C"})["id"][:3],
        "Lead": sf.Lead.create({"LastName": "L", "Company": "Co"})["id"][:3],
        "Opportunity": sf.Opportunity.create({"Name": "O", "StageName": "Prospecting",
                                              "CloseDate": "2026-01-31"})["id"][:3],
        "Task": sf.Task.create({"Subject": "T"})["id"][:3],
    }
    assert prefixes == {"Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006", "Task": "00T"}


@pytest.mark.parametrize(("sobject", "payload", "missing"), [
    ("Lead", {"Email": "x@y.z"}, ["LastName", "Company"]),
    ("Contact", {"FirstName": "Jo"}, ["LastName"]),
    ("Account", {"Website": "https://a.example"}, ["Name"]),
])
def test_required_fields(sf, sobject, payload, missing):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        getattr(sf, sobject).create(payload)
    assert caught.value.content == [{"message": f"Required fields are missing: [{', '.join(missing)}]",
                                     "errorCode": "REQUIRED_FIELD_MISSING", "fields": missing}]


def test_setting_a_required_field_to_null_is_refused(sf):
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.update(record_id, {"LastName": None})
    assert caught.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_string_too_long(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x" * 256})
    error = caught.value.content[0]
    assert error["errorCode"] == "STRING_TOO_LONG" and error["fields"] == ["Subject"]
    assert "max length=255" in error["message"]
    sf.Task.create({"Subject": "x" * 255, "Description": "y" * 32000})


def test_restricted_picklist(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "Status": "Nearly done"})
    assert caught.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert caught.value.content[0]["fields"] == ["Status"]
    sf.Lead.create({"LastName": "L", "Company": "C", "LeadSource": "DocSend"})  # unrestricted picklist


def test_lead_who_with_what_is_a_field_integrity_exception(sf):
    lead = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    account = sf.Account.create({"Name": "A"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "WhoId": lead, "WhatId": account})
    assert caught.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert caught.value.content[0]["fields"] == ["WhoId", "WhatId"]
    contact = sf.Contact.create({"LastName": "C"})["id"]
    sf.Task.create({"Subject": "x", "WhoId": contact, "WhatId": account})


def test_unknown_field(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"Name": "A", "Nonsense__c": 1})
    assert caught.value.content == [{"message": "No such column 'Nonsense__c' on sobject of type Account",
                                     "errorCode": "INVALID_FIELD"}]


def test_field_names_are_case_insensitive(sf):
    record_id = sf.Contact.create({"lastname": "Doe", "EMAIL": "d@x.io"})["id"]
    assert sf.Contact.get(record_id)["Email"] == "d@x.io"


@pytest.mark.parametrize(("value", "code"), [
    ("garbage", "MALFORMED_ID"),
    ("001000000000000", "FIELD_INTEGRITY_EXCEPTION"),  # an Account id in WhoId
    ("0038E0000000999", "INVALID_CROSS_REFERENCE_KEY"),  # well-formed, no such Contact
])
def test_bad_reference_ids(sf, value, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "WhoId": value})
    assert caught.value.content[0]["errorCode"] == code
    assert caught.value.content[0]["fields"] == ["WhoId"]


def test_deleted_records(sf):
    contact = sf.Contact.create({"LastName": "Doe"})["id"]
    sf.Contact.delete(contact)
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Contact.update(contact, {"LastName": "X"})
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Contact.delete(contact)
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "WhoId": contact})
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_unknown_and_malformed_ids_in_the_url(api, sf):
    assert api.get("sobjects/Account/0018E0000000999").status_code == 404
    assert error_code(api.get("sobjects/Account/not-an-id")) == "NOT_FOUND"
    contact = sf.Contact.create({"LastName": "Doe"})["id"]
    assert api.get(f"sobjects/Account/{contact}").status_code == 404  # a Contact id under Account


def test_not_updateable_and_not_createable_fields(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "IsClosed": True})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    task = sf.Task.create({"Subject": "x", "TaskSubtype": "Call"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.update(task, {"TaskSubtype": "Email"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert caught.value.content[0]["fields"] == ["TaskSubtype"]
    lead = sf.Lead.create({"LastName": "L", "Company": "C", "IsConverted": True})["id"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.update(lead, {"IsConverted": False})


def test_malformed_json_and_wrong_types(api):
    answer = api.post("sobjects/Account/", data=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and error_code(answer) == "JSON_PARSER_ERROR"
    answer = api.post("sobjects/Account/", json=["a list"])
    assert answer.status_code == 400 and error_code(answer) == "JSON_PARSER_ERROR"
    answer = api.post("sobjects/Account/", json={"Name": "A", "NumberOfEmployees": "many"})
    assert answer.status_code == 400 and error_code(answer) == "JSON_PARSER_ERROR"
    answer = api.post("sobjects/Task/", json={"Subject": "A", "ActivityDate": "31/12/2026"})
    assert answer.status_code == 400 and error_code(answer) == "JSON_PARSER_ERROR"
    answer = api.post("sobjects/Account/", data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and error_code(answer) == "JSON_PARSER_ERROR"


def test_unknown_object_and_resource_and_method(api):
    assert error_code(api.post("sobjects/Nope/", json={})) == "NOT_FOUND"
    assert api.get("nothing-here").status_code == 404
    answer = api.request("PUT", "sobjects/Account/")
    assert answer.status_code == 405 and error_code(answer) == "METHOD_NOT_ALLOWED"


def test_users_are_read_only(api):
    answer = api.post("sobjects/User/", json={"Username": "x@y.z", "LastName": "X", "Email": "x@y.z"})
    assert answer.status_code == 400


def test_dates_datetimes_numbers_and_booleans_keep_their_json_types(sf):
    opportunity = sf.Opportunity.create({"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2026-12-03",
                                         "Amount": 1200, "Probability": 90})["id"]
    record = sf.Opportunity.get(opportunity)
    assert record["CloseDate"] == "2026-12-03" and record["Amount"] == 1200.0
    assert record["IsWon"] is True and record["IsClosed"] is True
    task = sf.Task.create({"Subject": "x", "DocSend_Duration_Seconds__c": 61, "DocSend_Percent_Viewed__c": 50.5})
    stored = sf.Task.get(task["id"])
    assert stored["DocSend_Duration_Seconds__c"] == 61.0 and stored["DocSend_Percent_Viewed__c"] == 50.5


def test_upsert_by_external_id(sf, api):
    key = format_external_id("DocSend_Sync_Key__c", "visit/1 ü")
    assert sf.Task.upsert(key, {"Subject": "first"}) == 201
    assert sf.Task.upsert(key, {"Subject": "second"}) == 200
    answer = api.patch(f"sobjects/Task/{key}", json={"Subject": "third"})
    body = answer.json()
    assert answer.status_code == 200 and body["created"] is False and body["success"] is True
    records = sf.query("SELECT Id, Subject, DocSend_Sync_Key__c FROM Task")["records"]
    assert [(r["Subject"], r["DocSend_Sync_Key__c"]) for r in records] == [("third", "visit/1 ü")]
    assert api.get(f"sobjects/Task/{key}").json()["Id"] == body["id"]


def test_upsert_with_several_matches_is_a_300(sf, emulator):
    emulator.admin.define_field("Account", {"name": "Legacy_Key__c", "type": "string", "externalId": True})
    emulator.admin.seed({"Account": [{"Name": "A", "Legacy_Key__c": "k"}, {"Name": "B", "Legacy_Key__c": "K"}]})
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Account.upsert("Legacy_Key__c/k", {"Name": "C"})
    assert len(caught.value.content) == 2 and caught.value.content[0].startswith("/services/data/v59.0/sobjects/")


def test_upsert_on_a_field_that_is_not_an_external_id(api):
    answer = api.patch("sobjects/Task/Subject/x", json={"Subject": "x"})
    assert answer.status_code == 404 and error_code(answer) == "NOT_FOUND"


def test_duplicate_external_id_values_are_refused(sf):
    sf.Task.create({"Subject": "a", "DocSend_Sync_Key__c": "same"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "b", "DocSend_Sync_Key__c": "SAME"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_duplicate_rule_blocks_with_duplicates_detected(sf, emulator):
    emulator.admin.configure(duplicate_rules={"Lead": ["Email"]})
    sf.Lead.create({"LastName": "A", "Company": "C", "Email": "a@b.co"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "B", "Company": "C", "Email": "A@B.co"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATES_DETECTED"


def test_describe_shows_standard_and_custom_fields(sf, emulator):
    described = sf.Task.describe()
    assert described["name"] == "Task" and described["keyPrefix"] == "00T"
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["Subject"]["length"] == 255 and fields["Subject"]["type"] == "combobox"
    assert fields["Status"]["restrictedPicklist"] is True
    assert [v["value"] for v in fields["Priority"]["picklistValues"]] == ["High", "Normal", "Low"]
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"] and fields["WhoId"]["relationshipName"] == "Who"
    assert fields["TaskSubtype"]["createable"] is True and fields["TaskSubtype"]["updateable"] is False
    key = fields["DocSend_Sync_Key__c"]
    assert key["custom"] is True and key["externalId"] is True and key["idLookup"] is True
    assert fields["Description"]["filterable"] is False and fields["Description"]["length"] == 32000
    emulator.admin.define_field("Task", {"name": "New_Field__c", "type": "url", "length": 200})
    assert "New_Field__c" in {f["name"] for f in sf.Task.describe()["fields"]}
    emulator.admin.drop_field("Task", "New_Field__c")
    assert "New_Field__c" not in {f["name"] for f in sf.Task.describe()["fields"]}


def test_global_describe_and_object_summary(sf, api):
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"User", "Account", "Contact", "Lead", "Opportunity", "Task"} <= names
    summary = api.get("sobjects/Lead").json()
    assert summary["objectDescribe"]["keyPrefix"] == "00Q"


def test_a_dropped_custom_field_is_refused_on_write(sf, emulator):
    emulator.admin.drop_field("Task", "DocSend_Stats_URL__c")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "x", "DocSend_Stats_URL__c": "https://x"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
