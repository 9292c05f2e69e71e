"""The rubric's wording and order, and the drill the diagnosis suggests for each gap."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.rules import drills, rubric
from app.rules.drills import BUILT_IN, Drill, DrillKind
from app.rules.rubric import DEFAULT_RUBRIC
from app.rules.types import Gap


@dataclass
class Row:
    key: str
    name: str
    levels: list[str] = field(default_factory=lambda: ["a", "b", "c", "d"])
    position: int = 0


def test_every_level_fits_a_radio_option_and_says_something_different() -> None:
    for competency in DEFAULT_RUBRIC:
        assert all(len(text) <= rubric.LEVEL_TEXT_MAX for text in competency.levels)
        assert len(set(competency.levels)) == 4
    assert [c.name for c in DEFAULT_RUBRIC] == [
        "Discovery",
        "Objection handling",
        "Multi-threading",
        "Closing",
    ]


def test_a_workspace_rewords_built_ins_in_place_and_adds_its_own_after_them() -> None:
    found = rubric.workspace_rubric(
        [
            Row("own:2", "Negotiation", position=2),
            Row("closing", "Closing the deal"),
            Row("own:1", "Demo", position=1),
        ]
    )
    assert [c.key for c in found] == [*rubric.BUILT_IN_KEYS, "own:1", "own:2"]
    assert found[3].name == "Closing the deal" and found[3].levels == ("a", "b", "c", "d")
    assert found[0] == DEFAULT_RUBRIC[0]  # untouched
    with pytest.raises(ValueError):
        rubric.workspace_rubric([Row("own:1", "Broken", levels=["a"])])


def test_the_next_competency_follows_the_rubric_and_wraps() -> None:
    found = rubric.workspace_rubric([Row("own:1", "Demo")])
    assert rubric.next_competency(found, "discovery").key == "objection_handling"
    assert rubric.next_competency(found, "closing").key == "own:1"
    assert rubric.next_competency(found, "own:1").key == "discovery"
    assert rubric.next_competency(found, None).key == "discovery"
    assert rubric.matching_name(found, " multi-threading ") == found[2]


def test_levels_trend_oldest_first_and_only_where_rated() -> None:
    history = [{"discovery": 1}, {"discovery": 2, "closing": 3}, {}, {"discovery": 2}]
    assert rubric.trend(history, "discovery") == (1, 2, 2)
    assert rubric.trend(history, "closing") == (3,)
    assert rubric.latest(history) == {"discovery": 2, "closing": 3}
    assert rubric.trend([{"discovery": n} for n in (1, 2, 3, 4, 4)], "discovery") == (2, 3, 4, 4)
    assert [rubric.check_level(t) for t in ("1", " 4 ", "0", "5", "²", "")] == [
        1,
        4,
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("competency", "gap", "expected"),
    [
        ("discovery", Gap.SKILL, "discovery_deep_dive"),
        ("discovery", Gap.KNOWLEDGE, "discovery_outcomes"),
        ("multi_threading", Gap.KNOWLEDGE, "legal_buying_process"),
        ("objection_handling", Gap.SKILL, "objection_reframe"),
        ("closing", Gap.WILL, "close_next_step"),
        ("closing", Gap.CLARITY, "shared_scorecard"),
        ("own:1", Gap.CLARITY, "shared_scorecard"),  # any competency
        ("own:1", Gap.SKILL, None),  # nothing trains a workspace's own yet
        ("discovery", Gap.SYSTEM, None),  # the manager acts
        (None, None, None),
    ],
)
def test_the_suggested_drill_fits_the_focus_and_the_gap(
    competency: str | None, gap: Gap | None, expected: str | None
) -> None:
    found = drills.suggested(drills.STARTING_LIBRARY, competency, gap)
    assert (found.key if found else None) == expected


def test_a_knowledge_gap_is_never_given_a_role_play_nor_a_skill_gap_an_assignment() -> None:
    for competency in rubric.BUILT_IN_KEYS:
        learned = drills.suggested(drills.STARTING_LIBRARY, competency, Gap.KNOWLEDGE)
        practised = drills.suggested(drills.STARTING_LIBRARY, competency, Gap.SKILL)
        assert learned is not None and learned.assignment, competency
        assert practised is not None and not practised.assignment, competency


def test_the_workspaces_own_drill_comes_first() -> None:
    own = Drill("custom:7", "Our discovery", "s", "", "ok", "discovery", (Gap.SKILL,))
    found = drills.suggested(drills.library([own]), "discovery", Gap.SKILL)
    assert found == own


def test_a_drill_stored_before_kinds_and_gaps_reads_as_a_role_play() -> None:
    old = {"key": "multi_threading", "name": "Multi-threading", "scenario": "s", "success": "x"}
    drill = Drill.from_json(old)
    assert drill.kind is DrillKind.ROLE_PLAY and drill.gaps == () and drill.competency is None
    forged = {**old, "kind": "rocket", "gaps": ["skill", "nonsense", 3]}
    assert Drill.from_json(forged).kind is DrillKind.ROLE_PLAY
    assert Drill.from_json(forged).gaps == (Gap.SKILL,)
    assert (
        Drill.from_json(BUILT_IN["discovery_outcomes"].as_json()) == BUILT_IN["discovery_outcomes"]
    )


def test_a_competency_form_is_checked_field_by_field() -> None:
    from app.rules.form_fields import CompetencyField
    from app.rules.refusals import FieldErrors, Refusal
    from app.services.rubric import CompetencyInput, check_competency

    good = ("Lists features.", "Tells a story.", "Tells theirs.", "They retell it.")
    name, levels = check_competency(
        CompetencyInput("", "  Demo   storytelling ", good), DEFAULT_RUBRIC
    )
    assert name == "Demo storytelling" and levels == good
    cases = [
        (CompetencyInput("", "", good), CompetencyField.NAME, Refusal.NAME_THE_COMPETENCY),
        (
            CompetencyInput("", "x" * 41, good),
            CompetencyField.NAME,
            Refusal.COMPETENCY_NAME_TOO_LONG,
        ),
        (CompetencyInput("", "CLOSING", good), CompetencyField.NAME, Refusal.COMPETENCY_NAME_TAKEN),
        (CompetencyInput("own:9", "Demo", good), CompetencyField.NAME, Refusal.COMPETENCY_GONE),
        (
            CompetencyInput("", "Demo", ("", *good[1:])),  # type: ignore[arg-type]
            CompetencyField.level(1),
            Refusal.DESCRIBE_THE_LEVEL,
        ),
        (
            CompetencyInput("", "Demo", (*good[:3], "y" * 71)),  # type: ignore[arg-type]
            CompetencyField.level(4),
            Refusal.LEVEL_TEXT_TOO_LONG,
        ),
    ]
    for form, field_name, refusal in cases:
        with pytest.raises(FieldErrors) as refused:
            check_competency(form, DEFAULT_RUBRIC)
        assert refused.value.errors == {field_name: refusal}
    # Its own name is no clash when rewording; a full rubric takes no more.
    check_competency(CompetencyInput("closing", "Closing", good), DEFAULT_RUBRIC)
    full = rubric.workspace_rubric([Row(f"own:{n}", f"Own {n}") for n in range(1, 7)])
    with pytest.raises(FieldErrors) as refused:
        check_competency(CompetencyInput("", "Eleventh", good), full)
    assert refused.value.errors == {CompetencyField.NAME: Refusal.TOO_MANY_COMPETENCIES}


def test_the_focus_plan_passes_over_what_the_rep_has_mastered() -> None:
    keys = lambda plan: [c.key for c in plan]  # noqa: E731
    assert keys(rubric.focus_plan(DEFAULT_RUBRIC, "discovery", {})) == [
        "discovery",
        "objection_handling",
        "multi_threading",
    ]
    levels = {"objection_handling": 4, "closing": 2}
    assert keys(rubric.focus_plan(DEFAULT_RUBRIC, "discovery", levels)) == [
        "discovery",
        "multi_threading",
        "closing",
    ]
    assert rubric.next_competency(DEFAULT_RUBRIC, "discovery", levels).key == "multi_threading"
    assert keys(rubric.focus_plan(DEFAULT_RUBRIC, None, {"discovery": 4}, count=2)) == [
        "objection_handling",
        "multi_threading",
    ]
    everything = {c.key: 4 for c in DEFAULT_RUBRIC}
    assert rubric.next_competency(DEFAULT_RUBRIC, "closing", everything).key == "discovery"
