"""What coach asks of a CRM, whichever one it is: owners, stages, open deals, the stage
history of some deals, and the two drill fields written back on deal records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class CrmOwner:
    """Someone who can own deals (a Salesforce user, a HubSpot owner)."""

    id: str
    email: str
    active: bool


@dataclass(frozen=True)
class CrmStage:
    """A deal stage and its place in its pipeline (Salesforce has one pipeline: "")."""

    pipeline: str
    id: str
    label: str
    position: int
    closed: bool
    won: bool


@dataclass(frozen=True)
class CrmDeal:
    id: str
    name: str
    owner_id: str
    pipeline: str
    stage_id: str
    amount: Decimal | None
    currency: str | None
    close_date: date | None
    closed: bool
    modified_at: datetime
    url: str


@dataclass(frozen=True)
class StageChange:
    deal_id: str
    stage_id: str
    at: datetime


@dataclass(frozen=True)
class DrillFields:
    """The two write-back fields' API names on a deal record."""

    drill: str  # "Coaching Drill This Week": the drill's name, or empty
    recorded: str  # "Drill Recorded": a checkbox


@dataclass(frozen=True)
class FieldWrite:
    """What one deal record should say: the week's drill (None: leave it as it is) and
    whether it was recorded."""

    deal_id: str
    drill: str | None
    recorded: bool


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]  # deal ids the CRM accepted
    gone: tuple[str, ...]  # deal ids the CRM no longer has (deleted, merged)
    # (deal id, the CRM's words) of records it refused alone (a validation rule, a field
    # that record can't take): the other records of the request were written
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FieldCheck:
    drill: bool  # the drill field exists (and can be written)
    recorded: bool

    @property
    def ready(self) -> bool:
        return self.drill and self.recorded


class CrmError(Exception):
    """The CRM did not answer usefully; `code` says why in a few words (no secrets)."""

    def __init__(self, code: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after_s = retry_after_s  # when the CRM said how long to wait


class CrmRefused(CrmError):
    """The CRM refused the credentials (revoked, expired for good, wrong, or a scope short)."""


class CrmUnavailable(CrmError):
    """Down, slow, rate-limited for long, or answering in a shape coach cannot read."""


class CrmBudgetSpent(CrmError):
    """coach's share of the CRM's daily API requests is used up."""


class CrmFieldRefused(CrmError):
    """The CRM refused a write-back field (missing, misnamed, not writable): `reason` is
    the CRM's own words, for the admin."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code)
        self.reason = reason


class Crm(Protocol):
    name: str  # how people know it: "Salesforce"

    async def owners(self) -> list[CrmOwner]:
        """Everyone who can own deals, every page."""
        ...

    async def stages(self) -> list[CrmStage]: ...

    async def open_deals(self, owner_ids: Sequence[str]) -> list[CrmDeal]:
        """The open deals these owners (at most `owners_per_request`) own, most recently
        changed first, every page."""
        ...

    async def deals(self, deal_ids: Sequence[str]) -> list[CrmDeal]:
        """These deals as they are now, open or closed (missing ones left out)."""
        ...

    async def stage_history(self, deal_ids: Sequence[str]) -> list[StageChange]:
        """Every stage each of these deals has been in, and when it moved there."""
        ...

    async def write(self, writes: Sequence[FieldWrite]) -> WriteResult:
        """Set the drill fields on these records; CrmFieldRefused when a field is refused."""
        ...

    async def check_fields(self) -> FieldCheck: ...

    async def close(self) -> None: ...

    @property
    def requests_made(self) -> int: ...

    @property
    def owners_per_request(self) -> int: ...

    @property
    def deals_per_request(self) -> int: ...
