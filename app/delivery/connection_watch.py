"""When a tick looks at an outside system (the call recorder, the CRM): never while no
workspace has a connection row and the environment names none (an idle tick spends nothing
on it); at once when the rows changed since the last look (connected by an admin, the command
line or another replica); and otherwise, when the last look found nothing to call, again only
after a few minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.db.setup_queries import Connections

LOOK_AGAIN = timedelta(minutes=5)  # after a look that found nothing to call


@dataclass
class ConnectionWatch:
    look_again: timedelta = LOOK_AGAIN
    _seen: Connections | None = None
    _none_until: datetime | None = None

    def due(self, rows: Connections | None, from_environment: bool, at: datetime) -> bool:
        """Whether to look at `at` (the real clock), the tick having read `rows` (None: not
        read this tick; then only the hold-off decides)."""
        if rows is not None and rows != self._seen:
            self._seen, self._none_until = rows, None
        if rows is not None and not rows.count and not from_environment:
            return False
        return self._none_until is None or at >= self._none_until

    def looked(self, connections: int, at: datetime) -> None:
        """A look found `connections` to call: none, and the next waits a few minutes."""
        self._none_until = at + self.look_again if not connections else None

    def wake(self) -> None:
        """Look on the next tick, whatever the last look found."""
        self._none_until = None
