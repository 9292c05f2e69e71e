"""What buttons and modals carry between Slack and us: small, typed, validated on the way in.

Nothing here is trusted. A value comes back from Slack as whatever a payload holds, so every
field is checked for its type and range before it becomes one of these: a user id of Slack's
form and length, an ISO week that exists, a DM channel id and a message ts of Slack's form.
Even a well-formed value only names a rep and a cycle; every use case still checks that the
person clicking may act on that rep, and a message is updated only if the bot posted it into
that person's own DM.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from app.rules import calendar
from app.rules.refusals import Refusal, UserError
from app.rules.types import is_slack_user_id
from app.slack.ids import DELIVERY_EVENT_TYPE

MAX_VALUE_LENGTH = 2000  # Slack's limit for a button's value and a modal's private_metadata
_SCORE = re.compile(r"[0-9]{1,2}")
_DM_CHANNEL = re.compile(r"D[A-Z0-9]{2,31}")
_MESSAGE_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,8}")


def _bad() -> UserError:
    return UserError(Refusal.STALE_BUTTON)


def _text(value: object) -> str:
    """A value that must be a string of sensible length, or the "out of date" refusal."""
    if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
        raise _bad()
    return value


def _rep_and_cycle(rep: object, cycle: object) -> tuple[str, str]:
    if not isinstance(rep, str) or not is_slack_user_id(rep):
        raise _bad()
    if not isinstance(cycle, str) or not calendar.is_cycle(cycle):
        raise _bad()
    return rep, cycle


def dm_channel(value: object) -> str | None:
    """A DM channel id (D…) from a payload, or None when it is absent or not one."""
    return value if isinstance(value, str) and _DM_CHANNEL.fullmatch(value) else None


def message_ts(value: object) -> str | None:
    """A message ts ("1700000000.000100") from a payload, or None when it is not one."""
    return value if isinstance(value, str) and _MESSAGE_TS.fullmatch(value) else None


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
    def load(cls, value: object) -> RepRef:
        parts = _text(value).split("|")
        if len(parts) not in (2, 3):
            raise _bad()
        rep, cycle = _rep_and_cycle(parts[0], parts[1])
        if len(parts) == 2:
            return cls(rep, cycle)
        if not _SCORE.fullmatch(parts[2]):
            raise _bad()
        return cls(rep, cycle, int(parts[2]))


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
    def load(cls, value: object) -> ModalMeta:
        try:
            data = json.loads(_text(value))
        except ValueError as exc:
            raise _bad() from exc
        if not isinstance(data, dict):
            raise _bad()
        rep, cycle = _rep_and_cycle(data.get("rep"), data.get("cycle"))
        channel, ts = dm_channel(data.get("channel")), message_ts(data.get("ts"))
        if (data.get("channel") is not None and channel is None) or (
            data.get("ts") is not None and ts is None
        ):
            raise _bad()
        return cls(rep, cycle, channel, ts)

    @property
    def message(self) -> tuple[str, str] | None:
        """The (channel, ts) of the message the modal was opened from, when it names one."""
        return (self.channel, self.ts) if self.channel and self.ts else None


_STORED_ID = re.compile(r"([a-z]{2,4})\|([0-9]{1,18})")


def _stored_id(prefix: str, value: object) -> int:
    match = _STORED_ID.fullmatch(_text(value))
    if match is None or match.group(1) != prefix:
        raise _bad()
    return int(match.group(2))


@dataclass(frozen=True)
class MessageRef:
    """A message someone wrote to coach (stored): the value of the buttons on coach's answer."""

    id: int

    def dump(self) -> str:
        return f"dm|{self.id}"

    @classmethod
    def load(cls, value: object) -> MessageRef:
        return cls(_stored_id("dm", value))


@dataclass(frozen=True)
class ActionRef:
    """An open manager action (a system gap): the value of its "Mark resolved" button."""

    id: int

    def dump(self) -> str:
        return f"act|{self.id}"

    @classmethod
    def load(cls, value: object) -> ActionRef:
        return cls(_stored_id("act", value))


_COMPETENCY_KEY = re.compile(r"[a-z_]{1,32}|own:[0-9]{1,4}")
NEW_COMPETENCY = "new"


@dataclass(frozen=True)
class CompetencyRef:
    """A competency of the rubric to reword ("" for a new one): the value of the admin's
    Home menu and the rubric form's metadata."""

    key: str

    def dump(self) -> str:
        return f"comp|{self.key or NEW_COMPETENCY}"

    @classmethod
    def load(cls, value: object) -> CompetencyRef:
        prefix, _, key = _text(value).partition("|")
        if prefix != "comp" or not (key == NEW_COMPETENCY or _COMPETENCY_KEY.fullmatch(key)):
            raise _bad()
        return cls("" if key == NEW_COMPETENCY else key)


MENU_VERBS = ("diagnose", "notes", "not_held", "view", "pause")


@dataclass(frozen=True)
class MenuChoice:
    """An App Home menu option: what to do for which rep and week ("diagnose:U123|2026-W48")."""

    verb: str
    ref: RepRef

    def dump(self) -> str:
        return f"{self.verb}:{self.ref.dump()}"

    @classmethod
    def load(cls, value: object) -> MenuChoice:
        verb, _, ref = _text(value).partition(":")
        if verb not in MENU_VERBS:
            raise _bad()
        return cls(verb, RepRef.load(ref))


def delivery_metadata(delivery_id: int, cycle: str) -> dict[str, Any]:
    """The message metadata every scheduled DM carries, so a resend can look for it."""
    return {
        "event_type": DELIVERY_EVENT_TYPE,
        "event_payload": {"delivery_id": delivery_id, "cycle": cycle},
    }


def delivery_id_in(metadata: object) -> int | None:
    """The delivery a message's metadata names, if it is one of our scheduled DMs (a message
    read back from Slack is untrusted too: anything else is None)."""
    if not isinstance(metadata, dict) or metadata.get("event_type") != DELIVERY_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    delivery = payload.get("delivery_id") if isinstance(payload, dict) else None
    return delivery if isinstance(delivery, int) and not isinstance(delivery, bool) else None
