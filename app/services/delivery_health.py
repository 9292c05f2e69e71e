"""Scheduled DMs that did not reach people, explained to the admin in plain words.

The outbox records a permanent Slack error code on a failed delivery (and `window_passed` on
one that could not go out in time); this report gathers them with the week's tally, and
`app/slack/render/delivery_words.py` says what each code means and what the admin can do.
`/coach status` and the admin's App Home both show this one report.
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
    error: str | None  # Slack's error code, or "window_passed"


def problem(row: Undelivered, default_tz: str) -> Problem:
    return Problem(
        slack_user_id=row.slack_user_id,
        what=STEP_NAMES.get(row.kind, row.kind.value),
        due_on=calendar.local_today(row.due_at, zone(row.tz, default_tz)),
        error=row.error,
    )


@dataclass(frozen=True)
class ProfileProblem:
    """Someone whose messages go out at a time zone coach had to guess."""

    slack_user_id: str
    tz: str  # what their messages use meanwhile
    tz_from_roster: bool  # the roster's zone, else COACH_DEFAULT_TZ
    reason: str | None  # why the profile could not be read; None: not read yet


def profile_problem(person: Person, default_tz: str) -> ProfileProblem:
    reason = person.profile_error if person.profile_checked_at is not None else None
    return ProfileProblem(
        person.slack_user_id, person.tz or default_tz, person.tz is not None, reason
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
