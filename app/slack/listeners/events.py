"""Events API listeners. Slack retries deliveries, so effects are keyed on event_id."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.deps import Deps
from app.domain import loop, people
from app.domain.evidence import Deal, deals_from_reply
from app.domain.types import Role
from app.slack import workspace_access
from app.slack.home_refresh import HomeRefresher
from app.slack.ids import Event
from app.slack.listeners.homes import publish_home
from app.slack.profiles import as_kept, profile_from_user
from app.slack.render import weekly


async def on_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    if event.get("tab", "home") != "home":
        return
    await publish_home(client, deps, body["team_id"], event["user"])


async def on_tokens_revoked(event: dict[str, Any], body: dict[str, Any], deps: Deps) -> None:
    if (event.get("tokens") or {}).get("bot"):  # coach holds bot tokens only
        await workspace_access.disable_team(deps, body["team_id"], Event.TOKENS_REVOKED.value)


async def on_app_uninstalled(body: dict[str, Any], deps: Deps) -> None:
    await workspace_access.disable_team(deps, body["team_id"], Event.APP_UNINSTALLED.value)


async def on_user_change(event: dict[str, Any], body: dict[str, Any], deps: Deps) -> None:
    profile = profile_from_user(event.get("user"))
    if profile is None:
        return  # not a user object: nothing to keep
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        if await store.workspace_by_team(body["team_id"]) is None:
            return  # a workspace coach doesn't know: nothing is stored
        if not await store.claim_event(body["event_id"], now):
            return
        await people.sync_profile(
            store, body["team_id"], profile.slack_user_id, as_kept(profile), now
        )


async def on_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """A rep answering the Monday prompt in plain text, in the DM or its thread."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    now = deps.clock()
    tz = deps.settings.coach_default_tz
    recorded = False
    async with deps.db.begin() as session:
        store = Store(session)
        if not await store.claim_event(body["event_id"], now):
            return  # a retry of a reply we already read
        actor = await people.actor(store, body["team_id"], event["user"], now)
        if actor.person is None or actor.person.role is not Role.REP:
            reply = weekly.dm_help()
        else:
            cycle = loop.rep_cycle(actor.person, now, tz)
            deals = deals_from_reply(event.get("text") or "")
            if deals:
                saved = await loop.record_deals(
                    store, actor, event["user"], cycle, deals, "reply", now, tz
                )
                recorded = True
                stored = [Deal.from_json(d) for d in saved.deals]
                reply = weekly.deals_recorded(event["user"], cycle, stored, source="reply")
            else:
                reply = weekly.no_deals_found(event["user"], cycle)
    await client.chat_postMessage(
        channel=event["channel"],
        thread_ts=event.get("thread_ts"),
        text=reply.text,
        blocks=reply.blocks,
    )
    if recorded:
        homes.refresh(client, body["team_id"], event["user"])
