"""Reads into the database what the week needs from the recorder, a little each tick.

Per workspace with a recorder, one replica at a time (a lease on its connection row):
people are matched to recorder users by email (weekly, or within the hour of someone new;
a big account's users over several ticks, resumed where the last stopped), then each
matched rep's calls are read one local week at a time once that week has ended where the
rep is: the week just ended, and on first sight the four before it (the rep's own
baseline). Reps whose weeks end together are asked for together, up to 100 hosts a request,
page by page to the end, so a week costs at most one request per rep plus paging. The tick's
budget is checked before every request. Nothing shown to anyone waits on the recorder:
messages read what is stored here.

When the recorder refuses the credentials, the connection is switched off (until they
change) and the admin sees why; when it is down or slow, or coach fails reading it, coach
tries again a little later. Either way the weekly loop goes on exactly as without a
recorder. A workspace whose credentials are gone (GONG_* unset) is marked disconnected,
and the week shows nothing from the recorder.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.db.connection_sync import live_connections, sync_each
from app.db.models import Person
from app.db.recorder_tables import RecorderConnection, RecorderPerson
from app.db.store import Store
from app.db.turns import Budget, Stopping
from app.deps import Deps
from app.recorder.connection import GONG, Connection, connection_for, environment_credentials
from app.recorder.gong import TIMEOUT_S, USERS_PER_REQUEST, GongRecorder
from app.recorder.pace import SharedPace, gong_rates
from app.recorder.provider import (
    CallRecorder,
    FetchedCall,
    RecorderBudgetSpent,
    RecorderError,
    RecorderRefused,
)
from app.rules import calendar
from app.rules.call_stats import Window, baseline_start, evidence_week, next_read
from app.rules.connection_health import failed_values, healthy_values
from app.rules.types import Role
from app.services.week_plan import zone

log = logging.getLogger(__name__)

USERS_EVERY = timedelta(days=7)
NEWCOMERS_EVERY = timedelta(hours=1)
LEASE = timedelta(minutes=3)
BUDGET_S = 20.0  # of one tick
SAVE_BATCH = 200

RecorderFactory = Callable[[Deps, Connection], CallRecorder]


def gong_recorder(
    deps: Deps, connection: Connection, *, timeout_s: float = TIMEOUT_S
) -> CallRecorder:
    settings = deps.settings
    rate, day = gong_rates(settings.gong_requests_per_second, settings.gong_requests_per_day)
    pace = SharedPace(deps.db, connection.workspace_id, rate=rate, day=day)
    return GongRecorder(connection.credentials, pace, timeout_s=timeout_s)


@dataclass
class SyncReport:
    connections: int = 0  # workspaces with a recorder
    requests: int = 0
    calls: int = 0
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
    stopping: Stopping = lambda: False,
) -> SyncReport:
    """Read what is due from every workspace's recorder, within `budget_s` seconds."""
    report = SyncReport()
    connections = await live_connections(
        deps,
        now,
        RecorderConnection,
        GONG if environment_credentials(deps.settings) is not None else None,
        lambda workspace_id, row: connection_for(deps.settings, workspace_id, row),
    )
    report.connections = len(connections)
    budget = Budget(budget_s, stopping)

    async def due_work(row: RecorderConnection, connection: Connection) -> _Job | None:
        return _Job(row, connection) if await _has_work(deps, row, connection, now) else None

    async def work(job: _Job, recorder: CallRecorder) -> None:
        await _sync_workspace(deps, job.row, job.connection, recorder, now, budget, report)

    async def healthy(connection: Connection, _: CallRecorder) -> None:
        async with deps.db.begin() as session:
            await Store(session).update_recorder_connection(
                connection.workspace_id, now, **healthy_values(connection.fingerprint)
            )

    async def failed(connection: Connection, exc: Exception) -> None:
        await _failed(deps, connection, exc, now)

    await sync_each(
        deps,
        now,
        owner,
        connections,
        RecorderConnection,
        lease=LEASE,
        budget=budget,
        tally=report,
        due_work=due_work,
        open_client=lambda connection: recorder_for(deps, connection),
        work=work,
        healthy=healthy,
        failed=failed,
        errors=RecorderError,
        name="recorder",
    )
    return report


