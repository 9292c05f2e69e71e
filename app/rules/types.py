"""Vocabulary shared by every layer: plain enums and value types, importing nothing of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

# A Slack user id: U or W and up to 31 more capitals and digits (Slack's are 9 or 11 long; the
# column holds 32). Everything that takes a user id from outside checks it with this.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")


def is_slack_user_id(text: str) -> bool:
    return SLACK_USER_ID.fullmatch(text) is not None


def whole_number(text: str, allowed: range) -> int | None:
    """A whole number as a form sent it ("45"), when it is ASCII digits within `allowed`;
    None for anything else ("²", "1e2", or thousands of digits, which int() refuses)."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(allowed[-1])):
        return None
    number = int(value)
    return number if number in allowed else None


def as_typed(text: str) -> str:
    """Text someone typed, as coach keeps it: without NUL characters, which no one types and
    PostgreSQL cannot store (every reader of typed text passes it through here)."""
    return text.replace("\x00", "") if "\x00" in text else text


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    DIRECTOR = "director"
    ADMIN = "admin"


class Step(StrEnum):
    """A step of the weekly loop that fires at a person's local weekday and time."""

    REP_PROMPT = "rep_prompt"  # Monday: top 3 deals with clips
    MANAGER_REVIEW = "manager_review"  # Monday: score last week's drills
    REP_REMINDER = "rep_reminder"  # Monday afternoon: reps who have not answered
    MANAGER_PREP = "manager_prep"  # Tuesday: submissions, diagnose one gap per rep
    ONE_ON_ONE = "one_on_one"  # Wednesday: the 1:1 agenda
    NOTES_NUDGE = "notes_nudge"  # Wednesday evening: managers with no notes logged
    DRILL_CHECK = "drill_check"  # Friday: reps without a recorded drill
    MANAGER_HEADS_UP = "manager_heads_up"  # Friday afternoon: who still missed
    DIGEST = "digest"  # Friday end of day: weekly digest
    PROMPT_AGAIN = "prompt_again"  # the rep asked to be reminded later (not on the schedule)
    DRILL_CARD = "drill_card"  # the rep's commitment and drill, once the 1:1 notes are logged
    FEEDBACK_NOTE = "feedback_note"  # to a rep: an SBI note on one of their clips
    COACHING_REVIEW = "coaching_review"  # to a manager: their director reviewed one of their 1:1s
    # Not messages: the drill written back on the week's coached deals in the CRM.
    CRM_DRILL_SET = "crm_drill_set"  # the 1:1 notes are saved: the drill's name, unchecked
    CRM_DRILL_RECORDED = "crm_drill_recorded"  # the rep recorded it: "Drill Recorded" checked


REP_STEPS = frozenset(
    {Step.REP_PROMPT, Step.REP_REMINDER, Step.ONE_ON_ONE, Step.DRILL_CHECK, Step.DIGEST}
)
MANAGER_STEPS = frozenset(
    {
        Step.MANAGER_REVIEW,
        Step.MANAGER_PREP,
        Step.ONE_ON_ONE,
        Step.NOTES_NUDGE,
        Step.MANAGER_HEADS_UP,
        Step.DIGEST,
    }
)
DIRECTOR_STEPS = frozenset({Step.DIGEST})  # for whoever leads managers
CRM_WRITES = frozenset({Step.CRM_DRILL_SET, Step.CRM_DRILL_RECORDED})  # the CRM's, not Slack's
MESSAGES = frozenset(Step) - CRM_WRITES  # what the outbox posts to Slack


class CrmKind(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


CRM_NAMES = {CrmKind.SALESFORCE: "Salesforce", CrmKind.HUBSPOT: "HubSpot"}


class Gap(StrEnum):
    """What kind of gap the manager diagnosed (the method's decision tree)."""

    SKILL = "skill"
    KNOWLEDGE = "knowledge"
    CLARITY = "clarity"
    SYSTEM = "system"
    WILL = "will"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # planned, waiting for its time or a retry
    SENDING = "sending"  # claimed by a sender holding a lease
    SENT = "sent"
    FAILED = "failed"  # permanent Slack error; reason kept
    SKIPPED = "skipped"  # person paused, or the window passed before it could go out
    CANCELLED = "cancelled"  # no longer needed (e.g. the rep already answered)


class ConnectionStatus(StrEnum):
    """How a workspace's connection to an outside system (call recorder, CRM) stands."""

    UNCHECKED = "unchecked"  # credentials not tried yet
    OK = "ok"
    REFUSED = "refused"  # the system refused the credentials: off until they change
    FAILING = "failing"  # down, slow or odd: tried again later
    DISCONNECTED = "disconnected"  # no credentials any more: the week shows nothing from it


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, order=True)
class StepTime:
    weekday: int  # 0 = Monday
    at: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")

    @property
    def label(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday][:3]} {self.at:%H:%M}"
