"""The CRM's part of a tick, beside the week and never in front of it: deals and stage
history read in (app/crm/sync.py), then the drill's write-backs sent (app/crm/writeback.py),
within a budget of their own. A failure here is the CRM's story, never the week's.

With no CRM anywhere the check costs one statement every few minutes, not every tick."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.clock import system_clock
from app.crm.clients import CrmFactory, crm_for
from app.crm.sync import SyncReport, sync_crms
from app.crm.writeback import WriteReport, write_due
from app.db.turns import Stopping
from app.deps import Deps

log = logging.getLogger(__name__)

BUDGET_S = 20.0  # for reading, and as much again for writing
GRACE_S = 30.0  # a safety net: both check their budget before every request
LOOK_AGAIN = timedelta(minutes=5)  # for a newly connected CRM, when none is


@dataclass
class CrmReport:
    sync: SyncReport = field(default_factory=SyncReport)
    writes: WriteReport = field(default_factory=WriteReport)

    def describe(self) -> str:
        return ", ".join(part for part in (self.sync.describe(), self.writes.describe()) if part)


class CrmTick:
    def __init__(self, deps: Deps, owner: str, stopping: Stopping) -> None:
        self.deps = deps
        self.owner = owner
        self.stopping = stopping
        self.budget_s = BUDGET_S
        self.crm_factory: CrmFactory = crm_for  # tests give a quicker timeout
        self._none_until: datetime | None = None

    def look_again(self) -> None:
        """Someone connected a CRM: look at once, not in a few minutes."""
        self._none_until = None

    async def run(self, now: datetime) -> CrmReport:
        if self._none_until is not None and system_clock() < self._none_until:
            return CrmReport()
        report = CrmReport()
        try:
            report.sync = await asyncio.wait_for(
                sync_crms(
                    self.deps,
                    now,
                    self.owner,
                    crm_factory=self.crm_factory,
                    budget_s=self.budget_s,
                    stopping=self.stopping,
                ),
                self.budget_s + GRACE_S,
            )
            if report.sync.connections:
                report.writes = await asyncio.wait_for(
                    write_due(
                        self.deps,
                        now,
                        self.owner,
                        crm_factory=self.crm_factory,
                        budget_s=self.budget_s,
                        stopping=self.stopping,
                    ),
                    self.budget_s + GRACE_S,
                )
        except TimeoutError:
            log.warning("CRM work cut after %ss; it goes on next tick", self.budget_s)
        except Exception:
            log.exception("CRM work failed unexpectedly; the tick goes on")
        self._none_until = system_clock() + LOOK_AGAIN if not report.sync.connections else None
        return report
