"""The diagnosis modal: the decision tree that names one gap, the evidence it rests on, and
what a saved diagnosis leads to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    RadioButtonsElement,
    StaticSelectElement,
)

from app.rules.call_stats import Call
from app.rules.diagnosis import ADVICE, TREE, proposed_gap
from app.rules.drills import Drill
from app.rules.evidence import Deal
from app.rules.focus import REDIAGNOSE_WEEK
from app.rules.form_fields import DiagnosisField, rating_field
from app.rules.rubric import LEVELS, Competency, check_level, find
from app.rules.types import Gap
from app.services.diagnoses import DiagnosisForm, DiagnosisInput
from app.slack.ids import Action as ActionId
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, mention, section
from app.slack.render.call_words import call_option_text
from app.slack.render.diagnosis_words import QUESTION, WHAT_TO_DO
from app.slack.render.inputs import VALUE, modal, select_input, text_input, url_input
from app.slack.render.message_parts import deal_line

F = DiagnosisField
YES, NO = "yes", "no"
USE_THE_QUESTIONS = "tree"


class Diagnosis(Protocol):
    """What the diagnosis modal shows of a stored diagnosis."""

    answers: dict[str, Any]
    gap: Gap
    focus_skill: str
    evidence_url: str | None
    evidence_moment: str | None
    evidence_quote: str | None
    did: str | None
    good_looks_like: str | None
    manager_action: str | None
    focus_key: str | None


@dataclass(frozen=True)
class DiagnosisDraft:
    """What the diagnosis form shows: a saved diagnosis, or the form as the manager has it."""

    answers: Mapping[str, bool | None] = field(default_factory=dict)
    override: Gap | None = None  # the gap picked by hand; None: the questions decide
    focus: str | None = None  # the focus competency's key
    evidence_url: str | None = None
    evidence_moment: str | None = None
    evidence_quote: str | None = None
    did: str | None = None
    good_looks_like: str | None = None
    manager_action: str | None = None
    levels: Mapping[str, int] = field(default_factory=dict)  # competency key → level

    @classmethod
    def of_saved(cls, saved: Diagnosis, levels: Mapping[str, int]) -> DiagnosisDraft:
        gap = Gap(saved.gap)
        return cls(
            answers=dict(saved.answers or {}),
            override=None if proposed_gap(saved.answers or {}) is gap else gap,
            focus=saved.focus_key,
            evidence_url=saved.evidence_url,
            evidence_moment=saved.evidence_moment,
            evidence_quote=saved.evidence_quote,
            did=saved.did,
            good_looks_like=saved.good_looks_like,
            manager_action=saved.manager_action,
            levels=dict(levels),
        )

    @classmethod
    def of_form(cls, form: DiagnosisInput) -> DiagnosisDraft:
        levels = {key: check_level(text) for key, text in form.levels.items()}
        return cls(
            answers=dict(form.answers),
            override=form.gap_override,
            focus=form.focus or None,
            evidence_url=form.evidence_url or None,
            evidence_moment=form.evidence_moment or None,
            evidence_quote=form.evidence_quote or None,
            did=form.did or None,
            good_looks_like=form.good_looks_like or None,
            manager_action=form.manager_action or None,
            levels={key: level for key, level in levels.items() if level is not None},
        )

    @property
    def gap(self) -> Gap | None:
        return self.override or proposed_gap(self.answers)


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


def _gap_option(gap: Gap) -> Option:
    advice = ADVICE[gap]
    weight = f"{advice.coaching_pct}% coaching" if advice.rep_drill else "manager's action"
    return Option(value=gap.value, text=f"{gap.value.capitalize()} gap ({weight})")


def _tree_blocks(draft: DiagnosisDraft) -> list[Block]:
    """The questions, top-down, up to the first No: each one shown is needed (unless the gap
    is picked by hand below, when none is)."""
    blocks: list[Block] = []
    for question in TREE:
        answer = draft.answers.get(question.key)
        blocks.append(
            _yes_no(question.key, QUESTION[question.key], answer, required=not draft.override)
        )
        if answer is not True:
            break
    return blocks


def _intro_blocks(meta: ModalMeta, form: DiagnosisForm) -> list[Block]:
    blocks: list[Block] = [
        section(
            f"One gap for {mention(meta.rep)}. Answer top-down: the first *No* names the gap "
            "(four *Yes* = a will gap), or pick the gap yourself below."
        ),
    ]
    focus_line = focus_words(form)
    if focus_line:
        blocks.append(context(focus_line))
    if form.deals:
        blocks.append(context("\n".join(deal_line(d) for d in form.deals)))
    return blocks


def focus_words(form: DiagnosisForm) -> str:
    """Where the rep's focus stands, and what the form suggests for it."""
    run, advice = form.run, form.advice
    suggested = find(form.rubric, form.focus)
    if form.moving_on or (run.weeks and not advice.carry):
        nxt = f" Suggested next: *{suggested.name}*." if suggested else ""
        return f"*{run.name or 'The focus'}* transferred (a drill scored 4+): move on.{nxt}"
    if not run.weeks:
        return "No focus yet: pick the one competency to coach for the next 3 weeks."
    line = f"Focus: *{run.name}*, held since {run.cycles[0]}: this is week {advice.week}."
    if advice.rediagnose:
        line += (
            f" No drill has scored 4+ yet (the target is within {REDIAGNOSE_WEEK} weeks): walk "
            "the tree again before you carry it on."
        )
    return line


