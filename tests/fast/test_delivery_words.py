"""What each delivery error means for the admin, and the week's tally in their words."""

from __future__ import annotations

import pytest

from app.delivery.tick import PERMANENT_ERRORS
from app.rules.types import DeliveryStatus
from app.services.delivery_health import tally
from app.slack.render.delivery_words import ADVICE, advice

FAILED, SKIPPED, SENT = DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.SENT


@pytest.mark.parametrize("code", sorted(PERMANENT_ERRORS | {"window_passed"}))
def test_every_error_code_gets_its_own_sentence(code: str) -> None:
    assert code in ADVICE
    sentence = advice(code).sentence
    assert sentence[0].isupper() or sentence.startswith("coach")
    assert sentence.endswith(".") and ": " in sentence
    assert code not in sentence  # plain words, not Slack's code


def test_an_unknown_code_gets_a_plain_fallback() -> None:
    assert advice("brand_new_error").sentence == (
        "Slack refused it (`brand_new_error`): tell whoever runs coach."
    )
    assert advice(None).sentence == "Slack refused it (`no reason given`): tell whoever runs coach."


def test_removing_the_person_is_the_advice_when_they_are_gone() -> None:
    for code in ("user_not_found", "account_inactive"):
        assert "remove them with `/coach remove @person`" in advice(code).sentence
    assert "Messages tab of coach is turned off" in advice("messages_tab_disabled").sentence
    assert "can't send direct messages to bots" in advice("cannot_dm_bot").sentence


def test_tally_puts_ledger_states_in_the_admins_words() -> None:
    week = tally(
        {
            (DeliveryStatus.SENT, False): 4,
            (DeliveryStatus.PENDING, True): 1,
            (DeliveryStatus.PENDING, False): 2,
            (DeliveryStatus.SENDING, False): 1,
            (DeliveryStatus.FAILED, True): 3,
            (DeliveryStatus.SKIPPED, True): 5,
            (DeliveryStatus.SKIPPED, False): 6,
            (DeliveryStatus.CANCELLED, True): 7,
        }
    )
    assert (week.sent, week.waiting, week.failed, week.skipped) == (4, 4, 3, 5)
    assert (week.paused, week.not_needed) == (6, 7)
