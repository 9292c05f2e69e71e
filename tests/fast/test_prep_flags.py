"""The Tuesday prep's flags: what a manager should look at before diagnosing a rep."""

from __future__ import annotations

import pytest

from app.services.weekly_messages import PrepRow
from app.slack.render.team_messages import prep_flags


def row(score: int | None, weeks: int) -> PrepRow:
    return PrepRow("U0REP", None, "Discovery", weeks, score, None, None)


@pytest.mark.parametrize(
    ("score", "weeks", "flags"),
    [
        (None, 0, []),
        (3, 1, ["transfer 3/5: re-diagnose"]),
        (4, 1, ["transfer 4/5: ready for the next focus"]),
        (None, 4, ["4 weeks on this focus without a 4"]),
        (2, 5, ["transfer 2/5: re-diagnose", "5 weeks on this focus without a 4"]),
        (5, 6, ["transfer 5/5: ready for the next focus"]),  # a 4+ ends the run
    ],
)
def test_flags_follow_the_last_score_and_the_weeks_on_focus(
    score: int | None, weeks: int, flags: list[str]
) -> None:
    assert prep_flags(row(score, weeks)) == flags
