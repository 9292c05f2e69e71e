"""Logging, configured once by the CLI. Log ids, never note text, tokens or request bodies."""

from __future__ import annotations

import json
import logging
import os
import re
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# At DEBUG these log what people typed (coaching notes): slack_bolt its response bodies,
# slack_sdk every Web API request body, aiosqlite every statement with its parameters.
NEVER_DEBUG = ("slack_bolt", "slack_sdk", "aiosqlite")
# SQLAlchemy logs every statement at INFO and every row it reads at DEBUG: rows are notes.
QUIET = {"sqlalchemy.engine": logging.WARNING, "sqlalchemy.pool": logging.WARNING}
TOKEN = re.compile(r"(?:xox[abpre]|xapp)-[\w-]*")
REDACTED = "[redacted token]"
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """What the caller passed with `extra=` (delivery_id, job_id, ...)."""
    return {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (ISO-8601 UTC), level, logger, message, extras, exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class RedactTokens(logging.Filter):
    """A second line of defence: no Slack token reaches a log line, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub(REDACTED, message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = TOKEN.sub(REDACTED, record.exc_text)
        if record.stack_info:
            record.stack_info = TOKEN.sub(REDACTED, record.stack_info)
        for key, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, TOKEN.sub(REDACTED, value))
        return True


def safe_traceback(error: BaseException) -> str:
    """A traceback with frames and exception types only. An exception's message can carry
    what someone typed (a database error quotes the value it refused, a KeyError the key), so
    none is kept, except an OS error's (a refused connection says where it was going)."""
    lines: list[str] = []
    _describe(traceback.TracebackException.from_exception(error), lines, set())
    return "".join(lines).rstrip("\n")


def _describe(
    exc: traceback.TracebackException, lines: list[str], seen: set[int], indent: str = ""
) -> None:
    if id(exc) in seen:
        return
    seen.add(id(exc))
    if exc.__cause__ is not None:
        _describe(exc.__cause__, lines, seen, indent)
        lines.append(f"\n{indent}The above exception was the direct cause of the following:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__:
        _describe(exc.__context__, lines, seen, indent)
        lines.append(f"\n{indent}During handling of the above exception, another occurred:\n\n")
    if exc.stack:
        lines.append(f"{indent}Traceback (most recent call last):\n")
        lines.extend(indent + line for line in exc.stack.format())
    lines.append(f"{indent}{_kind(exc)}\n")
    for inner in getattr(exc, "exceptions", None) or ():  # an exception group's members
        _describe(inner, lines, seen, indent + "  | ")


def _kind(exc: traceback.TracebackException) -> str:
    exc_type = exc.exc_type
    if exc_type is None:
        return "(unknown exception)"
    name = exc_type.__qualname__
    module = exc_type.__module__
    qualified = name if module in ("builtins", "__main__") else f"{module}.{name}"
    if issubclass(exc_type, OSError):
        return f"{qualified}: {exc}"
    return f"{qualified} (message withheld: it may quote what someone typed)"


_plain_records = logging.getLogRecordFactory()


def _record_without_exception_text(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every log record, whoever logs it (bolt, uvicorn, APScheduler, asyncio, us): a
    traceback it carries is made safe the moment the record exists, before any handler."""
    record = _plain_records(*args, **kwargs)
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = safe_traceback(record.exc_info[1])
        record.exc_info = None
    return record


def quiet_logger(name: str) -> logging.Logger:
    """`name`'s logger, raised to INFO if it would log DEBUG."""
    logger = logging.getLogger(name)
    logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    return logger


class _CoachHandler(logging.StreamHandler[TextIO]):
    """The handler configure() installs, so calling it again replaces rather than adds."""


def configure(default_level: str = "INFO", fmt: str | None = None) -> None:
    level = logging.getLevelName(os.environ.get("COACH_LOG_LEVEL", default_level).upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {level!r}")
    fmt = (fmt or os.environ.get("COACH_LOG_FORMAT") or "text").lower()
    handler = _CoachHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CoachHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NEVER_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, level))
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, level))
    logging.setLogRecordFactory(_record_without_exception_text)
