"""A whole week with Gong connected (the local Gong stand-in): the Monday prompt counts the
rep's calls and the deals form offers them; a rep who shares nothing still has three call
links and numbers in Tuesday's prep; the manager diagnoses from a Gong call; Friday's
digests show the focus's leading indicator and its trend. Without GONG_* nothing changes
(every other end-to-end test, and the demo transcript, run without it)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.db.models import Diagnosis, Person, Submission
from app.db.recorder_tables import RecordedCall
from app.demo.form_values import focus
from app.deps import Deps
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.gong import GongSandbox
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from tests.support.factories import seed_org
from tests.support.slack_answers import home_text
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
EVIDENCE_MONDAY = MONDAY - timedelta(days=7)
REPS = ("U0REPLA", "U0REPNY", "U0REPBER", "U0REPKOL")
CALLS_LAST_WEEK = {"U0REPLA": 4, "U0REPNY": 5, "U0REPBER": 3, "U0REPKOL": 0}


def email(user: str) -> str:
    return f"{user.lower()}@example.com"


@pytest.fixture
async def gong() -> AsyncIterator[GongSandbox]:
    box = GongSandbox(per_second=30)  # a company whose limit Gong raised: coach keeps to 20
    await box.start()
    rng = random.Random(48)
    for user in REPS:
        gong_id = box.add_user(email(user), user.removeprefix("U0"), "Rep")
        for weeks_back in range(1, 5):  # the four weeks before: the rep's own baseline
            box.seed_week(gong_id, EVIDENCE_MONDAY - timedelta(weeks=weeks_back), 3, rng)
        if CALLS_LAST_WEEK[user]:
            # Mid-week, so every rep's local week holds them whatever their zone.
            box.seed_week(gong_id, EVIDENCE_MONDAY, 0, rng)
            for n in range(CALLS_LAST_WEEK[user]):
                box.add_call(
                    gong_id,
                    EVIDENCE_MONDAY + timedelta(days=1 + n % 3, hours=15 + n),
                    title=f"Call {n + 1} of {user}",
                    talk_time_s=600 + 60 * n,
                    customer_talk_time_s=900,
                    longest_monologue_s=100 + 10 * n,
                    interactivity=6.0,
                    patience_s=1.1,
                    questions_company=12 + n,
                    questions_non_company=3,
                )
    box.add_user("someone.else@example.com", "Not", "OnTheRoster")
    yield box
    await box.stop()


async def _seed_with_emails(deps: Deps) -> None:
    await seed_org(deps, TEAM_CSV)
    async with deps.db.begin() as session:
        for user in TZ:
            await session.execute(
                update(Person).where(Person.slack_user_id == user).values(email=email(user))
            )


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox, gong: GongSandbox) -> AsyncIterator[Week]:
    settings = {
        "gong_api_url": gong.base_url,
        "gong_access_key": gong.access_key,
        "gong_access_key_secret": gong.access_key_secret,
        "gong_requests_per_second": 20,
    }
    async with open_week(
        database_url, sandbox, TEAM_CSV, TZ, MONDAY, seed=_seed_with_emails, settings=settings
    ) as opened:
        yield opened


async def _call_urls(deps: Deps, user: str) -> list[str]:
    async with deps.db() as session:
        rows = await session.scalars(
            select(RecordedCall.url)
            .join(Person, Person.id == RecordedCall.person_id)
            .where(Person.slack_user_id == user, RecordedCall.started_at >= EVIDENCE_MONDAY)
            .order_by(RecordedCall.started_at.desc())
        )
        return list(rows)


async def test_a_week_with_gong_connected(week: Week, gong: GongSandbox) -> None:
    # --- Monday: the prompt counts the rep's calls; the form offers them --------------------
    await week.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
    prompt = await week.last_dm("U0REPLA", Step.REP_PROMPT)
    assert "Gong has 4 calls of yours from that week" in prompt["text"]
    kolkata = await week.last_dm("U0REPKOL", Step.REP_PROMPT)
    assert "Gong has no calls of yours from that week" in kolkata["text"]

    view = await week.driver.open_modal("U0REPLA", prompt, Action.OPEN_DEALS)
    picks = next(b for b in view["blocks"] if b.get("block_id") == "deal1_call")
    options = picks["element"]["options"]
    assert len(options) == 4 and "Call 3 of U0REPLA" in options[0]["text"]["text"]  # newest
    urls = await _call_urls(week.deps, "U0REPLA")
    answer = await week.driver.submit(
        "U0REPLA",
        view,
        {
            "deal1_name": typed("Acme"),
            "deal1_call": chosen(options[0]["value"]),
            "deal2_name": typed("Globex"),
            "deal2_clip_url": typed("https://zoom.us/rec/2"),
        },
    )
    assert answer.status == 200 and not answer.text, answer.text
    async with week.deps.db() as session:
        saved = await session.scalar(select(Submission))
    assert saved is not None
    assert [d["clip_url"] for d in saved.deals] == [urls[0], "https://zoom.us/rec/2"]

    # A call id that is not the rep's own is refused under its field, and nothing changes.
    others = await _call_urls(week.deps, "U0REPNY")
    async with week.deps.db() as session:
        foreign = await session.scalar(select(RecordedCall.id).where(RecordedCall.url == others[0]))
    again = await week.driver.open_modal("U0REPLA", prompt, Action.OPEN_DEALS)
    forged = await week.driver.submit(
        "U0REPLA", again, {"deal1_name": typed("Initech"), "deal1_call": chosen(str(foreign))}
    )
    assert forged.json()["response_action"] == "errors"
    assert "deal1_call" in forged.json()["errors"]

    # --- Tuesday: New York shared nothing, and still has evidence ---------------------------
    await week.run_until(MONDAY + timedelta(days=1, hours=18))
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    ny = next(
        b["text"]["text"]
        for b in prep["blocks"]
        if b["type"] == "section" and "<@U0REPNY>" in b["text"]["text"]
    )
    assert "_No submission._" in ny
    assert "Gong, 5 calls:" in ny
    assert sum(ny.count(url) for url in others[:3]) == 3 and others[3] not in ny
    assert "Talk ratio" in ny and "own " in ny and "team " in ny

    # The manager diagnoses New York from a Gong call, with no clip pasted.
    diagnose = button_value(prep, Action.DIAGNOSE, "prep:U0REPNY")
    view = await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, diagnose)
    pick = next(b for b in view["blocks"] if b.get("block_id") == "evidence_call")
    call = pick["element"]["options"][1]["value"]
    async with week.deps.db() as session:
        la_call = await session.scalar(select(RecordedCall.id).where(RecordedCall.url == urls[0]))
    forged = await week.driver.submit(  # another rep's call, named by its id
        "U0MGRA",
        view,
        {
            "can_do": chosen("no", "radio_buttons"),
            **focus("discovery", 2),
            "evidence_call": chosen(str(la_call)),
        },
    )
    assert forged.json()["response_action"] == "errors"
    assert list(forged.json()["errors"]) == ["evidence_call"]
    answer = await week.driver.submit(
        "U0MGRA",
        view,
        {
            "can_do": chosen("no", "radio_buttons"),
            **focus("discovery", 2),
            "evidence_call": chosen(call),
        },
    )
    assert answer.json()["response_action"] == "update", answer.text
    async with week.deps.db() as session:
        diagnosis = await session.scalar(select(Diagnosis))
    assert diagnosis is not None and diagnosis.evidence_url == others[1]

    # --- Friday: the digests show the leading indicator and its trend ------------------------
    await week.run_until(MONDAY + timedelta(days=5, hours=2))  # Friday 18:00 in Los Angeles
    manager = await week.last_dm("U0MGRA", Step.DIGEST)
    blocks = str(manager["blocks"])
    assert "On their calls" in blocks
    assert "<@U0REPNY>: Questions (Discovery) last week:" in blocks
    assert "their 4-week average" in blocks
    rep = await week.last_dm("U0REPNY", Step.DIGEST)
    assert "On your calls:* Questions (Discovery) last week:" in str(rep["blocks"])
    # ... and the App Homes: the rep's own number, the manager's reps' (not another team's).
    rep_home = await home_text(week.sandbox, week.driver, "U0REPNY")
    assert "On your calls:* Questions (Discovery) last week:" in rep_home
    manager_home = await home_text(week.sandbox, week.driver, "U0MGRA")
    assert "On their calls" in manager_home and "@U0REPNY: Questions (Discovery)" in manager_home
    other_home = await home_text(week.sandbox, week.driver, "U0MGRB")
    assert "U0REPNY" not in other_home

    # Gong was asked little: the users once, and each zone's reps once per week: five on first
    # sight (last week and the four before), and Los Angeles and New York, still in their
    # Sunday when the week started, one more at their Monday; never faster than its limit.
    extensive = gong.requests_to("/v2/calls/extensive")
    assert len(gong.requests_to("/v2/users")) == 1
    assert len(extensive) == 4 * 5 + 2
    assert len(extensive) <= len(REPS) * 6  # at most one per rep per week read
    assert not [r for r in gong.requests if r.status == 429]  # never over its limit
    async with week.deps.db() as session:
        stored = list(await session.scalars(select(RecordedCall.provider_call_id)))
    assert len(stored) == len(set(stored)) == len(gong.calls)
