"""Every question of the decision tree and every gap has its words."""

from __future__ import annotations

from app.rules.diagnosis import ADVICE, TREE
from app.rules.types import Gap
from app.slack.render.diagnosis_words import QUESTION, WHAT_TO_DO


def test_every_question_and_gap_is_worded() -> None:
    assert set(QUESTION) == {q.key for q in TREE}
    assert set(WHAT_TO_DO) == set(Gap) == set(ADVICE)
    assert all(text.endswith(("?", ".")) for text in (*QUESTION.values(), *WHAT_TO_DO.values()))
