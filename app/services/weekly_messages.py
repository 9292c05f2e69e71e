"""What each step of the week says, decided at send time from what is recorded by then.

`compose` returns a plain model for the renderer, or a `Skip` with the reason when the
message is no longer needed (the rep already answered, nobody missed the drill …): nobody
is nudged for what they already did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.db.ledger import Claimed, Ledger
from app.db.models import Person
from app.db.store import Store
from app.rules import agenda, calendar, focus
from app.rules.agenda import ONE_ON_ONE_MINUTES, OneOnOnePlan
from app.rules.call_stats import CallNumbers
from app.rules.commitment import Commitment
from app.rules.drills import Drill
from app.rules.evidence import Deal
from app.rules.practice import Practice, practice
from app.rules.types import DeliveryStatus, Gap, Role, Step
from app.services import call_evidence, coaching_notes, coaching_reviews, deals, team_schedules
from app.services.call_evidence import RepEvidence
from app.services.coaching_notes import NoteShown
from app.services.coaching_reviews import ReviewMessage
from app.services.deals import PickableDeal
from app.services.digests import Digest, digest_for
from app.services.drill_reports import DrillAssignment, current_drill, drill_due_on
from app.services.feedback import CoachedDeal, coached_deals_of

# A reminder right after a late prompt would be noise.
REMINDER_GAP = timedelta(hours=2)


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class DealPrompt:
    rep: str  # Slack user id
    cycle: str
    week_of: date  # the Monday of the week the deals are from
    reminder: bool = False
    coached_cycle: str = ""  # last week, whose coached deals are asked about
    coached: tuple[CoachedDeal, ...] = ()  # not answered yet
    recorded_calls: int | None = None  # the recorder's calls of that week; None: no recorder


@dataclass(frozen=True)
class ReviewItem:
    rep: str
    drill: str
    commitment: Commitment | None
    recordings: tuple[str, ...]


@dataclass(frozen=True)
class DrillReview:
    manager: str
    cycle: str  # the cycle whose drills are scored
    items: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class PrepRow:
    rep: str
    deals: tuple[Deal, ...] | None  # None: no submission
    focus: str | None
    weeks_on_focus: int
    last_score: int | None
    diagnosed: Gap | None
    paused_until: date | None
    rediagnose: bool = False  # week 3 or later on the focus and no drill scored 4+ yet
    evidence: RepEvidence | None = None  # from the call recorder, when it knows the rep
    pipeline: tuple[PickableDeal, ...] = ()  # the rep's open CRM deals, when there is a CRM


@dataclass(frozen=True)
class TeamPrep:
    manager: str
    cycle: str
    rows: tuple[PrepRow, ...]
    team_numbers: CallNumbers | None = None  # the team's call averages that week


@dataclass(frozen=True)
class AgendaItem:
    rep: str
    gap: Gap | None
    focus: str | None
    evidence_url: str | None
    evidence_moment: str | None
    last_commitment: Commitment | None
    last_drill_recorded: bool | None  # None: no drill last week
    logged: bool
    pipeline: tuple[PickableDeal, ...] = ()  # the rep's open CRM deals, when there is a CRM
    plan: OneOnOnePlan | None = None  # the two halves and their minutes; None: no diagnosis
    manager_action: str | None = None  # a system gap: what the manager escalates


@dataclass(frozen=True)
class ManagerAgenda:
    manager: str
    cycle: str
    items: tuple[AgendaItem, ...]
    minutes: int = ONE_ON_ONE_MINUTES  # each 1:1


@dataclass(frozen=True)
class RepAgenda:
    rep: str
    manager: str
    cycle: str
    focus: str | None
    last_commitment: Commitment | None
    has_deals: bool
    plan: OneOnOnePlan | None = None  # this week's halves; None: no diagnosis yet


@dataclass(frozen=True)
class NotesNudge:
    manager: str
    cycle: str
    reps: tuple[str, ...]


@dataclass(frozen=True)
class DrillCheck:
    rep: str
    cycle: str
    drill: Drill
    commitment: Commitment | None
    due_on: date
    practice: Practice  # recordings in against those committed to


@dataclass(frozen=True)
class DrillCard:
    """After a held 1:1: the rep's commitment, their drill (if any) and the 1–10 question."""

    rep: str
    cycle: str
    drill: Drill | None
    commitment: Commitment | None
    practice_reps: int | None
    due_on: date
    practice: Practice  # recordings in so far against those committed to

    @classmethod
    def of(cls, assignment: DrillAssignment) -> DrillCard:
        """The card of a drill being recorded, as it stands after the latest recording."""
        return cls(
            assignment.rep.slack_user_id,
            assignment.cycle,
            assignment.drill,
            assignment.commitment,
            assignment.practice_reps,
            assignment.due_on,
            assignment.practice,
        )


