"""The words of the 1:1's two halves (`app.rules.agenda`): their labels, and what each part
asks of the manager, filled in with what coach knows of the rep."""

from __future__ import annotations

from app.rules.agenda import AgendaHalf, Half, Part
from app.services import weekly_messages as m
from app.slack.render.message_parts import follow_up_text

HALF_LABEL = {
    Half.COACHING: "Coaching — me helping you get better",
    Half.ACCOUNTABILITY: "Accountability — us holding the number",
}

GROW = (
    "GROW on the clip: Goal — one outcome in a real deal? · Reality — what happened on the "
    "clip? · Options — what else could you say (ask for 3)? · Will — what exactly, how many "
    "reps?"
)
SCORECARD_DEALS = 3  # open deals named as the scorecard's starting point


def check_last(item: m.AgendaItem) -> list[str]:
    last = item.last_commitment
    if last is None:
        return []
    done = {True: " · drill recorded ✓", False: " · drill not recorded ✗", None: ""}[
        item.last_drill_recorded
    ]
    lines = [f"*Check last week's commitment:* {last.sentence}{done}"]
    follow_up = follow_up_text(last)
    if follow_up:
        lines.append(f"*Follow-up:* {follow_up}")
    return lines


def _scorecard(item: m.AgendaItem) -> str:
    deals = ", ".join(d.name[:60] for d in item.pipeline[:SCORECARD_DEALS])
    from_deals = f" (start from {deals})" if deals else ""
    return (
        "*Build the shared scorecard:* write it down together, both of you: the number (how "
        f"much, at which stage), the deals it comes from{from_deals}, and the date. One line "
        "you both could repeat, e.g. “$65K at proposal from Acme and Globex by Fri Dec 18”."
    )


def _escalate(item: m.AgendaItem) -> str:
    action = item.manager_action or "say what you'll take up (territory, routing or quota)"
    return f"*Your escalation:* {action}. The rep gets no drill for it: it isn't theirs to fix."


def part_lines(part: Part, item: m.AgendaItem) -> list[str]:
    """What the manager does in one part of a rep's 1:1 (nothing for a part with nothing to
    show: no commitment last week to check)."""
    if part is Part.CHECK_LAST:
        return check_last(item)
    if part is Part.SCORECARD:
        return [_scorecard(item)]
    if part is Part.ESCALATE:
        return [_escalate(item)]
    return [
        {
            Part.TEACH: (
                "*Teach what good looks like:* the product, the process, a good call to hear. "
                "Information, not role-play."
            ),
            Part.GROW: GROW,
            Part.ROLE_PLAY: "*Role-play* the drill once before you move on.",
            Part.PIPELINE: "*Pipeline:* where each open deal stands, and what moves it this week.",
            Part.COMMIT: (
                "*Leave with one sentence:* their commitment in their words and the number you "
                "hold; what could get in the way; the follow-up date and what you'll check."
            ),
        }[part]
    ]


def half_heading(n: int, half: AgendaHalf) -> str:
    return f"*{n}. {HALF_LABEL[half.half]} · {half.minutes} min*"
