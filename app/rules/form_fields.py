"""The fields of each modal, by the block id its input has. The modal renderers, the readers
of a submitted form and the checks that refuse a field (FieldErrors keys) all name them from
here, so a field refused is the field shown. The diagnosis form's questions are keyed by
their own `Question.key` (app.rules.diagnosis)."""

from __future__ import annotations

from enum import StrEnum


class DealField(StrEnum):
    """One part of deal n of the deals form: its block id is `deal_field(n, part)`."""

    NAME = "name"
    STAGE = "stage"
    CLIP_URL = "clip_url"
    MOMENT = "moment"
    HAPPENED = "happened"
    CALL = "call"  # a call picked from the recorder instead of a pasted link
    CRM = "crm"  # one of the rep's open deals, picked from the CRM


def deal_field(n: int, part: DealField) -> str:
    """The block id of `part` of deal `n` (from 1), e.g. "deal1_clip_url"."""
    return f"deal{n}_{part.value}"


class DiagnosisField(StrEnum):
    GAP_OVERRIDE = "gap_override"
    FOCUS_SKILL = "focus_skill"
    EVIDENCE_URL = "evidence_url"
    EVIDENCE_CALL = "evidence_call"  # a call picked from the recorder instead of a clip
    EVIDENCE_MOMENT = "evidence_moment"
    EVIDENCE_QUOTE = "evidence_quote"
    DID = "did"
    GOOD_LOOKS_LIKE = "good_looks_like"
    MANAGER_ACTION = "manager_action"
    RUBRIC_LEVEL = "rubric_level"


class GrowField(StrEnum):
    """The GROW form's fields: each is also the name of its `GrowInput` attribute."""

    GOAL = "goal"
    REALITY = "reality"
    OPTIONS = "options"
    COMMITMENT = "commitment"
    DRILL_CHOICE = "drill_choice"
    NEW_DRILL_NAME = "new_drill_name"
    NEW_DRILL_SCENARIO = "new_drill_scenario"
    NEW_DRILL_SUCCESS = "new_drill_success"
    NEW_DRILL_SCRIPT = "new_drill_script"  # what to say: optional
    PRACTICE_REPS = "practice_reps"
    ACCOUNTABILITY = "accountability"  # the number we hold, joined to the commitment
    OBSTACLES = "obstacles"  # what could get in the way, in the rep's words
    FOLLOW_UP_ON = "follow_up_on"
    FOLLOW_UP_CHECK = "follow_up_check"  # what the follow-up reviews
    MEASUREMENT = "measurement"  # the target it reviews against
    PRIVATE_NOTES = "private_notes"
    MINUTES = "minutes"  # the 1:1's length
    FRAMEWORK = "framework"  # how the 1:1 was run: GROW, OSKAR or CAR
    SCALING = "scaling"  # OSKAR's 1–10


class ReviewField(StrEnum):
    """A director's review of a manager's 1:1 (coaching the coaches)."""

    CHECKLIST = "checklist"
    NOTE = "review_note"


class DrillDoneField(StrEnum):
    LINK = "link"
    NOTE = "note"


class ScheduleField(StrEnum):
    STEP = "step"
    WEEKDAY = "weekday"
    AT = "at"
    TEAM = "team"


class RecorderField(StrEnum):
    API_URL = "api_url"
    ACCESS_KEY = "access_key"
    ACCESS_KEY_SECRET = "access_key_secret"


class CompetencyField(StrEnum):
    """The rubric form: a competency's name and what each of its levels sounds like."""

    NAME = "competency_name"

    @staticmethod
    def level(level: int) -> str:
        return f"competency_level_{level}"


def rating_field(competency_key: str) -> str:
    """The diagnosis form's block id for the rep's level on one competency."""
    return f"{DiagnosisField.RUBRIC_LEVEL.value}:{competency_key}"


class CrmField(StrEnum):
    API_URL = "crm_api_url"  # HubSpot's API URL, or Salesforce's login URL
    TOKEN = "crm_token"  # HubSpot: a private app's access token
    CLIENT_ID = "crm_client_id"  # Salesforce: the connected app's consumer key
    USERNAME = "crm_username"  # Salesforce: the integration user
    PRIVATE_KEY = "crm_private_key"  # Salesforce: the PEM whose certificate the app holds


class PauseField(StrEnum):
    UNTIL = "until"


class RosterField(StrEnum):
    PERSON = "person"
    ROLE = "role"
    MANAGER = "manager"


# Option values a form's reader and the checks also know.
NEW_DRILL = "new"  # GrowField.DRILL_CHOICE: a drill described in the form itself
EVERY_TEAM = "all"  # ScheduleField.TEAM: the workspace default, not one team's schedule
