"""Slash commands: parse, call one service, answer ephemerally.

An answer that needs no I/O (help, a typo) rides on the ack. Anything that touches the database
acks first, with an empty 200, and answers on the command's response_url: Slack's 3 s never
depends on the database, and a burst of commands is acknowledged as fast as bolt can.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.db.store import Store
from app.deps import Deps
from app.domain import delivery_health, loop, people, scheduling
from app.slack import forms
from app.slack.home_refresh import HomeRefresher
from app.slack.render import delivery
from app.slack.render import help as render
from app.slack.render.blocks import Outgoing
from app.slack.replies import tell


async def _answer(ack: AsyncAck, reply: Outgoing) -> None:
    """An answer worked out without I/O, in the ack itself."""
    await ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


async def _answer_later(respond: AsyncRespond, reply: Outgoing) -> None:
    """The answer to an acked command, under it, seen only by who typed it."""
    await tell(respond, reply.text, reply.blocks)


async def on_drill(
    ack: AsyncAck,
    respond: AsyncRespond,
    command: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    homes: HomeRefresher,
) -> None:
    parsed = forms.parse_drill(command.get("text"))
    if parsed.verb not in ("done", "status", "pause"):
        await _answer(
            ack, render.drill_help(unknown=None if parsed.verb == "help" else parsed.verb)
        )
        return
    await ack()
    now, tz = deps.clock(), deps.settings.coach_default_tz
    if parsed.verb == "status":
        async with deps.reads() as session:
            store = Store(session)
            actor = await people.reader(store, command["team_id"], command["user_id"])
            assignment = await loop.drill_status(store, actor, now, tz)
        await _answer_later(respond, render.drill_status(assignment))
        return
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], now)
        if parsed.verb == "done":
            assignment = await loop.record_drill(store, actor, parsed.link, parsed.note, now, tz)
            reply = render.drill_recorded(assignment)
        else:
            assert parsed.until is not None
            person = await loop.pause(store, actor, None, parsed.until, now, tz)
            reply = render.paused(person.slack_user_id, parsed.until, yourself=True)
    await _answer_later(respond, reply)
    homes.refresh(client, command["team_id"], command["user_id"])


async def _status(command: dict[str, Any], deps: Deps) -> Outgoing:
    now, tz = deps.clock(), deps.settings.coach_default_tz
    async with deps.reads() as session:
        store = Store(session)
        actor = await people.reader(store, command["team_id"], command["user_id"])
        health = await delivery_health.delivery_health(store, actor, now, tz)
    return delivery.status_reply(health)


async def on_coach(
    ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], deps: Deps
) -> None:
    parsed = forms.parse_coach(command.get("text"))
    if parsed.verb == "help":
        await _answer(ack, render.coach_help())
        return
    if parsed.verb not in ("pause", "schedule", "status", "add", "move", "remove"):
        await _answer(ack, render.coach_help(unknown=parsed.verb))
        return
    await ack()
    if parsed.verb == "status":
        reply = await _status(command, deps)
    elif parsed.verb == "schedule":
        reply = await _schedule(command, parsed, deps)
    else:
        reply = await _change(command, parsed, deps)
    await _answer_later(respond, reply)


async def _schedule(command: dict[str, Any], parsed: forms.CoachCommand, deps: Deps) -> Outgoing:
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], deps.clock())
        if parsed.step is None or parsed.when is None:
            return render.schedule_reply(await scheduling.schedule_of(store, actor))
        team = await scheduling.change_step(store, actor, parsed.step, parsed.when, parsed.manager)
        return render.schedule_reply(team, parsed.step)


async def _change(command: dict[str, Any], parsed: forms.CoachCommand, deps: Deps) -> Outgoing:
    """Someone paused, added, moved or removed."""
    assert parsed.person is not None
    now = deps.clock()
    async with deps.db.begin() as session:
        store = Store(session)
        actor = await people.actor(store, command["team_id"], command["user_id"], now)
        if parsed.verb == "pause":
            assert parsed.until is not None
            person = await loop.pause(
                store, actor, parsed.person, parsed.until, now, deps.settings.coach_default_tz
            )
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
    return render.roster_changed(change, parsed.verb)
