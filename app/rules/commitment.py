"""The 1:1's commitment as one sentence: the rep's skill commitment joined to the number we
hold ("Use option two on three discovery calls — and we hold the $40K Acme deal at proposal
by Friday"), with what could get in the way and the follow-up that reviews it. Every message
that shows a commitment shows `Commitment.sentence`, so the rep and the manager read the same
words everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

JOIN = " — and we hold "
# What a manager may type before the number that the sentence already says.
_ALREADY_SAID = ("and we hold ", "we hold ", "and hold ", "hold ", "and ")
# A first word the sentence reads in lower case after "we hold" ("The $40K deal" → "the $40K
# deal"); any other first word may be a name (Acme) and keeps its case.
_ARTICLES = ("the", "our", "a", "an", "both", "all", "every", "each", "this", "these", "that")
_COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_LOWER_AFTER_HOLD = frozenset((*_ARTICLES, "those", *_COUNTS))


class CommitmentRecord(Protocol):
    """What a 1:1's stored notes hold of the commitment."""

    commitment: str | None  # the rep's own words
    accountability: str | None  # the number we hold
    obstacles: str | None  # what could get in the way, in the rep's words
    follow_up_on: date | None
    follow_up_check: str | None  # what the follow-up reviews
    measurement: str | None  # the target it reviews against


def _clause(text: str | None) -> str:
    """One line, without the full stop a sentence built around it would double."""
    return " ".join((text or "").split()).rstrip(" .;,")


def _number(text: str | None) -> str:
    number = _clause(text)
    for lead in _ALREADY_SAID:
        if number.lower().startswith(lead):
            number = number[len(lead) :].lstrip()
            break
    first, _, rest = number.partition(" ")
    if first.lower() in _LOWER_AFTER_HOLD:
        number = f"{first.lower()} {rest}".rstrip()
    return number


def commitment_sentence(words: str | None, number: str | None) -> str | None:
    """The skill commitment and the number in one sentence. Notes saved before both were
    needed may hold only one of them: the sentence is then that one alone (None: neither)."""
    skill, held = _clause(words), _number(number)
    if skill and held:
        return f"{skill}{JOIN}{held}"
    if skill:
        return skill
    if held:
        return f"We hold {held}"
    return None


def follow_up_check(check: str | None, target: str | None) -> str | None:
    """What the follow-up reviews, with its target: "questions per hour on the next 5
    discovery calls (target: 12+ an hour)"."""
    what, goal = _clause(check), _clause(target)
    if what and goal:
        return f"{what} (target: {goal})"
    return what or (f"the target: {goal}" if goal else None)


@dataclass(frozen=True)
class Commitment:
    """What the rep leaves the 1:1 with; all of it is the rep's to see."""

    sentence: str
    obstacles: str | None = None
    follow_up_on: date | None = None
    to_check: str | None = None  # `follow_up_check` of the criterion and target

    @classmethod
    def of(cls, record: CommitmentRecord | None) -> Commitment | None:
        """The commitment of stored notes (None without one: no notes, or not held)."""
        if record is None:
            return None
        sentence = commitment_sentence(record.commitment, record.accountability)
        if sentence is None:
            return None
        return cls(
            sentence,
            obstacles=_clause(record.obstacles) or None,
            follow_up_on=record.follow_up_on,
            to_check=follow_up_check(record.follow_up_check, record.measurement),
        )
