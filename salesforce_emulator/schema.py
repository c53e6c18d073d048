"""The org's metadata: objects, their fields, types, lengths, picklists and access flags.

Standard objects come from ``schema.json``; custom fields (``__c``) are declared by the seed
file or at run time through the admin API.  Object and field names are case-insensitive, as
in Salesforce; every lookup goes through the lower-cased name and yields the canonical one.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from importlib import resources

STRING_TYPES = frozenset({"string", "textarea", "picklist", "combobox", "email", "phone", "url"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
ID_TYPES = frozenset({"id", "reference"})
FIELD_TYPES = STRING_TYPES | NUMBER_TYPES | ID_TYPES | {"boolean", "date", "datetime"}

_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
    "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double",
    "date": "xsd:date", "datetime": "xsd:dateTime",
}


class SchemaError(ValueError):
    """A field or object definition that cannot be used."""


@dataclass
class FieldSchema:
    name: str
    type: str
    label: str = ""
    length: int = 0
    required: bool = False
    default: object = None
    createable: bool = True
    updateable: bool = True
    calculated: bool = False
    values: list[str] = field(default_factory=list)
    restricted: bool = False
    reference_to: list[str] = field(default_factory=list)
    relationship_name: str | None = None
    external_id: bool = False
    unique: bool = False
    filterable: bool = True
    name_field: bool = False
    custom: bool = False
    precision: int = 0
    scale: int = 0

    @classmethod
    def from_json(cls, data: dict, *, custom: bool = False) -> FieldSchema:
        try:
            name = data["name"]
            field_type = data["type"].lower()
        except (KeyError, AttributeError, TypeError) as exc:
            raise SchemaError("a field needs a name and a type") from exc
        if field_type == "text":
            field_type = "string"
        if field_type not in FIELD_TYPES:
            raise SchemaError(f"unknown field type {data['type']!r} for {name}")
        if custom and not name.endswith("__c"):
            raise SchemaError(f"custom field names end with __c: {name}")
        length = int(data.get("length", 255 if field_type in STRING_TYPES else 0))
        if field_type in ID_TYPES:
            length = 18
        calculated = bool(data.get("calculated", False))
        return cls(
            name=name,
            type=field_type,
            label=data.get("label", name.removesuffix("__c").replace("_", " ")),
            length=length,
            required=bool(data.get("required", False)),
            default=data.get("default"),
            createable=bool(data.get("createable", not calculated)),
            updateable=bool(data.get("updateable", not calculated)),
            calculated=calculated,
            values=list(data.get("values", [])),
            restricted=bool(data.get("restricted", False)),
            reference_to=list(data.get("referenceTo", [])),
            relationship_name=data.get("relationshipName"),
            external_id=bool(data.get("externalId", False)),
            unique=bool(data.get("unique", False)),
            filterable=bool(data.get("filterable", field_type != "textarea" or length <= 255)),
            name_field=bool(data.get("nameField", False)),
            custom=custom,
            precision=int(data.get("precision", 18 if field_type in NUMBER_TYPES else 0)),
            scale=int(data.get("scale", 2 if field_type in ("double", "currency", "percent") else 0)),
        )

    def to_json(self) -> dict:
        data: dict = {"name": self.name, "type": self.type, "label": self.label}
        if self.type in STRING_TYPES:
            data["length"] = self.length
        optional = {
            "required": self.required, "default": self.default, "values": self.values,
            "restricted": self.restricted, "referenceTo": self.reference_to,
            "relationshipName": self.relationship_name, "externalId": self.external_id, "unique": self.unique,
        }
        data.update({key: value for key, value in optional.items() if value})
        if not self.createable:
            data["createable"] = False
        if not self.updateable:
            data["updateable"] = False
        return data

    @property
    def soap_type(self) -> str:
        return _SOAP_TYPES.get(self.type, "xsd:string")

    @property
    def nillable(self) -> bool:
        return not self.required and self.type != "boolean"

    @property
    def is_polymorphic(self) -> bool:
        return len(self.reference_to) > 1


@dataclass
class ObjectSchema:
    name: str
    key_prefix: str
    label: str
    label_plural: str
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    fields: dict[str, FieldSchema] = field(default_factory=dict)  # lower-case name -> field

    def field(self, name: str) -> FieldSchema | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> FieldSchema | None:
        lowered = name.lower()
        for candidate in self.fields.values():
            if candidate.relationship_name and candidate.relationship_name.lower() == lowered:
                return candidate
        return None

    def add_field(self, definition: FieldSchema) -> None:
        self.fields[definition.name.lower()] = definition


def _system_fields(ownerless: bool) -> list[dict]:
    system = [
        {"name": "Id", "type": "id", "createable": False, "updateable": False, "label": "Record ID"},
        {"name": "IsDeleted", "type": "boolean", "calculated": True, "default": False, "label": "Deleted"},
        {"name": "CreatedDate", "type": "datetime", "calculated": True, "label": "Created Date"},
        {"name": "CreatedById", "type": "reference", "referenceTo": ["User"], "relationshipName": "CreatedBy",
         "calculated": True, "label": "Created By ID"},
        {"name": "LastModifiedDate", "type": "datetime", "calculated": True, "label": "Last Modified Date"},
        {"name": "LastModifiedById", "type": "reference", "referenceTo": ["User"],
         "relationshipName": "LastModifiedBy", "calculated": True, "label": "Last Modified By ID"},
        {"name": "SystemModstamp", "type": "datetime", "calculated": True, "label": "System Modstamp"},
    ]
    if not ownerless:
        system.append({"name": "OwnerId", "type": "reference", "referenceTo": ["User"], "relationshipName": "Owner",
                       "label": "Owner ID"})
    return system


class Schema:
    """All objects of one org; owned by one emulator instance (custom fields change at run time)."""

    def __init__(self, objects: dict[str, ObjectSchema]) -> None:
        self._objects = objects  # lower-case name -> object

    @classmethod
    def standard(cls) -> Schema:
        return cls(copy.deepcopy(_standard_objects()))

    def object(self, name: str) -> ObjectSchema | None:
        return self._objects.get(name.lower()) if isinstance(name, str) else None

    def objects(self) -> list[ObjectSchema]:
        return list(self._objects.values())

    def object_for_prefix(self, prefix: str) -> ObjectSchema | None:
        for candidate in self._objects.values():
            if candidate.key_prefix == prefix:
                return candidate
        return None

    def define_custom_field(self, object_name: str, definition: dict) -> FieldSchema:
        target = self.object(object_name)
        if target is None:
            raise SchemaError(f"unknown object {object_name!r}")
        custom = FieldSchema.from_json(definition, custom=True)
        for reference in custom.reference_to:
            if self.object(reference) is None:
                raise SchemaError(f"unknown referenced object {reference!r}")
        target.add_field(custom)
        return custom

    def drop_custom_field(self, object_name: str, field_name: str) -> bool:
        target = self.object(object_name)
        existing = target.field(field_name) if target else None
        if existing is None or not existing.custom:
            return False
        del target.fields[field_name.lower()]
        return True

    def custom_fields(self) -> dict[str, list[dict]]:
        return {
            obj.name: [f.to_json() for f in obj.fields.values() if f.custom]
            for obj in self._objects.values()
            if any(f.custom for f in obj.fields.values())
        }


_STANDARD_CACHE: dict[str, ObjectSchema] = {}


def _standard_objects() -> dict[str, ObjectSchema]:
    if not _STANDARD_CACHE:
        text = resources.files("salesforce_emulator").joinpath("schema.json").read_text(encoding="utf-8")
        for name, data in json.loads(text).items():
            if name.startswith("_"):
                continue
            obj = ObjectSchema(
                name=name,
                key_prefix=data["keyPrefix"],
                label=data.get("label", name),
                label_plural=data.get("labelPlural", name + "s"),
                createable=data.get("createable", True),
                updateable=data.get("updateable", True),
                deletable=data.get("deletable", True),
            )
            for definition in _system_fields(data.get("ownerless", False)) + data["fields"]:
                obj.add_field(FieldSchema.from_json(definition))
            _STANDARD_CACHE[name.lower()] = obj
    return _STANDARD_CACHE
