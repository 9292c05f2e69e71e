"""Exports and erasure on the scripted four-week team (tests/support/four_weeks.py): the CSV
each lead gets equals rows worked out by hand from the script; the wrong person gets nothing;
a person's own JSON is theirs; erasure leaves no trace of the person's text in any column of
any table, and the team's figures stay as they were."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from app import cli
from app.db.models import ChartImage
from app.db.store import Store
from app.rules.exports import HEADER, safe_cell
from app.sandbox.server import SlackSandbox
from app.services import erasure, scorecard_data
from app.slack.ids import Action
from tests.support.factories import TEAM_ID
from tests.support.four_weeks import ROSTER, ZONES, Script, at, play
from tests.support.week import Week, open_week

ADMIN = "U0ADA"
ANA_LINK = "https://app.gong.io/call?id=ana-practice-take"
ANA_NOTE = "nervous about pricing with Hooli"

# One row per rep per week, worked out from the script (tests/support/four_weeks.py):
# week, rep, name (none read from Slack here), manager, status, deals, gap, focus, 1:1, drill,
# recordings, committed, transfer, helpfulness (the 4-week average, from 3 ratings on),
# deals moved, deals settled.
ANA = [
    # W45: 2 deals shared, 1 of 2 moved; her one rating (7) is not shown alone.
    "2026-W45,U0ANA,,U0MAYA,active,2,skill,Discovery,held,recorded,1,1,2,,1,2",
    "2026-W46,U0ANA,,U0MAYA,active,1,skill,Discovery,held,recorded,1,1,2,,1,1",
    "2026-W47,U0ANA,,U0MAYA,paused,0,,,,,0,,,,0,0",  # out of office
    # W48: ratings 7, 8 and 6 over her counted weeks: 7.0, as Maya's digest shows it.
    "2026-W48,U0ANA,,U0MAYA,active,0,skill,Discovery,held,recorded,1,1,,7.0,0,0",
]
BEN = [
    "2026-W45,U0BEN,,U0MAYA,active,0,skill,Closing,held,not recorded,0,1,,,0,0",
    "2026-W46,U0BEN,,U0MAYA,active,0,skill,Closing,held,recorded,1,1,4,,0,0",
    "2026-W47,U0BEN,,U0MAYA,active,0,skill,Closing,held,not recorded,0,1,,,0,0",
    "2026-W48,U0BEN,,U0MAYA,active,0,skill,Closing,not held,,0,,,,0,0",
]
CHEN = [
    "2026-W45,U0CHEN,,U0MAYA,active,0,skill,Objection handling,held,recorded,1,1,3,,0,0",
    "2026-W46,U0CHEN,,U0MAYA,active,0,skill,Objection handling,held,not recorded,0,1,,,0,0",
    "2026-W47,U0CHEN,,U0MAYA,active,0,skill,Objection handling,held,recorded,1,1,3,,0,0",
    "2026-W48,U0CHEN,,U0MAYA,active,0,skill,Objection handling,held,not recorded,0,1,,,0,0",
]
DEV = [
    "2026-W45,U0DEV,,U0MAYA,active,0,,,,,0,,,,0,0",
    "2026-W46,U0DEV,,U0MAYA,active,0,will,Multi-threading,held,recorded,1,1,3,,0,0",
    # His pause starts on Saturday of W47: W48 is the paused week.
    "2026-W47,U0DEV,,U0MAYA,active,0,,,,,0,,,,0,0",
    "2026-W48,U0DEV,,U0MAYA,paused,0,,,,,0,,,,0,0",
]
EVE = [
    "2026-W45,U0EVE,,U0OMAR,active,0,,,,,0,,,,0,0",
    "2026-W46,U0EVE,,U0OMAR,active,0,,,,,0,,,,0,0",
    "2026-W47,U0EVE,,U0OMAR,active,0,,,,,0,,,,0,0",
    "2026-W48,U0EVE,,U0OMAR,active,0,skill,Closing,held,not recorded,0,1,,,0,0",
]
MAYA_ROWS = [*ANA, *BEN, *CHEN, *DEV]
EVERYONE = [*MAYA_ROWS, *EVE]


@pytest.fixture
async def team(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    roster = ROSTER + f"{ADMIN},admin,,Europe/London\n"
    zones = {**ZONES, ADMIN: "Europe/London"}
    async with open_week(database_url, sandbox, roster, zones, at(45, 0)) as week:
        await play(Script(week))
        week.clock.set(at(48, 5, 2))  # Saturday 02:00 UTC: still W48 for every zone here
        yield week


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def expected(lines: list[str]) -> list[list[str]]:
    return [list(HEADER), *(next(csv.reader([line])) for line in lines)]


async def exported(team: Week, user: str, command: str, words: str) -> tuple[str, bytes | None]:
    """What `user` reads under the command, and the file that reached their DM (if one)."""
    before = set(team.sandbox.state.files)
    answer = await team.driver.command(user, command, words)
    said = json.loads(answer.text)["text"] if answer.text else ""
    dm = team.sandbox.state.dm_channel(user)
    new = [f for k, f in team.sandbox.state.files.items() if k not in before]
    assert all(f.channels == [dm] for f in new), "a file went somewhere else than the DM"
    return said, new[0].uploaded if new else None


async def test_each_lead_gets_their_scope_as_the_hand_computed_rows(team: Week) -> None:
    said, maya = await exported(team, "U0MAYA", "/coach", "export")
    assert maya is not None and csv_rows(maya) == expected(MAYA_ROWS)
    assert said == (
        "It's in your DM with coach. Here's your team's coaching history, 4 weeks × 4 reps "
        "up to 2026-W48. Private notes are not included."
    )
    _, omar = await exported(team, "U0OMAR", "/coach", "export")
    assert omar is not None and csv_rows(omar) == expected(EVE)  # never Maya's team
    said, dana = await exported(team, "U0DANA", "/coach", "export")
    assert dana is not None and csv_rows(dana) == expected(EVERYONE)
    assert "your teams' coaching history, 4 weeks × 5 reps" in said
    said, admin = await exported(team, ADMIN, "/coach", "export")
    assert admin is not None and csv_rows(admin) == expected(EVERYONE)
    assert "everyone's coaching history" in said
    for data in (maya, dana, admin):  # no typed note text, ever
        assert b"Commitment" not in data and b"the number of" not in data
        assert b"Win the next step" not in data and b"Lost control" not in data
    async with team.deps.db() as session:
        actions = (await session.execute(text("SELECT action FROM audit_log"))).scalars().all()
    assert actions == ["export_history"] * 4


async def test_the_admins_home_button_sends_the_history_by_dm(team: Week) -> None:
    home = {"ts": "1.0", "blocks": []}
    state = team.sandbox.state

    async def click(user: str) -> list[Any]:
        before = set(state.files)
        await team.driver.click(user, Action.EXPORT_HISTORY, "csv", message=home)
        await team.settle()
        return [f for k, f in state.files.items() if k not in before]

    [sent] = await click(ADMIN)
    assert sent.channels == [state.dm_channel(ADMIN)] and sent.uploaded is not None
    assert csv_rows(sent.uploaded) == expected(EVERYONE)
    assert "everyone's coaching history" in str(state.messages[state.dm_channel(ADMIN)][-1].text)
    # A rep's forged click sends nothing anywhere.
    assert await click("U0ANA") == []
    assert not any(m.files for m in state.messages.get(state.dm_channel("U0ANA"), []))
    # An upload Slack refuses is said in the DM instead: the click had nowhere to answer.
    team.sandbox.fail_uploads(1, status=500)
    assert [f.uploaded for f in await click(ADMIN)] == [None]
    last = state.messages[state.dm_channel(ADMIN)][-1]
    assert last.text == "I couldn't put the file in your DM just now: try again in a minute."


async def test_the_wrong_person_gets_nothing(team: Week) -> None:
    said, file = await exported(team, "U0ANA", "/coach", "export")
    assert file is None
    assert said == (
        "Team exports are for managers, directors and admins: `/drill export` gives you "
        "everything coach holds about you."
    )
    for user in ("U0MAYA", "U0DANA", "U0BEN"):
        said, file = await exported(team, user, "/coach", "export <@U0ANA>")
        assert file is None
        assert said.startswith("Only a coach admin can export someone else's data: ask <@U0ADA>")
    said, file = await exported(team, "U0ZED", "/coach", "export")
    assert file is None and "not on the coaching roster" in said
    async with team.deps.db() as session:
        assert (await session.execute(text("SELECT count(*) FROM audit_log"))).scalar() == 0


async def test_a_persons_own_json_is_theirs_and_the_admins_has_the_notes(team: Week) -> None:
    async with team.deps.db.begin() as session:  # Maya's private note on Ana's last 1:1
        await session.execute(
            text(
                "UPDATE one_on_one SET private_notes = 'watch her confidence' WHERE id = ("
                "SELECT o.id FROM one_on_one o JOIN person p ON p.id = o.person_id "
                "WHERE p.slack_user_id = 'U0ANA' AND o.cycle_week = '2026-W48')"
            )
        )
    said, own = await exported(team, "U0ANA", "/drill", "export")
    assert own is not None and said.startswith("It's in your DM with coach. Here's everything")
    mine = json.loads(own)
    assert mine["person"]["slack_user_id"] == "U0ANA"
    assert mine["team"]["manager"] == "U0MAYA"
    assert [d["name"] for s in mine["deals_submitted"] for d in s["deals"]] == [
        "Acme",
        "Globex",
        "Initech",
    ]
    assert {o["commitment"] for o in mine["one_on_ones"]} == {
        f"Commitment U0ANA W{n}" for n in (45, 46, 48)
    }
    assert [r["score"] for r in mine["helpfulness_ratings"]] == [7, 8, 6]
    assert all("private_notes" not in o for o in mine["one_on_ones"])
    for other in ("U0BEN", "U0CHEN", "U0DEV", "U0EVE"):
        assert other not in own.decode()

    _, full = await exported(team, ADMIN, "/coach", "export <@U0ANA>")
    assert full is not None
    notes = {o["cycle_week"]: o["private_notes"] for o in json.loads(full)["one_on_ones"]}
    assert notes["2026-W48"] == "watch her confidence"
    async with team.deps.db() as session:
        audited = (await session.execute(text("SELECT action FROM audit_log"))).scalars().all()
    assert audited == ["export_person", "export_person"]


async def _figures(team: Week) -> tuple[Any, ...]:
    async with team.deps.db() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        maya = await store.person(workspace.id, "U0MAYA")
        dana = await store.person(workspace.id, "U0DANA")
        assert maya is not None and dana is not None
        view = await scorecard_data.team_view(store, maya, "2026-W48")
        director = await scorecard_data.director_view(store, dana, "2026-W48")
    return (
        view.coverage,
        view.coverage_trend,
        view.coaching_minutes,
        view.diagnosed_first,
        director.total,
        [(m.coverage, m.coaching_minutes) for m in director.managers],
    )


async def _erase(team: Week) -> erasure.Erased:
    async with team.deps.db.begin() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        return await erasure.erase_person(store, workspace.id, "U0ANA", team.clock(), None)


async def _every_text(team: Week) -> list[tuple[str, str, str]]:
    """(table, column, value) of every value in every column of every table."""
    found = []
    async with team.deps.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            result = await connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in result.mappings():
                found += [(table, k, str(v)) for k, v in row.items() if v is not None]
    return found


async def test_erasure_leaves_no_trace_and_the_team_figures_unchanged(team: Week) -> None:
    answer = await team.driver.command("U0ANA", "/drill", f"done {ANA_LINK} {ANA_NOTE}")
    assert "Recorded your" in answer.json()["text"]
    await team.settle()  # the Homes it refreshes
    async with team.deps.db.begin() as session:
        await session.execute(
            text(
                "UPDATE person SET display_name = 'Ana Lindqvist', email = 'ana@example.com' "
                "WHERE slack_user_id = 'U0ANA'"
            )
        )
    before = await _figures(team)
    _, history = await exported(team, ADMIN, "/coach", "export")
    assert history is not None
    ana_texts = [
        "U0ANA",
        "Ana Lindqvist",
        "ana@example.com",
        "Acme",
        "Globex",
        "Initech",
        ANA_LINK,
        ANA_NOTE,
        *(f"Commitment U0ANA W{n}" for n in (45, 46, 48)),
        *(f"the number of U0ANA W{n}" for n in (45, 46, 48)),
    ]
    assert {t for t in ana_texts for _, _, v in await _every_text(team) if t in v} == set(ana_texts)

    # Her own trend chart, and a lead's chart whose words name her: both go with her.
    async with team.deps.db.begin() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        for who, words in (("U0ANA", "Transfer score: W45 2."), ("U0DANA", "Ana Lindqvist W48 1")):
            person = await store.person(workspace.id, who)
            assert person is not None
            await store.keep_chart(
                ChartImage(
                    person_id=person.id,
                    cycle_week="2026-W48",
                    kind="rep" if who == "U0ANA" else "director",
                    file_id=f"F0CHART{who}",
                    title="chart",
                    alt_text=words,
                    created_at=team.clock(),
                )
            )

    erased = await _erase(team)

    async with team.deps.db() as session:
        charts = (await session.execute(text("SELECT file_id FROM chart_image"))).scalars().all()
    assert charts == []
    left = [
        (table, column) for t in ana_texts for table, column, v in await _every_text(team) if t in v
    ]
    assert left == []
    assert await _figures(team) == before  # her weeks still count, anonymously
    _, after = await exported(team, ADMIN, "/coach", "export")
    assert after is not None
    rows, rows_after = csv_rows(history), csv_rows(after)
    anonymous = [r for r in rows_after if r[1] == erased.anonymous_id]
    assert [r[4:] for r in anonymous] == [r[4:] for r in rows if r[1] == "U0ANA"]
    assert all(r[2] == "" for r in anonymous)  # no name
    with pytest.raises(erasure.NothingToErase):  # a second run changes nothing
        await _erase(team)

    async with team.deps.db() as session:
        audited = (await session.execute(text("SELECT action FROM audit_log"))).scalars().all()
        pending = (
            await session.execute(
                text("SELECT count(*) FROM delivery WHERE person_id = :p AND status = 'pending'"),
                {"p": erased.person_id},
            )
        ).scalar()
    assert audited.count("erase") == 1 and pending == 0

    dm = team.sandbox.state.dm_channel("U0ANA")
    sent_to_her = len(team.sandbox.state.messages.get(dm, []))
    await team.run_until(at(48, 0, 0).replace(day=30, hour=20))  # the next Monday, W49
    assert len(team.sandbox.state.messages.get(dm, [])) == sent_to_her


def test_a_cell_that_starts_like_a_formula_is_text() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-2", "@A1", "\tx", "\rx", "Acme", "")] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@A1",
        "'\tx",
        "'\rx",
        "Acme",
        "",
    ]


async def coach_cli(*argv: str) -> int:
    """`coach …` as the admin runs it on the server (its own event loop: in a thread)."""
    return await asyncio.to_thread(cli.run, list(argv))


async def test_the_command_line_exports_and_erases_after_confirmation(
    team: Week,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "history.csv"
    assert await coach_cli("export", "--out", str(out)) == 0
    # The server's clock is the real one: the weeks since W48 follow the script's four.
    rows = csv_rows(out.read_bytes())
    assert [r for r in rows if r[0] <= "2026-W48" or r[0] == "week"] == expected(EVERYONE)
    assert capsys.readouterr().out.startswith(f"Wrote {out}: ")
    assert await coach_cli("person", "export", "U0ANA", "--out", str(tmp_path / "a.json")) == 0
    assert json.loads((tmp_path / "a.json").read_text())["person"]["slack_user_id"] == "U0ANA"

    monkeypatch.setattr("builtins.input", lambda _prompt: "U0BEN")
    assert await coach_cli("person", "erase", "U0ANA") == 1
    assert capsys.readouterr().err.strip() == "The id typed did not match: nothing was erased."
    assert await coach_cli("person", "erase", "U0MAYA", "--yes") == 1  # still leads a team
    assert "move them to another manager first" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda _prompt: "U0ANA")
    assert await coach_cli("person", "erase", "U0ANA") == 0
    assert "Erased U0ANA's personal data" in capsys.readouterr().out
    assert await coach_cli("person", "erase", "U0ANA", "--yes") == 1
    assert "nothing to erase" in capsys.readouterr().err
    async with team.deps.db() as session:
        audited = (await session.execute(text("SELECT action FROM audit_log"))).scalars().all()
    assert audited == ["export_history", "export_person", "erase"]
