"""Slack payload text → typed input. Bad input raises a typed refusal (UserError or
FieldErrors) with the facts its sentence names; app.slack.render.refusal_text words it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from app.rules.diagnosis import TREE
from app.rules.evidence import MAX_DEALS
from app.rules.form_fields import (
    EVERY_TEAM,
    CompetencyField,
    CrmField,
    DealField,
    DiagnosisField,
    DrillDoneField,
    GrowField,
    PauseField,
    RecorderField,
    ReviewField,
    RosterField,
    ScheduleField,
    deal_field,
)
from app.rules.frameworks import FRAMEWORK_FIELD, SCALING_FIELD, SPECS
from app.rules.refusals import FieldErrors, Refusal, UserError
from app.rules.rubric import LEVELS
from app.rules.types import SLACK_USER_ID, WEEKDAY_NAMES, Gap, Role, Step, StepTime, as_typed
from app.rules.weekly_steps import STEP_WORDS
from app.rules.working_days import WorkingHours
from app.services.coaching_notes import NoteInput
from app.services.coaching_reviews import ReviewInput
from app.services.deals import DealDraft
from app.services.diagnoses import DiagnosisInput
from app.services.one_on_ones import GrowInput
from app.services.rubric import CompetencyInput
from app.slack.ids import INPUT_ACTION_ID

# With should_escape on, Slack sends mentions as <@U123|name>; people may also paste raw ids.
_MENTION = re.compile(rf"<@({SLACK_USER_ID.pattern})(?:\|[^>]*)?>|({SLACK_USER_ID.pattern})")


@dataclass(frozen=True)
class CoachCommand:
    verb: str  # add | move | remove | pause | schedule | holidays | hours | status | export | help
    person: str | None = None
    role: Role | None = None
    manager: str | None = None
    until: date | None = None
    step: Step | None = None
    when: StepTime | None = None
    change: str | None = None  # holidays: region | none | add | remove; hours: set | off
    country: str | None = None
    region: str | None = None
    day: date | None = None
    hours: WorkingHours | None = None


def split_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = as_typed(text if isinstance(text, str) else "").split()
    return (words[0].lower() if words else ""), words[1:]


def user_id(word: str, what: str) -> str:
    match = _MENTION.fullmatch(word.strip())
    if match is None:
        raise UserError(Refusal.NOT_A_PERSON, word=word, what=what)
    return match.group(1) or match.group(2)


def parse_coach(text: str | None) -> CoachCommand:
    verb, args = split_subcommand(text)
    if verb in ("", "help"):
        return CoachCommand("help")
    if verb == "add":
        if len(args) not in (2, 3):
            raise UserError(Refusal.ADD_USAGE)
        role_word = args[1].lower()
        if role_word not in Role._value2member_map_:
            raise UserError(Refusal.NOT_A_ROLE, word=args[1])
        manager = user_id(args[2], "the manager") if len(args) == 3 else None
        return CoachCommand("add", user_id(args[0], "the person"), Role(role_word), manager)
    if verb == "move":
        if len(args) != 2:
            raise UserError(Refusal.MOVE_USAGE)
        return CoachCommand(
            "move", user_id(args[0], "the person"), manager=user_id(args[1], "the new manager")
        )
    if verb == "remove":
        if len(args) != 1:
            raise UserError(Refusal.REMOVE_USAGE)
        return CoachCommand("remove", user_id(args[0], "the person"))
    if verb == "pause":
        if len(args) != 3 or args[1].lower() != "until":
            raise UserError(Refusal.PAUSE_USAGE)
        return CoachCommand("pause", user_id(args[0], "the person"), until=pause_date(args[2]))
    if verb == "schedule":
        return parse_schedule(args)
    if verb == "holidays":
        return parse_holidays(args)
    if verb == "hours":
        return parse_hours(args)
    if verb == "status" and args:
        raise UserError(Refusal.STATUS_USAGE)
    if verb == "export":
        if len(args) > 1:
            raise UserError(Refusal.EXPORT_USAGE)
        return CoachCommand("export", user_id(args[0], "the person") if args else None)
    return CoachCommand(verb)  # unknown: the listener answers with help


_STEP_ALIASES = {"1on1": "1:1", "one-on-one": "1:1", "oneonone": "1:1"}
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def parse_schedule(args: list[str]) -> CoachCommand:
    if not args:
        return CoachCommand("schedule")
    if len(args) not in (3, 4):
        raise UserError(Refusal.SCHEDULE_USAGE)
    word = _STEP_ALIASES.get(args[0].lower(), args[0].lower())
    if word not in STEP_WORDS:
        raise UserError(Refusal.NOT_A_STEP, word=args[0])
    days = [name.lower() for name in WEEKDAY_NAMES]
    day = next((n for n, name in enumerate(days) if args[1].lower() in (name, name[:3])), None)
    if day is None:
        raise UserError(Refusal.NOT_A_WEEKDAY, word=args[1])
    clock = _CLOCK.fullmatch(args[2])
    if clock is None:
        raise UserError(Refusal.NOT_A_TIME, word=args[2])
    when = StepTime(day, time(int(clock.group(1)), int(clock.group(2))))
    team = user_id(args[3], "the team's manager") if len(args) == 4 else None
    return CoachCommand("schedule", manager=team, step=STEP_WORDS[word], when=when)


def parse_holidays(args: list[str]) -> CoachCommand:
    """`holidays`, `holidays <country> [region]`, `holidays none`, `holidays add|remove
    <date>`, each but the first with an optional `@manager` last (one team)."""
    if not args:
        return CoachCommand("holidays")
    # The team comes last: a mention, or a raw id past the words the change takes (a region
    # such as WLS looks like an id, so only a <@mention> is taken in its place).
    words = {"none": 1, "add": 2, "remove": 2}.get(args[0].lower(), 2)
    team = None
    if len(args) > 1 and (args[-1].startswith("<@") or len(args) > words):
        team, args = user_id(args[-1], "the team's manager"), args[:-1]
    change = args[0].lower()
    if change == "none" and len(args) == 1:
        return CoachCommand("holidays", manager=team, change="none")
    if change in ("add", "remove") and len(args) == 2:
        return CoachCommand("holidays", manager=team, change=change, day=pause_date(args[1]))
    if change in ("add", "remove", "none") or len(args) > 2 or not args[0].isalpha():
        raise UserError(Refusal.HOLIDAYS_USAGE)
    region = args[1] if len(args) == 2 else None
    return CoachCommand("holidays", manager=team, change="region", country=args[0], region=region)


_HOURS = re.compile(rf"({_CLOCK.pattern})\s*[-–]\s*({_CLOCK.pattern})")


def parse_hours(args: list[str]) -> CoachCommand:
    """`hours`, `hours off`, or `hours HH:MM-HH:MM` (start before end)."""
    if not args:
        return CoachCommand("hours")
    if len(args) == 1 and args[0].lower() == "off":
        return CoachCommand("hours", change="off")
    found = _HOURS.fullmatch(" ".join(args))
    if found is None:
        raise UserError(Refusal.HOURS_USAGE)
    start = time(int(found.group(2)), int(found.group(3)))
    end = time(int(found.group(5)), int(found.group(6)))
    if start >= end:
        raise UserError(Refusal.HOURS_USAGE)
    return CoachCommand("hours", change="set", hours=WorkingHours(start, end))


def pause_date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError as exc:
        raise UserError(Refusal.NOT_A_DATE, word=word) from exc


@dataclass(frozen=True)
class DrillCommand:
    verb: str  # done | status | pause | export | help | anything else (answered with help)
    link: str = ""
    note: str = ""
    until: date | None = None


def parse_drill(text: str | None) -> DrillCommand:
    verb, args = split_subcommand(text)
    if verb == "done":
        if not args:
            raise UserError(Refusal.DRILL_DONE_USAGE)
        return DrillCommand("done", link=args[0], note=" ".join(args[1:]))
    if verb == "pause":
        if len(args) != 2 or args[0].lower() != "until":
            raise UserError(Refusal.DRILL_PAUSE_USAGE)
        return DrillCommand("pause", until=pause_date(args[1]))
    return DrillCommand(verb or "help")


# --- modal state ------------------------------------------------------------------------
# A submitted view's state is untrusted like the rest of a payload: each reader checks the
# type of what it takes, so an odd shape reads as an empty field, never a traceback.
VALUE = INPUT_ACTION_ID
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The state of a block's one element (most inputs' action_id is VALUE; one that
    refreshes its form when changed has an action id of its own)."""
    block = values.get(block_id)
    if not isinstance(block, dict):
        return {}
    element = block.get(VALUE)
    if element is None and len(block) == 1:
        element = next(iter(block.values()))
    return element if isinstance(element, dict) else {}


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return as_typed(value) if isinstance(value, str) else ""


