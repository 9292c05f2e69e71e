"""Rows written together may touch the same record: one write per record says it all."""

from __future__ import annotations

from app.crm.provider import FieldWrite
from app.crm.writeback import merged


def test_one_write_per_record_in_first_seen_order() -> None:
    writes = [
        FieldWrite("a", "Reframe", False),  # the drill set
        FieldWrite("b", "", False),  # last week's deal reset
        FieldWrite("a", None, True),  # the recording: the checkbox only
    ]
    assert merged(writes) == [FieldWrite("a", "Reframe", True), FieldWrite("b", "", False)]


def test_a_named_drill_wins_over_none_and_over_a_reset() -> None:
    assert merged([FieldWrite("a", None, True), FieldWrite("a", "Reframe", False)]) == [
        FieldWrite("a", "Reframe", True)
    ]
    # Last week's rep resets it; this week's rep (the deal changed hands) coaches it.
    assert merged([FieldWrite("a", "", False), FieldWrite("a", "Multi-thread", False)]) == [
        FieldWrite("a", "Multi-thread", False)
    ]
    assert merged([FieldWrite("a", "Multi-thread", False), FieldWrite("a", "", False)]) == [
        FieldWrite("a", "Multi-thread", False)
    ]


def test_nothing_to_merge_is_nothing() -> None:
    assert merged([]) == []
