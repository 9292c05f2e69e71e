"""What a manager writes in the GROW form beyond goal, reality, options and the commitment:
the number the commitment is held to and what its follow-up checks, with the follow-up date
left as the form proposes it."""

from __future__ import annotations

from typing import Any

from app.rules.form_fields import GrowField
from app.sandbox.driver import left_as_shown, typed

NUMBER = "the $40K Acme deal at proposal by Friday"
CHECK = "price reframes on the next 3 pricing calls"


def held_to(view: dict[str, Any], number: str = NUMBER, check: str = CHECK) -> dict[str, Any]:
    """The GROW form's number and follow-up, as a submission's state values."""
    return {
        **left_as_shown(view, GrowField.FOLLOW_UP_ON),
        GrowField.ACCOUNTABILITY: typed(number),
        GrowField.FOLLOW_UP_CHECK: typed(check),
    }
