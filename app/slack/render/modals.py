"""The weekly loop's modals. Every input's block_id is the field name the domain reports
errors under, and its action_id is always "value", so errors map straight back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
    UrlInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from app.rules.diagnosis import ADVICE, TREE, proposed_gap
from app.rules.drills import STARTING_LIBRARY, Drill
from app.rules.evidence import MAX_DEALS, Deal
from app.rules.types import WEEKDAY_NAMES, Gap
from app.rules.weekly_steps import STEP_WORDS
from app.services.diagnoses import DiagnosisInput
from app.services.one_on_ones import GrowInput, NotesShown
from app.slack.ids import INPUT_ACTION_ID
from app.slack.ids import Action as ActionId
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, day_label, header, long_sections, mention, section
from app.slack.render.weekly import deal_line


class Diagnosis(Protocol):
    """What the diagnosis modal shows of a stored diagnosis."""

    answers: dict
    gap: Gap
    focus_skill: str
    evidence_url: str | None
    evidence_moment: str | None
    evidence_quote: str | None
    did: str | None
    good_looks_like: str | None
    manager_action: str | None
    rubric_level: int | None


class OneOnOne(Protocol):
    """What the GROW modal shows of stored 1:1 notes."""

    held: bool
    goal: str | None
    reality: str | None
    options: list[str]
    commitment: str | None
    drill: dict | None
    practice_reps: int | None
    accountability: str | None
    follow_up_on: date | None
    measurement: str | None
    private_notes: str | None


VALUE = INPUT_ACTION_ID
YES, NO = "yes", "no"
NEW_DRILL = "new"


def _text(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    optional: bool = True,
    hint: str | None = None,
    placeholder: str | None = None,
    max_length: int = 3000,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=VALUE,
            initial_value=initial or None,
            multiline=multiline,
            placeholder=placeholder,
            max_length=max_length,
        ),
    )


def _url(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    optional: bool = True,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=UrlInputElement(
            action_id=VALUE, initial_value=initial or None, placeholder="https://…"
        ),
    )


def _modal(
    callback: ViewId, title: str, submit: str, meta: ModalMeta | None, blocks: Sequence[Block]
) -> dict:
    return View(
        type="modal",
        callback_id=callback.value,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=meta.dump() if meta else None,
        blocks=list(blocks),
    ).to_dict()


def deals_modal(meta: ModalMeta, existing: Sequence[Deal]) -> dict:
    blocks: list[Block] = [
        section("Your top 3 deals of last week, each with a ~2-minute clip of the key moment."),
    ]
    for n in range(1, MAX_DEALS + 1):
        deal = existing[n - 1] if n <= len(existing) else None
        blocks += [
            header(f"Deal {n}"),
            _text(f"deal{n}_name", "Deal", initial=deal.name if deal else None, max_length=120),
            _text(f"deal{n}_stage", "Stage", initial=deal.stage if deal else None, max_length=40),
            _url(f"deal{n}_clip_url", "Clip link", initial=deal.clip_url if deal else None),
            _text(
                f"deal{n}_moment",
                "Key moment (mm:ss)",
                initial=deal.moment if deal else None,
                placeholder="12:45",
                max_length=8,
            ),
            _text(
                f"deal{n}_happened",
                "What happened",
                initial=deal.happened if deal else None,
                multiline=True,
                max_length=500,
            ),
        ]
    return _modal(ViewId.DEALS, "Share my deals", "Share", meta, blocks)


def _yes_no(question_key: str, text: str, initial: bool | None, *, required: bool) -> InputBlock:
    """One question of the tree; answering it refreshes the form (the next question, the gap)."""
    options = [Option(value=YES, text="Yes"), Option(value=NO, text="No")]
    chosen = {True: options[0], False: options[1]}.get(initial) if initial is not None else None
    return InputBlock(
        block_id=question_key,
        label=text,
        optional=not required,
        dispatch_action=True,
        element=RadioButtonsElement(
            action_id=ActionId.DIAGNOSIS_CHANGED, options=options, initial_option=chosen
        ),
    )


USE_THE_QUESTIONS = "tree"


def _gap_option(gap: Gap) -> Option:
    advice = ADVICE[gap]
    weight = f"{advice.coaching_pct}% coaching" if advice.rep_drill else "manager's action"
    return Option(value=gap.value, text=f"{gap.value.capitalize()} gap ({weight})")


@dataclass(frozen=True)
class DiagnosisDraft:
    """What the diagnosis form shows: a saved diagnosis, or the form as the manager has it."""

    answers: Mapping[str, bool | None] = field(default_factory=dict)
    override: Gap | None = None  # the gap picked by hand; None: the questions decide
    focus_skill: str | None = None
    evidence_url: str | None = None
    evidence_moment: str | None = None
    evidence_quote: str | None = None
    did: str | None = None
    good_looks_like: str | None = None
    manager_action: str | None = None
    rubric_level: int | None = None

    @classmethod
    def of_saved(cls, saved: Diagnosis) -> DiagnosisDraft:
        gap = Gap(saved.gap)
        return cls(
            answers=dict(saved.answers or {}),
            override=None if proposed_gap(saved.answers or {}) is gap else gap,
            focus_skill=saved.focus_skill,
            evidence_url=saved.evidence_url,
            evidence_moment=saved.evidence_moment,
            evidence_quote=saved.evidence_quote,
            did=saved.did,
            good_looks_like=saved.good_looks_like,
            manager_action=saved.manager_action,
            rubric_level=saved.rubric_level,
        )

    @classmethod
    def of_form(cls, form: DiagnosisInput) -> DiagnosisDraft:
        level = form.rubric_level.strip()
        return cls(
            answers=dict(form.answers),
            override=form.gap_override,
            focus_skill=form.focus_skill or None,
            evidence_url=form.evidence_url or None,
            evidence_moment=form.evidence_moment or None,
            evidence_quote=form.evidence_quote or None,
            did=form.did or None,
            good_looks_like=form.good_looks_like or None,
            manager_action=form.manager_action or None,
            rubric_level=int(level) if level in ("1", "2", "3", "4") else None,
        )

    @property
    def gap(self) -> Gap | None:
        return self.override or proposed_gap(self.answers)


def _tree_blocks(draft: DiagnosisDraft) -> list[Block]:
    """The questions, top-down, up to the first No: each one shown is needed (unless the gap
    is picked by hand below, when none is)."""
    blocks: list[Block] = []
    for question in TREE:
        answer = draft.answers.get(question.key)
        blocks.append(_yes_no(question.key, question.text, answer, required=not draft.override))
        if answer is not True:
            break
    return blocks


def diagnosis_modal(
    meta: ModalMeta,
    deals: Sequence[Deal],
    draft: DiagnosisDraft,
    *,
    next_focus: str | None = None,
) -> dict:
    """The decision tree; with `next_focus`, opened to move a rep on after a transfer of 4+.
    What is asked follows what is answered: the next question after a Yes, the gap after the
    first No; the clip is needed for every gap but a system gap, which asks instead what the
    manager will escalate. Each change re-renders the form (views.update)."""
    first_clip = deals[0] if deals else None
    gap = draft.gap
    blocks: list[Block] = [
        section(
            f"One gap for {mention(meta.rep)}. Answer top-down: the first *No* names the gap "
            "(four *Yes* = a will gap), or pick the gap yourself below."
        ),
    ]
    if next_focus:
        blocks.append(
            context(f"Last focus transferred (4+): pick the next one. Suggested: *{next_focus}*.")
        )
    if deals:
        blocks.append(context("\n".join(deal_line(d) for d in deals)))
    blocks += _tree_blocks(draft)
    if gap is not None:
        blocks.append(context(f"→ *{gap.value.capitalize()} gap*: {ADVICE[gap].what_to_do}"))
    tree_option = Option(value=USE_THE_QUESTIONS, text="Use the answers above")
    gap_options = [tree_option, *(_gap_option(g) for g in Gap)]
    chosen = _gap_option(draft.override) if draft.override else tree_option
    blocks.append(
        InputBlock(
            block_id="gap_override",
            label="Gap",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ActionId.DIAGNOSIS_CHANGED, options=gap_options, initial_option=chosen
            ),
        )
    )
    system = gap is Gap.SYSTEM
    blocks += [
        _text(
            "focus_skill",
            "Focus skill",
            initial=draft.focus_skill or next_focus,
            optional=False,
            hint="Discovery, Objection handling, Multi-threading, Closing, or your own.",
            max_length=120,
        ),
        _url(
            "evidence_url",
            "Evidence clip",
            initial=draft.evidence_url or (first_clip.clip_url if first_clip else None),
            optional=system,
            hint="No evidence, no coaching: the clip this is based on."
            if not system
            else "A system gap needs no clip.",
        ),
        _text(
            "evidence_moment",
            "Timestamp (mm:ss)",
            initial=draft.evidence_moment or (first_clip.moment if first_clip else None),
            max_length=8,
        ),
        _text("evidence_quote", "Quote", initial=draft.evidence_quote, multiline=True),
        _text("did", "What they did", initial=draft.did, multiline=True),
        _text(
            "good_looks_like", "What good looks like", initial=draft.good_looks_like, multiline=True
        ),
    ]
    if system:
        blocks.append(
            _text(
                "manager_action",
                "What you'll escalate",
                initial=draft.manager_action,
                multiline=True,
                optional=False,
                hint="Territory, lead routing, quota: it stays on your App Home until resolved.",
            )
        )
    blocks.append(_rubric_level(draft.rubric_level))
    return _modal(ViewId.DIAGNOSIS, "Diagnose one gap", "Save", meta, blocks)


RUBRIC_LABELS = {
    1: "1 — surface: asks the basics only",
    2: "2 — developing: does it when prompted",
    3: "3 — solid: does it unprompted, most calls",
    4: "4 — expert: ties it to a metric the buyer owns",
}


def _rubric_level(initial: int | None) -> InputBlock:
    options = [Option(value=str(level), text=text) for level, text in RUBRIC_LABELS.items()]
    return InputBlock(
        block_id="rubric_level",
        label="Rubric level of the focus skill today",
        optional=True,
        element=StaticSelectElement(
            action_id=VALUE,
            options=options,
            initial_option=options[initial - 1] if initial in RUBRIC_LABELS else None,
        ),
        hint="Same rubric for every rep, so levels compare across the team.",
    )


def _drill_options(custom: Sequence[Drill]) -> list[Option]:
    options = [Option(value=d.key, text=d.name[:75]) for d in (*STARTING_LIBRARY, *custom)]
    return [*options[:99], Option(value=NEW_DRILL, text="New drill (describe it next)")]


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
    practice_reps: str | None = None
    accountability: str | None = None
    follow_up_on: date | None = None
    measurement: str | None = None
    private_notes: str | None = None

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
            follow_up_on=saved.follow_up_on,
            measurement=saved.measurement,
            private_notes=saved.private_notes,
        )

    @classmethod
    def of_form(cls, form: GrowInput) -> GrowDraft:
        return cls(
            **{
                name: getattr(form, name) or None
                for name in (
                    "goal",
                    "reality",
                    "options",
                    "commitment",
                    "drill_choice",
                    "new_drill_name",
                    "new_drill_scenario",
                    "new_drill_success",
                    "practice_reps",
                    "accountability",
                    "measurement",
                    "private_notes",
                )
            },
            follow_up_on=form.follow_up_on,
        )


def grow_modal(
    meta: ModalMeta,
    diagnosis: Diagnosis | None,
    custom_drills: Sequence[Drill],
    draft: GrowDraft,
    follow_up: date,
) -> dict:
    """The notes of a 1:1 that happened: goal, reality, options and commitment are needed,
    and the drill unless the gap is a system gap (no drill then: the manager acts). Picking
    "New drill" re-renders the form with the three things a new drill needs. A 1:1 that did
    not happen is logged elsewhere ("Didn't happen"), so nothing here is needed only sometimes."""
    gap = Gap(diagnosis.gap) if diagnosis else None
    needs_drill = gap is None or ADVICE[gap].rep_drill
    gap_line = (
        f"Gap: *{diagnosis.gap}* · focus *{diagnosis.focus_skill}*"
        if diagnosis
        else "No diagnosis yet for this week."
    )
    blocks: list[Block] = [
        section(f"1:1 notes for {mention(meta.rep)} — {gap_line}"),
        context("If the 1:1 didn't happen, close this and tap *Didn't happen* instead."),
        _text(
            "goal",
            "Goal",
            initial=draft.goal,
            multiline=True,
            optional=False,
            hint="One outcome they'll change in a real deal, e.g. CFO agrees to a demo by Friday.",
        ),
        _text(
            "reality",
            "Reality",
            initial=draft.reality,
            multiline=True,
            optional=False,
            hint="What actually happened on the call.",
        ),
        _text(
            "options",
            "Options (one per line, at least 3)",
            multiline=True,
            optional=False,
            initial=draft.options,
        ),
        _text(
            "commitment",
            "Will: the commitment in their words",
            multiline=True,
            optional=False,
            initial=draft.commitment,
        ),
    ]
    if needs_drill:
        blocks += _drill_blocks(custom_drills, draft)
    else:
        blocks.append(context("A system gap: no drill for the rep; your action is on your Home."))
    blocks += [
        _text(
            "accountability",
            "Accountability: the number or deal",
            initial=draft.accountability,
        ),
        InputBlock(
            block_id="follow_up_on",
            label="Follow-up date",
            optional=True,
            element=DatePickerElement(
                action_id=VALUE, initial_date=(draft.follow_up_on or follow_up).isoformat()
            ),
        ),
        _text("measurement", "Measurement target", initial=draft.measurement),
        _text(
            "private_notes",
            "Private notes",
            multiline=True,
            initial=draft.private_notes,
            hint="Only you and your director see these; never the rep.",
        ),
    ]
    return _modal(ViewId.GROW, "1:1 notes (GROW)", "Save", meta, blocks)


def _drill_blocks(custom_drills: Sequence[Drill], draft: GrowDraft) -> list[Block]:
    options = _drill_options(custom_drills)
    chosen = next((o for o in options if o.value == draft.drill_choice), None)
    blocks: list[Block] = [
        InputBlock(
            block_id="drill_choice",
            label="Drill",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ActionId.GROW_DRILL_PICKED, options=options, initial_option=chosen
            ),
        )
    ]
    if draft.drill_choice == NEW_DRILL:
        blocks += [
            _text(
                "new_drill_name",
                "New drill: name",
                initial=draft.new_drill_name,
                optional=False,
                max_length=75,
            ),
            _text(
                "new_drill_scenario",
                "New drill: scenario",
                initial=draft.new_drill_scenario,
                optional=False,
                multiline=True,
            ),
            _text(
                "new_drill_success",
                "New drill: success looks like",
                initial=draft.new_drill_success,
                optional=False,
                multiline=True,
            ),
        ]
    blocks.append(
        _text(
            "practice_reps",
            "Practice reps before next 1:1",
            max_length=2,
            initial=draft.practice_reps,
            hint="How many times they record the drill (1 to 20).",
        )
    )
    return blocks


def not_held_modal(meta: ModalMeta) -> dict:
    """Confirm that a 1:1 didn't happen (it counts as a missed week of coaching)."""
    blocks: list[Block] = [
        section(
            f"Log {mention(meta.rep)}'s 1:1 of week {meta.cycle} as *not held*? It counts as a "
            "missed week of coaching. If they were out, pause them instead: a paused week "
            "counts as skipped, not missed."
        )
    ]
    return _modal(ViewId.NOT_HELD, "The 1:1 didn't happen", "Log as not held", meta, blocks)


