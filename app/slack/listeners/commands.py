"""Slash commands: read, call one service, answer ephemerally.

Each command has a pure `read_*` function that runs before the ack
(`app.slack.runtime.listener_wrapper`): an answer that needs no I/O (help, a typo, a malformed
command) rides on the ack and ends there. Anything else is acked empty and handed to the
listener, which touches the database and answers on the command's response_url:
Slack's 3 s never depends on the database.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.delivery import profile_reads
from app.deps import Deps
from app.services import (
    crm_health,
    delivery_health,
    drill_reports,
    exports,
    pauses,
    people,
    person_data,
    recorder_health,
    team_schedules,
    work_calendars,
)
from app.slack import forms, payloads
from app.slack.answers import tell
from app.slack.dm_files import file_to_dm
from app.slack.files import UploadFailed
from app.slack.listeners.context import acting, working
from app.slack.listeners.drill_cards import refresh_drill_card
from app.slack.profiles import Profile, Unreadable
from app.slack.render import delivery
from app.slack.render import exports as exported
from app.slack.render import help as render
from app.slack.render.blocks import Outgoing
from app.slack.runtime.home_publisher import HomeRefresher

log = logging.getLogger(__name__)


async def _answer_later(respond: AsyncRespond, reply: Outgoing) -> None:
    """The answer to an acked command, under it, seen only by who typed it."""
    await tell(respond, reply.text, reply.blocks)


def read_drill(body: dict[str, Any]) -> Outgoing | forms.DrillCommand:
    """`/drill …` before the ack: help for help and for what it does not know."""
    parsed = forms.parse_drill(body.get("text"))
    if parsed.verb not in ("done", "status", "pause", "export"):
        return render.drill_help(unknown=None if parsed.verb == "help" else parsed.verb)
    return parsed


async def on_drill(
    parsed: forms.DrillCommand,
    respond: AsyncRespond,
    command: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    if parsed.verb == "export":
        answer = await export_to_dm(command, None, client, deps, own=True)
        await _answer_later(respond, answer.reply)
        return
    if parsed.verb == "status":
        async with acting(command, deps, reads_only=True) as seen:
            assignment = await drill_reports.drill_status(
                seen.store, seen.actor, seen.now, seen.zone
            )
        await _answer_later(respond, render.drill_status(assignment))
        return
    recorded = None
    async with acting(command, deps) as ctx:
        if not await _first_time(ctx.store, command, ctx.now):
            await _answer_later(respond, render.already_done())
            return
        if parsed.verb == "done":
            recorded = await drill_reports.record_drill(
                ctx.store, ctx.actor, parsed.link, parsed.note, ctx.now, ctx.zone
            )
            reply = render.drill_recorded(recorded)
        else:
            assert parsed.until is not None
            person = await pauses.pause(ctx.store, ctx.actor, None, parsed.until, ctx.now, ctx.zone)
            reply = render.paused(person.slack_user_id, parsed.until, yourself=True)
    await _answer_later(respond, reply)
    homes.refresh(client, command["team_id"], command["user_id"])
    if recorded is not None:
        await refresh_drill_card(client, deps, recorded)


async def _first_time(store: Store, command: dict[str, Any], now: datetime) -> bool:
    """False for a command Slack (or anyone) sends again: each typed command has its own
    trigger_id, so a replay of the same request changes nothing twice."""
    trigger = command.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return True
    key = "command:" + hashlib.sha256(trigger.encode()).hexdigest()[:40]
    return await store.claim_event(key, now)


@dataclass(frozen=True)
class ExportAnswer:
    reply: Outgoing  # under the command: where the file went, or why it didn't
    delivered: bool


async def export_to_dm(
    command: dict[str, Any], person: str | None, client: AsyncWebClient, deps: Deps, *, own: bool
) -> ExportAnswer:
    """An export (`/coach export [@person]`, `/drill export`, the admin's Home button), as a
    file in the asker's DM; the answer says where it went (or why not)."""
    async with acting(command, deps) as ctx:
        if not await _first_time(ctx.store, command, ctx.now):
            return ExportAnswer(render.already_done(), delivered=True)  # the first time
        if own:
            found = await person_data.own_data(ctx.store, ctx.actor, ctx.now)
            name, content, comment = (
                found.filename,
                found.json,
                exported.person_comment(found, True),
            )
        elif person is not None:
            found = await person_data.data_of(ctx.store, ctx.actor, person, ctx.now)
            name, content, comment = (
                found.filename,
                found.json,
                exported.person_comment(found, False),
            )
        else:
            history = await exports.history_for(ctx.store, ctx.actor, ctx.now, ctx.zone)
            name, content, comment = (
                history.filename,
                history.csv,
                exported.history_comment(history),
            )
    try:
        await file_to_dm(
            client,
            payloads.user_id(command),
            filename=name,
            content=content.encode("utf-8"),
            title=name,
            comment=comment,
        )
    except UploadFailed as failed:
        log.warning("export not delivered", extra={"reason": failed.reason})
        return ExportAnswer(exported.not_sent(failed.reason), delivered=False)
    return ExportAnswer(exported.sent(comment), delivered=True)


async def _status(command: dict[str, Any], deps: Deps) -> Outgoing:
    async with acting(command, deps, reads_only=True) as seen:
        health = await delivery_health.delivery_health(seen.store, seen.actor, seen.now, seen.zone)
        recorder = await recorder_health.recorder_health(seen.store, seen.actor.workspace.id)
        crm = await crm_health.crm_health(seen.store, seen.actor.workspace.id, seen.now)
    return delivery.status_reply(health, recorder, crm)


def read_coach(body: dict[str, Any]) -> Outgoing | forms.CoachCommand:
    """`/coach …` before the ack: help for help and for what it does not know."""
    parsed = forms.parse_coach(body.get("text"))
    if parsed.verb == "help":
        return render.coach_help()
    known = ("pause", "schedule", "holidays", "hours", "status", "add", "move", "remove", "export")
    if parsed.verb not in known:
        return render.coach_help(unknown=parsed.verb)
    return parsed


async def on_coach(
    parsed: forms.CoachCommand,
    respond: AsyncRespond,
    command: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    if parsed.verb == "status":
        reply = await _status(command, deps)
    elif parsed.verb == "export":
        reply = (await export_to_dm(command, parsed.person, client, deps, own=False)).reply
    elif parsed.verb == "schedule":
        reply = await _schedule(command, parsed, deps)
    elif parsed.verb in ("holidays", "hours"):
        reply = await _holidays(command, parsed, deps)
    else:
        reply = await _change(command, parsed, client, deps)
    await _answer_later(respond, reply)


async def zone_of_added(
    deps: Deps, client: AsyncWebClient, team_id: str, slack_user_id: str
) -> render.ZoneRead:
    """Someone was just added or changed: read their Slack profile now, and say what it
    said of their time zone."""
    reads = await profile_reads.read_now(deps, client, team_id, [slack_user_id])
    read = reads.found.get(slack_user_id)
    if isinstance(read, Profile) and read.tz:
        return render.ZoneRead(tz=read.tz)
    async with working(deps, reads_only=True) as ctx:
        found = await people.known_actor(ctx.store, team_id, slack_user_id)
    known = found.person.tz if found is not None and found.person is not None else None
    fallback = known or ctx.zone
    if read is None:
        return render.ZoneRead(fallback=fallback)  # Slack asked to wait: a tick reads it
    reason = read.reason if isinstance(read, Unreadable) else people.NO_TIME_ZONE
    return render.ZoneRead(unreadable=reason, fallback=fallback)


async def _schedule(command: dict[str, Any], parsed: forms.CoachCommand, deps: Deps) -> Outgoing:
    async with acting(command, deps) as ctx:
        if parsed.step is None or parsed.when is None:
            return render.schedule_reply(await team_schedules.schedule_of(ctx.store, ctx.actor))
        if not await _first_time(ctx.store, command, ctx.now):
            return render.already_done()
        team = await team_schedules.change_step(
            ctx.store, ctx.actor, parsed.step, parsed.when, parsed.manager
        )
        return render.schedule_reply(team, parsed.step)


async def _holidays(command: dict[str, Any], parsed: forms.CoachCommand, deps: Deps) -> Outgoing:
    """`/coach holidays …` and `/coach hours …`: show, or change (once per request)."""
    async with acting(command, deps) as ctx:
        store, actor, now = ctx.store, ctx.actor, ctx.now
        if parsed.change is None:
            return render.holidays_reply(await work_calendars.holidays_of(store, actor))
        if not await _first_time(store, command, now):
            return render.already_done()
        if parsed.verb == "hours":
            hours = await work_calendars.set_hours(store, actor, parsed.hours, now)
            return render.hours_reply(hours)
        if parsed.change in ("add", "remove"):
            assert parsed.day is not None
            keep = parsed.change == "add"
            seen = await work_calendars.change_day_off(
                store, actor, parsed.day, keep, parsed.manager, now
            )
        else:
            seen = await work_calendars.choose_region(
                store, actor, parsed.country, parsed.region, parsed.manager, now
            )
        return render.holidays_reply(seen)


async def _change(
    command: dict[str, Any], parsed: forms.CoachCommand, client: AsyncWebClient, deps: Deps
) -> Outgoing:
    """Someone paused, added, moved or removed."""
    assert parsed.person is not None
    async with acting(command, deps) as ctx:
        store, actor, now = ctx.store, ctx.actor, ctx.now
        if not await _first_time(store, command, now):
            return render.already_done()
        if parsed.verb == "pause":
            assert parsed.until is not None
            person = await pauses.pause(store, actor, parsed.person, parsed.until, now, ctx.zone)
            return render.paused(person.slack_user_id, parsed.until, yourself=False)
        if parsed.verb == "add":
            assert parsed.role is not None
            change = await people.set_person(
                store,
                actor,
                slack_user_id=parsed.person,
                role=parsed.role,
                manager_slack_user_id=parsed.manager,
                now=now,
            )
        elif parsed.verb == "move":
            assert parsed.manager is not None
            change = await people.move_person(
                store,
                actor,
                slack_user_id=parsed.person,
                manager_slack_user_id=parsed.manager,
                now=now,
            )
        else:
            change = await people.remove_person(store, actor, slack_user_id=parsed.person, now=now)
    zone = None
    if parsed.verb == "add":
        zone = await zone_of_added(deps, client, command["team_id"], change.slack_user_id)
    return render.roster_changed(change, parsed.verb, zone)
