"""Scheduled DMs that did not reach people, explained to the admin in plain words.

The outbox records a permanent Slack error code on a failed delivery (and `window_passed` on
one that could not go out in time); here each code becomes what happened and what the admin
can do about it. `/coach status` and the admin's App Home both show this one report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.db import delivery_report
from app.db.delivery_report import Undelivered
from app.db.models import Person
from app.db.store import Store
from app.rules import calendar
from app.rules.refusals import Refusal
from app.rules.types import DeliveryStatus
from app.rules.weekly_steps import STEP_NAMES
from app.services import local_week, people
from app.services.people import Actor
from app.services.week_plan import zone

PROBLEM_WINDOW = timedelta(days=7)
MAX_SHOWN = 10  # problems listed; the rest are counted


@dataclass(frozen=True)
class Advice:
    why: str  # what happened, as Slack told us
    todo: str  # what the admin can do about it

    @property
    def sentence(self) -> str:
        return f"{self.why}: {self.todo}."


_REMOVE = "remove them with `/coach remove @person`"
_REINSTALL = "reinstall coach to the workspace (Install App in its Slack app settings)"
_BUG = "that's a bug in coach, not something you did: tell whoever runs coach"

ADVICE: Mapping[str, Advice] = {
    "user_not_found": Advice(
        "Slack can't find this person (they may have left the workspace)", _REMOVE
    ),
    "account_inactive": Advice("Slack says the account is deactivated", _REMOVE),
    "user_disabled": Advice("Slack says the account is disabled", _REMOVE),
    "is_archived": Advice(
        "Slack says their conversation with coach is archived (usually a deactivated account)",
        _REMOVE,
    ),
    "channel_not_found": Advice(
        "Slack couldn't open a direct message with this person",
        f"check they are still in the workspace, or {_REMOVE}",
    ),
    "messages_tab_disabled": Advice(
        "The Messages tab of coach is turned off in your app settings",
        "turn it on under App Home → Show Tabs at api.slack.com/apps",
    ),
    "cannot_dm_bot": Advice(
        "This is a bot, and coach can't send direct messages to bots",
        "remove it with `/coach remove @person` and add the real person instead",
    ),
    "invalid_auth": Advice(
        "Slack didn't accept coach's token",
        f"check the bot token coach runs with (SLACK_BOT_TOKEN), or {_REINSTALL}",
    ),
    "not_authed": Advice(
        "coach sent Slack no token", "set SLACK_BOT_TOKEN on the server and restart coach"
    ),
    "token_revoked": Advice(
        "coach's token was revoked (the app was uninstalled or its tokens were reset)",
        _REINSTALL,
    ),
    "token_expired": Advice("coach's token expired", _REINSTALL),
    "missing_scope": Advice(
        "coach's Slack app lacks a permission it needs",
        "update the app from the manifest in `manifests/` and reinstall it",
    ),
    "invalid_blocks": Advice("Slack rejected the message's layout", _BUG),
    "invalid_metadata_format": Advice("Slack rejected the message's metadata", _BUG),
    "msg_too_long": Advice("The message was too long for Slack", _BUG),
    "no_text": Advice("The message had no text", _BUG),
    "window_passed": Advice(
        "It couldn't go out before its time slot closed (coach was down, or Slack was slow)",
        "nothing to do if it's rare; if it keeps happening, check that `coach serve` "
        "(or the `coach tick` cron job) is running",
    ),
}


def advice(code: str | None) -> Advice:
    """What a delivery error code means for the admin; a plain fallback for codes we don't
    know (Slack adds new ones)."""
    known = ADVICE.get(code or "")
    if known is not None:
        return known
    return Advice(f"Slack refused it (`{code or 'no reason given'}`)", "tell whoever runs coach")


@dataclass(frozen=True)
class WeekTally:
    sent: int = 0
    waiting: int = 0  # planned or being sent, or waiting for a retry
    failed: int = 0
    skipped: int = 0  # its time slot closed before it could go out
    paused: int = 0  # not sent because the person is paused
    not_needed: int = 0  # cancelled: e.g. the rep had already answered


_TALLIED_AS = {
    DeliveryStatus.PENDING: "waiting",
    DeliveryStatus.SENDING: "waiting",
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.CANCELLED: "not_needed",
}


def tally(counts: Mapping[tuple[DeliveryStatus, bool], int]) -> WeekTally:
    """Ledger states, as (status, has a reason) → count, in the admin's words."""
    totals: dict[str, int] = {}
    for (status, has_reason), count in counts.items():
        if status is DeliveryStatus.SKIPPED:
            name = "skipped" if has_reason else "paused"  # planned as skipped: paused
        else:
            name = _TALLIED_AS[status]
        totals[name] = totals.get(name, 0) + count
    return WeekTally(**totals)


