"""The weekly loop's DMs: pure functions from the domain's models to text + Block Kit."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, Option, StaticSelectElement

from app.rules.diagnosis import ADVICE
from app.rules.evidence import MAX_DEALS, Deal
from app.rules.types import Role
from app.services import dm_replies
from app.services import weekly_messages as m
from app.services.digests import Digest
from app.services.escalations import OpenAction
from app.services.roster import plural
from app.slack.ids import Action
from app.slack.metadata import MessageRef, RepRef
from app.slack.render import scorecard_blocks
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
from app.slack.render.help import drill_recorded_line

MAX_TEAM_ROWS = 20  # keeps a team message under Slack's 50 blocks; the rest is in App Home


def _button(text: str, action: str, value: str, *, primary: bool = False) -> ButtonElement:
    return ButtonElement(
        text=text, action_id=action, value=value, style="primary" if primary else None
    )


def _share_deals(rep: str, cycle: str, *, snooze: bool, primary: bool = True) -> ActionsBlock:
    """The buttons that answer the Monday prompt (the block id clicks are matched by)."""
    ref = RepRef(rep, cycle).dump()
    buttons = [_button("Share my deals", Action.OPEN_DEALS, ref, primary=primary)]
    if snooze:
        buttons.append(_button("Remind me later", Action.SNOOZE, ref))
    return ActionsBlock(block_id="deal_prompt", elements=buttons)


def score_buttons(rep: str, cycle: str) -> ActionsBlock:
    """1–5: how well the rep's drill of `cycle` carried over to live calls."""
    return ActionsBlock(
        block_id=f"score:{rep}",
        elements=[
            _button(str(n), f"{Action.SCORE}_{n}", RepRef(rep, cycle, n).dump())
            for n in range(1, 6)
        ],
    )


def drill_buttons(rep: str, cycle: str, block_id: str) -> ActionsBlock:
    ref = RepRef(rep, cycle).dump()
    return ActionsBlock(
        block_id=block_id,
        elements=[
            _button("Mark drill done", Action.DRILL_DONE, ref, primary=True),
            _button("My 1:1 notes", Action.VIEW_NOTES, ref),
        ],
    )


def deal_line(deal: Deal) -> str:
    moment = f" at {deal.moment}" if deal.moment else ""
    stage = f" ({deal.stage})" if deal.stage else ""
    happened = f" — {deal.happened}" if deal.happened else ""
    return f"• *{deal.name}*{stage}: <{deal.clip_url}|{deal.source} clip{moment}>{happened}"


def _rep_row(text: str, block_id: str, *buttons: ButtonElement) -> list[Block]:
    """One rep in a team message: a divider, what we know, and what to do."""
    return [divider(), section(text), ActionsBlock(block_id=block_id, elements=list(buttons))]


def _not_held(rep: str, cycle: str) -> ButtonElement:
    return _button("Didn't happen", Action.NOT_HELD, RepRef(rep, cycle).dump())


def _more(count: int) -> list[Block]:
    if count <= MAX_TEAM_ROWS:
        return []
    return [context(f"…and {count - MAX_TEAM_ROWS} more: open the coach App Home.")]


def deal_prompt(p: m.DealPrompt) -> Outgoing:
    if p.reminder:
        lead = (
            f"Quick reminder: your top 3 deals from the week of {day_label(p.week_of)} "
            "are still open."
        )
    else:
        lead = f"Good morning! What were your top 3 deals in the week of {day_label(p.week_of)}?"
    text = f"{lead} Share each with a clip of the key moment, so your manager can prep your 1:1."
    blocks = [
        section(
            f"{lead}\nFor each deal: the name, its stage, and a link to a ~2-minute clip of the "
            "key moment (Gong, Chorus, Zoom, Salesloft, Avoma or any link)."
        ),
        _share_deals(p.rep, p.cycle, snooze=True),
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
                    _button("Moved ✓", f"{Action.DEAL_PROGRESS}_yes", ref),
                    _button("Not yet", f"{Action.DEAL_PROGRESS}_no", ref),
                ],
            )
        )
    return blocks


def action_resolved(action: OpenAction) -> str:
    return (
        f"Marked resolved: {action.action} (for {mention(action.rep)}). It's off your list "
        "and your director's digest."
    )


def deal_progress_noted(deal: str, moved: bool) -> str:
    state = "moved to the next stage" if moved else "hasn't moved yet"
    return f"Noted: *{deal}* {state}. Tap the other button if that's wrong."


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


def helpfulness_noted(score: int) -> str:
    return f"Thanks: {score}/10 noted. Your manager only ever sees an average of 3 or more."