@dataclass(frozen=True)
class Missed:
    rep: str
    drill: str
    reminded: bool  # their drill check went out (coach reminded them)
    practice: Practice  # recordings in against those committed to


@dataclass(frozen=True)
class HeadsUp:
    manager: str
    cycle: str
    missed: tuple[Missed, ...]
    drill_check: str  # when the team's drill check goes out, e.g. "Fri 12:00"


Composed = (
    DealPrompt
    | DrillReview
    | TeamPrep
    | ManagerAgenda
    | RepAgenda
    | NotesNudge
    | DrillCheck
    | DrillCard
    | HeadsUp
    | ReviewMessage
    | NoteShown
    | Digest
    | Skip
)


async def _reps(store: Store, manager: Person) -> list[Person]:
    return [p for p in await store.reports_of([manager.id]) if p.role is Role.REP]


async def _team(store: Store, manager: Person, cycle: str) -> list[Person]:
    """The manager's reps who are not paused in this cycle."""
    reps = await _reps(store, manager)
    monday = calendar.monday_of(cycle)
    return [r for r in reps if not calendar.is_paused(r.paused_until, monday)]


async def _deal_prompt(
    store: Store, ledger: Ledger, person: Person, claim: Claimed, now: datetime, default_tz: str
) -> Composed:
    cycle = claim.cycle_week
    if claim.kind is Step.REP_PROMPT:
        return (await _first_prompts(store, [person], cycle, default_tz))[person.id]
    if (await store.submissions([person.id], cycle)).get(person.id) is not None:
        return Skip("already_answered")
    prompt = await ledger.find(person.id, Step.REP_PROMPT, cycle)
    if prompt is None or prompt.status is not DeliveryStatus.SENT or prompt.sent_at is None:
        return Skip("no_prompt_sent")
    if claim.kind is Step.REP_REMINDER and now - prompt.sent_at < REMINDER_GAP:
        return Skip("prompt_just_sent")
    return DealPrompt(person.slack_user_id, cycle, _week_of(cycle), reminder=True)


def _week_of(cycle: str) -> date:
    """The Monday of the week a cycle's prompt asks about: the one before."""
    return calendar.monday_of(cycle) - timedelta(days=7)


async def _first_prompts(
    store: Store, reps: Sequence[Person], cycle: str, default_tz: str
) -> dict[int, Composed]:
    """The week's first deal prompt of each of these reps of one workspace (person id →
    prompt, or a Skip for who has answered already), read together."""
    answered = await store.submissions([rep.id for rep in reps], cycle)
    found: dict[int, Composed] = {rep.id: Skip("already_answered") for rep in reps}
    waiting = [rep for rep in reps if rep.id not in answered]
    if not waiting:
        return found
    last = calendar.previous_cycle(cycle)
    coached = await coached_deals_of(store, waiting, last)
    evidence = await call_evidence.team_evidence(
        store, waiting[0].workspace_id, waiting, cycle, default_tz
    )
    for rep in waiting:
        rep_evidence = evidence.reps.get(rep.id) if evidence is not None else None
        found[rep.id] = DealPrompt(
            rep.slack_user_id,
            cycle,
            _week_of(cycle),
            False,
            last,
            tuple(d for d in coached.get(rep.id, ()) if d.moved is None),
            len(rep_evidence.calls) if rep_evidence is not None else None,
        )
    return found


