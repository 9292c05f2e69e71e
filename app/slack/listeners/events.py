"""Events API listeners. Slack retries deliveries, so effects are keyed on event_id."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from app.deps import Deps
from app.rules.refusals import NotOnRoster
from app.services import dm_replies, people
from app.slack import payloads, workspace_access
from app.slack.ids import Event
from app.slack.listeners.context import working
from app.slack.listeners.drill_cards import refresh_drill_card
from app.slack.listeners.home_opened import publish_home
from app.slack.profiles import as_kept, profile_from_user
from app.slack.render import weekly
from app.slack.render.blocks import Outgoing
from app.slack.runtime.home_publisher import HomeRefresher


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
    team_id = body["team_id"]
    async with working(deps) as ctx:
        if await ctx.store.workspace_by_team(team_id) is None:
            return  # a workspace coach doesn't know: nothing is stored
        if not await ctx.store.claim_event(body["event_id"], ctx.now):
            return
        await people.sync_profile(
            ctx.store, team_id, profile.slack_user_id, as_kept(profile), ctx.now
        )


async def on_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """Someone writing in their DM with coach: kept as typed first, then read (a failure in
    reading it loses nothing), then answered in the same place."""
    found = payloads.direct_message(event)
    if found is None:
        return
    user, incoming = found
    team_id = body["team_id"]
    async with working(deps) as ctx:
        if await ctx.store.workspace_by_team(team_id) is None:
            return  # a workspace coach doesn't know: nothing is stored
        me = await ctx.as_person(team_id, user)
        if me.actor.person is None:
            raise NotOnRoster()  # nothing of theirs is kept; the error handler says why
        if not await me.store.claim_event(body["event_id"], me.now):
            return  # a retry of a message we already have
        kept = await dm_replies.keep(me.store, me.actor, incoming, me.now, me.zone)
    if kept is None:
        return
    # A failure from here on loses nothing: the message is kept; the error handler says so.
    async with working(deps, now=ctx.now) as again:
        message = await again.store.direct_message(kept.id)
        assert message is not None
        me = await again.as_person(team_id, user)
        answer = await dm_replies.answer(me.store, me.actor, message, me.now, me.zone)
    if answer is None:
        return  # chit-chat after today's hint: nothing to say
    posted = await _post(client, incoming, weekly.reply_answer(answer))
    async with working(deps, now=ctx.now) as last:
        await dm_replies.answered(last.store, kept.id, str(posted["ts"]))
    if isinstance(answer, dm_replies.DealsAdded | dm_replies.DrillFromMessage):
        homes.refresh(client, team_id, user)
    if isinstance(answer, dm_replies.DrillFromMessage):
        await refresh_drill_card(client, deps, answer.assignment)


async def _post(client: AsyncWebClient, incoming: dm_replies.Incoming, reply: Outgoing) -> Any:
    return await client.chat_postMessage(
        channel=incoming.channel,
        thread_ts=incoming.thread_ts,
        text=reply.text,
        blocks=reply.blocks,
    )
