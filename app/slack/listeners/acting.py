"""Who is acting, from an interaction payload (button click or modal submission)."""

from __future__ import annotations

from typing import Any

from app.db.store import Store
from app.deps import Deps
from app.domain import people


async def actor_of(store: Store, body: dict[str, Any], deps: Deps) -> people.Actor:
    return await people.actor(store, body["team"]["id"], body["user"]["id"], deps.clock())
