"""What a rep gets in the week: the Monday deal prompt, the 1:1 agenda, the drill card and
the drill check."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, Option, StaticSelectElement

from app.rules.agenda import Half
from app.rules.drills import Drill
from app.rules.evidence import MAX_DEALS
from app.services import weekly_messages as m
from app.services.roster import plural
from app.slack.ids import Action
from app.slack.metadata import RepRef
from app.slack.render.agenda_words import HALF_LABEL
from app.slack.render.blocks import (
    Outgoing,
    as_dicts,
    context,
    day_label,
    divider,
    header,
    mention,
    section,
)
from app.slack.render.message_parts import (
    button,
    commitment_lines,
    drill_buttons,
    follow_up_text,
    share_deals,
)


def deal_prompt(p: m.DealPrompt) -> Outgoing:
    if p.reminder:
        lead = (
            f"Quick reminder: your top 3 deals from the week of {day_label(p.week_of)} "
            "are still open."
        )
    else:
        lead = f"Good morning! What were your top 3 deals in the week of {day_label(p.week_of)}?"
    text = f"{lead} Share each with a clip of the key moment, so your manager can prep your 1:1."
    calls = ""
    if p.recorded_calls is not None:
        calls = (
            f"\nGong has {plural(p.recorded_calls, 'call')} of yours from that week: pick one "
            "for each deal in the form."
            if p.recorded_calls
            else "\nGong has no calls of yours from that week: paste your links."
        )
        text += calls
    blocks = [
        section(
            f"{lead}\nFor each deal: the name, its stage, and a link to a ~2-minute clip of the "
            f"key moment (Gong, Chorus, Zoom, Salesloft, Avoma or any link).{calls}"
        ),
        share_deals(p.rep, p.cycle, snooze=True),
        context("Or just reply here: one deal per line with its link. Your manager sees this."),
        *_deal_progress(p),
    ]
    return Outgoing(text, as_dicts(blocks))


def _deal_progress(p: m.DealPrompt) -> list[Block]:
    """One tap per deal coached last week: did it move to the next stage?"""
    if not p.coached:
        return []
    blocks: list[Block] = [
        divider(),
        section("*Since your last 1:1:* did these deals move to the next stage?"),
    ]
    for deal in p.coached[:MAX_DEALS]:
        ref = RepRef(p.rep, p.coached_cycle, deal.index).dump()
        blocks.append(section(f"*{deal.name}*"))
        blocks.append(
            ActionsBlock(
                block_id=f"deal_progress:{deal.index}",
                elements=[
                    button("Moved ✓", f"{Action.DEAL_PROGRESS}_yes", ref),
                    button("Not yet", f"{Action.DEAL_PROGRESS}_no", ref),
                ],
            )
        )
    return blocks


HELPFULNESS_QUESTION = "How much did this week's 1:1 help you win a deal?"


def _helpfulness(rep: str, cycle: str) -> list[Block]:
    options = [Option(value=RepRef(rep, cycle, n).dump(), text=str(n)) for n in range(1, 11)]
    return [
        section(f"*{HELPFULNESS_QUESTION}* (1 = not at all, 10 = a lot)"),
        ActionsBlock(
            block_id="helpfulness",
            elements=[
                StaticSelectElement(
                    action_id=Action.RATE_ONE_ON_ONE, placeholder="1–10", options=options
                )
            ],
        ),
        context("Your manager sees only an average of 3 or more ratings, never one answer."),
    ]


def rep_agenda(p: m.RepAgenda) -> Outgoing:
    """The rep's side of the two halves, in order. Without the minutes: they follow the gap,
    which is the manager's diagnosis, not shown to the rep."""
    text = f"Your 1:1 with {mention(p.manager)} is today: bring one deal you want to win."
    lines = [text]
    if p.focus:
        lines.append(f"Your focus: *{p.focus}*")
    halves = [h.half for h in p.plan.halves] if p.plan else list(Half)
    for n, half in enumerate(halves, 1):
        lines.append(f"*{n}. {HALF_LABEL[half]}*")
        lines += [f"• {line}" for line in _rep_half(p, half)]
    return Outgoing(text, as_dicts([section("\n".join(lines))]))


def drill_text(drill: Drill) -> str:
    """A drill's scenario, script and success measure; an assignment's task and criterion."""
    if drill.assignment:
        return f"*What to do:* {drill.scenario}\n*Done when:* {drill.success}"
    script = f"*What to say:* {drill.what_to_say}\n" if drill.what_to_say else ""
    return f"*Scenario:* {drill.scenario}\n{script}*Success:* {drill.success}"


