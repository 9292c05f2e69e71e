from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.deps import Deps
from app.rules.types import Role
from app.services.roster import RosterInvalid, parse_roster_csv
from tests.conftest import ORG_CSV, TEAM_ID, count_rows, seed_org
from tests.processes import coach_env, run_coach

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


async def _people(deps: Deps) -> dict[str, Person]:
    async with deps.db() as session:
        return {p.slack_user_id: p for p in (await session.scalars(select(Person))).all()}


async def test_import_creates_hierarchy_and_reimport_deactivates_missing(deps: Deps) -> None:
    await seed_org(deps)
    people = await _people(deps)
    assert len(people) == 7
    assert people["U0REPA1"].manager_id == people["U0MGRA"].id
    assert people["U0MGRA"].manager_id == people["U0DIR"].id
    assert people["U0REPA1"].tz == "America/Los_Angeles"

    # Ben leaves, Ana moves to Omar's team: updated in place, Ben kept but inactive.
    smaller = ORG_CSV.replace("U0REPA2,rep,U0MGRA,ben@example.com,America/New_York\n", "")
    smaller = smaller.replace("U0REPA1,rep,U0MGRA", "U0REPA1,rep,U0MGRB")
    await seed_org(deps, smaller)
    people = await _people(deps)
    assert len(people) == 7
    assert people["U0REPA2"].active is False
    assert people["U0REPA1"].manager_id == people["U0MGRB"].id
    assert all(p.active for uid, p in people.items() if uid != "U0REPA2")


def run_cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_coach(*args, env=coach_env(database_url), cwd=cwd)


async def test_cli_import_with_one_bad_row_changes_nothing(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    bad = ORG_CSV + "U0NEW,rep,U0GHOST\n"
    (tmp_path / "roster.csv").write_text(bad)
    result = run_cli(
        "roster", "import", str(tmp_path / "roster.csv"), database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "roster.csv line 9: manager U0GHOST of U0NEW is not on the roster" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert await count_rows(deps) == before


async def test_cli_import_good_file_then_summary(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "roster.csv").write_text(ORG_CSV)
    result = run_cli(
        "roster", "import", "roster.csv", "--team", TEAM_ID, database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "7 added" in result.stdout
    assert "3 reps, 2 managers, 1 director, 1 admin" in result.stdout
    people = await _people(deps)
    assert {p.role for p in people.values()} == set(Role)


async def test_cli_import_needs_a_team_the_first_time(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "roster.csv").write_text(ORG_CSV)
    result = run_cli("roster", "import", "roster.csv", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert "pass --team" in result.stderr
    assert (await count_rows(deps))["person"] == 0


def test_cli_import_missing_file(database_url: str, tmp_path: Path) -> None:
    result = run_cli("roster", "import", "nope.csv", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "There is no file at nope.csv: check the path."
