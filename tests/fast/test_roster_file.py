"""Roster files: columns, line-numbered problems, and the reporting hierarchy's rules."""

from __future__ import annotations

import pytest

from app.rules.types import Role
from app.services.roster import RosterInvalid, parse_roster_csv
from tests.support.factories import ORG_CSV

HEADER = "slack_user_id,role,manager_slack_user_id\n"


def problems_of(text: str) -> list[str]:
    with pytest.raises(RosterInvalid) as caught:
        parse_roster_csv(text)
    return [str(p) for p in caught.value.problems]


def test_valid_file_parses_with_optional_columns() -> None:
    entries = {e.slack_user_id: e for e in parse_roster_csv(ORG_CSV)}
    assert entries["U0REPA1"].role is Role.REP
    assert entries["U0REPA1"].manager_slack_user_id == "U0MGRA"
    assert entries["U0REPA1"].timezone == "America/Los_Angeles"
    assert entries["U0DIR"].manager_slack_user_id is None


def test_each_bad_row_is_reported_by_line_number() -> None:
    text = HEADER + "U0MGR,manager,\nU0REP1,boss,U0MGR\nnot-an-id,rep,U0MGR\nU0REP2,rep,U0MGR\n"
    problems = problems_of(text)
    assert problems == [
        "line 3: role 'boss' is not one of rep, manager, director, admin",
        "line 4: slack_user_id 'not-an-id' is not a Slack user id (like U012AB3CD)",
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("U0REP1,rep,\n", "line 2: rep U0REP1 has no manager_slack_user_id"),
        ("U0REP1,rep,U0NOBODY\n", "line 2: manager U0NOBODY of U0REP1 is not on the roster"),
        ("U0MGR,manager,\nU0MGR,rep,U0MGR\n", "line 3: U0MGR is already listed on line 2"),
        (
            "U0REP1,rep,U0REP2\nU0REP2,rep,U0DIR\nU0DIR,director,\n",
            "line 2: U0REP1 (rep) cannot report to U0REP2, who is a rep; "
            "their manager must be a director or manager",
        ),
        ("U0DIR,director,U0DIR\n", "line 2: U0DIR cannot be their own manager"),
        ("U0REP1,rep,U0MGR\nU0MGR,manager,\n,,\n", None),  # blank line is fine
    ],
)
def test_hierarchy_rules(rows: str, expected: str | None) -> None:
    if expected is None:
        assert len(parse_roster_csv(HEADER + rows)) == 2
    else:
        assert expected in problems_of(HEADER + rows)


def test_reporting_loops_are_found() -> None:
    text = HEADER + "U0D1,director,U0D2\nU0D2,director,U0D3\nU0D3,director,U0D1\n"
    problems = problems_of(text)
    assert len(problems) == 1
    assert "reporting lines form a loop" in problems[0]


def test_header_and_empty_file() -> None:
    assert "missing: manager_slack_user_id" in problems_of("slack_user_id,role\nU0A,rep\n")[0]
    assert problems_of(HEADER) == ["the file lists nobody: add one row per person"]


def test_bad_timezone_and_email() -> None:
    text = "slack_user_id,role,manager_slack_user_id,email,timezone\nU0D,director,,nope,Mars/Base\n"
    assert problems_of(text) == [
        "line 2: email 'nope' is not an email address",
        "line 2: timezone 'Mars/Base' is not an IANA time zone (like Europe/Berlin)",
    ]
