"""Reads into the database what the week needs from the CRM, a little each tick.

Per workspace with a CRM, one replica at a time (a lease on its connection row):
- deal owners matched to the roster by email, the pipelines' stages, and whether the two
  write-back fields exist: weekly, or within the hour of someone new;
- the open deals of every matched rep (most recently changed first), hourly, as many owners
  a request as the CRM allows: what Monday's form offers and the agendas show;
- the coached deals (picked from the CRM in a week whose 1:1 was held) and their stage
  history, hourly, until the 7 days after their 1:1 have been read past: deal progression.

The tick's budget is checked before every request. Nothing shown to anyone waits on the
CRM: messages read what is stored here. When the CRM refuses the credentials, the
connection is switched off (until they change) and the admin sees why; when it is down,
slow, or its daily allowance is spent, coach tries again later. Either way the weekly loop
goes on exactly as without a CRM.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.crm.clients import CrmFactory, crm_for
from app.crm.connection import Connection, connection_for, environment_credentials
from app.crm.provider import Crm, CrmBudgetSpent, CrmDeal, CrmError, CrmRefused
from app.crm.salesforce import SalesforceCrm
from app.db.connection_sync import live_connections, sync_each
from app.db.crm_tables import CrmConnection, CrmPerson
from app.db.models import Person
from app.db.store import Store
from app.db.turns import Budget, Stopping
from app.deps import Deps
from app.rules import calendar
from app.rules.connection_health import failed_values, healthy_values
from app.rules.progression import WINDOW
from app.rules.types import Role

log = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")

OWNERS_EVERY = timedelta(days=7)
NEWCOMERS_EVERY = timedelta(hours=1)
DEALS_EVERY = timedelta(hours=1)
HISTORY_EVERY = timedelta(hours=1)
COACHED_WEEKS = 5  # how far back coached deals are followed (a week's window ends in 7 days)
LEASE = timedelta(minutes=3)
BUDGET_S = 20.0


@dataclass
class SyncReport:
    connections: int = 0  # workspaces with a CRM
    requests: int = 0
    deals: int = 0
    problems: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        if not (self.requests or self.problems):
            return ""
        parts = [f"CRM: {self.requests} requests, {self.deals} deals read"]
        parts += [f"{count} {problem}" for problem, count in sorted(self.problems.items())]
        return ", ".join(parts)


async def sync_crms(
    deps: Deps,
    now: datetime,
    owner: str,
    *,
    crm_factory: CrmFactory = crm_for,
    budget_s: float = BUDGET_S,
    stopping: Stopping = lambda: False,
) -> SyncReport:
    """Read what is due from every workspace's CRM, within `budget_s` seconds."""
    report = SyncReport()
    connections = await crm_connections(deps, now)
    report.connections = len(connections)
    budget = Budget(budget_s, stopping)

    async def due_work(row: CrmConnection, connection: Connection) -> _Work | None:
        job = await _Work.read(deps, row, connection, now)
        return job if job.any() else None

    async def work(job: _Work, crm: Crm) -> None:
        await job.run(deps, crm, budget, report)

    async def healthy_now(connection: Connection, crm: Crm) -> None:
        await healthy(deps, connection, crm, now)

    async def failed_now(connection: Connection, exc: Exception) -> None:
        await failed(
            deps, connection, exc if isinstance(exc, CrmError) else CrmError("internal"), now
        )

    await sync_each(
        deps,
        now,
        owner,
        connections,
        CrmConnection,
        lease=LEASE,
        budget=budget,
        tally=report,
        due_work=due_work,
        open_client=lambda connection: crm_factory(deps, connection),
        work=work,
        healthy=healthy_now,
        failed=failed_now,
        errors=CrmError,
        name="CRM",
    )
    return report


async def crm_connections(deps: Deps, now: datetime) -> list[tuple[CrmConnection, Connection]]:
    """Each active workspace's CRM connection, the least recently synced first; a row
    whose credentials now name the other CRM says so."""
    env = environment_credentials(deps.settings)
    found = await live_connections(
        deps,
        now,
        CrmConnection,
        env.kind.value if env is not None else None,
        lambda workspace_id, row: connection_for(deps.settings, workspace_id, row),
    )
    for row, connection in found:
        if row.provider != connection.kind.value:
            async with deps.db.begin() as session:
                await Store(session).update_crm_connection(
                    connection.workspace_id, now, provider=connection.kind.value
                )
    return found


