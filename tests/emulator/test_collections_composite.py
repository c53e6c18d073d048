"""sObject Collections and the composite resource."""

from __future__ import annotations

from emulator_helpers import error_code


def tasks(count, **fields):
    return [{"attributes": {"type": "Task"}, "Subject": f"T{i}", **fields} for i in range(count)]


def test_create_200_records_in_one_call_counts_one_api_request(sf, emulator):
    before = emulator.admin.usage()["used"]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": tasks(200)})
    assert len(results) == 200 and all(r["success"] and r["id"].startswith("00T") for r in results)
    assert emulator.admin.usage()["used"] == before + 1
    assert len(emulator.admin.records("Task")) == 200


def test_more_than_200_records_is_refused(api):
    answer = api.post("composite/sobjects", json={"records": tasks(201)})
    assert answer.status_code == 400 and error_code(answer) == "EXCEEDED_ID_LIMIT"


def test_per_record_errors_without_all_or_none(api, emulator):
    records = tasks(1) + [{"attributes": {"type": "Task"}, "Subject": "x" * 300},
                          {"attributes": {"type": "Lead"}, "Company": "C"}] + tasks(1)
    results = api.post("composite/sobjects", json={"allOrNone": False, "records": records}).json()
    assert [r["success"] for r in results] == [True, False, False, True]
    assert results[1] == {"success": False, "errors": [{
        "statusCode": "STRING_TOO_LONG", "message": results[1]["errors"][0]["message"], "fields": ["Subject"]}]}
    assert results[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert len(emulator.admin.records("Task")) == 2


def test_all_or_none_rolls_everything_back(api, emulator):
    records = tasks(2) + [{"attributes": {"type": "Task"}, "Subject": "x", "Status": "Bogus"}]
    results = api.post("composite/sobjects", json={"allOrNone": True, "records": records}).json()
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert emulator.admin.records("Task") == []


def test_unknown_field_fails_the_whole_request(api):
    answer = api.post("composite/sobjects", json={"records": [{"attributes": {"type": "Task"}, "Nope__c": 1}]})
    assert answer.status_code == 400 and error_code(answer) == "INVALID_FIELD"


def test_missing_type_is_a_record_error(api):
    results = api.post("composite/sobjects", json={"records": [{"Subject": "x"}]}).json()
    assert results[0]["errors"][0]["statusCode"] == "INVALID_TYPE"


def test_update_collection(api, sf, emulator):
    ids = [r["id"] for r in sf.restful("composite/sobjects", method="POST", json={"records": tasks(3)})]
    deleted = ids[2]
    sf.Task.delete(deleted)
    updates = [{"attributes": {"type": "Task"}, "id": ids[0], "Status": "Completed"},
               {"attributes": {"type": "Task"}, "Id": ids[1], "Subject": "renamed"},
               {"attributes": {"type": "Task"}, "id": deleted, "Subject": "late"},
               {"attributes": {"type": "Task"}, "Subject": "no id"}]
    results = api.patch("composite/sobjects", json={"allOrNone": False, "records": updates}).json()
    assert [r["success"] for r in results] == [True, True, False, False]
    assert results[2]["id"] == deleted and results[2]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert results[3]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert sf.Task.get(ids[0])["IsClosed"] is True and sf.Task.get(ids[1])["Subject"] == "renamed"


def test_upsert_collection(api, sf):
    sf.Task.create({"Subject": "existing", "DocSend_Sync_Key__c": "k1"})
    records = [{"attributes": {"type": "Task"}, "DocSend_Sync_Key__c": "k1", "Subject": "updated"},
               {"attributes": {"type": "Task"}, "DocSend_Sync_Key__c": "k2", "Subject": "created"}]
    results = api.patch("composite/sobjects/Task/DocSend_Sync_Key__c", json={"allOrNone": True,
                                                                            "records": records}).json()
    assert [(r["success"], r["created"]) for r in results] == [(True, False), (True, True)]
    subjects = sorted(r["Subject"] for r in sf.query("SELECT Subject FROM Task")["records"])
    assert subjects == ["created", "updated"]
    answer = api.patch("composite/sobjects/Task/Subject", json={"records": records})
    assert answer.status_code == 400


def test_delete_and_retrieve_collections(api, sf):
    ids = [r["id"] for r in sf.restful("composite/sobjects", method="POST", json={"records": tasks(2)})]
    fetched = api.get("composite/sobjects/Task", params={"ids": ",".join(ids), "fields": "Id,Subject"}).json()
    assert [r["Subject"] for r in fetched] == ["T0", "T1"]
    results = api.delete("composite/sobjects", params={"ids": f"{ids[0]},garbage", "allOrNone": "false"}).json()
    assert [r["success"] for r in results] == [True, False]
    assert results[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert api.get("composite/sobjects/Task", params={"ids": ids[0], "fields": "Id"}).json() == [None]


def test_composite_with_references(sf, emulator):
    body = {"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Account", "referenceId": "acct",
         "body": {"Name": "Acme"}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Contact", "referenceId": "who",
         "body": {"LastName": "Lee", "AccountId": "@{acct.id}"}},
        {"method": "GET", "url": "/services/data/v59.0/sobjects/Contact/@{who.id}?fields=AccountId",
         "referenceId": "check"},
        {"method": "GET", "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Account", "referenceId": "q"},
        {"method": "POST", "url": "/services/data/v59.0/composite/sobjects", "referenceId": "tasks",
         "body": {"records": [{"attributes": {"type": "Task"}, "Subject": "x", "WhoId": "@{who.id}",
                               "WhatId": "@{q.records[0].Id}"}]}},
    ]}
    before = emulator.admin.usage()["used"]
    responses = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert emulator.admin.usage()["used"] == before + 1
    assert [r["httpStatusCode"] for r in responses] == [201, 201, 200, 200, 200]
    account_id = responses[0]["body"]["id"]
    assert responses[0]["httpHeaders"]["Location"] == f"/services/data/v59.0/sobjects/Account/{account_id}"
    assert responses[2]["body"]["AccountId"] == account_id
    assert responses[4]["body"][0]["success"] is True
    assert [r["referenceId"] for r in responses] == ["acct", "who", "check", "q", "tasks"]


