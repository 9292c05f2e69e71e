"""A lane's claims are composed together as soon as they are claimed (Outbox.prepare): the
same messages compose() makes one by one, in statements that do not grow with the claim,
and a surprise while composing together costs no row its message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import select, update

from app.clock import system_clock
from app.db.ledger import Claimed, Ledger
from app.db.models import Delivery, Person, Workspace
from app.db.store import Store
from app.delivery.tick import Outbox, Ready
from app.deps import Deps
from app.rules import calendar
from app.rules.types import DeliveryStatus, Role, Step
from app.sandbox.server import SlackSandbox
from app.services import call_evidence, weekly_messages
from tests.support.factories import make_settings
from tests.support.fanout import MONDAY_0900_BERLIN, seed_big_org, seed_workspace
from tests.support.outboxes import Outboxes
from tests.support.statements import recorded_statements

REPS = 12
DEALS = [
    {"name": "Acme renewal", "clip_url": "https://gong.example/call?id=1"},
    {"name": "Globex expansion", "clip_url": "https://gong.example/call?id=2"},
]


@pytest.fixture
async def org(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> AsyncIterator[tuple[Deps, Outbox]]:
    """Twelve reps with their prompts due: one has answered this week already, three had
    last week's 1:1 on two deals (one of them said the first moved), the rest nothing."""
    deps = Deps.build(make_settings(database_url, sandbox), system_clock)
    await seed_big_org(deps, sandbox, REPS, managers=2)
    outbox = outboxes(deps, "prepared")
    await outbox.plan(MONDAY_0900_BERLIN)
    cycle = (await prompt_claims(deps, claim=False))[0].cycle_week
    last = calendar.previous_cycle(cycle)
    async with deps.db.begin() as session:
        store = Store(session)
        reps = list(await session.scalars(select(Person).where(Person.role == Role.REP)))
        reps.sort(key=lambda p: p.id)
        await store.save_submission(reps[0].id, cycle, DEALS, "modal", MONDAY_0900_BERLIN)
        for rep in reps[1:4]:
            await store.save_submission(rep.id, last, DEALS, "modal", MONDAY_0900_BERLIN)
            held: dict[str, object] = {"held": True, "author_id": rep.manager_id, "options": []}
            await store.save_one_on_one(rep.id, last, held, MONDAY_0900_BERLIN)
        await store.save_deal_progress(reps[1].id, last, 0, True, MONDAY_0900_BERLIN)
    yield deps, outbox
    await deps.close()


async def prompt_claims(deps: Deps, *, claim: bool = True) -> list[Claimed]:
    """The reps' first prompts of the week, claimed (or only looked at)."""
    async with deps.db.begin() as session:
        if not claim:
            rows = await session.scalars(select(Delivery).where(Delivery.kind == Step.REP_PROMPT))
            return [Claimed(r.id, r.fence, r.workspace_id, r.person_id, r.kind, r.cycle_week,
                            r.due_at, r.attempts) for r in rows]  # fmt: skip
        found = await Ledger(session).claim(
            MONDAY_0900_BERLIN, "prepared", 100, kinds={Step.REP_PROMPT}
        )
        return sorted(found.rows, key=lambda c: c.person_id)  # fmt: skip


async def test_prepared_prompts_are_what_compose_makes_of_each_alone(
    org: tuple[Deps, Outbox],
) -> None:
    deps, outbox = org
    claims = await prompt_claims(deps)
    assert len(claims) == REPS
    alone = {}
    async with deps.reads() as session:
        store = Store(session)
        for claim in claims:
            person = await store.person_by_id(claim.person_id)
            alone[claim.id] = await weekly_messages.compose(
                store, Ledger(session), claim, person, MONDAY_0900_BERLIN, "UTC"
            )
    prepared = await outbox.prepare(claims, MONDAY_0900_BERLIN)
    assert {cid: ready.composed for cid, ready in prepared.items()} == alone
    composed = [alone[claim.id] for claim in claims]
    assert composed[0] == weekly_messages.Skip("already_answered")
    asked = [m.coached for m in composed[1:5] if isinstance(m, weekly_messages.DealPrompt)]
    assert [[d.name for d in deals] for deals in asked] == [
        ["Globex expansion"],  # the first moved, by the rep's own answer
        ["Acme renewal", "Globex expansion"],
        ["Acme renewal", "Globex expansion"],
        [],  # no 1:1 last week
    ]


async def test_preparing_costs_the_same_statements_for_two_claims_or_twelve(
    org: tuple[Deps, Outbox],
) -> None:
    deps, outbox = org
    claims = await prompt_claims(deps)
    counts = {}
    for part in (claims[:2], claims):
        with recorded_statements(*deps.engines) as statements:
            prepared = await outbox.prepare(part, MONDAY_0900_BERLIN)
        assert len(prepared) == len(part)
        counts[len(part)] = len(statements)
    assert counts[2] == counts[REPS], counts


async def test_one_rows_surprise_while_composing_together_costs_no_other_row_its_prompt(
    org: tuple[Deps, Outbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Composing one rep's prompt fails (a bug, a row the code does not expect): the lane's
    claims composed together fail with it, so each send composes its own, and only that
    rep's row is left for a retry after its lease."""
    deps, outbox = org
    async with deps.reads() as session:
        reps = sorted(await session.scalars(select(Person.id).where(Person.role == Role.REP)))
    broken_rep = reps[5]
    team_evidence = call_evidence.team_evidence

    async def evidence_failing_for_one(
        store: Store, workspace_id: int, people: Sequence[Person], *args: str
    ) -> object:
        if any(p.id == broken_rep for p in people):
            raise RuntimeError("a row the code does not expect")
        return await team_evidence(store, workspace_id, people, *args)

    monkeypatch.setattr(call_evidence, "team_evidence", evidence_failing_for_one)
    report = await outbox.tick(MONDAY_0900_BERLIN)
    assert report.outcomes["error"] == 1, report.describe()
    async with deps.reads() as session:
        rows = await session.execute(
            select(Delivery.person_id, Delivery.status).where(Delivery.kind == Step.REP_PROMPT)
        )
        by_status: dict[DeliveryStatus, list[int]] = {}
        for person, status in rows:
            by_status.setdefault(status, []).append(person)
    assert by_status[DeliveryStatus.SENDING] == [broken_rep]  # sent again after its lease
    assert by_status[DeliveryStatus.CANCELLED] == [reps[0]]  # who had answered already
    assert len(by_status[DeliveryStatus.SENT]) == REPS - 2


async def test_claims_of_a_disabled_workspace_are_prepared_to_go_back_unsent(
    org: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    """Prepared together with another workspace's claims, those of a workspace disabled
    since they were claimed are marked to go back; the others are composed."""
    deps, outbox = org
    await seed_workspace(deps, sandbox, "T0OTHERX", "U0X", 3)
    await outbox.plan(MONDAY_0900_BERLIN)
    claims = await prompt_claims(deps)
    async with deps.db.begin() as session:
        other = await session.scalar(select(Workspace.id).where(Workspace.team_id == "T0OTHERX"))
        await session.execute(update(Workspace).where(Workspace.id == other).values(active=False))
    prepared = await outbox.prepare(claims, MONDAY_0900_BERLIN)
    assert len(prepared) == REPS + 3
    held = {c.id for c in claims if c.workspace_id == other}
    assert len(held) == 3
    assert all(prepared[cid] == Ready(None, None) for cid in held)
    assert all(r.composed is not None for cid, r in prepared.items() if cid not in held)
