"""Builds the bolt AsyncApp: credentials, listeners (acking first) and the error handler."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp

from app import logs
from app.config import SlackCredentials, SlackMode
from app.delivery.tick import Outbox
from app.deps import Deps
from app.slack.client import make_web_client
from app.slack.ids import Action, Command, Event, View
from app.slack.listeners import actions, commands, crm_admin, events, rubric_admin, views
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.error_handler import handle_error
from app.slack.runtime.home_publisher import HomeRefresher
from app.slack.runtime.listener_wrapper import Wrap

log = logging.getLogger(__name__)


def register(app: AsyncApp, after: AfterAck, injected: Mapping[str, object]) -> None:
    """Every listener, in one place (the manifest test reads this list), with how it is acked
    (`app.slack.runtime.listener_wrapper`): clicks and events are acked first, commands are
    read first, submissions ack themselves. `injected` fills in their `deps`/`homes`/`outbox`."""
    runs = Wrap(after, injected)
    app.command(Command.DRILL.value)(runs.command(commands.on_drill, read=commands.read_drill))
    app.command(Command.COACH.value)(runs.command(commands.on_coach, read=commands.read_coach))
    app.event(Event.APP_HOME_OPENED.value)(runs.acked_first(events.on_app_home_opened))
    app.event(Event.USER_CHANGE.value)(runs.acked_first(events.on_user_change))
    app.event(Event.MESSAGE.value)(runs.acked_first(events.on_message))
    app.event(Event.TOKENS_REVOKED.value)(runs.acked_first(events.on_tokens_revoked))
    app.event(Event.APP_UNINSTALLED.value)(runs.acked_first(events.on_app_uninstalled))
    app.action(Action.OPEN_DEALS.value)(runs.acked_first(actions.on_open_deals))
    app.action(Action.EDIT_DEALS.value)(runs.acked_first(actions.on_open_deals))
    app.action(Action.SNOOZE.value)(runs.acked_first(actions.on_snooze))
    app.action(re.compile(rf"^{Action.SCORE.value}_[1-5]$"))(runs.acked_first(actions.on_score))
    app.action(Action.DIAGNOSE.value)(runs.acked_first(actions.on_diagnose))
    app.action(Action.LOG_NOTES.value)(runs.acked_first(actions.on_log_notes))
    app.action(Action.DRILL_DONE.value)(runs.acked_first(actions.on_drill_done_open))
    app.action(Action.VIEW_NOTES.value)(runs.acked_first(actions.on_view_notes))
    app.action(Action.OPEN_SCORECARD.value)(runs.acked_first(actions.on_open_scorecard))
    app.action(Action.WRITE_NOTE.value)(runs.acked_first(actions.on_write_note))
    app.action(Action.NOTE_FRAMEWORK_PICKED.value)(
        runs.acked_first(actions.on_note_framework_picked)
    )
    app.action(Action.NEXT_FOCUS.value)(runs.acked_first(actions.on_next_focus))
    app.action(re.compile(rf"^{Action.DEAL_PROGRESS.value}_(yes|no)$"))(
        runs.acked_first(actions.on_deal_progress)
    )
    app.action(Action.RATE_ONE_ON_ONE.value)(runs.acked_first(actions.on_rate_one_on_one))
    app.action(Action.REP_MENU.value)(runs.acked_first(actions.on_rep_menu))
    app.action(Action.EDIT_SCHEDULE.value)(runs.acked_first(actions.on_edit_schedule))
    app.action(Action.EDIT_ROSTER.value)(runs.acked_first(actions.on_edit_roster))
    app.action(Action.CONNECT_RECORDER.value)(runs.acked_first(actions.on_connect_recorder))
    app.action(Action.DISCONNECT_RECORDER.value)(runs.acked_first(actions.on_disconnect_recorder))
    app.action(Action.CONNECT_HUBSPOT.value)(runs.acked_first(crm_admin.on_connect_hubspot))
    app.action(Action.CONNECT_SALESFORCE.value)(runs.acked_first(crm_admin.on_connect_salesforce))
    app.action(Action.DISCONNECT_CRM.value)(runs.acked_first(crm_admin.on_disconnect_crm))
    app.action(Action.EDIT_COMPETENCY.value)(runs.acked_first(rubric_admin.on_edit_competency))
    app.action(Action.ADD_COMPETENCY.value)(runs.acked_first(rubric_admin.on_edit_competency))
    app.action(Action.EXPORT_HISTORY.value)(runs.acked_first(actions.on_export_history))
    app.action(Action.PAUSE.value)(runs.acked_first(actions.on_pause_open))
    app.action(Action.REPLACE_DEALS.value)(runs.acked_first(actions.on_replace_deals))
    app.action(Action.REPLY_AS_DEAL.value)(runs.acked_first(actions.on_reply_as_deal))
    app.action(Action.REPLY_AS_DRILL.value)(runs.acked_first(actions.on_reply_as_drill))
    app.action(Action.RESOLVE_ACTION.value)(runs.acked_first(actions.on_resolve_action))
    app.action(Action.NOT_HELD.value)(runs.acked_first(actions.on_not_held_open))
    app.action(Action.DIAGNOSIS_CHANGED.value)(runs.acked_first(actions.on_diagnosis_changed))
    app.action(Action.GROW_DRILL_PICKED.value)(runs.acked_first(actions.on_grow_drill_picked))
    # The framework picked re-renders the same form the same way.
    app.action(Action.GROW_FRAMEWORK_PICKED.value)(runs.acked_first(actions.on_grow_drill_picked))
    app.action(Action.REVIEW_ONE_ON_ONE.value)(runs.acked_first(actions.on_review_open))
    app.view(View.DEALS.value)(runs.submission(views.on_deals_submit))
    app.view(View.DIAGNOSIS.value)(runs.submission(views.on_diagnosis_submit))
    app.view(View.GROW.value)(runs.submission(views.on_grow_submit))
    app.view(View.DRILL_DONE.value)(runs.submission(views.on_drill_done_submit))
    app.view(View.SCHEDULE.value)(runs.submission(views.on_schedule_submit))
    app.view(View.PAUSE.value)(runs.submission(views.on_pause_submit))
    app.view(View.ROSTER.value)(runs.submission(views.on_roster_submit))
    app.view(View.RECORDER.value)(runs.submission(views.on_recorder_submit))
    app.view(View.HUBSPOT.value)(runs.submission(crm_admin.on_hubspot_submit))
    app.view(View.SALESFORCE.value)(runs.submission(crm_admin.on_salesforce_submit))
    app.view(View.NOT_HELD.value)(runs.submission(views.on_not_held_submit))
    app.view(View.COMPETENCY.value)(runs.submission(rubric_admin.on_competency_submit))
    app.view(View.REVIEW.value)(runs.submission(views.on_review_submit))
    app.view(View.NOTE.value)(runs.submission(views.on_note_submit))
    app.error(handle_error)


def build_bolt_app(
    deps: Deps,
    credentials: SlackCredentials,
    homes: HomeRefresher,
    after: AfterAck,
    outbox: Outbox,
) -> AsyncApp:
    """The bot's bolt app; `homes` re-publishes App Homes after changes (close it at exit);
    what listeners do after their acks runs in `after` (the web layer counts requests for it);
    a listener that sends a scheduled message at once (the drill card after the 1:1 notes)
    sends it through `outbox`, the process's one (the tick's too, where it ticks)."""
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

    register(app, after, {"deps": deps, "homes": homes, "outbox": outbox})
    return app
