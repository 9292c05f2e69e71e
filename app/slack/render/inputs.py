"""The parts every modal is made of: text and link inputs and the modal frame. Every
input's block_id is its form field (app.rules.form_fields) and its action_id is always
INPUT_ACTION_ID, so a refused field maps straight back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.views import View

from app.slack.ids import INPUT_ACTION_ID
from app.slack.ids import View as ViewId
from app.slack.metadata import ModalMeta

VALUE = INPUT_ACTION_ID


def text_input(
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


def url_input(
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


def select_input(
    block_id: str,
    label: str,
    options: Sequence[tuple[str, str]],
    *,
    hint: str | None = None,
) -> InputBlock:
    """An optional pick of one of `options` ((value, text) pairs, at most 100 shown)."""
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=hint,
        element=StaticSelectElement(
            action_id=VALUE,
            placeholder="Pick one",
            options=[Option(value=value, text=text) for value, text in options[:100]],
        ),
    )


def modal(
    callback: ViewId, title: str, submit: str, meta: ModalMeta | None, blocks: Sequence[Block]
) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=callback.value,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=meta.dump() if meta else None,
        blocks=list(blocks),
    ).to_dict()
