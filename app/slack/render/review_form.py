"""The director's review of a manager's 1:1: the record as they may see it, the checklist
and a note; and the line the modal becomes once it is saved."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, CheckboxesElement, InputBlock, Option

from app.rules.coaching_review import CHECKLIST, MAX_NOTE
from app.rules.form_fields import ReviewField
from app.services.coaching_reviews import ReviewForm, SavedReview
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta
from app.slack.render.blocks import context, divider, long_sections, mention, section
from app.slack.render.inputs import VALUE, modal, text_input
from app.slack.render.notes_view import notes_lines
from app.slack.render.review_words import ASKED, PRE_TICKED


def _diagnosis_line(form: ReviewForm) -> str:
    if form.focus_skill is None:
        return "*Diagnosis:* none saved for this week."
    gap = f"{form.gap.value} gap · " if form.gap else ""
    evidence = f" · <{form.evidence_url}|evidence>" if form.evidence_url else " · no evidence"
    return f"*Diagnosis:* {gap}focus {form.focus_skill}{evidence}"


def _checklist(form: ReviewForm) -> InputBlock:
    options = [
        Option(value=check.value, text=ASKED[check], description=PRE_TICKED.get(check))
        if check in form.pre_ticked
        else Option(value=check.value, text=ASKED[check])
        for check in CHECKLIST
    ]
    initial = [o for o, check in zip(options, CHECKLIST, strict=True) if check in form.ticked]
    return InputBlock(
        block_id=ReviewField.CHECKLIST,
        label="What the 1:1 did",
        optional=True,
        hint="coach ticked what it could read from the record: untick anything that's wrong.",
        element=CheckboxesElement(
            action_id=VALUE, options=options, initial_options=initial or None
        ),
    )


def review_modal(meta: ModalMeta, form: ReviewForm) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            f"{mention(form.manager)}'s 1:1 with {mention(form.rep)}, week {form.cycle}. "
            f"{mention(form.manager)} gets your review by DM."
        ),
        section(_diagnosis_line(form)),
    ]
    for line in notes_lines(form.notes):
        blocks += long_sections(line)
    if form.notes.private_notes:
        blocks += long_sections(
            f"*Private notes (never shown to the rep):* {form.notes.private_notes}"
        )
    blocks += [
        divider(),
        _checklist(form),
        text_input(
            ReviewField.NOTE,
            f"A note to the manager (up to {MAX_NOTE:,} characters)",
            initial=form.note,
            multiline=True,
            max_length=MAX_NOTE,
        ),
        context(
            "Sent once, when you first save. Saving again edits the review (and your "
            "digest's figures) without a second message."
            if not form.saved
            else "You reviewed this 1:1 already: saving edits the review and your digest's "
            "figures; the manager isn't messaged again."
        ),
    ]
    return modal(ViewId.REVIEW, "Review the 1:1", "Save review", meta, blocks[:100])


def review_saved(saved: SavedReview) -> str:
    of = len(CHECKLIST)
    what = f"{saved.ticked} of {of} on the checklist"
    if saved.created:
        return (
            f"Review saved: {what} for {mention(saved.manager.slack_user_id)}'s 1:1 with "
            f"{mention(saved.rep)} ({saved.cycle}). I'm sending it to them by DM now."
        )
    return (
        f"Review updated: {what}. {mention(saved.manager.slack_user_id)} already has your "
        "review by DM, so I'm not messaging them again."
    )
