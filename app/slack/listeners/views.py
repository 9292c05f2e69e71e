"""Modal submissions: read the form, call one use case, answer in the modal, then follow up."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app.db.ledger import Ledger
from app.db.store import Store
from app.deps import Deps
from app.domain import loop, scheduling
from app.domain.errors import NotAllowed, UserError
from app.domain.evidence import Deal
from app.domain.types import Step
from app.outbox import Outbox
from app.slack import forms
from app.slack.client import OutboxClients
from app.slack.listeners.acting import actor_of
from app.slack.listeners.homes import refresh_homes
from app.slack.metadata import ModalMeta
from app.slack.render import modals
from app.slack.render.help import drill_recorded_line, schedule_reply
from app.slack.render.weekly import deals_recorded


async def on_deals_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    meta = ModalMeta.load(view.get("private_metadata"))
    deals = loop.check_deals(forms.read_deals(view))  # FieldErrors → inline, nothing stored
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        saved = await loop.record_deals(
            store,
            actor,
            meta.rep,
            meta.cycle,
            deals,
            "modal",
            deps.clock(),
            deps.settings.coach_default_tz,
        )
    await ack()
    if meta.channel and meta.ts:
        stored = [Deal.from_json(d) for d in saved.deals]
        message = deals_recorded(body["user"]["id"], meta.cycle, stored, source="modal")
        await client.chat_update(
            channel=meta.channel, ts=meta.ts, text=message.text, blocks=message.blocks
        )
    await refresh_homes(client, deps, body["team"]["id"], meta.rep)


async def on_diagnosis_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    meta = ModalMeta.load(view.get("private_metadata"))
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        saved = await loop.diagnose(
            store, actor, meta.rep, meta.cycle, forms.read_diagnosis(view), deps.clock()
        )
        gap, focus = saved.gap, saved.focus_skill
    await ack(
        response_action="update",
        view=modals.saved(
            "Diagnosis saved",
            f"<@{meta.rep}>: *{gap}* gap, focus *{focus}*. It's on the 1:1 agenda.",
        ),
    )
    await refresh_homes(client, deps, body["team"]["id"], meta.rep)


async def on_grow_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    meta = ModalMeta.load(view.get("private_metadata"))
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        logged = await loop.log_one_on_one(
            store,
            Ledger(session),
            actor,
            meta.rep,
            meta.cycle,
            forms.read_grow(view),
            now,
            deps.settings.coach_default_tz,
        )
    if not logged.record.held:
        summary = "Logged as not held: it counts as a missed week of coaching."
    elif logged.drill is not None:
        summary = f"Saved. <@{meta.rep}> gets their commitment and the *{logged.drill.name}* drill."
    else:
        summary = "Saved. A system gap is yours to act on: no drill for the rep this week."
    await ack(response_action="update", view=modals.saved("1:1 notes saved", summary))
    if logged.drill is not None:
        # The drill card, now, through the ledger (exactly once even on a resubmit).
        await Outbox(deps, OutboxClients(deps)).send_due(
            person_id=logged.rep.id, kind=Step.DRILL_CARD
        )
    await refresh_homes(client, deps, body["team"]["id"], meta.rep)


async def on_drill_done_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    link, note = forms.read_drill_done(view)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        assignment = await loop.record_drill(
            store, actor, link, note, deps.clock(), deps.settings.coach_default_tz
        )
    await ack(
        response_action="update",
        view=modals.saved("Drill recorded", drill_recorded_line(assignment)),
    )
    await refresh_homes(client, deps, body["team"]["id"], body["user"]["id"])


async def on_schedule_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    step, when, team = forms.read_schedule(view)
    try:
        async with deps.db.begin() as session:
            store = Store(session)
            actor = await actor_of(store, body, deps)
            changed = await scheduling.change_step(store, actor, step, when, team)
    except NotAllowed:
        raise
    except UserError as refused:  # the week's order: shown under the time picked
        raise UserError(refused.message, block_id="at") from refused
    reply = schedule_reply(changed, step)
    await ack(response_action="update", view=modals.saved("Schedule changed", reply.text))
