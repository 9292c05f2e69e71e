"""Pauses: a rep (or their manager) stops the weekly steps for a while."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.db.models import Person
from app.db.store import Store
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role
from app.services import access
from app.services.local_week import local_date
from app.services.people import Actor


async def _pausable(store: Store, actor: Actor, target_slack_user_id: str) -> Person:
    """Someone the actor may pause: their rep (or their managers' reps), or anyone, for an
    admin. Refused otherwise."""
    me = actor.require_person()
    found = await store.person(actor.workspace.id, target_slack_user_id)
    if found is None or not found.active:
        raise UserError(Refusal.NOT_ON_COACHING_ROSTER, person=target_slack_user_id)
    if me.role is not Role.ADMIN and me.id not in await access.coaches_of(store, found):
        raise NotAllowed(Refusal.PAUSE_NOT_THEIR_COACH, person=found.slack_user_id)
    return found


async def may_pause(store: Store, actor: Actor, target_slack_user_id: str) -> Person:
    """The acting person, when they may pause this one (the pause form opens only then)."""
    await _pausable(store, actor, target_slack_user_id)
    return actor.require_person()


async def pause(
    store: Store,
    actor: Actor,
    target_slack_user_id: str | None,
    until: date,
    now: datetime,
    default_tz: str,
) -> Person:
    """Pause someone's loop through `until` (inclusive): they get nothing, miss nothing."""
    me = actor.require_person()
    if until < local_date(me, now, default_tz):
        raise UserError(Refusal.PAUSE_IN_THE_PAST)
    if until > local_date(me, now, default_tz) + timedelta(days=366):
        raise UserError(Refusal.PAUSE_TOO_LONG)
    if target_slack_user_id is None or target_slack_user_id == me.slack_user_id:
        target = me
    else:
        target = await _pausable(store, actor, target_slack_user_id)
    target.paused_until = until
    target.updated_at = now
    starts_on = local_date(target, now, default_tz)
    await store.add_pause(target.id, starts_on, until, me.id, now)
    return target
