"""Slack payload text → typed input. Bad input raises UserError with the sentence to show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from app.rules.diagnosis import TREE
from app.rules.evidence import MAX_DEALS
from app.rules.refusals import FieldErrors, UserError
from app.rules.types import SLACK_USER_ID, WEEKDAY_NAMES, Gap, Role, Step, StepTime, as_typed
from app.rules.weekly_steps import STEP_WORDS
from app.services.deals import DealDraft
from app.services.diagnoses import DiagnosisInput
from app.services.one_on_ones import GrowInput
from app.slack.ids import INPUT_ACTION_ID

# With should_escape on, Slack sends mentions as <@U123|name>; people may also paste raw ids.
_MENTION = re.compile(rf"<@({SLACK_USER_ID.pattern})(?:\|[^>]*)?>|({SLACK_USER_ID.pattern})")


@dataclass(frozen=True)
class CoachCommand:
    verb: str  # add | move | remove | pause | schedule | status | help
    person: str | None = None
    role: Role | None = None
    manager: str | None = None
    until: date | None = None
    step: Step | None = None
    when: StepTime | None = None


def split_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = as_typed(text if isinstance(text, str) else "").split()
    return (words[0].lower() if words else ""), words[1:]


def user_id(word: str, what: str) -> str:
    match = _MENTION.fullmatch(word.strip())
    if match is None:
        raise UserError(f"{word!r} isn't a person: mention them as @name for {what}.")
    return match.group(1) or match.group(2)


def parse_coach(text: str | None) -> CoachCommand:
    verb, args = split_subcommand(text)
    if verb in ("", "help"):
        return CoachCommand("help")
    if verb == "add":
        if len(args) not in (2, 3):
            raise UserError("Use `/coach add @person rep|manager|director|admin [@manager]`.")
        role_word = args[1].lower()
        if role_word not in Role._value2member_map_:
            raise UserError(f"{args[1]!r} isn't a role: use rep, manager, director or admin.")
        manager = user_id(args[2], "the manager") if len(args) == 3 else None
        return CoachCommand("add", user_id(args[0], "the person"), Role(role_word), manager)
    if verb == "move":
        if len(args) != 2:
            raise UserError("Use `/coach move @person @new-manager`.")
        return CoachCommand(
            "move", user_id(args[0], "the person"), manager=user_id(args[1], "the new manager")
        )
    if verb == "remove":
        if len(args) != 1:
            raise UserError("Use `/coach remove @person`.")
        return CoachCommand("remove", user_id(args[0], "the person"))
    if verb == "pause":
        if len(args) != 3 or args[1].lower() != "until":
            raise UserError("Use `/coach pause @person until YYYY-MM-DD`.")
        return CoachCommand("pause", user_id(args[0], "the person"), until=pause_date(args[2]))
    if verb == "schedule":
        return parse_schedule(args)
    if verb == "status" and args:
        raise UserError("Use `/coach status` on its own.")
    return CoachCommand(verb)  # unknown: the listener answers with help


SCHEDULE_USAGE = "Use `/coach schedule <step> <day> <HH:MM> [@manager]`, e.g. `1:1 thu 14:00`."
_STEP_ALIASES = {"1on1": "1:1", "one-on-one": "1:1", "oneonone": "1:1"}
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def parse_schedule(args: list[str]) -> CoachCommand:
    if not args:
        return CoachCommand("schedule")
    if len(args) not in (3, 4):
        raise UserError(SCHEDULE_USAGE)
    word = _STEP_ALIASES.get(args[0].lower(), args[0].lower())
    if word not in STEP_WORDS:
        raise UserError(f"{args[0]!r} isn't a step: use one of {', '.join(STEP_WORDS)}.")
    days = [name.lower() for name in WEEKDAY_NAMES]
    day = next((n for n, name in enumerate(days) if args[1].lower() in (name, name[:3])), None)
    if day is None:
        raise UserError(f"{args[1]!r} isn't a weekday: write mon, tue, wed, thu, fri, sat or sun.")
    clock = _CLOCK.fullmatch(args[2])
    if clock is None:
        raise UserError(f"{args[2]!r} isn't a time: write it as HH:MM on a 24-hour clock.")
    when = StepTime(day, time(int(clock.group(1)), int(clock.group(2))))
    team = user_id(args[3], "the team's manager") if len(args) == 4 else None
    return CoachCommand("schedule", manager=team, step=STEP_WORDS[word], when=when)


def pause_date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError as exc:
        raise UserError(f"{word!r} isn't a date: write it as YYYY-MM-DD, e.g. 2026-12-31.") from exc


@dataclass(frozen=True)
class DrillCommand:
    verb: str  # done | status | pause | help | anything else (answered with help)
    link: str = ""
    note: str = ""
    until: date | None = None


def parse_drill(text: str | None) -> DrillCommand:
    verb, args = split_subcommand(text)
    if verb == "done":
        if not args:
            raise UserError("Add the link to your recording: `/drill done <link> [note]`.")
        return DrillCommand("done", link=args[0], note=" ".join(args[1:]))
    if verb == "pause":
        if len(args) != 2 or args[0].lower() != "until":
            raise UserError("Use `/drill pause until YYYY-MM-DD`.")
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
        raise FieldErrors({block_id: "Pick the date from the calendar."}) from None


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
            name=text_of(values, f"deal{n}_name"),
            stage=text_of(values, f"deal{n}_stage"),
            clip_url=text_of(values, f"deal{n}_clip_url"),
            moment=text_of(values, f"deal{n}_moment"),
            happened=text_of(values, f"deal{n}_happened"),
        )
        for n in range(1, MAX_DEALS + 1)
    ]


def read_diagnosis(view: dict[str, Any]) -> DiagnosisInput:
    values = state(view)
    answers: dict[str, bool | None] = {
        q.key: {"yes": True, "no": False}.get(choice_of(values, q.key)) for q in TREE
    }
    override = choice_of(values, "gap_override")
    return DiagnosisInput(
        answers=answers,
        gap_override=Gap(override) if override in Gap._value2member_map_ else None,
        focus_skill=text_of(values, "focus_skill"),
        evidence_url=text_of(values, "evidence_url"),
        evidence_moment=text_of(values, "evidence_moment"),
        evidence_quote=text_of(values, "evidence_quote"),
        did=text_of(values, "did"),
        good_looks_like=text_of(values, "good_looks_like"),
        manager_action=text_of(values, "manager_action"),
        rubric_level=choice_of(values, "rubric_level"),
    )


def read_grow(view: dict[str, Any]) -> GrowInput:
    values = state(view)
    errors: dict[str, str] = {}
    try:
        follow_up = date_of(values, "follow_up_on")
    except FieldErrors as refused:
        follow_up = None
        errors.update(refused.errors)
    return GrowInput(
        goal=text_of(values, "goal"),
        reality=text_of(values, "reality"),
        options=text_of(values, "options"),
        commitment=text_of(values, "commitment"),
        drill_choice=choice_of(values, "drill_choice"),
        new_drill_name=text_of(values, "new_drill_name"),
        new_drill_scenario=text_of(values, "new_drill_scenario"),
        new_drill_success=text_of(values, "new_drill_success"),
        practice_reps=text_of(values, "practice_reps"),
        accountability=text_of(values, "accountability"),
        follow_up_on=follow_up,
        measurement=text_of(values, "measurement"),
        private_notes=text_of(values, "private_notes"),
        errors=errors,
    )


def read_drill_done(view: dict[str, Any]) -> tuple[str, str]:
    values = state(view)
    return text_of(values, "link"), text_of(values, "note")


def read_schedule(view: dict[str, Any]) -> tuple[Step, StepTime, str | None]:
    """The schedule form: which step, when, and for whose team (None: every team)."""
    values = state(view)
    word, day = choice_of(values, "step"), choice_of(values, "weekday")
    clock = _CLOCK.fullmatch(_string(_value(values, "at"), "selected_time"))
    if word not in STEP_WORDS or day not in ("0", "1", "2", "3", "4", "5", "6"):
        raise FieldErrors({"step": "Pick a step and a day."})
    if clock is None:
        raise FieldErrors({"at": "Pick a time."})
    team = choice_of(values, "team")
    when = StepTime(int(day), time(int(clock.group(1)), int(clock.group(2))))
    return STEP_WORDS[word], when, None if team in ("", "all") else team


def read_pause(view: dict[str, Any]) -> date:
    until = date_of(state(view), "until")
    if until is None:
        raise FieldErrors({"until": "Pick the last day of the pause."})
    return until


def read_roster_change(view: dict[str, Any]) -> tuple[str, Role, str | None]:
    values = state(view)
    person = user_of(values, "person")
    role = choice_of(values, "role")
    if not person:
        raise FieldErrors({"person": "Pick the person."})
    if role not in Role._value2member_map_:
        raise FieldErrors({"role": "Pick a role."})
    return person, Role(role), user_of(values, "manager")
