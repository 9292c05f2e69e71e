"""The pieces the weekly DMs share: their buttons, a deal as one line, a rep's row in a
team message, the commitment and its follow-up."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from app.rules.commitment import Commitment
from app.rules.evidence import Deal
from app.slack.ids import Action
from app.slack.metadata import RepRef
from app.slack.render.blocks import (
    context,
    day_label,
    divider,
    section,
)

MAX_TEAM_ROWS = 20  # keeps a team message under Slack's 50 blocks; the rest is in App Home


def button(text: str, action: str, value: str, *, primary: bool = False) -> ButtonElement:
    return ButtonElement(
        text=text, action_id=action, value=value, style="primary" if primary else None
    )


def share_deals(rep: str, cycle: str, *, snooze: bool, primary: bool = True) -> ActionsBlock:
    """The buttons that answer the Monday prompt (the block id clicks are matched by)."""
    ref = RepRef(rep, cycle).dump()
    buttons = [button("Share my deals", Action.OPEN_DEALS, ref, primary=primary)]
    if snooze:
        buttons.append(button("Remind me later", Action.SNOOZE, ref))
    return ActionsBlock(block_id="deal_prompt", elements=buttons)


def score_buttons(rep: str, cycle: str) -> ActionsBlock:
    """1–5: how well the rep's drill of `cycle` carried over to live calls."""
    return ActionsBlock(
        block_id=f"score:{rep}",
        elements=[
            button(str(n), f"{Action.SCORE}_{n}", RepRef(rep, cycle, n).dump()) for n in range(1, 6)
        ],
    )


def drill_buttons(rep: str, cycle: str, block_id: str) -> ActionsBlock:
    ref = RepRef(rep, cycle).dump()
    return ActionsBlock(
        block_id=block_id,
        elements=[
            button("Mark drill done", Action.DRILL_DONE, ref, primary=True),
            button("My 1:1 notes", Action.VIEW_NOTES, ref),
        ],
    )


def deal_line(deal: Deal) -> str:
    moment = f" at {deal.moment}" if deal.moment else ""
    stage = f" ({deal.stage})" if deal.stage else ""
    happened = f" — {deal.happened}" if deal.happened else ""
    return f"• *{deal.name}*{stage}: <{deal.clip_url}|{deal.source} clip{moment}>{happened}"


def deal_lines(deals: tuple[Deal, ...] | list[Deal]) -> str:
    return "\n".join(deal_line(d) for d in deals)


def rep_row(text: str, block_id: str, *buttons: ButtonElement) -> list[Block]:
    """One rep in a team message: a divider, what we know, and what to do."""
    return [divider(), section(text), ActionsBlock(block_id=block_id, elements=list(buttons))]


def not_held_button(rep: str, cycle: str) -> ButtonElement:
    return button("Didn't happen", Action.NOT_HELD, RepRef(rep, cycle).dump())


def more(count: int) -> list[Block]:
    if count <= MAX_TEAM_ROWS:
        return []
    return [context(f"…and {count - MAX_TEAM_ROWS} more: open the coach App Home.")]


def follow_up_text(commitment: Commitment) -> str | None:
    """When the commitment is reviewed and what is checked then: "Wed Dec 2, we check
    questions per hour on the next 5 discovery calls (target: 12+ an hour)"."""
    when = day_label(commitment.follow_up_on) if commitment.follow_up_on else None
    if when and commitment.to_check:
        return f"{when}, we check {commitment.to_check}"
    return when or commitment.to_check


def commitment_lines(commitment: Commitment | None, label: str = "Your commitment") -> list[str]:
    """The commitment sentence, what could get in the way and the follow-up: what the rep
    leaves the 1:1 with (and may see)."""
    if commitment is None:
        return []
    lines = [f"*{label}:* {commitment.sentence}"]
    if commitment.obstacles:
        lines.append(f"*What could get in the way:* {commitment.obstacles}")
    follow_up = follow_up_text(commitment)
    if follow_up:
        lines.append(f"*Follow-up:* {follow_up}")
    return lines
