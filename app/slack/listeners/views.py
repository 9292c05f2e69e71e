"""Modal submissions: read the form, call one use case, answer in the modal, then follow up."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app.delivery import profile_reads
from app.delivery.tick import Outbox
from app.deps import Deps
from app.recorder import connect
from app.rules.evidence import Deal
from app.rules.form_fields import PauseField, RecorderField, RosterField, ScheduleField
from app.rules.types import Gap, Step
from app.services import (
    access,
    coaching_notes,
    coaching_reviews,
    deals,
    diagnoses,
    drill_reports,
    one_on_ones,
    pauses,
    people,
    team_schedules,
)
from app.slack import forms, payloads
from app.slack.answers import update
from app.slack.listeners.context import submitted
from app.slack.listeners.drill_cards import refresh_drill_card
from app.slack.metadata import ModalMeta
from app.slack.render import modals
from app.slack.render.diagnosis_form import saved_line
from app.slack.render.grow_form import NOT_HELD_SAVED, notes_saved
from app.slack.render.help import (
    ZoneRead,
    drill_recorded_line,
    paused,
    roster_changed,
    schedule_reply,
)
from app.slack.render.note_form import note_saved
from app.slack.render.review_form import review_saved
from app.slack.render.weekly import deals_recorded
from app.slack.runtime.home_publisher import HomeRefresher


async def on_deals_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    meta = ModalMeta.load(payloads.private_metadata(view))
    drafts = forms.read_deals(view)
    async with submitted(body, deps) as ctx:
        # A picked call's link, checked to be the rep's own; FieldErrors → inline, no write.
        rep = access.require_rep(ctx.actor)
        picked = await deals.with_picked_calls(ctx.store, rep, drafts)
        checked = deals.check_deals(await deals.with_picked_deals(ctx.store, rep, picked))
        saved = await deals.record_deals(
            ctx.store,
            ctx.actor,
            meta.rep,
            meta.cycle,
            checked,
            "modal",
            ctx.now,
            ctx.zone,
        )
        # Only coach's own message in the rep's own DM is updated (the metadata names it).
        mine = await access.own_dm_message(ctx.store, ctx.person, meta.message)
    await ack()
    if mine is not None:
        stored = [Deal.from_json(d) for d in saved.deals]
        await update(client, mine, deals_recorded(payloads.user_id(body), meta.cycle, stored))
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_diagnosis_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    meta = ModalMeta.load(payloads.private_metadata(view))
    async with submitted(body, deps) as ctx:
        done = await diagnoses.diagnose(
            ctx.store, ctx.actor, meta.rep, meta.cycle, forms.read_diagnosis(view), ctx.now
        )
        gap, focus = Gap(done.diagnosis.gap), done.diagnosis.focus_skill
    line = saved_line(meta.rep, gap, focus, done.drill)
    await ack(response_action="update", view=modals.saved("Diagnosis saved", line))
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_grow_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
    outbox: Outbox,
) -> None:
    meta = ModalMeta.load(payloads.private_metadata(view))
    async with submitted(body, deps) as ctx:
        logged = await one_on_ones.log_one_on_one(
            ctx.store,
            ctx.ledger,
            ctx.actor,
            meta.rep,
            meta.cycle,
            forms.read_grow(view),
            ctx.now,
            ctx.zone,
        )
    summary = notes_saved(meta.rep, logged.drill)
    await ack(response_action="update", view=modals.saved("1:1 notes saved", summary))
    # The rep's card, now, through the ledger (exactly once even on a resubmit).
    await outbox.send_due(person_id=logged.rep.id, kind=Step.DRILL_CARD)
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_review_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
    outbox: Outbox,
) -> None:
    """A director's review: checked again here (the metadata only names a rep and a week)."""
    meta = ModalMeta.load(payloads.private_metadata(view))
    async with submitted(body, deps) as ctx:
        saved = await coaching_reviews.save_review(
            ctx.store, ctx.ledger, ctx.actor, meta.rep, meta.cycle, forms.read_review(view), ctx.now
        )
    await ack(response_action="update", view=modals.saved("Review saved", review_saved(saved)))
    # The manager's DM, now, through the ledger (planned on the first save only).
    await outbox.send_due(person_id=saved.manager.id, kind=Step.COACHING_REVIEW)
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_note_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
    outbox: Outbox,
) -> None:
    """A coaching note (SBI, CAR, OSKAR): checked again here (the metadata names a rep)."""
    meta = ModalMeta.load(payloads.private_metadata(view))
    async with submitted(body, deps) as ctx:
        saved = await coaching_notes.save_note(
            ctx.store, ctx.ledger, ctx.actor, meta.rep, meta.cycle, forms.read_note(view), ctx.now
        )
    line = note_saved(meta.rep, saved.framework, saved.sent_to_rep)
    await ack(response_action="update", view=modals.saved("Note saved", line))
    if saved.sent_to_rep:  # the rep's DM, now, through the ledger (once per note)
        await outbox.send_due(person_id=saved.rep.id, kind=Step.FEEDBACK_NOTE)
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_drill_done_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    link, note = forms.read_drill_done(view)
    async with submitted(body, deps) as ctx:
        assignment = await drill_reports.record_drill(
            ctx.store, ctx.actor, link, note, ctx.now, ctx.zone
        )
    await ack(
        response_action="update",
        view=modals.saved("Drill recorded", drill_recorded_line(assignment)),
    )
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))
    await refresh_drill_card(client, deps, assignment)


