"""Reads into the database what the week needs from the recorder, a little each tick.

Per workspace with a recorder, one replica at a time (a lease on its connection row):
people are matched to recorder users by email (weekly, or within the hour of someone new),
then each matched rep's calls are read once their local week has ended: the week just
ended, and on first sight the four before it too (the rep's own baseline). Reps whose
weeks end together are asked for together, up to 100 users a request, page by page to the
end, so a week costs at most one request per rep plus paging. Nothing shown to anyone
waits on the recorder: messages read what is stored here.

When the recorder refuses the credentials, the connection is switched off (until they
change) and the admin sees why; when it is down or slow, coach tries again a little later.
Either way the weekly loop goes on exactly as without a recorder.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.db.models import Person
from app.db.recorder_tables import RecorderConnection, RecorderPerson
from app.db.store import Store
from app.deps import Deps
from app.recorder.connection import GONG, Connection, connection_for, environment_credentials
from app.recorder.gong import TIMEOUT_S, GongRecorder
from app.recorder.pace import SharedPace
from app.recorder.provider import (
    CallRecorder,
    FetchedCall,
    RecorderBudgetSpent,
    RecorderError,
    RecorderRefused,
)
from app.rules import calendar
from app.rules.call_stats import AVERAGE_WEEKS, Window, evidence_week
from app.rules.types import Role
from app.services.week_plan import zone

log = logging.getLogger(__name__)

UNCHECKED, OK, REFUSED, FAILING = "unchecked", "ok", "refused", "failing"
USERS_EVERY = timedelta(days=7)
NEWCOMERS_EVERY = timedelta(hours=1)
RETRY_AFTER_FAILURE = timedelta(minutes=10)
RETRY_AFTER_BUDGET = timedelta(hours=1)
LEASE = timedelta(minutes=3)
BUDGET_S = 20.0  # of one tick
REPS_PER_REQUEST = 100
SAVE_BATCH = 200

RecorderFactory = Callable[[Deps, Connection], CallRecorder]


def gong_recorder(
    deps: Deps, connection: Connection, *, timeout_s: float = TIMEOUT_S
) -> CallRecorder:
    pace = SharedPace(deps.db, connection.workspace_id)
    return GongRecorder(connection.credentials, pace, timeout_s=timeout_s)


@dataclass
class SyncReport:
    connections: int = 0  # workspaces with a recorder
    requests: int = 0
    calls: int = 0
    matched: int = 0
    problems: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        if not (self.requests or self.problems):
            return ""
        parts = [f"recorder: {self.requests} requests, {self.calls} calls read"]
        parts += [f"{count} {problem}" for problem, count in sorted(self.problems.items())]
        return ", ".join(parts)


async def sync_recorders(
    deps: Deps,
    now: datetime,
    owner: str,
    *,
    recorder_for: RecorderFactory = gong_recorder,
    budget_s: float = BUDGET_S,
) -> SyncReport:
    """Read what is due from every workspace's recorder, within `budget_s` seconds."""
    report = SyncReport()
    connections = await _connections(deps, now)
    report.connections = len(connections)
    deadline = asyncio.get_running_loop().time() + budget_s
    for row, connection in connections:
        if not _due(row, connection, now) or not await _has_work(deps, row, connection, now):
            continue
        async with deps.db.begin() as session:
            claimed = await Store(session).claim_recorder_sync(
                connection.workspace_id, owner, now + LEASE, now
            )
        if not claimed:
            continue
        recorder = recorder_for(deps, connection)
        try:
            await _sync_workspace(deps, row, connection, recorder, now, deadline, report)
        except RecorderError as exc:
            await _failed(deps, connection, exc, now)
            report.problems[exc.code] += 1
        else:
            await _healthy(deps, connection, now)
        finally:
            report.requests += recorder.requests_made
            close = getattr(recorder, "close", None)
            if close is not None:
                await close()
            async with deps.db.begin() as session:
                await Store(session).release_recorder_sync(connection.workspace_id, owner)
    return report


