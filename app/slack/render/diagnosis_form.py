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
from app.rules.evidence import Deal
from app.rules.form_fields import DiagnosisField
from app.rules.types import Gap
from app.services.diagnoses import DiagnosisInput
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
    rubric_level: int | None


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


def _intro_blocks(meta: ModalMeta, deals: Sequence[Deal], next_focus: str | None) -> list[Block]:
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
    return blocks


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


def _evidence_blocks(
    draft: DiagnosisDraft,
    first_clip: Deal | None,
    next_focus: str | None,
    calls: Sequence[Call] = (),
) -> list[Block]:
    """The focus skill and the evidence: a clip (or a recorded call) is needed for every gap
    but a system gap."""
    system = draft.gap is Gap.SYSTEM
    hint = "No evidence, no coaching: the clip this is based on."
    if calls:
        hint = "No evidence, no coaching: paste the clip, or pick a Gong call below."
    return [
        text_input(
            F.FOCUS_SKILL,
            "Focus skill",
            initial=draft.focus_skill or next_focus,
            optional=False,
            hint="Discovery, Objection handling, Multi-threading, Closing, or your own.",
            max_length=120,
        ),
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


def diagnosis_modal(
    meta: ModalMeta,
    deals: Sequence[Deal],
    draft: DiagnosisDraft,
    *,
    next_focus: str | None = None,
    calls: Sequence[Call] = (),
) -> dict[str, Any]:
    """The decision tree; with `next_focus`, opened to move a rep on after a transfer of 4+.
    What is asked follows what is answered: the next question after a Yes, the gap after the
    first No; the clip is needed for every gap but a system gap, which asks instead what the
    manager will escalate. Each change re-renders the form (views.update)."""
    blocks = _intro_blocks(meta, deals, next_focus) + _tree_blocks(draft) + _gap_blocks(draft)
    blocks += _evidence_blocks(draft, deals[0] if deals else None, next_focus, calls)
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
    blocks.append(_rubric_level(draft.rubric_level))
    return modal(ViewId.DIAGNOSIS, "Diagnose one gap", "Save", meta, blocks)


RUBRIC_LABELS = {
    1: "1 — surface: asks the basics only",
    2: "2 — developing: does it when prompted",
    3: "3 — solid: does it unprompted, most calls",
    4: "4 — expert: ties it to a metric the buyer owns",
}


def _rubric_level(initial: int | None) -> InputBlock:
    options = [Option(value=str(level), text=text) for level, text in RUBRIC_LABELS.items()]
    return InputBlock(
        block_id=F.RUBRIC_LEVEL,
        label="Rubric level of the focus skill today",
        optional=True,
        element=StaticSelectElement(
            action_id=VALUE,
            options=options,
            initial_option=options[initial - 1] if initial in RUBRIC_LABELS else None,
        ),
        hint="Same rubric for every rep, so levels compare across the team.",
    )


def saved_line(rep: str, gap: Gap, focus: str) -> str:
    """What a saved diagnosis leads to."""
    if gap is Gap.SYSTEM:
        return (
            f"{mention(rep)}: *system* gap. It's yours to fix, not theirs: it stays on your App "
            "Home, and in your director's digest, until you mark it resolved."
        )
    return f"{mention(rep)}: *{gap.value}* gap, focus *{focus}*. It's on the 1:1 agenda."