@dataclass(frozen=True)
class _Job:
    row: RecorderConnection
    connection: Connection


async def _has_work(
    deps: Deps, row: RecorderConnection, connection: Connection, now: datetime
) -> bool:
    """Whether anything is due (read without a lease: most ticks have nothing to do)."""
    roster, known = await _roster(deps, connection.workspace_id)
    if _users_due(row, connection, roster, known, now):
        return True
    return bool(_call_windows(roster, known, now, deps.settings.coach_default_tz))


async def _roster(deps: Deps, workspace_id: int) -> tuple[list[Person], dict[int, RecorderPerson]]:
    async with deps.reads() as session:
        store = Store(session)
        roster = [p for p in await store.people(workspace_id) if p.active]
        return roster, await store.recorder_people(workspace_id)


def _users_due(
    row: RecorderConnection,
    connection: Connection,
    roster: Sequence[Person],
    known: dict[int, RecorderPerson],
    now: datetime,
) -> bool:
    if row.users_cursor is not None:  # a read under way
        return True
    if row.users_read_at is None or row.key_fingerprint != connection.fingerprint:
        return True
    since = now - row.users_read_at
    newcomers = any(p.id not in known for p in roster)
    return since >= USERS_EVERY or (newcomers and since >= NEWCOMERS_EVERY)


async def _sync_workspace(
    deps: Deps,
    row: RecorderConnection,
    connection: Connection,
    recorder: CallRecorder,
    now: datetime,
    budget: Budget,
    report: SyncReport,
) -> None:
    workspace_id = connection.workspace_id
    roster, known = await _roster(deps, workspace_id)
    if _users_due(row, connection, roster, known, now):
        if not await _match_people(deps, row, connection, recorder, roster, now, budget, report):
            return  # the rest of the users on the next tick
        roster, known = await _roster(deps, workspace_id)
    tz = deps.settings.coach_default_tz
    while windows := _call_windows(roster, known, now, tz):
        for window, reps in windows:
            for start in range(0, len(reps), USERS_PER_REQUEST):
                chunk = reps[start : start + USERS_PER_REQUEST]
                if budget.over() or not await _read_calls(
                    deps, workspace_id, recorder, chunk, window, budget, now, report
                ):
                    return  # out of time: this chunk's week again on the next tick
        roster, known = await _roster(deps, workspace_id)


async def _match_people(
    deps: Deps,
    row: RecorderConnection,
    connection: Connection,
    recorder: CallRecorder,
    roster: Sequence[Person],
    now: datetime,
    budget: Budget,
    report: SyncReport,
) -> bool:
    """Everyone on the roster with an email, matched to the active recorder user who has
    it, page by page (each page's matches kept at once). True once the last page is read;
    False when out of time, with where to go on kept for the next tick."""
    workspace_id = connection.workspace_id
    by_email: dict[str, list[int]] = defaultdict(list)
    for person in roster:
        if person.email:
            by_email[person.email.strip().lower()].append(person.id)
    resuming = row.users_cursor is not None and row.key_fingerprint == connection.fingerprint
    cursor = row.users_cursor if resuming else None
    since = (row.users_listing_since if resuming else None) or now

    async def stop_at(cursor: str | None) -> bool:
        """Out of time before the page at `cursor`: keep where to go on, for the next tick."""
        async with deps.db.begin() as session:
            await Store(session).update_recorder_connection(
                workspace_id, now, users_cursor=cursor, users_listing_since=since,
                key_fingerprint=connection.fingerprint,
            )  # fmt: skip
        return False

    if budget.over():
        return await stop_at(cursor)
    async with aclosing(recorder.user_pages(cursor)) as pages:
        async for page in pages:
            budget.requests += 1
            matches = {
                person_id: user.id
                for user in page.items
                if user.active
                for person_id in by_email.get(user.email, [])
            }
            async with deps.db.begin() as session:
                await Store(session).save_recorder_matches(workspace_id, matches, now)
            if page.cursor is not None and budget.over():
                return await stop_at(page.cursor)
    async with deps.db.begin() as session:
        store = Store(session)
        known = await store.recorder_people(workspace_id)
        unseen = {p.id: None for p in roster if p.id not in known or known[p.id].matched_at < since}
        await store.save_recorder_matches(workspace_id, unseen, now)
        matched = sum(1 for p in roster if p.id in known and known[p.id].matched_at >= since)
        await store.update_recorder_connection(
            workspace_id,
            now,
            users_read_at=now,
            users_matched=matched,
            users_cursor=None,
            users_listing_since=None,
            key_fingerprint=connection.fingerprint,
        )
    return True


