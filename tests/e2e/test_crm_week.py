"""A whole week with a CRM connected, against each stand-in (HubSpot, Salesforce): Monday's
form offers the rep's open deals and the rep picks two; Wednesday's notes set "Coaching
Drill This Week" on both records, through an outage that delays the write-back and loses
nothing; `/drill done` checks "Drill Recorded"; one deal moves forward four days after the
1:1 and the other does not; the next digest shows deal progression 1/2 (50%) from the CRM.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app.crm.clients import crm_at
from app.db.models import Delivery, Person, Submission
from app.db.pace import Rate
from app.demo.form_values import focus
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.hubspot import HubSpotSandbox
from app.sandbox.salesforce import SalesforceSandbox
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from tests.support.factories import seed_org
from tests.support.grow import held_to
from tests.support.log_capture import Capture
from tests.support.outboxes import Outboxes
from tests.support.salesforce_org import CONSUMER_KEY, USERNAME, key_pair, set_up
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
REP = "U0REPLA"
DRILL = "Objection reframe"


def email(user: str) -> str:
    return f"{user.lower()}@example.com"


@dataclass
class Crm:
    """One stand-in behind the few verbs this test needs."""

    name: str
    settings: dict[str, object]
    deals: list[str]  # the rep's open deals, most recently changed first
    forward: str  # a later stage than the deals start in
    drill_value: Callable[[str], Any]
    recorded_value: Callable[[str], Any]
    drill_writes: Callable[[str], list[Any]]
    recorded_writes: Callable[[str], list[Any]]
    move: Callable[[str, str, datetime], None]
    go_down: Callable[[], None]
    come_back: Callable[[], None]
    checked: Any  # what "Drill Recorded" reads when checked
    unchecked: Any
    secrets: Callable[[], list[str]]  # what must never reach a log
    expire_sessions: Callable[[], None] | None = None  # Salesforce's sessions time out
    logins: Callable[[], int] = lambda: 0


async def hubspot(tmp_path: Path) -> AsyncIterator[Crm]:
    box = HubSpotSandbox(per_ten_seconds=100_000, search_per_second=10_000)  # days in seconds
    await box.start()
    owner = box.add_owner(email(REP), "La", "Rep")
    box.add_owner(email("U0REPNY"), "Ny", "Rep")
    base = datetime(2026, 11, 20, tzinfo=UTC)
    older = box.add_deal(owner, "Globex expansion", "appointmentscheduled", 25_000, None,
                         modified_at=base)  # fmt: skip
    newer = box.add_deal(owner, "Acme renewal", "appointmentscheduled", 40_000, None,
                         modified_at=base + timedelta(hours=5))  # fmt: skip
    box.add_deal(owner, "Closed already", "closedwon", 1_000, modified_at=base)
    drill, recorded = "coaching_drill_this_week", "drill_recorded"
    yield Crm(
        "HubSpot",
        {"hubspot_token": box.token, "hubspot_api_url": box.base_url},
        [newer, older],
        "qualifiedtobuy",
        lambda d: box.deal(d).get(drill),
        lambda d: box.deal(d).get(recorded),
        lambda d: box.writes_to(d, drill),
        lambda d: box.writes_to(d, recorded),
        box.move_stage,
        box.go_down,
        box.come_back,
        "true",
        "false",
        lambda: [box.token],
    )
    await box.stop()


async def salesforce(tmp_path: Path) -> AsyncIterator[Crm]:
    org = SalesforceSandbox()
    set_up(org)
    await org.start()
    key = tmp_path / "salesforce.key"
    key.write_text(key_pair().private_pem)
    owner = org.add_user(email(REP), "La Rep")
    base = datetime(2026, 11, 20, tzinfo=UTC)
    older = org.add_opportunity(owner, "Globex expansion", "Qualification", 25_000,
                                modified_at=base)  # fmt: skip
    newer = org.add_opportunity(owner, "Acme renewal", "Qualification", 40_000,
                                modified_at=base + timedelta(hours=5))  # fmt: skip
    org.add_opportunity(owner, "Closed already", "Closed Won", 1_000, modified_at=base)
    drill, recorded = "Coaching_Drill_This_Week__c", "Drill_Recorded__c"
    yield Crm(
        "Salesforce",
        {
            "salesforce_login_url": org.base_url,
            "salesforce_client_id": CONSUMER_KEY,
            "salesforce_username": USERNAME,
            "salesforce_private_key_file": str(key),
        },
        [newer, older],
        "Needs Analysis",
        lambda d: org.opportunity(d)[drill],
        lambda d: org.opportunity(d)[recorded],
        lambda d: org.writes_to(d, drill),
        lambda d: org.writes_to(d, recorded),
        org.move_stage,
        org.go_down,
        org.come_back,
        True,
        False,
        lambda: [key_pair().private_pem.splitlines()[1], *org.sessions],
        org.expire_sessions,
        lambda: org.tokens_issued,
    )
    await org.stop()


@pytest.fixture(params=["hubspot", "salesforce"])
async def crm(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Crm]:
    make = hubspot if request.param == "hubspot" else salesforce
    async for world in make(tmp_path):
        yield world


async def _seed_with_emails(deps: Deps) -> None:
    await seed_org(deps, TEAM_CSV)
    async with deps.db.begin() as session:
        for user in TZ:
            await session.execute(
                update(Person).where(Person.slack_user_id == user).values(email=email(user))
            )


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox, crm: Crm) -> AsyncIterator[Week]:
    async with open_week(
        database_url, sandbox, TEAM_CSV, TZ, MONDAY, seed=_seed_with_emails, settings=crm.settings
    ) as opened:
        # Days pass in seconds here: the CRM's turns at a pace no real CRM would allow.
        opened.outbox.crm.crm_factory = quick_crm
        yield opened


quick_crm = crm_at(Rate(per_minute=600_000, burst=1000))


async def _write_rows(deps: Deps) -> list[tuple[Step, DeliveryStatus, str | None]]:
    async with deps.db() as session:
        rows = await session.scalars(
            select(Delivery)
            .where(Delivery.kind.in_([Step.CRM_DRILL_SET, Step.CRM_DRILL_RECORDED]))
            .order_by(Delivery.id)
        )
        return [(Step(r.kind), DeliveryStatus(r.status), r.error) for r in rows]


async def pick_two_deals(week: Week, crm: Crm) -> dict[str, Any]:
    """Monday: the form offers the rep's open deals, newest first; a forged pick is refused;
    the rep picks two. Returns the prompt."""
    acme, globex = crm.deals
    await week.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
    prompt = await week.last_dm(REP, Step.REP_PROMPT)
    view = await week.driver.open_modal(REP, prompt, Action.OPEN_DEALS)
    pick = next(b for b in view["blocks"] if b.get("block_id") == "deal1_crm")
    options = [(o["value"], o["text"]["text"]) for o in pick["element"]["options"]]
    assert [value for value, _ in options] == [acme, globex]  # open only, most recent first
    assert options[0][1].startswith("Acme renewal — ") and options[0][1].endswith("$40,000")

    # A deal that is not the rep's own is refused under its field, and nothing is stored.
    forged = await week.driver.submit(
        REP,
        view,
        {"deal1_crm": chosen("0061x00000FORGED"), "deal1_clip_url": typed("https://zoom.us/rec/1")},
    )
    assert forged.json()["response_action"] == "errors"
    assert list(forged.json()["errors"]) == ["deal1_crm"]
    answer = await week.driver.submit(
        REP,
        view,
        {
            "deal1_crm": chosen(acme),
            "deal1_clip_url": typed("https://zoom.us/rec/1"),
            "deal2_crm": chosen(globex),
            "deal2_clip_url": typed("https://zoom.us/rec/2"),
        },
    )
    assert answer.status == 200 and not answer.text, answer.text
    async with week.deps.db() as session:
        saved = await session.scalar(select(Submission))
    assert saved is not None
    assert [(d["name"], d["crm_id"]) for d in saved.deals] == [
        ("Acme renewal", acme),
        ("Globex expansion", globex),
    ]
    return prompt


async def diagnose(week: Week) -> None:
    """Tuesday: the prep lists the rep's open deals; the manager diagnoses."""
    await week.run_until(MONDAY + timedelta(days=1, hours=18))
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    blocks = str(prep["blocks"])
    assert "*Pipeline (2 open):*" in blocks and "Acme renewal — " in blocks  # the 10 minutes
    assert "Closed already" not in blocks
    diagnose = button_value(prep, Action.DIAGNOSE, f"prep:{REP}")
    view = await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, diagnose)
    answer = await week.driver.submit(
        "U0MGRA",
        view,
        {
            "can_do": chosen("no", "radio_buttons"),
            **focus("objection_handling", 2),
            "evidence_url": typed("https://zoom.us/rec/1"),
        },
    )
    assert answer.json()["response_action"] == "update", answer.text


