"""The setup stamp, its table and what moves it: one number (`setup_stamp.version`) that
moves in every transaction that changes what the planner reads besides the ledger, so a tick
reads that number and re-reads the roster's shape (time zones, team schedules, holiday
calendars) only when it moved.

Every ORM session moves it, whoever opened it: a flush that adds, deletes or edits a row of a
watched table (for people and workspaces: one of the columns the planner reads) marks the
session, and so does a Core INSERT, UPDATE or DELETE on a watched table run through
`session.execute` that changed a row; the mark becomes one upsert of the stamp just before
the commit, so the stamp's row lock is the last one a transaction takes and is held only
while it commits.
Writes that bypass a session (raw SQL, another program) are not seen: the planner re-reads
every few minutes anyway (app/services/week_plan.py, REREAD_EVERY)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Integer, Result, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column
from sqlalchemy.sql import Delete, Insert, Update

from app.db.base import Base

STAMP_ID = 1


class SetupStamp(Base):
    """One row (id 1) whose number moves with every change to what the planner reads."""

    __tablename__ = "setup_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


# Table → the columns whose change the planner must see (None: any column).
WATCHED: dict[str, frozenset[str] | None] = {
    "person": frozenset(
        {
            "workspace_id",
            "manager_id",
            "role",
            "tz",
            "active",
            "profile_checked_at",
            "paused_until",
            "work_starts",
            "work_ends",
        }
    ),
    "workspace": frozenset({"active"}),
    "schedule_step": None,
    "work_calendar": None,
}
# Columns the planner only asks "set at all?" of: a daily profile read moves nothing.
NULLNESS_ONLY = frozenset({("person", "profile_checked_at")})
_MOVED = "coach_setup_moved"  # Session.info key: this transaction changed the setup


def bump_statement(dialect: str) -> Insert:
    """INSERT the stamp's row, or move it on by one: the row may be missing (a test emptied
    every table), and two writers must never lose a move."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SetupStamp).values(id=STAMP_ID, version=1)
    moved: Insert = statement.on_conflict_do_update(
        index_elements=[SetupStamp.id], set_={"version": SetupStamp.version + 1}
    )
    return moved


def _table_of(instance: object) -> str:
    return str(inspect(instance).mapper.local_table.name)


def _edited(instance: object, columns: frozenset[str] | None, table: str) -> bool:
    """Whether a flush changes a column of `instance` the planner reads."""
    state = inspect(instance)
    for attr in state.mapper.column_attrs:
        if columns is not None and attr.key not in columns:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        if (table, attr.key) not in NULLNESS_ONLY:
            return True
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if (before is None) != (after is None):
            return True
    return False


def shapes_planning(
    new: Iterable[object], dirty: Iterable[object], deleted: Iterable[object]
) -> bool:
    """Whether a flush of these objects changes what the planner reads."""
    if any(_table_of(o) in WATCHED for o in (*new, *deleted)):
        return True
    for instance in dirty:
        table = _table_of(instance)
        if table in WATCHED and _edited(instance, WATCHED[table], table):
            return True
    return False


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if not session.info.get(_MOVED) and shapes_planning(
        session.new, session.dirty, session.deleted
    ):
        session.info[_MOVED] = True


def touched_rows(result: object) -> bool:
    """Whether a write's result says it changed rows (a driver that cannot say: yes)."""
    count = getattr(result, "rowcount", None)
    return count is None or count != 0


def _on_execute(state: ORMExecuteState) -> Result[Any] | None:
    statement = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return None
    if getattr(statement.table, "name", None) not in WATCHED:
        return None
    result = state.invoke_statement()  # an upsert that found its row unchanged moves nothing
    if touched_rows(result):
        state.session.info[_MOVED] = True
    return result


def _before_commit(session: Session) -> None:
    session.flush()  # the last changes mark the session first
    if session.info.pop(_MOVED, False):
        session.execute(bump_statement(session.get_bind().dialect.name))


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_MOVED, None)


def install() -> None:
    """Watch every ORM session of the process (idempotent)."""
    for name, handler in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
    ):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)


install()
