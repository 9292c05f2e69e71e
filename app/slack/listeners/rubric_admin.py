"""The admin's rubric in the App Home: reword a competency, or add one. Thin:
app/services/rubric.py checks and stores."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app.deps import Deps
from app.rules.form_fields import CompetencyField
from app.services import rubric
from app.slack import forms, payloads
from app.slack.listeners.context import acting, submitted
from app.slack.metadata import CompetencyRef
from app.slack.render import modals
from app.slack.render.rubric_form import competency_modal, competency_saved
from app.slack.runtime.home_publisher import HomeRefresher


async def on_edit_competency(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The menu ("Reword a competency") or the button ("Add a competency")."""
    ref = CompetencyRef.load(payloads.action(body).value)
    async with acting(body, deps, reads_only=True) as ctx:
        found = await rubric.competency_to_edit(ctx.store, ctx.actor, ref.key)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=competency_modal(found))


async def on_competency_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    ref = CompetencyRef.load(payloads.private_metadata(view))
    async with submitted(body, deps, refusals_under=CompetencyField.NAME) as ctx:
        saved = await rubric.save_competency(
            ctx.store, ctx.actor, forms.read_competency(view, ref.key), ctx.now
        )
    line = competency_saved(saved, new=not ref.key)
    await ack(response_action="update", view=modals.saved("Rubric saved", line))
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))
