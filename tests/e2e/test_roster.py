from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from app.db.models import Person
from app.deps import Deps
from app.rules.types import Role
from tests.support.factories import ORG_CSV, TEAM_ID, count_rows, seed_org
from tests.support.processes import coach_env, run_coach


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
