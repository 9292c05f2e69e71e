"""SBI, CAR and OSKAR notes: what each asks for, and the scaling trend."""

from __future__ import annotations

import pytest

from app.rules import frameworks
from app.rules.frameworks import SPECS, CheckedNote, Framework
from app.rules.refusals import Refusal

SBI = {
    "clip_url": "https://app.gong.io/call?id=3",
    "situation": "Acme, 12:30",
    "behaviour": "Named the discount first",
    "impact": "The CFO anchored on it",
}


def test_only_sbi_reaches_the_rep_and_only_oskar_asks_for_a_number() -> None:
    assert [f for f in Framework if SPECS[f].to_rep] == [Framework.SBI]
    assert [f for f in Framework if SPECS[f].scaling] == [Framework.OSKAR]
    assert [p.key for p in SPECS[Framework.CAR].parts] == ["deal", "challenge", "action", "result"]


def test_a_complete_note_is_kept_as_written() -> None:
    checked = frameworks.check_note(Framework.SBI, {**SBI, "situation": "  Acme, 12:30 "}, "")
    assert checked == CheckedNote(SBI, None)


@pytest.mark.parametrize(
    ("framework", "parts", "scaling", "errors"),
    [
        (Framework.SBI, {**SBI, "impact": " "}, "", {"impact": Refusal.WRITE_THIS_PART}),
        (Framework.SBI, {**SBI, "clip_url": "ftp://x"}, "", {"clip_url": Refusal.LINK_NOT_A_URL}),
        (Framework.SBI, {**SBI, "behaviour": "x" * 1001}, "", {"behaviour": Refusal.PART_TOO_LONG}),
        (
            Framework.OSKAR,
            {"outcome": "o", "know_how": "k", "affirm_action": "a", "review": "r"},
            "11",
            {"scaling": Refusal.PICK_SCALING},
        ),
        (
            Framework.OSKAR,
            {"outcome": "o", "know_how": "k", "affirm_action": "a", "review": "r"},
            "５",  # a full-width digit is no number a select can send
            {"scaling": Refusal.PICK_SCALING},
        ),
    ],
)
def test_what_is_missing_or_wrong_is_refused_under_its_field(
    framework: Framework, parts: dict[str, str], scaling: str, errors: dict[str, Refusal]
) -> None:
    assert frameworks.check_note(framework, parts, scaling) == errors


def test_oskar_keeps_its_number() -> None:
    parts = {"outcome": "o", "know_how": "k", "affirm_action": "a", "review": "r"}
    checked = frameworks.check_note(Framework.OSKAR, parts, "7")
    assert isinstance(checked, CheckedNote) and checked.scaling == 7


def test_the_scaling_trend_counts_each_weeks_last_number() -> None:
    numbers = [("2026-W47", 4), ("2026-W45", 2), ("2026-W47", 5), ("2026-W48", 6)]
    assert frameworks.scaling_trend(numbers) == (2, 5, 6)
    assert frameworks.scaling_trend([(f"2026-W{n}", n) for n in range(40, 48)]) == (44, 45, 46, 47)


def test_a_forged_number_of_thousands_of_digits_is_refused_not_an_error() -> None:
    parts = {"outcome": "o", "know_how": "k", "affirm_action": "a", "review": "r"}
    assert frameworks.check_note(Framework.OSKAR, parts, "9" * 5000) == {
        "scaling": Refusal.PICK_SCALING
    }
