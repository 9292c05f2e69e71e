"""A log handler that keeps every formatted record, for tests that read what was logged."""

from __future__ import annotations

import logging

from app import logs


class Capture(logging.Handler):
    """Formats each record as it is emitted, before any other handler's filter touches it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(logs.TEXT_FORMAT))
        self.lines: list[str] = []
        self.levels: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.levels.add(record.levelno)
        self.lines.append(f"{self.format(record)} {logs.extra_fields(record)}")
