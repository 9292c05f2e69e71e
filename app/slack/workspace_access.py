"""Whether coach acts in a workspace: disabled when Slack refuses its token or the app is
uninstalled (nothing is planned or sent there), enabled again when a working token is back."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app import observability
from app.db.models import Person
from app.db.store import Store
from app.deps import Deps
from app.rules.types import Role

log = logging.getLogger(__name__)

# Errors about coach's token in a workspace: every call there would fail the same way, so the
# workspace is disabled and its messages wait (unsent) until a working token comes back.
WORKSPACE_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope"}
)


def announce_disabled(workspace: int | str, reason: str) -> None:
    """The alert: a counter to page on and one error line saying what to do."""
    observability.record_workspace_disabled(reason)
    log.error(
        "workspace %s disabled (%s): nothing is sent there until coach is reinstalled, "
        "or SLACK_BOT_TOKEN is replaced and coach restarted.",
        workspace,
        reason,
        extra={"workspace": str(workspace), "reason": reason},
    )


async def disable_team(deps: Deps, team_id: str, reason: str) -> bool:
    """Slack said the tokens are gone (tokens_revoked, app_uninstalled): stop, and forget
    every stored token of the team in OAuth mode. Repeats (event retries) change nothing."""
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(team_id)
        disabled = workspace is not None and await store.disable_workspace(
            workspace.id, reason, deps.clock()
        )
    if deps.settings.slack_client_id:
        from app.slack.sealed_store import installation_store  # only OAuth mode stores tokens

        await installation_store(deps).async_delete_all(enterprise_id=None, team_id=team_id)
    if disabled:
        announce_disabled(team_id, reason)
    return disabled


async def installed(deps: Deps, team_id: str | None, installer: str | None) -> bool:
    """coach was just installed in a workspace: the workspace is known from now on (enabled
    again if Slack had refused its token), and whoever installed it becomes its first coach
    admin, so the App Home's advice (`/coach add`) works for them. True when they did."""
    if not team_id:
        return False
    await enable_team(deps, team_id)
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, now)
        if not installer or await store.admins(workspace.id):
            return False
        if await store.person(workspace.id, installer) is not None:
            log.info("installer of %s is on the roster already; no admin added", team_id)
            return False
        store.add(
            Person(
                workspace_id=workspace.id,
                slack_user_id=installer,
                role=Role.ADMIN,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    log.info("workspace %s: its installer is its first coach admin", team_id)
    return True


async def enable_team(deps: Deps, team_id: str | None) -> bool:
    if not team_id:
        return False
    async with deps.db.begin() as session:
        enabled = await Store(session).enable_workspace(team_id)
    if enabled:
        log.info("workspace %s enabled again: coach has a working token there", team_id)
    return enabled


async def resume_with_token(deps: Deps, client: AsyncWebClient) -> None:
    """At start-up with one SLACK_BOT_TOKEN: if a workspace is disabled, check whether the
    token works now (the admin replaced it) and resume. No call when nothing is disabled."""
    async with deps.reads() as session:
        if not await Store(session).disabled_teams():
            return
    try:
        answer = await client.auth_test()
    except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        log.error("SLACK_BOT_TOKEN still does not work (%s): replace it and restart coach.", exc)
        return
    await enable_team(deps, answer.get("team_id"))
