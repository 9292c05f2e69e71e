"""The GROW modal: a 1:1's notes (goal, reality, options, will) and the drill set there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    StaticSelectElement,
)

from app.rules.agenda import ONE_ON_ONE_MINUTES
from app.rules.diagnosis import ADVICE
from app.rules.drills import STARTING_LIBRARY, Drill, DrillKind
from app.rules.form_fields import NEW_DRILL, GrowField
from app.rules.frameworks import ONE_ON_ONE_LABELS, ONE_ON_ONE_NAMES, SCALING
from app.rules.types import Gap
from app.services.one_on_ones import GrowInput, kind_for
from app.slack.ids import Action as ActionId
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, mention, section
from app.slack.render.diagnosis_form import Diagnosis
from app.slack.render.inputs import VALUE, modal, text_input

F = GrowField


class OneOnOne(Protocol):
    """What the GROW modal shows of stored 1:1 notes."""

    held: bool
    goal: str | None
    reality: str | None
    options: list[str]
    commitment: str | None
    drill: dict[str, Any] | None
    practice_reps: int | None
    accountability: str | None
    obstacles: str | None
    follow_up_on: date | None
    follow_up_check: str | None
    measurement: str | None
    private_notes: str | None
    minutes: int | None
    framework: str | None
    scaling: int | None


@dataclass(frozen=True)
class GrowDraft:
    """What the GROW form shows: saved notes, or the form as the manager has it."""

    goal: str | None = None
    reality: str | None = None
    options: str | None = None  # one per line
    commitment: str | None = None
    drill_choice: str | None = None
    new_drill_name: str | None = None
    new_drill_scenario: str | None = None
    new_drill_success: str | None = None
    new_drill_script: str | None = None
    practice_reps: str | None = None
    accountability: str | None = None
    obstacles: str | None = None
    follow_up_on: date | None = None
    follow_up_check: str | None = None
    measurement: str | None = None
    private_notes: str | None = None
    minutes: str | None = None
    framework: str | None = None  # None: GROW
    scaling: str | None = None

    @classmethod
    def of_saved(cls, saved: OneOnOne | None) -> GrowDraft:
        if saved is None or not saved.held:
            return cls()
        return cls(
            goal=saved.goal,
            reality=saved.reality,
            options="\n".join(saved.options or ()) or None,
            commitment=saved.commitment,
            drill_choice=(saved.drill or {}).get("key"),
            practice_reps=str(saved.practice_reps) if saved.practice_reps else None,
            accountability=saved.accountability,
            obstacles=saved.obstacles,
            follow_up_on=saved.follow_up_on,
            follow_up_check=saved.follow_up_check,
            measurement=saved.measurement,
            private_notes=saved.private_notes,
            minutes=str(saved.minutes) if saved.minutes else None,
            framework=saved.framework,
            scaling=str(saved.scaling) if saved.scaling else None,
        )

    @classmethod
    def of_form(cls, form: GrowInput) -> GrowDraft:
        texts = (f for f in GrowField if f is not F.FOLLOW_UP_ON)
        return cls(
            **{name.value: getattr(form, name) or None for name in texts},
            follow_up_on=form.follow_up_on,
        )


def _drill_options(custom: Sequence[Drill], suggested: Drill | None) -> list[Option]:
    def text(drill: Drill) -> str:
        label = f"{drill.name} (assignment)" if drill.assignment else drill.name
        return f"{label} — suggested"[:75] if drill == suggested else label[:75]

    options = [Option(value=d.key, text=text(d)) for d in (*STARTING_LIBRARY, *custom)]
    return [*options[:99], Option(value=NEW_DRILL, text="New drill (describe it next)")]


def _framework_blocks(draft: GrowDraft) -> list[Block]:
    """How the 1:1 was run: GROW, OSKAR (a rep in a slump; its scaling number is kept) or CAR
    (a deal post-mortem). Picking one renames the record's fields."""
    options = [
        Option(value="grow", text="GROW: goal, reality, options, will"),
        Option(value="oskar", text="OSKAR: for a rep in a slump (with a 1–10 scaling)"),
        Option(value="car", text="CAR: a deal post-mortem"),
    ]
    chosen = next((o for o in options if o.value == (draft.framework or "grow")), options[0])
    blocks: list[Block] = [
        InputBlock(
            block_id=F.FRAMEWORK,
            label="How you ran it",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ActionId.GROW_FRAMEWORK_PICKED, options=options, initial_option=chosen
            ),
        )
    ]
    if draft.framework == "oskar":
        scale = [Option(value=str(n), text=str(n)) for n in SCALING]
        picked = next((o for o in scale if o.value == draft.scaling), None)
        blocks.append(
            InputBlock(
                block_id=F.SCALING,
                label="Scaling: where are they today, 1 to 10?",
                element=StaticSelectElement(action_id=VALUE, options=scale, initial_option=picked),
                hint="Ask them: 10 is the outcome reached. It is tracked week to week.",
            )
        )
    return blocks


