"""A 1:1's notes, read-only: what the manager logged, whole, and private notes only when the
use case let them through."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.rules.frameworks import ONE_ON_ONE_LABELS, ONE_ON_ONE_NAMES
from app.services.one_on_ones import NotesShown
from app.slack.render.blocks import long_sections, mention, section
from app.slack.render.message_parts import commitment_lines


def notes_lines(notes: NotesShown) -> list[str]:
    if not notes.logged:
        return ["No 1:1 notes logged for this week yet."]
    if not notes.held:
        return ["Logged as *not held*: the 1:1 didn't happen this week."]
    goal, reality, options, _ = (
        label.split(":")[0].split(" (")[0]
        for label in ONE_ON_ONE_LABELS.get(notes.framework, ONE_ON_ONE_LABELS["grow"])
    )
    grow = [
        ("Run as", ONE_ON_ONE_NAMES.get(notes.framework) if notes.framework != "grow" else None),
        ("Scaling", f"{notes.scaling}/10" if notes.scaling is not None else None),
        (goal, notes.goal),
        (reality, notes.reality),
        (options, "; ".join(notes.options) or None),
    ]
    drill = [
        ("Drill", notes.drill),
        ("Practice reps", str(notes.practice_reps) if notes.practice_reps else None),
    ]
    return [
        *(f"*{label}:* {value}" for label, value in grow if value),
        *commitment_lines(notes.commitment, "Commitment"),
        *(f"*{label}:* {value}" for label, value in drill if value),
    ]


def notes_modal(notes: NotesShown) -> dict[str, Any]:
    """Read-only 1:1 notes, every field whole (one or more sections each: a GROW record can
    hold 3,000 characters a field); private notes appear only when the domain let them
    through."""
    blocks: list[Block] = [section(f"1:1 notes for {mention(notes.rep)}, week {notes.cycle}")]
    for line in notes_lines(notes):
        blocks += long_sections(line)
    if notes.private_notes:
        blocks += long_sections(f"*Private notes (never shown to the rep):* {notes.private_notes}")
    return View(type="modal", title="1:1 notes", close="Close", blocks=blocks[:100]).to_dict()
