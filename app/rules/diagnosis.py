"""The method's decision tree (docs/coaching-method.md): from
four yes/no answers to one kind of gap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.rules.types import Gap


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    gap_if_no: Gap


# Asked in this order; the first "no" names the gap, four "yes" mean a will gap.
TREE = (
    Question("can_do", "Could they do it if their life depended on it?", Gap.SKILL),
    Question(
        "knows", "Do they know the product, the process and what good looks like?", Gap.KNOWLEDGE
    ),
    Question("clear", "Do they know exactly what was committed?", Gap.CLARITY),
    Question("math_works", "Is the pipeline math possible (territory, leads, quota)?", Gap.SYSTEM),
)


@dataclass(frozen=True)
class GapAdvice:
    gap: Gap
    coaching_pct: int  # the rest of the 1:1 is accountability
    what_to_do: str
    rep_drill: bool  # False: the manager acts, the rep gets no drill for it


ADVICE: Mapping[Gap, GapAdvice] = {
    Gap.SKILL: GapAdvice(Gap.SKILL, 70, "Can't execute yet: practise it with a drill.", True),
    Gap.KNOWLEDGE: GapAdvice(
        Gap.KNOWLEDGE, 60, "Needs information or training, not role-play.", True
    ),
    Gap.CLARITY: GapAdvice(
        Gap.CLARITY, 50, "Build a shared scorecard of what was committed first.", True
    ),
    Gap.SYSTEM: GapAdvice(
        Gap.SYSTEM,
        0,
        "The manager's problem: escalate territory, routing or quota; don't coach the rep on it.",
        False,
    ),
    Gap.WILL: GapAdvice(
        Gap.WILL,
        30,
        "Knows and can, but doesn't: hold them to it. If it's burnout, have that conversation.",
        True,
    ),
}


def proposed_gap(answers: Mapping[str, bool | None]) -> Gap | None:
    """The gap the answers point to; None while a question before the first "no" is open."""
    for question in TREE:
        answer = answers.get(question.key)
        if answer is None:
            return None
        if answer is False:
            return question.gap_if_no
    return Gap.WILL
