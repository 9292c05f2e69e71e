"""Expected failures, typed: a `Refusal` names why, and the exception carries the facts its
sentence needs (mentions, words typed, names). The sentences themselves live in
app.slack.render.refusal_text; nothing below the Slack layer writes one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum, auto

# What a refusal's sentence may need to know: ids to mention, words typed, labels, counts.
Fact = str | int | date | tuple[str, ...]


class Refusal(StrEnum):
    """Why something was refused; each has one sentence in the render catalogue."""

    # who is acting
    NOT_ON_ROSTER = auto()
    NOT_SET_UP = auto()
    NOT_A_REP = auto()  # rep
    NOT_THEIR_COACH = auto()  # rep
    NOT_YOUR_BUTTON = auto()
    REPS_ONLY = auto()
    ADMIN_ONLY = auto()  # admins: up to 3 ids to ask
    ADMIN_ONLY_STATUS = auto()  # admins
    ADMIN_ONLY_RECORDER = auto()  # admins
    RECORDER_URL = auto()
    RECORDER_KEY = auto()
    RECORDER_NEEDS_TOKEN_KEYS = auto()
    ADMIN_ONLY_CRM = auto()  # admins
    ADMIN_ONLY_RUBRIC = auto()  # admins
    HUBSPOT_URL = auto()
    SALESFORCE_LOGIN_URL = auto()
    HUBSPOT_TOKEN = auto()
    SALESFORCE_CLIENT_ID = auto()
    SALESFORCE_USERNAME = auto()
    SALESFORCE_KEY = auto()
    CRM_NEEDS_TOKEN_KEYS = auto()
    STALE_BUTTON = auto()
    # the roster
    ROSTER_PROBLEM = auto()  # problem: the roster check's own line
    MOVE_NOT_ON_ROSTER = auto()  # person, manager
    REMOVE_NOT_ON_ROSTER = auto()  # person
    STILL_HAS_REPORTS = auto()  # person, reports
    # the schedule
    NOT_A_LEAD = auto()  # person
    SCHEDULE_LEADS_ONLY = auto()
    NO_REPS_OF_YOUR_OWN = auto()
    NOT_YOUR_TEAM = auto()  # lead
    STEP_ORDER = auto()  # step, side, other, at
    STEP_ORDER_CLASH = auto()  # lead, step, side, other, at
    # pauses
    NOT_ON_COACHING_ROSTER = auto()  # person
    PAUSE_NOT_THEIR_COACH = auto()  # person
    PAUSE_IN_THE_PAST = auto()
    PAUSE_TOO_LONG = auto()
    # holidays and working hours
    HOLIDAYS_LEADS_ONLY = auto()
    NOT_A_COUNTRY = auto()  # word
    NOT_A_REGION = auto()  # word, country, regions
    TOO_MANY_DAYS_OFF = auto()
    NOT_A_DAY_OFF = auto()  # day
    # deals and drills
    NOT_YOUR_FORM = auto()
    WEEK_CLOSED = auto()
    NO_DEAL_LINK_FOUND = auto()
    NAME_THE_DEAL = auto()
    ADD_A_DEAL = auto()
    LINK_NOT_A_URL = auto()
    LINK_TOO_LONG = auto()
    MOMENT_NOT_A_TIME = auto()
    NO_DRILL = auto()
    NO_LINK_TO_RECORD = auto()
    NO_DEAL_TO_USE = auto()
    # scores and feedback
    SCORE_OUT_OF_RANGE = auto()
    RATING_OUT_OF_RANGE = auto()
    NO_ONE_ON_ONE_TO_RATE = auto()
    NOT_A_COACHED_DEAL = auto()
    ACTION_CLOSED = auto()
    # the diagnosis form
    ANSWER_OR_PICK_GAP = auto()
    PICK_FOCUS_SKILL = auto()
    NO_EVIDENCE = auto()
    PICK_A_LISTED_CALL = auto()
    PICK_A_LISTED_DEAL = auto()
    SYSTEM_GAP_NEEDS_ACTION = auto()
    PICK_RUBRIC_LEVEL = auto()
    RATE_THE_FOCUS = auto()
    # coaching notes (SBI, CAR, OSKAR)
    PICK_FRAMEWORK = auto()
    WRITE_THIS_PART = auto()
    PART_TOO_LONG = auto()
    PICK_SCALING = auto()
    # the rubric's wording
    NAME_THE_COMPETENCY = auto()
    COMPETENCY_NAME_TOO_LONG = auto()
    COMPETENCY_NAME_TAKEN = auto()
    DESCRIBE_THE_LEVEL = auto()
    LEVEL_TEXT_TOO_LONG = auto()
    COMPETENCY_GONE = auto()
    TOO_MANY_COMPETENCIES = auto()
    # the GROW form and 1:1 notes
    WRITE_GOAL = auto()
    WRITE_REALITY = auto()
    WRITE_COMMITMENT = auto()
    WRITE_THE_NUMBER = auto()
    TOO_FEW_OPTIONS = auto()
    PICK_DRILL = auto()
    NAME_NEW_DRILL = auto()
    DESCRIBE_SCENARIO = auto()
    SAY_SUCCESS = auto()
    PRACTICE_REPS_OUT_OF_RANGE = auto()
    PICK_FOLLOW_UP_DATE = auto()
    FOLLOW_UP_IN_THE_PAST = auto()
    ONE_ON_ONE_LENGTH = auto()
    SAY_WHAT_YOU_CHECK = auto()
    NOT_YOUR_NOTES = auto()
    # a director's review of a manager's 1:1
    NOT_THEIR_REVIEW = auto()
    NOTHING_TO_REVIEW = auto()  # rep
    TICK_LISTED_ITEMS = auto()
    REVIEW_NOTE_TOO_LONG = auto()
    EMPTY_REVIEW = auto()
    # other forms
    PICK_CALENDAR_DATE = auto()
    PICK_STEP_AND_DAY = auto()
    PICK_TIME = auto()
    PICK_PAUSE_END = auto()
    PICK_PERSON = auto()
    PICK_ROLE = auto()
    # commands as typed
    NOT_A_PERSON = auto()  # word, what
    ADD_USAGE = auto()
    NOT_A_ROLE = auto()  # word
    MOVE_USAGE = auto()
    REMOVE_USAGE = auto()
    PAUSE_USAGE = auto()
    STATUS_USAGE = auto()
    SCHEDULE_USAGE = auto()
    NOT_A_STEP = auto()  # word
    NOT_A_WEEKDAY = auto()  # word
    NOT_A_TIME = auto()  # word
    NOT_A_DATE = auto()  # word
    HOLIDAYS_USAGE = auto()
    HOURS_USAGE = auto()
    DRILL_DONE_USAGE = auto()
    DRILL_PAUSE_USAGE = auto()
    # exports and erasure
    EXPORT_FOR_LEADS = auto()
    NOTHING_TO_EXPORT = auto()
    ADMIN_ONLY_EXPORT = auto()  # admins
    NOT_ON_ROSTER_TO_EXPORT = auto()  # person
    EXPORT_USAGE = auto()


class UserError(Exception):
    """Bad input or a refused action. Nothing was changed; `reason` says why and `facts`
    hold what its sentence names."""

    def __init__(self, reason: Refusal, /, *, block_id: str | None = None, **facts: Fact) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.facts: dict[str, Fact] = facts
        self.block_id = block_id  # the modal field to show it under, when there is one

    def under(self, block_id: str) -> UserError:
        """The same refusal, shown under the modal field `block_id`."""
        return UserError(self.reason, block_id=block_id, **self.facts)


class NotOnRoster(UserError):
    def __init__(self) -> None:
        super().__init__(Refusal.NOT_ON_ROSTER)


class NotSetUp(UserError):
    def __init__(self) -> None:
        super().__init__(Refusal.NOT_SET_UP)


class NotAllowed(UserError):
    pass


class FieldErrors(UserError):
    """Several fields of a form are wrong: field (block id) → its refusal. Nothing was
    stored."""

    def __init__(self, errors: Mapping[str, Refusal]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors: dict[str, Refusal] = dict(errors)