async def _connections(deps: Deps, now: datetime) -> list[tuple[RecorderConnection, Connection]]:
    """Each active workspace's recorder connection (rows made for the environment's
    credentials on first sight). One statement when no workspace has a recorder."""
    settings = deps.settings
    async with deps.reads() as session:
        rows = {row.workspace_id: row for row in await Store(session).recorder_connections()}
    if environment_credentials(settings) is None and not rows:
        return []
    async with deps.db.begin() as session:
        store = Store(session)
        active = {w.id for w in await store.workspaces() if w.active}
        if environment_credentials(settings) is not None:
            for workspace_id in sorted(active - set(rows)):
                rows[workspace_id] = await store.ensure_recorder_connection(workspace_id, GONG, now)
    found = []
    for workspace_id, row in sorted(rows.items()):
        connection = connection_for(settings, workspace_id, row)
        if connection is not None and workspace_id in active:
            found.append((row, connection))
    return found


async def _has_work(
    deps: Deps, row: RecorderConnection, connection: Connection, now: datetime
) -> bool:
    """Whether anything is due (read without a lease: most ticks have nothing to do)."""
    roster, known = await _roster(deps, connection.workspace_id)
    newcomers = any(p.id not in known for p in roster)
    if _users_due(row, connection, newcomers, now):
        return True
    return bool(_call_windows(roster, known, now, deps.settings.coach_default_tz))


async def _roster(deps: Deps, workspace_id: int) -> tuple[list[Person], dict[int, RecorderPerson]]:
    async with deps.reads() as session:
        store = Store(session)
        roster = [p for p in await store.people(workspace_id) if p.active]
        return roster, await store.recorder_people(workspace_id)


def _due(row: RecorderConnection, connection: Connection, now: datetime) -> bool:
    same_keys = row.key_fingerprint == connection.fingerprint
    if row.status == REFUSED and same_keys:
        return False  # off until the credentials change
    return not (same_keys and row.next_sync_at is not None and now < row.next_sync_at)


async def _sync_workspace(
    deps: Deps,
    row: RecorderConnection,
    connection: Connection,
    recorder: CallRecorder,
    now: datetime,
    deadline: float,
    report: SyncReport,
) -> None:
    workspace_id = connection.workspace_id
    roster, known = await _roster(deps, workspace_id)
    newcomers = any(p.id not in known for p in roster)
    if _users_due(row, connection, newcomers, now):
        known = await _match_people(deps, connection, recorder, roster, now, report)
    loop = asyncio.get_running_loop()
    for window, reps in _call_windows(roster, known, now, deps.settings.coach_default_tz):
        for start in range(0, len(reps), REPS_PER_REQUEST):
            if loop.time() > deadline:
                return  # the rest on the next tick
            chunk = reps[start : start + REPS_PER_REQUEST]
            await _read_calls(deps, workspace_id, recorder, chunk, window, now, report)


def _users_due(
    row: RecorderConnection, connection: Connection, newcomers: bool, now: datetime
) -> bool:
    if row.users_read_at is None or row.key_fingerprint != connection.fingerprint:
        return True
    since = now - row.users_read_at
    return since >= USERS_EVERY or (newcomers and since >= NEWCOMERS_EVERY)


async def _match_people(
    deps: Deps,
    connection: Connection,
    recorder: CallRecorder,
    roster: Sequence[Person],
    now: datetime,
    report: SyncReport,
) -> dict[int, RecorderPerson]:
    """Everyone on the roster with an email, matched to the recorder user who has it (an
    active user before a deactivated one)."""
    by_email: dict[str, str] = {}
    async for user in recorder.users():
        if user.active or user.email not in by_email:
            by_email[user.email] = user.id
    matches = {p.id: by_email.get((p.email or "").strip().lower()) for p in roster}
    async with deps.db.begin() as session:
        store = Store(session)
        await store.save_recorder_matches(connection.workspace_id, matches, now)
        matched = sum(1 for user_id in matches.values() if user_id)
        await store.update_recorder_connection(
            connection.workspace_id,
            now,
            users_read_at=now,
            users_matched=matched,
            key_fingerprint=connection.fingerprint,
        )
        report.matched += matched
        return await store.recorder_people(connection.workspace_id)


