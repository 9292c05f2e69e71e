"""Button clicks: acked before they run (they take no `ack`; see
`app.slack.runtime.listener_wrapper`), they check who is clicking, then open a modal or answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.deps import Deps
from app.recorder import connect
from app.rules import calendar
from app.rules.evidence import Deal
from app.rules.types import Role
from app.services import (
    access,
    call_evidence,
    coaching_notes,
    coaching_reviews,
    deals,
    diagnoses,
    dm_replies,
    drill_reports,
    escalations,
    feedback,
    local_week,
    one_on_ones,
    pauses,
    people,
    rep_page,
    team_schedules,
    transfer_scores,
)
from app.services.week_plan import zone
from app.slack import forms, payloads
from app.slack.answers import tell, update
from app.slack.client import error_code
from app.slack.listeners import commands
from app.slack.listeners.context import acting, clicked
from app.slack.listeners.drill_cards import refresh_drill_card
from app.slack.metadata import ActionRef, MenuChoice, MessageRef, ModalMeta
from app.slack.render import modals
from app.slack.render.call_words import disconnected
from app.slack.render.deals_form import deals_modal
from app.slack.render.diagnosis_form import DiagnosisDraft, diagnosis_modal
from app.slack.render.grow_form import GrowDraft, grow_modal
from app.slack.render.note_form import note_modal
from app.slack.render.notes_view import notes_modal
from app.slack.render.rep_page import rep_page_modal
from app.slack.render.review_form import review_modal
from app.slack.render.weekly import (
    action_resolved,
    deal_progress_noted,
    helpfulness_noted,
    reply_answer,
    scored,
    snoozed,
)
from app.slack.runtime.home_publisher import HomeRefresher

Opener = Callable[[dict[str, Any], AsyncWebClient, Deps], Awaitable[None]]


def opens(opener: Opener) -> Callable[..., Awaitable[None]]:
    """A listener that opens a modal (the opener checks who clicked)."""

    async def listener(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
        await opener(body, client, deps)

    name = getattr(opener, "__name__", None) or getattr(opener, "func", opener).__name__
    listener.__name__ = f"on{name}"
    return listener


async def on_open_deals(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        me = click.own()
        found = (await click.store.submissions([me.id], click.ref.cycle)).get(me.id)
        calls = await call_evidence.pickable_calls(click.store, me, click.ref.cycle, click.zone)
        open_deals = await deals.pickable_deals(click.store, me)
    existing = [Deal.from_json(d) for d in found.deals] if found else []
    view = deals_modal(click.meta, existing, calls, open_deals)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def on_export_history(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The admin's App Home button: the coaching history as a CSV in their DM. A Home click
    has nowhere to answer, so a file that couldn't be sent is said in the DM instead."""
    answer = await commands.export_to_dm(body, None, client, deps, own=False)
    if not answer.delivered:
        await client.chat_postMessage(
            channel=payloads.user_id(body), text=answer.reply.text, blocks=answer.reply.blocks
        )


