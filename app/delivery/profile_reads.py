"""Slack profiles kept fresh by the tick, before planning: a person is planned only once their
profile has been asked for, so nobody's Monday prompt goes out at a guessed time zone.

Each tick reads, per workspace, the people never asked about first and then anyone last read a
day ago (or whose read failed for a passing reason a while ago), one users.info each at Slack's
pace for it (at most Tier 4's 100 in any minute, shared by every replica through the pacing
table) and
within a few seconds: a roster of thousands is read over a few ticks, never in one that stalls.
A 429 pauses that workspace's reads for Retry-After; a refused token disables the workspace as
a refused send does. Whatever Slack cannot say, the person is planned anyway, with the roster's
time zone or the workspace default, and the admin sees why (`/coach status`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from app.db.ledger import wall_now
from app.db.models import Person
from app.db.pace import Pacer, Rate
from app.db.store import Store
from app.deps import Deps
from app.services import people
from app.slack.client import Clients
from app.slack.profiles import TRANSIENT, Directory, Profile, Read, Reads, Unreadable, as_kept
from app.slack.workspace_access import WORKSPACE_ERRORS, announce_disabled

log = logging.getLogger(__name__)

READ_METHOD = "users.info"
# users.info is Tier 4 ("100+ a minute"): a burst of 50 and 50 a minute after it never make
# more than 100 calls in any minute, however the ticks fall.
READ_RATE = Rate(50, burst=50)
PER_TICK = 500  # people looked at in one tick, across workspaces
BUDGET_S = 10.0  # a tick spends at most this long reading profiles


@dataclass
class ProfileReport:
    read: int = 0
    unreadable: Counter[str] = field(default_factory=Counter)
    waiting: int = 0  # due for a read, held back by Slack's pace until a later tick

    def describe(self) -> str:
        parts = [f"{self.read} profiles read"] if self.read else []
        parts += [f"{count} unreadable ({why})" for why, count in sorted(self.unreadable.items())]
        if self.waiting:
            parts.append(f"{self.waiting} profiles to read on later ticks")
        return ", ".join(parts)


async def refresh_profiles(
    deps: Deps, clients: Clients, now: datetime, rate: Rate = READ_RATE
) -> ProfileReport:
    """Read the profiles due at `now` that Slack's pace (`rate`, in real seconds) allows.
    `clients(workspace_id)` gives a workspace's bot client (the outbox's: the SDK retries
    nothing, this decides)."""
    report = ProfileReport()
    async with deps.reads() as session:
        due = await Store(session).profiles_to_read(
            now - people.PROFILE_MAX_AGE, now - people.PROFILE_RETRY, TRANSIENT, PER_TICK
        )
    if not due:
        return report
    by_workspace: dict[int, list[Any]] = defaultdict(list)
    for row in due:
        by_workspace[row.workspace_id].append(row)
    try:
        async with asyncio.timeout(BUDGET_S):
            for workspace_id, rows in sorted(by_workspace.items()):
                await _refresh_workspace(deps, clients, workspace_id, rows, now, rate, report)
    except TimeoutError:
        log.info("profile reads: the tick's %.0f s are up; the rest go on next tick", BUDGET_S)
    return report


async def _refresh_workspace(
    deps: Deps,
    clients: Clients,
    workspace_id: int,
    rows: Sequence[Any],
    now: datetime,
    rate: Rate,
    report: ProfileReport,
) -> None:
    async with deps.db.begin() as session:
        pacer = Pacer(session, READ_METHOD, rate)
        granted = await pacer.take_available(workspace_id, len(rows), await wall_now(session))
    allowed = rows[: granted.granted]
    report.waiting += len(rows) - len(allowed)
    if not allowed:
        return
    try:
        client = await clients(workspace_id)
    except LookupError:  # OAuth mode, and the workspace has no installation: nothing to ask
        return
    reads = await Directory(client).read([r.slack_user_id for r in allowed], sweep=False)
    refused = await _keep(deps, workspace_id, allowed, reads, now, report)
    if refused is not None:
        clients.forget(workspace_id)  # a reinstall brings a new token
        return
    if reads.retry_after_s is not None:
        async with deps.db.begin() as session:
            pacer = Pacer(session, READ_METHOD, rate)
            wait = timedelta(seconds=reads.retry_after_s)
            await pacer.pause(workspace_id, wait, await wall_now(session))
        log.warning(
            "slack 429 on users.info workspace=%s: profile reads wait %ss",
            workspace_id,
            reads.retry_after_s,
        )


async def read_now(
    deps: Deps, client: AsyncWebClient, team_id: str, slack_user_ids: Sequence[str]
) -> Reads:
    """Read these people's profiles at once (someone just added, or opening a stale Home):
    a few users.info calls, outside the tick's pace. What Slack said, by user id."""
    async with deps.reads() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(team_id)
        found = [await store.person(workspace.id, u) for u in slack_user_ids] if workspace else []
    rows = [p for p in found if p is not None]
    if workspace is None or not rows:
        return Reads({})
    reads = await Directory(client).read([p.slack_user_id for p in rows], sweep=False)
    await _keep(deps, workspace.id, rows, reads, deps.clock(), ProfileReport())
    return reads


def keep(person: Person, read: Read, now: datetime) -> None:
    """What a read said about one person, kept on their record."""
    if isinstance(read, Profile):
        people.read_profile(person, as_kept(read), now)
    else:
        people.profile_unreadable(person, read.reason, now)


async def _keep(
    deps: Deps,
    workspace_id: int,
    rows: Sequence[Any],
    reads: Reads,
    now: datetime,
    report: ProfileReport,
) -> str | None:
    """Store what was read; the reason, when Slack refused the workspace's token."""
    async with deps.db.begin() as session:
        store = Store(session)
        people_read = [await store.person_by_id(row.id) for row in rows]
        refused = keep_reads([p for p in people_read if p is not None], reads, now, report)
        disabled = refused is not None and await store.disable_workspace(workspace_id, refused, now)
    if disabled and refused is not None:
        announce_disabled(workspace_id, refused)
    return refused


def keep_reads(
    found: Sequence[Person], reads: Reads, now: datetime, report: ProfileReport
) -> str | None:
    """What Slack said of each of these people, kept on their records (people Slack was not
    asked about stay as they are); the reason, when Slack refused the workspace's token."""
    refused = None
    for person in found:
        read = reads.found.get(person.slack_user_id)
        if read is None:
            continue  # not asked: Slack asked us to wait
        if isinstance(read, Unreadable) and read.reason in WORKSPACE_ERRORS:
            refused = read.reason
            continue  # not the person's fault: asked again once the token works
        keep(person, read, now)
        if isinstance(read, Profile):
            report.read += 1
        else:
            report.unreadable[read.reason] += 1
    return refused
