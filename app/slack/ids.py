"""Every Slack identifier the code and the manifests share, in one place."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    DRILL = "/drill"
    COACH = "/coach"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    USER_CHANGE = "user_change"
    MESSAGE = "message"  # message.im: a rep answering the Monday prompt in text
    TOKENS_REVOKED = "tokens_revoked"
    APP_UNINSTALLED = "app_uninstalled"


class Action(StrEnum):
    OPEN_DEALS = "deals_open"
    EDIT_DEALS = "deals_edit"
    SNOOZE = "deals_snooze"
    SCORE = "transfer_score"  # one button per score: transfer_score_1 … transfer_score_5
    DIAGNOSE = "diagnose_open"
    LOG_NOTES = "notes_open"
    DRILL_DONE = "drill_done_open"
    VIEW_NOTES = "notes_view"
    NEXT_FOCUS = "next_focus_open"
    DEAL_PROGRESS = "deal_progress"  # deal_progress_yes / deal_progress_no
    RATE_ONE_ON_ONE = "one_on_one_rating"
    REP_MENU = "rep_menu"  # App Home: diagnose / log notes / open notes for one rep
    EDIT_SCHEDULE = "schedule_edit_open"
    EDIT_ROSTER = "roster_edit_open"
    PAUSE = "pause_open"
    REPLACE_DEALS = "deals_replace"  # on coach's answer to a DM: that message's deals instead
    REPLY_AS_DEAL = "reply_as_deal"  # a link while the drill is open: it was a deal
    REPLY_AS_DRILL = "reply_as_drill"  # ... it was the drill's recording
    RESOLVE_ACTION = "manager_action_resolve"  # a system gap the manager took on: done
    NOT_HELD = "one_on_one_not_held"  # the 1:1 didn't happen: opens its confirmation
    DIAGNOSIS_CHANGED = "diagnosis_changed"  # an answer in the diagnosis form: re-render it
    GROW_FRAMEWORK_PICKED = "grow_framework_picked"  # GROW, OSKAR or CAR: re-render the form
    GROW_DRILL_PICKED = "grow_drill_picked"  # the drill picked in the GROW form: re-render it
    CONNECT_RECORDER = "recorder_connect_open"  # App Home (admins): Gong's URL and key
    DISCONNECT_RECORDER = "recorder_disconnect"  # App Home (admins): forget Gong's key and calls
    CONNECT_HUBSPOT = "crm_hubspot_open"  # App Home (admins): HubSpot's private app token
    CONNECT_SALESFORCE = "crm_salesforce_open"  # App Home (admins): Salesforce's connected app
    DISCONNECT_CRM = "crm_disconnect"  # App Home (admins): forget the CRM's keys and deals
    EDIT_COMPETENCY = "rubric_competency_open"  # App Home (admins): reword a competency
    ADD_COMPETENCY = "rubric_competency_add"  # App Home (admins): add one of their own
    EXPORT_HISTORY = "export_history"  # App Home (admins): the coaching history, CSV, by DM
    WRITE_NOTE = "coaching_note_open"  # App Home (coaches): an SBI, CAR or OSKAR note on a rep
    NOTE_FRAMEWORK_PICKED = "coaching_note_framework"  # the note's framework: re-render it
    OPEN_SCORECARD = "scorecard_open"  # App Home: a rep's one-page scorecard (theirs, or a coach's)
    REVIEW_ONE_ON_ONE = "one_on_one_review_open"  # App Home (directors): review a manager's 1:1


class View(StrEnum):
    DEALS = "deals_modal"
    DIAGNOSIS = "diagnosis_modal"
    GROW = "grow_modal"
    DRILL_DONE = "drill_done_modal"
    SCHEDULE = "schedule_modal"
    ROSTER = "roster_modal"
    PAUSE = "pause_modal"
    NOT_HELD = "not_held_modal"
    RECORDER = "recorder_modal"
    HUBSPOT = "hubspot_modal"
    SALESFORCE = "salesforce_modal"
    COMPETENCY = "competency_modal"
    NOTE = "coaching_note_modal"
    REVIEW = "review_modal"


# The action_id of every modal input: errors and state are keyed by block_id alone.
INPUT_ACTION_ID = "value"

# Message metadata event type carried by every scheduled DM (its payload names the delivery).
DELIVERY_EVENT_TYPE = "coach_delivery"


# Web API methods the bot calls; the manifest test derives the needed bot scopes from these.
WEB_API_METHODS: frozenset[str] = frozenset(
    {
        "auth.test",
        "users.info",  # a person's profile: time zone, name, email
        "users.list",  # many profiles at once (a roster import)
        "users.lookupByEmail",  # a roster row that names someone by email
        "views.publish",
        "views.open",
        "views.update",  # a form that follows its answers (diagnosis, GROW)
        "chat.postMessage",
        "chat.update",
        "conversations.open",  # the outbox, to find a DM it may already have sent
        "conversations.history",
        "files.getUploadURLExternal",  # a chart or an export: where to upload its bytes
        "files.completeUploadExternal",  # ... and finish it (private, or into a DM)
    }
)

# Exactly the bot scopes the manifests request (a test derives them from the code's needs).
BOT_SCOPES: frozenset[str] = frozenset(
    {
        "commands",
        "users:read",
        "users:read.email",
        "chat:write",
        "im:history",
        "im:write",
        "files:write",
    }
)
