"""What buttons and modals carry between Slack and us: small, typed, validated on the way in.

Nothing here is trusted: a forged value only names a rep and a cycle, and every use case
checks that the person clicking may act on that rep.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.errors import UserError
from app.slack.ids import DELIVERY_EVENT_TYPE

_CYCLE = re.compile(r"^\d{4}-W\d{2}$")
_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def _bad() -> UserError:
    return UserError("That button is out of date: open the latest message from coach.")


@dataclass(frozen=True)
class RepRef:
    """A rep and a cycle (and, on score buttons, the score): a button's value."""

    rep: str
    cycle: str
    score: int | None = None

    def dump(self) -> str:
        return "|".join(
            str(part) for part in (self.rep, self.cycle, self.score) if part is not None
        )

    @classmethod
    def load(cls, value: str | None) -> RepRef:
        parts = (value or "").split("|")
        if len(parts) not in (2, 3) or not _USER.match(parts[0]) or not _CYCLE.match(parts[1]):
            raise _bad()
        if len(parts) == 3 and not parts[2].isdigit():
            raise _bad()
        return cls(parts[0], parts[1], int(parts[2]) if len(parts) == 3 else None)


@dataclass(frozen=True)
class ModalMeta:
    """A modal's private_metadata: whose record, which cycle, and the message to update."""

    rep: str
    cycle: str
    channel: str | None = None
    ts: str | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, value: str | None) -> ModalMeta:
        try:
            data = json.loads(value or "")
            meta = cls(data["rep"], data["cycle"], data.get("channel"), data.get("ts"))
        except (ValueError, KeyError, TypeError) as exc:
            raise _bad() from exc
        if not _USER.match(meta.rep) or not _CYCLE.match(meta.cycle):
            raise _bad()
        return meta


MENU_VERBS = ("diagnose", "notes", "view", "pause")


@dataclass(frozen=True)
class MenuChoice:
    """An App Home menu option: what to do for which rep and week ("diagnose:U123|2026-W48")."""

    verb: str
    ref: RepRef

    def dump(self) -> str:
        return f"{self.verb}:{self.ref.dump()}"

    @classmethod
    def load(cls, value: str | None) -> MenuChoice:
        verb, _, ref = (value or "").partition(":")
        if verb not in MENU_VERBS:
            raise _bad()
        return cls(verb, RepRef.load(ref))


def delivery_metadata(delivery_id: int, cycle: str) -> dict[str, Any]:
    """The message metadata every scheduled DM carries, so a resend can look for it."""
    return {
        "event_type": DELIVERY_EVENT_TYPE,
        "event_payload": {"delivery_id": delivery_id, "cycle": cycle},
    }


def delivery_id_in(metadata: dict[str, Any] | None) -> int | None:
    """The delivery a message's metadata names, if it is one of our scheduled DMs."""
    if not metadata or metadata.get("event_type") != DELIVERY_EVENT_TYPE:
        return None
    return int((metadata.get("event_payload") or {})["delivery_id"])