def _rep_half(p: m.RepAgenda, half: Half) -> list[str]:
    if half is Half.COACHING:
        return ["Bring the clip of the moment you want to do better; come ready to role-play."]
    lines = []
    if p.plan is not None and not any(h.half is Half.COACHING for h in p.plan.halves):
        lines.append(
            "This week is about the number: what's in the way is in the system (territory, "
            "leads or quota), and your manager takes it up."
        )
    if p.last_commitment:
        lines.append(f"Last week you committed to: {p.last_commitment.sentence}")
        follow_up = follow_up_text(p.last_commitment)
        if follow_up:
            lines.append(f"We check: {follow_up}")
    if not p.has_deals:
        lines.append("You haven't shared your deals yet: reply here with them before the 1:1.")
    lines.append(
        "Leave with one commitment in your words and the number we hold, and what could get "
        "in the way."
    )
    return lines


def drill_card(p: m.DrillCard) -> Outgoing:
    drill, reps, due = p.drill, p.practice_reps, p.due_on
    if drill is None:
        return _commitment_card(p)
    text = (
        f"Your drill this week: {drill.name}. "
        f"Report it with /drill done <link> by {day_label(due)}."
    )
    done = p.practice
    practice = ""
    if done.met and done.done:
        practice = f"\n*Practice:* ✓ {done.label} recorded. Your manager scores it on Monday."
    elif reps == 1:
        practice = "\n*Practice:* record it once before your next 1:1."
    elif reps:
        practice = (
            f"\n*Practice:* record it {reps} times before your next 1:1 ({done.label} so far; "
            "each recording counts one)."
        )
    commit = "".join(f"{line}\n" for line in commitment_lines(p.commitment))
    if drill.assignment:
        text = (
            f"Your assignment this week: {drill.name}. Send the link to it with /drill done "
            f"<link> by {day_label(due)}."
        )
        practice = "\n✓ Sent: your manager checks it against the line above." if done.met else ""
    what = "it" if drill.assignment else "the recording"
    blocks = [
        header(f"Your {'assignment' if drill.assignment else 'drill'}: {drill.name}"),
        section(f"{commit}{drill_text(drill)}{practice}"),
        drill_buttons(p.rep, p.cycle, "drill_card"),
        context(f"Or type `/drill done <link to {what}> [note]` by {day_label(due)}."),
        divider(),
        *_helpfulness(p.rep, p.cycle),
    ]
    return Outgoing(text, as_dicts(blocks))


def _commitment_card(p: m.DrillCard) -> Outgoing:
    """A held 1:1 without a drill (a system gap is the manager's to fix)."""
    text = "Your 1:1 is logged: " + (
        f"you committed to {p.commitment.sentence}." if p.commitment else "no drill this week."
    )
    lines = commitment_lines(p.commitment)
    lines.append(
        "No drill this week: the gap is in the system (territory, leads or quota), so your "
        "manager owns the next step. It stays on their list until it's resolved."
    )
    blocks: list[Block] = [
        header("Your 1:1 is logged"),
        section("\n".join(lines)),
        divider(),
        *_helpfulness(p.rep, p.cycle),
    ]
    return Outgoing(text, as_dicts(blocks))


def drill_check(p: m.DrillCheck) -> Outgoing:
    done, target = p.practice.done, p.practice.target
    if done:
        text = (
            f"You've recorded {done} of the {target} {p.drill.name} practice reps you committed "
            f"to ({p.practice.label}). "
            + ("Share the last one today." if p.practice.left == 1 else "Share the rest today.")
        )
    elif target > 1:
        text = (
            f"Have you started this week's drill ({p.drill.name})? You committed to "
            f"{target} recordings ({p.practice.label} so far): share the first today."
        )
    elif p.drill.assignment:
        text = f"Have you done this week's assignment ({p.drill.name})? Send the link today."
    else:
        text = f"Have you done this week's drill ({p.drill.name})? Share the recording today."
    commit = f"\nYou committed to: {p.commitment.sentence}" if p.commitment else ""
    blocks = [
        section(f"👋 {text}{commit}"),
        drill_buttons(p.rep, p.cycle, "drill_check"),
        context("Or type `/drill done <link> [note]`."),
    ]
    return Outgoing(text, as_dicts(blocks))
