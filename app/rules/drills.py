"""The drill library: the method's starting three (docs/coaching-method.md),
plus whatever a workspace adds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Drill:
    key: str  # "multi_threading" for the built-ins, "custom:<id>" or "custom" otherwise
    name: str
    scenario: str
    what_to_say: str
    success: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Drill:
        return cls(
            key=data["key"],
            name=data["name"],
            scenario=data["scenario"],
            what_to_say=data.get("what_to_say") or "",
            success=data["success"],
        )


class CustomDrillRow(Protocol):
    id: int
    name: str
    scenario: str
    what_to_say: str | None
    success: str


def custom(row: CustomDrillRow) -> Drill:
    """A drill a workspace added, as the rest of the loop sees drills."""
    return Drill(f"custom:{row.id}", row.name, row.scenario, row.what_to_say or "", row.success)


STARTING_LIBRARY = (
    Drill(
        "multi_threading",
        "Multi-threading",
        "You're stuck with one champion.",
        "Ask who else signs off, what legal and IT need, and how to meet each of them.",
        "You name 3+ stakeholders and book a group meeting.",
    ),
    Drill(
        "objection_reframe",
        "Objection reframe",
        'The CFO says: "you\'re 20% more expensive."',
        "Reframe the cost as an investment, without discounting.",
        "The CFO agrees to a business-case review.",
    ),
    Drill(
        "close_next_step",
        "Close the next step",
        "A warm prospect, and you've been avoiding the ask.",
        'Ask for a specific date and time, not "let\'s follow up".',
        "You leave the call with a date and time in the calendar.",
    ),
)
BUILT_IN = {drill.key: drill for drill in STARTING_LIBRARY}

COMPETENCIES = ("Discovery", "Objection handling", "Multi-threading", "Closing")


def next_competency(current: str | None) -> str:
    """The rubric competency after `current` (the first one after a custom or no focus)."""
    names = [c.lower() for c in COMPETENCIES]
    key = (current or "").strip().lower()
    if key not in names:
        return COMPETENCIES[0]
    return COMPETENCIES[(names.index(key) + 1) % len(COMPETENCIES)]
