"""Use cases of the weekly loop: what reps and managers record, with every rule and check.

Store and clock in, records out; `UserError`/`FieldErrors` for anything refused (nothing is
written then). Slack shapes never reach this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from app.db.ledger import Ledger
from app.db.models import CustomDrill, Diagnosis, DrillReport, OneOnOne, Person, Submission
from app.db.store import Store
from app.rules import calendar, drills
from app.rules.diagnosis import ADVICE, TREE, proposed_gap
from app.rules.drills import BUILT_IN, Drill
from app.rules.evidence import MAX_DEALS, BadInput, Deal, check_moment, check_url
from app.rules.refusals import FieldErrors, NotAllowed, UserError
from app.rules.types import Gap, Role, Step
from app.services import access, escalations, team_schedules
from app.services.people import Actor
from app.services.week_plan import plan_once, zone

SNOOZE = timedelta(hours=2)
RUBRIC_LEVELS = ("1", "2", "3", "4")
NO_DRILL = "You have no drill assigned this week: your manager sets one when they log your 1:1."
MIN_OPTIONS = 3
_PRACTICE_REPS = re.compile(r"[0-9]{1,2}")  # ASCII digits: "²" is a digit to str.isdigit()
_CUSTOM_DRILL = re.compile(r"custom:[0-9]{1,18}")


def rep_cycle(person: Person, now: datetime, default_tz: str) -> str:
    """The cycle a person is in now: the ISO week of their local date."""
    return calendar.current_cycle(now, zone(person.tz, default_tz))


def local_date(person: Person, now: datetime, default_tz: str) -> date:
    return calendar.local_today(now, zone(person.tz, default_tz))


# --- Monday: the rep's deals ----------------------------------------------------------


@dataclass(frozen=True)
class DealDraft:
    """One deal as typed in the modal, before validation."""

    name: str = ""
    stage: str = ""
    clip_url: str = ""
    moment: str = ""
    happened: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            v.strip() for v in (self.name, self.stage, self.clip_url, self.moment, self.happened)
        )


def check_deals(drafts: list[DealDraft]) -> list[Deal]:
    """Validated deals, or FieldErrors keyed `deal{n}_{field}` (n from 1)."""
    errors: dict[str, str] = {}
    deals = []
    for n, draft in enumerate(drafts[:MAX_DEALS], start=1):
        if draft.empty:
            continue
        if not draft.name.strip():
            errors[f"deal{n}_name"] = "Name the deal (the account is enough)."
        try:
            url = check_url(draft.clip_url)
        except BadInput as exc:
            errors[f"deal{n}_clip_url"] = str(exc)
            url = ""
        try:
            moment = check_moment(draft.moment)
        except BadInput as exc:
            errors[f"deal{n}_moment"] = str(exc)
            moment = None
        deals.append(
            Deal(
                name=draft.name.strip()[:120],
                clip_url=url,
                stage=draft.stage.strip() or None,
                moment=moment,
                happened=draft.happened.strip() or None,
            )
        )
    if not deals and not errors:
        errors["deal1_name"] = "Add at least one deal with the clip of its key moment."
    if errors:
        raise FieldErrors(errors)
    return deals


def open_for_answers(rep: Person, cycle: str, now: datetime, default_tz: str) -> bool:
    """Deals can be shared or edited for this week and, late, for last week: never other weeks."""
    this_cycle = rep_cycle(rep, now, default_tz)
    return cycle in (this_cycle, calendar.previous_cycle(this_cycle))


async def record_deals(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    deals: list[Deal],
    source: str,
    now: datetime,
    default_tz: str,
) -> Submission:
    """Store (or replace) the rep's deals for a cycle. Editing and late answers always work."""
    rep = access.require_rep(actor)
    if rep.slack_user_id != rep_slack_user_id:
        raise NotAllowed("That form belongs to someone else: share your deals from your own DM.")
    if not open_for_answers(rep, cycle, now, default_tz):
        raise UserError("That week is closed: share this week's deals from your latest prompt.")
    if not deals:
        raise UserError(
            "I couldn't find a deal with a link in that: put each deal on its own line with "
            "its clip link, or use the Share my deals button."
        )
    return await store.save_submission(
        rep.id, cycle, [d.as_json() for d in deals[:MAX_DEALS]], source, now
    )


