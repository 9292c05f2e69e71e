"""The method's decision tree (docs/coaching-method.md): from
four yes/no answers to one kind of gap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.rules.types import Gap


@dataclass(frozen=True)
class Question:
    key: str  # also the form's field; its wording is the renderer's (diagnosis_words.py)
    gap_if_no: Gap


# Asked in this order; the first "no" names the gap, four "yes" mean a will gap.
TREE = (
    Question("can_do", Gap.SKILL),
    Question("knows", Gap.KNOWLEDGE),
    Question("clear", Gap.CLARITY),
    Question("math_works", Gap.SYSTEM),
)


@dataclass(frozen=True)
class GapAdvice:
    gap: Gap
    coaching_pct: int  # the rest of the 1:1 is accountability
    rep_drill: bool  # False: the manager acts, the rep gets no drill for it


ADVICE: Mapping[Gap, GapAdvice] = {
    Gap.SKILL: GapAdvice(Gap.SKILL, 70, True),
    Gap.KNOWLEDGE: GapAdvice(Gap.KNOWLEDGE, 60, True),
    Gap.CLARITY: GapAdvice(Gap.CLARITY, 50, True),
    Gap.SYSTEM: GapAdvice(Gap.SYSTEM, 0, False),
    Gap.WILL: GapAdvice(Gap.WILL, 30, True),
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
