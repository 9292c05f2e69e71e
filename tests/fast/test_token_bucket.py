"""Sending pace: the token bucket's arithmetic (a fresh bucket, bursts, pauses, refunds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db.pace import Bucket, Rate, fresh, paused, refunded, take, take_available

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


PER_SECOND = Rate(per_minute=60)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_fresh_bucket_sends_one_at_once_then_one_per_token() -> None:
    first = take(fresh(T0, PER_SECOND), PER_SECOND, T0, wanted=5)
    assert first.granted == 1 and first.bucket.ready_at == T0 + seconds(1)
    assert take(first.bucket, PER_SECOND, T0 + seconds(0.5), wanted=5).granted == 0
    assert take(first.bucket, PER_SECOND, T0 + seconds(1), wanted=5).granted == 1


def test_a_fast_bucket_grants_whole_batches_not_one_token_at_a_time() -> None:
    rate = Rate(per_minute=1200)  # 20 a second
    first = take(fresh(T0, rate), rate, T0, wanted=20)
    assert first.granted == 0 and first.bucket.ready_at == T0 + seconds(0.95)
    assert take(first.bucket, rate, T0 + seconds(0.5), wanted=20).granted == 0
    assert take(first.bucket, rate, T0 + seconds(0.95), wanted=20).granted == 20
    assert take(fresh(T0, rate), rate, T0, wanted=1).granted == 1  # a batch of one goes at once


def test_a_claim_that_sent_nothing_gives_its_token_back() -> None:
    spent = take(fresh(T0, PER_SECOND), PER_SECOND, T0, wanted=1).bucket
    back = refunded(spent, PER_SECOND, T0 + seconds(0.2))
    assert take(back, PER_SECOND, T0 + seconds(0.2), wanted=1).granted == 1
    held = paused(spent, T0 + seconds(30))
    assert refunded(held, PER_SECOND, T0 + seconds(1)) == held  # a 429's pause stands


def test_an_idle_bucket_saves_at_most_one_seconds_worth() -> None:
    rate = Rate(per_minute=600)  # 10 a second
    idle = Bucket(tokens=0.0, refilled_at=T0, ready_at=T0)
    later = take(idle, rate, T0 + timedelta(hours=1), wanted=100)
    assert later.granted == 10
    assert later.bucket.ready_at == T0 + timedelta(hours=1, seconds=0.1)


def test_reads_with_a_burst_take_what_the_bucket_holds() -> None:
    tier_4 = Rate(per_minute=100, burst=100)
    first = take_available(fresh(T0, tier_4), tier_4, T0, wanted=150)
    assert first.granted == 100  # a new bucket holds the whole burst
    assert take_available(first.bucket, tier_4, T0 + seconds(3), wanted=150).granted == 5
    idle = take_available(first.bucket, tier_4, T0 + timedelta(hours=1), wanted=500)
    assert idle.granted == 100  # an idle bucket saves at most the burst


def test_a_pause_holds_every_send_until_it_ends_then_the_rate_resumes() -> None:
    held = paused(fresh(T0, PER_SECOND), T0 + seconds(30))
    assert take(held, PER_SECOND, T0 + seconds(29.9), wanted=1).granted == 0
    resumed = take(held, PER_SECOND, T0 + seconds(30), wanted=3)
    assert resumed.granted == 1 and resumed.bucket.ready_at == T0 + seconds(31)
    # A shorter 429 arriving during a longer pause does not shorten it.
    assert paused(held, T0 + seconds(5)).ready_at == T0 + seconds(30)
