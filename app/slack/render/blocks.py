"""Small helpers shared by the renderers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.basic_components import SlackFile

from app.rules.trends import ChartImage

SECTION_TEXT_LIMIT = 3000
ALT_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Outgoing:
    """A message or ephemeral answer: its blocks and the fallback text, which is also the
    notification preview, so it must stand alone."""

    text: str
    blocks: list[dict[str, Any]]


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=text[:150])


def section(markdown: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=markdown[:SECTION_TEXT_LIMIT]))


def context(markdown: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=markdown[:SECTION_TEXT_LIMIT])])


def chart_image(chart: ChartImage) -> ImageBlock:
    """An uploaded trend chart, shown by its Slack file id; its numbers are the alt text."""
    return ImageBlock(
        slack_file=SlackFile(id=chart.file_id),
        alt_text=chart.alt_text[:ALT_TEXT_LIMIT],
        title=chart.title[:ALT_TEXT_LIMIT],
    )


def divider() -> DividerBlock:
    return DividerBlock()


def bullet_sections(lines: Iterable[str], *, per_block: int = 10) -> list[Block]:
    """Lines packed into as few sections as the 3000-character limit allows."""
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        candidate = [*chunk, line]
        if chunk and (len(candidate) > per_block or len("\n".join(candidate)) > SECTION_TEXT_LIMIT):
            blocks.append(section("\n".join(chunk)))
            candidate = [line]
        chunk = candidate
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def long_sections(markdown: str, *, limit: int = SECTION_TEXT_LIMIT) -> list[Block]:
    """All of a long text, in as many sections as it takes (each holds 3,000 characters),
    cut at a line break or a space where it can be."""
    blocks: list[Block] = []
    rest = markdown
    while len(rest) > limit:
        cut = max(rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        blocks.append(section(rest[:cut]))
        rest = rest[cut:].lstrip()
    if rest or not blocks:
        blocks.append(section(rest))
    return blocks


def day_label(d: date) -> str:
    """A date as people read it in a DM: "Mon Nov 23"."""
    return f"{d:%a %b} {d.day}"


def mention(slack_user_id: str) -> str:
    return f"<@{slack_user_id}>"


def some_of(slack_user_ids: Sequence[str], total: int) -> str:
    """The people shown, mentioned, and how many more there are: "<@A>, <@B> and 3 more"."""
    rest = total - len(slack_user_ids)
    named = ", ".join(mention(u) for u in slack_user_ids)
    return named + (f" and {rest} more" if rest > 0 else "")


def as_dicts(blocks: Iterable[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]