def _deal_lines(deals: tuple[Deal, ...] | list[Deal]) -> str:
    return "\n".join(deal_line(d) for d in deals)


def _left_out(dropped: tuple[str, ...]) -> str:
    return ("\n_I left out:_ " + "; ".join(dropped) + ".") if dropped else ""


def _deals_answer_buttons(p: dm_replies.DealsAdded, *, replace: bool) -> ActionsBlock:
    buttons = [_button("Edit my deals", Action.EDIT_DEALS, RepRef(p.rep, p.cycle).dump())]
    if replace:
        value = MessageRef(p.message_id).dump()
        buttons.append(_button("Replace my deals with these", Action.REPLACE_DEALS, value))
    return ActionsBlock(block_id="reply_deals", elements=buttons)


def deals_added(p: dm_replies.DealsAdded) -> Outgoing:
    """What coach answers when a reply brought deals: what is recorded now, what was not."""
    total = plural(len(p.deals), "deal")
    if p.replaced:
        text = f"Done: your week's deals are now the {total} from that message."
    elif p.added:
        text = f"Thanks! I added {plural(p.added, 'deal')} for your manager: {total} this week."
    elif p.did_not_fit:
        text = f"Your week already has {MAX_DEALS} deals, so I kept them."
    elif p.already_there:
        text = "Those deals are already recorded for this week: nothing to add."
    else:
        text = (
            "I couldn't use the link in that as a deal: put each deal on its own line with "
            "its clip link, or use Share my deals."
        )
    if p.did_not_fit and not p.replaced:
        text += " Tap *Replace my deals with these* to use the ones from your message instead."
    body = f"✅ {text}" if p.added or p.replaced else text
    if p.deals:
        body += "\n" + _deal_lines(p.deals)
    blocks: list[Block] = [section(body + _left_out(p.dropped))]
    if p.deals:
        blocks.append(_deals_answer_buttons(p, replace=bool(p.did_not_fit) and not p.replaced))
    else:
        blocks.append(_share_deals(p.rep, p.cycle, snooze=False, primary=False))
    return Outgoing(text.replace("*", ""), as_dicts(blocks))


def drill_or_deal(p: dm_replies.DrillOrDeal) -> Outgoing:
    text = f"Is that link your *{p.drill}* drill recording, or a deal for your manager?"
    value = MessageRef(p.message_id).dump()
    blocks = [
        section(text),
        ActionsBlock(
            block_id="reply_choice",
            elements=[
                _button("Record as my drill", Action.REPLY_AS_DRILL, value, primary=True),
                _button("Add as a deal", Action.REPLY_AS_DEAL, value),
            ],
        ),
    ]
    return Outgoing(text.replace("*", ""), as_dicts(blocks))


def drill_from_message(p: dm_replies.DrillFromMessage) -> Outgoing:
    text = drill_recorded_line(p.assignment)
    return Outgoing(text.replace("*", ""), as_dicts([section(f"✅ {text}")]))


def dm_hint(p: dm_replies.Hint) -> Outgoing:
    """Chit-chat gets this once a day: what coach reads in a DM, and where the rest goes."""
    if p.role is Role.REP:
        text = (
            "Thanks! Here I read deals: one per line with its clip link, like "
            "`Acme https://app.gong.io/call?id=1 12:30 - CFO pushed back`. Report your drill "
            "with `/drill done <link>`; anything else is for your manager."
        )
    else:
        text = (
            "Thanks! I'm coach: your team's week is in my App Home, and `/coach help` lists "
            "what I do."
        )
    return Outgoing(text, as_dicts([section(text)]))


def reply_answer(
    answer: dm_replies.DealsAdded
    | dm_replies.DrillOrDeal
    | dm_replies.DrillFromMessage
    | dm_replies.Hint,
) -> Outgoing:
    """Coach's answer to something written in the DM."""
    if isinstance(answer, dm_replies.DealsAdded):
        return deals_added(answer)
    if isinstance(answer, dm_replies.DrillOrDeal):
        return drill_or_deal(answer)
    if isinstance(answer, dm_replies.DrillFromMessage):
        return drill_from_message(answer)
    return dm_hint(answer)


def deals_recorded(rep: str, cycle: str, deals: list[Deal]) -> Outgoing:
    """The prompt, once the rep saved their deals in the modal."""
    text = f"Thanks! I recorded {plural(len(deals), 'deal')} for your manager."
    blocks = [
        section(f"✅ {text}\n" + _deal_lines(deals)),
        ActionsBlock(
            block_id="deals_recorded",
            elements=[_button("Edit", Action.EDIT_DEALS, RepRef(rep, cycle).dump())],
        ),
    ]
    return Outgoing(text, as_dicts(blocks))


