"""The rubric in the admin's App Home, and the form that rewords a competency or adds one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, Option, StaticSelectElement

from app.rules import rubric
from app.rules.form_fields import CompetencyField
from app.rules.rubric import Competency
from app.slack.ids import Action
from app.slack.ids import View as ViewId
from app.slack.metadata import CompetencyRef
from app.slack.render.blocks import context, section
from app.slack.render.inputs import modal, text_input


def rubric_blocks(competencies: Sequence[Competency]) -> list[Block]:
    """What the admin sees of the rubric, and the way to change it."""
    names = " · ".join(c.name for c in competencies)
    elements: list[Any] = [
        StaticSelectElement(
            action_id=Action.EDIT_COMPETENCY,
            placeholder="Reword a competency",
            options=[
                Option(value=CompetencyRef(c.key).dump(), text=c.name[:75]) for c in competencies
            ],
        )
    ]
    if len(competencies) < rubric.MAX_COMPETENCIES:
        elements.append(
            ButtonElement(
                text="Add a competency",
                action_id=Action.ADD_COMPETENCY,
                value=CompetencyRef("").dump(),
            )
        )
    return [
        section(f"*Rubric* (levels 1–4, the same for every rep): {names}"),
        ActionsBlock(block_id="rubric_actions", elements=elements),
        context("Managers rate every rep on each competency when they diagnose."),
    ]


def competency_modal(competency: Competency | None) -> dict[str, Any]:
    """A competency's name and what each level sounds like on a call; empty for a new one."""
    blocks: list[Block] = [
        section(
            "Describe each level as something you can hear on a call, so two managers would "
            "give the same rep the same level. Ratings already given keep their level."
        ),
        text_input(
            CompetencyField.NAME,
            "Competency",
            initial=competency.name if competency else None,
            optional=False,
            max_length=rubric.NAME_MAX,
        ),
    ]
    for level in rubric.LEVELS:
        blocks.append(
            text_input(
                CompetencyField.level(level),
                f"Level {level}",
                initial=competency.level_text(level) if competency else None,
                optional=False,
                max_length=rubric.LEVEL_TEXT_MAX,
                hint=_LEVEL_HINTS.get(level),
            )
        )
    title = "Reword a competency" if competency else "Add a competency"
    meta = CompetencyRef(competency.key if competency else "").dump()
    view = modal(ViewId.COMPETENCY, title, "Save", None, blocks)
    return {**view, "private_metadata": meta}


_LEVEL_HINTS = {1: "The starting point, e.g. asks surface questions only.", 4: "Mastery."}


def competency_saved(competency: Competency, *, new: bool) -> str:
    verb = "added to" if new else "saved in"
    return (
        f"*{competency.name}* {verb} the rubric. Managers see it the next time they open a "
        "diagnosis."
    )