@dataclass
class _Work:
    """What is due for one workspace, read without a lease (most ticks have nothing to do)."""

    row: CrmConnection
    connection: Connection
    now: datetime
    roster: list[Person]
    known: dict[int, CrmPerson]
    coached: dict[str, datetime]  # crm id → the latest 1:1 it was coached in

    @classmethod
    async def read(
        cls, deps: Deps, row: CrmConnection, connection: Connection, now: datetime
    ) -> _Work:
        workspace_id = connection.workspace_id
        async with deps.reads() as session:
            store = Store(session)
            roster = [p for p in await store.people(workspace_id) if p.active]
            known = await store.crm_people(workspace_id)
            coached = await coached_deals(store, roster, now)
            stored = await store.crm_deals(workspace_id, coached)
        pending = {
            crm_id: at
            for crm_id, at in coached.items()
            if history_due(stored[crm_id].history_read_at if crm_id in stored else None, at, now)
        }
        return cls(row, connection, now, roster, known, pending)

    def owners_due(self) -> bool:
        row = self.row
        if row.owners_read_at is None or row.key_fingerprint != self.connection.fingerprint:
            return True
        since = self.now - row.owners_read_at
        newcomers = any(p.id not in self.known for p in self.roster)
        return since >= OWNERS_EVERY or (newcomers and since >= NEWCOMERS_EVERY)

    def deals_due(self) -> bool:
        read = self.row.deals_read_at
        return bool(self.reps()) and (read is None or self.now - read >= DEALS_EVERY)

    def reps(self) -> list[tuple[int, str]]:
        return [
            (p.id, match.crm_user_id)
            for p in self.roster
            if p.role is Role.REP
            and (match := self.known.get(p.id)) is not None
            and match.crm_user_id
        ]

    def any(self) -> bool:
        return self.owners_due() or self.deals_due() or bool(self.coached)

    async def run(self, deps: Deps, crm: Crm, budget: Budget, report: SyncReport) -> None:
        if self.owners_due():
            await self._owners(deps, crm, budget)
        if self.deals_due() and not budget.over():
            await self._open_deals(deps, crm, budget, report)
        if self.coached and not budget.over():
            await self._history(deps, crm, budget, report)

    async def _owners(self, deps: Deps, crm: Crm, budget: Budget) -> None:
        workspace_id = self.connection.workspace_id
        by_email: dict[str, list[int]] = defaultdict(list)
        for person in self.roster:
            if person.email:
                by_email[person.email.strip().lower()].append(person.id)
        owners = await crm.owners()
        budget.requests += 1
        matches: dict[int, str | None] = {p.id: None for p in self.roster}
        for owner in owners:
            if owner.active:
                for person_id in by_email.get(owner.email, []):
                    matches[person_id] = owner.id
        stages = await crm.stages()
        fields = await crm.check_fields()
        async with deps.db.begin() as session:
            store = Store(session)
            await store.save_crm_matches(workspace_id, matches, self.now)
            await store.replace_crm_stages(
                workspace_id,
                [
                    {
                        "pipeline": s.pipeline,
                        "stage_id": s.id,
                        "label": s.label,
                        "position": s.position,
                        "closed": s.closed,
                        "won": s.won,
                    }
                    for s in stages
                ],
            )
            await store.update_crm_connection(
                workspace_id,
                self.now,
                owners_read_at=self.now,
                owners_matched=sum(1 for user in matches.values() if user),
                fields_ok=fields.ready,
                key_fingerprint=self.connection.fingerprint,
            )
            self.known = await store.crm_people(workspace_id)

    async def _open_deals(self, deps: Deps, crm: Crm, budget: Budget, report: SyncReport) -> None:
        workspace_id = self.connection.workspace_id
        reps = self.reps()
        step = max(1, crm.owners_per_request)
        for start in range(0, len(reps), step):
            if budget.over():
                return  # the rest on the next tick: deals_read_at stays as it was
            chunk = dict((user, person) for person, user in reps[start : start + step])
            deals = await crm.open_deals(list(chunk))
            budget.requests += 1
            rows = [
                deal_row(workspace_id, chunk[d.owner_id], d, self.now, open_=True)
                for d in deals
                if d.owner_id in chunk and not d.closed
            ]
            async with deps.db.begin() as session:
                store = Store(session)
                await store.save_crm_deals(rows)
                await store.close_crm_deals_not_in(
                    workspace_id, chunk.values(), [r["crm_id"] for r in rows]
                )
            report.deals += len(rows)
        async with deps.db.begin() as session:
            await Store(session).update_crm_connection(
                workspace_id, self.now, deals_read_at=self.now
            )

    async def _history(self, deps: Deps, crm: Crm, budget: Budget, report: SyncReport) -> None:
        workspace_id = self.connection.workspace_id
        owner_of = {user: person for person, user in self.reps()}
        ids = sorted(self.coached)
        step = max(1, crm.deals_per_request)
        for start in range(0, len(ids), step):
            if budget.over():
                return
            chunk = ids[start : start + step]
            deals = await crm.deals(chunk)
            changes = await crm.stage_history(chunk)
            budget.requests += 2
            rows = [
                deal_row(workspace_id, owner_of.get(d.owner_id), d, self.now, open_=not d.closed)
                for d in deals
            ]
            async with deps.db.begin() as session:
                store = Store(session)
                await store.save_crm_deals(rows)
                await store.save_stage_changes(
                    [
                        {
                            "workspace_id": workspace_id,
                            "crm_id": c.deal_id,
                            "stage_id": c.stage_id,
                            "changed_at": c.at,
                        }
                        for c in changes
                        if c.deal_id in self.coached
                    ]
                )
                await store.mark_crm_history_read(workspace_id, [d.id for d in deals], self.now)
            report.deals += len(rows)