async def _drill_review(store: Store, manager: Person, cycle: str) -> Composed:
    scored_cycle = calendar.previous_cycle(cycle)
    team = await _team(store, manager, cycle)
    ids = [r.id for r in team]
    reports = await store.drill_reports(ids, scored_cycle)
    notes = await store.one_on_ones(ids, scored_cycle)
    scores = await store.transfer_scores(ids, scored_cycle)
    items = []
    for rep in team:
        record = notes.get(rep.id)
        if rep.id not in reports or rep.id in scores or record is None or not record.drill:
            continue
        items.append(
            ReviewItem(
                rep.slack_user_id,
                Drill.from_json(record.drill).name,
                Commitment.of(record),
                tuple(r.url for r in reports[rep.id]),
            )
        )
    if not items:
        return Skip("no_drills_to_score")
    return DrillReview(manager.slack_user_id, scored_cycle, tuple(items))


async def team_prep(store: Store, manager: Person, cycle: str, default_tz: str) -> TeamPrep:
    reps = await _reps(store, manager)
    ids = [r.id for r in reps]
    evidence = await call_evidence.team_evidence(
        store, manager.workspace_id, reps, cycle, default_tz
    )
    submissions = await store.submissions(ids, cycle)
    pipelines = await deals.open_deals_of(store, reps) if reps else {}
    history = await store.diagnosis_history(ids, cycle)
    this_week = await store.diagnoses(ids, cycle)
    scores = await store.transfer_history(ids, cycle)
    monday = calendar.monday_of(cycle)
    rows = []
    for rep in reps:
        submission = submissions.get(rep.id)
        run = focus.current_run([d for d in history.get(rep.id, []) if d.cycle_week < cycle])
        rep_scores = scores.get(rep.id, {})
        rows.append(
            PrepRow(
                rep=rep.slack_user_id,
                deals=tuple(Deal.from_json(d) for d in submission.deals) if submission else None,
                focus=run.name,
                weeks_on_focus=run.weeks,
                last_score=list(rep_scores.values())[-1] if rep_scores else None,
                rediagnose=focus.advice(run, rep_scores).rediagnose,
                diagnosed=Gap(this_week[rep.id].gap) if rep.id in this_week else None,
                paused_until=rep.paused_until
                if calendar.is_paused(rep.paused_until, monday)
                else None,
                evidence=evidence.reps.get(rep.id) if evidence else None,
                pipeline=tuple(pipelines.get(rep.id, [])),
            )
        )
    team_numbers = evidence.team if evidence else None
    return TeamPrep(manager.slack_user_id, cycle, tuple(rows), team_numbers)


async def manager_agenda(
    store: Store, manager: Person, cycle: str, minutes: int = ONE_ON_ONE_MINUTES
) -> ManagerAgenda:
    team = await _team(store, manager, cycle)
    ids = [r.id for r in team]
    diagnoses = await store.diagnoses(ids, cycle)
    history = await store.diagnosis_history(ids, cycle)
    last = calendar.previous_cycle(cycle)
    last_notes = await store.one_on_ones(ids, last)
    last_reports = await store.drill_reports(ids, last)
    logged = await store.one_on_ones(ids, cycle)
    pipelines = await deals.open_deals_of(store, team) if team else {}
    items = []
    for rep in team:
        diagnosis = diagnoses.get(rep.id)
        held_focus = focus.current_run(history.get(rep.id, [])).name
        previous = last_notes.get(rep.id)
        had_drill = previous is not None and previous.held and bool(previous.drill)
        items.append(
            AgendaItem(
                rep=rep.slack_user_id,
                gap=Gap(diagnosis.gap) if diagnosis else None,
                focus=diagnosis.focus_skill if diagnosis else held_focus,
                evidence_url=diagnosis.evidence_url if diagnosis else None,
                evidence_moment=diagnosis.evidence_moment if diagnosis else None,
                last_commitment=Commitment.of(previous),
                last_drill_recorded=(rep.id in last_reports) if had_drill else None,
                logged=rep.id in logged,
                pipeline=tuple(pipelines.get(rep.id, [])),
                plan=agenda.plan(Gap(diagnosis.gap), minutes) if diagnosis else None,
                manager_action=diagnosis.manager_action if diagnosis else None,
            )
        )
    return ManagerAgenda(manager.slack_user_id, cycle, tuple(items), minutes)