def _call_windows(
    roster: Sequence[Person], known: dict[int, RecorderPerson], now: datetime, default_tz: str
) -> list[tuple[Window, list[tuple[Person, str]]]]:
    """Matched reps grouped by the next local week of calls they have still to read: from
    where their last read ended (or the start of their baseline) to their week just past."""
    groups: dict[tuple[datetime, datetime], list[tuple[Person, str]]] = defaultdict(list)
    for person in roster:
        match = known.get(person.id)
        if person.role is not Role.REP or match is None or not match.recorder_user_id:
            continue
        tz = zone(person.tz, default_tz)
        cycle = calendar.current_cycle(now, tz)
        end = evidence_week(cycle, tz).end
        start = match.calls_read_through or baseline_start(cycle, tz)
        if start < end:
            window = next_read(start, end, tz)
            groups[(window.start, window.end)].append((person, match.recorder_user_id))
    return [(Window(start, end), reps) for (start, end), reps in sorted(groups.items())]


async def _read_calls(
    deps: Deps,
    workspace_id: int,
    recorder: CallRecorder,
    reps: Sequence[tuple[Person, str]],
    window: Window,
    budget: Budget,
    now: datetime,
    report: SyncReport,
) -> bool:
    """One week of these reps' calls, to the last page; False when out of time first (the
    pages read so far are kept, the week is not marked read)."""
    person_of = {user_id: person.id for person, user_id in reps}
    async with aclosing(recorder.call_pages(list(person_of), window)) as pages:
        async for page in pages:
            budget.requests += 1
            rows = [
                _row(workspace_id, person_of[call.host_user_id], call, now)
                for call in page.items
                if call.host_user_id in person_of
            ]
            for start in range(0, len(rows), SAVE_BATCH):
                async with deps.db.begin() as session:
                    await Store(session).save_calls(rows[start : start + SAVE_BATCH])
            report.calls += len(rows)
            if page.cursor is not None and budget.over():
                return False
    async with deps.db.begin() as session:
        await Store(session).mark_calls_read(person_of.values(), window.end)
    return True


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


async def _failed(deps: Deps, connection: Connection, exc: Exception, now: datetime) -> None:
    refused = isinstance(exc, RecorderRefused)
    code = exc.code if isinstance(exc, RecorderError) else "internal"
    values = failed_values(
        code,
        now,
        connection.fingerprint,
        refused=refused,
        budget_spent=isinstance(exc, RecorderBudgetSpent),
    )
    async with deps.db.begin() as session:
        await Store(session).update_recorder_connection(connection.workspace_id, now, **values)
    if refused:
        log.warning(
            "recorder refused the credentials workspace=%s code=%s: switched off until an admin"
            " changes them",
            connection.workspace_id,
            code,
        )
    else:
        log.warning(
            "recorder unavailable workspace=%s code=%s: trying again later",
            connection.workspace_id,
            code,
        )
