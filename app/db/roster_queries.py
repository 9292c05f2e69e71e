"""Bulk statements for a roster import: people read, added and changed a batch at a time
(one SELECT, one many-row INSERT, one executemany UPDATE per batch), never one ORM object each.

The caller owns the transaction and chooses the batches; nothing here holds more than the
batch it was given, and `active_people` reads the workspace's people a page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update

from app.db.models import Person
from app.db.sql import Queries, dialect_name
from app.rules.types import Role

PERSON = cast(Table, Person.__table__)
PAGE = 5000  # rows fetched at a time when reading a whole workspace's people


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """What an import compares of someone already stored."""

    id: int
    role: Role
    manager_id: int | None
    active: bool
    email: str | None
    tz: str | None
    profile_read: bool  # Slack's profile has been read: its time zone wins over the file's


# What an import writes of a person; every row of one batch has all of these keys.
PersonValues = Mapping[str, Any]
_CHANGED = ("role", "manager_id", "active", "email", "tz", "updated_at")


class RosterQueries(Queries):
    async def plan_each_batch(self) -> None:
        """PostgreSQL: plan each batch's statements afresh for the rest of the transaction.
        Otherwise, after five batches, a SELECT … IN keeps the generic plan made while the
        workspace's table was still small (a sequential scan) as it grows to 100,000 rows."""
        if dialect_name(self.session) == "postgresql":
            await self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    async def known_people(
        self, workspace_id: int, slack_user_ids: Sequence[str]
    ) -> dict[str, KnownPerson]:
        """These people as stored in the workspace (the others are not there yet)."""
        if not slack_user_ids:
            return {}
        query = select(
            Person.slack_user_id,
            Person.id,
            Person.role,
            Person.manager_id,
            Person.active,
            Person.email,
            Person.tz,
            Person.profile_synced_at.is_not(None),
        ).where(Person.workspace_id == workspace_id, Person.slack_user_id.in_(slack_user_ids))
        found = await self.session.execute(query)
        return {row[0]: KnownPerson(*row[1:]) for row in found}

    async def insert_people(self, rows: Sequence[PersonValues]) -> dict[str, int]:
        """Add these people (one batch); their new ids by Slack user id."""
        if not rows:
            return {}
        statement = insert(PERSON).returning(PERSON.c.slack_user_id, PERSON.c.id)
        added = await self.session.execute(statement, list(rows))
        return {slack_user_id: person_id for slack_user_id, person_id in added}

    async def update_people(self, rows: Sequence[PersonValues]) -> None:
        """Write these people's role, manager, active, email, time zone and updated_at, by
        `person_id`: one executemany."""
        if not rows:
            return
        statement = (
            update(PERSON)
            .where(PERSON.c.id == bindparam("person_id"))
            .values({name: bindparam(f"new_{name}") for name in _CHANGED})
        )
        params = [
            {"person_id": row["person_id"], **{f"new_{n}": row[n] for n in _CHANGED}}
            for row in rows
        ]
        await self.session.execute(statement, params)

    async def active_people(self, workspace_id: int) -> AsyncIterator[Sequence[tuple[int, str]]]:
        """The workspace's active people as (id, slack_user_id), a page at a time."""
        query = (
            select(Person.id, Person.slack_user_id)
            .where(Person.workspace_id == workspace_id, Person.active.is_(True))
            .execution_options(yield_per=PAGE)
        )
        result = await self.session.stream(query)
        async for page in result.partitions(PAGE):
            yield [(row[0], row[1]) for row in page]

    async def deactivate_people(self, person_ids: Iterable[int], now: datetime) -> None:
        wanted = list(person_ids)
        if wanted:
            await self.session.execute(
                update(Person)
                .where(Person.id.in_(wanted))
                .values(active=False, updated_at=now)
                .execution_options(synchronize_session=False)
            )

    async def people_named(
        self, workspace_id: int, slack_user_ids: Sequence[str]
    ) -> Sequence[Person]:
        """These people's records (one batch), to keep what Slack said of them."""
        if not slack_user_ids:
            return []
        query = select(Person).where(
            Person.workspace_id == workspace_id, Person.slack_user_id.in_(slack_user_ids)
        )
        return (await self.session.scalars(query)).all()