def snoozed(rep: str, cycle: str, local_time: str) -> Outgoing:
    text = f"OK, I'll ask again at {local_time}. Your top 3 deals of last week, with clips."
    blocks = [
        section(f"⏰ {text}"),
        _share_deals(rep, cycle, snooze=False),
    ]
    return Outgoing(text, as_dicts(blocks))


def drill_review(p: m.DrillReview) -> Outgoing:
    text = (
        f"Score last week's drills: {plural(len(p.items), 'rep')} recorded theirs."
        " How well did each carry over to live calls (1–5)?"
    )
    blocks: list[Block] = [header("Drill review: skill transfer"), section(text)]
    for item in p.items[:MAX_TEAM_ROWS]:
        clips = ", ".join(f"<{url}|recording {n}>" for n, url in enumerate(item.recordings, 1))
        commitment = f"\n_Commitment:_ {item.commitment}" if item.commitment else ""
        blocks.append(section(f"{mention(item.rep)} — *{item.drill}*: {clips}{commitment}"))
        blocks.append(score_buttons(item.rep, p.cycle))
    blocks += _more(len(p.items))
    blocks.append(context("4 or 5: ready for the next focus. 3 or less: re-diagnose on Tuesday."))
    return Outgoing(text, as_dicts(blocks))


def scored(rep: str, score: int, ready: bool, next_cycle: str) -> Outgoing:
    if not ready:
        text = f"Scored {mention(rep)} {score}/5 — flagged for re-diagnosis on Tuesday."
        return Outgoing(text, as_dicts([section(text)]))
    text = f"Scored {mention(rep)} {score}/5 — ready for the next focus."
    button = _button("Pick next focus", Action.NEXT_FOCUS, RepRef(rep, next_cycle).dump())
    blocks = [section(text), ActionsBlock(block_id=f"next_focus:{rep}", elements=[button])]
    return Outgoing(text, as_dicts(blocks))


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
        flags = "".join(f"\n⚑ {flag}" for flag in row.flags)
        status = f"\n✅ Diagnosed: {row.diagnosed.value} gap" if row.diagnosed else ""
        blocks += _rep_row(
            f"*{mention(row.rep)}* — {focus}{score}{flags}{status}\n{deals}",
            f"prep:{row.rep}",
            _button(
                "Edit diagnosis" if row.diagnosed else "Diagnose",
                Action.DIAGNOSE,
                RepRef(row.rep, p.cycle).dump(),
                primary=row.diagnosed is None,
            ),
        )
    blocks += _more(len(p.rows))
    return Outgoing(text, as_dicts(blocks))


def manager_agenda(p: m.ManagerAgenda) -> Outgoing:
    count = plural(len(p.items), "rep")
    text = (
        f"Today's 1:1 agenda for {count}: 10 min pipeline, 15 min GROW on one gap, "
        "5 min role-play and commitment."
    )
    blocks: list[Block] = [header("1:1 agenda (30 min)"), section(text)]
    for item in p.items[:MAX_TEAM_ROWS]:
        if item.gap is not None:
            advice = ADVICE[item.gap]
            gap = f"*Gap:* {item.gap.value} — {advice.what_to_do}" + (
                f" (~{advice.coaching_pct}% coaching)" if advice.rep_drill else ""
            )
        else:
            gap = "*Gap:* not diagnosed yet — diagnose before you meet."
        evidence = (
            f"\n*Evidence:* <{item.evidence_url}|clip"
            + (f" at {item.evidence_moment}" if item.evidence_moment else "")
            + ">"
            if item.evidence_url
            else ""
        )
        focus = f" · focus *{item.focus}*" if item.focus else ""
        last = ""
        if item.last_commitment:
            done = {True: "drill recorded ✓", False: "drill not recorded ✗", None: ""}[
                item.last_drill_recorded
            ]
            last = f"\n*Check last week's commitment:* {item.last_commitment} {done}".rstrip()
        grow = (
            "\n*GROW:* Goal — one outcome in a real deal? · Reality — what happened on the clip? "
            "· Options — what else could you say (ask for 3)? · Will — what exactly, how many reps?"
        )
        logged = "\n✅ Notes logged." if item.logged else ""
        blocks += _rep_row(
            f"*{mention(item.rep)}*{focus}\n{gap}{evidence}{last}{grow}{logged}",
            f"agenda:{item.rep}",
            _button(
                "Edit 1:1 notes" if item.logged else "Log 1:1 notes",
                Action.LOG_NOTES,
                RepRef(item.rep, p.cycle).dump(),
                primary=not item.logged,
            ),
            *([] if item.logged else [_not_held(item.rep, p.cycle)]),
        )
    blocks += _more(len(p.items))
    blocks.append(context("Coaching first, accountability second. Talk less than 40%."))
    return Outgoing(text, as_dicts(blocks))


