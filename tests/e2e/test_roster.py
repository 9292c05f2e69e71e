from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.delivery.roster_import import import_roster
from app.deps import Deps
from app.rules.types import Role
from app.services.roster import RosterInvalid
from tests.support.factories import ORG_CSV, TEAM_ID, count_rows, empty_tables, seed_org
from tests.support.processes import coach_env, run_coach
from tests.support.statements import recorded_statements


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


# --- rosters of thousands: batched writes, all or nothing, idempotent ----------------------


def big_roster(reps: int, managers: int = 10) -> str:
    lines = ["slack_user_id,role,manager_slack_user_id,email,timezone", "U0DIR,director,,,"]
    lines += [f"U0M{m:04d},manager,U0DIR,,Europe/Berlin" for m in range(managers)]
    lines += [
        f"U0R{r:06d},rep,U0M{r % managers:04d},rep{r}@example.com,Asia/Kolkata" for r in range(reps)
    ]
    return "\n".join(lines) + "\n"


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


async def test_a_big_roster_is_written_in_batches_not_a_statement_per_person(deps: Deps) -> None:
    with recorded_statements(*deps.engines) as small:
        await import_roster(deps, big_roster(289), TEAM_ID, None)  # 300 people
    await empty_tables(deps)
    with recorded_statements(*deps.engines) as big:
        report = await import_roster(deps, big_roster(2_989), TEAM_ID, None)  # 3,000 people
    assert report.summary.created == 3_000
    # 2,000 people at most a batch (one SELECT), 1,000 rows at most an INSERT page (SQLAlchemy's
    # insertmanyvalues): ten times the people cost a few statements more, not 2,700
    assert len(big) <= len(small) + 4, big
    people = await _people(deps)
    assert people["U0R002988"].manager_id == people["U0M0008"].id
    assert people["U0M0008"].manager_id == people["U0DIR"].id
    assert people["U0R002988"].tz == "Asia/Kolkata"


async def test_a_reimport_changes_only_what_the_file_changes(deps: Deps) -> None:
    roster = big_roster(2_989)
    await import_roster(deps, roster, TEAM_ID, None)
    before = await _people(deps)

    with recorded_statements(*deps.engines) as again:
        report = await import_roster(deps, roster, TEAM_ID, None)
    assert report.summary.describe().startswith(
        "Roster imported: 0 added, 0 updated, 3000 unchanged, 0 deactivated"
    )
    assert writes(again) == [s for s in writes(again) if "workspace" in s]  # no person written
    assert {u: p.updated_at for u, p in (await _people(deps)).items()} == {
        u: p.updated_at for u, p in before.items()
    }

    moved = roster.replace("U0R000007,rep,U0M0007", "U0R000007,rep,U0M0001")
    moved = moved.replace("U0R000008,rep,U0M0008,rep8@example.com,Asia/Kolkata\n", "")
    report = await import_roster(deps, moved, TEAM_ID, None)
    assert (report.summary.created, report.summary.updated) == (0, 1)
    assert (report.summary.unchanged, report.summary.deactivated) == (2_998, 1)
    people = await _people(deps)
    assert people["U0R000007"].manager_id == people["U0M0001"].id
    assert people["U0R000008"].active is False


async def test_one_bad_line_near_the_end_of_ten_thousand_writes_nothing(deps: Deps) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    lines = big_roster(9_989).splitlines(keepends=True)  # 10,000 people on lines 2..10,001
    lines[9_998] = "U0LATE,rep,U0M0001,late@example.com,Mars/Base\n"  # line 9,999
    with pytest.raises(RosterInvalid) as caught:
        await import_roster(deps, "".join(lines), TEAM_ID, None)
    assert [str(p) for p in caught.value.problems] == [
        "line 9999: timezone 'Mars/Base' is not an IANA time zone (like Europe/Berlin)"
    ]
    assert await count_rows(deps) == before


async def test_cli_import_of_a_file_not_utf8_deep_inside_changes_nothing(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    path = tmp_path / "roster.csv"
    path.write_bytes(
        big_roster(5_000).encode() + "U0ZOE,rep,U0M0001,zoë@x.com,\n".encode("latin-1")
    )
    result = run_cli("roster", "import", str(path), database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{path} is not UTF-8 text: save it as CSV (UTF-8) and try again."
    )
    assert await count_rows(deps) == before
