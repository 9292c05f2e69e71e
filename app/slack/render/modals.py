"""The one-screen modals (a drill done, a 1:1 not held, the schedule, a pause, a roster
change) and the
modal a saved form turns into. The weekly loop's larger forms have modules of their own:
deals_form, diagnosis_form, grow_form, notes_view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from app.rules.form_fields import (
    EVERY_TEAM,
    DrillDoneField,
    PauseField,
    RecorderField,
    RosterField,
    ScheduleField,
)
from app.rules.types import WEEKDAY_NAMES
from app.rules.weekly_steps import STEP_WORDS
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, mention, section
from app.slack.render.inputs import VALUE, modal, text_input, url_input


def drill_done_modal(meta: ModalMeta, drill_name: str) -> dict[str, Any]:
    blocks = [
        section(f"Nice work! Share the recording of *{drill_name}*."),
        url_input(DrillDoneField.LINK, "Recording link", optional=False),
        text_input(DrillDoneField.NOTE, "Note (optional)", multiline=True, max_length=1000),
    ]
    return modal(ViewId.DRILL_DONE, "Mark drill done", "Record", meta, blocks)


def not_held_modal(meta: ModalMeta) -> dict[str, Any]:
    """Confirm that a 1:1 didn't happen (it counts as a missed week of coaching)."""
    blocks: list[Block] = [
        section(
            f"Log {mention(meta.rep)}'s 1:1 of week {meta.cycle} as *not held*? It counts as a "
            "missed week of coaching. If they were out, pause them instead: a paused week "
            "counts as skipped, not missed."
        )
    ]
    return modal(ViewId.NOT_HELD, "The 1:1 didn't happen", "Log as not held", meta, blocks)


def schedule_modal(teams: Sequence[str]) -> dict[str, Any]:
    """Move one step, for one team or for the workspace default (admins)."""
    steps = [Option(value=word, text=word) for word in STEP_WORDS]
    days = [Option(value=str(n), text=name) for n, name in enumerate(WEEKDAY_NAMES)]
    team_options = [Option(value=EVERY_TEAM, text="Every team (workspace default)")]
    team_options += [Option(value=t, text=f"Team of {t}") for t in teams[:99]]
    blocks: list[Block] = [
        section(
            "Move one step of the week. Times are each person's local time; the notes nudge "
            "follows the 1:1 and the reminder follows the prompt."
        ),
        InputBlock(
            block_id=ScheduleField.STEP,
            label="Step",
            element=StaticSelectElement(action_id=VALUE, options=steps),
        ),
        InputBlock(
            block_id=ScheduleField.WEEKDAY,
            label="Day",
            element=StaticSelectElement(action_id=VALUE, options=days),
        ),
        InputBlock(
            block_id=ScheduleField.AT,
            label="Time",
            element=TimePickerElement(action_id=VALUE, initial_time="09:00"),
        ),
        InputBlock(
            block_id=ScheduleField.TEAM,
            label="For",
            element=StaticSelectElement(
                action_id=VALUE, options=team_options, initial_option=team_options[0]
            ),
        ),
    ]
    return modal(ViewId.SCHEDULE, "Change the schedule", "Save", None, blocks)


def pause_modal(meta: ModalMeta, today: date) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            f"Pause {mention(meta.rep)} (out of office): no prompts or nudges, and those weeks "
            "count as skipped, not missed."
        ),
        InputBlock(
            block_id=PauseField.UNTIL,
            label="Paused through",
            element=DatePickerElement(action_id=VALUE, initial_date=today.isoformat()),
        ),
    ]
    return modal(ViewId.PAUSE, "Pause coaching", "Pause", meta, blocks)


def roster_modal(roles: Sequence[str]) -> dict[str, Any]:
    """Add someone to the roster, or change their role or manager (admins)."""
    options = [Option(value=role, text=role) for role in roles]
    blocks: list[Block] = [
        InputBlock(
            block_id=RosterField.PERSON,
            label="Person",
            element=UserSelectElement(action_id=VALUE),
        ),
        InputBlock(
            block_id=RosterField.ROLE,
            label="Role",
            element=StaticSelectElement(action_id=VALUE, options=options),
        ),
        InputBlock(
            block_id=RosterField.MANAGER,
            label="Manager (every rep needs one)",
            optional=True,
            element=UserSelectElement(action_id=VALUE),
        ),
        context("To take someone off the roster (their history is kept): `/coach remove @person`."),
    ]
    return modal(ViewId.ROSTER, "Add or change someone", "Save", None, blocks)


def recorder_modal(current_url: str | None) -> dict[str, Any]:
    """An admin's Gong connection: the company's API base URL and an access key pair."""
    blocks: list[Block] = [
        section(
            "Connect Gong so reps can pick their calls, and managers see three recent calls and "
            "their numbers in the Tuesday prep. coach reads links and numbers only: no "
            "recordings, no transcripts."
        ),
        url_input(
            RecorderField.API_URL,
            "Gong API base URL",
            initial=current_url,
            optional=False,
            hint="Gong > Company settings > API shows it, e.g. https://us-12345.api.gong.io.",
        ),
        text_input(RecorderField.ACCESS_KEY, "Access key", optional=False, max_length=200),
        text_input(
            RecorderField.ACCESS_KEY_SECRET,
            "Access key secret",
            optional=False,
            max_length=200,
            hint="Stored sealed; coach never shows it again, to anyone.",
        ),
    ]
    return modal(ViewId.RECORDER, "Connect Gong", "Connect", None, blocks)


def saved(title: str, message: str) -> dict[str, Any]:
    """What a form becomes once it is saved: the one line of what happened."""
    return View(type="modal", title=title[:24], close="Done", blocks=[section(message)]).to_dict()
