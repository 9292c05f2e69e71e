"""Builds the bolt AsyncApp: credentials, listeners (acking first, routed in one look-up) and
the error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp

from app import logs
from app.config import SlackCredentials, SlackMode
from app.delivery.tick import Outbox
from app.deps import Deps
from app.slack.client import make_web_client
from app.slack.ids import Action, Command, Event, View
from app.slack.listeners import actions, commands, crm_admin, events, rubric_admin, views
from app.slack.routes import Kind, Routes, Variants
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.error_handler import handle_error
from app.slack.runtime.gate_answers import GateAnswers
from app.slack.runtime.home_publisher import HomeRefresher
from app.slack.runtime.listener_wrapper import Listener, Wrap
from app.slack.runtime.routing import Route, mount

log = logging.getLogger(__name__)


def listener_routes(after: AfterAck, injected: Mapping[str, object]) -> Routes[Route]:
    """Every listener, in one place (the manifest test reads this table), by the kind and id
    of the request it answers, with how it is acked (`app.slack.runtime.listener_wrapper`):
    clicks and events are acked first (empty), commands are read first (both answered at the
    gate), submissions ack themselves. `injected` fills in their `deps`/`homes`/`outbox`."""
    runs = Wrap(after, injected)
    routes = Routes[Route]()
    on = routes.add

    def first(listener: Listener) -> Route:
        return Route(runs.acked_first(listener), at_gate=True)

    def command(listener: Listener, read: Callable[[dict[str, Any]], object]) -> Route:
        return Route(runs.command(listener, read), at_gate=True, read=read)

    def submission(listener: Listener) -> Route:
        return Route(runs.submission(listener))

    on(Kind.COMMAND, Command.DRILL, command(commands.on_drill, commands.read_drill))
    on(Kind.COMMAND, Command.COACH, command(commands.on_coach, commands.read_coach))
    on(Kind.EVENT, Event.APP_HOME_OPENED, first(events.on_app_home_opened))
    on(Kind.EVENT, Event.USER_CHANGE, first(events.on_user_change))
    on(Kind.EVENT, Event.MESSAGE, first(events.on_message))
    on(Kind.EVENT, Event.TOKENS_REVOKED, first(events.on_tokens_revoked))
    on(Kind.EVENT, Event.APP_UNINSTALLED, first(events.on_app_uninstalled))
    on(Kind.ACTION, Action.OPEN_DEALS, first(actions.on_open_deals))
    on(Kind.ACTION, Action.EDIT_DEALS, first(actions.on_open_deals))
    on(Kind.ACTION, Action.SNOOZE, first(actions.on_snooze))
    on(Kind.ACTION, Variants.of(Action.SCORE, range(1, 6)), first(actions.on_score))
    on(Kind.ACTION, Action.DIAGNOSE, first(actions.on_diagnose))
    on(Kind.ACTION, Action.LOG_NOTES, first(actions.on_log_notes))
    on(Kind.ACTION, Action.DRILL_DONE, first(actions.on_drill_done_open))
    on(Kind.ACTION, Action.VIEW_NOTES, first(actions.on_view_notes))
    on(Kind.ACTION, Action.OPEN_SCORECARD, first(actions.on_open_scorecard))
    on(Kind.ACTION, Action.WRITE_NOTE, first(actions.on_write_note))
    on(Kind.ACTION, Action.NOTE_FRAMEWORK_PICKED, first(actions.on_note_framework_picked))
    on(Kind.ACTION, Action.NEXT_FOCUS, first(actions.on_next_focus))
    on(
        Kind.ACTION,
        Variants.of(Action.DEAL_PROGRESS, ("yes", "no")),
        first(actions.on_deal_progress),
    )
    on(Kind.ACTION, Action.RATE_ONE_ON_ONE, first(actions.on_rate_one_on_one))
    on(Kind.ACTION, Action.REP_MENU, first(actions.on_rep_menu))
    on(Kind.ACTION, Action.EDIT_SCHEDULE, first(actions.on_edit_schedule))
    on(Kind.ACTION, Action.EDIT_ROSTER, first(actions.on_edit_roster))
    on(Kind.ACTION, Action.CONNECT_RECORDER, first(actions.on_connect_recorder))
    on(Kind.ACTION, Action.DISCONNECT_RECORDER, first(actions.on_disconnect_recorder))
    on(Kind.ACTION, Action.CONNECT_HUBSPOT, first(crm_admin.on_connect_hubspot))
    on(Kind.ACTION, Action.CONNECT_SALESFORCE, first(crm_admin.on_connect_salesforce))
    on(Kind.ACTION, Action.DISCONNECT_CRM, first(crm_admin.on_disconnect_crm))
    on(Kind.ACTION, Action.EDIT_COMPETENCY, first(rubric_admin.on_edit_competency))
    on(Kind.ACTION, Action.ADD_COMPETENCY, first(rubric_admin.on_edit_competency))
    on(Kind.ACTION, Action.EXPORT_HISTORY, first(actions.on_export_history))
    on(Kind.ACTION, Action.PAUSE, first(actions.on_pause_open))
    on(Kind.ACTION, Action.REPLACE_DEALS, first(actions.on_replace_deals))
    on(Kind.ACTION, Action.REPLY_AS_DEAL, first(actions.on_reply_as_deal))
    on(Kind.ACTION, Action.REPLY_AS_DRILL, first(actions.on_reply_as_drill))
    on(Kind.ACTION, Action.RESOLVE_ACTION, first(actions.on_resolve_action))
    on(Kind.ACTION, Action.NOT_HELD, first(actions.on_not_held_open))
    on(Kind.ACTION, Action.DIAGNOSIS_CHANGED, first(actions.on_diagnosis_changed))
    on(Kind.ACTION, Action.GROW_DRILL_PICKED, first(actions.on_grow_drill_picked))
    # The framework picked re-renders the same form the same way.
    on(Kind.ACTION, Action.GROW_FRAMEWORK_PICKED, first(actions.on_grow_drill_picked))
    on(Kind.ACTION, Action.REVIEW_ONE_ON_ONE, first(actions.on_review_open))
    on(Kind.VIEW, View.DEALS, submission(views.on_deals_submit))
    on(Kind.VIEW, View.DIAGNOSIS, submission(views.on_diagnosis_submit))
    on(Kind.VIEW, View.GROW, submission(views.on_grow_submit))
    on(Kind.VIEW, View.DRILL_DONE, submission(views.on_drill_done_submit))
    on(Kind.VIEW, View.SCHEDULE, submission(views.on_schedule_submit))
    on(Kind.VIEW, View.PAUSE, submission(views.on_pause_submit))
    on(Kind.VIEW, View.ROSTER, submission(views.on_roster_submit))
    on(Kind.VIEW, View.RECORDER, submission(views.on_recorder_submit))
    on(Kind.VIEW, View.HUBSPOT, submission(crm_admin.on_hubspot_submit))
    on(Kind.VIEW, View.SALESFORCE, submission(crm_admin.on_salesforce_submit))
    on(Kind.VIEW, View.NOT_HELD, submission(views.on_not_held_submit))
    on(Kind.VIEW, View.COMPETENCY, submission(rubric_admin.on_competency_submit))
    on(Kind.VIEW, View.REVIEW, submission(views.on_review_submit))
    on(Kind.VIEW, View.NOTE, submission(views.on_note_submit))
    return routes


@dataclass(frozen=True)
class Bot:
    """The bolt app, and which requests the web layer answers before it (clicks, events)."""

    app: AsyncApp
    gate_answers: GateAnswers


def register(app: AsyncApp, after: AfterAck, injected: Mapping[str, object]) -> Routes[Route]:
    """The listeners as bolt's one listener (a request's route found in one look-up,
    `app.slack.runtime.routing`), and the one error handler; the routing table."""
    routes = listener_routes(after, injected)
    mount(app, routes)
    app.error(handle_error)
    return routes


def build_bolt_app(
    deps: Deps,
    credentials: SlackCredentials,
    homes: HomeRefresher,
    after: AfterAck,
    outbox: Outbox,
) -> Bot:
    """The bot's bolt app, and the requests the web layer answers before it; `homes`
    re-publishes App Homes after changes (close it at exit); what listeners do after their
    acks runs in `after` (the web layer counts requests for it); a listener that sends a
    scheduled message at once (the drill card after the 1:1 notes) sends it through `outbox`,
    the process's one (the tick's too, where it ticks)."""
    options: dict[str, Any] = {
        # Bolt copies this logger's level into every logger it makes (else the root's, DEBUG
        # too, which logs request bodies).
        "logger": logs.quiet_logger("slack_bolt"),
        # The answer goes as soon as the listener function returns: ours return at the ack.
        "process_before_response": True,
        # The gate in front of bolt (`app.slack.runtime.request_gate`) checked the signature
        # before the body was parsed; bolt's own check would log the whole body of a request
        # it refuses.
        "request_verification_enabled": False,
    }
    if credentials.mode is SlackMode.OAUTH:
        from app.slack.runtime.oauth_flow import oauth_settings  # only OAuth mode needs the stores

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
            **options,
        )

    routes = register(app, after, {"deps": deps, "homes": homes, "outbox": outbox})
    return Bot(app, GateAnswers(app, routes, after))
