"""After the week: the guard rails (private notes, forged clicks and signatures, bad input)
and what the week recorded, read back from the database and the sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db.models import Delivery, Diagnosis, DrillReport, OneOnOne, Submission
from app.db.store import Store
from app.demo.narration import NAMES
from app.demo.scenes import DemoWeek
from app.demo.team import ANA, BEN, MAYA, REPS
from app.rules.types import MESSAGES, DeliveryStatus, Step
from app.services.roster import plural
from app.slack.ids import Action
from app.slack.metadata import RepRef


async def show_guard_rails(week: DemoWeek, cycle: str) -> None:
    show = week.show
    show.step("Guard rails")
    card = await week.sim.last_dm(ANA, Step.DRILL_CARD)
    own = await week.driver.open_modal(ANA, card, Action.VIEW_NOTES)
    show.line("Ana taps “My 1:1 notes” on her drill card and sees (no private notes):")
    show.block(own["blocks"])
    full = await week.driver.open_modal(MAYA, card, Action.VIEW_NOTES)
    has_private = "senior role" in str(full["blocks"])
    show.line(
        f"Maya opening the same notes also sees her private notes: {has_private} "
        "(not printed here)."
    )
    since = len(week.box.state.responses)
    await week.driver.click(
        BEN, Action.VIEW_NOTES, RepRef(ANA, cycle).dump(), message={"ts": "1.0", "blocks": []}
    )
    refusal = (await week.box.wait_for_response(since=since))["text"]
    show.line(f"Ben forges a click on Ana's “My 1:1 notes” button → only he sees: {refusal}")
    answer = await week.driver.command(BEN, "/drill", "done not-a-link")
    show.line(f"Ben types `/drill done not-a-link` → {answer.json()['text']}")
    forged = await week.driver.command(BEN, "/drill", "status", secret="not-the-secret")
    show.line(f"A request signed with the wrong secret → HTTP {forged.status}; nothing changed.")


@dataclass(frozen=True)
class Recorded:
    """This cycle's records, by person id."""

    submissions: dict[int, Submission]
    diagnoses: dict[int, Diagnosis]
    notes: dict[int, OneOnOne]
    drills: dict[int, list[DrillReport]]

    def of(self, person_id: int) -> str:
        """One rep's week in a line: deals, diagnosis, 1:1, drill."""
        return rep_record(
            self.submissions.get(person_id),
            self.diagnoses.get(person_id),
            self.notes.get(person_id),
            self.drills.get(person_id),
        )


def rep_record(
    deals: Submission | None,
    diagnosis: Diagnosis | None,
    note: OneOnOne | None,
    drills: list[DrillReport] | None,
) -> str:
    parts = [
        f"{plural(len(deals.deals), 'deal')} by {deals.source}" if deals else "no deals",
        f"{diagnosis.gap} gap, focus {diagnosis.focus_skill}" if diagnosis else "no diagnosis",
        ("1:1 held" if note.held else "1:1 not held") if note else "no 1:1 notes",
        f"drill recorded ({len(drills)})" if drills else "no drill recording",
    ]
    return "; ".join(parts)


async def show_summary(week: DemoWeek, cycle: str) -> int:
    """What the week recorded, per rep; returns how many scheduled DMs were sent."""
    show = week.show
    show.step("What the week recorded")
    async with week.sim.deps.db() as session:
        store = Store(session)
        ids = {p.id: p.slack_user_id for p in await store.people((await store.workspaces())[0].id)}
        recorded = Recorded(
            await store.submissions(ids, cycle),
            await store.diagnoses(ids, cycle),
            await store.one_on_ones(ids, cycle),
            await store.drill_reports(ids, cycle),
        )
        sent = await session.scalar(
            select(func.count()).where(
                Delivery.status == DeliveryStatus.SENT, Delivery.kind.in_(MESSAGES)
            )
        )
        totals = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (Submission, Diagnosis, OneOnOne, DrillReport)
        }
    for person_id, rep in sorted(ids.items(), key=lambda kv: NAMES[kv[1]]):
        if rep in REPS:
            show.line(f"• {NAMES[rep]}: " + recorded.of(person_id))
    show.line(f"Rows in the database, this week and last: {totals}")
    return int(sent or 0)


async def show_done(week: DemoWeek, sent: int) -> None:
    """The run's last line: every DM once, every Slack call accepted."""
    show = week.show
    twice = week.sim.posted_twice()
    calls = week.box.state.calls
    duplicates = "no duplicates" if not twice else f"{len(twice)} DUPLICATED"
    show.line(
        f"\nDone: {sent} scheduled DMs reached Slack ({duplicates}); the bot made {len(calls)} "
        f"Slack Web API calls, all accepted by the sandbox: {all(c.ok for c in calls)}."
    )
