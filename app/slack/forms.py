"""Slack payload text → typed input. Bad input raises UserError with the sentence to show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.errors import UserError
from app.domain.types import Role

# With should_escape on, Slack sends mentions as <@U123|name>; people may also paste raw ids.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")


@dataclass(frozen=True)
class CoachCommand:
    verb: str  # add | move | remove | help
    person: str | None = None
    role: Role | None = None
    manager: str | None = None


def split_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = (text or "").split()
    return (words[0].lower() if words else ""), words[1:]


def user_id(word: str, what: str) -> str:
    match = _MENTION.match(word.strip())
    if match is None:
        raise UserError(f"{word!r} isn't a person: mention them as @name for {what}.")
    return match.group(1) or match.group(2)


def parse_coach(text: str | None) -> CoachCommand:
    verb, args = split_subcommand(text)
    if verb in ("", "help"):
        return CoachCommand("help")
    if verb == "add":
        if len(args) not in (2, 3):
            raise UserError("Use `/coach add @person rep|manager|director|admin [@manager]`.")
        role_word = args[1].lower()
        if role_word not in Role._value2member_map_:
            raise UserError(f"{args[1]!r} isn't a role: use rep, manager, director or admin.")
        manager = user_id(args[2], "the manager") if len(args) == 3 else None
        return CoachCommand("add", user_id(args[0], "the person"), Role(role_word), manager)
    if verb == "move":
        if len(args) != 2:
            raise UserError("Use `/coach move @person @new-manager`.")
        return CoachCommand(
            "move", user_id(args[0], "the person"), manager=user_id(args[1], "the new manager")
        )
    if verb == "remove":
        if len(args) != 1:
            raise UserError("Use `/coach remove @person`.")
        return CoachCommand("remove", user_id(args[0], "the person"))
    return CoachCommand(verb)  # unknown: the listener answers with help
