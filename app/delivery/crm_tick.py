"""The CRM's part of a tick, beside the week and never in front of it: deals and stage
history read in (app/crm/sync.py), then the drill's write-backs sent (app/crm/writeback.py),
within a budget of their own. A failure here is the CRM's story, never the week's.

With no CRM anywhere the step costs nothing: the tick's setup read (app/db/setup_queries.py)
says there is no connection row, and one added by any path is seen on the next tick."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from app.clock import system_clock
from app.crm.clients import CrmFactory, crm_for
from app.crm.connection import environment_credentials
from app.crm.sync import SyncReport, sync_crms
from app.crm.writeback import WriteReport, write_due
from app.db.setup_queries import Connections
from app.db.turns import Stopping
from app.delivery.connection_watch import ConnectionWatch
from app.deps import Deps

log = logging.getLogger(__name__)

BUDGET_S = 20.0  # for reading, and as much again for writing
GRACE_S = 30.0  # a safety net: both check their budget before every request


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
        self.watch = ConnectionWatch()

    def look_again(self) -> None:
        """Someone connected a CRM: look at once, not in a few minutes."""
        self.watch.wake()

    async def run(self, now: datetime, rows: Connections | None = None) -> CrmReport:
        """Read and write what is due, `rows` being what the tick read of the connection
        table (None: not read; then look as the hold-off allows)."""
        from_environment = environment_credentials(self.deps.settings) is not None
        if not self.watch.due(rows, from_environment, system_clock()):
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
        self.watch.looked(report.sync.connections, system_clock())
        return report
