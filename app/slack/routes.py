"""Which listener a Slack request is for, found in one step: its kind and its id, one dict look-up.

Bolt finds a request's listener by asking every registered listener's matcher in turn, and each
matcher first builds every argument bolt could inject (the payload read eight ways); with a
listener per command, event, button and form, that was some sixty of them per request before
the answer. Here a request's kind (command, event, click, submission) and id (the command's
name, the event type, the action_id, the callback_id) are its key into one table.

An id family (one button per score: `transfer_score_1` … `transfer_score_5`) is one entry, a
prefix with the suffixes it takes: an id not found as it is is split once at its last `_` and
looked up by its prefix. No key is in the table twice, a family's ids included: `add` refuses.
A request with no route is left to the caller (bolt answers it as unhandled).

Pure: nothing here knows bolt or the listeners; a route's value is whatever the caller keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Kind(StrEnum):
    """The kinds of request coach routes (bolt's `command`, `event`, `action`, `view`)."""

    COMMAND = "command"  # a slash command: its name (`/drill`)
    EVENT = "event_callback"  # an Events API event: its type (`app_home_opened`)
    ACTION = "block_actions"  # a click or a pick: the action's action_id
    VIEW = "view_submission"  # a modal submitted: the view's callback_id


@dataclass(frozen=True)
class Variants:
    """An id family: `{prefix}_{suffix}` for each of `suffixes` (which hold no `_`)."""

    prefix: str
    suffixes: frozenset[str]

    @classmethod
    def of(cls, prefix: str, suffixes: Iterable[object]) -> Variants:
        return cls(str(prefix), frozenset(str(s) for s in suffixes))

    def ids(self) -> frozenset[str]:
        return frozenset(f"{self.prefix}_{suffix}" for suffix in self.suffixes)


Key = tuple[Kind, str]


def request_key(body: Mapping[str, Any]) -> Key | None:
    """The kind and id of a request body as bolt parses it, or None for a kind coach does not
    route (a shortcut, a closed view, a legacy attachment click …). Read as bolt's own
    matchers read it: a body with `command` is a slash command; a click is its first action."""
    if "command" in body:
        return Kind.COMMAND, str(body["command"])
    kind = body.get("type")
    if kind == Kind.EVENT:
        event = body.get("event")
        return (
            (Kind.EVENT, str(event["type"]))
            if isinstance(event, dict) and "type" in event
            else None
        )
    if kind == Kind.ACTION:
        actions = body.get("actions")
        if isinstance(actions, list) and actions and isinstance(actions[0], dict):
            return Kind.ACTION, str(actions[0].get("action_id"))
        return None
    if kind == Kind.VIEW:
        view = body.get("view")
        if isinstance(view, dict) and "callback_id" in view:
            return Kind.VIEW, str(view["callback_id"])
    return None


class Routes(Generic[T]):
    """The table: (kind, id) or (kind, family) → a route; `find` reads a request body."""

    def __init__(self) -> None:
        self._exact: dict[Key, T] = {}
        self._families: dict[Key, tuple[Variants, T]] = {}

    def add(self, kind: Kind, key: str | Variants, route: T) -> None:
        """`route` for `key`: one id, or a family of them. A key (or one of a family's ids)
        already routed, or a family prefix already taken, is refused: a request must have
        one listener, never the first of two."""
        if isinstance(key, Variants):
            if not key.suffixes or any("_" in s or not s for s in key.suffixes):
                raise ValueError(f"{key.prefix}: a family's suffixes are non-empty, without `_`")
            taken = [i for i in sorted(key.ids()) if (kind, i) in self._exact]
            if (kind, key.prefix) in self._families or taken:
                raise ValueError(f"{kind} {key.prefix}_*: routed twice ({taken or key.prefix})")
            self._families[kind, key.prefix] = (key, route)
            return
        name = str(key)
        if (kind, name) in self._exact or self._family_of(kind, name) is not None:
            raise ValueError(f"{kind} {name}: routed twice")
        self._exact[kind, name] = route

    def find(self, body: Mapping[str, Any]) -> T | None:
        """The route for a request body, or None (no kind coach routes, or no such id)."""
        key = request_key(body)
        if key is None:
            return None
        found = self._exact.get(key)
        if found is not None:
            return found
        family = self._family_of(*key)
        return family[1] if family is not None else None

    def _family_of(self, kind: Kind, name: str) -> tuple[Variants, T] | None:
        prefix, _, suffix = name.rpartition("_")
        family = self._families.get((kind, prefix))
        return family if family is not None and suffix in family[0].suffixes else None

    def ids(self, kind: Kind) -> frozenset[str]:
        """Every id of `kind` that has a route, each family's ids spelled out."""
        exact = {name for k, name in self._exact if k is kind}
        families = {
            i
            for (k, _), (variants, _) in self._families.items()
            if k is kind
            for i in variants.ids()
        }
        return frozenset(exact | families)
