"""The admin's CRM buttons and forms in the App Home: connect HubSpot or Salesforce, change
the keys, disconnect. Thin: app/crm/connect.py checks, seals and stores."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.crm import connect
from app.crm.credentials import CrmCredentials
from app.deps import Deps
from app.rules.form_fields import CrmField
from app.rules.types import CRM_NAMES, CrmKind
from app.slack import forms, payloads
from app.slack.answers import tell
from app.slack.listeners.context import acting, submitted
from app.slack.render import modals
from app.slack.render.crm_forms import hubspot_modal, salesforce_modal
from app.slack.render.crm_words import connected, disconnected
from app.slack.runtime.home_publisher import HomeRefresher


async def _stored(body: dict[str, Any], deps: Deps, kind: CrmKind) -> connect.StoredCrm:
    """What the admin stored before, when it was this CRM (never the secret)."""
    async with acting(body, deps, reads_only=True) as ctx:
        found = await connect.stored(ctx.store, ctx.actor)
    return found if found.kind is kind else connect.StoredCrm()


async def on_connect_hubspot(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    found = await _stored(body, deps, CrmKind.HUBSPOT)
    view = hubspot_modal(found.api_url or deps.settings.hubspot_api_url)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def on_connect_salesforce(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    found = await _stored(body, deps, CrmKind.SALESFORCE)
    view = salesforce_modal(
        found.api_url or deps.settings.salesforce_login_url, found.client_id, found.username
    )
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def _save(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
    credentials: CrmCredentials,
    secret_field: CrmField,
) -> None:
    async with submitted(body, deps, refusals_under=secret_field) as ctx:
        await connect.connect(ctx.store, ctx.actor, deps.settings, credentials, ctx.now)
    name = CRM_NAMES[credentials.kind]
    await ack(response_action="update", view=modals.saved(f"{name} connected", connected(name)))
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))


async def on_hubspot_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    credentials = connect.check_hubspot(*forms.read_hubspot(view))  # FieldErrors → inline
    await _save(ack, body, client, deps, homes, credentials, CrmField.TOKEN)


async def on_salesforce_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    credentials = connect.check_salesforce(deps.settings, *forms.read_salesforce(view))
    await _save(ack, body, client, deps, homes, credentials, CrmField.PRIVATE_KEY)


async def on_disconnect_crm(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """The admin's "Disconnect" (App Home, confirmed first)."""
    async with acting(body, deps) as ctx:
        forgot = await connect.disconnect(ctx.store, ctx.actor, ctx.now)
    await tell(respond, disconnected(forgot))
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))