def history_due(read_at: datetime | None, coached_at: datetime, now: datetime) -> bool:
    """A coached deal's history is read hourly until read past its 7-day window."""
    if read_at is not None and read_at >= coached_at + WINDOW:
        return False
    return read_at is None or now - read_at >= HISTORY_EVERY


async def coached_deals(
    store: Store, roster: Sequence[Person], now: datetime
) -> dict[str, datetime]:
    """The CRM deals picked in recent weeks whose 1:1 was held, each with its latest 1:1."""
    reps = [p.id for p in roster if p.role is Role.REP]
    last = calendar.current_cycle(now, UTC_ZONE)
    first = last
    for _ in range(COACHED_WEEKS):
        first = calendar.previous_cycle(first)
    found: dict[str, datetime] = {}
    for submission, one_on_one in await store.coached_weeks(reps, first, last):
        for deal in submission.deals:
            crm_id = deal.get("crm_id") if isinstance(deal, dict) else None
            if isinstance(crm_id, str):
                found[crm_id] = max(found.get(crm_id, one_on_one.created_at), one_on_one.created_at)
    return found


def deal_row(
    workspace_id: int, person_id: int | None, deal: CrmDeal, now: datetime, *, open_: bool
) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "crm_id": deal.id,
        "person_id": person_id,
        "name": deal.name,
        "pipeline": deal.pipeline,
        "stage_id": deal.stage_id,
        "amount": deal.amount,
        "currency": deal.currency,
        "close_date": deal.close_date,
        "open": open_,
        "modified_at": deal.modified_at,
        "url": deal.url,
        "fetched_at": now,
    }


async def healthy(deps: Deps, connection: Connection, crm: Crm, now: datetime) -> None:
    usage = crm.usage if isinstance(crm, SalesforceCrm) else None
    async with deps.db.begin() as session:
        await Store(session).update_crm_connection(
            connection.workspace_id,
            now,
            **healthy_values(connection.fingerprint),
            **({"api_used": usage.used, "api_allocation": usage.allocation} if usage else {}),
        )


async def failed(deps: Deps, connection: Connection, exc: CrmError, now: datetime) -> None:
    refused = isinstance(exc, CrmRefused)
    values = failed_values(
        exc.code,
        now,
        connection.fingerprint,
        refused=refused,
        budget_spent=isinstance(exc, CrmBudgetSpent),
        retry_after_s=exc.retry_after_s,
    )
    async with deps.db.begin() as session:
        await Store(session).update_crm_connection(connection.workspace_id, now, **values)
    log.warning(
        "CRM %s workspace=%s code=%s: %s",
        "refused the credentials" if refused else "unavailable",
        connection.workspace_id,
        exc.code,
        "switched off until an admin changes them" if refused else "trying again later",
    )
