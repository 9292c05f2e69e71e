"""The one-page scorecard of a rep, as a modal: the rubric with each level's trend and what it
sounds like, the focus plan for the next 90 days, the last commitments with their numbers,
and the figures beside their targets."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.rules import targets
from app.rules.rubric import MOVED_ON
from app.services.rep_page import PlannedFocus, RepPage, WeekCommitment
from app.slack.render.blocks import context, day_label, divider, long_sections, mention, section
from app.slack.render.note_form import note_lines
from app.slack.render.scorecard_blocks import drill_mark, ratio, trend

PLAN_DAYS_LABELS = ("Days 1–30", "Days 31–60", "Days 61–90")


def _rubric_lines(page: RepPage) -> list[str]:
    card = page.card
    lines = []
    for competency in card.rubric:
        levels = card.card.rubric.get(competency.key)
        if not levels:
            lines.append(f"• *{competency.name}*: not rated yet")
            continue
        moved = " → ".join(str(level) for level in levels)
        lines.append(
            f"• *{competency.name}* {levels[-1]}/4 ({moved}): {competency.level_text(levels[-1])}"
        )
    return lines


def _plan_line(label: str, planned: PlannedFocus) -> str:
    name, level = planned.competency.name, planned.level
    if level is None:
        where = "not rated yet"
    elif level >= MOVED_ON:
        where = "level 4 already"
    else:
        where = f"level {level} now, target {level + 1} (+1 per focus)"
    if planned.week is not None:
        return (
            f"• *{label}* (since {day_label(planned.starts_on)}): *{name}*, week "
            f"{planned.week}: {where}"
        )
    return f"• *{label}* (from about {day_label(planned.starts_on)}): {name}: {where}"


def _commitment_line(week: WeekCommitment) -> str:
    drill = f" · {week.drill}: {drill_mark(week.practice)}" if week.drill else ""
    return f"• {week.cycle}: {week.commitment.sentence}{drill}"


def _notes(page: RepPage) -> list[Block]:
    if not page.notes and not page.scaling:
        return []
    lines = [line for note in page.notes for line in note_lines(note)]
    scaling = " → ".join(str(n) for n in page.scaling)
    head = "*Coaching notes* (last 4 weeks)" + (f" · OSKAR scaling {scaling}/10" if scaling else "")
    return long_sections(head + "\n" + "\n".join(lines))


def rep_page_modal(page: RepPage) -> dict[str, Any]:
    card = page.card.card
    whose = "Your" if page.own else f"{mention(page.rep)}'s"
    reached = f", reached 4+ in week {card.weeks_to_transfer}" if card.weeks_to_transfer else ""
    figures = [
        f"*Transfer scores:* {trend(card)}{reached} · {targets.TRANSFER_LABEL}",
        f"*Drills recorded as committed (4 weeks):* {ratio(card.completion_4w)} · since this "
        f"focus began: {ratio(card.completion_focus)} · {targets.COMPLETION_LABEL}",
        f"*Coached deals that moved a stage (4 weeks):* {ratio(card.deal_progression_4w)} · "
        f"{targets.PROGRESSION_LABEL}",
    ]
    counted = [w for w in page.card.weeks if w.enrolled and not w.paused][-4:]
    figures.append(
        "*Coaching time (last 4 weeks):* "
        + (" → ".join(f"{w.coaching_minutes} min" for w in counted) or "—")
    )
    plan = [_plan_line(label, p) for label, p in zip(PLAN_DAYS_LABELS, page.plan, strict=False)]
    commitments = [_commitment_line(c) for c in page.commitments] or ["• none logged yet"]
    blocks: list[Block] = [
        section(f"*{whose} scorecard*, week {page.cycle}"),
        *long_sections(
            "*Rubric* (level now, how it got there, what it sounds like)\n"
            + "\n".join(_rubric_lines(page))
        ),
        *long_sections(
            "*Focus plan* (one focus at a time, about 30 days each)\n" + "\n".join(plan)
        ),
        divider(),
        *long_sections("*Commitments* (last 4 weeks)\n" + "\n".join(commitments)),
        *_notes(page),
        section("\n".join(figures)),
        context(
            "The rep, their manager and their director see this page. Private notes and the "
            "coaching record's working notes are never on it."
        ),
    ]
    return View(type="modal", title="Scorecard", close="Close", blocks=blocks[:100]).to_dict()
