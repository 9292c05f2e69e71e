"""Checking a pooled PostgreSQL connection is alive before use, only when it sat idle.

SQLAlchemy's `pool_pre_ping` pings every checkout, and its asyncpg ping is three round trips
(a transaction begun, `;`, rolled back: safe behind PgBouncer). A sender checks a connection
out two or three times a message, so pinging each one costs more round trips than the
message's own statements. A connection handed back a moment ago is as alive as a ping would
show, so coach pings only one that sat in the pool for `PING_AFTER_IDLE_S` or longer:
after a database restart or a firewall's idle timeout, that is the one that
is dead. A connection that dies inside the window fails one statement; SQLAlchemy then sees a
disconnect and drops every pooled connection opened before it, and the delivery that statement
served is retried after its lease, like any other failed attempt.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

PING_AFTER_IDLE_S = 10.0
_RETURNED_AT = "coach_returned_at"  # monotonic seconds, in the pool entry's info


def needs_ping(returned_at: float | None, now: float, after_s: float) -> bool:
    """Whether a connection handed back to the pool at `returned_at` (None: never) is pinged
    before its next use at `now`."""
    return returned_at is None or now - returned_at >= after_s


def ping_when_idle(engine: AsyncEngine, after_s: float = PING_AFTER_IDLE_S) -> None:
    """Ping connections idle for `after_s` or more at checkout; a dead one is replaced (the
    pool retries with a new connection when a checkout raises DisconnectionError)."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    def _alive_now(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()  # just opened, or just handed back

    event.listen(pool, "connect", _alive_now)
    event.listen(pool, "checkin", _alive_now)

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not needs_ping(record.info.get(_RETURNED_AT), time.monotonic(), after_s):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            log.warning("database connection found dead after idling: replacing it")
            raise DisconnectionError("the pooled connection did not answer a ping") from exc
