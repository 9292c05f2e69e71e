"""The writes coach makes: batch updates of deal properties (the whole batch refused when a
value is not valid; ids HubSpot does not have reported apart, 207) and creating a deal
property."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from app.clock import Clock
from app.sandbox.hubspot.endpoints import MAX_BATCH, Answer, _batch_answer, _input_ids
from app.sandbox.hubspot.errors import (
    HubSpotError,
    invalid,
    property_problem,
    property_refusals,
)
from app.sandbox.hubspot.model import Deal, Owner, Pipeline, PropertyDef
from app.sandbox.hubspot.payloads import deal_json, property_json
from app.sandbox.hubspot.schema import GROUPS, iso_ms

_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")
FIELD_TYPES = {
    "string": ("text", "textarea", "html", "phonenumber", "file"),
    "number": ("number", "calculation_equation"),
    "bool": ("booleancheckbox",),
    "enumeration": ("select", "radio", "checkbox", "booleancheckbox"),
    "datetime": ("date",),
    "date": ("date",),
}


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


class Writes:
    clock: Clock
    owners: dict[str, Owner]
    pipelines: dict[str, Pipeline]
    properties: dict[str, PropertyDef]
    deals: dict[str, Deal]
    portal_id: int
    _update: Callable[..., None]  # Account's: apply values to a deal, with history

    def _problem(self, deal: Deal | None, name: str, value: str) -> dict[str, Any] | None:
        prop = self.properties.get(name)
        if prop is None:
            return property_problem(
                name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'
            )
        if prop.read_only_value:
            return property_problem(
                name,
                "READ_ONLY_VALUE",
                f'"{name}" is a read only property; its value cannot be set.',
            )
        allowed = [str(o["value"]) for o in prop.options]
        if name == "dealstage" and deal is not None:
            pipeline = self.pipelines.get(deal.properties.get("pipeline") or "default")
            allowed = [s.id for s in pipeline.stages] if pipeline else []
        elif name == "hubspot_owner_id":
            allowed = [o for o in self.owners if not self.owners[o].archived]
        if value and (prop.type == "bool" or allowed) and value not in allowed:
            listed = ", ".join(allowed)
            return property_problem(
                name, "INVALID_OPTION", f"{value} was not one of the allowed options: [{listed}]"
            )
        if value and prop.type == "number":
            try:
                Decimal(value)
            except InvalidOperation:
                return property_problem(
                    name, "INVALID_DECIMAL", f"{value} was not a valid decimal number"
                )
        return None

    def _batch_update(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        started = iso_ms(self.clock())
        if not isinstance(body, dict):
            raise invalid()
        inputs = body.get("inputs")
        ids = _input_ids(inputs)
        if len(ids) > MAX_BATCH:
            raise invalid()
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise invalid(f"Duplicate IDs found in batch input: {repeated}. IDs must be unique")
        changes: list[tuple[str, dict[str, str]]] = []
        problems: list[dict[str, Any]] = []
        assert isinstance(inputs, list)
        for deal_id, item in zip(ids, inputs, strict=True):
            raw = item.get("properties")
            if not isinstance(raw, dict) or not raw:
                raise invalid()
            values = {}
            for name, value in raw.items():
                text = _text(value)
                if text is None:
                    raise invalid()
                values[name] = text
            deal = self.deals.get(deal_id)
            problems += [
                p for name, text in values.items() if (p := self._problem(deal, name, text))
            ]
            changes.append((deal_id, values))
        if problems:
            raise property_refusals(problems)
        at = self.clock()
        results, missing = [], []
        for deal_id, values in changes:
            deal = self.deals.get(deal_id)
            if deal is None or deal.archived:
                missing.append(deal_id)
                continue
            self._update(deal, values, at, "coach-private-app")
            results.append(deal_json(deal, list(values), self.properties))
        return _batch_answer(results, missing, started, iso_ms(self.clock()))

    def _create_property(self, query: dict[str, str], body: Any, tail: str) -> Answer:
        if not isinstance(body, dict):
            raise invalid()
        missing = [
            key
            for key in ("name", "label", "type", "fieldType", "groupName")
            if not isinstance(body.get(key), str) or not body[key]
        ]
        if missing:
            raise invalid(f"Missing required properties: {', '.join(missing)}")
        name, kind, field_type = body["name"], body["type"], body["fieldType"]
        if not _NAME.fullmatch(name):
            raise invalid(
                f"Property name '{name}' is invalid: use lowercase letters, digits and "
                "underscores, starting with a letter"
            )
        if field_type not in FIELD_TYPES.get(kind, ()):
            raise invalid(f"Invalid type '{kind}' for field type '{field_type}'")
        if body["groupName"] not in GROUPS:
            raise invalid(f"Property group '{body['groupName']}' does not exist")
        options = body.get("options") or []
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) for o in options
        ):
            raise invalid()
        if kind == "bool" and sorted(o["value"] for o in options) != ["false", "true"]:
            raise invalid("Boolean properties must have exactly the options 'true' and 'false'")
        if name in self.properties:
            raise HubSpotError(
                409,
                f"Property named '{name}' already exists.",
                "OBJECT_ALREADY_EXISTS",
                context={"name": [name]},
            )
        prop = PropertyDef(
            name=name,
            label=body["label"],
            type=kind,
            field_type=field_type,
            group_name=body["groupName"],
            description=str(body.get("description") or ""),
            options=options,
            hubspot_defined=False,
            created=self.clock(),
        )
        self.properties[name] = prop
        return 201, property_json(prop, len(self.properties) - 1)