async def save_notes(week: Week, crm: Crm | None = None) -> datetime:
    """Wednesday: the agenda's pipeline block, then the GROW notes saved (with the CRM down
    when `crm` is given). Returns when."""
    await week.run_until(MONDAY + timedelta(days=2, hours=18))
    if crm is not None:
        crm.go_down()
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    assert "*Pipeline (2 open):*" in str(agenda["blocks"]) and "$25,000" in str(agenda["blocks"])
    value = button_value(agenda, Action.LOG_NOTES, f"agenda:{REP}")
    view = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
    notes = {
        "goal": typed("CFO agrees to a business-case review"),
        "reality": typed("Discounted at the first push"),
        "options": typed("Reframe as investment\nAsk about cost of delay\nBring the champion"),
        "commitment": typed("Use the reframe on three calls this week"),
        "drill_choice": chosen("objection_reframe"),
        "practice_reps": typed("2"),  # "Drill Recorded" once both are in
        "private_notes": typed("PRIVATE: seems tired lately"),
        **held_to(view),
    }
    answer = await week.driver.submit("U0MGRA", view, notes)
    assert answer.json()["response_action"] == "update", answer.text  # Slack never waits
    return week.now


async def record_twice(week: Week) -> None:
    """The rep's two committed recordings: "Drill Recorded" waits for the second."""
    first = await week.driver.command(REP, "/drill", "done https://zoom.us/rec/9 nailed it")
    assert "(1/2 of the recordings you committed to)" in first.json()["text"]
    await week.settle()
    assert [s for k, s, _ in await _write_rows(week.deps) if k is Step.CRM_DRILL_RECORDED] == []
    second = await week.driver.command(REP, "/drill", "done https://zoom.us/rec/10")
    assert "(2/2 of the recordings you committed to)" in second.json()["text"]


