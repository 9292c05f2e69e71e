"""The weekly loop's DMs: the renderer of each step's message, and coach's answers to what
someone does with one (a click, a reply, a saved form). Pure: the use cases' models in,
text + Block Kit out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block

from app.rules.evidence import MAX_DEALS, Deal
from app.rules.types import Role
from app.services import dm_replies
from app.services import weekly_messages as m
from app.services.coaching_notes import NoteShown
from app.services.coaching_reviews import ReviewMessage
from app.services.digests import Digest
from app.services.escalations import OpenAction
from app.services.roster import plural
from app.slack.ids import Action
from app.slack.metadata import MessageRef, RepRef
from app.slack.render import scorecard_blocks
from app.slack.render.blocks import (
    Outgoing,
    as_dicts,
    mention,
    section,
)
from app.slack.render.help import drill_recorded_line
from app.slack.render.message_parts import (
    button,
    deal_lines,
    share_deals,
)
from app.slack.render.note_form import feedback_note
from app.slack.render.rep_prompts import deal_prompt, drill_card, drill_check, rep_agenda
from app.slack.render.team_messages import (
    coaching_review,
    drill_review,
    heads_up,
    manager_agenda,
    notes_nudge,
    team_prep,
)


def action_resolved(action: OpenAction) -> str:
    return (
        f"Marked resolved: {action.action} (for {mention(action.rep)}). It's off your list "
        "and your director's digest."
    )


def deal_progress_noted(deal: str, moved: bool) -> str:
    state = "moved to the next stage" if moved else "hasn't moved yet"
    return f"Noted: *{deal}* {state}. Tap the other button if that's wrong."


def helpfulness_noted(score: int) -> str:
    return f"Thanks: {score}/10 noted. Your manager only ever sees an average of 3 or more."


def scored(rep: str, score: int, ready: bool, next_cycle: str) -> Outgoing:
    if not ready:
        text = f"Scored {mention(rep)} {score}/5 — flagged for re-diagnosis on Tuesday."
        return Outgoing(text, as_dicts([section(text)]))
    text = f"Scored {mention(rep)} {score}/5 — ready for the next focus."
    pick = button("Pick next focus", Action.NEXT_FOCUS, RepRef(rep, next_cycle).dump())
    blocks = [section(text), ActionsBlock(block_id=f"next_focus:{rep}", elements=[pick])]
    return Outgoing(text, as_dicts(blocks))


def _left_out(dropped: tuple[str, ...]) -> str:
    return ("\n_I left out:_ " + "; ".join(dropped) + ".") if dropped else ""


def _deals_answer_buttons(p: dm_replies.DealsAdded, *, replace: bool) -> ActionsBlock:
    buttons = [button("Edit my deals", Action.EDIT_DEALS, RepRef(p.rep, p.cycle).dump())]
    if replace:
        value = MessageRef(p.message_id).dump()
        buttons.append(button("Replace my deals with these", Action.REPLACE_DEALS, value))
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
        body += "\n" + deal_lines(p.deals)
    blocks: list[Block] = [section(body + _left_out(p.dropped))]
    if p.deals:
        blocks.append(_deals_answer_buttons(p, replace=bool(p.did_not_fit) and not p.replaced))
    else:
        blocks.append(share_deals(p.rep, p.cycle, snooze=False, primary=False))
    return Outgoing(text.replace("*", ""), as_dicts(blocks))


def drill_or_deal(p: dm_replies.DrillOrDeal) -> Outgoing:
    text = f"Is that link your *{p.drill}* drill recording, or a deal for your manager?"
    value = MessageRef(p.message_id).dump()
    blocks = [
        section(text),
        ActionsBlock(
            block_id="reply_choice",
            elements=[
                button("Record as my drill", Action.REPLY_AS_DRILL, value, primary=True),
                button("Add as a deal", Action.REPLY_AS_DEAL, value),
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
        section(f"✅ {text}\n" + deal_lines(deals)),
        ActionsBlock(
            block_id="deals_recorded",
            elements=[button("Edit", Action.EDIT_DEALS, RepRef(rep, cycle).dump())],
        ),
    ]
    return Outgoing(text, as_dicts(blocks))


def snoozed(rep: str, cycle: str, local_time: str) -> Outgoing:
    text = f"OK, I'll ask again at {local_time}. Your top 3 deals of last week, with clips."
    blocks = [
        section(f"⏰ {text}"),
        share_deals(rep, cycle, snooze=False),
    ]
    return Outgoing(text, as_dicts(blocks))


def render(model: object) -> Outgoing:
    """The DM for a composed step."""
    renderers: dict[type, Callable[[Any], Outgoing]] = {
        m.DealPrompt: deal_prompt,
        m.DrillReview: drill_review,
        m.TeamPrep: team_prep,
        m.ManagerAgenda: manager_agenda,
        m.RepAgenda: rep_agenda,
        m.NotesNudge: notes_nudge,
        m.DrillCheck: drill_check,
        m.DrillCard: drill_card,
        m.HeadsUp: heads_up,
        ReviewMessage: coaching_review,
        NoteShown: feedback_note,
        Digest: scorecard_blocks.digest,
    }
    return renderers[type(model)](model)
