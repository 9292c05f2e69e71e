"""What a manager gets about their team: the drill review, the Tuesday prep, the 1:1
agenda, the notes nudge and the drill heads-up; and their director's review of a 1:1."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block

from app.rules.agenda import Half
from app.rules.coaching_review import CHECKLIST
from app.rules.focus import REDIAGNOSE_WEEK
from app.rules.metrics import TRANSFERRED
from app.services import weekly_messages as m
from app.services.coaching_reviews import ReviewMessage
from app.services.deals import PickableDeal
from app.services.roster import plural
from app.slack.ids import Action
from app.slack.metadata import RepRef
from app.slack.render.agenda_words import check_last, half_heading, part_lines
from app.slack.render.blocks import (
    Outgoing,
    as_dicts,
    context,
    day_label,
    header,
    mention,
    section,
)
from app.slack.render.call_words import evidence_lines
from app.slack.render.deals_form import money
from app.slack.render.diagnosis_words import WHAT_TO_DO
from app.slack.render.message_parts import (
    MAX_TEAM_ROWS,
    button,
    deal_line,
    more,
    not_held_button,
    rep_row,
    score_buttons,
)
from app.slack.render.review_words import DONE, TO_WORK_ON


def drill_review(p: m.DrillReview) -> Outgoing:
    text = (
        f"Score last week's drills: {plural(len(p.items), 'rep')} recorded theirs."
        " How well did each carry over to live calls (1–5)?"
    )
    blocks: list[Block] = [header("Drill review: skill transfer"), section(text)]
    for item in p.items[:MAX_TEAM_ROWS]:
        clips = ", ".join(f"<{url}|recording {n}>" for n, url in enumerate(item.recordings, 1))
        commitment = f"\n_Commitment:_ {item.commitment.sentence}" if item.commitment else ""
        blocks.append(section(f"{mention(item.rep)} — *{item.drill}*: {clips}{commitment}"))
        blocks.append(score_buttons(item.rep, p.cycle))
    blocks += more(len(p.items))
    blocks.append(context("4 or 5: ready for the next focus. 3 or less: re-diagnose on Tuesday."))
    return Outgoing(text, as_dicts(blocks))


def prep_flags(row: m.PrepRow) -> list[str]:
    """What the manager should look at before diagnosing: the last transfer score, and a
    focus in its third week or later without a 4."""
    flags = []
    score = row.last_score
    if score is not None and score < TRANSFERRED:
        flags.append(f"transfer {score}/5: re-diagnose")
    if score is not None and score >= TRANSFERRED:
        flags.append(f"transfer {score}/5: ready for the next focus")
    if row.rediagnose:
        flags.append(
            f"week {row.weeks_on_focus + 1} on this focus and no 4 yet (the target is 4+ "
            f"within {REDIAGNOSE_WEEK} weeks): walk the tree again before you carry it on"
        )
    return flags


PIPELINE_SHOWN = 5


def pipeline_text(pipeline: Sequence[PickableDeal]) -> str:
    """The rep's open deals for the 10-minute pipeline block: stage, amount, close date."""
    if not pipeline:
        return ""
    lines = []
    for deal in pipeline[:PIPELINE_SHOWN]:
        amount = f" · {money(deal.amount, deal.currency)}" if deal.amount is not None else ""
        closes = f" · closes {day_label(deal.close_date)}" if deal.close_date else ""
        lines.append(f"• {deal.name[:60]} — {deal.stage}{amount}{closes}")
    more = len(pipeline) - PIPELINE_SHOWN
    lines += [f"• and {more} more"] if more > 0 else []
    return f"\n*Pipeline ({len(pipeline)} open):*\n" + "\n".join(lines)


def team_prep(p: m.TeamPrep) -> Outgoing:
    submitted = sum(1 for r in p.rows if r.deals)
    text = (
        f"Prep for this week's 1:1s: {submitted} of {len(p.rows)} reps shared their deals. "
        "Diagnose one gap per rep before Wednesday."
    )
    blocks: list[Block] = [header("Tuesday prep: one gap per rep"), section(text)]
    for row in p.rows[:MAX_TEAM_ROWS]:
        if row.paused_until:
            blocks.append(
                context(f"{mention(row.rep)} is paused until {day_label(row.paused_until)}.")
            )
            continue
        deals = "\n".join(deal_line(d) for d in row.deals) if row.deals else "_No submission._"
        focus = (
            f"Focus: *{row.focus}* (week {row.weeks_on_focus + 1})" if row.focus else "No focus yet"
        )
        score = f" · last transfer {row.last_score}/5" if row.last_score is not None else ""
        flags = "".join(f"\n⚑ {flag}" for flag in prep_flags(row))
        status = f"\n✅ Diagnosed: {row.diagnosed.value} gap" if row.diagnosed else ""
        calls = "\n" + evidence_lines(row.evidence, p.team_numbers, "Gong") if row.evidence else ""
        blocks += rep_row(
            f"*{mention(row.rep)}* — {focus}{score}{flags}{status}\n{deals}{calls}"
            + pipeline_text(row.pipeline),
            f"prep:{row.rep}",
            button(
                "Edit diagnosis" if row.diagnosed else "Diagnose",
                Action.DIAGNOSE,
                RepRef(row.rep, p.cycle).dump(),
                primary=row.diagnosed is None,
            ),
        )
    blocks += more(len(p.rows))
    return Outgoing(text, as_dicts(blocks))


