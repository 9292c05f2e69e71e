"""The sample team's week, day by day: who does what, at which moment (UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.demo import form_values as forms
from app.demo.crm_deals import PICKED
from app.demo.scenes import DemoWeek
from app.demo.team import ANA, BEN, CHEN, DANA, DEV, EVE, MAYA, OMAR
from app.rules.types import Step
from app.slack.ids import Action

H = timedelta(hours=1)


async def play_week(week: DemoWeek, monday: datetime) -> None:
    """Monday to Friday's digests, ticking the outbox every half hour in between."""
    day = [monday + timedelta(days=n) for n in range(7)]
    await monday_deals(week, day[0])
    await tuesday_diagnoses(week, day[1])
    await wednesday_one_on_ones(week, day[2])
    await thursday_friday_drills(week, day[3], day[4])
    await week.until(day[5] + 2 * H)


async def monday_deals(week: DemoWeek, day: datetime) -> None:
    week.show.step("Monday: deals with the clip of the key moment")
    await week.scene(day + 8.5 * H, lambda: week.snooze(CHEN))
    await week.scene(
        day + 10 * H,
        lambda: week.reply(
            DEV,
            "Zenith Bank (negotiation) https://us-67.gong.io/call?id=88 14:20 - procurement "
            "asked for 20% off",
            in_thread_of=Step.REP_REMINDER,
        ),
    )
    await week.scene(
        day + 11 * H, lambda: week.share_in_modal(CHEN, Step.PROMPT_AGAIN, forms.chen_deals())
    )
    await week.scene(
        day + 14.5 * H,
        lambda: week.reply(
            BEN,
            "1. Globex (discovery) https://acme.zoom.us/rec/2 4:05 - champion went quiet\n"
            "2. Umbrella (proposal) https://app.gong.io/call?id=31 22:10 - no next step agreed",
        ),
    )
    await week.scene(day + 17.5 * H, lambda: week.score(MAYA, ANA, 4))
    await week.scene(
        day + 18 * H,
        lambda: week.share_in_modal(ANA, Step.REP_PROMPT, forms.ana_deals(PICKED)),
    )


async def tuesday_diagnoses(week: DemoWeek, day: datetime) -> None:
    week.show.step("Tuesday: one gap per rep")

    async def omar_diagnoses() -> None:
        await week.diagnose(OMAR, CHEN, forms.chen_diagnosis())
        await week.diagnose(OMAR, DEV, forms.dev_diagnosis())
        await week.diagnose(OMAR, EVE, forms.eve_diagnosis())

    async def maya_diagnoses() -> None:
        await week.diagnose(MAYA, ANA, forms.ana_diagnosis())
        await week.diagnose(MAYA, BEN, forms.ben_diagnosis())

    await week.scene(day + 8.5 * H, omar_diagnoses)
    await week.scene(day + 17.5 * H, maya_diagnoses)


async def wednesday_one_on_ones(week: DemoWeek, day: datetime) -> None:
    week.show.step("Wednesday: the 1:1s and their notes")

    async def omar_logs() -> None:
        chen = forms.grow(
            "Reframe price to cost of delay on my next three calls",
            "objection_reframe",
            number="the Initech deal at proposal, at list price, by Friday",
            check="discounts offered on the next 3 pricing calls",
            target="none",
            obstacles="Initech's procurement asks for a discount before I reach the CFO",
            practice=3,
            private="Wants to move to enterprise next year",
        )
        await week.log_notes(OMAR, CHEN, Step.ONE_ON_ONE, chen)
        dev = forms.grow(
            "Learn the three outcomes our best customers bought for and name one on the Zenith "
            "call",
            "discovery_outcomes",
            number="the Zenith deal with its business outcome named, in the buyer's words",
            check="the three outcomes, each with one customer's number",
        )
        await week.log_notes(OMAR, DEV, Step.ONE_ON_ONE, dev)

    async def omar_logs_eve() -> None:
        await week.not_held(OMAR, EVE)

    async def maya_logs() -> None:
        ana = forms.grow(
            "Name the cost of delay before any discount talk on my next two CFO calls",
            "objection_reframe",
            number="$65K at Contract Sent: Acme renewal and Globex expansion by Fri Dec 18",
            check="the scorecard: both deals' stage and amount",
            target="$65K at Contract Sent",
            obstacles="Acme's CFO is out until Tuesday",
            private="Ready for a senior role soon",
        )
        await week.log_notes(MAYA, ANA, Step.ONE_ON_ONE, ana)
        ben = forms.grow(
            "Get a second stakeholder on the Globex call",
            "multi_threading",
            number="the $60K Umbrella platform deal at Presentation Scheduled by Friday",
            check="buyers on each Globex and Umbrella call",
            target="2 or more",
            practice=2,
        )
        await week.log_notes(MAYA, BEN, Step.ONE_ON_ONE, ben)

    await week.scene(day + 10 * H, omar_logs)
    await week.scene(day + 16.5 * H, omar_logs_eve)
    await week.scene(day + 19 * H, maya_logs)


async def thursday_friday_drills(week: DemoWeek, thursday: datetime, friday: datetime) -> None:
    week.show.step(
        "Thursday and Friday: the drill, quick feedback on a clip, and a director reviews a 1:1"
    )
    await week.scene(
        thursday + 9 * H,
        lambda: week.reply_and_tap(
            CHEN,
            "did my drill, here it is https://chorus.ai/meeting/4420",
            Action.REPLY_AS_DRILL,
            "Record as my drill",
        ),
    )
    await week.scene(
        thursday + 14 * H,
        lambda: week.drill_done(CHEN, "done https://chorus.ai/meeting/4431 second try"),
    )
    await week.scene(thursday + 15 * H, lambda: week.chat(BEN, "thanks, see you Wednesday!"))
    await week.scene(thursday + 16 * H, lambda: week.chat(BEN, "👍"))
    await week.scene(
        thursday + 16.5 * H,
        lambda: week.review(
            DANA,
            MAYA,
            ANA,
            ("one_focus", "call_evidence", "rep_options", "measurable"),
            "Strong: one skill, coached from a real call. Set the follow-up date before you "
            "close, and ask before you tell: Ana should do most of the talking.",
        ),
    )
    await week.scene(thursday + 17.5 * H, lambda: week.feedback(MAYA, BEN, forms.ben_feedback()))
    await week.scene(
        thursday + 18 * H, lambda: week.drill_done(ANA, "done https://app.gong.io/call?id=9")
    )
    await week.scene(
        friday + 7 * H, lambda: week.drill_done_button(DEV, "https://us-67.gong.io/call?id=95")
    )
