"""Coaching notes outside the 1:1: the form (pick SBI, CAR or OSKAR, then its parts), the SBI
note as the rep gets it by DM, and a note's lines where coaches read it."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    RadioButtonsElement,
    StaticSelectElement,
)

from app.rules.frameworks import FRAMEWORK_FIELD, PART_MAX, SCALING, SCALING_FIELD, SPECS, Framework
from app.services.coaching_notes import NoteShown
from app.slack.ids import Action
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import Outgoing, as_dicts, context, header, mention, section
from app.slack.render.inputs import VALUE, modal, text_input, url_input


def _framework_pick(chosen: Framework | None) -> InputBlock:
    options = [Option(value=f.value, text=SPECS[f].label[:75]) for f in Framework]
    initial = next((o for o in options if chosen and o.value == chosen.value), None)
    return InputBlock(
        block_id=FRAMEWORK_FIELD,
        label="Framework",
        dispatch_action=True,  # its parts follow
        element=RadioButtonsElement(
            action_id=Action.NOTE_FRAMEWORK_PICKED, options=options, initial_option=initial
        ),
    )


def note_modal(meta: ModalMeta, framework: Framework | None) -> dict[str, Any]:
    """A note on one rep, any day: the framework first, then what it asks for."""
    blocks: list[Block] = [
        section(f"A coaching note on {mention(meta.rep)}, outside the 1:1."),
        _framework_pick(framework),
    ]
    if framework is None:
        blocks.append(context("Pick a framework: its parts appear below."))
        return modal(ViewId.NOTE, "Coaching note", "Save", meta, blocks)
    spec = SPECS[framework]
    for part in spec.parts:
        if part.link:
            blocks.append(url_input(part.key, part.label, optional=False, hint=part.hint))
        else:
            blocks.append(
                text_input(
                    part.key,
                    part.label,
                    multiline=True,
                    optional=False,
                    hint=part.hint,
                    max_length=PART_MAX,
                )
            )
    if spec.scaling:
        options = [Option(value=str(n), text=str(n)) for n in SCALING]
        blocks.insert(
            3,
            InputBlock(
                block_id=SCALING_FIELD,
                label="Scaling: where are they today, 1 to 10?",
                element=StaticSelectElement(action_id=VALUE, options=options),
                hint="Ask them: 10 is the outcome reached. It is tracked from note to note.",
            ),
        )
    who = (
        "It goes to the rep by DM when you save; you and your director see it on their scorecard."
        if spec.to_rep
        else "Only you and your director see it, on the rep's scorecard; the rep doesn't."
    )
    blocks.append(context(who))
    return modal(ViewId.NOTE, f"{spec.name} note", "Save", meta, blocks)


def note_saved(rep: str, framework: Framework, sent: bool) -> str:
    name = SPECS[framework].name
    if sent:
        return f"Saved. {mention(rep)} gets your {name} feedback by DM now."
    return (
        f"Saved: your {name} note on {mention(rep)} is on their scorecard, for you and your "
        "director."
    )


def note_lines(note: NoteShown) -> list[str]:
    scaling = f" · scaling {note.scaling}/10" if note.scaling is not None else ""
    by = f" by {mention(note.author)}" if note.author else ""
    head = f"*{SPECS[note.framework].name}*, {note.cycle}{by}{scaling}"
    return [head, *(f"   _{label}:_ {text}" for label, text in note.parts)]


def feedback_note(note: NoteShown) -> Outgoing:
    """The SBI note, as the rep gets it."""
    by = mention(note.author) if note.author else "Your manager"
    text = f"{by} has feedback on one moment of your calls (SBI)."
    body = "\n".join(f"*{label}:* {value}" for label, value in note.parts)
    blocks = [
        header("Feedback on one moment"),
        section(f"{text}\n{body}"),
        context("Only you, your manager and your director see this."),
    ]
    return Outgoing(text, as_dicts(blocks))