def _call_windows(
    roster: Sequence[Person], known: dict[int, RecorderPerson], now: datetime, default_tz: str
) -> list[tuple[Window, list[tuple[Person, str]]]]:
    """Matched reps grouped by the span of calls still to read: from where their last read
    ended (or five weeks back) to the end of their local week just past."""
    groups: dict[tuple[datetime, datetime], list[tuple[Person, str]]] = defaultdict(list)
    for person in roster:
        match = known.get(person.id)
        if person.role is not Role.REP or match is None or not match.recorder_user_id:
            continue
        tz = zone(person.tz, default_tz)
        end = evidence_week(calendar.current_cycle(now, tz), tz).end
        start = match.calls_read_through or end - timedelta(weeks=AVERAGE_WEEKS + 1)
        if start < end:
            groups[(start, end)].append((person, match.recorder_user_id))
    return [(Window(start, end), reps) for (start, end), reps in sorted(groups.items())]


async def _read_calls(
    deps: Deps,
    workspace_id: int,
    recorder: CallRecorder,
    reps: Sequence[tuple[Person, str]],
    window: Window,
    now: datetime,
    report: SyncReport,
) -> None:
    person_of = {user_id: person.id for person, user_id in reps}
    rows: list[dict[str, object]] = []
    async for call in recorder.calls(list(person_of), window):
        person_id = person_of.get(call.host_user_id)
        if person_id is not None:
            rows.append(_row(workspace_id, person_id, call, now))
        if len(rows) >= SAVE_BATCH:  # kept as they come: a sync cut short loses no page
            await _save(deps, rows, report)
            rows = []
    await _save(deps, rows, report)
    async with deps.db.begin() as session:
        await Store(session).mark_calls_read(person_of.values(), window.end)


async def _save(deps: Deps, rows: list[dict[str, object]], report: SyncReport) -> None:
    if rows:
        async with deps.db.begin() as session:
            await Store(session).save_calls(rows)
        report.calls += len(rows)


def _row(workspace_id: int, person_id: int, call: FetchedCall, now: datetime) -> dict[str, object]:
    numbers = call.numbers
    return {
        "workspace_id": workspace_id,
        "person_id": person_id,
        "provider_call_id": call.provider_call_id,
        "url": call.url,
        "title": call.title,
        "started_at": call.started_at,
        "duration_s": call.duration_s,
        "talk_ratio": numbers.talk_ratio,
        "longest_monologue_s": numbers.longest_monologue_s,
        "interactivity": numbers.interactivity,
        "patience_s": numbers.patience_s,
        "question_rate": numbers.question_rate,
        "buyers": int(numbers.buyers) if numbers.buyers is not None else None,
        "fetched_at": now,
    }


async def _healthy(deps: Deps, connection: Connection, now: datetime) -> None:
    async with deps.db.begin() as session:
        await Store(session).update_recorder_connection(
            connection.workspace_id,
            now,
            status=OK,
            problem=None,
            problem_at=None,
            next_sync_at=None,
            key_fingerprint=connection.fingerprint,
        )


async def _failed(deps: Deps, connection: Connection, exc: RecorderError, now: datetime) -> None:
    refused = isinstance(exc, RecorderRefused)
    wait = RETRY_AFTER_BUDGET if isinstance(exc, RecorderBudgetSpent) else RETRY_AFTER_FAILURE
    async with deps.db.begin() as session:
        await Store(session).update_recorder_connection(
            connection.workspace_id,
            now,
            status=REFUSED if refused else FAILING,
            problem=exc.code,
            problem_at=now,
            next_sync_at=None if refused else now + wait,
            key_fingerprint=connection.fingerprint,
        )
    if refused:
        log.warning(
            "recorder refused the credentials workspace=%s code=%s: switched off until an admin"
            " changes them",
            connection.workspace_id,
            exc.code,
        )
    else:
        log.warning(
            "recorder unavailable workspace=%s code=%s: trying again later",
            connection.workspace_id,
            exc.code,
        )
