"""Setting up the account (owners, pipelines, properties, deals) and changing deals the way
HubSpot does: every change timestamped, kept in the property's history, and the calculated
properties (hs_is_closed, hs_lastmodifieddate, ...) worked out again.

Ids are numeric strings like HubSpot's, drawn from a fixed seed, so two sandboxes set up the
same way hand out the same ids.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.clock import Clock
from app.sandbox.hubspot.model import Change, Deal, Owner, Pipeline, PropertyDef, Stage
from app.sandbox.hubspot.schema import default_properties, default_stages, iso_ms


class Account:
    clock: Clock
    owners: dict[str, Owner]
    pipelines: dict[str, Pipeline]
    properties: dict[str, PropertyDef]
    deals: dict[str, Deal]
    _writes: dict[tuple[str, str], list[str | None]]
    _ids: random.Random
    _issued: set[str]

    def _init_account(self) -> None:
        self.owners = {}
        self.deals = {}
        self._writes = {}
        self._ids = random.Random("hubspot-sandbox-ids")
        self._issued = set()
        created = self.clock() - timedelta(days=900)
        self.pipelines = {
            "default": Pipeline("default", "Sales Pipeline", 0, default_stages(), created)
        }
        self.properties = {p.name: p for p in default_properties()}

    def _new_id(self, digits: int) -> str:
        while True:
            candidate = str(self._ids.randrange(10 ** (digits - 1), 10**digits))
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    # --- test set-up ------------------------------------------------------------------
    def add_owner(self, email: str, first_name: str = "", last_name: str = "") -> str:
        """Someone who can own deals; returns the owner id."""
        owner_id = self._new_id(9)
        created = (self.clock() - timedelta(days=100 + self._ids.randrange(500))).replace(
            microsecond=0
        )
        self.owners[owner_id] = Owner(
            id=owner_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            user_id=int(self._new_id(8)),
            created=created,
            updated=created,
        )
        return owner_id

    def archive_owner(self, owner_id: str) -> None:
        self.owners[owner_id].archived = True

    def add_pipeline(self, label: str, stages: list[tuple[str, float, bool]]) -> str:
        """A second pipeline; `stages` as (label, probability, closed) in order. Returns its
        id; its stages get numeric ids (see `pipelines[id].stages`), as custom ones do."""
        pipeline_id = self._new_id(9)
        self.pipelines[pipeline_id] = Pipeline(
            pipeline_id,
            label,
            len(self.pipelines),
            [
                Stage(self._new_id(9), stage_label, n, str(probability), closed)
                for n, (stage_label, probability, closed) in enumerate(stages)
            ],
            self.clock(),
        )
        return pipeline_id

    def add_deal(
        self,
        owner_id: str,
        name: str,
        stage: str,
        amount: Decimal | int | str | None = None,
        close_date: date | None = None,
        pipeline: str = "default",
        modified_at: datetime | None = None,
    ) -> str:
        """A deal in `stage` of `pipeline` since it was created; it last changed at
        `modified_at` (default: now). A `close_date` that is a date is that day's UTC
        midnight, as HubSpot keeps it. Returns the deal id."""
        if owner_id not in self.owners:
            raise KeyError(f"no owner {owner_id}; add_owner first")
        if pipeline not in self.pipelines or self.pipelines[pipeline].stage(stage) is None:
            raise KeyError(f"no stage {stage} in pipeline {pipeline}")
        at = modified_at or self.clock()
        if at.tzinfo is None:
            raise ValueError("add_deal needs an aware modified_at")
        deal_id = self._new_id(11)
        created = at - timedelta(days=1 + self._ids.randrange(60), minutes=self._ids.randrange(600))
        deal = Deal(id=deal_id, created=created, properties={})
        values: dict[str, str | None] = {
            "dealname": name,
            "pipeline": pipeline,
            "dealstage": stage,
            "hubspot_owner_id": owner_id,
            "amount": None if amount is None else str(amount),
            "closedate": None if close_date is None else iso_ms(_midnight(close_date)),
            "deal_currency_code": "USD",
            "hs_object_id": deal_id,
            "createdate": iso_ms(created),
        }
        for prop, value in values.items():
            if value is not None:
                deal.set(prop, value, Change(value, created, "CRM_UI"))
        self._calculate(deal, created)
        self.deals[deal_id] = deal
        self._touch(deal, at)
        return deal_id

    def move_stage(self, deal_id: str, stage: str, at: datetime) -> None:
        """Someone moved the deal to `stage` (of its pipeline) at `at`."""
        deal = self.deals[deal_id]
        pipeline = self.pipelines[deal.properties["pipeline"] or "default"]
        if pipeline.stage(stage) is None:
            raise KeyError(f"no stage {stage} in pipeline {pipeline.id}")
        deal.set("dealstage", stage, Change(stage, at, "CRM_UI"))
        self._calculate(deal, at)
        self._touch(deal, at)

    def delete_deal(self, deal_id: str) -> None:
        """Deleted in HubSpot: archived, gone from search and reads."""
        self.deals[deal_id].archived = True

    def drop_property(self, name: str) -> None:
        """Someone deleted the property in HubSpot's settings."""
        del self.properties[name]
        for deal in self.deals.values():
            deal.properties.pop(name, None)

    # --- read-back --------------------------------------------------------------------
    def deal(self, deal_id: str) -> dict[str, Any]:
        """The deal's properties as they are now (strings, or None)."""
        return dict(self.deals[deal_id].properties)

    # --- changing deals ---------------------------------------------------------------
    def _calculate(self, deal: Deal, at: datetime) -> None:
        pipeline = self.pipelines.get(deal.properties.get("pipeline") or "default")
        stage = pipeline.stage(deal.properties.get("dealstage") or "") if pipeline else None
        calculated = {
            "hs_is_closed": "true" if stage is not None and stage.closed else "false",
            "hs_is_closed_won": "true"
            if stage is not None and stage.closed and Decimal(stage.probability) >= 1
            else "false",
            "hs_deal_stage_probability": stage.probability if stage is not None else None,
        }
        for prop, value in calculated.items():
            if deal.properties.get(prop) != value:
                deal.set(prop, value, Change(value, at, "CALCULATED") if value else None)

    def _touch(self, deal: Deal, at: datetime) -> None:
        stamp = iso_ms(at)
        deal.set("hs_lastmodifieddate", stamp, Change(stamp, at, "CALCULATED"))

    def _update(self, deal: Deal, values: dict[str, str], at: datetime, source_id: str) -> None:
        for prop, value in values.items():
            stored: str | None = value if value != "" else None
            deal.set(prop, stored, Change(value, at, "INTEGRATION", source_id))
            self._writes.setdefault((deal.id, prop), []).append(stored)
        if "dealstage" in values or "pipeline" in values:
            self._calculate(deal, at)
        self._touch(deal, at)


def _midnight(day: date) -> datetime:
    if isinstance(day, datetime):
        return day
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
