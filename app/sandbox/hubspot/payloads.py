"""The JSON HubSpot answers with: owners, pipelines, deals (properties as strings, history
newest first) and property definitions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.sandbox.hubspot.model import Deal, Owner, Pipeline, PropertyDef
from app.sandbox.hubspot.schema import ALWAYS_RETURNED, DEFAULT_RETURNED, iso_ms


def owner_json(owner: Owner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "email": owner.email,
        "type": "PERSON",
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": owner.user_id,
        "userIdIncludingInactive": owner.user_id,
        "createdAt": iso_ms(owner.created),
        "updatedAt": iso_ms(owner.updated),
        "archived": owner.archived,
    }


def pipeline_json(pipeline: Pipeline) -> dict[str, Any]:
    stamp = iso_ms(pipeline.created)
    return {
        "id": pipeline.id,
        "label": pipeline.label,
        "displayOrder": pipeline.display_order,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": pipeline.archived,
        "stages": [
            {
                "id": stage.id,
                "label": stage.label,
                "displayOrder": stage.display_order,
                "metadata": {
                    "isClosed": "true" if stage.closed else "false",
                    "probability": stage.probability,
                },
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for stage in pipeline.stages
        ],
    }


def deal_json(
    deal: Deal,
    asked: Iterable[str] | None,
    known: Iterable[str],
    with_history: Iterable[str] = (),
) -> dict[str, Any]:
    """Asked properties the account has (null when unset) and the three HubSpot always
    returns; properties it does not have are left out, as HubSpot does."""
    names = set(known)
    wanted = [*(DEFAULT_RETURNED if asked is None else asked), *ALWAYS_RETURNED]
    properties = {name: deal.properties.get(name) for name in wanted if name in names}
    answer: dict[str, Any] = {
        "id": deal.id,
        "properties": properties,
        "createdAt": iso_ms(deal.created),
        "updatedAt": deal.properties.get("hs_lastmodifieddate"),
        "archived": deal.archived,
    }
    history = [name for name in with_history if name in names]
    if history:
        answer["propertiesWithHistory"] = {
            name: [
                {
                    "value": change.value,
                    "timestamp": iso_ms(change.at),
                    "sourceType": change.source_type,
                    **({"sourceId": change.source_id} if change.source_id else {}),
                }
                for change in reversed(deal.history.get(name, []))
            ]
            for name in history
        }
    return answer


def property_json(prop: PropertyDef, order: int) -> dict[str, Any]:
    stamp = iso_ms(prop.created) if prop.created else None
    return {
        "updatedAt": stamp,
        "createdAt": stamp,
        "name": prop.name,
        "label": prop.label,
        "type": prop.type,
        "fieldType": prop.field_type,
        "description": prop.description,
        "groupName": prop.group_name,
        "options": prop.options,
        "displayOrder": order,
        "calculated": prop.calculated,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": prop.hubspot_defined,
        "modificationMetadata": {
            "archivable": not prop.hubspot_defined,
            "readOnlyDefinition": prop.hubspot_defined,
            "readOnlyValue": prop.read_only_value,
        },
        "formField": not prop.calculated,
        "dataSensitivity": "non_sensitive",
    }