@dataclass(frozen=True)
class Problem:
    slack_user_id: str
    what: str  # which message, e.g. "deal prompt"
    due_on: date  # the recipient's local day it was due
    advice: Advice


def problem(row: Undelivered, default_tz: str) -> Problem:
    return Problem(
        slack_user_id=row.slack_user_id,
        what=STEP_NAMES.get(row.kind, row.kind.value),
        due_on=calendar.local_today(row.due_at, zone(row.tz, default_tz)),
        advice=advice(row.error),
    )


_SLACK_LATER = "coach asks again every 15 minutes; nothing to do unless this stays"
PROFILE_ADVICE: Mapping[str, Advice] = {
    "never_read": Advice(
        "coach hasn't read their Slack profile yet",
        "it does within minutes, before their first message goes out",
    ),
    "user_not_found": Advice(
        "Slack has no such person in this workspace",
        f"check their id in the roster, or {_REMOVE}",
    ),
    "user_not_visible": Advice(
        "coach can't see this person in Slack (a guest, or someone outside the workspace)",
        f"{_REMOVE} if they shouldn't be coached",
    ),
    "account_inactive": Advice("their Slack account is deactivated", _REMOVE),
    "no_time_zone": Advice(
        "their Slack profile has no time zone",
        "ask them to set one in Slack (Preferences → Language & region)",
    ),
    "unreachable": Advice("coach couldn't reach Slack to read it", _SLACK_LATER),
    "ratelimited": Advice("Slack asked coach to slow down", _SLACK_LATER),
}


def profile_advice(reason: str | None) -> Advice:
    """Why a person's time zone is a guess, and what the admin can do about it."""
    known = PROFILE_ADVICE.get(reason or "never_read") or ADVICE.get(reason or "")
    if known is not None:
        return known
    return Advice(f"Slack refused to show their profile (`{reason}`)", _SLACK_LATER)


@dataclass(frozen=True)
class ProfileProblem:
    """Someone whose messages go out at a time zone coach had to guess."""

    slack_user_id: str
    tz: str  # what their messages use meanwhile
    tz_from: str  # "the roster" or "COACH_DEFAULT_TZ"
    advice: Advice


def profile_problem(person: Person, default_tz: str) -> ProfileProblem:
    reason = person.profile_error if person.profile_checked_at is not None else None
    from_roster = person.tz is not None
    return ProfileProblem(
        person.slack_user_id,
        person.tz or default_tz,
        "the roster" if from_roster else "COACH_DEFAULT_TZ",
        profile_advice(reason),
    )


@dataclass(frozen=True)
class DeliveryHealth:
    cycle: str  # the admin's current week
    week: WeekTally
    problems: list[Problem] = field(default_factory=list)  # newest first, at most MAX_SHOWN
    total_problems: int = 0  # in the last PROBLEM_WINDOW
    time_zones: list[ProfileProblem] = field(default_factory=list)  # at most MAX_SHOWN
    total_time_zones: int = 0

    @property
    def more(self) -> int:
        return self.total_problems - len(self.problems)

    @property
    def more_time_zones(self) -> int:
        return self.total_time_zones - len(self.time_zones)


async def delivery_health(
    store: Store, actor: Actor, now: datetime, default_tz: str
) -> DeliveryHealth:
    """This week's deliveries by state and last week's problems in the actor's workspace
    (admins only: anyone else is refused, learning nothing)."""
    await people.require_admin(store, actor, Refusal.ADMIN_ONLY_STATUS)
    cycle = local_week.rep_cycle(actor.require_person(), now, default_tz)
    workspace_id = actor.workspace.id
    counts = await delivery_report.week_counts(store.session, workspace_id, cycle)
    rows, total = await delivery_report.undelivered(
        store.session, workspace_id, now - PROBLEM_WINDOW, MAX_SHOWN
    )
    guessed, guessed_total = await store.profile_problems(workspace_id, MAX_SHOWN)
    return DeliveryHealth(
        cycle=cycle,
        week=tally(counts),
        problems=[problem(row, default_tz) for row in rows],
        total_problems=total,
        time_zones=[profile_problem(p, default_tz) for p in guessed],
        total_time_zones=guessed_total,
    )