def test_composite_all_or_none_rolls_back(sf, emulator):
    body = {"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Account", "referenceId": "a", "body": {"Name": "A"}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Contact", "referenceId": "c", "body": {}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Account", "referenceId": "b", "body": {"Name": "B"}},
    ]}
    responses = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in responses] == [400, 400, 400]
    assert responses[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert responses[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert responses[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert emulator.admin.records("Account") == []


def test_composite_without_all_or_none_keeps_going_and_halts_dependents(sf, emulator):
    body = {"allOrNone": False, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Contact", "referenceId": "bad", "body": {}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Task", "referenceId": "dep",
         "body": {"Subject": "x", "WhoId": "@{bad.id}"}},
        {"method": "POST", "url": "/services/data/v59.0/sobjects/Account", "referenceId": "ok", "body": {"Name": "A"}},
    ]}
    responses = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in responses] == [400, 400, 201]
    assert responses[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert len(emulator.admin.records("Account")) == 1


def test_composite_limits(api):
    get = {"method": "GET", "url": "/services/data/v59.0/limits"}
    too_many = [dict(get, referenceId=f"r{i}") for i in range(26)]
    assert api.post("composite", json={"compositeRequest": too_many}).status_code == 400
    query = {"method": "GET", "url": "/services/data/v59.0/query?q=SELECT+Id+FROM+Task"}
    six_queries = [dict(query, referenceId=f"q{i}") for i in range(6)]
    assert api.post("composite", json={"compositeRequest": six_queries}).status_code == 400
    five = [dict(query, referenceId=f"q{i}") for i in range(5)] + [dict(get, referenceId=f"g{i}") for i in range(20)]
    assert api.post("composite", json={"compositeRequest": five}).status_code == 200
    assert api.post("composite", data=b"[", headers={"Content-Type": "application/json"}).status_code == 400