async def on_snooze(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        rep = click.own()
        at = await deals.snooze_prompt(
            click.store, click.ledger, rep, click.ref.cycle, click.now, click.zone
        )
        local = at.astimezone(zone(rep.tz, click.zone))
        today = click.now.astimezone(local.tzinfo).date()
        when = f"{local:%H:%M}" if local.date() == today else f"{local:%H:%M} on {local:%A}"
        mine = await access.own_dm_message(click.store, rep, click.meta.message)
    if mine is not None:
        await update(client, mine, snoozed(click.meta.rep, click.meta.cycle, when))


async def on_score(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    async with clicked(body, deps) as click:
        ref = click.ref
        result = await transfer_scores.score_transfer(
            click.store, click.actor, ref.rep, ref.cycle, ref.score or 0, click.now
        )
    message = scored(
        ref.rep, result.score, result.ready_for_next_focus, calendar.next_cycle(ref.cycle)
    )
    await tell(respond, message.text, message.blocks)
    homes.refresh(client, payloads.team_id(body), ref.rep)


async def _open_diagnosis(
    body: dict[str, Any], client: AsyncWebClient, deps: Deps, *, moving_on: bool
) -> None:
    async with clicked(body, deps) as click:
        form = await diagnoses.diagnosis_form(
            click.store,
            click.actor,
            click.ref.rep,
            click.ref.cycle,
            moving_on=moving_on,
            default_tz=click.zone,
        )
    draft = DiagnosisDraft.of_saved(form.existing, form.levels) if form.existing else None
    view = diagnosis_modal(click.meta, form, draft or DiagnosisDraft())
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def _open_notes(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        notes = await one_on_ones.notes_for(
            click.store, click.actor, click.ref.rep, click.ref.cycle
        )
    await client.views_open(trigger_id=payloads.trigger_id(body), view=notes_modal(notes))


async def _open_scorecard(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        page = await rep_page.rep_page(click.store, click.actor, click.ref.rep, click.ref.cycle)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=rep_page_modal(page))


async def _open_grow(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        form = await one_on_ones.grow_form(click.store, click.actor, click.ref.rep, click.ref.cycle)
    draft = GrowDraft.of_saved(form.existing)
    view = grow_modal(
        click.meta, form.diagnosis, form.custom_drills, draft, form.follow_up, form.suggested
    )
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def _open_review(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """A director's review of a manager's 1:1 (App Home): refused unless they lead whoever
    logged it."""
    async with clicked(body, deps) as click:
        form = await coaching_reviews.review_form(
            click.store, click.actor, click.ref.rep, click.ref.cycle
        )
    view = review_modal(click.meta, form)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def on_drill_done_open(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        click.own()
        assignment = await drill_reports.drill_to_report(
            click.store, click.actor, click.now, click.zone
        )
    view = modals.drill_done_modal(click.meta, assignment.drill.name)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=view)


async def on_deal_progress(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """One tap per coached deal on the Monday prompt: moved to the next stage, or not yet."""
    moved = payloads.action(body).action_id.endswith("_yes")
    async with clicked(body, deps) as click:
        ref = click.ref
        deal = await feedback.record_deal_progress(
            click.store, click.actor, ref.rep, ref.cycle, ref.score or 0, moved, click.now
        )
    await tell(respond, deal_progress_noted(deal.name, moved))
    homes.refresh(client, payloads.team_id(body), ref.rep)


async def on_rate_one_on_one(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    async with clicked(body, deps) as click:
        ref = click.ref
        score = await feedback.rate_one_on_one(
            click.store, click.actor, ref.rep, ref.cycle, ref.score or 0, click.now
        )
    await tell(respond, helpfulness_noted(score))
    homes.refresh(client, payloads.team_id(body), ref.rep)


async def on_rep_menu(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The App Home menu next to each rep: diagnose, log notes or open notes."""
    choice = MenuChoice.load(payloads.action(body).value)
    if choice.verb == "diagnose":
        await _open_diagnosis(body, client, deps, moving_on=False)
    elif choice.verb == "notes":
        await _open_grow(body, client, deps)
    elif choice.verb == "not_held":
        await _open_not_held(body, client, deps)
    elif choice.verb == "pause":
        await _open_pause(body, client, deps)
    else:
        await _open_notes(body, client, deps)


async def _open_pause(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        me = await pauses.may_pause(click.store, click.actor, click.ref.rep)
        today = local_week.local_date(me, click.now, click.zone)
    await client.views_open(
        trigger_id=payloads.trigger_id(body), view=modals.pause_modal(click.meta, today)
    )


async def on_edit_schedule(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The admin's schedule form (App Home)."""
    async with acting(body, deps) as ctx:
        teams = await team_schedules.settable_teams(ctx.store, ctx.actor)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=modals.schedule_modal(teams))


async def on_connect_recorder(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The admin's Gong form (App Home): the stored URL shown, the key never."""
    async with acting(body, deps, reads_only=True) as ctx:
        url = await connect.current_url(ctx.store, ctx.actor)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=modals.recorder_modal(url))


async def on_disconnect_recorder(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """The admin's "Disconnect Gong" (App Home, confirmed first)."""
    async with acting(body, deps) as ctx:
        forgotten = await connect.disconnect(ctx.store, ctx.actor, ctx.now)
    await tell(respond, disconnected(forgotten))
    homes.refresh(client, payloads.team_id(body), payloads.user_id(body))


async def on_edit_roster(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """The admin's roster form (App Home)."""
    async with acting(body, deps) as ctx:
        await people.require_admin(ctx.store, ctx.actor)
    roles = [role.value for role in Role]
    await client.views_open(trigger_id=payloads.trigger_id(body), view=modals.roster_modal(roles))


async def _open_not_held(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        await access.coached_rep(click.store, click.actor, click.ref.rep)
    await client.views_open(
        trigger_id=payloads.trigger_id(body), view=modals.not_held_modal(click.meta)
    )


# --- forms that follow their answers (views.update) ---------------------------------------
async def on_diagnosis_changed(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """A tree answer or the gap changed: the form shows what that answer asks for next."""
    shown = payloads.open_view(body)
    if shown is None:
        return
    meta = ModalMeta.load(payloads.private_metadata(shown.view))
    async with acting(body, deps, reads_only=True) as ctx:
        form = await diagnoses.diagnosis_form(
            ctx.store, ctx.actor, meta.rep, meta.cycle, moving_on=False, default_tz=ctx.zone
        )
    draft = DiagnosisDraft.of_form(forms.read_diagnosis(shown.view))
    await _replace(client, shown, diagnosis_modal(meta, form, draft))


async def on_grow_drill_picked(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    """A drill or the framework was picked in the GROW form: the form follows it (a new drill
    asks for its name, scenario and success; OSKAR for its scaling number)."""
    shown = payloads.open_view(body)
    if shown is None:
        return
    meta = ModalMeta.load(payloads.private_metadata(shown.view))
    async with acting(body, deps, reads_only=True) as ctx:
        form = await one_on_ones.grow_form(ctx.store, ctx.actor, meta.rep, meta.cycle)
    draft = GrowDraft.of_form(forms.read_grow(shown.view))
    view = grow_modal(
        meta, form.diagnosis, form.custom_drills, draft, form.follow_up, form.suggested
    )
    await _replace(client, shown, view)


async def _open_note(body: dict[str, Any], client: AsyncWebClient, deps: Deps) -> None:
    async with clicked(body, deps) as click:
        await coaching_notes.note_form_rep(click.store, click.actor, click.ref.rep)
    await client.views_open(trigger_id=payloads.trigger_id(body), view=note_modal(click.meta, None))


async def on_note_framework_picked(
    body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """The framework picked in a coaching note: the form shows its parts."""
    shown = payloads.open_view(body)
    if shown is None:
        return
    meta = ModalMeta.load(payloads.private_metadata(shown.view))
    async with acting(body, deps, reads_only=True) as ctx:
        await coaching_notes.note_form_rep(ctx.store, ctx.actor, meta.rep)
    framework = coaching_notes.framework_of(forms.read_note(shown.view).framework)
    await _replace(client, shown, note_modal(meta, framework))


async def _replace(client: AsyncWebClient, shown: payloads.OpenView, view: dict[str, Any]) -> None:
    """Show `view` in place of the open one. A newer change may have replaced it already
    (hash_conflict): that one's re-render wins."""
    try:
        await client.views_update(view_id=shown.id, hash=shown.hash, view=view)
    except SlackApiError as exc:
        if error_code(exc) != "hash_conflict":
            raise


on_diagnose = opens(partial(_open_diagnosis, moving_on=False))
# After a transfer score of 4+: the diagnosis, with the next competency suggested.
on_next_focus = opens(partial(_open_diagnosis, moving_on=True))
on_view_notes = opens(_open_notes)
on_open_scorecard = opens(_open_scorecard)
on_write_note = opens(_open_note)
on_log_notes = opens(_open_grow)
on_pause_open = opens(_open_pause)
on_not_held_open = opens(_open_not_held)
on_review_open = opens(_open_review)


# --- buttons on coach's answer to something written in the DM ---------------------------
Take = Callable[[Store, people.Actor, int, datetime, str], Awaitable[dm_replies.Answer]]


def acts_on_message(take: Take) -> Callable[..., Awaitable[None]]:
    """A button on coach's answer to a DM, acting on the stored message it names; the answer
    is updated in place (when it is coach's own, in the clicker's own DM)."""

    async def listener(
        body: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        deps: Deps,
        homes: HomeRefresher,
    ) -> None:
        ref = MessageRef.load(payloads.action(body).value)
        async with acting(body, deps) as ctx:
            answer = await take(ctx.store, ctx.actor, ref.id, ctx.now, ctx.zone)
            rep = ctx.person
            mine = await access.own_dm_message(ctx.store, rep, payloads.container_message(body))
        assert answer is not None
        reply = reply_answer(answer)
        if mine is None:
            await tell(respond, reply.text, reply.blocks)
        else:
            await update(client, mine, reply)
        homes.refresh(client, payloads.team_id(body), rep.slack_user_id)
        if isinstance(answer, dm_replies.DrillFromMessage):
            await refresh_drill_card(client, deps, answer.assignment)

    listener.__name__ = f"on_{getattr(take, '__name__', 'message')}"
    return listener


on_replace_deals = acts_on_message(dm_replies.replace_with)
on_reply_as_deal = acts_on_message(dm_replies.take_as_deal)
on_reply_as_drill = acts_on_message(dm_replies.take_as_drill)


async def on_resolve_action(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    """The "Mark resolved" button of an open manager action (a system gap taken on)."""
    ref = ActionRef.load(payloads.action(body).value)
    async with acting(body, deps) as ctx:
        done = await escalations.resolve(ctx.store, ctx.actor, ref.id, ctx.now)
    await tell(respond, action_resolved(done))
    homes.refresh(client, payloads.team_id(body), done.rep)
