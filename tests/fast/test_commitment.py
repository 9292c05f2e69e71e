"""The commitment is one sentence: the rep's skill commitment and the number we hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.commitment import Commitment, commitment_sentence, follow_up_check


@dataclass
class Notes:
    commitment: str | None = None
    accountability: str | None = None
    obstacles: str | None = None
    follow_up_on: date | None = None
    follow_up_check: str | None = None
    measurement: str | None = None


def test_the_skill_commitment_and_the_number_read_as_one_sentence() -> None:
    assert commitment_sentence(
        "Use option two on three discovery calls", "the $40K Acme deal at proposal by Friday"
    ) == (
        "Use option two on three discovery calls — and we hold the $40K Acme deal at proposal "
        "by Friday"
    )


def test_what_the_manager_typed_around_the_number_is_not_said_twice() -> None:
    words = "Ask for a date on every call."
    for typed in (
        "We hold the $40K Acme deal at proposal by Friday.",
        "and we hold the $40K Acme deal at proposal by Friday",
        "The $40K Acme deal at proposal by Friday",
        "  the $40K Acme deal\nat proposal by Friday ",
    ):
        assert commitment_sentence(words, typed) == (
            "Ask for a date on every call — and we hold the $40K Acme deal at proposal by Friday"
        )


def test_a_name_first_keeps_its_case() -> None:
    assert commitment_sentence("Call the CFO", "Acme at $40K by Friday") == (
        "Call the CFO — and we hold Acme at $40K by Friday"
    )
    assert commitment_sentence("Call the CFO", "Two late-stage deals at list price") == (
        "Call the CFO — and we hold two late-stage deals at list price"
    )


def test_notes_with_one_part_only_show_that_part() -> None:
    assert commitment_sentence("Ask for a date", None) == "Ask for a date"
    assert commitment_sentence("  ", "the Acme deal") == "We hold the Acme deal"
    assert commitment_sentence(None, "") is None


def test_the_follow_up_names_what_is_checked_and_the_target() -> None:
    check = "questions per hour on the next 5 discovery calls"
    assert follow_up_check(check, "12+ an hour.") == f"{check} (target: 12+ an hour)"
    assert follow_up_check(check, None) == check
    assert follow_up_check(None, "70%+") == "the target: 70%+"
    assert follow_up_check(" ", None) is None


def test_the_commitment_of_stored_notes() -> None:
    notes = Notes(
        commitment="Use option two on three discovery calls",
        accountability="the $40K Acme deal at proposal by Friday",
        obstacles="Back-to-back demos\non Thursday",
        follow_up_on=date(2026, 12, 2),
        follow_up_check="questions per hour on the next 5 discovery calls",
        measurement="from 9 to 12+",
    )
    assert Commitment.of(notes) == Commitment(
        "Use option two on three discovery calls — and we hold the $40K Acme deal at proposal "
        "by Friday",
        obstacles="Back-to-back demos on Thursday",
        follow_up_on=date(2026, 12, 2),
        to_check="questions per hour on the next 5 discovery calls (target: from 9 to 12+)",
    )
    assert Commitment.of(Notes()) is None  # a 1:1 logged as not held
    assert Commitment.of(None) is None