def drill_done_modal(meta: ModalMeta, drill_name: str) -> dict:
    blocks = [
        section(f"Nice work! Share the recording of *{drill_name}*."),
        _url("link", "Recording link", optional=False),
        _text("note", "Note (optional)", multiline=True, max_length=1000),
    ]
    return _modal(ViewId.DRILL_DONE, "Mark drill done", "Record", meta, blocks)


def _notes_lines(notes: NotesShown) -> list[str]:
    if not notes.logged:
        return ["No 1:1 notes logged for this week yet."]
    if not notes.held:
        return ["Logged as *not held*: the 1:1 didn't happen this week."]
    fields = [
        ("Goal", notes.goal),
        ("Reality", notes.reality),
        ("Options", "; ".join(notes.options) or None),
        ("Commitment", notes.commitment),
        ("Drill", notes.drill),
        ("Practice reps", str(notes.practice_reps) if notes.practice_reps else None),
        ("Accountability", notes.accountability),
        ("Follow-up", day_label(notes.follow_up_on) if notes.follow_up_on else None),
        ("Measurement", notes.measurement),
    ]
    return [f"*{label}:* {value}" for label, value in fields if value]


def notes_modal(notes: NotesShown) -> dict:
    """Read-only 1:1 notes, every field whole (one or more sections each: a GROW record can
    hold 3,000 characters a field); private notes appear only when the domain let them
    through."""
    blocks: list[Block] = [section(f"1:1 notes for {mention(notes.rep)}, week {notes.cycle}")]
    for line in _notes_lines(notes):
        blocks += long_sections(line)
    if notes.private_notes:
        blocks += long_sections(f"*Private notes (never shown to the rep):* {notes.private_notes}")
    return View(type="modal", title="1:1 notes", close="Close", blocks=blocks[:100]).to_dict()


