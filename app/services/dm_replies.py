"""What people write to coach in their DM, and what coach does with it. Nothing written there
ever destroys what was recorded before.

- A message is stored as typed before anything reads it (`keep`): a bug in reading it never
  loses it.
- A rep's links are deals, added to the week's (up to three): an edit is explicit (the modal,
  or "Replace my deals" on coach's answer, which acts on that stored message).
- While this week's drill is open, a link may be the drill's recording: coach asks ("Record as
  my drill" / "Add as a deal") instead of guessing; under a drill message it is the drill.
- A line half understood keeps what was understood (the deal without its moment) and the rep
  is told what was left out.
- Anything else (chit-chat) gets one short hint a day at most, never an error.

Store and clock in, plain answers out (the renderer words them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from app.db.models import DirectMessage, Person
from app.db.store import Store
from app.rules import calendar
from app.rules.evidence import (
    MAX_DEALS,
    Deal,
    links_in,
    read_reply,
    without_links,
)
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role, Step
from app.services import access, deals, drill_reports, local_week
from app.services.people import Actor
from app.services.week_plan import zone

PENDING, DEALS, CHOICE, DRILL, HINT, QUIET = "pending", "deals", "choice", "drill", "hint", "quiet"
MAX_TEXT = 40_000  # Slack's own limit for a message
DEAL_STEPS = frozenset({Step.REP_PROMPT, Step.REP_REMINDER, Step.PROMPT_AGAIN})
DRILL_STEPS = frozenset({Step.DRILL_CARD, Step.DRILL_CHECK})


@dataclass(frozen=True)
class Incoming:
    """A message someone typed in their DM with coach (ids already checked)."""

    channel: str
    ts: str
    thread_ts: str | None
    text: str


# --- what coach answers ---------------------------------------------------------------


@dataclass(frozen=True)
class DealsAdded:
    rep: str
    cycle: str
    message_id: int  # the stored message the answer's buttons act on
    deals: tuple[Deal, ...]  # the week's deals now
    added: int
    already_there: int  # deals of the message that were recorded already (same clip)
    did_not_fit: int  # deals beyond the week's three: "Replace my deals" takes these instead
    dropped: tuple[str, ...]  # what of the message could not be read
    replaced: bool = False


@dataclass(frozen=True)
class DrillOrDeal:
    """A link while this week's drill is open: coach asks which it is."""

    rep: str
    cycle: str
    message_id: int
    drill: str  # the drill's name
    link: str


@dataclass(frozen=True)
class DrillFromMessage:
    rep: str
    assignment: drill_reports.DrillAssignment


@dataclass(frozen=True)
class Hint:
    """Chit-chat, once a day: what coach reads in a DM."""

    role: Role


Answer = DealsAdded | DrillOrDeal | DrillFromMessage | Hint | None  # None: say nothing


# --- pure rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    deals: tuple[Deal, ...]
    added: int
    already_there: int
    did_not_fit: int


def merge_deals(existing: tuple[Deal, ...], new: tuple[Deal, ...]) -> Merged:
    """The week's deals with `new` added: a deal whose clip is already there is not added
    again, and the week keeps at most three (the first three stay)."""
    clips = {d.clip_url for d in existing}
    fresh = []
    for deal in new:
        if deal.clip_url not in clips:
            clips.add(deal.clip_url)
            fresh.append(deal)
    room = max(MAX_DEALS - len(existing), 0)
    return Merged(
        deals=(*existing, *fresh[:room]),
        added=min(room, len(fresh)),
        already_there=len(new) - len(fresh),
        did_not_fit=max(len(fresh) - room, 0),
    )


def _local_midnight(person: Person, now: datetime, default_tz: str) -> datetime:
    tz = zone(person.tz, default_tz)
    return calendar.local_instant(calendar.local_today(now, tz), time(0), tz)


# --- use cases ------------------------------------------------------------------------


async def keep(
    store: Store, actor: Actor, incoming: Incoming, now: datetime, default_tz: str
) -> DirectMessage | None:
    """Store a message from someone on the roster, as typed; None for a redelivery (already
    stored) or someone coach doesn't coach (nothing of theirs is kept)."""
    person = actor.person
    if person is None:
        return None
    return await store.keep_direct_message(
        {
            "workspace_id": actor.workspace.id,
            "person_id": person.id,
            "channel_id": incoming.channel,
            "message_ts": incoming.ts,
            "thread_ts": incoming.thread_ts,
            "text": incoming.text[:MAX_TEXT],
            "cycle_week": local_week.rep_cycle(person, now, default_tz),
            "outcome": PENDING,
            "received_at": now,
            "updated_at": now,
        }
    )