def _gap_blocks(draft: DiagnosisDraft) -> list[Block]:
    """The gap the answers name, and the select to pick it by hand instead."""
    gap = draft.gap
    blocks: list[Block] = []
    if gap is not None:
        blocks.append(context(f"→ *{gap.value.capitalize()} gap*: {WHAT_TO_DO[gap]}"))
    tree_option = Option(value=USE_THE_QUESTIONS, text="Use the answers above")
    gap_options = [tree_option, *(_gap_option(g) for g in Gap)]
    chosen = _gap_option(draft.override) if draft.override else tree_option
    blocks.append(
        InputBlock(
            block_id=F.GAP_OVERRIDE,
            label="Gap",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ActionId.DIAGNOSIS_CHANGED, options=gap_options, initial_option=chosen
            ),
        )
    )
    return blocks


def _call_pick(calls: Sequence[Call]) -> list[Block]:
    if not calls:
        return []
    return [
        select_input(
            F.EVIDENCE_CALL,
            "Or a Gong call",
            [(str(c.id), call_option_text(c)) for c in calls],
            hint="The rep's calls of the week: used when no clip is pasted above.",
        )
    ]


def _focus_block(rubric: Sequence[Competency], focus: str | None) -> InputBlock:
    options = [Option(value=c.key, text=c.name) for c in rubric]
    chosen = next((o for o in options if o.value == focus), None)
    return InputBlock(
        block_id=F.FOCUS_SKILL,
        label="Focus competency",
        dispatch_action=True,  # its rating becomes the one needed
        element=StaticSelectElement(
            action_id=ActionId.DIAGNOSIS_CHANGED, options=options, initial_option=chosen
        ),
        hint="One at a time: it carries over each week until a drill scores 4+.",
    )


def _evidence_blocks(
    draft: DiagnosisDraft, first_clip: Deal | None, calls: Sequence[Call] = ()
) -> list[Block]:
    """The evidence: a clip (or a recorded call) is needed for every gap but a system gap."""
    system = draft.gap is Gap.SYSTEM
    hint = "No evidence, no coaching: the clip this is based on."
    if calls:
        hint = "No evidence, no coaching: paste the clip, or pick a Gong call below."
    return [
        url_input(
            F.EVIDENCE_URL,
            "Evidence clip",
            initial=draft.evidence_url or (first_clip.clip_url if first_clip else None),
            optional=system or bool(calls),
            hint=hint if not system else "A system gap needs no clip.",
        ),
        *_call_pick(calls),
        text_input(
            F.EVIDENCE_MOMENT,
            "Timestamp (mm:ss)",
            initial=draft.evidence_moment or (first_clip.moment if first_clip else None),
            max_length=8,
        ),
        text_input(F.EVIDENCE_QUOTE, "Quote", initial=draft.evidence_quote, multiline=True),
        text_input(F.DID, "What they did", initial=draft.did, multiline=True),
        text_input(
            F.GOOD_LOOKS_LIKE,
            "What good looks like",
            initial=draft.good_looks_like,
            multiline=True,
        ),
    ]


def diagnosis_modal(meta: ModalMeta, form: DiagnosisForm, draft: DiagnosisDraft) -> dict[str, Any]:
    """The decision tree, the focus and the rubric. What is asked follows what is answered:
    the next question after a Yes, the gap after the first No; the clip is needed for every
    gap but a system gap, which asks instead what the manager will escalate. Each change of
    an answer re-renders the form (views.update). Every competency is rated: the focus must
    be, the others start from their last level."""
    blocks = _intro_blocks(meta, form) + _tree_blocks(draft) + _gap_blocks(draft)
    focus = draft.focus or form.focus
    blocks.append(_focus_block(form.rubric, focus))
    blocks += _evidence_blocks(draft, form.deals[0] if form.deals else None, form.calls)
    if draft.gap is Gap.SYSTEM:
        blocks.append(
            text_input(
                F.MANAGER_ACTION,
                "What you'll escalate",
                initial=draft.manager_action,
                multiline=True,
                optional=False,
                hint="Territory, lead routing, quota: it stays on your App Home until resolved.",
            )
        )
    levels = draft.levels if draft.levels else form.levels
    blocks.append(
        section(
            "*The rubric today.* The focus needs a level; the others start from their last "
            "one: change any that moved."
        )
    )
    blocks += [_rating_block(c, levels.get(c.key), needed=c.key == focus) for c in form.rubric]
    return modal(ViewId.DIAGNOSIS, "Diagnose one gap", "Save", meta, blocks)


def _rating_block(competency: Competency, initial: int | None, *, needed: bool) -> InputBlock:
    options = [
        Option(value=str(level), text=f"{level} — {competency.level_text(level)}"[:75])
        for level in LEVELS
    ]
    return InputBlock(
        block_id=rating_field(competency.key),
        label=f"{competency.name} (the focus)" if needed else competency.name,
        optional=not needed,
        element=RadioButtonsElement(
            action_id=VALUE,
            options=options,
            initial_option=options[initial - 1] if initial in LEVELS else None,
        ),
    )


def saved_line(rep: str, gap: Gap, focus: str, drill: Drill | None) -> str:
    """What a saved diagnosis leads to, and the drill it suggests for the 1:1."""
    if gap is Gap.SYSTEM:
        return (
            f"{mention(rep)}: *system* gap. It's yours to fix, not theirs: it stays on your App "
            "Home, and in your director's digest, until you mark it resolved."
        )
    line = f"{mention(rep)}: *{gap.value}* gap, focus *{focus}*. It's on the 1:1 agenda."
    if gap is Gap.WILL:
        line += (
            " A will gap: open with the accountability conversation (what's in the way? is it "
            "burnout?) before any drill."
        )
    if drill is not None:
        what = "assignment" if drill.assignment else "drill"
        line += f" Suggested {what}: *{drill.name}* (the GROW form starts on it)."
    return line
