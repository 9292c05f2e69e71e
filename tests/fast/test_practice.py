"""The committed number of recordings is the target; one when none was set."""

from __future__ import annotations

from app.rules.practice import Practice, practice, practice_target


def test_the_committed_number_is_the_target() -> None:
    assert practice_target(3) == 3
    assert practice_target(None) == 1 and practice_target(0) == 1


def test_done_once_as_many_as_committed_are_in() -> None:
    assert practice(1, 3) == Practice(1, 3)
    assert not practice(1, 3).met and practice(1, 3).left == 2 and practice(1, 3).label == "1/3"
    assert practice(3, 3).met and practice(4, 3).met and practice(4, 3).left == 0
    assert practice(1, None).met and not practice(0, None).met