async def answer(
    store: Store, actor: Actor, message: DirectMessage, now: datetime, default_tz: str
) -> Answer:
    """Read a stored message and act on it (see the module docstring)."""
    person = actor.require_person()
    read = read_reply(message.text)
    if person.role is not Role.REP or not read.has_link:
        return await _chit_chat(store, person, message, now, default_tz)
    thread = (
        await store.sent_delivery_at(person.id, message.channel_id, message.thread_ts)
        if message.thread_ts
        else None
    )
    assignment = await drill_reports.current_drill(store, person, now, default_tz)
    drill_open = assignment is not None and assignment.cycle == message.cycle_week
    links = links_in(message.text)
    if thread is not None and thread.kind in DRILL_STEPS and assignment is not None and links:
        return await _as_drill(store, actor, message, now, default_tz)
    answered_prompt = thread is not None and thread.kind in DEAL_STEPS
    if drill_open and links and not answered_prompt:
        assert assignment is not None
        message.outcome, message.updated_at = CHOICE, now
        return DrillOrDeal(
            person.slack_user_id, message.cycle_week, message.id, assignment.drill.name, links[0]
        )
    return await _add_deals(store, actor, message, now, default_tz)


async def _chit_chat(
    store: Store, person: Person, message: DirectMessage, now: datetime, default_tz: str
) -> Answer:
    """One short hint a day, however much someone chats (never an error)."""
    if await store.hinted_since(person.id, _local_midnight(person, now, default_tz)):
        message.outcome, message.updated_at = QUIET, now
        return None
    message.outcome, message.updated_at = HINT, now
    return Hint(Role(person.role))


async def _add_deals(
    store: Store, actor: Actor, message: DirectMessage, now: datetime, default_tz: str
) -> DealsAdded:
    rep = access.require_rep(actor)
    read = read_reply(message.text)
    cycle = message.cycle_week
    found = (await store.submissions([rep.id], cycle)).get(rep.id)
    existing = tuple(Deal.from_json(d) for d in found.deals) if found else ()
    merged = merge_deals(existing, read.deals)
    if merged.added:
        await deals.record_deals(
            store, actor, rep.slack_user_id, cycle, list(merged.deals), "reply", now, default_tz
        )
    message.outcome, message.updated_at = DEALS, now
    return DealsAdded(
        rep.slack_user_id,
        cycle,
        message.id,
        merged.deals,
        merged.added,
        merged.already_there,
        merged.did_not_fit,
        read.dropped,
    )


async def _as_drill(
    store: Store, actor: Actor, message: DirectMessage, now: datetime, default_tz: str
) -> DrillFromMessage:
    rep = access.require_rep(actor)
    link = links_in(message.text)[0]
    assignment = await drill_reports.record_drill(
        store, actor, link, without_links(message.text), now, default_tz
    )
    message.outcome, message.updated_at = DRILL, now
    return DrillFromMessage(rep.slack_user_id, assignment)


async def answered(store: Store, message_id: int, answer_ts: str) -> None:
    """Remember coach's answer to a message (its buttons act on that message)."""
    message = await store.direct_message(message_id)
    if message is not None:
        message.answer_ts = answer_ts


async def own_message(store: Store, actor: Actor, message_id: int) -> DirectMessage:
    """A stored message of the acting rep (a button on coach's answer names it)."""
    rep = access.require_rep(actor)
    message = await store.direct_message(message_id)
    if message is None or message.person_id != rep.id:
        raise NotAllowed(Refusal.NOT_YOUR_BUTTON)
    return message  # its week is checked where its deals or drill are recorded


async def take_as_deal(
    store: Store, actor: Actor, message_id: int, now: datetime, default_tz: str
) -> DealsAdded:
    """The "Add as a deal" button: the message's links join the week's deals."""
    message = await own_message(store, actor, message_id)
    return await _add_deals(store, actor, message, now, default_tz)


async def take_as_drill(
    store: Store, actor: Actor, message_id: int, now: datetime, default_tz: str
) -> DrillFromMessage:
    """The "Record as my drill" button: the message's link is this week's drill recording."""
    message = await own_message(store, actor, message_id)
    if not links_in(message.text):
        raise UserError(Refusal.NO_LINK_TO_RECORD)
    return await _as_drill(store, actor, message, now, default_tz)


async def replace_with(
    store: Store, actor: Actor, message_id: int, now: datetime, default_tz: str
) -> DealsAdded:
    """The "Replace my deals" button: the week's deals become this message's (an edit)."""
    rep = access.require_rep(actor)
    message = await own_message(store, actor, message_id)
    read = read_reply(message.text)
    if not read.deals:
        raise UserError(Refusal.NO_DEAL_TO_USE)
    await deals.record_deals(
        store,
        actor,
        rep.slack_user_id,
        message.cycle_week,
        list(read.deals),
        "reply",
        now,
        default_tz,
    )
    message.outcome, message.updated_at = DEALS, now
    merged = merge_deals((), read.deals)
    return DealsAdded(
        rep.slack_user_id,
        message.cycle_week,
        message.id,
        merged.deals,
        merged.added,
        0,
        0,
        read.dropped,
        replaced=True,
    )