async def snooze_prompt(ledger: Ledger, rep: Person, cycle: str, now: datetime) -> datetime:
    """Ask again in two hours (once per cycle: a second click changes nothing)."""
    at = now + SNOOZE
    await plan_once(ledger, rep, Step.PROMPT_AGAIN, cycle, at, now)
    existing = await ledger.find(rep.id, Step.PROMPT_AGAIN, cycle)
    return existing.due_at if existing is not None else at


# --- Monday: the manager scores last week's drill ---------------------------------------


@dataclass(frozen=True)
class ScoreResult:
    rep: Person
    cycle: str
    score: int

    @property
    def ready_for_next_focus(self) -> bool:
        return self.score >= 4


async def score_transfer(
    store: Store, actor: Actor, rep_slack_user_id: str, cycle: str, score: int, now: datetime
) -> ScoreResult:
    if not 1 <= score <= 5:
        raise UserError("A skill transfer score is 1 to 5.")
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    await store.save_transfer_score(rep.id, cycle, score, me.id, now)
    return ScoreResult(rep, cycle, score)


# --- Tuesday: diagnosis -----------------------------------------------------------------


def focus_of(history: Sequence[Diagnosis]) -> tuple[str | None, int]:
    """The current focus skill and for how many consecutive diagnosed weeks it has held
    (`history` newest first)."""
    if not history:
        return None, 0
    focus = history[0].focus_skill
    weeks = 0
    for diagnosis in history:
        if diagnosis.focus_skill.strip().lower() != focus.strip().lower():
            break
        weeks += 1
    return focus, weeks


@dataclass(frozen=True)
class DiagnosisForm:
    """What the diagnosis modal starts from."""

    rep: Person
    deals: list[Deal]
    existing: Diagnosis | None
    next_focus: str | None  # suggested when moving the rep on after a transfer of 4+


async def diagnosis_form(
    store: Store, actor: Actor, rep_slack_user_id: str, cycle: str, *, moving_on: bool
) -> DiagnosisForm:
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    submission = (await store.submissions([rep.id], cycle)).get(rep.id)
    existing = (await store.diagnoses([rep.id], cycle)).get(rep.id)
    next_focus = None
    if moving_on:
        history = await store.diagnosis_history([rep.id], cycle)
        current, _ = focus_of(history.get(rep.id, []))
        next_focus = drills.next_competency(current)
    deals = [Deal.from_json(d) for d in submission.deals] if submission else []
    return DiagnosisForm(rep, deals, existing, next_focus)


@dataclass(frozen=True)
class DiagnosisInput:
    answers: dict[str, bool | None]
    gap_override: Gap | None
    focus_skill: str
    evidence_url: str = ""
    evidence_moment: str = ""
    evidence_quote: str = ""
    did: str = ""
    good_looks_like: str = ""
    manager_action: str = ""
    rubric_level: str = ""  # "1".."4" for the focus skill, or "" when not scored


def check_diagnosis(form: DiagnosisInput) -> dict[str, object]:
    """The values to store, or FieldErrors keyed by field name."""
    errors: dict[str, str] = {}
    gap = form.gap_override or proposed_gap(form.answers)
    if gap is None:
        first_open = next(q for q in TREE if form.answers.get(q.key) is None)
        errors[first_open.key] = "Answer this question, or pick the gap yourself below."
    if not form.focus_skill.strip():
        errors["focus_skill"] = "Pick the one skill to focus on (or type your own)."
    url = None
    if form.evidence_url.strip():
        try:
            url = check_url(form.evidence_url)
        except BadInput as exc:
            errors["evidence_url"] = str(exc)
    elif gap is not Gap.SYSTEM:
        errors["evidence_url"] = "No evidence, no coaching: paste the clip this is based on."
    try:
        moment = check_moment(form.evidence_moment)
    except BadInput as exc:
        errors["evidence_moment"] = str(exc)
        moment = None
    if gap is Gap.SYSTEM and not form.manager_action.strip():
        errors["manager_action"] = "A system gap is yours to fix: say what you'll escalate."
    level = form.rubric_level.strip()
    if level and level not in RUBRIC_LEVELS:
        errors["rubric_level"] = "Pick a rubric level from 1 to 4."
    if errors:
        raise FieldErrors(errors)
    assert gap is not None
    return {
        "answers": {q.key: form.answers.get(q.key) for q in TREE},
        "gap": gap,
        "focus_skill": form.focus_skill.strip()[:120],
        "evidence_url": url,
        "evidence_moment": moment,
        "evidence_quote": form.evidence_quote.strip() or None,
        "did": form.did.strip() or None,
        "good_looks_like": form.good_looks_like.strip() or None,
        "manager_action": form.manager_action.strip() or None,
        "rubric_level": int(level) if level else None,
    }


