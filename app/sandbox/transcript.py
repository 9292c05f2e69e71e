"""Block Kit → readable text, for the demo transcript and test failure messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element)
    if kind == "image":
        return f"(image: {element.get('alt_text', '')})"
    return f"<{kind}>"


def _block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"== {_text(block.get('text'))} =="]
    if kind == "divider":
        return ["—" * 20]
    if kind == "section":
        lines = [_text(block.get("text"))] if block.get("text") else []
        lines += [_text(field) for field in block.get("fields", [])]
        if block.get("accessory"):
            lines.append(_element(block["accessory"]))
        return lines
    if kind == "context":
        return ["  " + " ".join(_element(e) for e in block.get("elements", []))]
    if kind == "actions":
        return [" ".join(_element(e) for e in block.get("elements", []))]
    if kind == "input":
        return [f"{_text(block.get('label'))}: ____"]
    if kind == "image":
        return [f"[chart: {_text(block.get('title'))}] {block.get('alt_text', '')}"]
    return [f"<{kind} block>"]


def blocks_to_text(
    blocks: list[dict[str, Any]] | None,
    fallback: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    lines: list[str] = []
    for block in blocks or []:
        lines += _block(block)
    return with_names("\n".join(lines) if lines else (fallback or ""), names)


def with_names(text: str, names: Mapping[str, str] | None) -> str:
    """Mentions (<@U123>) as @name, for people reading a transcript."""
    known = names or {}

    def name_of(match: re.Match[str]) -> str:
        return "@" + known.get(match.group(1), match.group(1))

    return _MENTION.sub(name_of, text)
