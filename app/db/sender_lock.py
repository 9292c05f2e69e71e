"""On SQLite one process sends: the sender holds an exclusive lock on a file beside the
database. SQLite has one writer at a time and no SKIP LOCKED, so a second sender would only
queue behind the first (or time out); several replicas need PostgreSQL, where the ledger's
row locks share the work. The kernel drops the lock when the process dies, even by SIGKILL."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url


class SenderBusy(Exception):
    """Another process already sends from this SQLite database."""


def lock_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}.sender-lock")


@contextlib.contextmanager
def single_sender(database_url: str) -> Iterator[None]:
    """Hold the sender lock for the block (nothing to hold on PostgreSQL)."""
    path = lock_path(database_url)
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SenderBusy(
                "Another coach process is already sending from this SQLite database: SQLite "
                "runs one sender. Stop the other one, or use PostgreSQL to run several."
            ) from exc
        yield
    finally:
        os.close(descriptor)
