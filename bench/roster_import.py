"""Roster import at size: `coach roster import` of a 10,000- and a 100,000-row file.

The file has a director, a few hundred managers (one per 300 rows) and reps in six time zones,
everyone with an email. Each import is `coach roster import FILE --team T…` in a process of
its own, without a Slack token (profiles are left to the ticks), into a fresh database:

(0) a 10-row file: the floor, what any `coach` process costs (importing app.cli loads the
    whole app, matplotlib and numpy included);
(a) N rows into an empty database, for each size in `--sizes`;
(b) the largest file again, unchanged (everyone "unchanged", nothing updated);
(c) the largest file with one line near the end broken: refused, nothing written;
(d) unless `--no-slack`: the largest file into an empty database with a token, against the
    Slack sandbox in its own process (no tier limits: users.list, 200 a page, as fast as it
    answers), every profile read and kept.

For each: wall seconds of the import (in the child, from the command's start to its end),
SQL statements the child sent (an executemany, or one page of a many-row INSERT, counts
once), and the child's peak RSS (its own VmHWM from /proc, not getrusage: see README).

    .venv/bin/python bench/roster_import.py [--sizes 10000,100000] [--database-url URL]

Targets: the roster's own memory is O(rows) of small tuples: peak RSS grows ≤ 1 KB a row from
the smallest size to the largest (it was 4.8 KB before the import was streamed and batched);
the largest import without Slack peaks ≤ 250 MB in all (the floor is ~160 MB); statements
per 1,000 rows ≤ 10 (batched, not one per row).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import (
    ROOT,
    coach_env,
    database_label,
    database_url,
    fresh_database,
    is_postgres,
    machine,
    memory_mb,
    start_sandbox,
    table,
    verdict,
    work_directory,
)
from sqlalchemy import func, select

from app.db.engine import make_engine
from app.db.models import Person

TEAM_ID = "T0ROSTERBENCH"
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
)
PER_MANAGER = 300
PEAK_TARGET_MB = 250.0
GROWTH_TARGET_BYTES = 1024.0  # a row, from the smallest size to the largest
STATEMENTS_PER_1000_TARGET = 10.0


def write_roster(path: Path, rows: int) -> None:
    """A roster of `rows` lines (header aside), written line by line."""
    managers = max(1, rows // PER_MANAGER)
    with path.open("w", encoding="utf-8") as out:
        out.write("slack_user_id,role,manager_slack_user_id,email,timezone\n")
        out.write("U0DIRECTOR,director,,director@example.com,Europe/Berlin\n")
        for m in range(managers):
            zone = ZONES[m % len(ZONES)]
            out.write(f"U0M{m:06d},manager,U0DIRECTOR,manager{m}@example.com,{zone}\n")
        for r in range(rows - managers - 1):
            m = r % managers
            zone = ZONES[(m + r // managers) % len(ZONES)]
            out.write(f"U0R{r:07d},rep,U0M{m:06d},rep{r}@example.com,{zone}\n")


def break_line(path: Path, broken: Path, line: int) -> None:
    """The same file with line `line` (1 = header) naming a manager nobody is."""
    with path.open(encoding="utf-8") as source, broken.open("w", encoding="utf-8") as out:
        for number, text in enumerate(source, start=1):
            if number == line:
                user_id, role, _manager, rest = text.split(",", 3)
                text = f"{user_id},{role},U0NOBODY,{rest}"
            out.write(text)


@dataclass
class Run:
    label: str
    rows: int
    code: int
    seconds: float
    statements: int
    peak_mb: float
    output: str


async def run_import(
    label: str, rows: int, url: str, roster: Path, slack_api_url: str | None = None
) -> Run:
    """`coach roster import` in a child process: without a Slack token, or with the
    sandbox's at `slack_api_url`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COACH_", "GONG_", "HUBSPOT_", "SALESFORCE_"))
    }
    env |= {"DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    if slack_api_url is not None:
        env = coach_env(url, slack_api_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__)),
        "--child",
        str(roster),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = err.decode().splitlines()
    figures = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
    said = (out.decode() + "\n".join(line for line in lines if not line.startswith("{"))).strip()
    return Run(
        label,
        rows,
        process.returncode or 0,
        figures["seconds"],
        figures["statements"],
        figures["peak_kb"] / 1024,
        said,
    )


def child(roster: str) -> int:
    """In the child: the real command, every statement of every engine counted."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from app.cli import run

    statements = 0

    def seen(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(Engine, "before_cursor_execute", seen)
    started = time.perf_counter()
    code = run(["roster", "import", roster, "--team", TEAM_ID])
    took = time.perf_counter() - started
    peak_kb = int(memory_mb(os.getpid())["VmHWM"] * 1024)
    figures = {"seconds": took, "statements": statements, "peak_kb": peak_kb}
    print(json.dumps(figures), file=sys.stderr, flush=True)
    return code


async def people_state(url: str) -> tuple[int, object]:
    """How many people, and the newest `updated_at`: what an import changed."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                select(func.count(Person.id), func.max(Person.updated_at))
            )
            count, newest = found.one()
            return int(count), newest
    finally:
        await engine.dispose()


