"""Queries about the call recorder: its connection per workspace, who is who there, calls."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from app.db.connection_rows import ConnectionRows
from app.db.recorder_tables import RecordedCall, RecorderConnection, RecorderPerson
from app.db.sql import Queries, rowcount, upsert_many

MATCHES_PER_STATEMENT = 1000  # 5 values each: well under PostgreSQL's 32,767 parameters


class RecorderQueries(Queries):
    # --- the connection ---------------------------------------------------------------
    @property
    def recorder_rows(self) -> ConnectionRows[RecorderConnection]:
        return ConnectionRows(self.session, RecorderConnection)

    async def recorder_connection(self, workspace_id: int) -> RecorderConnection | None:
        return await self.recorder_rows.get(workspace_id)

    async def recorder_connections(self) -> list[RecorderConnection]:
        return await self.recorder_rows.all()

    async def ensure_recorder_connection(
        self, workspace_id: int, provider: str, now: datetime
    ) -> RecorderConnection:
        return await self.recorder_rows.ensure(workspace_id, provider, now)

    async def update_recorder_connection(
        self, workspace_id: int, now: datetime, **values: Any
    ) -> None:
        await self.recorder_rows.update(workspace_id, now, **values)

    async def claim_recorder_sync(
        self, workspace_id: int, owner: str, until: datetime, now: datetime
    ) -> bool:
        """Take the workspace's sync for `owner` until `until` (one replica at a time)."""
        return await self.recorder_rows.claim(workspace_id, owner, until, now)

    async def release_recorder_sync(self, workspace_id: int, owner: str) -> None:
        await self.recorder_rows.release(workspace_id, owner)

    # --- people -----------------------------------------------------------------------
    async def recorder_people(
        self, workspace_id: int, person_ids: Iterable[int] | None = None
    ) -> dict[int, RecorderPerson]:
        """Who the recorder knows in a workspace (only these people, when given)."""
        query = select(RecorderPerson).where(RecorderPerson.workspace_id == workspace_id)
        if person_ids is not None:
            wanted = list(set(person_ids))
            if not wanted:
                return {}
            query = query.where(RecorderPerson.person_id.in_(wanted))
        return {row.person_id: row for row in (await self.session.scalars(query)).all()}

    async def save_recorder_matches(
        self, workspace_id: int, matches: Mapping[int, str | None], now: datetime
    ) -> None:
        """Who each person is in the recorder (None: nobody there has their email). A person
        matched to someone else than before loses the calls read as the other user, and has
        their calls read again from the start."""
        if not matches:
            return
        known = await self.recorder_people(workspace_id, matches)
        moved = [
            pid
            for pid, user_id in matches.items()
            if pid in known and known[pid].recorder_user_id not in (None, user_id)
        ]
        for start in range(0, len(moved), MATCHES_PER_STATEMENT):
            await self.session.execute(
                delete(RecordedCall).where(
                    RecordedCall.person_id.in_(moved[start : start + MATCHES_PER_STATEMENT])
                )
            )
        rows = [
            {
                "person_id": person_id,
                "workspace_id": workspace_id,
                "recorder_user_id": user_id,
                "matched_at": now,
                "calls_read_through": (
                    known[person_id].calls_read_through
                    if person_id in known and known[person_id].recorder_user_id == user_id
                    else None
                ),
            }
            for person_id, user_id in matches.items()
        ]
        for start in range(0, len(rows), MATCHES_PER_STATEMENT):
            chunk = rows[start : start + MATCHES_PER_STATEMENT]
            await self.session.execute(
                upsert_many(self.session, RecorderPerson, ["person_id"], chunk)
            )

    async def mark_calls_read(self, person_ids: Iterable[int], through: datetime) -> None:
        ids = list(set(person_ids))
        if ids:
            await self.session.execute(
                update(RecorderPerson)
                .where(RecorderPerson.person_id.in_(ids))
                .values(calls_read_through=through)
            )

    # --- calls ------------------------------------------------------------------------
    async def save_calls(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store calls; a call read again (its week read again after a new match) replaces
        what was stored. Each call once per statement, as PostgreSQL requires."""
        unique = list({(r["workspace_id"], r["provider_call_id"]): r for r in rows}.values())
        if not unique:
            return
        key = ["workspace_id", "provider_call_id"]
        await self.session.execute(upsert_many(self.session, RecordedCall, key, unique))

    async def recorded_calls(
        self, person_ids: Iterable[int], start: datetime, end: datetime
    ) -> list[RecordedCall]:
        """The calls of these people that started in [start, end), newest first."""
        ids = list(set(person_ids))
        if not ids:
            return []
        query = (
            select(RecordedCall)
            .where(
                RecordedCall.person_id.in_(ids),
                RecordedCall.started_at >= start,
                RecordedCall.started_at < end,
            )
            .order_by(RecordedCall.started_at.desc(), RecordedCall.id.desc())
        )
        return list((await self.session.scalars(query)).all())

    async def recorded_call(self, call_id: int, person_id: int) -> RecordedCall | None:
        """One of this person's calls (None when the id is not theirs)."""
        return await self.session.scalar(
            select(RecordedCall).where(
                RecordedCall.id == call_id, RecordedCall.person_id == person_id
            )
        )

    async def forget_recorded_calls(self, workspace_id: int) -> int:
        """Drop every call and match of a workspace (its recorder was disconnected)."""
        result = await self.session.execute(
            delete(RecordedCall).where(RecordedCall.workspace_id == workspace_id)
        )
        await self.session.execute(
            delete(RecorderPerson).where(RecorderPerson.workspace_id == workspace_id)
        )
        return rowcount(result)
