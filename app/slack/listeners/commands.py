"""Slash commands: parse, call one service, answer ephemerally in the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.deps import Deps
from app.domain import delivery_health, loop, people, scheduling
from app.slack import forms
from app.slack.listeners.homes import refresh_homes
from app.slack.render import delivery
from app.slack.render import help as render
from app.slack.render.blocks import Outgoing


async def _answer(ack: AsyncAck, reply: Outgoing) -> None:
    await ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


async def on_drill(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    parsed = forms.parse_drill(command.get("text"))
    if parsed.verb not in ("done", "status", "pause"):
        await _answer(
            ack, render.drill_help(unknown=None if parsed.verb == "help" else parsed.verb)
        )
        return
    now, tz = deps.clock(), deps.settings.coach_default_tz
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], now)
        if parsed.verb == "done":
            assignment = await loop.record_drill(store, actor, parsed.link, parsed.note, now, tz)
            reply = render.drill_recorded(assignment)
        elif parsed.verb == "status":
            reply = render.drill_status(await loop.drill_status(store, actor, now, tz))
        else:
            assert parsed.until is not None
            person = await loop.pause(store, actor, None, parsed.until, now, tz)
            reply = render.paused(person.slack_user_id, parsed.until, yourself=True)
    await _answer(ack, reply)
    if parsed.verb != "status":
        await refresh_homes(client, deps, command["team_id"], command["user_id"])


async def _status(command: dict[str, Any], deps: Deps) -> Outgoing:
    now, tz = deps.clock(), deps.settings.coach_default_tz
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], now)
        health = await delivery_health.delivery_health(store, actor, now, tz)
    return delivery.status_reply(health)


async def on_coach(ack: AsyncAck, command: dict[str, Any], deps: Deps) -> None:
    parsed = forms.parse_coach(command.get("text"))
    if parsed.verb == "help":
        await _answer(ack, render.coach_help())
        return
    if parsed.verb == "pause":
        assert parsed.person is not None and parsed.until is not None
        now = deps.clock()
        async with deps.db.begin() as session:
            store = Store(session)
            actor = await people.actor(store, command["team_id"], command["user_id"], now)
            person = await loop.pause(
                store, actor, parsed.person, parsed.until, now, deps.settings.coach_default_tz
            )
        await _answer(ack, render.paused(person.slack_user_id, parsed.until, yourself=False))
        return
    if parsed.verb == "schedule":
        async with deps.db.begin() as session:
            store = Store(session)
            actor = await people.actor(store, command["team_id"], command["user_id"], deps.clock())
            if parsed.step is None or parsed.when is None:
                reply = render.schedule_reply(await scheduling.schedule_of(store, actor))
            else:
                team = await scheduling.change_step(
                    store, actor, parsed.step, parsed.when, parsed.manager
                )
                reply = render.schedule_reply(team, parsed.step)
        await _answer(ack, reply)
        return
    if parsed.verb == "status":
        await _answer(ack, await _status(command, deps))
        return
    if parsed.verb not in ("add", "move", "remove"):
        await _answer(ack, render.coach_help(unknown=parsed.verb))
        return
    assert parsed.person is not None
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], now)
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
    await _answer(ack, render.roster_changed(change, parsed.verb))