def _grow_blocks(draft: GrowDraft, gap: Gap | None) -> list[Block]:
    """Goal, reality, options and will (as the framework names them), with the number the
    commitment is held to: needed in every 1:1 that happened. What could get in the way is
    asked, not needed."""
    goal, reality, options, will = ONE_ON_ONE_LABELS.get(
        draft.framework or "grow", ONE_ON_ONE_LABELS["grow"]
    )
    return [
        *_framework_blocks(draft),
        text_input(
            F.GOAL,
            goal,
            initial=draft.goal,
            multiline=True,
            optional=False,
            hint="One outcome they'll change in a real deal, e.g. CFO agrees to a demo by Friday.",
        ),
        text_input(
            F.REALITY,
            reality,
            initial=draft.reality,
            multiline=True,
            optional=False,
            hint="What actually happened on the call.",
        ),
        text_input(
            F.OPTIONS,
            options,
            multiline=True,
            optional=False,
            initial=draft.options,
        ),
        text_input(
            F.COMMITMENT,
            f"{will} in their words",
            multiline=True,
            optional=False,
            initial=draft.commitment,
            hint="Specific, with how many: e.g. use option two on three discovery calls.",
        ),
        text_input(
            F.ACCOUNTABILITY,
            "Accountability: the number we hold",
            optional=False,
            initial=draft.accountability,
            hint=SCORECARD_HINT if gap is Gap.CLARITY else NUMBER_HINT,
        ),
        text_input(
            F.OBSTACLES,
            "What could get in the way, in their words",
            multiline=True,
            initial=draft.obstacles,
        ),
    ]


# The number joins the commitment in one sentence: "… — and we hold <the number>". A clarity
# gap's number is the scorecard written together.
NUMBER_HINT = "Joins the commitment: “… and we hold the $40K Acme deal at proposal by Friday”."
SCORECARD_HINT = "The shared scorecard: the number, the deals, the date (e.g. $65K by Dec 18)."


def _follow_up_blocks(draft: GrowDraft, follow_up: date) -> list[Block]:
    """When the commitment is reviewed and what is checked then: needed; the target is not."""
    return [
        InputBlock(
            block_id=F.FOLLOW_UP_ON,
            label="Follow-up date",
            optional=False,
            element=DatePickerElement(
                action_id=VALUE, initial_date=(draft.follow_up_on or follow_up).isoformat()
            ),
        ),
        text_input(
            F.FOLLOW_UP_CHECK,
            "Follow-up: what you'll check",
            optional=False,
            initial=draft.follow_up_check,
            hint="e.g. questions per hour on the next 5 discovery calls.",
        ),
        text_input(
            F.MEASUREMENT,
            "Follow-up: the target",
            initial=draft.measurement,
            hint="e.g. from 9 to 12+ an hour.",
        ),
        text_input(
            F.MINUTES,
            "How long the 1:1 took (minutes)",
            initial=draft.minutes or str(ONE_ON_ONE_MINUTES),
            max_length=3,
            hint="Counted as coaching time, beside coverage.",
        ),
        text_input(
            F.PRIVATE_NOTES,
            "Private notes",
            multiline=True,
            initial=draft.private_notes,
            hint="Only you and your director see these; never the rep.",
        ),
    ]


