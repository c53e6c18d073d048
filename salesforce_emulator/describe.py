"""The describe resources: global describe, an object's summary and its full describe."""

from __future__ import annotations

from .schema import NUMBER_TYPES, STRING_TYPES, FieldSchema, ObjectSchema, Schema


def object_urls(obj: ObjectSchema, version: str) -> dict:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(obj: ObjectSchema, version: str) -> dict:
    return {
        "name": obj.name, "label": obj.label, "labelPlural": obj.label_plural, "keyPrefix": obj.key_prefix,
        "custom": False, "customSetting": False, "createable": obj.createable, "updateable": obj.updateable,
        "deletable": obj.deletable, "queryable": True, "retrieveable": True, "searchable": True,
        "layoutable": True, "triggerable": True, "undeletable": obj.deletable, "mergeable": False,
        "replicateable": True, "activateable": False, "feedEnabled": False, "mruEnabled": True,
        "deprecatedAndHidden": False, "urls": object_urls(obj, version),
    }


def describe_global(schema: Schema, version: str) -> dict:
    return {"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [object_summary(obj, version) for obj in schema.objects()]}


def describe_field(field: FieldSchema) -> dict:
    is_text = field.type in STRING_TYPES
    return {
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "soapType": field.soap_type,
        "length": field.length if is_text else 0,
        "byteLength": field.length * 3 if is_text else (18 if field.type in ("id", "reference") else 0),
        "digits": 9 if field.type == "int" else 0,
        "precision": field.precision if field.type in NUMBER_TYPES and field.type != "int" else 0,
        "scale": field.scale if field.type in NUMBER_TYPES and field.type != "int" else 0,
        "nillable": field.nillable,
        "createable": field.createable,
        "updateable": field.updateable,
        "defaultedOnCreate": field.default is not None or field.name in (
            "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
            "IsDeleted", "Id"),
        "defaultValue": field.default if field.type != "boolean" else None,
        "defaultValueFormula": None,
        "calculated": field.calculated,
        "calculatedFormula": None,
        "custom": field.custom,
        "externalId": field.external_id,
        "unique": field.unique,
        "idLookup": field.name == "Id" or field.external_id,
        "nameField": field.name_field or (field.name == "Name" and field.type == "string"),
        "filterable": field.filterable,
        "sortable": field.filterable,
        "groupable": field.filterable and field.type not in ("double", "currency", "percent", "datetime"),
        "aggregatable": field.filterable,
        "caseSensitive": False,
        "autoNumber": False,
        "restrictedPicklist": field.restricted,
        "dependentPicklist": False,
        "htmlFormatted": False,
        "picklistValues": [
            {"active": True, "defaultValue": value == field.default, "label": value, "validFor": None, "value": value}
            for value in field.values
        ],
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "relationshipOrder": None,
        "polymorphicForeignKey": field.is_polymorphic,
        "cascadeDelete": False,
        "restrictedDelete": False,
        "writeRequiresMasterRead": False,
        "deprecatedAndHidden": False,
        "encrypted": False,
        "highScaleNumber": False,
        "inlineHelpText": None,
        "permissionable": field.custom or (field.nillable and field.createable),
        "queryByDistance": False,
        "searchPrefilterable": False,
    }


def describe_object(obj: ObjectSchema, version: str) -> dict:
    described = object_summary(obj, version)
    described.update({
        "fields": [describe_field(field) for field in obj.fields.values()],
        "childRelationships": [],
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All " + obj.label_plural.lower(), "name": "everything"}],
        "namedLayoutInfos": [],
        "actionOverrides": [],
        "listviewable": None,
        "lookupLayoutable": None,
        "searchLayoutable": True,
        "compactLayoutable": True,
        "networkScopeFieldName": None,
        "sobjectDescribeOption": "FULL",
        "defaultImplementation": None,
        "implementedBy": None,
        "implementsInterfaces": None,
        "isInterface": False,
        "isSubtype": False,
        "hasSubtypes": False,
        "extendedBy": None,
        "extendsInterfaces": None,
        "associateEntityType": None,
        "associateParentEntity": None,
        "dataTranslationEnabled": False,
        "deepCloneable": False,
    })
    return described
