"""`coach demo` runs one week of the real bot against the sandbox and prints it readably,
the same week every time."""

from __future__ import annotations

import asyncio
import difflib
import io
import os
import re
from datetime import date
from pathlib import Path

import pytest

from app.demo import run_demo

EXPECTED = Path(__file__).with_name("demo_week_2026-W48.txt")
UPDATE = "COACH_UPDATE_DEMO_TRANSCRIPT"  # =1 rewrites EXPECTED from this run


@pytest.fixture(scope="module")
def demo_text() -> str:
    """One run of the demo for week 2026-W48 (ports shown as <port>), shared by the tests."""
    out = io.StringIO()
    asyncio.run(run_demo(out, week_of=date(2026, 11, 25)))
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", out.getvalue())


def test_the_demo_prints_the_same_week_every_time(demo_text: str) -> None:
    """DMs sent at the same moment print in a fixed order, and the call count is stable."""
    if os.environ.get(UPDATE) == "1":
        EXPECTED.write_text(demo_text)
    expected = EXPECTED.read_text()
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            demo_text.splitlines(keepends=True),
            str(EXPECTED.name),
            "this run",
        )
    )
    assert demo_text == expected, f"the demo's week changed ({UPDATE}=1 to accept):\n{diff}"


def test_the_demo_prints_one_week_for_the_sample_team(demo_text: str) -> None:
    text = demo_text
    lines = text.splitlines()

    def line_with(*parts: str) -> str:
        found = [line for line in lines if all(part in line for part in parts)]
        assert found, parts
        return found[0]

    assert "### Set-up: week 2026-W48" in text
    # Gong (the stand-in): the prompt counts each rep's calls, the prep lists three with
    # their numbers, Eve (no deals shared) is diagnosed from a call, digests show the trend.
    assert "Gong has 4 calls of yours from that week: pick one for each deal" in text
    assert "opens Eve's diagnosis: no deals shared, so a Gong call is the evidence" in text
    assert line_with("Gong, 4 calls: <https://acme.app.gong.io/call?id=")
    assert line_with("Talk ratio", "(own ", "team ")
    assert line_with("On your calls:", "last week:", "4-week average")
    # Each person at their own 09:00, shown in their time zone.
    assert line_with("Dev (Mon 09:00 Kolkata) ← deal prompt").startswith("[Mon 03:30 UTC]")
    assert line_with("Ana (Mon 09:00 Los Angeles) ← deal prompt").startswith("[Mon 17:00 UTC]")
    assert "Chen (Mon 11:30 Berlin) ← snoozed prompt" in text
    assert "Dev (Mon 15:00 Kolkata) ← reminder" in text
    assert "Ana (Mon 15:00" not in text  # answered: not reminded
    assert "→ Thanks! I added 2 deals for your manager: 2 deals this week." in text
    # A link while the drill is open: coach asks, the rep answers with a tap.
    assert "→ Is that link your Objection reframe drill recording, or a deal" in text
    assert line_with("Chen", 'taps "Record as my drill"')
    # Practice counted: Chen committed to 3 recordings and made 2; Friday says so to her and
    # to Omar.
    assert (
        "→ Recorded your Objection reframe drill (2/3 of the recordings you committed to). "
        "1 more recording to go" in text
    )
    assert (
        "Chen (Fri 12:00 Berlin) ← drill check: You've recorded 2 of the 3 Objection reframe "
        "practice reps you committed to (2/3). Share the last one today." in text
    )
    assert (
        "Omar (Fri 16:00 Berlin) ← heads-up: Drill heads-up: 1 rep hasn't recorded the "
        "practice they committed to: @Chen." in text
    )
    # Chit-chat: one short hint, then quiet.
    assert "→ Thanks! Here I read deals: one per line with its clip link" in text
    assert "→ (no answer: one hint a day)" in text
    assert "→ inline error, nothing stored: Paste a full link" in text
    assert "“Objection handling” suggested" in text
    assert "Omar (Wed 17:00 Berlin) ← notes nudge: No 1:1 notes logged yet for @Eve." in text
    assert "Ben (Fri 12:00 New York) ← drill check" in text
    assert "Ana (Fri 12:00" not in text  # recorded on Thursday: no check
    assert "Maya (Fri 16:00 Los Angeles) ← heads-up: Drill heads-up: 1 rep hasn't recorded" in text
    assert "Maya (Fri 17:00 Los Angeles) ← digest: Your coaching week (2026-W48): team " in text
    assert (
        "@Ben — skill · Multi-threading (wk 1) · 1:1 ✓ · drill ✗ · transfer — · helpful —" in text
    )
    assert "enterprise" not in text and "senior role" not in text  # private notes stay private
    assert "Maya opening the same notes also sees her private notes: True" in text
    assert "*Commitment:* Name the cost of delay before any discount talk" in text
    assert "only he sees: Those are someone else's 1:1 notes" in text
    assert "wrong secret → HTTP 401" in text
    assert "• Eve: no deals; will gap, focus Closing; 1:1 not held; no drill recording" in text
    assert "• Dev: 1 deal by reply; knowledge gap, focus Discovery; 1:1 held" in text
    # HubSpot (the stand-in): Ana picks her deal from her open ones, the prep and the agenda
    # list each rep's pipeline, and the drill is written back on the deal she picked only.
    assert line_with("Ana", 'opens "Share my deals": HubSpot lists her open deals')
    assert (
        "→ “Acme renewal — Contract Sent · $40,000”, “Globex expansion — Qualified To Buy · "
        "$25,000”; she picks Acme renewal" in text
    )
    assert "Vandelay" not in text  # closed: not offered, not listed
    assert text.count("│ *Pipeline (2 open):*") == 4  # Ana and Ben, Tuesday and Wednesday
    assert "│ • Umbrella platform — Presentation Scheduled · $60,000 · closes " in text
    assert (
        "HubSpot's “Acme renewal”: Coaching Drill This Week = “Objection reframe” (written "
        "once), Drill Recorded = true (written twice: with the drill, then with the recording)."
        in text
    )
    assert "coach wrote nothing on the other 6 deals." in text
    # Coaching the coaches: Dana reviews Maya's 1:1 with Ana; an empty review is refused;
    # Maya gets it by DM; Dana's digest shows the checklist per manager.
    assert line_with("Dana", "taps Review on Maya's 1:1 with Ana in her App Home")
    assert "→ inline error, nothing stored: Tick what the 1:1 did" in text
    assert (
        "Maya (Thu 08:30 Los Angeles) ← coaching review: @Dana reviewed your 1:1 with @Ana "
        "(week 2026-W48): 4 of 6 on the coaching checklist." in text
    )
    assert "coaching checklist: — → — → — → 67% (4 weeks: 4/6 (67%))" in text
    # An SBI note on one clip, any day, reaches the rep.
    assert line_with("Maya", "writes Ben an SBI note on one clip")
    assert line_with("Ben (Thu 12:30 New York) ← feedback: @Maya has feedback on one moment")
    assert "*Behaviour:* You asked who else should be in the next meeting, and waited" in text
    assert "scheduled DMs reached Slack (no duplicates)" in text
    assert "all accepted by the sandbox: True." in text


def test_the_demo_runs_with_the_salesforce_stand_in() -> None:
    """`coach demo --crm salesforce`: the JWT bearer flow with a key made for the run, Ana's
    pick from her opportunities, the drill written back on that one only."""
    out = io.StringIO()
    asyncio.run(run_demo(out, week_of=date(2026, 11, 25), crm="salesforce"))
    text = out.getvalue()
    assert "Salesforce stand-in at http://127.0.0.1:" in text
    assert (
        "→ “Acme renewal — Proposal/Price Quote · $40,000”, “Globex expansion — Needs Analysis "
        "· $25,000”; she picks Acme renewal" in text
    )
    assert text.count("│ *Pipeline (2 open):*") == 4
    assert (
        "Salesforce's “Acme renewal”: Coaching Drill This Week = “Objection reframe” (written "
        "once), Drill Recorded = true (written twice" in text
    )
    assert "coach wrote nothing on the other 6 deals." in text
    assert "38 scheduled DMs reached Slack (no duplicates)" in text
