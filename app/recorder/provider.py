"""What coach asks of a call recorder, whichever one it is."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from app.rules.call_stats import CallNumbers, Window


@dataclass(frozen=True)
class RecorderUser:
    id: str
    email: str
    active: bool


@dataclass(frozen=True)
class FetchedCall:
    """A call as the recorder describes it: where it is and its numbers, nothing more."""

    provider_call_id: str
    host_user_id: str
    url: str
    title: str
    started_at: datetime
    duration_s: int
    numbers: CallNumbers


Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    cursor: str | None  # the next page's; None after the last


class RecorderError(Exception):
    """The recorder did not answer usefully; `code` says why in a few words (no secrets)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RecorderRefused(RecorderError):
    """The recorder refused the credentials (revoked, wrong, or missing a scope)."""


class RecorderUnavailable(RecorderError):
    """Down, slow, rate-limited for long, or answering in a shape coach cannot read."""


class RecorderBudgetSpent(RecorderError):
    """Today's share of the recorder's daily request limit is used up."""


class CallRecorder(Protocol):
    name: str  # how people know it: "Gong"

    def user_pages(self, cursor: str | None = None) -> AsyncGenerator[Page[RecorderUser], None]:
        """The account's users a page at a time, from `cursor` (the start for None) to the
        last page; each page is asked for only when the caller wants it."""
        ...

    def call_pages(
        self, host_user_ids: Sequence[str], window: Window
    ) -> AsyncGenerator[Page[FetchedCall], None]:
        """The calls these users (at most 100) hosted that started in `window`, a page at a
        time to the last."""
        ...

    async def close(self) -> None: ...

    @property
    def requests_made(self) -> int: ...
