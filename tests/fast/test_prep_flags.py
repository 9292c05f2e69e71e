"""The Tuesday prep's flags: what a manager should look at before diagnosing a rep."""

from __future__ import annotations

import pytest

from app.services.weekly_messages import PrepRow
from app.slack.render.team_messages import prep_flags

REDIAGNOSE = (
    "week 3 on this focus and no 4 yet (the target is 4+ within 3 weeks): walk the tree "
    "again before you carry it on"
)


def row(score: int | None, weeks: int, rediagnose: bool) -> PrepRow:
    return PrepRow("U0REP", None, "Discovery", weeks, score, None, None, rediagnose=rediagnose)


@pytest.mark.parametrize(
    ("score", "weeks", "rediagnose", "flags"),
    [
        (None, 0, False, []),
        (3, 1, False, ["transfer 3/5: re-diagnose"]),
        (4, 1, False, ["transfer 4/5: ready for the next focus"]),
        (None, 2, True, [REDIAGNOSE]),
        (2, 2, True, ["transfer 2/5: re-diagnose", REDIAGNOSE]),
        (5, 6, False, ["transfer 5/5: ready for the next focus"]),  # a 4+ ends the run
    ],
)
def test_flags_follow_the_last_score_and_the_weeks_on_focus(
    score: int | None, weeks: int, rediagnose: bool, flags: list[str]
) -> None:
    assert prep_flags(row(score, weeks, rediagnose)) == flags