def grow_modal(
    meta: ModalMeta,
    diagnosis: Diagnosis | None,
    custom_drills: Sequence[Drill],
    draft: GrowDraft,
    follow_up: date,
    suggested: Drill | None = None,
) -> dict[str, Any]:
    """The notes of a 1:1 that happened: goal, reality, options, the commitment with its
    number, and the follow-up's date and what it checks are needed, and the drill unless the
    gap is a system gap (no drill then: the manager acts). Picking
    "New drill" re-renders the form with the three things a new drill needs. A 1:1 that did
    not happen is logged elsewhere ("Didn't happen"), so nothing here is needed only sometimes."""
    gap = Gap(diagnosis.gap) if diagnosis else None
    gap_line = (
        f"Gap: *{diagnosis.gap}* · focus *{diagnosis.focus_skill}*"
        if diagnosis
        else "No diagnosis yet for this week."
    )
    blocks: list[Block] = [
        section(f"1:1 notes for {mention(meta.rep)} — {gap_line}"),
        context("If the 1:1 didn't happen, close this and tap *Didn't happen* instead."),
        *_grow_blocks(draft, gap),
    ]
    if gap is None or ADVICE[gap].rep_drill:
        blocks += _drill_blocks(custom_drills, draft, gap, suggested)
    else:
        blocks.append(context("A system gap: no drill for the rep; your action is on your Home."))
    blocks += _follow_up_blocks(draft, follow_up)
    name = ONE_ON_ONE_NAMES.get(draft.framework or "grow", "GROW")
    return modal(ViewId.GROW, f"1:1 notes ({name})", "Save", meta, blocks)


def _new_drill_blocks(draft: GrowDraft, gap: Gap | None) -> list[Block]:
    """What a drill described in the form needs: its name, scenario (or task), what success
    is (or when it is done) and, for a role-play, the script if there is one. It is kept for
    the focus competency and this gap."""
    if kind_for(gap) is DrillKind.ASSIGNMENT:
        labels = ("New assignment: name", "What to do", "Done when")
    else:
        labels = ("New drill: name", "New drill: scenario", "New drill: success looks like")
    blocks: list[Block] = [
        text_input(
            F.NEW_DRILL_NAME, labels[0], initial=draft.new_drill_name, optional=False, max_length=75
        ),
        text_input(
            F.NEW_DRILL_SCENARIO,
            labels[1],
            initial=draft.new_drill_scenario,
            optional=False,
            multiline=True,
        ),
        text_input(
            F.NEW_DRILL_SUCCESS,
            labels[2],
            initial=draft.new_drill_success,
            optional=False,
            multiline=True,
        ),
    ]
    if kind_for(gap) is DrillKind.ROLE_PLAY:
        blocks.append(
            text_input(
                F.NEW_DRILL_SCRIPT,
                "New drill: what to say",
                initial=draft.new_drill_script,
                multiline=True,
                hint="The words to practise, if you have them: shown on the rep's drill card.",
            )
        )
    return blocks


def _drill_hint(gap: Gap | None, suggested: Drill | None) -> str:
    if suggested is None:
        return "Pick from the library, or describe a new one."
    if suggested.assignment:
        return (
            f"Suggested: {suggested.name}. A {gap} gap needs information, not role-play: an "
            "assignment done once, to the criterion it names."
        )
    return f"Suggested for this {gap} gap and focus: {suggested.name}."


def _drill_blocks(
    custom_drills: Sequence[Drill], draft: GrowDraft, gap: Gap | None, suggested: Drill | None
) -> list[Block]:
    options = _drill_options(custom_drills, suggested)
    picked = draft.drill_choice or (suggested.key if suggested else None)
    chosen = next((o for o in options if o.value == picked), None)
    blocks: list[Block] = [
        InputBlock(
            block_id=F.DRILL_CHOICE,
            label="Drill",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ActionId.GROW_DRILL_PICKED, options=options, initial_option=chosen
            ),
            hint=_drill_hint(gap, suggested),
        )
    ]
    if draft.drill_choice == NEW_DRILL:
        blocks += _new_drill_blocks(draft, gap)
    picked_drill = next((d for d in (*STARTING_LIBRARY, *custom_drills) if d.key == picked), None)
    if picked_drill is not None and picked_drill.assignment:
        return blocks  # done once: no number of recordings to commit to
    if draft.drill_choice == NEW_DRILL and kind_for(gap) is DrillKind.ASSIGNMENT:
        return blocks
    blocks.append(
        text_input(
            F.PRACTICE_REPS,
            "Practice reps before next 1:1",
            max_length=2,
            initial=draft.practice_reps,
            hint="How many times they record the drill (1 to 20).",
        )
    )
    return blocks


NOT_HELD_SAVED = "Logged as not held: it counts as a missed week of coaching."


def notes_saved(rep: str, drill: Drill | None) -> str:
    """What the manager sees once the 1:1 notes are saved: what the rep gets next."""
    if drill is not None:
        what = "assignment" if drill.assignment else "drill"
        return f"Saved. {mention(rep)} gets their commitment and the *{drill.name}* {what}."
    return (
        "Saved. A system gap is yours to act on: no drill for the rep this week. It stays "
        "on your App Home until you mark it resolved."
    )
