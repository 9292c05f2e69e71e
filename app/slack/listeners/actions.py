"""Button clicks: ack at once, check who is clicking, then open a modal or update the message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.db.ledger import Ledger
from app.db.store import Store
from app.deps import Deps
from app.domain import access, calendar, drills, loop, people
from app.domain.errors import NotAllowed
from app.domain.evidence import Deal
from app.domain.planning import zone
from app.slack.listeners.acting import actor_of
from app.slack.metadata import ModalMeta, RepRef
from app.slack.render import modals
from app.slack.render.weekly import scored, snoozed


def _clicked(body: dict[str, Any]) -> tuple[RepRef, ModalMeta]:
    """The button's rep and cycle, and where its message is (to update it later)."""
    ref = RepRef.load(body["actions"][0].get("value"))
    container = body.get("container") or {}
    meta = ModalMeta(ref.rep, ref.cycle, container.get("channel_id"), container.get("message_ts"))
    return ref, meta


def _own(actor: people.Actor, ref: RepRef) -> None:
    me = access.require_rep(actor)
    if me.slack_user_id != ref.rep:
        raise NotAllowed("That button belongs to someone else's message.")


async def on_open_deals(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    ref, meta = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        _own(actor, ref)
        assert actor.person is not None
        found = (await store.submissions([actor.person.id], ref.cycle)).get(actor.person.id)
    existing = [Deal.from_json(d) for d in found.deals] if found else []
    await client.views_open(trigger_id=body["trigger_id"], view=modals.deals_modal(meta, existing))


async def on_snooze(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    ref, meta = _clicked(body)
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        _own(actor, ref)
        rep = actor.require_person()
        at = await loop.snooze_prompt(Ledger(session), rep, ref.cycle, now)
        local = at.astimezone(zone(rep.tz, deps.settings.coach_default_tz))
    if meta.channel and meta.ts:
        message = snoozed(ref.rep, ref.cycle, f"{local:%H:%M}")
        await client.chat_update(
            channel=meta.channel, ts=meta.ts, text=message.text, blocks=message.blocks
        )


async def on_score(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    await ack()
    ref, _ = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        result = await loop.score_transfer(
            store, actor, ref.rep, ref.cycle, ref.score or 0, deps.clock()
        )
    message = scored(
        ref.rep, result.score, result.ready_for_next_focus, calendar.next_cycle(ref.cycle)
    )
    await respond(
        text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
    )


async def _open_diagnosis(
    body: dict[str, Any], client: AsyncWebClient, deps: Deps, *, moving_on: bool
) -> None:
    ref, meta = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        form = await loop.diagnosis_form(store, actor, ref.rep, ref.cycle, moving_on=moving_on)
    view = modals.diagnosis_modal(meta, form.deals, form.existing, next_focus=form.next_focus)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_diagnose(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    await _open_diagnosis(body, client, deps, moving_on=False)


async def on_next_focus(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """After a transfer score of 4+: the diagnosis modal, with the next competency suggested."""
    await ack()
    await _open_diagnosis(body, client, deps, moving_on=True)


async def on_view_notes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    ref, _ = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        notes = await loop.notes_for(store, actor, ref.rep, ref.cycle)
    await client.views_open(trigger_id=body["trigger_id"], view=modals.notes_modal(notes))


async def on_log_notes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    ref, meta = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        rep, _ = await access.coached_rep(store, actor, ref.rep)
        diagnosis = (await store.diagnoses([rep.id], ref.cycle)).get(rep.id)
        existing = (await store.one_on_ones([rep.id], ref.cycle)).get(rep.id)
        custom = [drills.custom(d) for d in await store.custom_drills(rep.workspace_id)]
    # Default follow-up: the next 1:1, a week after this one.
    follow_up = calendar.monday_of(calendar.next_cycle(ref.cycle)) + timedelta(days=2)
    view = modals.grow_modal(meta, diagnosis, custom, existing, follow_up)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_drill_done_open(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await ack()
    ref, meta = _clicked(body)
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await actor_of(store, body, deps)
        _own(actor, ref)
        assignment = await loop.drill_status(
            store, actor, deps.clock(), deps.settings.coach_default_tz
        )
    if assignment is None:
        raise NotAllowed("You have no drill assigned this week: it comes with your 1:1 notes.")
    view = modals.drill_done_modal(meta, assignment.drill.name)
    await client.views_open(trigger_id=body["trigger_id"], view=view)
