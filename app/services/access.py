"""Who may see and change whose coaching data, checked in one place (docs/coaching-method.md,
"Who sees what").

A rep's diagnosis, notes and scores belong to the rep's manager and that manager's
director; the rep sees what is meant for them; nobody else sees anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.db.models import OneOnOne, Person
from app.db.store import Store
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role
from app.services.people import Actor


async def rep_of(store: Store, actor: Actor, rep_slack_user_id: str) -> Person:
    rep = await store.person(actor.workspace.id, rep_slack_user_id)
    if rep is None or not rep.active or rep.role is not Role.REP:
        raise UserError(Refusal.NOT_A_REP, rep=rep_slack_user_id)
    return rep


async def coaches_of(store: Store, rep: Person) -> set[int]:
    """The rep's manager and that manager's manager (their director)."""
    if rep.manager_id is None:
        return set()
    manager = await store.person_by_id(rep.manager_id)
    if manager is None:
        return set()
    return {manager.id} | ({manager.manager_id} if manager.manager_id is not None else set())


async def require_coach(store: Store, actor: Actor, rep: Person) -> Person:
    """The acting person, when they coach this rep; otherwise refused with nothing changed."""
    me = actor.require_person()
    if me.id not in await coaches_of(store, rep):
        raise NotAllowed(Refusal.NOT_THEIR_COACH, rep=rep.slack_user_id)
    return me


async def coached_rep(store: Store, actor: Actor, rep_slack_user_id: str) -> tuple[Person, Person]:
    """The rep and the acting coach, when the actor may coach that rep; refused otherwise."""
    rep = await rep_of(store, actor, rep_slack_user_id)
    return rep, await require_coach(store, actor, rep)


@dataclass(frozen=True)
class Reviewing:
    """A held 1:1 a director may review: the rep, the record, the manager who logged it and
    the director acting."""

    rep: Person
    record: OneOnOne
    manager: Person
    director: Person


async def reviewing(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> Reviewing:
    """Only the director of the manager who logged a 1:1 may review it, and only while they
    coach the rep (so the review never shows the record to anyone notes_for would refuse).
    Anyone else is refused before the record is read: whether a 1:1 was held is the
    coaches' to know."""
    rep = await rep_of(store, actor, rep_slack_user_id)
    me = actor.require_person()
    if me.id not in await coaches_of(store, rep):
        raise NotAllowed(Refusal.NOT_THEIR_REVIEW)
    record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    if record is None or not record.held:
        raise UserError(Refusal.NOTHING_TO_REVIEW, rep=rep.slack_user_id)
    manager = await store.person_by_id(record.author_id) if record.author_id else None
    if manager is None or manager.manager_id != me.id:
        raise NotAllowed(Refusal.NOT_THEIR_REVIEW)
    return Reviewing(rep, record, manager, me)


def require_own(actor: Actor, rep_slack_user_id: str) -> Person:
    """The acting rep, when the button they pressed is theirs; refused otherwise."""
    me = require_rep(actor)
    if me.slack_user_id != rep_slack_user_id:
        raise NotAllowed(Refusal.NOT_YOUR_BUTTON)
    return me


def require_rep(actor: Actor) -> Person:
    me = actor.require_person()
    if me.role is not Role.REP:
        raise NotAllowed(Refusal.REPS_ONLY)
    return me


async def home_audience(store: Store, team_id: str, rep_slack_user_id: str) -> list[str]:
    """Whose App Home shows this rep's week: the rep, their manager and director."""
    workspace = await store.workspace_by_team(team_id)
    rep = await store.person(workspace.id, rep_slack_user_id) if workspace else None
    if rep is None:
        return []
    coaches = await store.people_by_ids(await coaches_of(store, rep))
    return [rep.slack_user_id, *sorted(c.slack_user_id for c in coaches)]


async def own_dm_message(
    store: Store, person: Person, message: tuple[str | None, str | None] | None
) -> tuple[str, str] | None:
    """(channel, ts) of a message coach may update for this person: one coach itself posted
    into their own DM. None for anything else (nothing named, or someone else's message)."""
    if message is None:
        return None
    channel, ts = message
    if not channel or not ts or not await store.bot_posted(person.id, channel, ts):
        return None
    return channel, ts
