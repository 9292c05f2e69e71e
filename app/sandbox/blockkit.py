"""Block Kit checks the sandbox applies, as Slack would: slack_sdk.models' validators, a
lossless round trip (so typos and unknown keys fail instead of vanishing), and the limits the
SDK does not enforce (block counts, input lengths, unique ids, submit on modals, view size)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
VIEW_MAX_BYTES = 250_000
PRIVATE_METADATA_LIMIT = 3000
TITLE_LIMIT = 24
INPUT_TEXT_MAX = 3000


@dataclass(frozen=True)
class Problem:
    pointer: str  # JSON pointer into the payload, like /blocks/3/text
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True))


def _check_block(block: Any, pointer: str) -> list[Problem]:
    if not isinstance(block, dict) or "type" not in block:
        return [Problem(pointer, "a block must be an object with a type")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = Block.parse(block)
    if parsed is None:
        return [Problem(pointer + "/type", f"unknown block type {block.get('type')!r}")]
    try:
        rendered = parsed.to_dict()
    except SlackObjectFormationError as exc:
        return [Problem(pointer, str(exc))]
    if _canonical(rendered) != _canonical(block):
        extra = sorted(set(block) - set(rendered))
        detail = f"unknown keys {extra}" if extra else "a nested field is unknown or malformed"
        return [Problem(pointer, f"block is not valid Block Kit: {detail}")]
    return _check_elements(block, pointer)


def _elements_of(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for e in block.get("elements", []) if isinstance(e, dict)]
    for key in ("element", "accessory"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _check_elements(block: dict[str, Any], pointer: str) -> list[Problem]:
    problems: list[Problem] = []
    action_ids: set[str] = set()
    for element in _elements_of(block):
        action_id = element.get("action_id")
        if action_id is not None:
            if action_id in action_ids:
                problems.append(Problem(pointer, f"action_id {action_id!r} repeats in one block"))
            action_ids.add(action_id)
        if element.get("type") == "plain_text_input":
            low, high = element.get("min_length"), element.get("max_length")
            if low is not None and not 0 <= low <= INPUT_TEXT_MAX:
                problems.append(Problem(pointer, "min_length must be between 0 and 3000"))
            if high is not None and not 1 <= high <= INPUT_TEXT_MAX:
                problems.append(Problem(pointer, "max_length must be between 1 and 3000"))
            if low is not None and high is not None and high < low:
                problems.append(Problem(pointer, "max_length must not be below min_length"))
        initial = element.get("initial_option")
        options = element.get("options")
        if initial is not None and options is not None and initial not in options:
            problems.append(Problem(pointer, "initial_option must be one of options"))
    return problems


def check_blocks(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[Problem]:
    if not isinstance(blocks, list):
        return [Problem(pointer, "blocks must be an array")]
    problems: list[Problem] = []
    if len(blocks) > limit:
        problems.append(Problem(pointer, f"no more than {limit} blocks are allowed"))
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        here = f"{pointer}/{index}"
        problems += _check_block(block, here)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in seen_ids:
                problems.append(Problem(here + "/block_id", f"block_id {block_id!r} repeats"))
            seen_ids.add(block_id)
    return problems


def check_message_blocks(blocks: Any) -> list[Problem]:
    return check_blocks(blocks, limit=MESSAGE_BLOCK_LIMIT)


def check_view(view: Any, *, expected_type: str | None = None) -> list[Problem]:
    if not isinstance(view, dict):
        return [Problem("/view", "view must be an object")]
    view_type = view.get("type")
    if expected_type is not None and view_type != expected_type:
        return [Problem("/view/type", f"view type must be {expected_type!r}")]
    if view_type not in ("modal", "home"):
        return [Problem("/view/type", "view type must be modal or home")]
    problems = check_blocks(view.get("blocks"), limit=VIEW_BLOCK_LIMIT, pointer="/view/blocks")
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError) as exc:
        problems.append(Problem("/view", str(exc)))
    if len(json.dumps(view)) > VIEW_MAX_BYTES:
        problems.append(Problem("/view", "view is larger than 250 KB"))
    metadata = view.get("private_metadata")
    if metadata is not None and len(metadata) > PRIVATE_METADATA_LIMIT:
        problems.append(Problem("/view/private_metadata", "private_metadata over 3000 chars"))
    if view_type == "modal":
        title = (view.get("title") or {}).get("text", "")
        if not 1 <= len(title) <= TITLE_LIMIT:
            problems.append(Problem("/view/title", "title must be 1 to 24 characters"))
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            problems.append(Problem("/view/submit", "a modal with input blocks needs submit"))
    if view_type == "home" and (view.get("submit") or view.get("close")):
        problems.append(Problem("/view", "a home view cannot have submit or close"))
    return problems