def _agenda_plan(item: m.AgendaItem) -> str:
    """The rep's two halves in order, each with its minutes and what it does."""
    if item.plan is None:
        lines = ["*Gap:* not diagnosed yet — diagnose before you meet.", *check_last(item)]
        return "\n".join(lines)
    lines = [f"*Gap:* {item.plan.gap.value} — {WHAT_TO_DO[item.plan.gap]}"]
    if item.evidence_url:
        moment = f" at {item.evidence_moment}" if item.evidence_moment else ""
        lines.append(f"*Evidence:* <{item.evidence_url}|clip{moment}>")
    if all(h.half is not Half.COACHING for h in item.plan.halves):
        lines.append("_No coaching half: the gap is in the system, not the rep._")
    for n, half in enumerate(item.plan.halves, 1):
        lines.append(half_heading(n, half))
        lines += [f"• {line}" for part in half.parts for line in part_lines(part, item)]
    return "\n".join(lines)


def manager_agenda(p: m.ManagerAgenda) -> Outgoing:
    count = plural(len(p.items), "rep")
    text = (
        f"Today's 1:1 agenda for {count}: coaching first, then accountability, "
        f"{p.minutes} min each, split by each rep's gap."
    )
    blocks: list[Block] = [header(f"1:1 agenda ({p.minutes} min)"), section(text)]
    for item in p.items[:MAX_TEAM_ROWS]:
        focus = f" · focus *{item.focus}*" if item.focus else ""
        logged = "\n✅ Notes logged." if item.logged else ""
        blocks += rep_row(
            f"*{mention(item.rep)}*{focus}{pipeline_text(item.pipeline)}"
            f"\n{_agenda_plan(item)}{logged}",
            f"agenda:{item.rep}",
            button(
                "Edit 1:1 notes" if item.logged else "Log 1:1 notes",
                Action.LOG_NOTES,
                RepRef(item.rep, p.cycle).dump(),
                primary=not item.logged,
            ),
            *([] if item.logged else [not_held_button(item.rep, p.cycle)]),
        )
    blocks += more(len(p.items))
    blocks.append(context("Label the halves out loud, ask before telling: talk less than 40%."))
    return Outgoing(text, as_dicts(blocks))


def notes_nudge(p: m.NotesNudge) -> Outgoing:
    names = ", ".join(mention(r) for r in p.reps)
    text = f"No 1:1 notes logged yet for {names}. Log them while they're fresh (it takes 2 min)."
    blocks: list[Block] = [section(text)]
    for rep in p.reps[:MAX_TEAM_ROWS]:
        blocks.append(
            ActionsBlock(
                block_id=f"nudge:{rep}",
                elements=[
                    button(f"Log notes: {rep}", Action.LOG_NOTES, RepRef(rep, p.cycle).dump()),
                    not_held_button(rep, p.cycle),
                ],
            )
        )
    blocks.append(
        context("A 1:1 that didn't happen is logged with *Didn't happen*: a missed week.")
    )
    return Outgoing(text, as_dicts(blocks))


def heads_up(p: m.HeadsUp) -> Outgoing:
    names = ", ".join(mention(miss.rep) for miss in p.missed)
    who = "1 rep hasn't" if len(p.missed) == 1 else f"{len(p.missed)} reps haven't"
    text = f"Drill heads-up: {who} recorded the practice they committed to: {names}."
    lines = [
        f"• {mention(miss.rep)} — {miss.drill}, {miss.practice.label} recorded"
        + ("" if miss.reminded else " (coach's drill check didn't reach them)")
        for miss in p.missed[:MAX_TEAM_ROWS]
    ]
    reminded = [miss for miss in p.missed if miss.reminded]
    note = (
        f"{'They' if len(reminded) == len(p.missed) else 'The others'} got a drill check on "
        f"{p.drill_check}, their time. Ask about it at your next 1:1."
        if reminded
        else "Ask about it at your next 1:1."
    )
    blocks = [section(text), section("\n".join(lines)), context(note)]
    return Outgoing(text, as_dicts(blocks))


def coaching_review(p: ReviewMessage) -> Outgoing:
    """Coaching the coaches: who reviewed which 1:1, each checklist item in words, the note."""
    who = mention(p.director) if p.director else "Your director"
    score = f"{len(p.ticked)} of {len(CHECKLIST)} on the coaching checklist"
    text = f"{who} reviewed your 1:1 with {mention(p.rep)} (week {p.cycle}): {score}."
    lines = [f"✓ {DONE[check]}" for check in p.ticked]
    lines += [f"✗ {TO_WORK_ON[check]}" for check in p.missed]
    blocks: list[Block] = [header("Your 1:1, reviewed"), section(text), section("\n".join(lines))]
    if p.note:
        blocks.append(section(f"*Their note:* {p.note}"))
    blocks.append(
        context(
            "Only you and your director see this review; the rep doesn't. Your director's "
            "digest shows the checklist per week."
        )
    )
    return Outgoing(text, as_dicts(blocks))
