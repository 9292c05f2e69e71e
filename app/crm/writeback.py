"""Sending the drill's write-backs that the ledger has due, to each workspace's CRM.

A claimed row of a rep's week writes, on every deal the rep picked from the CRM that week,
what the record should say now: CRM_DRILL_SET the drill's name and whether a recording is in,
CRM_DRILL_RECORDED only the latter (so each field is written once per change). The drill
set for a week also resets the previous week's coached deals that are not coached again
("" and unchecked). A row of a week older than the rep's
latest drill is superseded: the newer week's row says what the records should show.

A claim takes up to CLAIM_BATCH rows; each workspace's rows go out together, one write per
record (`merged`), in as few requests as the CRM takes (HubSpot 100 deals, Salesforce 200
records a request), and each row is marked on its own. The ledger makes it exactly once:
one replica holds a row at a time, and a write finished after its lease was lost cannot
mark it. A 429, REQUEST_LIMIT_EXCEEDED, a 5xx or an outage
puts the rows back for later (Retry-After when the CRM said); a refused field fails them
with the CRM's own words, for the admin, and a record the CRM refuses alone (a validation
rule) fails only its rep's row. Nothing here ever blocks a Slack answer: listeners
only plan rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.crm.clients import CrmFactory, crm_for
from app.crm.connection import Connection, connection_for
from app.crm.provider import Crm, CrmError, CrmFieldRefused, CrmRefused, FieldWrite
from app.crm.sync import failed
from app.db.connection_sync import callable_now
from app.db.ledger import Claimed, Ledger
from app.db.models import DrillReport, OneOnOne, Submission
from app.db.store import Store
from app.db.turns import Budget, Stopping
from app.deps import Deps
from app.rules import calendar
from app.rules.drills import Drill
from app.rules.practice import practice
from app.rules.types import CRM_WRITES, ConnectionStatus, Step
from app.services.crm_writes import crm_ids

log = logging.getLogger(__name__)

CLAIM_BATCH = 100  # rows a claim takes: one request for them all, as the CRM allows
LEASE = timedelta(minutes=2)
RETRY_AFTER_FAILURE = timedelta(minutes=10)
RETRY_AFTER_REFUSAL = timedelta(hours=1)
BUDGET_S = 20.0
LATER = "9999-W99"


@dataclass
class WriteReport:
    outcomes: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        if not self.outcomes:
            return ""
        parts = [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        return "CRM write-backs: " + ", ".join(parts)


Rows = list[tuple[Claimed, list[FieldWrite]]]  # claimed rows and what each writes


@dataclass(frozen=True)
class Superseded:
    reason: str


async def compose(store: Store, claim: Claimed) -> list[FieldWrite] | Superseded:
    """What each record touched by this row should say now."""
    rep_id, cycle = claim.person_id, claim.cycle_week
    notes = await store.weeks_of(OneOnOne, [rep_id], cycle, LATER)
    newer = [n for n in notes if n.cycle_week > cycle and n.held and n.drill]
    if newer:
        return Superseded("superseded")  # a later week's drill is what the records show
    this_week = next((n for n in notes if n.cycle_week == cycle), None)
    previous = calendar.previous_cycle(cycle)
    submissions = {
        s.cycle_week: s for s in await store.weeks_of(Submission, [rep_id], previous, cycle)
    }
    coached = crm_ids(submissions[cycle].deals) if cycle in submissions else []
    drill = (
        Drill.from_json(this_week.drill).name
        if this_week is not None and this_week.held and this_week.drill
        else ""
    )
    recordings = len(await store.weeks_of(DrillReport, [rep_id], cycle, cycle))
    committed = this_week.practice_reps if this_week is not None else None
    recorded = bool(drill) and practice(recordings, committed).met  # as many as committed
    # The recording changes only the checkbox; setting the drill writes both fields.
    named = drill if claim.kind is Step.CRM_DRILL_SET else None
    writes = [FieldWrite(crm_id, named, recorded) for crm_id in coached]
    if claim.kind is Step.CRM_DRILL_SET and previous in submissions:
        writes += [
            FieldWrite(crm_id, "", False)
            for crm_id in crm_ids(submissions[previous].deals)
            if crm_id not in coached
        ]
    return writes


def merged(writes: list[FieldWrite]) -> list[FieldWrite]:
    """One write per record, in first-seen order: rows of one batch may touch the same record
    (a rep's drill set and its recording; last week's reset and this week's coaching). A
    drill named wins over none, a drill over a reset; checked wins (all were composed from
    the same stored state)."""
    by_deal: dict[str, FieldWrite] = {}
    for write in writes:
        known = by_deal.get(write.deal_id)
        if known is None:
            by_deal[write.deal_id] = write
            continue
        drill = known.drill
        if drill is None or (write.drill and not drill):
            drill = write.drill
        by_deal[write.deal_id] = FieldWrite(write.deal_id, drill, known.recorded or write.recorded)
    return list(by_deal.values())


async def write_due(
    deps: Deps,
    now: datetime,
    owner: str,
    *,
    crm_factory: CrmFactory = crm_for,
    budget_s: float = BUDGET_S,
    stopping: Stopping = lambda: False,
) -> WriteReport:
    """Write back everything due, a batch of rows per workspace in as few requests as the
    CRM allows, within `budget_s` seconds."""
    report = WriteReport()
    budget = Budget(budget_s, stopping)
    crms: dict[int, Crm | None] = {}
    try:
        while not budget.over():
            async with deps.db.begin() as session:
                claims = await Ledger(session, lease=LEASE).claim(
                    now, owner, CLAIM_BATCH, kinds=CRM_WRITES
                )
            if not claims.rows:
                break
            by_workspace: dict[int, list[Claimed]] = {}
            for claim in claims.rows:
                by_workspace.setdefault(claim.workspace_id, []).append(claim)
            for workspace_id, group in by_workspace.items():
                outcomes = await _write_group(deps, workspace_id, group, now, crms, crm_factory)
                budget.requests += 1
                report.outcomes.update(outcomes)
    finally:
        for crm in crms.values():
            if crm is not None:
                await crm.close()
    return report


async def _crm_of(
    deps: Deps, workspace_id: int, now: datetime, crms: dict[int, Crm | None], factory: CrmFactory
) -> tuple[Crm | None, Connection | None, str | None]:
    """The workspace's CRM client, or why none may be called now."""
    async with deps.reads() as session:
        row = await Store(session).crm_connection(workspace_id)
    connection = connection_for(deps.settings, workspace_id, row)
    if connection is None or row is None:
        return None, None, "crm_disconnected"
    if not callable_now(row, connection, now):  # the sync's own rule: refused, or waiting
        refused = row.status == ConnectionStatus.REFUSED
        return None, connection, "crm_refused" if refused else f"crm_{row.problem or 'failing'}"
    if workspace_id not in crms:
        crms[workspace_id] = factory(deps, connection)
    return crms[workspace_id], connection, None


async def _composed(
    deps: Deps, group: list[Claimed]
) -> tuple[list[tuple[Claimed, list[FieldWrite]]], int]:
    """Each row's writes; rows with nothing to write (superseded, no CRM deal) cancelled.
    Returns the rows to write and how many were cancelled."""
    found: Rows = []
    cancelled = 0
    for claim in group:
        async with deps.reads() as session:
            wanted = await compose(Store(session), claim)
        if isinstance(wanted, Superseded) or not wanted:
            async with deps.db.begin() as session:
                await Ledger(session).cancelled(
                    claim, wanted.reason if isinstance(wanted, Superseded) else "no_crm_deals"
                )
            cancelled += 1
        else:
            found.append((claim, wanted))
    return found, cancelled


async def _write_group(
    deps: Deps,
    workspace_id: int,
    group: list[Claimed],
    now: datetime,
    crms: dict[int, Crm | None],
    factory: CrmFactory,
) -> Counter[str]:
    """One workspace's claimed rows, written together; what became of each."""
    outcomes: Counter[str] = Counter()
    rows, cancelled = await _composed(deps, group)
    if cancelled:
        outcomes["cancelled"] = cancelled
    if not rows:
        return outcomes
    crm, connection, held_back = await _crm_of(deps, workspace_id, now, crms, factory)
    if crm is None or connection is None:
        wait = RETRY_AFTER_REFUSAL if held_back != "crm_disconnected" else RETRY_AFTER_FAILURE
        await _later(deps, rows, now + wait, held_back or "crm_unavailable")
        outcomes["waiting"] += len(rows)
        return outcomes
    try:
        result = await crm.write(merged([w for _, writes in rows for w in writes]))
    except CrmFieldRefused as exc:  # the field itself: every row of the request fails
        async with deps.db.begin() as session:
            for claim, _ in rows:
                await Ledger(session).failed(claim, exc.reason[:500])
        log.warning(
            "CRM refused a write-back field workspace=%s rows=%s code=%s",
            workspace_id,
            len(rows),
            exc.code,
        )
        outcomes["failed"] += len(rows)
        return outcomes
    except CrmError as exc:
        crms[workspace_id] = None  # no more calls to it this tick
        await failed(deps, connection, exc, now)
        wait = timedelta(seconds=exc.retry_after_s) if exc.retry_after_s else RETRY_AFTER_FAILURE
        if isinstance(exc, CrmRefused):
            wait = RETRY_AFTER_REFUSAL
        await _later(deps, rows, now + wait, f"crm_{exc.code}"[:64])
        outcomes["retry"] += len(rows)
        return outcomes
    refused = dict(result.refused)
    written, gone = set(result.written), set(result.gone)
    for claim, writes in rows:
        reasons = [refused[w.deal_id] for w in writes if w.deal_id in refused]
        async with deps.db.begin() as session:
            ledger = Ledger(session)
            if reasons:  # that record alone: its rep's row shows the CRM's words
                await ledger.failed(claim, reasons[0][:500])
                outcomes["failed"] += 1
                continue
            ids = {w.deal_id for w in writes}
            done = await ledger.written(claim, now, len(ids & written), len(ids & gone))
        if not done:
            log.warning("CRM write-back lease lost delivery=%s: written, not marked", claim.id)
        outcomes["written" if done else "lost_lease"] += 1
    return outcomes


async def _later(deps: Deps, rows: Rows, when: datetime, why: str) -> None:
    async with deps.db.begin() as session:
        ledger = Ledger(session)
        for claim, _ in rows:
            await ledger.retry_later(claim, when, why)
