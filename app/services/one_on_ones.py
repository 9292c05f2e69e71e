"""Wednesday: the 1:1's GROW notes, the drill set there, and who may read the notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.db.ledger import Ledger
from app.db.models import CustomDrill, Diagnosis, OneOnOne, Person
from app.db.store import Store
from app.rules import calendar, coaching_time, drills
from app.rules.commitment import Commitment
from app.rules.diagnosis import ADVICE
from app.rules.drills import BUILT_IN, Drill, DrillKind
from app.rules.form_fields import NEW_DRILL, GrowField
from app.rules.frameworks import ONE_ON_ONE_FRAMEWORKS, Framework
from app.rules.frameworks import scaling_of as coaching_scaling
from app.rules.refusals import FieldErrors, NotAllowed, Refusal
from app.rules.types import Gap, Role, Step
from app.services import access
from app.services.crm_writes import plan_crm_write
from app.services.local_week import local_date
from app.services.people import Actor
from app.services.week_plan import plan_once

MIN_OPTIONS = 3
_PRACTICE_REPS = re.compile(r"[0-9]{1,2}")  # ASCII digits: "²" is a digit to str.isdigit()
_CUSTOM_DRILL = re.compile(r"custom:[0-9]{1,18}")


@dataclass(frozen=True)
class GrowInput:
    held: bool = True
    goal: str = ""
    reality: str = ""
    options: str = ""  # one per line
    commitment: str = ""
    drill_choice: str = ""  # a built-in key, "custom:<id>", NEW_DRILL or "" (none)
    new_drill_name: str = ""
    new_drill_scenario: str = ""
    new_drill_success: str = ""
    new_drill_script: str = ""
    practice_reps: str = ""
    accountability: str = ""  # the number we hold
    obstacles: str = ""
    follow_up_on: date | None = None
    follow_up_check: str = ""
    measurement: str = ""
    private_notes: str = ""
    minutes: str = ""  # the 1:1's length as typed ("" for the default)
    framework: str = ""  # "grow", "oskar" or "car" as picked ("" for GROW; untrusted)
    scaling: str = ""  # OSKAR's 1–10, as picked
    errors: dict[str, Refusal] = field(default_factory=dict)  # what the form couldn't parse


def _options(text: str) -> list[str]:
    return [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]


def kind_for(gap: Gap | None) -> DrillKind:
    """What a drill written for this gap is: knowing and agreeing are assignments, doing is
    practised."""
    return DrillKind.ASSIGNMENT if gap in (Gap.KNOWLEDGE, Gap.CLARITY) else DrillKind.ROLE_PLAY


async def pick_drill(
    store: Store, workspace_id: int, form: GrowInput, diagnosis: Diagnosis | None, now: datetime
) -> Drill | None:
    """The drill picked, or described: a new one is kept in the workspace's library, for the
    focus competency and the gap it was written for."""
    choice = form.drill_choice
    if not choice:
        return None
    if choice in BUILT_IN:
        return BUILT_IN[choice]
    if _CUSTOM_DRILL.fullmatch(choice):
        row = await store.custom_drill(workspace_id, int(choice.removeprefix("custom:")))
        return drills.custom(row) if row is not None else None
    if choice == NEW_DRILL:
        name = form.new_drill_name.strip()[:75]
        existing = {d.name.lower(): d for d in await store.custom_drills(workspace_id)}
        row = existing.get(name.lower())
        if row is None:
            gap = Gap(diagnosis.gap) if diagnosis else None
            row = CustomDrill(
                workspace_id=workspace_id,
                name=name,
                scenario=form.new_drill_scenario.strip(),
                what_to_say=form.new_drill_script.strip() or None,
                success=form.new_drill_success.strip(),
                competency_key=diagnosis.focus_key if diagnosis else None,
                gaps=[gap.value] if gap else None,
                kind=kind_for(gap).value,
                created_at=now,
            )
            store.add(row)
            await store.flush()
        return drills.custom(row)
    return None


# What a held 1:1 must leave written down, each refused under its own field when blank: the
# GROW record, the commitment with the number it is held to, and what its follow-up checks.
REQUIRED_TEXT = (
    (GrowField.GOAL, Refusal.WRITE_GOAL),
    (GrowField.REALITY, Refusal.WRITE_REALITY),
    (GrowField.COMMITMENT, Refusal.WRITE_COMMITMENT),
    (GrowField.ACCOUNTABILITY, Refusal.WRITE_THE_NUMBER),
    (GrowField.FOLLOW_UP_CHECK, Refusal.SAY_WHAT_YOU_CHECK),
)


def check_grow(form: GrowInput, gap: Gap | None, today: date) -> dict[str, Refusal]:
    """Field errors of a GROW form (empty when it can be saved)."""
    errors = dict(form.errors)
    if not form.held:
        return errors
    for name, refusal in REQUIRED_TEXT:
        if not getattr(form, name).strip():
            errors.setdefault(name, refusal)
    if len(_options(form.options)) < MIN_OPTIONS:
        errors.setdefault(GrowField.OPTIONS, Refusal.TOO_FEW_OPTIONS)
    needs_drill = gap is None or ADVICE[gap].rep_drill
    if needs_drill and not form.drill_choice:
        errors.setdefault(GrowField.DRILL_CHOICE, Refusal.PICK_DRILL)
    if form.drill_choice == NEW_DRILL:
        if not form.new_drill_name.strip():
            errors.setdefault(GrowField.NEW_DRILL_NAME, Refusal.NAME_NEW_DRILL)
        if not form.new_drill_scenario.strip():
            errors.setdefault(GrowField.NEW_DRILL_SCENARIO, Refusal.DESCRIBE_SCENARIO)
        if not form.new_drill_success.strip():
            errors.setdefault(GrowField.NEW_DRILL_SUCCESS, Refusal.SAY_SUCCESS)
    reps = form.practice_reps.strip()
    if reps and (not _PRACTICE_REPS.fullmatch(reps) or not 1 <= int(reps) <= 20):
        errors.setdefault(GrowField.PRACTICE_REPS, Refusal.PRACTICE_REPS_OUT_OF_RANGE)
    framework = form.framework or "grow"
    if framework not in ONE_ON_ONE_FRAMEWORKS:
        errors.setdefault(GrowField.FRAMEWORK, Refusal.PICK_FRAMEWORK)
    elif framework == Framework.OSKAR and coaching_scaling(form.scaling) is None:
        errors.setdefault(GrowField.SCALING, Refusal.PICK_SCALING)
    length = form.minutes.strip()
    if length and coaching_time.length_of(length) is None:
        errors.setdefault(GrowField.MINUTES, Refusal.ONE_ON_ONE_LENGTH)
    if form.follow_up_on is None:
        errors.setdefault(GrowField.FOLLOW_UP_ON, Refusal.PICK_FOLLOW_UP_DATE)
    elif form.follow_up_on < today:
        errors.setdefault(GrowField.FOLLOW_UP_ON, Refusal.FOLLOW_UP_IN_THE_PAST)
    return errors


@dataclass(frozen=True)
class GrowForm:
    """What the GROW modal starts from."""

    diagnosis: Diagnosis | None
    existing: OneOnOne | None
    custom_drills: list[Drill]
    follow_up: date  # default: the next 1:1, a week after this one
    suggested: Drill | None = None  # what the diagnosis points to


async def grow_form(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> GrowForm:
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    diagnosis = (await store.diagnoses([rep.id], cycle)).get(rep.id)
    own = [drills.custom(d) for d in await store.custom_drills(rep.workspace_id)]
    gap = Gap(diagnosis.gap) if diagnosis else None
    return GrowForm(
        diagnosis=diagnosis,
        existing=(await store.one_on_ones([rep.id], cycle)).get(rep.id),
        custom_drills=own,
        follow_up=calendar.monday_of(calendar.next_cycle(cycle)) + timedelta(days=2),
        suggested=drills.suggested(
            drills.library(own), diagnosis.focus_key if diagnosis else None, gap
        ),
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
    drill = await pick_drill(store, rep.workspace_id, form, diagnosis, now) if form.held else None
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
        # An assignment is done once: only a role-play is recorded a number of times.
        "practice_reps": (
            int(form.practice_reps)
            if form.practice_reps.strip() and not (drill and drill.assignment)
            else None
        ),
        "accountability": form.accountability.strip() or None,
        "obstacles": form.obstacles.strip() or None,
        "follow_up_on": form.follow_up_on,
        "follow_up_check": form.follow_up_check.strip() or None,
        "measurement": form.measurement.strip() or None,
        "private_notes": form.private_notes.strip() or None,
        "minutes": coaching_time.length_of(form.minutes) if form.held else None,
        "framework": form.framework if form.held and form.framework != "grow" else None,
        "scaling": coaching_scaling(form.scaling) if form.framework == Framework.OSKAR else None,
    }
    record = await store.save_one_on_one(rep.id, cycle, values, now)
    if form.held:
        # The rep's card (commitment, drill, "did it help?") goes through the ledger:
        # exactly once, even on a resubmit.
        await plan_once(ledger, rep, Step.DRILL_CARD, cycle, now, now)
    # The drill on the week's CRM deals (and last week's reset), once the notes are in.
    await plan_crm_write(store, ledger, rep, Step.CRM_DRILL_SET, cycle, now)
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
    commitment: Commitment | None = None  # with the number, the obstacles and the follow-up
    drill: str | None = None
    practice_reps: int | None = None
    private_notes: str | None = None
    framework: str = "grow"  # how the 1:1 was run: "grow", "oskar" or "car"
    scaling: int | None = None  # OSKAR's 1–10: the rep's own answer


def shown_notes(
    rep: str, cycle: str, record: OneOnOne | None, *, coach: bool, private: bool = False
) -> NotesShown:
    """The rep sees what is meant for them (the commitment with the number, what could get
    in the way, the follow-up, the drill); a coach sees the whole GROW record; private notes
    only with `private`."""
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
        commitment=Commitment.of(record),
        drill=Drill.from_json(record.drill).name if record.drill else None,
        practice_reps=record.practice_reps,
        private_notes=record.private_notes if coach and private else None,
        framework=record.framework or "grow",
        scaling=record.scaling,
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
        raise NotAllowed(Refusal.NOT_YOUR_NOTES)
    rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    return await shown_to_coach(store, me, rep_slack_user_id, cycle, record)


async def shown_to_coach(
    store: Store, me: Person, rep_slack_user_id: str, cycle: str, record: OneOnOne | None
) -> NotesShown:
    """The record as one of the rep's coaches (checked by the caller) may see it: whole, and
    the private notes only if `me` wrote them or leads whoever did."""
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
