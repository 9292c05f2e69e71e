"""The setup stamp (app/db/setup_stamp.py): which writes move it, and that a tick sees what
another replica changed (people, team schedules, a CRM or call recorder connected) on its
next tick, though it keeps the roster's shape while the stamp stays put."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import time, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from app.clock import system_clock
from app.db.models import Person, ScheduleStep, Workspace
from app.db.setup_stamp import SetupStamp
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.types import Role, Step
from app.sandbox.server import SlackSandbox
from app.services.week_plan import REREAD_EVERY
from tests.e2e.test_tick_cost import (
    NOTHING_DUE,
    looks_at_the_crm,
    looks_at_the_recorder,
    reads_the_shape,
)
from tests.support.factories import make_settings
from tests.support.fanout import seed_big_org
from tests.support.outboxes import Outboxes
from tests.support.statements import recorded_statements

REPS = 12


@pytest.fixture
async def replicas(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[tuple[Deps, Deps]]:
    """Two processes' worth of Deps (engines, pools, session makers) on one database, an org
    of REPS reps seeded through the first."""
    built = [Deps.build(make_settings(database_url, sandbox), system_clock) for _ in range(2)]
    await seed_big_org(built[0], sandbox, REPS, managers=2)
    yield built[0], built[1]
    for deps in built:
        await deps.close()


def outbox(deps: Deps, outboxes: Outboxes) -> Outbox:
    return outboxes(deps, f"replica-{id(deps)}")


async def version(deps: Deps) -> int | None:
    async with deps.reads() as session:
        return (await Store(session).setup()).version


Write = Callable[[Deps], Awaitable[None]]


def prompt_at_three(workspace_id: int) -> ScheduleStep:
    """The reps' prompt moved to Monday 03:00, workspace-wide."""
    return ScheduleStep(
        workspace_id=workspace_id, step=Step.REP_PROMPT, weekday=0, local_time=time(3, 0)
    )


async def _a_rep(deps: Deps) -> Person:
    async with deps.reads() as session:
        rep = await session.scalar(select(Person).where(Person.role == Role.REP).limit(1))
    assert rep is not None
    return rep


async def test_writes_that_shape_planning_move_the_stamp_and_others_do_not(
    replicas: tuple[Deps, Deps],
) -> None:
    deps, _ = replicas
    rep = await _a_rep(deps)

    async def moved(write: Callable[[Store], Awaitable[object]]) -> bool:
        before = await version(deps)
        async with deps.db.begin() as session:
            await write(Store(session))
        return await version(deps) != before

    async def person(store: Store) -> Person:
        found = await store.person_by_id(rep.id)
        assert found is not None
        return found

    async def rename(store: Store) -> None:
        (await person(store)).display_name = "Someone else"

    async def read_profile_again(store: Store) -> None:  # a daily read: checked, not new
        found = await person(store)
        assert found.profile_checked_at is not None
        found.profile_checked_at += timedelta(days=1)

    async def move_zone(store: Store) -> None:
        (await person(store)).tz = "America/New_York"

    async def pause(store: Store) -> None:
        (await person(store)).paused_until = NOTHING_DUE.date() + timedelta(days=7)

    async def disable(store: Store) -> None:  # a Core UPDATE, no ORM object in sight
        await store.disable_workspace(rep.workspace_id, "token_revoked", NOTHING_DUE)

    async def override(store: Store) -> None:
        store.add(prompt_at_three(rep.workspace_id))

    async def drop_overrides(store: Store) -> None:
        await store.session.execute(delete(ScheduleStep))

    assert not await moved(rename)
    assert not await moved(read_profile_again)
    assert await moved(move_zone)
    assert await moved(pause)
    assert await moved(disable)
    assert await moved(override)
    assert await moved(drop_overrides)


