"""What a tick reads about the setup before anything else, in one statement: the setup
stamp (app/db/setup_stamp.py), and a fingerprint of each outside system's connection rows
(how many, the latest change), so an idle tick learns at once that no call recorder or CRM is
connected anywhere, and that one was just connected, by whatever path and whichever replica."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.db.connection_rows import OutsideConnection
from app.db.crm_tables import CrmConnection
from app.db.recorder_tables import RecorderConnection
from app.db.setup_stamp import STAMP_ID, SetupStamp
from app.db.sql import Queries


@dataclass(frozen=True)
class Connections:
    """One connection table at a glance: how many rows, and the latest change to any."""

    count: int = 0
    changed: datetime | None = None


@dataclass(frozen=True)
class Setup:
    """The stamp (None: its row is missing, so nothing may be assumed unchanged) and the
    recorder's and the CRM's connection rows."""

    version: int | None
    recorders: Connections = Connections()
    crms: Connections = Connections()


def _count(table: type[OutsideConnection]) -> Any:
    return select(func.count()).select_from(table).scalar_subquery()


def _changed(table: type[OutsideConnection]) -> Any:
    return select(func.max(table.updated_at)).scalar_subquery()


class SetupQueries(Queries):
    async def setup(self) -> Setup:
        """The stamp and both connection tables' fingerprints: one statement."""
        version = select(SetupStamp.version).where(SetupStamp.id == STAMP_ID).scalar_subquery()
        row = (
            await self.session.execute(
                select(
                    version,
                    _count(RecorderConnection),
                    _changed(RecorderConnection),
                    _count(CrmConnection),
                    _changed(CrmConnection),
                )
            )
        ).one()
        return Setup(
            None if row[0] is None else int(row[0]),
            Connections(int(row[1] or 0), row[2]),
            Connections(int(row[3] or 0), row[4]),
        )