async def _rep_agenda(
    store: Store, rep: Person, cycle: str, minutes: int = ONE_ON_ONE_MINUTES
) -> Composed:
    if rep.manager_id is None:
        return Skip("no_manager")
    manager = await store.person_by_id(rep.manager_id)
    if manager is None:
        return Skip("no_manager")
    history = (await store.diagnosis_history([rep.id], cycle)).get(rep.id, [])
    held_focus = focus.current_run(history).name
    diagnosis = next((d for d in history if d.cycle_week == cycle), None)  # newest first
    previous = (await store.one_on_ones([rep.id], calendar.previous_cycle(cycle))).get(rep.id)
    has_deals = (await store.submissions([rep.id], cycle)).get(rep.id) is not None
    return RepAgenda(
        rep.slack_user_id,
        manager.slack_user_id,
        cycle,
        held_focus,
        Commitment.of(previous),
        has_deals,
        agenda.plan(Gap(diagnosis.gap), minutes) if diagnosis else None,
    )


async def _notes_nudge(store: Store, manager: Person, cycle: str) -> Composed:
    team = await _team(store, manager, cycle)
    logged = await store.one_on_ones([r.id for r in team], cycle)
    missing = tuple(r.slack_user_id for r in team if r.id not in logged)
    return NotesNudge(manager.slack_user_id, cycle, missing) if missing else Skip("all_logged")


async def drill_misses(store: Store, manager: Person, cycle: str) -> tuple[Missed, ...]:
    """Reps of this manager with a drill this cycle and fewer recordings of it than they
    committed to, and whether coach's drill check reached each of them."""
    team = await _team(store, manager, cycle)
    ids = [r.id for r in team]
    notes = await store.one_on_ones(ids, cycle)
    reports = await store.drill_reports(ids, cycle)
    missing = [
        (rep, drill, done)
        for rep in team
        if rep.id in notes
        and notes[rep.id].held
        and (drill := notes[rep.id].drill)
        and not (done := practice(len(reports.get(rep.id, [])), notes[rep.id].practice_reps)).met
    ]
    reminded = await store.delivered([rep.id for rep, _, _ in missing], Step.DRILL_CHECK, cycle)
    return tuple(
        Missed(rep.slack_user_id, Drill.from_json(drill).name, rep.id in reminded, done)
        for rep, drill, done in missing
    )


async def _drill_check(
    store: Store, rep: Person, claim: Claimed, now: datetime, default_tz: str
) -> Composed:
    assignment = await current_drill(store, rep, now, default_tz)
    if assignment is None or assignment.cycle != claim.cycle_week:
        return Skip("no_drill_assigned")
    if assignment.practice.met:
        return Skip("drill_recorded")  # as many recordings as committed to
    return DrillCheck(
        rep.slack_user_id,
        assignment.cycle,
        assignment.drill,
        assignment.commitment,
        assignment.due_on,
        assignment.practice,
    )