async def test_a_rolled_back_change_moves_nothing_and_a_missing_stamp_comes_back(
    replicas: tuple[Deps, Deps],
) -> None:
    deps, _ = replicas
    rep = await _a_rep(deps)
    before = await version(deps)
    async with deps.db() as session:
        await session.begin()
        await session.execute(update(Person).where(Person.id == rep.id).values(tz="Asia/Tokyo"))
        await session.rollback()
    assert await version(deps) == before
    async with deps.db.begin() as session:  # as emptying every table leaves it
        await session.execute(delete(SetupStamp))
    assert await version(deps) is None
    async with deps.db.begin() as session:
        await session.execute(update(Person).where(Person.id == rep.id).values(tz="Asia/Tokyo"))
    assert await version(deps) == 1


async def test_a_team_schedule_changed_by_another_replica_is_planned_on_the_next_tick(
    replicas: tuple[Deps, Deps],
    outboxes: Outboxes,
) -> None:
    """Replica A keeps the roster's shape between ticks; replica B moves the reps' prompt to
    03:00, in its own process's session: A plans it the minute after."""
    a, b = replicas
    sender = outbox(a, outboxes)
    assert await sender.plan(NOTHING_DUE) == 0  # 03:00 in Berlin: nothing due yet
    with recorded_statements(*a.engines) as statements:
        assert await sender.plan(NOTHING_DUE + timedelta(seconds=30)) == 0
    assert not reads_the_shape(statements)  # kept: the stamp stayed put
    rep = await _a_rep(b)
    async with b.db.begin() as session:
        session.add(prompt_at_three(rep.workspace_id))
    assert await sender.plan(NOTHING_DUE + timedelta(minutes=1)) == REPS


async def test_a_write_past_every_session_is_seen_within_the_reread_interval(
    replicas: tuple[Deps, Deps],
    outboxes: Outboxes,
) -> None:
    """Raw SQL moves no stamp: the shape is read again after REREAD_EVERY all the same."""
    a, b = replicas
    sender = outbox(a, outboxes)
    assert await sender.plan(NOTHING_DUE) == 0
    async with b.engine.begin() as connection:
        workspace_id = (await connection.execute(select(Workspace.id))).scalar_one()
        await connection.execute(
            text(
                "INSERT INTO schedule_step (workspace_id, step, weekday, local_time) "
                "VALUES (:w, :step, 0, '03:00:00')"
            ),
            {"w": workspace_id, "step": Step.REP_PROMPT.value},
        )
    assert await sender.plan(NOTHING_DUE + timedelta(minutes=1)) == 0  # not seen yet
    later = NOTHING_DUE + REREAD_EVERY + timedelta(minutes=1)  # the prompt's window is open
    assert await sender.plan(later) == REPS


@pytest.mark.parametrize("system", ["crm", "recorder"])
async def test_a_connection_added_by_another_replica_is_looked_at_on_the_next_tick(
    replicas: tuple[Deps, Deps], system: str, outboxes: Outboxes
) -> None:
    """No workspace has one: the tick never looks. Replica B adds the row (a Core INSERT,
    as the admin's form, the command line and the environment's credentials do): A's next
    tick looks, then holds off while the row stays as it is (it has no credentials)."""
    a, b = replicas
    sender = outbox(a, outboxes)
    looks = looks_at_the_crm if system == "crm" else looks_at_the_recorder
    await sender.tick(NOTHING_DUE)
    with recorded_statements(*a.engines) as statements:
        await sender.tick(NOTHING_DUE + timedelta(minutes=1))
    assert not looks(statements)
    rep = await _a_rep(b)
    async with b.db.begin() as session:
        store = Store(session)
        if system == "crm":
            await store.ensure_crm_connection(rep.workspace_id, "hubspot", NOTHING_DUE)
        else:
            await store.ensure_recorder_connection(rep.workspace_id, "gong", NOTHING_DUE)
    with recorded_statements(*a.engines) as statements:
        await sender.tick(NOTHING_DUE + timedelta(minutes=2))
    assert looks(statements)
    for minute in (3, 4):  # the look marked it disconnected: one more look, then quiet
        with recorded_statements(*a.engines) as statements:
            await sender.tick(NOTHING_DUE + timedelta(minutes=minute))
    assert not looks(statements)
