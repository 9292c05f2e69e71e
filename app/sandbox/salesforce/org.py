"""The org's data: users, the sales process's stages, opportunities and their stage history,
set up by tests and read back after a client has written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.clock import Clock
from app.sandbox.salesforce import ids, schema
from app.sandbox.salesforce.schema import Field

Row = dict[str, Any]


class Org:
    clock: Clock
    objects: dict[str, tuple[str, dict[str, Field]]]
    users: dict[str, Row]
    stages: dict[str, Row]  # by ApiName
    opportunities: dict[str, Row]
    deleted: dict[str, Row]
    validation_rules: dict[str, str]  # opportunity id -> the error message its rule shows
    history: list[Row]
    accepted_writes: list[tuple[str, str, Any]]  # (record id, field, value) as accepted
    _ids: ids.IdMaker

    def _init_org(self) -> None:
        self.objects = schema.standard_objects()
        self.users, self.stages, self.opportunities, self.deleted = {}, {}, {}, {}
        self.history, self.accepted_writes = [], []
        self.validation_rules = {}
        self._ids = ids.IdMaker()
        for name, order, closed, won, probability in schema.STAGES:
            self.add_stage(name, order, closed=closed, won=won, probability=probability)

    # --- test set-up ------------------------------------------------------------------
    def add_user(
        self, email: str, name: str = "", *, username: str | None = None, active: bool = True
    ) -> str:
        user_id = self._ids.new(ids.USER)
        self.users[user_id] = {
            "Id": user_id,
            "Username": username or email,
            "Email": email,
            "Name": name or email.split("@")[0],
            "IsActive": active,
        }
        return user_id

    def deactivate_user(self, user_id: str) -> None:
        self.users[user_id]["IsActive"] = False

    def add_opportunity(
        self,
        owner_id: str,
        name: str,
        stage: str,
        amount: float | Decimal | None = None,
        close_date: date | None = None,
        modified_at: datetime | None = None,
    ) -> str:
        if owner_id not in self.users:
            raise KeyError(f"no user {owner_id}; add_user first")
        at = modified_at or self.clock()
        opp_id = self._ids.new(ids.OPPORTUNITY)
        row: Row = {
            "Id": opp_id,
            "Name": name,
            "StageName": stage,
            "Amount": None if amount is None else Decimal(str(amount)),
            "CloseDate": close_date,
            "OwnerId": owner_id,
            "CreatedDate": at,
            "LastModifiedDate": at,
            schema.DRILL.name: None,
            schema.RECORDED.name: False,
        }
        self._set_stage(row, stage)
        self.opportunities[opp_id] = row
        self._record_history(row, at)
        return opp_id

    def move_stage(self, opp_id: str, stage: str, at: datetime) -> None:
        row = self.opportunities[opp_id]
        self._set_stage(row, stage)
        row["LastModifiedDate"] = at
        self._record_history(row, at)

    def delete_opportunity(self, opp_id: str) -> None:
        self.deleted[opp_id] = self.opportunities.pop(opp_id)

    def add_stage(
        self,
        name: str,
        order: int,
        *,
        closed: bool = False,
        won: bool = False,
        probability: int | None = None,
    ) -> None:
        self.stages[name] = {
            "Id": self._ids.new(ids.STAGE),
            "ApiName": name,
            "MasterLabel": name,
            "SortOrder": order,
            "IsActive": True,
            "IsClosed": closed,
            "IsWon": won,
            "DefaultProbability": (100 if won else 10) if probability is None else probability,
        }

    def add_validation_rule(self, opp_id: str, message: str) -> None:
        """A validation rule that every update of this opportunity fails (as an admin's rule
        on, say, a missing Next Step would): FIELD_CUSTOM_VALIDATION_EXCEPTION."""
        self.validation_rules[opp_id] = message

    def drop_field(self, name: str) -> None:
        """The admin deleted the field: queries, describe and updates no longer know it."""
        _, fields = self.objects["opportunity"]
        fields.pop(name.lower(), None)

    # --- read-back --------------------------------------------------------------------
    def opportunity(self, opp_id: str) -> Row:
        return dict(self.opportunities[opp_id])

    def writes_to(self, record_id: str, field: str) -> list[Any]:
        return [v for rid, name, v in self.accepted_writes if rid == record_id and name == field]

    # --- used by the endpoints --------------------------------------------------------
    def rows_of(self, entity: str) -> list[Row]:
        table: dict[str, list[Row]] = {
            "User": list(self.users.values()),
            "OpportunityStage": list(self.stages.values()),
            "Opportunity": list(self.opportunities.values()),
            "OpportunityHistory": self.history,
        }
        return table[entity]

    def _set_stage(self, row: Row, stage: str) -> None:
        known = self.stages.get(stage)
        if known is None:
            raise KeyError(f"no stage {stage!r}")
        row["StageName"] = stage
        row["IsClosed"], row["IsWon"] = known["IsClosed"], known["IsWon"]

    def _record_history(self, row: Row, at: datetime) -> None:
        self.history.append(
            {
                "Id": self._ids.new(ids.HISTORY),
                "OpportunityId": row["Id"],
                "StageName": row["StageName"],
                "Amount": row["Amount"],
                "CloseDate": row["CloseDate"],
                "CreatedDate": at,
            }
        )
