"""What a listener works with, opened once per request: the store in its transaction, who is
acting, the time and the default zone; for a click, also what the button names.

Every listener reads as parse → one use case inside `acting(...)` (or `clicked(...)`,
`submitted(...)`) → render, and never reaches for the clock, the settings or a session itself.
Work before anyone is known to be acting (an event, the App Home) opens `working(...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.ledger import Ledger
from app.db.models import Person
from app.db.store import Store
from app.deps import Deps
from app.rules.refusals import FieldErrors, NotAllowed, UserError
from app.services import access, people
from app.slack import payloads
from app.slack.metadata import MenuChoice, ModalMeta, RepRef


@dataclass(frozen=True)
class Work:
    """One transaction of a request's work, before anyone is known to be acting (an event
    from a workspace coach may not know, the App Home)."""

    store: Store
    now: datetime  # read once, when the request's work began
    zone: str  # COACH_DEFAULT_TZ: the zone of anyone whose own is unknown

    @property
    def ledger(self) -> Ledger:
        """The delivery ledger, in the same transaction."""
        return Ledger(self.store.session)

    async def as_person(self, team_id: str, slack_user_id: str) -> Acting:
        """The same transaction, as someone in a workspace coach knows (`people.actor`)."""
        actor = await people.actor(self.store, team_id, slack_user_id)
        return Acting(self.store, self.now, self.zone, actor)


@dataclass(frozen=True)
class Acting(Work):
    """One request's unit of work, as the person who sent it."""

    actor: people.Actor

    @property
    def person(self) -> Person:
        """The acting person; refused when they are not on the roster."""
        return self.actor.require_person()


@asynccontextmanager
async def working(
    deps: Deps, *, reads_only: bool = False, now: datetime | None = None
) -> AsyncIterator[Work]:
    """One transaction (`reads_only`: a read-only session, a replica's where there is one).
    `now` is the time an earlier transaction of the same request read, so every step of one
    request sees the same time; by default the clock is read here, once."""
    started = deps.clock() if now is None else now
    opened = deps.reads() if reads_only else deps.db.begin()
    async with opened as session:
        yield Work(Store(session), started, deps.settings.coach_default_tz)


@asynccontextmanager
async def acting(
    body: dict[str, Any], deps: Deps, *, reads_only: bool = False
) -> AsyncIterator[Acting]:
    """One transaction as the person a payload (command, click, submission, event) names.
    `reads_only` opens a read-only session (a replica's, where there is one) and lets a
    workspace coach doesn't know read as "not set up", writing nothing."""
    find = people.reader if reads_only else people.actor
    async with working(deps, reads_only=reads_only) as work:
        actor = await find(work.store, payloads.team_id(body), payloads.user_id(body))
        yield Acting(work.store, work.now, work.zone, actor)


@dataclass(frozen=True)
class Click(Acting):
    """A click, inside its transaction: also the rep and week the button names, and where
    its message is."""

    ref: RepRef  # the button's (or chosen option's) rep and cycle
    meta: ModalMeta  # the same, plus the message to update from a modal

    def own(self) -> Person:
        """The clicking rep, when the button is theirs; refused otherwise."""
        return access.require_own(self.actor, self.ref.rep)


@asynccontextmanager
async def clicked(body: dict[str, Any], deps: Deps) -> AsyncIterator[Click]:
    action = payloads.action(body)
    ref = (
        MenuChoice.load(action.value).ref
        if action.kind == "overflow"
        else RepRef.load(action.value)
    )
    channel, ts = payloads.container_message(body)
    meta = ModalMeta(ref.rep, ref.cycle, channel, ts)
    async with acting(body, deps) as ctx:
        yield Click(ctx.store, ctx.now, ctx.zone, ctx.actor, ref, meta)


@asynccontextmanager
async def submitted(
    body: dict[str, Any], deps: Deps, *, refusals_under: str | None = None
) -> AsyncIterator[Acting]:
    """One transaction for a modal submission, as the person who submitted it. A refusal of
    what they entered (not of who they are) shows under the field `refusals_under`."""
    try:
        async with acting(body, deps) as ctx:
            yield ctx
    except (NotAllowed, FieldErrors):
        raise
    except UserError as refused:
        if refusals_under is None or refused.block_id:
            raise
        raise refused.under(refusals_under) from refused
