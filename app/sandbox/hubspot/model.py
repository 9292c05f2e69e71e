"""What the stand-in's HubSpot account holds: owners, pipelines and their stages, deal
property definitions, and deals with every property's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Owner:
    id: str
    email: str
    first_name: str
    last_name: str
    user_id: int
    created: datetime
    updated: datetime
    archived: bool = False


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    display_order: int
    probability: str  # "0.2"; HubSpot sends it as a string
    closed: bool


@dataclass
class Pipeline:
    id: str
    label: str
    display_order: int
    stages: list[Stage]
    created: datetime
    archived: bool = False

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


@dataclass
class PropertyDef:
    name: str
    label: str
    type: str  # string, number, bool, enumeration, datetime, date
    field_type: str
    group_name: str = "dealinformation"
    description: str = ""
    options: list[dict[str, Any]] = field(default_factory=list)
    calculated: bool = False
    read_only_value: bool = False
    hubspot_defined: bool = True
    created: datetime | None = None


@dataclass(frozen=True)
class Change:
    """One value a property took, newest first in answers (as HubSpot lists them)."""

    value: str
    at: datetime
    source_type: str  # CRM_UI, INTEGRATION, CALCULATED, ...
    source_id: str | None = None


@dataclass
class Deal:
    id: str
    created: datetime
    properties: dict[str, str | None]
    history: dict[str, list[Change]] = field(default_factory=dict)  # oldest first
    archived: bool = False

    def set(self, name: str, value: str | None, change: Change | None) -> None:
        self.properties[name] = value
        if change is not None:
            self.history.setdefault(name, []).append(change)