async def on_schedule_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    step, when, team = forms.read_schedule(view)
    # the week's order, refused under the time picked
    async with submitted(body, deps, refusals_under=ScheduleField.AT) as ctx:
        changed = await team_schedules.change_step(ctx.store, ctx.actor, step, when, team)
    reply = schedule_reply(changed, step)
    await ack(response_action="update", view=modals.saved("Schedule changed", reply.text))


async def on_recorder_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    credentials = connect.check_keys(*forms.read_recorder(view))  # FieldErrors → inline
    async with submitted(body, deps, refusals_under=RecorderField.ACCESS_KEY_SECRET) as ctx:
        await connect.connect(ctx.store, ctx.actor, deps.settings, credentials, ctx.now)
    message = (
        "Gong's key is stored, sealed. coach tries it within a few minutes: your App Home "
        "and `/coach status` say whether it works and whom it matched by email."
    )
    await ack(response_action="update", view=modals.saved("Gong connected", message))
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))


async def on_pause_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    meta = ModalMeta.load(payloads.private_metadata(view))
    until = forms.read_pause(view)
    async with submitted(body, deps, refusals_under=PauseField.UNTIL) as ctx:
        await pauses.pause(ctx.store, ctx.actor, meta.rep, until, ctx.now, ctx.zone)
    reply = paused(meta.rep, until, yourself=False)
    await ack(response_action="update", view=modals.saved("Paused", reply.text))
    homes.refresh(client, payloads.team_id(body), meta.rep)


async def on_roster_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    person, role, manager = forms.read_roster_change(view)
    # e.g. a rep without a manager, or a reporting cycle: shown under the manager
    async with submitted(body, deps, refusals_under=RosterField.MANAGER) as ctx:
        change = await people.set_person(
            ctx.store,
            ctx.actor,
            slack_user_id=person,
            role=role,
            manager_slack_user_id=manager,
            now=ctx.now,
        )
    reply = roster_changed(change, "add", ZoneRead())  # "read before their first message"
    await ack(response_action="update", view=modals.saved("Roster updated", reply.text))
    await profile_reads.read_now(deps, client, payloads.team_id(body), [change.slack_user_id])


async def on_not_held_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    meta = ModalMeta.load(payloads.private_metadata(view))
    async with submitted(body, deps) as ctx:
        await one_on_ones.log_one_on_one(
            ctx.store,
            ctx.ledger,
            ctx.actor,
            meta.rep,
            meta.cycle,
            one_on_ones.GrowInput(held=False),
            ctx.now,
            ctx.zone,
        )
    await ack(response_action="update", view=modals.saved("1:1 notes saved", NOT_HELD_SAVED))
    homes.refresh(client, payloads.team_id(body), meta.rep)
