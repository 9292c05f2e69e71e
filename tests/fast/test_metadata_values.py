"""Button values and ISO weeks from Slack, parsed as untrusted input into typed values."""

from __future__ import annotations

import pytest

from app.rules import calendar
from app.rules.refusals import UserError
from app.slack.metadata import RepRef
from app.slack.render import refusal_text as refusals


@pytest.mark.parametrize("cycle", ["2026-W99", "2025-W53", "2026-W00", "1999-W10", "2026-w48"])
def test_only_iso_weeks_that_exist_are_cycles(cycle: str) -> None:
    assert not calendar.is_cycle(cycle)
    assert calendar.is_cycle("2026-W53") and calendar.is_cycle("2026-W48")


def test_button_values_parse_into_typed_values() -> None:
    assert RepRef.load("U0REPA1|2026-W48|4") == RepRef("U0REPA1", "2026-W48", 4)
    for bad in (None, 7, ["U0REPA1|2026-W48"], "U0REPA1|2026-W48|4|5", "x" * 3000):
        with pytest.raises(UserError) as refused:
            RepRef.load(bad)
        assert "out of date" in refusals.sentence(refused.value)
