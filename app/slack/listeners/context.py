"""Who is acting, from an interaction payload (button click or modal submission)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.db.store import Store
from app.deps import Deps
from app.rules.refusals import FieldErrors, NotAllowed, UserError
from app.services import people
from app.slack import payloads


async def actor_of(store: Store, body: dict[str, Any], deps: Deps) -> people.Actor:
    return await people.actor(store, payloads.team_id(body), payloads.user_id(body))


@asynccontextmanager
async def submitted(
    body: dict[str, Any], deps: Deps, *, refusals_under: str | None = None
) -> AsyncIterator[tuple[Store, people.Actor]]:
    """One transaction for a modal submission, as the person who submitted it. A refusal of
    what they entered (not of who they are) shows under the field `refusals_under`."""
    try:
        async with deps.db.begin() as session:
            store = Store(session)
            yield store, await actor_of(store, body, deps)
    except (NotAllowed, FieldErrors):
        raise
    except UserError as refused:
        if refusals_under is None or refused.block_id:
            raise
        raise refused.under(refusals_under) from refused
