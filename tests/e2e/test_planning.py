"""The planner's pure parts: which windows are open at all, and who is due in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.db.ledger import Ledger, Planned
from app.db.models import Delivery, Person
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from tests.support.factories import seed_org
from tests.support.statements import recorded_statements


async def test_planning_inserts_only_new_rows_in_one_statement(deps: Deps) -> None:
    await seed_org(deps)
    async with deps.db() as session:
        people = (await session.scalars(select(Person.id).order_by(Person.id))).all()
        workspace_id = await session.scalar(select(Person.workspace_id))
    assert workspace_id is not None and len(people) >= 3
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    until = at + timedelta(hours=4)

    def rows(ids: Sequence[int], status: DeliveryStatus = DeliveryStatus.PENDING) -> list[Planned]:
        return [
            Planned(workspace_id, i, Step.REP_PROMPT, "2026-W48", at, until, status) for i in ids
        ]

    async with deps.db.begin() as session:
        assert await Ledger(session).plan(rows(people[:2]), at) == 2
    with recorded_statements(*deps.engines) as statements:
        async with deps.db.begin() as session:
            # two already there (even with another status), one new: one statement, one row
            again = rows(people[:2], DeliveryStatus.SKIPPED) + rows(people[2:3])
            assert await Ledger(session).plan(again, at + timedelta(minutes=1)) == 1
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    async with deps.db() as session:
        planned = (await session.scalars(select(Delivery).order_by(Delivery.person_id))).all()
    assert [(d.person_id, d.status, d.attempts, d.created_at) for d in planned] == [
        (people[0], DeliveryStatus.PENDING, 0, at),
        (people[1], DeliveryStatus.PENDING, 0, at),
        (people[2], DeliveryStatus.PENDING, 0, at + timedelta(minutes=1)),
    ]