def text_of(values: dict[str, Any], block_id: str) -> str:
    return _string(_value(values, block_id), "value")


def choice_of(values: dict[str, Any], block_id: str) -> str:
    selected = _value(values, block_id).get("selected_option")
    return _string(selected, "value") if isinstance(selected, dict) else ""


def checked(values: dict[str, Any], block_id: str) -> set[str]:
    options = _value(values, block_id).get("selected_options")
    if not isinstance(options, list):
        return set()
    return {_string(o, "value") for o in options if isinstance(o, dict)} - {""}


def date_of(values: dict[str, Any], block_id: str) -> date | None:
    """The picked date, None when none is picked; a date that is not one is refused under
    its field."""
    raw = _string(_value(values, block_id), "selected_date")
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise FieldErrors({block_id: Refusal.PICK_CALENDAR_DATE}) from None


def user_of(values: dict[str, Any], block_id: str) -> str | None:
    """A picked person's id, None when nobody is picked or it is not a user id."""
    picked = _string(_value(values, block_id), "selected_user")
    return picked if SLACK_USER_ID.fullmatch(picked) else None


def state(view: dict[str, Any]) -> dict[str, Any]:
    held = view.get("state") if isinstance(view, dict) else None
    values = held.get("values") if isinstance(held, dict) else None
    return values if isinstance(values, dict) else {}


