"""The drill library (docs/coaching-method.md, "Drills"): what the rep practises between
1:1s, matched to the focus competency and the kind of gap, plus whatever a workspace adds.

A skill (or will) gap gets a role-play to run on live calls; a knowledge or clarity gap gets
an assignment with a completion criterion instead, since practising what you don't know
doesn't help; a system gap gets nothing: the manager acts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from app.rules.types import Gap


class DrillKind(StrEnum):
    ROLE_PLAY = "role_play"  # practised, then recorded on live calls
    ASSIGNMENT = "assignment"  # done once, to a completion criterion


KINDS = frozenset(kind.value for kind in DrillKind)
GAPS = frozenset(gap.value for gap in Gap)


@dataclass(frozen=True)
class Drill:
    key: str  # "multi_threading" for the built-ins, "custom:<id>" for a workspace's own
    name: str
    scenario: str  # a role-play's situation; an assignment's task
    what_to_say: str  # the script ("" when there is none)
    success: str  # a role-play's success measure; an assignment's completion criterion
    competency: str | None = None  # the rubric competency it trains (None: any)
    gaps: tuple[Gap, ...] = ()  # the gaps it serves (none: never suggested)
    kind: DrillKind = DrillKind.ROLE_PLAY

    @property
    def assignment(self) -> bool:
        return self.kind is DrillKind.ASSIGNMENT

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "scenario": self.scenario,
            "what_to_say": self.what_to_say,
            "success": self.success,
            "competency": self.competency,
            "gaps": [gap.value for gap in self.gaps],
            "kind": self.kind.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Drill:
        """A drill as a 1:1 stored it (those stored before the library knew competencies,
        gaps and kinds read as role-plays for no particular gap)."""
        gaps = tuple(Gap(g) for g in data.get("gaps") or () if g in GAPS)
        kind = data.get("kind")
        return cls(
            key=data["key"],
            name=data["name"],
            scenario=data["scenario"],
            what_to_say=data.get("what_to_say") or "",
            success=data["success"],
            competency=data.get("competency") or None,
            gaps=gaps,
            kind=DrillKind(kind)
            if isinstance(kind, str) and kind in KINDS
            else DrillKind.ROLE_PLAY,
        )


class CustomDrillRow(Protocol):
    id: int
    name: str
    scenario: str
    what_to_say: str | None
    success: str
    competency_key: str | None
    gaps: list[str] | None
    kind: str


def custom(row: CustomDrillRow) -> Drill:
    """A drill a workspace added, as the rest of the loop sees drills."""
    return Drill.from_json(
        {
            "key": f"custom:{row.id}",
            "name": row.name,
            "scenario": row.scenario,
            "what_to_say": row.what_to_say,
            "success": row.success,
            "competency": row.competency_key,
            "gaps": row.gaps or [],
            "kind": row.kind,
        }
    )


PRACTISED = (Gap.SKILL, Gap.WILL)
LEARNED = (Gap.KNOWLEDGE,)
A = DrillKind.ASSIGNMENT

STARTING_LIBRARY = (
    Drill(
        "discovery_deep_dive",
        "Discovery deep-dive",
        'The buyer says their current process is "fine".',
        "Ask three follow-ups on the problem: how often it happens, what it costs, who feels "
        "it. Then say the cost back in their numbers.",
        "You leave the call with one number the buyer owns tied to the problem.",
        "discovery",
        PRACTISED,
    ),
    Drill(
        "objection_reframe",
        "Objection reframe",
        'The CFO says: "you\'re 20% more expensive."',
        "Reframe the cost as an investment, without discounting.",
        "The CFO agrees to a business-case review.",
        "objection_handling",
        PRACTISED,
    ),
    Drill(
        "multi_threading",
        "Multi-threading",
        "You're stuck with one champion.",
        "Ask who else signs off, what legal and IT need, and how to meet each of them.",
        "You name 3+ stakeholders and book a group meeting.",
        "multi_threading",
        PRACTISED,
    ),
    Drill(
        "close_next_step",
        "Close the next step",
        "A warm prospect, and you've been avoiding the ask.",
        'Ask for a specific date and time, not "let\'s follow up".',
        "You leave the call with a date and time in the calendar.",
        "closing",
        PRACTISED,
    ),
    Drill(
        "discovery_outcomes",
        "Know the outcomes we sell",
        "Find the three business outcomes our best customers bought us for, from two "
        "won deals' notes or their reps.",
        "",
        "You send your manager the three outcomes, each with one customer's number.",
        "discovery",
        LEARNED,
        A,
    ),
    Drill(
        "objection_answers",
        "Know the answers to the top objections",
        "Collect the three objections our deals hear most and the answer our best rep gives "
        "to each.",
        "",
        "You send your manager each objection with its answer in one sentence.",
        "objection_handling",
        LEARNED,
        A,
    ),
    Drill(
        "legal_buying_process",
        "Learn the legal buying process",
        "Find out how a customer's legal team buys: who reviews, what they ask for, how long "
        "it takes. Ask a rep who closed through legal.",
        "",
        "You send your manager a three-sentence summary of the legal buying process.",
        "multi_threading",
        LEARNED,
        A,
    ),
    Drill(
        "signature_steps",
        "Map the steps to a signature",
        "Write down every step a customer takes from a verbal yes to a signed order, and who "
        "signs each one.",
        "",
        "You send your manager the steps, with who owns each, for one open deal.",
        "closing",
        LEARNED,
        A,
    ),
    Drill(
        "shared_scorecard",
        "Write back the shared scorecard",
        "In your own words, write down what the two of you agreed: the number, the deals "
        "that make it, and the dates.",
        "",
        "You send it to your manager the same day, and they confirm it matches.",
        None,
        (Gap.CLARITY,),
        A,
    ),
)
BUILT_IN = {drill.key: drill for drill in STARTING_LIBRARY}


def library(own: Sequence[Drill]) -> tuple[Drill, ...]:
    """The drills a 1:1 may set: the workspace's own first, then the starting library."""
    return (*own, *STARTING_LIBRARY)


def suggested(library: Sequence[Drill], competency: str | None, gap: Gap | None) -> Drill | None:
    """The drill the diagnosis points to: one for this gap that trains the focus
    competency, else one for this gap and any competency; the workspace's own first (they
    come first in `library`). None for a system gap, or when nothing fits."""
    if gap is None or gap is Gap.SYSTEM:
        return None
    for_gap = [d for d in library if gap in d.gaps]
    return next((d for d in for_gap if competency and d.competency == competency), None) or next(
        (d for d in for_gap if d.competency is None), None
    )