async def drill_card(store: Store, rep: Person, cycle: str) -> DrillCard | None:
    """The rep's drill card of `cycle` (None without a held 1:1), with the practice counted
    so far."""
    record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    if record is None or not record.held:
        return None
    recordings = len((await store.drill_reports([rep.id], cycle)).get(rep.id, []))
    return DrillCard(
        rep.slack_user_id,
        cycle,
        Drill.from_json(record.drill) if record.drill else None,
        Commitment.of(record),
        record.practice_reps,
        await drill_due_on(store, rep, cycle),
        practice(recordings, record.practice_reps),
    )


async def compose(
    store: Store,
    ledger: Ledger,
    claim: Claimed,
    person: Person | None,
    now: datetime,
    default_tz: str,
) -> Composed:
    """What `person`, the delivery's recipient, gets for this claim (or why nothing)."""
    if person is None or not person.active:
        return Skip("not_on_roster")
    cycle = claim.cycle_week
    kind = claim.kind
    if kind in (Step.REP_PROMPT, Step.REP_REMINDER, Step.PROMPT_AGAIN):
        return await _deal_prompt(store, ledger, person, claim, now, default_tz)
    if kind is Step.MANAGER_REVIEW:
        return await _drill_review(store, person, cycle)
    if kind is Step.MANAGER_PREP:
        prep = await team_prep(store, person, cycle, default_tz)
        return prep if prep.rows else Skip("no_reps")
    if kind is Step.ONE_ON_ONE:
        if person.role is Role.REP:
            return await _rep_agenda(store, person, cycle)
        agenda = await manager_agenda(store, person, cycle)
        return agenda if agenda.items else Skip("no_reps")
    if kind is Step.NOTES_NUDGE:
        return await _notes_nudge(store, person, cycle)
    if kind is Step.DRILL_CHECK:
        return await _drill_check(store, person, claim, now, default_tz)
    if kind is Step.DRILL_CARD:
        card = await drill_card(store, person, cycle)
        return card if card is not None else Skip("no_one_on_one_held")
    if kind is Step.FEEDBACK_NOTE:
        note = await coaching_notes.feedback_message(store, person, claim.subject_id)
        return note if note is not None else Skip("no_note")
    if kind is Step.COACHING_REVIEW:
        review = await coaching_reviews.review_message(store, person, claim.subject_id)
        return review if review is not None else Skip("no_review")
    if kind is Step.DIGEST:
        digest = await digest_for(store, person, cycle, now, default_tz)
        return Skip("nothing_to_report") if digest.empty else digest
    if kind is Step.MANAGER_HEADS_UP:
        missed = await drill_misses(store, person, cycle)
        if not missed:
            return Skip("nobody_missed")
        team = await team_schedules.team_schedule(store, person.workspace_id, person)
        check = team.schedule[Step.DRILL_CHECK].label
        return HeadsUp(person.slack_user_id, cycle, missed, check)
    return Skip(f"not_a_message:{kind.value}")


async def compose_many(
    store: Store,
    ledger: Ledger,
    claims: Sequence[Claimed],
    people: Mapping[int, Person],
    now: datetime,
    default_tz: str,
) -> dict[int, Composed]:
    """`compose` for each of these claims (delivery id → what its recipient gets; `people`
    by id holds the recipients found). The week's first deal prompts, a Monday's bulk, are
    read together for each workspace and week: a few statements for the lot."""
    found: dict[int, Composed] = {}
    firsts: dict[tuple[int, str], list[Claimed]] = {}
    for claim in claims:
        person = people.get(claim.person_id)
        if claim.kind is Step.REP_PROMPT and person is not None and person.active:
            firsts.setdefault((person.workspace_id, claim.cycle_week), []).append(claim)
        else:
            found[claim.id] = await compose(store, ledger, claim, person, now, default_tz)
    for (_, cycle), group in firsts.items():
        prompts = await _first_prompts(
            store, [people[claim.person_id] for claim in group], cycle, default_tz
        )
        found |= {claim.id: prompts[claim.person_id] for claim in group}
    return found