WORKSPACE_DEFAULT = "all"


def schedule_modal(teams: Sequence[str]) -> dict:
    """Move one step, for one team or for the workspace default (admins)."""
    steps = [Option(value=word, text=word) for word in STEP_WORDS]
    days = [Option(value=str(n), text=name) for n, name in enumerate(WEEKDAY_NAMES)]
    team_options = [Option(value=WORKSPACE_DEFAULT, text="Every team (workspace default)")]
    team_options += [Option(value=t, text=f"Team of {t}") for t in teams[:99]]
    blocks: list[Block] = [
        section(
            "Move one step of the week. Times are each person's local time; the notes nudge "
            "follows the 1:1 and the reminder follows the prompt."
        ),
        InputBlock(
            block_id="step",
            label="Step",
            element=StaticSelectElement(action_id=VALUE, options=steps),
        ),
        InputBlock(
            block_id="weekday",
            label="Day",
            element=StaticSelectElement(action_id=VALUE, options=days),
        ),
        InputBlock(
            block_id="at",
            label="Time",
            element=TimePickerElement(action_id=VALUE, initial_time="09:00"),
        ),
        InputBlock(
            block_id="team",
            label="For",
            element=StaticSelectElement(
                action_id=VALUE, options=team_options, initial_option=team_options[0]
            ),
        ),
    ]
    return _modal(ViewId.SCHEDULE, "Change the schedule", "Save", None, blocks)