def summary_line(output: str) -> str:
    first = output.splitlines()[0] if output else ""
    return first if len(first) < 110 else first[:107] + "…"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="rows per file, comma-separated")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL of a database to wipe and use (default: a temporary SQLite file)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--no-slack", action="store_true", help="skip (d), the import with a token")
    args = parser.parse_args()
    if args.database_url and not is_postgres(args.database_url):
        parser.error("--database-url is for PostgreSQL; SQLite runs in a temporary file")
    sizes = sorted(int(n) for n in args.sizes.split(","))
    print(machine())
    with work_directory(args.keep) as workdir:
        runs: list[Run] = []
        checks: list[tuple[str, bool]] = []
        url = database_url(args.database_url, workdir, "floor")
        write_roster(workdir / "floor.csv", 10)
        await fresh_database(url)
        floor = await run_import("(0) 10 rows: the floor", 10, url, workdir / "floor.csv")
        for rows in sizes:
            url = database_url(args.database_url, workdir, f"roster{rows}")
            roster = workdir / f"roster{rows}.csv"
            write_roster(roster, rows)
            await fresh_database(url)
            run = await run_import(f"(a) {rows:,} rows, empty database", rows, url, roster)
            runs.append(run)
            count, _ = await people_state(url)
            checks.append(
                (f"{rows:,} rows: exit 0 and {rows:,} people", run.code == 0 and count == rows)
            )
        largest = sizes[-1]
        url = database_url(args.database_url, workdir, f"roster{largest}")
        roster = workdir / f"roster{largest}.csv"
        before = await people_state(url)
        again = await run_import(f"(b) {largest:,} rows again, unchanged", largest, url, roster)
        runs.append(again)
        checks.append(
            (
                "re-import: exit 0, everyone unchanged, nothing written",
                again.code == 0
                and f"{largest} unchanged" in again.output
                and await people_state(url) == before,
            )
        )
        broken = workdir / f"broken{largest}.csv"
        break_line(roster, broken, largest)  # the second-to-last line
        refused = await run_import(
            f"(c) {largest:,} rows, line {largest} broken", largest, url, broken
        )
        runs.append(refused)
        checks.append(
            (
                f"broken line {largest}: refused, named, nothing written",
                refused.code == 1
                and f"line {largest}: manager U0NOBODY" in refused.output
                and "Nothing was imported" in refused.output
                and await people_state(url) == before,
            )
        )
        if not args.no_slack:
            everyone = [line.split(",", 1)[0] for line in roster.read_text().splitlines()[1:]]
            sandbox, remote = await start_sandbox(workdir, [], "Asia/Tokyo")
            try:
                for start in range(0, len(everyone), 20_000):  # the control API takes ≤ 1 MB
                    await remote.add_users(everyone[start : start + 20_000], "Asia/Tokyo")
                url = database_url(args.database_url, workdir, "slack")
                await fresh_database(url)
                label = f"(d) {largest:,} rows, Slack profiles read"
                slack = await run_import(label, largest, url, roster, remote.api_url)
                runs.append(slack)
                checks.append(
                    (
                        f"with Slack: exit 0, {largest:,} profiles read",
                        slack.code == 0 and f"Read {largest} Slack profiles" in slack.output,
                    )
                )
            finally:
                await sandbox.stop()
    print(f"database: {database_label(args.database_url or 'sqlite')}")
    print(
        table(
            [
                [
                    r.label,
                    r.code,
                    f"{r.seconds:.1f}",
                    r.statements,
                    f"{r.statements / r.rows * 1000:.1f}",
                    f"{r.peak_mb:.0f}",
                ]
                for r in [floor, *runs]
            ],
            ["run", "exit", "seconds", "statements", "per 1,000 rows", "peak RSS MB"],
        )
    )
    for r in runs:
        print(f"{r.label}: {summary_line(r.output)}")
    small, big = (runs[0], runs[len(sizes) - 1]) if len(sizes) > 1 else (floor, runs[0])
    per_row = (big.peak_mb - small.peak_mb) * 1024 * 1024 / (big.rows - small.rows)
    print(
        f"peak RSS growth {small.rows:,} → {big.rows:,} rows: "
        f"{big.peak_mb - small.peak_mb:.0f} MB, {per_row:.0f} bytes a row; "
        f"{big.peak_mb - floor.peak_mb:.0f} MB over the floor ({floor.peak_mb:.0f} MB)"
    )
    without_slack = [r for r in runs if not r.label.startswith("(d)")]
    peak = max(r.peak_mb for r in without_slack)
    most = max(r.statements / r.rows * 1000 for r in runs)
    for label, ok in checks:
        print(f"{verdict(ok)}: {label}")
    grows = f"target ≤ {GROWTH_TARGET_BYTES:.0f}"
    print(f"{verdict(per_row <= GROWTH_TARGET_BYTES)}: {per_row:.0f} bytes a row ({grows})")
    target = f"target ≤ {PEAK_TARGET_MB:.0f} MB"
    print(f"{verdict(peak <= PEAK_TARGET_MB)}: peak RSS without Slack {peak:.0f} MB ({target})")
    print(
        f"{verdict(most <= STATEMENTS_PER_1000_TARGET)}: at most {most:.1f} statements per "
        f"1,000 rows (target ≤ {STATEMENTS_PER_1000_TARGET:.0f})"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    asyncio.run(main())
