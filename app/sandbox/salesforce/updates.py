"""PATCH /composite/sobjects: up to 200 records updated in order, one SaveResult each.

The body is read first as Salesforce deserializes it, and refused whole (400) when it cannot
be: not JSON, more than 200 records, a record without `attributes.type`, a field the object
does not have (INVALID_FIELD), a value of the wrong JSON type (JSON_PARSER_ERROR). Then
each record is saved or fails on its own (MALFORMED_ID, ENTITY_IS_DELETED, STRING_TOO_LONG,
...); with allOrNone true one failure rolls every record back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.sandbox.salesforce import ids, schema
from app.sandbox.salesforce.errors import SalesforceError
from app.sandbox.salesforce.org import Org
from app.sandbox.salesforce.schema import Field

MAX_RECORDS = 200
ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header"
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parser_error(message: str) -> SalesforceError:
    return SalesforceError(400, "JSON_PARSER_ERROR", message)


@dataclass
class Pending:
    """One record read from the body: what it would change, or why it cannot."""

    entity: str
    record_id: str | None
    changes: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, code: str, message: str, fields: list[str] | None = None) -> None:
        self.errors.append({"statusCode": code, "message": message, "fields": fields or []})


class Updates(Org):
    def _update(self, body: Any, raw: str) -> list[dict[str, Any]]:
        if not isinstance(body, dict):
            raise parser_error("Cannot deserialize instance of the request from START_ARRAY")
        all_or_none = body.get("allOrNone", False)
        if not isinstance(all_or_none, bool):
            raise parser_error(_cannot("boolean", all_or_none, raw, "allOrNone"))
        records = body.get("records")
        if not isinstance(records, list):
            raise parser_error(_cannot("List<SObject>", records, raw, "records"))
        if len(records) > MAX_RECORDS:
            raise SalesforceError(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        pending = [_read(self, item, raw) for item in records]
        for item in pending:
            _check(self, item)
        if all_or_none and any(p.errors for p in pending):
            for item in pending:
                if not item.errors:
                    item.fail("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK)
        else:
            for item in pending:
                if not item.errors:
                    _save(self, item)
        return [
            {"id": p.record_id, "success": True, "errors": []}
            if not p.errors
            else {"success": False, "errors": p.errors}
            for p in pending
        ]


def _read(org: Org, item: Any, raw: str) -> Pending:
    """Deserialize one record, or refuse the whole request."""
    if not isinstance(item, dict):
        raise parser_error(_cannot("SObject", item, raw, "records"))
    attributes = item.get("attributes")
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(kind, str) or not kind:
        raise SalesforceError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    known = org.objects.get(kind.lower())
    if known is None:
        raise SalesforceError(400, "INVALID_TYPE", f"sObject type '{kind}' is not supported.")
    entity, fields = known
    record_id = item.get("id", item.get("Id"))
    pending = Pending(entity, record_id if isinstance(record_id, str) else None)
    for name, value in item.items():
        if name == "attributes" or name.lower() == "id":
            continue
        found = fields.get(name.lower())
        if found is None:
            raise SalesforceError(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {entity}"
            )
        pending.changes[found.name] = _typed(found, value, raw, name)
    return pending


def _typed(found: Field, value: Any, raw: str, name: str) -> Any:
    if value is None:
        return False if found.type == schema.BOOLEAN else None
    if found.type == schema.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise parser_error(_cannot("boolean", value, raw, name))
    if found.type in (schema.CURRENCY, schema.INT, "percent"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))
        raise parser_error(_cannot("double", value, raw, name))
    if found.type == schema.DATE:
        if isinstance(value, str) and _DAY.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise parser_error(_cannot("date", value, raw, name))
    if isinstance(value, dict | list):
        raise parser_error(_cannot("String", value, raw, name))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cannot(kind: str, value: Any, raw: str, name: str) -> str:
    shown = json.dumps(value)[:40]
    if isinstance(value, bool):
        token = "VALUE_TRUE" if value else "VALUE_FALSE"
    elif isinstance(value, int | float):
        token = "VALUE_NUMBER_INT" if isinstance(value, int) else "VALUE_NUMBER_FLOAT"
    elif isinstance(value, str):
        token, shown = "VALUE_STRING", value[:40]
    elif value is None:
        token = "VALUE_NULL"
    else:
        token = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
        shown = shown[:1]
    at = raw.find(f'"{name}"')
    column = (at + len(name) + 4) if at >= 0 else 1
    return (
        f"Cannot deserialize instance of {kind} from {token} value {shown} or request may be "
        f"missing a required field at [line:1, column:{column}]"
    )


def _check(org: Org, item: Pending) -> None:
    if item.entity != "Opportunity":
        item.fail("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be updated: {item.entity}")
        return
    if item.record_id is None:
        item.fail("MISSING_ARGUMENT", "Id not specified in an update call")
        return
    canonical = ids.canonical(item.record_id)
    if canonical is None or not canonical.startswith(ids.OPPORTUNITY):
        item.fail(
            "MALFORMED_ID",
            f"Opportunity ID: id value of incorrect type: {item.record_id}",
            ["Id"],
        )
        return
    item.record_id = canonical
    if canonical in org.deleted:
        item.fail("ENTITY_IS_DELETED", "entity is deleted")
        return
    if canonical not in org.opportunities:
        item.fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        return
    if canonical in org.validation_rules:
        item.fail("FIELD_CUSTOM_VALIDATION_EXCEPTION", org.validation_rules[canonical])
        return
    _, fields = org.objects["opportunity"]
    locked = [n for n in item.changes if not fields[n.lower()].updateable]
    if locked:
        item.fail(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set.",
            locked,
        )
        return
    for name, value in item.changes.items():
        spec = fields[name.lower()]
        if isinstance(value, str) and spec.length and len(value) > spec.length:
            item.fail(
                "STRING_TOO_LONG",
                f"{spec.label}: data value too large: {value[: spec.length]} "
                f"(max length={spec.length})",
                [name],
            )
        if name == "StageName" and value not in org.stages:
            item.fail(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"Stage: bad value for restricted picklist field: {value}",
                [name],
            )
        if name in ("Name", "StageName", "CloseDate", "OwnerId") and value is None:
            item.fail("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]", [name])


def _save(org: Org, item: Pending) -> None:
    assert item.record_id is not None
    row = org.opportunities[item.record_id]
    now = org.clock()
    for name, value in item.changes.items():
        row[name] = value
        org.accepted_writes.append((item.record_id, name, value))
    if "StageName" in item.changes:
        org.move_stage(item.record_id, item.changes["StageName"], now)
    row["LastModifiedDate"] = now