def pause_modal(meta: ModalMeta, today: date) -> dict:
    blocks: list[Block] = [
        section(
            f"Pause {mention(meta.rep)} (out of office): no prompts or nudges, and those weeks "
            "count as skipped, not missed."
        ),
        InputBlock(
            block_id="until",
            label="Paused through",
            element=DatePickerElement(action_id=VALUE, initial_date=today.isoformat()),
        ),
    ]
    return _modal(ViewId.PAUSE, "Pause coaching", "Pause", meta, blocks)


def roster_modal(roles: Sequence[str]) -> dict:
    """Add someone to the roster, or change their role or manager (admins)."""
    options = [Option(value=role, text=role) for role in roles]
    blocks: list[Block] = [
        InputBlock(
            block_id="person",
            label="Person",
            element=UserSelectElement(action_id=VALUE),
        ),
        InputBlock(
            block_id="role",
            label="Role",
            element=StaticSelectElement(action_id=VALUE, options=options),
        ),
        InputBlock(
            block_id="manager",
            label="Manager (every rep needs one)",
            optional=True,
            element=UserSelectElement(action_id=VALUE),
        ),
        context("To take someone off the roster (their history is kept): `/coach remove @person`."),
    ]
    return _modal(ViewId.ROSTER, "Add or change someone", "Save", None, blocks)


def saved_line(rep: str, gap: Gap, focus: str) -> str:
    """What a saved diagnosis leads to."""
    if gap is Gap.SYSTEM:
        return (
            f"{mention(rep)}: *system* gap. It's yours to fix, not theirs: it stays on your App "
            "Home, and in your director's digest, until you mark it resolved."
        )
    return f"{mention(rep)}: *{gap.value}* gap, focus *{focus}*. It's on the 1:1 agenda."


def saved(title: str, message: str) -> dict:
    return View(type="modal", title=title[:24], close="Done", blocks=[section(message)]).to_dict()
