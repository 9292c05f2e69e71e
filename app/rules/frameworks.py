"""Coaching frameworks besides GROW (docs/coaching-method.md, "Coaching notes"): what each is
for, the parts a note in it has, and which of them reach the rep.

- SBI (situation, behaviour, impact): quick feedback on one moment of one call, any day; it
  is sent to the rep.
- CAR (challenge, action, result): a deal post-mortem, for the coaches' record.
- OSKAR (outcome, scaling, know-how, affirm and action, review): for a rep in a slump; the
  scaling number (1–10, where they are against the outcome) is tracked week to week.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.rules.evidence import BadInput, check_url
from app.rules.refusals import Refusal
from app.rules.types import whole_number


class Framework(StrEnum):
    SBI = "sbi"
    CAR = "car"
    OSKAR = "oskar"


@dataclass(frozen=True)
class Part:
    key: str  # also the form's block id
    label: str
    hint: str
    link: bool = False  # a call clip's URL rather than text


@dataclass(frozen=True)
class FrameworkSpec:
    framework: Framework
    name: str
    purpose: str
    parts: tuple[Part, ...]
    to_rep: bool  # sent to the rep by DM (the others stay with the rep's coaches)
    scaling: bool = False  # asks for a 1–10 scaling number

    @property
    def label(self) -> str:
        return f"{self.name}: {self.purpose}"


SPECS: Mapping[Framework, FrameworkSpec] = {
    Framework.SBI: FrameworkSpec(
        Framework.SBI,
        "SBI",
        "quick feedback on one clip, sent to the rep",
        (
            Part("clip_url", "The clip", "The moment you're giving feedback on.", link=True),
            Part("situation", "Situation", "When and where: the call, the moment."),
            Part("behaviour", "Behaviour", "What they said or did, as you'd hear it on the clip."),
            Part("impact", "Impact", "What it did to the buyer or the deal."),
        ),
        to_rep=True,
    ),
    Framework.CAR: FrameworkSpec(
        Framework.CAR,
        "CAR",
        "a deal post-mortem",
        (
            Part("deal", "Deal", "Which deal, won or lost."),
            Part("challenge", "Challenge", "What stood in the way."),
            Part("action", "Action", "What the rep did about it."),
            Part("result", "Result", "What happened, and what to repeat or change."),
        ),
        to_rep=False,
    ),
    Framework.OSKAR: FrameworkSpec(
        Framework.OSKAR,
        "OSKAR",
        "for a rep in a slump",
        (
            Part("outcome", "Outcome", "What they want to be true, in their words."),
            Part("know_how", "Know-how", "What already works for them: when it went well."),
            Part("affirm_action", "Affirm and action", "What they do well; the next small step."),
            Part("review", "Review", "When you'll look at it again, and what will have changed."),
        ),
        to_rep=False,
        scaling=True,
    ),
}
SCALING = range(1, 11)

# A 1:1 is logged in the GROW record's fields whichever framework ran it; the framework
# renames them (goal → outcome or challenge …) and OSKAR adds its scaling number. SBI is
# quick feedback on one clip: a note, not a 1:1.
ONE_ON_ONE_FRAMEWORKS = ("grow", Framework.OSKAR.value, Framework.CAR.value)
ONE_ON_ONE_LABELS: Mapping[str, tuple[str, str, str, str]] = {
    "grow": ("Goal", "Reality", "Options (one per line, at least 3)", "Will: the commitment"),
    Framework.OSKAR.value: (
        "Outcome: what they want to be true",
        "Know-how: what already works for them",
        "Affirm and action: small next steps (one per line, at least 3)",
        "Review: the commitment",
    ),
    Framework.CAR.value: (
        "Challenge: what stood in the deal's way",
        "Action: what they did",
        "Result: what to repeat or change (one per line, at least 3)",
        "The commitment",
    ),
}
ONE_ON_ONE_NAMES = {"grow": "GROW", Framework.OSKAR.value: "OSKAR", Framework.CAR.value: "CAR"}
PART_MAX = 1000  # characters a part holds


def scaling_of(text: str) -> int | None:
    """A scaling number as a form sent it ("1".."10"), or None."""
    return whole_number(text, SCALING)


def scaling_trend(numbers: Sequence[tuple[str, int]], shown: int = 4) -> tuple[int, ...]:
    """The last OSKAR scaling numbers, oldest first (`numbers`: (cycle, number) in any
    order; a week with several notes counts its last)."""
    by_cycle: dict[str, int] = {}
    for cycle, number in sorted(numbers, key=lambda pair: pair[0]):
        by_cycle[cycle] = number
    return tuple(by_cycle.values())[-shown:]


SCALING_FIELD = "scaling"  # the OSKAR scaling number's block id
FRAMEWORK_FIELD = "framework"  # the framework picked


@dataclass(frozen=True)
class CheckedNote:
    parts: dict[str, str]
    scaling: int | None


def check_note(
    framework: Framework, parts: Mapping[str, str], scaling: str
) -> CheckedNote | dict[str, Refusal]:
    """A note's parts as they will be stored, or a refusal under each field that needs one:
    every part is needed (a clip's must be a link), none longer than PART_MAX, and OSKAR's
    scaling number is 1 to 10."""
    spec = SPECS[framework]
    errors: dict[str, Refusal] = {}
    kept: dict[str, str] = {}
    for part in spec.parts:
        text = (parts.get(part.key) or "").strip()
        if not text:
            errors[part.key] = Refusal.WRITE_THIS_PART
        elif len(text) > PART_MAX:
            errors[part.key] = Refusal.PART_TOO_LONG
        elif part.link:
            try:
                kept[part.key] = check_url(text)
            except BadInput as exc:
                errors[part.key] = exc.reason
        else:
            kept[part.key] = text
    number = None
    if spec.scaling:
        number = scaling_of(scaling)
        if number is None:
            errors[SCALING_FIELD] = Refusal.PICK_SCALING
    return errors or CheckedNote(kept, number)
