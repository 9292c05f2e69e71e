"""Roster files: columns, line-numbered problems, and the reporting hierarchy's rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import CliError, _read_roster
from app.rules.types import Role
from app.services.roster import (
    PROBLEMS_LISTED,
    Problems,
    RosterInvalid,
    checked_lines,
    parse_roster_csv,
    read_roster_rows,
    write_batches,
)
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


# --- files of any size: read as a stream, problems capped, written level by level -----------


class CountingLines:
    """Lines handed out one at a time, counting how many were taken."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.taken = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.taken += 1
            yield line


def big_roster(reps: int, managers: int = 10) -> list[str]:
    lines = [HEADER, "U0DIR,director,\n"]
    lines += [f"U0M{m:04d},manager,U0DIR\n" for m in range(managers)]
    lines += [f"U0R{r:06d},rep,U0M{r % managers:04d}\n" for r in range(reps)]
    return lines


def test_lines_are_checked_as_they_are_read_not_after_the_whole_file() -> None:
    source = CountingLines(big_roster(10_000))
    lines = checked_lines(source)
    line, row, errors = next(lines)
    assert (line, errors) == (2, [])
    assert row is not None and row.slack_user_id == "U0DIR"
    assert source.taken <= 3  # the header and this line (csv may look one ahead), not 10,012
    assert len(read_roster_rows(CountingLines(big_roster(10_000)))) == 10_011


def test_problems_beyond_the_first_fifty_are_counted_not_listed() -> None:
    lines = big_roster(10_000)
    lines[100:3100] = [f"bad{n},rep,U0M0001\n" for n in range(3000)]  # lines 101..3100
    with pytest.raises(RosterInvalid) as caught:
        read_roster_rows(lines)
    invalid = caught.value
    assert len(invalid.problems) == PROBLEMS_LISTED == 50
    assert [p.line for p in invalid.problems] == list(range(101, 151))
    assert (invalid.total, invalid.lines, invalid.unlisted) == (3000, 3000, 2950)
    assert str(invalid).endswith("; and 2950 more")


def test_the_first_problems_by_line_are_kept_whatever_order_they_come_in() -> None:
    problems = Problems(limit=3)
    for line in (9, 8, 7, 2, 6, 5, 4, 3, 1):
        problems.add(line, "wrong")
    with pytest.raises(RosterInvalid) as caught:
        problems.raise_any()
    assert [p.line for p in caught.value.problems] == [1, 2, 3]
    assert (caught.value.total, caught.value.lines) == (9, 9)


def test_a_line_near_the_end_refuses_the_whole_file() -> None:
    lines = big_roster(9_990)
    lines[9_998] = "U0LATE,rep,U0GHOST\n"  # line 9,999 of 10,001
    problems = problems_of("".join(lines))
    assert problems == ["line 9999: manager U0GHOST of U0LATE is not on the roster"]


def test_write_batches_put_everyone_after_their_manager() -> None:
    text = HEADER + "U0R1,rep,U0M1\nU0M1,manager,U0D2\nU0D2,director,U0D1\nU0D1,director,\n"
    text += "".join(f"U0X{n},rep,U0M1\n" for n in range(5))
    batches = list(write_batches(parse_roster_csv(text), size=3))
    assert [[e.slack_user_id for e in b] for b in batches] == [
        ["U0D1"],
        ["U0D2"],
        ["U0M1"],
        ["U0R1", "U0X0", "U0X1"],
        ["U0X2", "U0X3", "U0X4"],
    ]


def test_the_cli_lists_fifty_problems_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "".join(f"bad{n},rep,\n" for n in range(120)))
    with pytest.raises(CliError) as caught:
        _read_roster(path)
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == "roster.csv line 2: slack_user_id 'bad0' is not a Slack user id (like U012AB3CD)"
    )
    assert len(lines) == 52
    assert lines[-2] == "roster.csv: 70 more not listed (120 problems on 120 lines in all)."
    assert lines[-1] == (
        "Nothing was imported: fix the 120 problems (the first 50 above) and run the import again."
    )


def test_bytes_that_are_not_utf8_deep_in_the_file_give_the_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    good = "".join(big_roster(20_000)).encode()
    path.write_bytes(good + "U0LAST,rep,U0M0001,zoë@example.com\n".encode("latin-1"))
    with pytest.raises(CliError) as caught:
        _read_roster(path)
    assert str(caught.value) == f"{path} is not UTF-8 text: save it as CSV (UTF-8) and try again."
