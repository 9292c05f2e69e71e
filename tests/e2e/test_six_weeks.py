"""Six weeks of the whole method for two teams, recorded through the real use cases: the
rubric rated at each diagnosis, a focus that holds then moves on after a 4, practice counted
against what each rep committed to, a pause, a knowledge gap given an assignment, a 1:1 that
didn't happen, an SBI and an OSKAR note, 1:1 lengths, and director reviews. Every figure is
worked out by hand below and must match the digests, the App Homes and the one-page
scorecards exactly.

Weeks 2026-W43 … W48 (Mondays Oct 19 … Nov 23); everyone is in UTC, so a week is the same for
all; "now" is the Saturday after W48. Dana directs Maya (Ana, Ben, Chen) and Omar (Dev, Eve,
Fay). A drill is scored the Monday after its week.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.db.ledger import Ledger
from app.demo.simulation import acting_as
from app.rules.types import Step
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import (
    coaching_notes,
    coaching_reviews,
    diagnoses,
    drill_reports,
    one_on_ones,
    pauses,
    transfer_scores,
)
from app.services.coaching_notes import NoteInput
from app.slack.ids import Action
from tests.support.factories import TEAM_ID
from tests.support.slack_answers import home_text
from tests.support.week import Week, open_week

PEOPLE = {
    "U0DANA": ("director", ""),
    "U0MAYA": ("manager", "U0DANA"),
    "U0OMAR": ("manager", "U0DANA"),
    **{rep: ("rep", "U0MAYA") for rep in ("U0ANA", "U0BEN", "U0CHEN")},
    **{rep: ("rep", "U0OMAR") for rep in ("U0DEV", "U0EVE", "U0FAY")},
}
ROSTER = "slack_user_id,role,manager_slack_user_id,timezone\n" + "".join(
    f"{who},{role},{manager},UTC\n" for who, (role, manager) in PEOPLE.items()
)
ZONES = dict.fromkeys(PEOPLE, "UTC")
CLIP = "https://app.gong.io/call?id=1"
HOME = {"ts": "1.0", "blocks": []}


def at(week: int, day: int, hour: int = 12) -> datetime:
    monday = date(2026, 10, 19) + timedelta(weeks=week - 43)
    return datetime.combine(monday + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
        hours=hour
    )


def cycle(week: int) -> str:
    return f"2026-W{week}"


class Script:
    def __init__(self, week: Week) -> None:
        self.deps = week.deps

    async def diagnose(
        self,
        manager: str,
        rep: str,
        week: int,
        focus: str,
        levels: dict[str, int],
        *,
        knows: bool = True,
        expect_focus: str | None = None,
    ) -> None:
        """A skill gap (or, with knows=False, a knowledge gap) on `focus`, the rubric rated as
        `levels`; `expect_focus`: the focus the form must open on."""
        answers: dict[str, bool | None] = {"can_do": not knows, "knows": knows}
        if knows:
            answers = {"can_do": False}
        form = diagnoses.DiagnosisInput(
            answers=answers,
            gap_override=None,
            focus=focus,
            evidence_url=CLIP,
            levels={key: str(level) for key, level in levels.items()},
        )
        async with acting_as(self.deps, TEAM_ID, manager, at(week, 1)) as (store, actor):
            if expect_focus is not None:
                opened = await diagnoses.diagnosis_form(
                    store, actor, rep, cycle(week), moving_on=False
                )
                assert opened.focus == expect_focus, (rep, week, opened.focus)
            await diagnoses.diagnose(store, actor, rep, cycle(week), form, at(week, 1))

    async def one_on_one(
        self,
        manager: str,
        rep: str,
        week: int,
        *,
        drill: str = "objection_reframe",
        practice: int = 1,
        minutes: str = "",
        held: bool = True,
    ) -> None:
        form = one_on_ones.GrowInput(
            held=held,
            goal="Win the next step" if held else "",
            reality="Lost control" if held else "",
            options="One\nTwo\nThree" if held else "",
            commitment=f"Commitment of W{week}" if held else "",
            drill_choice=drill if held else "",
            practice_reps=str(practice) if held else "",
            accountability=f"the W{week} number" if held else "",
            follow_up_on=at(week, 9).date() if held else None,
            follow_up_check="the next 3 calls" if held else "",
            minutes=minutes,
        )
        async with acting_as(self.deps, TEAM_ID, manager, at(week, 2)) as (store, actor):
            await one_on_ones.log_one_on_one(
                store, Ledger(store.session), actor, rep, cycle(week), form, at(week, 2), "UTC"
            )

    async def recordings(self, rep: str, week: int, count: int) -> None:
        for n in range(count):
            async with acting_as(self.deps, TEAM_ID, rep, at(week, 3, 10 + n)) as (store, actor):
                await drill_reports.record_drill(
                    store, actor, f"{CLIP}&w={week}&n={n}", "", at(week, 3, 10 + n), "UTC"
                )

    async def score(self, manager: str, rep: str, week: int, score: int) -> None:
        async with acting_as(self.deps, TEAM_ID, manager, at(week + 1, 0, 10)) as (store, actor):
            await transfer_scores.score_transfer(
                store, actor, rep, cycle(week), score, at(week + 1, 0, 10)
            )

    async def note(self, author: str, rep: str, week: int, form: NoteInput) -> None:
        async with acting_as(self.deps, TEAM_ID, author, at(week, 3)) as (store, actor):
            await coaching_notes.save_note(
                store, Ledger(store.session), actor, rep, cycle(week), form, at(week, 3)
            )

    async def review(self, rep: str, week: int, ticked: tuple[str, ...]) -> None:
        form = coaching_reviews.ReviewInput(frozenset(ticked), "Good week")
        async with acting_as(self.deps, TEAM_ID, "U0DANA", at(week, 4)) as (store, actor):
            await coaching_reviews.save_review(
                store, Ledger(store.session), actor, rep, cycle(week), form, at(week, 4)
            )


OSKAR = {"outcome": "o", "know_how": "k", "affirm_action": "a", "review": "r"}
SBI = {
    "clip_url": CLIP,
    "situation": "Acme, 12:30",
    "behaviour": "Asked why twice",
    "impact": "The CFO named the cost",
}


async def play(s: Script) -> None:
    # Ana: Discovery for three weeks (levels 1, 2, 2; practice 2 each: 2, 1, 2 recordings;
    # scores 2, 3, 4). The 4 moves her on: W46 opens on Objection handling, the next
    # competency she isn't at 4 on; Discovery is rated 3 there. Objection handling: levels
    # 2, 2, 3; practice 1, 3, 2: recordings 1, 3, 1; scores 3, 3 (W48 not scored yet): W48
    # is its third week without a 4, so that prep asks to diagnose again. The W48 1:1 took 45
    # minutes and she got an SBI note.
    plan = [
        (43, "discovery", {"discovery": 1}, 2, 2, 2),
        (44, "discovery", {"discovery": 2}, 2, 1, 3),
        (45, "discovery", {"discovery": 2}, 2, 2, 4),
        (46, "objection_handling", {"objection_handling": 2, "discovery": 3}, 1, 1, 3),
        (47, "objection_handling", {"objection_handling": 2}, 3, 3, 3),
        (48, "objection_handling", {"objection_handling": 3}, 2, 1, None),
    ]
    for week, focus, levels, practice, done, score in plan:
        opens_on = focus if week > 43 else None  # the first diagnosis picks the focus
        await s.diagnose("U0MAYA", "U0ANA", week, focus, levels, expect_focus=opens_on)
        await s.one_on_one(
            "U0MAYA", "U0ANA", week, practice=practice, minutes="45" if week == 48 else ""
        )
        await s.recordings("U0ANA", week, done)
        if score is not None:
            await s.score("U0MAYA", "U0ANA", week, score)
    await s.note("U0MAYA", "U0ANA", 48, NoteInput("sbi", SBI))

    # Ben: Multi-threading throughout. Out of office in W45. In W46 a knowledge gap: the
    # assignment (done once, whatever number was typed). His W48 1:1 didn't happen.
    await s.diagnose("U0MAYA", "U0BEN", 43, "multi_threading", {"multi_threading": 2})
    await s.one_on_one("U0MAYA", "U0BEN", 43, drill="multi_threading")
    await s.recordings("U0BEN", 43, 1)
    await s.score("U0MAYA", "U0BEN", 43, 2)
    await s.diagnose(
        "U0MAYA",
        "U0BEN",
        44,
        "multi_threading",
        {"multi_threading": 2},
        expect_focus="multi_threading",
    )
    await s.one_on_one("U0MAYA", "U0BEN", 44, drill="multi_threading")
    async with acting_as(s.deps, TEAM_ID, "U0MAYA", at(44, 4)) as (store, maya):
        await pauses.pause(store, maya, "U0BEN", date(2026, 11, 8), at(44, 4), "UTC")
    await s.diagnose("U0MAYA", "U0BEN", 46, "multi_threading", {"multi_threading": 2}, knows=False)
    await s.one_on_one("U0MAYA", "U0BEN", 46, drill="legal_buying_process", practice=3)
    await s.recordings("U0BEN", 46, 1)
    await s.score("U0MAYA", "U0BEN", 46, 3)
    await s.diagnose(
        "U0MAYA",
        "U0BEN",
        47,
        "multi_threading",
        {"multi_threading": 3},
        expect_focus="multi_threading",
    )
    await s.one_on_one("U0MAYA", "U0BEN", 47, drill="multi_threading", practice=2)
    await s.recordings("U0BEN", 47, 2)
    await s.score("U0MAYA", "U0BEN", 47, 3)
    await s.diagnose(
        "U0MAYA",
        "U0BEN",
        48,
        "multi_threading",
        {"multi_threading": 3},
        expect_focus="multi_threading",
    )
    await s.one_on_one("U0MAYA", "U0BEN", 48, held=False)

    # Chen: Closing, held every week from W46, one recording each, scored 3.
    for week in (46, 47, 48):
        await s.diagnose("U0MAYA", "U0CHEN", week, "closing", {"closing": 1})
        await s.one_on_one("U0MAYA", "U0CHEN", week, drill="close_next_step")
        await s.recordings("U0CHEN", week, 1)
        if week < 48:
            await s.score("U0MAYA", "U0CHEN", week, 3)

    # Omar's team this week: Dev and Eve coached, Fay not logged; Fay's OSKAR notes (W47: 4,
    # W48: 6).
    for rep in ("U0DEV", "U0EVE"):
        await s.diagnose("U0OMAR", rep, 48, "closing", {"closing": 2})
        await s.one_on_one("U0OMAR", rep, 48, drill="close_next_step")
    await s.note("U0OMAR", "U0FAY", 47, NoteInput("oskar", OSKAR, "4"))
    await s.note("U0OMAR", "U0FAY", 48, NoteInput("oskar", OSKAR, "6"))

    # Dana reviews three 1:1s (see the checklist figures below).
    await s.review("U0ANA", 47, ("one_focus", "call_evidence", "rep_options", "measurable"))
    await s.review(
        "U0CHEN",
        48,
        ("one_focus", "call_evidence", "rep_options", "measurable", "follow_up", "talk_under_40"),
    )
    await s.review("U0DEV", 48, ("one_focus", "measurable", "follow_up"))


@pytest.fixture
async def team(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, ROSTER, ZONES, at(43, 0, 8)) as week:
        await play(Script(week))
        week.clock.set(at(48, 0, 0))
        await week.run_until(at(48, 5, 2))  # W48's messages, from Tuesday's prep to the digests
        yield week


async def scorecard(week: Week, reader: str, rep: str) -> str:
    since = week.sandbox.mark()
    await week.driver.click(reader, Action.OPEN_SCORECARD, f"{rep}|{cycle(48)}", message=HOME)
    call = await week.sandbox.wait_for_call("views.open", since=since)
    return blocks_to_text(call.args["view"]["blocks"])


def sections(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


# Ana, by hand. Ratings (oldest first): Discovery W43 1, W44 2, W45 2, W46 3; Objection
# handling W46 2, W47 2, W48 3. Counted weeks W45–W48: drills assigned 4; recorded as
# committed: W45 (2 of 2), W46 (1 of 1), W47 (3 of 3), not W48 (1 of 2) → 3/4. Since the
# focus began (W46–W48): 2/3. Last four scores: W44 3, W45 4, W46 3, W47 3; no 4 yet on this
# focus. Coaching time: W45–W47 a 30-minute 1:1 and a scored drill (35);
# W48 a 45-minute 1:1 and the SBI note (50), its drill not scored yet.
ANA_RUBRIC = "*Rubric:* Discovery 1 → 2 → 2 → 3/4, Objection handling 2 → 2 → 3/4"
ANA_PAGE = [
    "• *Discovery* 3/4 (1 → 2 → 2 → 3): Digs into the problem unasked: how often, what it "
    "costs, who feels it.",
    "• *Objection handling* 3/4 (2 → 2 → 3): Asks what is behind the objection before "
    "answering it.",
    "• *Multi-threading*: not rated yet",
    "• *Days 1–30* (since Mon Nov 9): *Objection handling*, week 3: level 3 now, target 4 "
    "(+1 per focus)",
    "• *Days 31–60* (from about Wed Dec 9): Multi-threading: not rated yet",
    "• *Days 61–90* (from about Fri Jan 8): Closing: not rated yet",
    "• 2026-W48: Commitment of W48 — and we hold the W48 number · Objection reframe: drill 1/2",
    "• 2026-W47: Commitment of W47 — and we hold the W47 number · Objection reframe: drill ✓",
    "*Transfer scores:* 3 → 4 → 3 → 3 · target 4+ within 3 weeks",
    "*Drills recorded as committed (4 weeks):* 3/4 (75%) · since this focus began: 2/3 (67%) · "
    "target 100%",
    "*Coaching time (last 4 weeks):* 35 min → 35 min → 35 min → 50 min",
]
# Ben: counted weeks W43, W44, W46, W47, W48 (W45 paused). The last four: W44 (assigned, no
# recording), W46 (the assignment, target 1: done), W47 (2 of 2), W48 (no 1:1) → 2/3. The
# focus run is every counted week (5): W43 ✓, W44 ✗, W46 ✓, W47 ✓ → 3/4. Multi-threading
# rated 2, 2, 2, 3, 3: the last four 2 → 2 → 3 → 3. Coaching time: W44 30 (unscored), W46
# 35, W47 35, W48 0 (the 1:1 didn't happen).
BEN_PAGE = [
    "• *Multi-threading* 3/4 (2 → 2 → 3 → 3): Has met the economic buyer and one more stakeholder.",
    "• *Days 1–30* (since Mon Oct 19): *Multi-threading*, week 5: level 3 now, target 4 "
    "(+1 per focus)",
    "• 2026-W46: Commitment of W46 — and we hold the W46 number · Learn the legal buying "
    "process: drill ✓",
    "*Transfer scores:* 2 → 3 → 3 · target 4+ within 3 weeks",
    "*Drills recorded as committed (4 weeks):* 2/3 (67%) · since this focus began: 3/4 (75%) · "
    "target 100%",
    "*Coaching time (last 4 weeks):* 30 min → 35 min → 35 min → 0 min",
]
# Maya this week: Ana 50 + Ben 0 + Chen 30 = 80 minutes over 3 reps (26.7 → 27). Omar: Dev
# 30 + Eve 30 + Fay 5 (the OSKAR note) = 65 over 3 (21.7 → 22). Coverage: Maya 2/3 (Ben's
# didn't happen), Omar 2/3 (Fay not logged), 4/6 in all. Checklist, by week of the 1:1
# W45–W48: Maya — → — → 4/6 → 6/6, 10/12 = 83% over 4 weeks; Omar W48 3/6 = 50%.
DANA_MANAGERS = (
    "<@U0MAYA>: 2/3 (67%) ⚑ — not coached: <@U0BEN>\n"
    "    coaching time: 80 min, 27 per rep\n"
    "    coaching checklist: — → — → 67% → 100% (4 weeks: 10/12 (83%))\n"
    "<@U0OMAR>: 2/3 (67%) ⚑ — not coached: <@U0FAY>\n"
    "    coaching time: 65 min, 22 per rep\n"
    "    coaching checklist: — → — → — → 50% (4 weeks: 3/6 (50%))"
)


async def test_the_reps_scorecards_match_the_hand_computed_six_weeks(team: Week) -> None:
    ana = await scorecard(team, "U0MAYA", "U0ANA")
    for line in ANA_PAGE:
        assert line in ana, line
    assert ana == await scorecard(team, "U0DANA", "U0ANA")  # the director reads the same
    own = await scorecard(team, "U0ANA", "U0ANA")
    assert "*Your scorecard*" in own and "*SBI*, 2026-W48" in own
    ben = await scorecard(team, "U0MAYA", "U0BEN")
    for line in BEN_PAGE:
        assert line in ben, line
    fay = await scorecard(team, "U0OMAR", "U0FAY")
    assert "OSKAR scaling 4 → 6/10" in fay
    assert "OSKAR" not in await scorecard(team, "U0FAY", "U0FAY")  # the rep doesn't see it
    refused = team.sandbox.mark()
    await team.driver.click("U0OMAR", Action.OPEN_SCORECARD, f"U0ANA|{cycle(48)}", message=HOME)
    assert not [c for c in team.sandbox.state.calls[refused:] if c.method == "views.open"]


async def test_the_digests_and_homes_match_the_hand_computed_six_weeks(team: Week) -> None:
    digest = blocks_to_text((await team.last_dm("U0ANA", Step.DIGEST))["blocks"])
    assert ANA_RUBRIC in digest
    assert "*This week's drill:* Objection reframe — 1/2 recorded" in digest
    assert "*Drills recorded (4 weeks):* 3/4 (75%) · since this focus began: 2/3 (67%)" in digest
    assert "*Focus:* Objection handling (week 3)" in digest
    assert ANA_RUBRIC in await home_text(team.sandbox, team.driver, "U0ANA")
    # Ana had 1 of the 2 recordings she committed to on Friday: nudged, and Maya told.
    check = await team.last_dm("U0ANA", Step.DRILL_CHECK)
    assert "You've recorded 1 of the 2 Objection reframe practice reps" in check["text"]
    assert "<@U0ANA>" in str((await team.last_dm("U0MAYA", Step.MANAGER_HEADS_UP))["blocks"])

    prep = sections(await team.last_dm("U0MAYA", Step.MANAGER_PREP))
    (ana_row,) = [row for row in prep if row.startswith("*<@U0ANA>*")]
    assert "Focus: *Objection handling* (week 3)" in ana_row
    assert "week 3 on this focus and no 4 yet" in ana_row
    maya = await home_text(team.sandbox, team.driver, "U0MAYA")
    assert "*Coverage this week:* 2/3 (67%)" in maya
    assert "*Coaching time this week:* 80 min, 27 per rep" in maya
    assert "@U0ANA — skill · Objection handling (wk 3) · 1:1 ✓ · drill 1/2 · transfer 3/5" in maya
    assert "@U0BEN — skill · Multi-threading (wk 5) · 1:1 didn't happen" in maya

    dana = await team.last_dm("U0DANA", Step.DIGEST)
    assert DANA_MANAGERS in sections(dana)
    assert "*Coverage across your managers:* 4/6 (67%)" in sections(dana)
    as_shown = DANA_MANAGERS.replace("<@", "@").replace(">", "")  # the Home's text
    assert as_shown in await home_text(team.sandbox, team.driver, "U0DANA")
