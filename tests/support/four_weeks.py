"""The scripted four-week team, recorded through the real use cases (tests/e2e/test_scorecards.py
works out every figure by hand; the exports are checked against the same weeks).

Weeks 2026-W45 … W48 (Mondays Nov 2, 9, 16, 23); "now" is Friday of W48. Maya coaches Ana,
Ben, Chen and Dev; Omar coaches Eve; Dana directs both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.db.ledger import Ledger
from app.demo.simulation import acting_as
from app.rules.evidence import Deal
from app.rules.rubric import DEFAULT_RUBRIC, matching_name
from app.services import (
    coaching_reviews,
    deals,
    diagnoses,
    drill_reports,
    feedback,
    one_on_ones,
    pauses,
    transfer_scores,
)
from tests.support.factories import TEAM_ID
from tests.support.week import Week

ROSTER = """slack_user_id,role,manager_slack_user_id,timezone
U0DANA,director,,America/New_York
U0MAYA,manager,U0DANA,America/Los_Angeles
U0OMAR,manager,U0DANA,Europe/Berlin
U0ANA,rep,U0MAYA,America/Los_Angeles
U0BEN,rep,U0MAYA,America/New_York
U0CHEN,rep,U0MAYA,Europe/Berlin
U0DEV,rep,U0MAYA,Asia/Kolkata
U0EVE,rep,U0OMAR,Europe/London
"""
ZONES = {
    "U0DANA": "America/New_York",
    "U0MAYA": "America/Los_Angeles",
    "U0OMAR": "Europe/Berlin",
    "U0ANA": "America/Los_Angeles",
    "U0BEN": "America/New_York",
    "U0CHEN": "Europe/Berlin",
    "U0DEV": "Asia/Kolkata",
    "U0EVE": "Europe/London",
}
MONDAY = {
    45: date(2026, 11, 2),
    46: date(2026, 11, 9),
    47: date(2026, 11, 16),
    48: date(2026, 11, 23),
}
CLIP = "https://app.gong.io/call?id=1"


def at(week: int, day: int, hour: int = 12) -> datetime:
    """A moment of week `week` (day 0 = Monday), in UTC: noon suits every zone here."""
    return datetime.combine(MONDAY[week] + timedelta(days=day), datetime.min.time(), UTC) + (
        timedelta(hours=hour)
    )


class Script:
    def __init__(self, week: Week) -> None:
        self.deps = week.deps
        self.levels: dict[tuple[str, str], int] = {}  # what the form carries over

    async def deals(self, rep: str, week: int, names: tuple[str, ...]) -> None:
        async with acting_as(self.deps, TEAM_ID, rep, at(week, 0)) as (store, actor):
            shared = [Deal(name, CLIP) for name in names]
            cycle = f"2026-W{week}"
            await deals.record_deals(store, actor, rep, cycle, shared, "modal", at(week, 0), "UTC")

    async def diagnose(
        self, manager: str, rep: str, week: int, focus: str, *, can_do: bool = False, level: int = 0
    ) -> None:
        """A diagnosis on `focus` (a built-in's name); the focus is rated `level`, or as it
        was last time (2 the first time), as the form carries it over."""
        answers = {"can_do": can_do, "knows": True, "clear": True, "math_works": True}
        competency = matching_name(DEFAULT_RUBRIC, focus)
        assert competency is not None
        rated = level or self.levels.get((rep, competency.key), 2)
        self.levels[(rep, competency.key)] = rated
        form = diagnoses.DiagnosisInput(
            answers=answers,  # type: ignore[arg-type]
            gap_override=None,
            focus=competency.key,
            evidence_url=CLIP,
            levels={competency.key: str(rated)},
        )
        async with acting_as(self.deps, TEAM_ID, manager, at(week, 1)) as (store, actor):
            await diagnoses.diagnose(store, actor, rep, f"2026-W{week}", form, at(week, 1))

    async def one_on_one(
        self, manager: str, rep: str, week: int, *, held: bool = True, drill: bool = True
    ) -> None:
        form = one_on_ones.GrowInput(
            held=held,
            goal="Win the next step" if held else "",
            reality="Lost control" if held else "",
            options="One\nTwo\nThree" if held else "",
            commitment=f"Commitment {rep} W{week}" if held else "",
            drill_choice="objection_reframe" if held and drill else "",
            accountability=f"the number of {rep} W{week}" if held else "",
            follow_up_on=at(week, 2).date() + timedelta(days=7) if held else None,
            follow_up_check="the next 3 calls" if held else "",
        )
        async with acting_as(self.deps, TEAM_ID, manager, at(week, 2)) as (store, actor):
            ledger = Ledger(store.session)
            await one_on_ones.log_one_on_one(
                store, ledger, actor, rep, f"2026-W{week}", form, at(week, 2), "UTC"
            )

    async def recording(self, rep: str, week: int) -> None:
        async with acting_as(self.deps, TEAM_ID, rep, at(week, 3)) as (store, actor):
            await drill_reports.record_drill(
                store, actor, f"{CLIP}&drill={week}", "", at(week, 3), "UTC"
            )

    async def score(self, manager: str, rep: str, week: int, score: int) -> None:
        async with acting_as(self.deps, TEAM_ID, manager, at(week + 1, 0)) as (store, actor):
            await transfer_scores.score_transfer(
                store, actor, rep, f"2026-W{week}", score, at(week + 1, 0)
            )

    async def helpful(self, rep: str, week: int, score: int) -> None:
        async with acting_as(self.deps, TEAM_ID, rep, at(week, 2, 20)) as (store, actor):
            await feedback.rate_one_on_one(store, actor, rep, f"2026-W{week}", score, at(week, 2))

    async def moved(self, rep: str, week: int, answers: tuple[bool, ...]) -> None:
        async with acting_as(self.deps, TEAM_ID, rep, at(week + 1, 0)) as (store, actor):
            for index, moved in enumerate(answers):
                await feedback.record_deal_progress(
                    store, actor, rep, f"2026-W{week}", index, moved, at(week + 1, 0)
                )

    async def review(self, rep: str, week: int, ticked: tuple[str, ...]) -> None:
        """Dana reviews a 1:1 of one of her managers, on the Friday of its week."""
        form = coaching_reviews.ReviewInput(frozenset(ticked), "")
        async with acting_as(self.deps, TEAM_ID, "U0DANA", at(week, 4)) as (store, actor):
            await coaching_reviews.save_review(
                store, Ledger(store.session), actor, rep, f"2026-W{week}", form, at(week, 4)
            )

    async def pause(self, manager: str, rep: str, on: datetime, until: date) -> None:
        async with acting_as(self.deps, TEAM_ID, manager, on) as (store, actor):
            await pauses.pause(store, actor, rep, until, on, "UTC")


async def play(s: Script) -> None:
    # Ana: every drill recorded, transfer stuck at 2 on Discovery; out of office in W47.
    await s.deals("U0ANA", 45, ("Acme", "Globex"))
    await s.diagnose("U0MAYA", "U0ANA", 45, "Discovery", level=1)
    await s.one_on_one("U0MAYA", "U0ANA", 45)
    await s.helpful("U0ANA", 45, 7)
    await s.recording("U0ANA", 45)
    await s.score("U0MAYA", "U0ANA", 45, 2)
    await s.moved("U0ANA", 45, (True, False))
    await s.deals("U0ANA", 46, ("Initech",))
    await s.diagnose("U0MAYA", "U0ANA", 46, "Discovery")
    await s.one_on_one("U0MAYA", "U0ANA", 46)
    await s.helpful("U0ANA", 46, 8)
    await s.recording("U0ANA", 46)
    await s.score("U0MAYA", "U0ANA", 46, 2)
    await s.moved("U0ANA", 46, (True,))
    await s.pause("U0MAYA", "U0ANA", at(46, 5), date(2026, 11, 22))
    await s.diagnose("U0MAYA", "U0ANA", 48, "Discovery", level=2)
    await s.one_on_one("U0MAYA", "U0ANA", 48)
    await s.helpful("U0ANA", 48, 6)
    await s.recording("U0ANA", 48)

    # Ben: reached 4 in his second week on Closing, records one drill in three.
    for week in (45, 46, 47):
        await s.diagnose("U0MAYA", "U0BEN", week, "Closing")
        await s.one_on_one("U0MAYA", "U0BEN", week)
    await s.helpful("U0BEN", 45, 9)
    await s.recording("U0BEN", 46)
    await s.score("U0MAYA", "U0BEN", 46, 4)
    await s.diagnose("U0MAYA", "U0BEN", 48, "Closing")
    await s.one_on_one("U0MAYA", "U0BEN", 48, held=False)

    # Chen: half the drills, transfer 3 and 3: flat.
    for week in (45, 46, 47, 48):
        await s.diagnose("U0MAYA", "U0CHEN", week, "Objection handling")
        await s.one_on_one("U0MAYA", "U0CHEN", week)
    for week in (45, 47):
        await s.recording("U0CHEN", week)
        await s.score("U0MAYA", "U0CHEN", week, 3)

    # Dev: coached in W46, out of office this week.
    await s.diagnose("U0MAYA", "U0DEV", 46, "Multi-threading", can_do=True)
    await s.one_on_one("U0MAYA", "U0DEV", 46)
    await s.recording("U0DEV", 46)
    await s.score("U0MAYA", "U0DEV", 46, 3)
    await s.pause("U0MAYA", "U0DEV", at(47, 5), date(2026, 11, 29))

    # Eve (Omar's team): coached this week.
    await s.diagnose("U0OMAR", "U0EVE", 48, "Closing")
    await s.one_on_one("U0OMAR", "U0EVE", 48)

    # Dana reviews some of the 1:1s (coaching the coaches); see DANA_MANAGERS.
    await s.review("U0ANA", 45, ("one_focus", "call_evidence", "measurable", "follow_up"))
    await s.review("U0BEN", 45, ("one_focus", "rep_options"))
    await s.review(
        "U0CHEN", 47, ("one_focus", "call_evidence", "rep_options", "measurable", "talk_under_40")
    )
    await s.review(
        "U0ANA",
        48,
        ("one_focus", "call_evidence", "rep_options", "measurable", "follow_up", "talk_under_40"),
    )
    await s.review("U0EVE", 48, ("one_focus", "call_evidence", "follow_up"))
