"""The competency rubric (docs/coaching-method.md, "The rubric"): four competencies, each
with four levels that describe what a listener hears on a call, the same for every rep so
levels compare across the team. A workspace may reword them and add its own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.rules.types import whole_number

LEVELS = (1, 2, 3, 4)
MOVED_ON = 4  # a rubric level (or transfer score) of 4+ means the focus can move on
LEVEL_TEXT_MAX = 70  # a level's words are a radio option's text (Slack allows 75)
NAME_MAX = 40
MAX_COMPETENCIES = 10  # four built in, up to six of a workspace's own
TREND_SHOWN = 4  # ratings shown in a trend


@dataclass(frozen=True)
class Competency:
    key: str  # "discovery" for the built-ins, "own:<n>" for a workspace's own
    name: str
    levels: tuple[str, str, str, str]  # what level 1, 2, 3 and 4 sound like on a call

    def level_text(self, level: int) -> str:
        return self.levels[level - 1]


DEFAULT_RUBRIC = (
    Competency(
        "discovery",
        "Discovery",
        (
            "Asks surface qualification questions only: budget, timing, who signs.",
            "Asks about the buyer's problem, but stops at the first answer.",
            "Digs into the problem unasked: how often, what it costs, who feels it.",
            "Quantifies the business impact and ties it to a metric the buyer owns.",
        ),
    ),
    Competency(
        "objection_handling",
        "Objection handling",
        (
            "Argues, or offers a discount at the first push-back.",
            "Acknowledges the objection, then answers with features.",
            "Asks what is behind the objection before answering it.",
            "Reframes it in the buyer's own numbers and wins the next step.",
        ),
    ),
    Competency(
        "multi_threading",
        "Multi-threading",
        (
            "Works the deal through one contact.",
            "Knows who else signs off, but hasn't met them.",
            "Has met the economic buyer and one more stakeholder.",
            "Runs the buying group: 3+ stakeholders met, each with a reason to buy.",
        ),
    ),
    Competency(
        "closing",
        "Closing",
        (
            'Ends calls with "let\'s follow up".',
            "Asks for a next step when the buyer offers one.",
            "Ends every call with a dated next step in the calendar.",
            "Runs a mutual plan to a signature date the buyer agreed to.",
        ),
    ),
)
BUILT_IN_KEYS = tuple(c.key for c in DEFAULT_RUBRIC)


class CompetencyRow(Protocol):
    """A workspace's wording of a built-in competency, or one of its own."""

    key: str
    name: str
    levels: list[str]
    position: int


def own_key(number: int) -> str:
    return f"own:{number}"


def workspace_rubric(rows: Iterable[CompetencyRow]) -> tuple[Competency, ...]:
    """The built-ins (as the workspace words them) in their order, then its own in theirs."""
    edits = {row.key: row for row in rows}

    def as_competency(row: CompetencyRow) -> Competency:
        levels = tuple(row.levels[:4])
        if len(levels) != 4:
            raise ValueError(f"competency {row.key} has {len(levels)} levels, not 4")
        return Competency(row.key, row.name, (levels[0], levels[1], levels[2], levels[3]))

    built_in = [as_competency(edits[c.key]) if c.key in edits else c for c in DEFAULT_RUBRIC]
    own = sorted(
        (row for key, row in edits.items() if key not in BUILT_IN_KEYS),
        key=lambda row: (row.position, row.key),
    )
    return (*built_in, *(as_competency(row) for row in own))


def find(rubric: Sequence[Competency], key: str | None) -> Competency | None:
    return next((c for c in rubric if c.key == key), None) if key else None


def matching_name(rubric: Sequence[Competency], text: str) -> Competency | None:
    """The competency a focus typed before the rubric existed names ("discovery " too)."""
    wanted = text.strip().lower()
    return next((c for c in rubric if c.name.lower() == wanted), None)


def focus_plan(
    rubric: Sequence[Competency],
    current: str | None,
    levels: Mapping[str, int],
    count: int = 3,
) -> tuple[Competency, ...]:
    """The focus now, then the ones after it: in the rubric's order from the current one on,
    passing over any the rep already has at level 4 (all of them, when every one is)."""
    keys = [c.key for c in rubric]
    start = keys.index(current) + 1 if current in keys else 0
    after = [rubric[(start + n) % len(rubric)] for n in range(len(rubric))]
    ahead = [c for c in after if c.key != current and levels.get(c.key, 0) < MOVED_ON] or [
        c for c in after if c.key != current
    ]
    now = [c for c in rubric if c.key == current]
    return tuple([*now, *ahead][:count])


def next_competency(
    rubric: Sequence[Competency], current: str | None, levels: Mapping[str, int] | None = None
) -> Competency:
    """The competency to move on to after `current`: the next in the rubric's order that the
    rep doesn't have at level 4 (the first, after none)."""
    plan = focus_plan(rubric, current, levels or {}, count=len(rubric))
    following = [c for c in plan if c.key != current]
    return following[0] if following else rubric[0]


def check_level(text: str) -> int | None:
    """A level from a form ("1".."4"); None for anything else."""
    level = whole_number(text, range(LEVELS[0], LEVELS[-1] + 1))
    return level if str(level) == text.strip() else None  # a radio's value: "4", never "04"


def trend(history: Sequence[Mapping[str, int]], key: str) -> tuple[int, ...]:
    """A competency's last TREND_SHOWN ratings, oldest first (`history` oldest first, one
    mapping of competency → level per rated week)."""
    levels = [week[key] for week in history if key in week]
    return tuple(levels[-TREND_SHOWN:])


def latest(history: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """Each competency's latest rating (`history` oldest first)."""
    levels: dict[str, int] = {}
    for week in history:
        levels.update(week)
    return levels
