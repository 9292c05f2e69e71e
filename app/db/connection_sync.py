"""The loop the call recorder's and the CRM's syncs share, a little each tick.

Which workspaces have a connection (rows made for the environment's credentials on first
sight; rows whose credentials are gone marked disconnected), then, for each one that may be
called and has something due: a lease on its row so that one replica at a time syncs it,
what is due read again under the lease (another replica may just have done it), the work,
and the row's health. The budget is checked before each workspace (and by the work before
each request). A failure of one system is stored on its row and counted, never raised: the
week goes on without it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from app.db.connection_rows import ConnectionRows, OutsideConnection
from app.db.store import Store
from app.db.turns import Budget
from app.deps import Deps
from app.rules.connection_health import may_call
from app.rules.types import ConnectionStatus

log = logging.getLogger(__name__)

RowT = TypeVar("RowT", bound=OutsideConnection)


class Credentials(Protocol):
    @property
    def workspace_id(self) -> int: ...
    @property
    def fingerprint(self) -> str: ...


class Client(Protocol):
    @property
    def requests_made(self) -> int: ...
    async def close(self) -> None: ...


class Tally(Protocol):
    requests: int
    problems: Counter[str]


ConnT = TypeVar("ConnT", bound=Credentials)
ClientT = TypeVar("ClientT", bound=Client)
JobT = TypeVar("JobT")


async def live_connections(
    deps: Deps,
    now: datetime,
    table: type[RowT],
    environment_provider: str | None,
    connection_for: Callable[[int, RowT], ConnT | None],
) -> list[tuple[RowT, ConnT]]:
    """Each active workspace's connection, the least recently synced first. One statement
    when no workspace has one and the environment names none."""
    async with deps.reads() as session:
        rows = {row.workspace_id: row for row in await ConnectionRows(session, table).all()}
    if environment_provider is None and not rows:
        return []
    found = []
    async with deps.db.begin() as session:
        store, table_rows = Store(session), ConnectionRows(session, table)
        active = {w.id for w in await store.workspaces() if w.active}
        if environment_provider is not None:
            for workspace_id in sorted(active - set(rows)):
                rows[workspace_id] = await table_rows.ensure(
                    workspace_id, environment_provider, now
                )
        for workspace_id, row in rows.items():
            connection = connection_for(workspace_id, row)
            if connection is None:
                if row.status != ConnectionStatus.DISCONNECTED:
                    await table_rows.update(
                        workspace_id, now, status=ConnectionStatus.DISCONNECTED, problem=None
                    )
            elif workspace_id in active:
                found.append((row, connection))
    return sorted(found, key=lambda pair: pair[0].updated_at)


def callable_now(row: OutsideConnection, connection: Credentials, now: datetime) -> bool:
    return may_call(
        row.status, row.next_sync_at, row.key_fingerprint == connection.fingerprint, now
    )


async def sync_each(
    deps: Deps,
    now: datetime,
    owner: str,
    connections: list[tuple[RowT, ConnT]],
    table: type[RowT],
    *,
    lease: timedelta,
    budget: Budget,
    tally: Tally,
    due_work: Callable[[RowT, ConnT], Awaitable[JobT | None]],
    open_client: Callable[[ConnT], ClientT],
    work: Callable[[JobT, ClientT], Awaitable[None]],
    healthy: Callable[[ConnT, ClientT], Awaitable[None]],
    failed: Callable[[ConnT, Exception], Awaitable[None]],
    errors: type[Exception],
    name: str,
) -> None:
    """Sync every connection that may be called and has work due, one lease at a time.
    `failed` stores a failure of type `errors` (an unexpected one arrives as
    `errors("internal")`)."""
    for row, connection in connections:
        if budget.over():
            break
        if not callable_now(row, connection, now) or await due_work(row, connection) is None:
            continue  # read without a lease: most ticks have nothing to do
        workspace_id = connection.workspace_id
        async with deps.db.begin() as session:
            rows = ConnectionRows(session, table)
            claimed = await rows.claim(workspace_id, owner, now + lease, now)
            fresh = await rows.get(workspace_id)
        if not claimed or fresh is None:
            continue
        client = open_client(connection)
        try:
            # As it is now, not as it was before the claim: another replica may have synced.
            job = (
                await due_work(fresh, connection) if callable_now(fresh, connection, now) else None
            )
            if job is not None:
                await work(job, client)
                await healthy(connection, client)
        except errors as exc:
            await failed(connection, exc)
            tally.problems[str(getattr(exc, "code", "internal"))] += 1
        except Exception:
            log.exception("%s sync of workspace=%s failed", name, workspace_id)
            await failed(connection, errors("internal"))
            tally.problems["internal"] += 1
        finally:
            tally.requests += client.requests_made
            await client.close()
            async with deps.db.begin() as session:
                await ConnectionRows(session, table).release(workspace_id, owner)