def read_deals(view: dict[str, Any]) -> list[DealDraft]:
    values = state(view)
    return [
        DealDraft(
            name=text_of(values, deal_field(n, DealField.NAME)),
            stage=text_of(values, deal_field(n, DealField.STAGE)),
            clip_url=text_of(values, deal_field(n, DealField.CLIP_URL)),
            moment=text_of(values, deal_field(n, DealField.MOMENT)),
            happened=text_of(values, deal_field(n, DealField.HAPPENED)),
            call=choice_of(values, deal_field(n, DealField.CALL)),
            crm=choice_of(values, deal_field(n, DealField.CRM)),
        )
        for n in range(1, MAX_DEALS + 1)
    ]


def read_diagnosis(view: dict[str, Any]) -> DiagnosisInput:
    values = state(view)
    answers: dict[str, bool | None] = {
        q.key: {"yes": True, "no": False}.get(choice_of(values, q.key)) for q in TREE
    }
    override = choice_of(values, DiagnosisField.GAP_OVERRIDE)
    return DiagnosisInput(
        answers=answers,
        gap_override=Gap(override) if override in Gap._value2member_map_ else None,
        focus=choice_of(values, DiagnosisField.FOCUS_SKILL),
        evidence_url=text_of(values, DiagnosisField.EVIDENCE_URL),
        evidence_call=choice_of(values, DiagnosisField.EVIDENCE_CALL),
        evidence_moment=text_of(values, DiagnosisField.EVIDENCE_MOMENT),
        evidence_quote=text_of(values, DiagnosisField.EVIDENCE_QUOTE),
        did=text_of(values, DiagnosisField.DID),
        good_looks_like=text_of(values, DiagnosisField.GOOD_LOOKS_LIKE),
        manager_action=text_of(values, DiagnosisField.MANAGER_ACTION),
        levels=_ratings(values),
    )


def _ratings(values: dict[str, Any]) -> dict[str, str]:
    """Competency key → the level picked, from the rating blocks the form holds (which
    competencies there are is the store's to say: unknown keys are dropped there)."""
    prefix = f"{DiagnosisField.RUBRIC_LEVEL.value}:"
    return {
        block_id.removeprefix(prefix): choice_of(values, block_id)
        for block_id in values
        if isinstance(block_id, str) and block_id.startswith(prefix)
    }


def read_grow(view: dict[str, Any]) -> GrowInput:
    values = state(view)
    errors: dict[str, Refusal] = {}
    try:
        follow_up = date_of(values, GrowField.FOLLOW_UP_ON)
    except FieldErrors as refused:
        follow_up = None
        errors.update(refused.errors)
    return GrowInput(
        goal=text_of(values, GrowField.GOAL),
        reality=text_of(values, GrowField.REALITY),
        options=text_of(values, GrowField.OPTIONS),
        commitment=text_of(values, GrowField.COMMITMENT),
        drill_choice=choice_of(values, GrowField.DRILL_CHOICE),
        new_drill_name=text_of(values, GrowField.NEW_DRILL_NAME),
        new_drill_scenario=text_of(values, GrowField.NEW_DRILL_SCENARIO),
        new_drill_success=text_of(values, GrowField.NEW_DRILL_SUCCESS),
        new_drill_script=text_of(values, GrowField.NEW_DRILL_SCRIPT),
        practice_reps=text_of(values, GrowField.PRACTICE_REPS),
        accountability=text_of(values, GrowField.ACCOUNTABILITY),
        obstacles=text_of(values, GrowField.OBSTACLES),
        follow_up_on=follow_up,
        follow_up_check=text_of(values, GrowField.FOLLOW_UP_CHECK),
        measurement=text_of(values, GrowField.MEASUREMENT),
        private_notes=text_of(values, GrowField.PRIVATE_NOTES),
        minutes=text_of(values, GrowField.MINUTES),
        framework=choice_of(values, GrowField.FRAMEWORK),
        scaling=choice_of(values, GrowField.SCALING),
        errors=errors,
    )


