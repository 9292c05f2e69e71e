"""Builds the bolt AsyncApp: credentials, the deps injector, listeners and the error handler."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from app import logs
from app.config import SlackCredentials, SlackMode
from app.deps import Deps
from app.slack import errors
from app.slack.client import make_web_client
from app.slack.errors import handle_error
from app.slack.home_refresh import HomeRefresher
from app.slack.ids import Action, Command, Event, View
from app.slack.listeners import actions, commands, events, views

log = logging.getLogger(__name__)


# Listeners working past their ack at once (the rest wait their turn; see errors.py).
AFTER_ACK_TURNS = 2


def register(app: AsyncApp) -> None:
    """Every listener, in one place (the manifest test reads this list)."""
    answering_after_ack = functools.partial(
        errors.answering_after_ack, turns=asyncio.Semaphore(AFTER_ACK_TURNS)
    )
    app.command(Command.DRILL.value)(answering_after_ack(commands.on_drill))
    app.command(Command.COACH.value)(answering_after_ack(commands.on_coach))
    app.event(Event.APP_HOME_OPENED.value)(events.on_app_home_opened)
    app.event(Event.USER_CHANGE.value)(events.on_user_change)
    app.event(Event.MESSAGE.value)(events.on_message)
    app.event(Event.TOKENS_REVOKED.value)(events.on_tokens_revoked)
    app.event(Event.APP_UNINSTALLED.value)(events.on_app_uninstalled)
    app.action(Action.OPEN_DEALS.value)(answering_after_ack(actions.on_open_deals))
    app.action(Action.EDIT_DEALS.value)(answering_after_ack(actions.on_open_deals))
    app.action(Action.SNOOZE.value)(answering_after_ack(actions.on_snooze))
    app.action(re.compile(rf"^{Action.SCORE.value}_[1-5]$"))(answering_after_ack(actions.on_score))
    app.action(Action.DIAGNOSE.value)(answering_after_ack(actions.on_diagnose))
    app.action(Action.LOG_NOTES.value)(answering_after_ack(actions.on_log_notes))
    app.action(Action.DRILL_DONE.value)(answering_after_ack(actions.on_drill_done_open))
    app.action(Action.VIEW_NOTES.value)(answering_after_ack(actions.on_view_notes))
    app.action(Action.NEXT_FOCUS.value)(answering_after_ack(actions.on_next_focus))
    app.action(re.compile(rf"^{Action.DEAL_PROGRESS.value}_(yes|no)$"))(
        answering_after_ack(actions.on_deal_progress)
    )
    app.action(Action.RATE_ONE_ON_ONE.value)(answering_after_ack(actions.on_rate_one_on_one))
    app.action(Action.REP_MENU.value)(answering_after_ack(actions.on_rep_menu))
    app.action(Action.EDIT_SCHEDULE.value)(answering_after_ack(actions.on_edit_schedule))
    app.action(Action.EDIT_ROSTER.value)(answering_after_ack(actions.on_edit_roster))
    app.action(Action.PAUSE.value)(answering_after_ack(actions.on_pause_open))
    app.view(View.DEALS.value)(answering_after_ack(views.on_deals_submit))
    app.view(View.DIAGNOSIS.value)(answering_after_ack(views.on_diagnosis_submit))
    app.view(View.GROW.value)(answering_after_ack(views.on_grow_submit))
    app.view(View.DRILL_DONE.value)(answering_after_ack(views.on_drill_done_submit))
    app.view(View.SCHEDULE.value)(answering_after_ack(views.on_schedule_submit))
    app.view(View.PAUSE.value)(answering_after_ack(views.on_pause_submit))
    app.view(View.ROSTER.value)(answering_after_ack(views.on_roster_submit))
    app.error(handle_error)


def build_bolt_app(
    deps: Deps, credentials: SlackCredentials, homes: HomeRefresher, **options: Any
) -> AsyncApp:
    """The bot's bolt app; `homes` re-publishes App Homes after changes (close it at exit)."""
    # Bolt copies this logger's level into every logger it makes (else the root's, DEBUG too).
    options.setdefault("logger", logs.quiet_logger("slack_bolt"))
    if credentials.mode is SlackMode.OAUTH:
        from app.slack.oauth import oauth_settings  # only OAuth mode needs the stores

        app = AsyncApp(
            client=make_web_client(deps.settings, None),
            signing_secret=credentials.signing_secret,
            oauth_settings=oauth_settings(deps),
            **options,
        )
    else:
        app = AsyncApp(
            client=make_web_client(deps.settings, credentials.bot_token),
            signing_secret=credentials.signing_secret or "",
            # Socket Mode requests arrive over the websocket and carry no signature.
            request_verification_enabled=credentials.mode is SlackMode.HTTP,
            **options,
        )

    async def inject_deps(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        # Middleware only injects: the listener runs after it returns (see STYLE.md).
        context["deps"] = deps
        context["homes"] = homes
        await next()

    app.use(inject_deps)
    register(app)
    return app
