"""The emulated org's records: create, read, update, delete and upsert with Salesforce's rules.

Handlers pass values already turned into canonical fields by ``validation.deserialize``; this
module adds system fields and defaults, derives calculated fields, checks references, required
fields and uniqueness, and stores the result.  Record errors are raised as
``RecordValidationError`` so that REST answers them as a 400 and collections per record.
"""

from __future__ import annotations

from .clock import Clock, format_datetime
from .errors import ApiError, RecordError, RecordValidationError, not_found
from .ids import make_id, normalize_id
from .schema import ObjectSchema, Schema
from .settings import Settings
from .store import Store
from .validation import check_required, check_values, check_writable

SYSTEM_FIELDS = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                 "SystemModstamp")


class Org:
    """One org: its schema, its records (in a Store) and its clock."""

    def __init__(self, store: Store, schema: Schema, clock: Clock, settings: Settings) -> None:
        self.store = store
        self.schema = schema
        self.clock = clock
        self.settings = settings  # duplicate_rules: object -> fields whose value must not repeat
        # (object, field) -> key -> ids that have had that value: unique and External ID fields only.
        # Entries are only ever added and every hit is re-checked against the record, so a rollback
        # (which restores records underneath) can leave stale entries but never missing ones.
        self._indexes: dict[tuple[str, str], dict[object, set[str]]] = {}

    @property
    def org_id(self) -> str:
        org_id = self.store.get("meta", "org_id")
        if org_id is None:
            org_id = make_id("00D", 1)
            self.store.put("meta", "org_id", org_id)
        return str(org_id)

    # -- lookups --------------------------------------------------------------------------------

    def object(self, name: str) -> ObjectSchema:
        """The object named ``name`` (any case), or a 404 NOT_FOUND."""
        obj = self.schema.object(name)
        if obj is None:
            raise not_found()
        return obj

    def live_records(self, obj: ObjectSchema) -> list[dict]:
        return [record for record in self.store.records(obj.name) if not record.get("IsDeleted")]

    def find(self, record_id: str) -> tuple[ObjectSchema, dict] | None:
        """Any record by id (deleted ones included); the id may be 15 or 18 characters."""
        canonical = normalize_id(record_id)
        found = self.store.get_record(canonical) if canonical else None
        if found is None:
            return None
        return self.schema.object(found[0]), found[1]

    def retrieve(self, obj: ObjectSchema, record_id: str) -> dict:
        """A live record of ``obj`` by id, or a 404 as Salesforce answers for a GET."""
        found = self.find(record_id)
        if found is None or found[0] is not obj or found[1].get("IsDeleted"):
            raise not_found()
        return found[1]

    def _existing_for_write(self, obj: ObjectSchema, record_id: object) -> dict:
        canonical = normalize_id(record_id)
        if canonical is None or canonical[:3] != obj.key_prefix:
            raise RecordValidationError([RecordError("MALFORMED_ID", f"malformed id {record_id}", [])], 400)
        found = self.store.get_record(canonical)
        if found is None:
            raise RecordValidationError([RecordError("NOT_FOUND", "The requested resource does not exist", [])], 404)
        if found[1].get("IsDeleted"):
            raise RecordValidationError([RecordError("ENTITY_IS_DELETED", "entity is deleted", [])], 404)
        return found[1]

    def find_by_field(self, obj: ObjectSchema, field_name: str, value: object) -> list[dict]:
        """Live records whose ``field_name`` equals ``value`` (text compared case-insensitively)."""
        wanted = _match_key(value)
        field = obj.field(field_name)
        if field is not None and (field.unique or field.external_id):
            candidates = []
            for record_id in sorted(self._index(obj, field.name).get(wanted, ())):
                found = self.store.get_record(record_id)
                if found is not None:
                    candidates.append(found[1])
        else:
            candidates = self.store.records(obj.name)
        return [
            record for record in candidates
            if not record.get("IsDeleted") and record.get(field_name) is not None
            and _match_key(record.get(field_name)) == wanted
        ]

    def _index(self, obj: ObjectSchema, field_name: str) -> dict[object, set[str]]:
        index = self._indexes.get((obj.name, field_name))
        if index is None:
            index = {}
            for record in self.store.records(obj.name):
                if record.get(field_name) is not None:
                    index.setdefault(_match_key(record[field_name]), set()).add(record["Id"])
            self._indexes[(obj.name, field_name)] = index
        return index

    def _put(self, obj: ObjectSchema, record: dict) -> None:
        self.store.put_record(obj.name, record["Id"], record)
        for (obj_name, field_name), index in self._indexes.items():
            if obj_name == obj.name and record.get(field_name) is not None:
                index.setdefault(_match_key(record[field_name]), set()).add(record["Id"])

    # -- writes ---------------------------------------------------------------------------------

    def create(self, obj: ObjectSchema, values: dict[str, object], user_id: str, *, trusted: bool = False) -> dict:
        """Create a record. ``trusted`` (seeding) may write any field, Id and CreatedDate included."""
        if not trusted:
            if not obj.createable:
                raise _no_access(obj)
            errors = check_writable(obj, values, creating=True)
            if errors:
                raise RecordValidationError(errors)
        now = format_datetime(self.clock.now())
        record: dict[str, object] = {name: None for name in (f.name for f in obj.fields.values())}
        for field in obj.fields.values():
            if field.default is not None and not field.calculated:
                record[field.name] = field.default
        record.update({
            "IsDeleted": False, "CreatedDate": now, "CreatedById": user_id, "LastModifiedDate": now,
            "LastModifiedById": user_id, "SystemModstamp": now,
        })
        if "OwnerId" in record:
            record["OwnerId"] = user_id
        record.update(values)
        record_id = normalize_id(values.get("Id")) if trusted and values.get("Id") else None
        if record_id is not None and self.store.get_record(record_id) is not None:
            raise RecordValidationError([RecordError("DUPLICATE_VALUE", f"duplicate value found: Id {record_id}",
                                                     ["Id"])])
        record["Id"] = None
        self._validate(obj, record, {k: v for k, v in values.items() if k != "Id"}, None)
        record["Id"] = record_id or make_id(obj.key_prefix, self.store.next_serial(obj.key_prefix))
        self._derive(obj, record, None)
        self._put(obj, record)
        return record

    def update(self, obj: ObjectSchema, record_id: object, values: dict[str, object], user_id: str) -> dict:
        if not obj.updateable:
            raise _no_access(obj)
        existing = self._existing_for_write(obj, record_id)
        values = {name: value for name, value in values.items() if name != "Id"}
        errors = check_writable(obj, values, creating=False)
        if errors:
            raise RecordValidationError(errors)
        record = dict(existing)
        record.update(values)
        self._validate(obj, record, values, existing)
        now = format_datetime(self.clock.now())
        record.update({"LastModifiedDate": now, "LastModifiedById": user_id, "SystemModstamp": now})
        self._derive(obj, record, existing)
        self._put(obj, record)
        return record

    def delete(self, obj: ObjectSchema, record_id: object, user_id: str) -> dict:
        if not obj.deletable:
            raise _no_access(obj)
        existing = self._existing_for_write(obj, record_id)
        now = format_datetime(self.clock.now())
        record = dict(existing, IsDeleted=True, LastModifiedDate=now, LastModifiedById=user_id, SystemModstamp=now)
        self.store.put_record(obj.name, record["Id"], record)
        return record

    def upsert(self, obj: ObjectSchema, field_name: str, key: object, values: dict[str, object],
               user_id: str) -> tuple[dict, bool]:
        """Create or update by external id; (record, created). Several matches -> 300."""
        field = obj.field(field_name)
        if field is None or not (field.external_id or field.name == "Id"):
            raise ApiError(404, "NOT_FOUND",
                           f"Provided external ID field does not exist or is not accessible: {field_name}")
        if field.name == "Id":
            if key in (None, ""):
                return self.create(obj, values, user_id), True
            return self.update(obj, key, values, user_id), False
        matches = self.find_by_field(obj, field.name, key)
        if len(matches) > 1:
            raise MultipleMatches(obj, matches)
        if matches:
            changes = {name: value for name, value in values.items() if name != field.name}
            return self.update(obj, matches[0]["Id"], changes, user_id), False
        return self.create(obj, {**values, field.name: key}, user_id), True

    # -- rules ----------------------------------------------------------------------------------

    def _validate(self, obj: ObjectSchema, record: dict, values: dict, existing: dict | None) -> None:
        errors = check_values(obj, values)
        errors += self._check_references(obj, values)
        record.update(values)  # references now in their canonical 18-character form
        if not errors:
            errors += check_required(obj, record)
        if not errors:
            errors += self._check_task_rules(obj, record)
        if not errors:
            errors += self._check_unique(obj, record, values)
        if not errors and existing is None:
            errors += self._check_duplicate_rules(obj, record)
        if errors:
            raise RecordValidationError(errors)

    def _check_references(self, obj: ObjectSchema, values: dict) -> list[RecordError]:
        errors = []
        for name, value in values.items():
            field = obj.field(name)
            if field.type != "reference" or value is None:
                continue
            canonical = normalize_id(value)
            if canonical is None:
                errors.append(RecordError("MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}",
                                          [name]))
                continue
            target = self.schema.object_for_prefix(canonical[:3])
            if target is None or target.name not in field.reference_to:
                errors.append(RecordError("FIELD_INTEGRITY_EXCEPTION",
                                          f"{field.label}: id value of incorrect type: {value}", [name]))
                continue
            found = self.store.get_record(canonical)
            if found is None:
                errors.append(RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name]))
            elif found[1].get("IsDeleted"):
                errors.append(RecordError("ENTITY_IS_DELETED", "entity is deleted", [name]))
            else:
                values[name] = canonical
        return errors

    def _check_task_rules(self, obj: ObjectSchema, record: dict) -> list[RecordError]:
        if obj.name != "Task" or not record.get("WhoId") or not record.get("WhatId"):
            return []
        if str(record["WhoId"]).startswith("00Q"):
            return [RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                "Related To ID: You can't assign a task related to a lead to an account, opportunity or other object; "
                "leave WhatId empty when WhoId is a Lead",
                ["WhoId", "WhatId"],
            )]
        return []

    def _check_unique(self, obj: ObjectSchema, record: dict, values: dict) -> list[RecordError]:
        errors = []
        for name, value in values.items():
            field = obj.field(name)
            if value is None or not field.unique:
                continue
            for other in self.find_by_field(obj, field.name, value):
                if other["Id"] != record.get("Id"):
                    errors.append(RecordError(
                        "DUPLICATE_VALUE", f"duplicate value found: {field.name} duplicates value on record with id: "
                        f"{other['Id']}", [field.name]))
                    break
        return errors

    def _check_duplicate_rules(self, obj: ObjectSchema, record: dict) -> list[RecordError]:
        rules = {name.lower(): fields for name, fields in self.settings.duplicate_rules.items()}
        for rule_field in rules.get(obj.name.lower(), []):
            field = obj.field(rule_field)
            if field is None:
                continue
            rule_field = field.name
            value = record.get(rule_field)
            if value is not None and self.find_by_field(obj, rule_field, value):
                return [RecordError("DUPLICATES_DETECTED", "Use one of these records?", [])]
        return []

    def _derive(self, obj: ObjectSchema, record: dict, existing: dict | None) -> None:
        """Calculated fields: names, Task IsClosed/AccountId/CompletedDateTime, Opportunity flags."""
        if obj.field("Name") is not None and obj.field("Name").calculated:
            record["Name"] = " ".join(part for part in (record.get("FirstName"), record.get("LastName")) if part)
        if obj.name == "Task":
            record["IsClosed"] = record.get("Status") == "Completed"
            if record["IsClosed"] and not (existing and existing.get("IsClosed")):
                record["CompletedDateTime"] = record["LastModifiedDate"]
            elif not record["IsClosed"]:
                record["CompletedDateTime"] = None
            record["AccountId"] = self._task_account(record)
        if obj.name == "Opportunity":
            stage = record.get("StageName") or ""
            record["IsClosed"] = stage.startswith("Closed")
            record["IsWon"] = stage == "Closed Won"

    def _task_account(self, record: dict) -> str | None:
        what = self.find(record["WhatId"]) if record.get("WhatId") else None
        if what is not None:
            return what[1]["Id"] if what[0].name == "Account" else what[1].get("AccountId")
        who = self.find(record["WhoId"]) if record.get("WhoId") else None
        if who is not None and who[0].name == "Contact":
            return who[1].get("AccountId")
        return None


class MultipleMatches(Exception):
    """An upsert key matched several records (HTTP 300 with their URLs)."""

    def __init__(self, obj: ObjectSchema, matches: list[dict]) -> None:
        super().__init__(f"{len(matches)} {obj.name} records match")
        self.obj = obj
        self.ids = [record["Id"] for record in matches]


def _match_key(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _no_access(obj: ObjectSchema) -> ApiError:
    return ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY",
                    f"insufficient access rights on object id: {obj.name} records are read-only in the emulator")