def read_review(view: dict[str, Any]) -> ReviewInput:
    """A director's review: the items ticked (checked against the checklist by the use case)
    and the note."""
    values = state(view)
    return ReviewInput(
        ticked=frozenset(checked(values, ReviewField.CHECKLIST)),
        note=text_of(values, ReviewField.NOTE),
    )


def read_drill_done(view: dict[str, Any]) -> tuple[str, str]:
    values = state(view)
    return text_of(values, DrillDoneField.LINK), text_of(values, DrillDoneField.NOTE)


def read_schedule(view: dict[str, Any]) -> tuple[Step, StepTime, str | None]:
    """The schedule form: which step, when, and for whose team (None: every team)."""
    values = state(view)
    word, day = choice_of(values, ScheduleField.STEP), choice_of(values, ScheduleField.WEEKDAY)
    clock = _CLOCK.fullmatch(_string(_value(values, ScheduleField.AT), "selected_time"))
    if word not in STEP_WORDS or day not in ("0", "1", "2", "3", "4", "5", "6"):
        raise FieldErrors({ScheduleField.STEP: Refusal.PICK_STEP_AND_DAY})
    if clock is None:
        raise FieldErrors({ScheduleField.AT: Refusal.PICK_TIME})
    team = choice_of(values, ScheduleField.TEAM)
    when = StepTime(int(day), time(int(clock.group(1)), int(clock.group(2))))
    return STEP_WORDS[word], when, None if team in ("", EVERY_TEAM) else team


def read_recorder(view: dict[str, Any]) -> tuple[str, str, str]:
    """Gong's API URL, access key and secret as typed (checked by the recorder's connect)."""
    values = state(view)
    return (
        text_of(values, RecorderField.API_URL),
        text_of(values, RecorderField.ACCESS_KEY),
        text_of(values, RecorderField.ACCESS_KEY_SECRET),
    )


def read_note(view: dict[str, Any]) -> NoteInput:
    """A coaching note as written: the framework picked and every part the form may hold."""
    values = state(view)
    keys = {part.key for spec in SPECS.values() for part in spec.parts}
    return NoteInput(
        framework=choice_of(values, FRAMEWORK_FIELD),
        parts={key: text_of(values, key) for key in keys},
        scaling=choice_of(values, SCALING_FIELD),
    )


def read_competency(view: dict[str, Any], key: str) -> CompetencyInput:
    """A competency's name and four levels as typed (checked by the rubric service)."""
    values = state(view)
    levels = [text_of(values, CompetencyField.level(level)) for level in LEVELS]
    return CompetencyInput(
        key, text_of(values, CompetencyField.NAME), (levels[0], levels[1], levels[2], levels[3])
    )


def read_pause(view: dict[str, Any]) -> date:
    until = date_of(state(view), PauseField.UNTIL)
    if until is None:
        raise FieldErrors({PauseField.UNTIL: Refusal.PICK_PAUSE_END})
    return until


def read_roster_change(view: dict[str, Any]) -> tuple[str, Role, str | None]:
    values = state(view)
    person = user_of(values, RosterField.PERSON)
    role = choice_of(values, RosterField.ROLE)
    if not person:
        raise FieldErrors({RosterField.PERSON: Refusal.PICK_PERSON})
    if role not in Role._value2member_map_:
        raise FieldErrors({RosterField.ROLE: Refusal.PICK_ROLE})
    return person, Role(role), user_of(values, RosterField.MANAGER)


def read_hubspot(view: dict[str, Any]) -> tuple[str, str]:
    """HubSpot's API URL and token as typed (checked by the CRM's connect)."""
    values = state(view)
    return text_of(values, CrmField.API_URL), text_of(values, CrmField.TOKEN)


def read_salesforce(view: dict[str, Any]) -> tuple[str, str, str, str]:
    """Salesforce's login URL, consumer key, username and private key as typed."""
    values = state(view)
    return (
        text_of(values, CrmField.API_URL),
        text_of(values, CrmField.CLIENT_ID),
        text_of(values, CrmField.USERNAME),
        text_of(values, CrmField.PRIVATE_KEY),
    )
