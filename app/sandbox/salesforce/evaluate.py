"""Running a parsed SOQL query over the org's rows: names resolved against the schema
(INVALID_TYPE, INVALID_FIELD), each literal checked against its field's type
(INVALID_QUERY_FILTER_OPERATOR), then filter, order, limit and the selected fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.sandbox.salesforce import ids, schema
from app.sandbox.salesforce.errors import SalesforceError
from app.sandbox.salesforce.schema import Field
from app.sandbox.salesforce.soql import Condition, Query, Token, located

Row = dict[str, Any]
_TEXT = (schema.STRING, schema.PICKLIST, schema.EMAIL)
_NUMERIC = (schema.CURRENCY, schema.INT, "percent")


def no_such_object(query: Query) -> SalesforceError:
    name = query.source.text
    message = (
        f"sObject type '{name}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )
    return SalesforceError(400, "INVALID_TYPE", located(query.text, query.source.at, message))


def no_such_field(query: Query, token: Token, entity: str) -> SalesforceError:
    message = (
        f"No such column '{token.text}' on entity '{entity}'. If you are attempting to use "
        "a custom field, be sure to append the '__c' after the custom field name. Please "
        "reference your WSDL or the describe call for the appropriate names."
    )
    return SalesforceError(400, "INVALID_FIELD", located(query.text, token.at, message))


def bad_filter(query: Query, token: Token, message: str) -> SalesforceError:
    return SalesforceError(
        400, "INVALID_QUERY_FILTER_OPERATOR", located(query.text, token.at, message)
    )


def run(
    query: Query,
    objects: dict[str, tuple[str, dict[str, Field]]],
    rows_of: Callable[[str], list[Row]],
) -> tuple[str, list[tuple[str, Row]]]:
    """The object's API name and the matching rows' ids, each with only the selected
    fields."""
    known = objects.get(query.source.text.lower())
    if known is None:
        raise no_such_object(query)
    entity, fields = known

    def field(token: Token) -> Field:
        found = fields.get(token.text.lower())
        if found is None:
            raise no_such_field(query, token, entity)
        return found

    selected = [field(token) for token in query.fields]
    tests = [_test(query, field(c.field), c) for c in query.where]
    order = field(query.order_by) if query.order_by is not None else None
    rows = [row for row in rows_of(entity) if all(test(row) for test in tests)]
    if order is not None:
        rows = _sorted(rows, order.name, query.descending, query.nulls_last)
    if query.limit is not None:
        rows = rows[: query.limit]
    return entity, [(row["Id"], {f.name: row.get(f.name) for f in selected}) for row in rows]


def _test(query: Query, field: Field, condition: Condition) -> Callable[[Row], bool]:
    wanted = {_value(query, field, token) for token in condition.values}
    if condition.op in ("=", "in"):
        return lambda row: _key(field, row.get(field.name)) in wanted
    return lambda row: _key(field, row.get(field.name)) not in wanted


def _key(field: Field, value: Any) -> Any:
    if field.type in (schema.ID, schema.REFERENCE) and isinstance(value, str):
        return value[:15]
    if field.type in _TEXT and isinstance(value, str):
        return value.lower()  # SOQL's = on text ignores case
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _value(query: Query, field: Field, token: Token) -> Any:
    """The literal as the field's type, or Salesforce's refusal of it."""
    if token.kind == "keyword" and token.value == "null":
        return None
    name = field.name
    if field.type == schema.BOOLEAN:
        if token.kind == "keyword":
            return token.value == "true"
        raise bad_filter(
            query,
            token,
            f"value of filter criterion for field '{name}' must be of type boolean and "
            "should not be enclosed in quotes",
        )
    if field.type in (schema.ID, schema.REFERENCE):
        if token.kind != "string":
            raise bad_filter(
                query,
                token,
                f"value of filter criterion for field '{name}' "
                "must be of type id and should be enclosed in quotes",
            )
        canonical = ids.canonical(token.value)
        if canonical is None:
            raise bad_filter(query, token, f"invalid ID field: {token.value}")
        return canonical[:15]
    if field.type in _TEXT:
        if token.kind != "string":
            raise bad_filter(
                query,
                token,
                f"value of filter criterion for field '{name}' "
                "must be of type string and should be enclosed in quotes",
            )
        return str(token.value).lower()
    expected = {schema.DATE: "date", schema.DATETIME: "datetime"}.get(field.type, "number")
    if token.kind != expected:
        kind = {"number": "double"}.get(expected, expected)
        raise bad_filter(
            query,
            token,
            f"value of filter criterion for field '{name}' must "
            f"be of type {kind} and should not be enclosed in quotes",
        )
    return token.value


def _sorted(rows: list[Row], name: str, descending: bool, nulls_last: bool) -> list[Row]:
    present = [r for r in rows if r.get(name) is not None]
    missing = [r for r in rows if r.get(name) is None]
    present.sort(key=lambda r: _sort_key(r[name]), reverse=descending)
    return present + missing if nulls_last else missing + present


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, datetime | date | bool):
        return value
    return Decimal(str(value))