async def diagnose(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: DiagnosisInput,
    now: datetime,
) -> Diagnosis:
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    values = check_diagnosis(form)
    saved = await store.save_diagnosis(rep.id, cycle, {**values, "author_id": me.id}, now)
    await escalations.follow_diagnosis(
        store, rep, me, cycle, Gap(saved.gap), saved.manager_action, now
    )
    return saved


# --- Wednesday: the 1:1 notes -----------------------------------------------------------


@dataclass(frozen=True)
class GrowInput:
    held: bool = True
    goal: str = ""
    reality: str = ""
    options: str = ""  # one per line
    commitment: str = ""
    drill_choice: str = ""  # a built-in key, "custom:<id>", "new" or "" (none)
    new_drill_name: str = ""
    new_drill_scenario: str = ""
    new_drill_success: str = ""
    practice_reps: str = ""
    accountability: str = ""
    follow_up_on: date | None = None
    measurement: str = ""
    private_notes: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # what the form could not even parse


def _options(text: str) -> list[str]:
    return [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]


async def pick_drill(
    store: Store, workspace_id: int, form: GrowInput, now: datetime
) -> Drill | None:
    choice = form.drill_choice
    if not choice:
        return None
    if choice in BUILT_IN:
        return BUILT_IN[choice]
    if _CUSTOM_DRILL.fullmatch(choice):
        row = await store.custom_drill(workspace_id, int(choice.removeprefix("custom:")))
        return drills.custom(row) if row is not None else None
    if choice == "new":
        name = form.new_drill_name.strip()[:75]
        existing = {d.name.lower(): d for d in await store.custom_drills(workspace_id)}
        row = existing.get(name.lower())
        if row is None:
            row = CustomDrill(
                workspace_id=workspace_id,
                name=name,
                scenario=form.new_drill_scenario.strip(),
                what_to_say=None,
                success=form.new_drill_success.strip(),
                created_at=now,
            )
            store.add(row)
            await store.flush()
        return drills.custom(row)
    return None


def check_grow(form: GrowInput, gap: Gap | None, today: date) -> dict[str, str]:
    """Field errors of a GROW form (empty when it can be saved)."""
    errors = dict(form.errors)
    if not form.held:
        return errors
    for name, message in (
        ("goal", "Write the one outcome they'll change in a real deal."),
        ("reality", "Write what actually happened on the call."),
        ("commitment", "Write the commitment in the rep's own words."),
    ):
        if not getattr(form, name).strip():
            errors.setdefault(name, message)
    if len(_options(form.options)) < MIN_OPTIONS:
        errors.setdefault("options", "List at least three options, one per line.")
    needs_drill = gap is None or ADVICE[gap].rep_drill
    if needs_drill and not form.drill_choice:
        errors.setdefault("drill_choice", "Pick the drill they'll practise this week.")
    if form.drill_choice == "new":
        if not form.new_drill_name.strip():
            errors.setdefault("new_drill_name", "Name the new drill.")
        if not form.new_drill_scenario.strip():
            errors.setdefault("new_drill_scenario", "Describe the scenario to practise.")
        if not form.new_drill_success.strip():
            errors.setdefault("new_drill_success", "Say what success looks like.")
    reps = form.practice_reps.strip()
    if reps and (not _PRACTICE_REPS.fullmatch(reps) or not 1 <= int(reps) <= 20):
        errors.setdefault("practice_reps", "Practice reps is a number from 1 to 20.")
    if form.follow_up_on is not None and form.follow_up_on < today:
        errors.setdefault("follow_up_on", "Pick a follow-up date from today on.")
    return errors


@dataclass(frozen=True)
class GrowForm:
    """What the GROW modal starts from."""

    diagnosis: Diagnosis | None
    existing: OneOnOne | None
    custom_drills: list[Drill]
    follow_up: date  # default: the next 1:1, a week after this one


