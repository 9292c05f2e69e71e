"""The App Home tab: published when someone opens it and after any change that shows there."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.delivery import profile_reads
from app.deps import Deps
from app.services import access, home_facts, people
from app.slack.listeners.context import working
from app.slack.render.app_home import home_view
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.home_publisher import DEFAULT_DELAY_S, HomeRefresher


async def _read_profile_if_stale(
    client: AsyncWebClient, deps: Deps, team_id: str, slack_user_id: str
) -> None:
    async with working(deps, reads_only=True) as ctx:
        who = await people.known_actor(ctx.store, team_id, slack_user_id)
    if who is not None and people.profile_is_stale(who.person, ctx.now):
        await profile_reads.read_now(deps, client, team_id, [slack_user_id])


async def publish_home(
    client: AsyncWebClient, deps: Deps, team_id: str, slack_user_id: str
) -> None:
    await _read_profile_if_stale(client, deps, team_id, slack_user_id)
    async with working(deps, reads_only=True) as ctx:
        model = await home_facts.home_for(
            ctx.store, team_id, slack_user_id, default_tz=ctx.zone, now=ctx.now
        )
    await client.views_publish(user_id=slack_user_id, view=home_view(model))


def home_refresher(
    deps: Deps, after: AfterAck | None = None, delay_s: float = DEFAULT_DELAY_S
) -> HomeRefresher:
    """The process's Home refresher: whose Homes show a rep's week, and how to publish one;
    each publish waits for a turn of `after`."""

    async def audience(team_id: str, rep_slack_user_id: str) -> list[str]:
        async with deps.reads() as session:
            return await access.home_audience(Store(session), team_id, rep_slack_user_id)

    async def publish(client: AsyncWebClient, team_id: str, slack_user_id: str) -> None:
        await publish_home(client, deps, team_id, slack_user_id)

    return HomeRefresher(audience, publish, delay_s, after)