def rep_agenda(p: m.RepAgenda) -> Outgoing:
    text = f"Your 1:1 with {mention(p.manager)} is today: bring one deal you want to win."
    lines = [text]
    if p.focus:
        lines.append(f"• Your focus: *{p.focus}*")
    if p.last_commitment:
        lines.append(f"• Last week you committed to: {p.last_commitment}")
    if not p.has_deals:
        lines.append("• You haven't shared your deals yet: reply here with them before the 1:1.")
    lines.append("• Come ready to role-play for 5 minutes and leave with one commitment.")
    return Outgoing(text, as_dicts([section("\n".join(lines))]))


def notes_nudge(p: m.NotesNudge) -> Outgoing:
    names = ", ".join(mention(r) for r in p.reps)
    text = f"No 1:1 notes logged yet for {names}. Log them while they're fresh (it takes 2 min)."
    blocks: list[Block] = [section(text)]
    for rep in p.reps[:MAX_TEAM_ROWS]:
        blocks.append(
            ActionsBlock(
                block_id=f"nudge:{rep}",
                elements=[
                    _button(f"Log notes: {rep}", Action.LOG_NOTES, RepRef(rep, p.cycle).dump()),
                    _not_held(rep, p.cycle),
                ],
            )
        )
    blocks.append(
        context("A 1:1 that didn't happen is logged with *Didn't happen*: a missed week.")
    )
    return Outgoing(text, as_dicts(blocks))


def drill_card(p: m.DrillCard) -> Outgoing:
    drill, reps, due, commitment = p.drill, p.practice_reps, p.due_on, p.commitment
    if drill is None:
        return _commitment_card(p)
    text = (
        f"Your drill this week: {drill.name}. "
        f"Report it with /drill done <link> by {day_label(due)}."
    )
    practice = (
        f"\n*Practice:* record it {plural(reps, 'time')} before your next 1:1." if reps else ""
    )
    commit = f"*Your commitment:* {commitment}\n" if commitment else ""
    blocks = [
        header(f"Your drill: {drill.name}"),
        section(
            f"{commit}*Scenario:* {drill.scenario}\n"
            + (f"*What to say:* {drill.what_to_say}\n" if drill.what_to_say else "")
            + f"*Success:* {drill.success}{practice}"
        ),
        drill_buttons(p.rep, p.cycle, "drill_card"),
        context(f"Or type `/drill done <link to the recording> [note]` by {day_label(due)}."),
        divider(),
        *_helpfulness(p.rep, p.cycle),
    ]
    return Outgoing(text, as_dicts(blocks))


def _commitment_card(p: m.DrillCard) -> Outgoing:
    """A held 1:1 without a drill (a system gap is the manager's to fix)."""
    text = "Your 1:1 is logged: " + (
        f"you committed to {p.commitment}." if p.commitment else "no drill this week."
    )
    lines = [f"*Your commitment:* {p.commitment}"] if p.commitment else []
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
    text = f"Have you done this week's drill ({p.drill.name})? Share the recording today."
    commit = f"\nYou committed to: {p.commitment}" if p.commitment else ""
    blocks = [
        section(f"👋 {text}{commit}"),
        drill_buttons(p.rep, p.cycle, "drill_check"),
        context("Or type `/drill done <link> [note]`."),
    ]
    return Outgoing(text, as_dicts(blocks))


def heads_up(p: m.HeadsUp) -> Outgoing:
    names = ", ".join(mention(miss.rep) for miss in p.missed)
    who = "1 rep hasn't" if len(p.missed) == 1 else f"{len(p.missed)} reps haven't"
    text = f"Drill heads-up: {who} recorded this week's drill: {names}."
    lines = [
        f"• {mention(miss.rep)} — {miss.drill}"
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


def render(model: object) -> Outgoing:
    """The DM for a composed step."""
    renderers = {
        m.DealPrompt: deal_prompt,
        m.DrillReview: drill_review,
        m.TeamPrep: team_prep,
        m.ManagerAgenda: manager_agenda,
        m.RepAgenda: rep_agenda,
        m.NotesNudge: notes_nudge,
        m.DrillCheck: drill_check,
        m.DrillCard: drill_card,
        m.HeadsUp: heads_up,
        Digest: scorecard_blocks.digest,
    }
    return renderers[type(model)](model)  # type: ignore[operator]
