"""How a sender shares itself among workspaces (app/rules/fair_share.py)."""

from __future__ import annotations

from app.rules.fair_share import MAX_CLAIM, claim_size, lane_share


def test_each_lane_gets_an_equal_share_of_the_senders_and_never_none() -> None:
    assert lane_share(8, 1) == 8
    assert lane_share(8, 2) == 4
    assert lane_share(8, 3) == 2  # the two left over go to whichever lane is ready first
    assert lane_share(8, 20) == 1  # more lanes than senders: one waiting each, in turn
    assert lane_share(8, 0) == 8


def test_a_lane_claims_only_below_its_share_and_up_to_twice_it() -> None:
    assert claim_size(4, 0) == 8
    assert claim_size(4, 3) == 5
    assert claim_size(4, 4) == 0  # its share is busy: nothing more until one is done
    assert claim_size(1, 0) == 2
    assert claim_size(64, 0) == MAX_CLAIM  # a batch stays a batch
