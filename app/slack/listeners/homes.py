"""The App Home tab: published when someone opens it and after any change that shows there."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.deps import Deps
from app.domain import access, home, people
from app.slack.profiles import fetch_profile
from app.slack.render.home import home_view

log = logging.getLogger(__name__)


async def _sync_profile_if_stale(
    client: AsyncWebClient, deps: Deps, team_id: str, slack_user_id: str
) -> None:
    now = deps.clock()
    async with deps.db.begin() as session:
        who = await people.actor(Store(session), team_id, slack_user_id, now)
        stale = people.profile_is_stale(who.person, now)
    if not stale:
        return
    profile = await fetch_profile(client, slack_user_id)
    if profile is None:
        return
    async with deps.db.begin() as session:
        await people.sync_profile(
            Store(session),
            team_id,
            slack_user_id,
            tz=profile.tz,
            display_name=profile.display_name,
            now=deps.clock(),
        )


async def publish_home(
    client: AsyncWebClient, deps: Deps, team_id: str, slack_user_id: str
) -> None:
    await _sync_profile_if_stale(client, deps, team_id, slack_user_id)
    async with deps.db.begin() as session:
        model = await home.home_for(
            Store(session),
            team_id,
            slack_user_id,
            default_tz=deps.settings.coach_default_tz,
            now=deps.clock(),
        )
    await client.views_publish(user_id=slack_user_id, view=home_view(model))


async def refresh_homes(
    client: AsyncWebClient, deps: Deps, team_id: str, rep_slack_user_id: str
) -> None:
    """Re-publish the Home of everyone whose view a change to this rep's week affects (the
    rep, their manager and director). Best effort: the change itself is already saved."""
    async with deps.db() as session:
        audience = await access.home_audience(Store(session), team_id, rep_slack_user_id)
    for slack_user_id in audience:
        try:
            await publish_home(client, deps, team_id, slack_user_id)
        except SlackApiError as error:
            log.warning("home refresh failed: %s", error.response.get("error"))
