"""The demo's readable output: who got what, when (their local time), and what they did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from app.demo.simulation import Received
from app.demo.team import BY_ID
from app.rules.weekly_steps import STEP_NAMES
from app.sandbox.transcript import blocks_to_text, with_names

NAMES = {p.slack_user_id: p.name for p in BY_ID.values()}


def when(slack_user_id: str, at: datetime) -> str:
    """ "Mon 09:00 Kolkata", the moment in that person's own time zone."""
    person = BY_ID[slack_user_id]
    return f"{at.astimezone(ZoneInfo(person.tz)):%a %H:%M} {person.city}"


class Transcript:
    """Writes the week as it happens: section titles, lines, quoted messages."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def step(self, title: str) -> None:
        self.out.write(f"\n### {title}\n")

    def line(self, text: str) -> None:
        self.out.write(f"{text}\n")

    def quote(self, text: str) -> None:
        self.out.write("".join(f"    │ {row}\n" for row in text.splitlines()))

    def block(self, blocks: list[dict[str, Any]] | None, fallback: str | None = None) -> None:
        self.quote(blocks_to_text(blocks, fallback, NAMES))

    def _stamp(self, at: datetime) -> str:
        return f"[{at.astimezone(UTC):%a %H:%M} UTC]"

    def received(self, at: datetime, item: Received, *, in_full: bool = False) -> None:
        person = NAMES[item.user]
        self.line(
            f"{self._stamp(at)} {person} ({when(item.user, at)}) ← {STEP_NAMES[item.step]}: "
            f"{with_names(item.message.get('text', ''), NAMES)}"
        )
        if in_full:
            self.block(item.message.get("blocks"), item.message.get("text"))

    def did(self, at: datetime, slack_user_id: str, action: str, outcome: str = "") -> None:
        person = NAMES[slack_user_id]
        result = f"\n{' ' * 16}→ {with_names(outcome, NAMES)}" if outcome else ""
        self.line(f"{self._stamp(at)} {person} ({when(slack_user_id, at)}) {action}{result}")

    def answer(self, body: dict[str, Any] | None) -> None:
        if body:
            self.block(body.get("blocks"), body.get("text"))
