"""`coach demo` runs the real bot against the sandbox and prints a readable transcript."""

from __future__ import annotations

import io

from app.demo import NEWCOMER, SAMPLE_TEAM, run_demo


async def test_demo_prints_a_transcript_of_accepted_calls() -> None:
    out = io.StringIO()
    await run_demo(out)
    text = out.getvalue()
    assert "`coach roster import`: " in text
    for person in SAMPLE_TEAM:
        assert f"@{person.name} ({person.role}" in text
    assert f"@{NEWCOMER.name}, not on the roster yet, sees:" in text
    assert "wrong secret → HTTP 401" in text
    assert "all accepted by the sandbox: True." in text
