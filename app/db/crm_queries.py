"""Queries about the CRM: its connection per workspace, who is who there, stages, deals and
the stage history of coached deals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from app.db.connection_rows import ConnectionRows
from app.db.crm_tables import CrmConnection, CrmDealRow, CrmPerson, CrmStageChange, CrmStageRow
from app.db.models import OneOnOne, Submission
from app.db.sql import Queries, insert_ignoring_conflicts, upsert_many
from app.rules.types import ConnectionStatus

ROWS_PER_STATEMENT = 500  # ≤ 16 values each: well under PostgreSQL's 32,767 parameters


class CrmQueries(Queries):
    # --- the connection ---------------------------------------------------------------
    @property
    def crm_rows(self) -> ConnectionRows[CrmConnection]:
        return ConnectionRows(self.session, CrmConnection)

    async def crm_connection(self, workspace_id: int) -> CrmConnection | None:
        return await self.crm_rows.get(workspace_id)

    async def crm_connections(self) -> list[CrmConnection]:
        return await self.crm_rows.all()

    async def ensure_crm_connection(
        self, workspace_id: int, provider: str, now: datetime
    ) -> CrmConnection:
        return await self.crm_rows.ensure(workspace_id, provider, now)

    async def update_crm_connection(self, workspace_id: int, now: datetime, **values: Any) -> None:
        await self.crm_rows.update(workspace_id, now, **values)

    async def claim_crm_sync(
        self, workspace_id: int, owner: str, until: datetime, now: datetime
    ) -> bool:
        """Take the workspace's sync for `owner` until `until` (one replica at a time)."""
        return await self.crm_rows.claim(workspace_id, owner, until, now)

    async def release_crm_sync(self, workspace_id: int, owner: str) -> None:
        await self.crm_rows.release(workspace_id, owner)

    async def crm_workspace_ids(self, workspace_ids: Iterable[int]) -> set[int]:
        """Which of these workspaces have a CRM connected (not disconnected)."""
        wanted = list(set(workspace_ids))
        if not wanted:
            return set()
        query = select(CrmConnection.workspace_id).where(
            CrmConnection.workspace_id.in_(wanted),
            CrmConnection.status != ConnectionStatus.DISCONNECTED,
        )
        return set((await self.session.scalars(query)).all())

    # --- people -----------------------------------------------------------------------
    async def crm_people(
        self, workspace_id: int, person_ids: Iterable[int] | None = None
    ) -> dict[int, CrmPerson]:
        query = select(CrmPerson).where(CrmPerson.workspace_id == workspace_id)
        if person_ids is not None:
            wanted = list(set(person_ids))
            if not wanted:
                return {}
            query = query.where(CrmPerson.person_id.in_(wanted))
        return {row.person_id: row for row in (await self.session.scalars(query)).all()}

    async def save_crm_matches(
        self, workspace_id: int, matches: Mapping[int, str | None], now: datetime
    ) -> None:
        """Who each person is in the CRM (None: no deal owner has their email)."""
        rows = [
            {
                "person_id": person_id,
                "workspace_id": workspace_id,
                "crm_user_id": user_id,
                "matched_at": now,
            }
            for person_id, user_id in matches.items()
        ]
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            await self.session.execute(upsert_many(self.session, CrmPerson, ["person_id"], chunk))

    # --- stages -----------------------------------------------------------------------
    async def replace_crm_stages(self, workspace_id: int, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(
            delete(CrmStageRow).where(CrmStageRow.workspace_id == workspace_id)
        )
        unique = list({(r["pipeline"], r["stage_id"]): r for r in rows}.values())
        if unique:
            await self.session.execute(
                insert_ignoring_conflicts(
                    self.session, CrmStageRow, [r | {"workspace_id": workspace_id} for r in unique]
                )
            )

    async def crm_stages(self, workspace_id: int) -> list[CrmStageRow]:
        query = select(CrmStageRow).where(CrmStageRow.workspace_id == workspace_id)
        return list((await self.session.scalars(query)).all())

    # --- deals ------------------------------------------------------------------------
    async def save_crm_deals(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store deals as the CRM said (a deal read again replaces what was stored)."""
        unique = list({(r["workspace_id"], r["crm_id"]): r for r in rows}.values())
        for start in range(0, len(unique), ROWS_PER_STATEMENT):
            chunk = unique[start : start + ROWS_PER_STATEMENT]
            key = ["workspace_id", "crm_id"]
            await self.session.execute(upsert_many(self.session, CrmDealRow, key, chunk))

    async def close_crm_deals_not_in(
        self, workspace_id: int, person_ids: Iterable[int], open_ids: Iterable[str]
    ) -> None:
        """These owners' deals that were not among their open deals just read are no longer
        open (closed, deleted or given to someone else)."""
        owners = list(set(person_ids))
        if not owners:
            return
        query = update(CrmDealRow).where(
            CrmDealRow.workspace_id == workspace_id,
            CrmDealRow.person_id.in_(owners),
            CrmDealRow.open.is_(True),
        )
        keep = list(set(open_ids))
        if keep:
            query = query.where(CrmDealRow.crm_id.not_in(keep))
        await self.session.execute(query.values(open=False))

    async def open_crm_deals(self, person_ids: Iterable[int]) -> dict[int, list[CrmDealRow]]:
        """Each person's open deals, most recently changed first."""
        ids = list(set(person_ids))
        if not ids:
            return {}
        query = (
            select(CrmDealRow)
            .where(CrmDealRow.person_id.in_(ids), CrmDealRow.open.is_(True))
            .order_by(CrmDealRow.modified_at.desc(), CrmDealRow.id.desc())
        )
        found: dict[int, list[CrmDealRow]] = {}
        for row in (await self.session.scalars(query)).all():
            found.setdefault(row.person_id or 0, []).append(row)
        return found

    async def crm_deals(self, workspace_id: int, crm_ids: Iterable[str]) -> dict[str, CrmDealRow]:
        ids = list(set(crm_ids))
        if not ids:
            return {}
        query = select(CrmDealRow).where(
            CrmDealRow.workspace_id == workspace_id, CrmDealRow.crm_id.in_(ids)
        )
        return {row.crm_id: row for row in (await self.session.scalars(query)).all()}

    async def mark_crm_history_read(
        self, workspace_id: int, crm_ids: Iterable[str], at: datetime
    ) -> None:
        ids = list(set(crm_ids))
        if ids:
            await self.session.execute(
                update(CrmDealRow)
                .where(CrmDealRow.workspace_id == workspace_id, CrmDealRow.crm_id.in_(ids))
                .values(history_read_at=at)
            )

    async def save_stage_changes(self, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = list(rows[start : start + ROWS_PER_STATEMENT])
            await self.session.execute(
                insert_ignoring_conflicts(self.session, CrmStageChange, chunk)
            )

    async def stage_changes(
        self, workspace_id: int, crm_ids: Iterable[str]
    ) -> dict[str, list[CrmStageChange]]:
        """Each deal's stage history, oldest first."""
        ids = list(set(crm_ids))
        if not ids:
            return {}
        query = (
            select(CrmStageChange)
            .where(CrmStageChange.workspace_id == workspace_id, CrmStageChange.crm_id.in_(ids))
            .order_by(CrmStageChange.changed_at, CrmStageChange.id)
        )
        found: dict[str, list[CrmStageChange]] = {}
        for row in (await self.session.scalars(query)).all():
            found.setdefault(row.crm_id, []).append(row)
        return found

    async def forget_crm(self, workspace_id: int) -> None:
        """Drop every match, stage, deal and history of a workspace (its CRM disconnected)."""
        for table in (CrmStageChange, CrmDealRow, CrmStageRow, CrmPerson):
            await self.session.execute(delete(table).where(table.workspace_id == workspace_id))

    # --- the coached deals ------------------------------------------------------------
    async def coached_weeks(
        self, person_ids: Iterable[int], first: str, last: str
    ) -> list[tuple[Submission, OneOnOne]]:
        """Each week in [first, last] whose 1:1 was held, with the rep's deals of that week."""
        ids = list(set(person_ids))
        if not ids:
            return []
        query = (
            select(Submission, OneOnOne)
            .join(
                OneOnOne,
                (OneOnOne.person_id == Submission.person_id)
                & (OneOnOne.cycle_week == Submission.cycle_week),
            )
            .where(
                Submission.person_id.in_(ids),
                Submission.cycle_week >= first,
                Submission.cycle_week <= last,
                OneOnOne.held.is_(True),
            )
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]