async def grow_form(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> GrowForm:
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    return GrowForm(
        diagnosis=(await store.diagnoses([rep.id], cycle)).get(rep.id),
        existing=(await store.one_on_ones([rep.id], cycle)).get(rep.id),
        custom_drills=[drills.custom(d) for d in await store.custom_drills(rep.workspace_id)],
        follow_up=calendar.monday_of(calendar.next_cycle(cycle)) + timedelta(days=2),
    )


@dataclass(frozen=True)
class LoggedOneOnOne:
    record: OneOnOne
    rep: Person
    drill: Drill | None
    gap: Gap | None


async def log_one_on_one(
    store: Store,
    ledger: Ledger,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    form: GrowInput,
    now: datetime,
    default_tz: str,
) -> LoggedOneOnOne:
    rep, me = await access.coached_rep(store, actor, rep_slack_user_id)
    diagnosis = (await store.diagnoses([rep.id], cycle)).get(rep.id)
    gap = Gap(diagnosis.gap) if diagnosis is not None else None
    errors = check_grow(form, gap, local_date(me, now, default_tz))
    if errors:
        raise FieldErrors(errors)
    drill = await pick_drill(store, rep.workspace_id, form, now) if form.held else None
    if gap is not None and not ADVICE[gap].rep_drill:
        drill = None  # a system gap is the manager's action, never the rep's drill
    values = {
        "author_id": me.id,
        "held": form.held,
        "goal": form.goal.strip() or None,
        "reality": form.reality.strip() or None,
        "options": _options(form.options),
        "commitment": form.commitment.strip() or None,
        "drill": drill.as_json() if drill else None,
        "practice_reps": int(form.practice_reps) if form.practice_reps.strip() else None,
        "accountability": form.accountability.strip() or None,
        "follow_up_on": form.follow_up_on,
        "measurement": form.measurement.strip() or None,
        "private_notes": form.private_notes.strip() or None,
    }
    record = await store.save_one_on_one(rep.id, cycle, values, now)
    if form.held:
        # The rep's card (commitment, drill, "did it help?") goes through the ledger:
        # exactly once, even on a resubmit.
        await plan_once(ledger, rep, Step.DRILL_CARD, cycle, now, now)
    return LoggedOneOnOne(record, rep, drill, gap)


@dataclass(frozen=True)
class NotesShown:
    """1:1 notes as one reader may see them: `private_notes` is only ever set for a coach."""

    rep: str
    cycle: str
    logged: bool
    held: bool = False
    goal: str | None = None
    reality: str | None = None
    options: tuple[str, ...] = ()
    commitment: str | None = None
    drill: str | None = None
    practice_reps: int | None = None
    accountability: str | None = None
    follow_up_on: date | None = None
    measurement: str | None = None
    private_notes: str | None = None


def shown_notes(
    rep: str, cycle: str, record: OneOnOne | None, *, coach: bool, private: bool = False
) -> NotesShown:
    """The rep sees what is meant for them (focus, commitment, drill, the number and the
    follow-up); a coach sees the whole GROW record; private notes only with `private`."""
    if record is None:
        return NotesShown(rep, cycle, logged=False)
    return NotesShown(
        rep,
        cycle,
        logged=True,
        held=record.held,
        goal=record.goal if coach else None,
        reality=record.reality if coach else None,
        options=tuple(record.options or ()) if coach else (),
        commitment=record.commitment,
        drill=Drill.from_json(record.drill).name if record.drill else None,
        practice_reps=record.practice_reps,
        accountability=record.accountability,
        follow_up_on=record.follow_up_on,
        measurement=record.measurement,
        private_notes=record.private_notes if coach and private else None,
    )


async def notes_for(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> NotesShown:
    """A rep's 1:1 notes. The rep sees their own, without the coaching record's working notes;
    their manager and director see the record; the private notes only their author and the
    author's director. Anyone else is refused."""
    me = actor.require_person()
    if me.slack_user_id == rep_slack_user_id and me.role is Role.REP:
        record = (await store.one_on_ones([me.id], cycle)).get(me.id)
        return shown_notes(rep_slack_user_id, cycle, record, coach=False)
    if me.role is Role.REP:
        raise NotAllowed("Those are someone else's 1:1 notes: you can only open your own.")
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    private = record is not None and await _may_read_private(store, me, record)
    return shown_notes(rep_slack_user_id, cycle, record, coach=True, private=private)


async def _may_read_private(store: Store, me: Person, record: OneOnOne) -> bool:
    """Private notes stay with whoever wrote them (and that person's director), even after
    the rep moves to another manager."""
    if record.author_id is None:
        return False
    if record.author_id == me.id:
        return True
    author = await store.person_by_id(record.author_id)
    return author is not None and author.manager_id == me.id


# --- Thursday/Friday: the drill ---------------------------------------------------------


@dataclass(frozen=True)
class DrillAssignment:
    rep: Person
    cycle: str
    drill: Drill
    commitment: str | None
    practice_reps: int | None
    due_on: date  # the day the manager hears who missed it (the team's heads-up)
    reports: list[DrillReport]


async def drill_due_on(store: Store, rep: Person, cycle: str) -> date:
    """When a rep's drill of `cycle` is due: the day their manager is told who hasn't
    recorded theirs (the team's heads-up: Friday, unless `/coach schedule` moved it)."""
    manager = await store.person_by_id(rep.manager_id) if rep.manager_id else None
    team = await team_schedules.team_schedule(store, rep.workspace_id, manager)
    weekday = team.schedule[Step.MANAGER_HEADS_UP].weekday
    return calendar.monday_of(cycle) + timedelta(days=weekday)


async def current_drill(
    store: Store, rep: Person, now: datetime, default_tz: str
) -> DrillAssignment | None:
    """This cycle's drill, or last cycle's while this week's 1:1 has not set a new one."""
    this_cycle = rep_cycle(rep, now, default_tz)
    for cycle in (this_cycle, calendar.previous_cycle(this_cycle)):
        record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
        if record is not None and record.held and record.drill:
            reports = (await store.drill_reports([rep.id], cycle)).get(rep.id, [])
            return DrillAssignment(
                rep=rep,
                cycle=cycle,
                drill=Drill.from_json(record.drill),
                commitment=record.commitment,
                practice_reps=record.practice_reps,
                due_on=await drill_due_on(store, rep, cycle),
                reports=list(reports),
            )
        if record is not None and cycle == this_cycle:
            return None  # this week's 1:1 set no drill (or did not happen)
    return None


async def drill_status(
    store: Store, actor: Actor, now: datetime, default_tz: str
) -> DrillAssignment | None:
    rep = access.require_rep(actor)
    return await current_drill(store, rep, now, default_tz)


async def drill_to_report(
    store: Store, actor: Actor, now: datetime, default_tz: str
) -> DrillAssignment:
    """The drill a rep is about to report; refused when there is none."""
    assignment = await drill_status(store, actor, now, default_tz)
    if assignment is None:
        raise UserError(NO_DRILL)
    return assignment


async def record_drill(
    store: Store, actor: Actor, link: str, note: str, now: datetime, default_tz: str
) -> DrillAssignment:
    """Add a recording of the rep's current drill; another link adds another, the same one
    (a double submission) changes nothing."""
    rep = access.require_rep(actor)
    try:
        url = check_url(link)
    except BadInput as exc:
        raise UserError(str(exc), block_id="link") from exc
    assignment = await current_drill(store, rep, now, default_tz)
    if assignment is None:
        raise UserError(NO_DRILL)
    await store.add_drill_report(rep.id, assignment.cycle, url, note.strip()[:1000] or None, now)
    reports = (await store.drill_reports([rep.id], assignment.cycle)).get(rep.id, [])
    return replace(assignment, reports=list(reports))


# --- pauses -----------------------------------------------------------------------------


async def _pausable(store: Store, actor: Actor, target_slack_user_id: str) -> Person:
    """Someone the actor may pause: their rep (or their managers' reps), or anyone, for an
    admin. Refused otherwise."""
    me = actor.require_person()
    found = await store.person(actor.workspace.id, target_slack_user_id)
    if found is None or not found.active:
        raise UserError(f"<@{target_slack_user_id}> isn't on the coaching roster.")
    if me.role is not Role.ADMIN and me.id not in await access.coaches_of(store, found):
        raise NotAllowed(
            f"Only <@{found.slack_user_id}>'s manager or a coach admin can pause them."
        )
    return found


async def may_pause(store: Store, actor: Actor, target_slack_user_id: str) -> Person:
    """The acting person, when they may pause this one (the pause form opens only then)."""
    await _pausable(store, actor, target_slack_user_id)
    return actor.require_person()


async def pause(
    store: Store,
    actor: Actor,
    target_slack_user_id: str | None,
    until: date,
    now: datetime,
    default_tz: str,
) -> Person:
    """Pause someone's loop through `until` (inclusive): they get nothing, miss nothing."""
    me = actor.require_person()
    if until < local_date(me, now, default_tz):
        raise UserError("Pick a date from today on.")
    if until > local_date(me, now, default_tz) + timedelta(days=366):
        raise UserError("Pauses last a year at most: pick an earlier date.")
    if target_slack_user_id is None or target_slack_user_id == me.slack_user_id:
        target = me
    else:
        target = await _pausable(store, actor, target_slack_user_id)
    target.paused_until = until
    target.updated_at = now
    starts_on = local_date(target, now, default_tz)
    await store.add_pause(target.id, starts_on, until, me.id, now)
    return target