async def test_a_week_with_a_crm(week: Week, crm: Crm, debug_capture: Capture) -> None:
    acme, globex = crm.deals
    prompt = await pick_two_deals(week, crm)
    await diagnose(week)

    # --- Wednesday: the CRM is down when the notes are saved ---------------------------------
    coached_at = await save_notes(week, crm)
    await week.run_until(coached_at + timedelta(hours=2))
    assert crm.drill_writes(acme) == [] and crm.drill_writes(globex) == []
    [(kind, status, error)] = await _write_rows(week.deps)
    assert (kind, status) == (Step.CRM_DRILL_SET, DeliveryStatus.PENDING) and error

    crm.come_back()
    await week.run_until(coached_at + timedelta(hours=3))
    for deal in (acme, globex):
        assert crm.drill_writes(deal) == [DRILL]  # once, when the CRM came back
        assert crm.drill_value(deal) == DRILL and crm.recorded_value(deal) == crm.unchecked

    # --- Thursday: the rep records the drill: "Drill Recorded" checked ------------------------
    # Salesforce's session timed out overnight: coach logs in again, once, and writes.
    logins = crm.logins()
    if crm.expire_sessions is not None:
        crm.expire_sessions()
    await week.run_until(MONDAY + timedelta(days=3, hours=20))
    await record_twice(week)
    await week.run_until(MONDAY + timedelta(days=3, hours=21))
    for deal in (acme, globex):
        assert crm.recorded_writes(deal) == [crm.unchecked, crm.checked]
        assert crm.recorded_value(deal) == crm.checked and crm.drill_value(deal) == DRILL
    assert [s for _, s, _ in await _write_rows(week.deps)] == [DeliveryStatus.SENT] * 2
    if crm.expire_sessions is not None:
        assert crm.logins() == logins + 1

    # --- Four days after the 1:1 one deal moves forward; the other never does ----------------
    crm.move(acme, crm.forward, coached_at + timedelta(days=4))
    await week.run_until(MONDAY + timedelta(days=12, hours=2), every=timedelta(hours=2))
    # Monday's prompt asks nothing about deals the CRM answers for.
    next_prompt = await week.last_dm(REP, Step.REP_PROMPT)
    assert next_prompt["ts"] != prompt["ts"] and "deal_progress" not in str(next_prompt)
    digest = await week.last_dm(REP, Step.DIGEST)
    assert f"*Coached deals that moved a stage:* 1/2 (50%) · from {crm.name}" in str(
        digest["blocks"]
    )
    # Each field was written exactly as often as a row asked: nothing twice.
    assert crm.drill_writes(acme) == [DRILL]
    assert crm.recorded_writes(globex) == [crm.unchecked, crm.checked]

    # The log carries ids and counts: no CRM secret, no deal's name or amount, no notes.
    logged = "\n".join(debug_capture.lines)
    assert "CRM" in logged  # the outage was logged
    for content in (*crm.secrets(), "Acme renewal", "Globex", "40000", "40,000", "PRIVATE"):
        assert content not in logged, content


async def test_three_replicas_write_each_field_once(
    week: Week, crm: Crm, database_url: str, outboxes: Outboxes
) -> None:
    """Three replicas, each its own engine as three processes would have, tick together
    after the notes and after the recording: every record gets each field once."""
    acme, globex = crm.deals
    await pick_two_deals(week, crm)
    await diagnose(week)
    coached_at = await save_notes(week)
    replicas = [Deps.build(week.deps.settings, week.deps.clock) for _ in range(3)]
    senders = [outboxes(d, f"replica-{n}") for n, d in enumerate(replicas)]
    for outbox in senders:
        outbox.crm.crm_factory = quick_crm

    async def together(at: datetime) -> None:
        week.clock.set(at)
        await asyncio.gather(*(o.tick(at) for o in senders))

    try:
        await together(coached_at + timedelta(minutes=1))
        for deal in (acme, globex):
            assert crm.drill_writes(deal) == [DRILL]
        await record_twice(week)
        await together(week.now + timedelta(minutes=1))
        await together(week.now + timedelta(minutes=30))  # and nothing more later
    finally:
        for replica in replicas:
            await replica.close()
    for deal in (acme, globex):
        assert crm.drill_writes(deal) == [DRILL]
        assert crm.recorded_writes(deal) == [crm.unchecked, crm.checked]
    assert [s for _, s, _ in await _write_rows(week.deps)] == [DeliveryStatus.SENT] * 2
