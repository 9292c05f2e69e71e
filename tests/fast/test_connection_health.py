"""When an outside system may be called, and what a failure leaves on its connection row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.rules.connection_health import (
    RETRY_AFTER_BUDGET,
    RETRY_AFTER_FAILURE,
    failed_values,
    healthy_values,
    may_call,
)
from app.rules.types import ConnectionStatus

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_refused_credentials_are_off_until_they_change() -> None:
    assert not may_call(ConnectionStatus.REFUSED, None, True, NOW)
    assert may_call(ConnectionStatus.REFUSED, None, False, NOW)  # new keys: try them


def test_a_failure_waits_out_its_retry_time_unless_the_keys_changed() -> None:
    later = NOW + timedelta(minutes=5)
    assert not may_call(ConnectionStatus.FAILING, later, True, NOW)
    assert may_call(ConnectionStatus.FAILING, later, True, later)
    assert may_call(ConnectionStatus.FAILING, later, False, NOW)
    assert may_call(ConnectionStatus.OK, None, True, NOW)


def test_failed_values_say_when_to_try_again() -> None:
    down = failed_values("http_503", NOW, "fp", refused=False, budget_spent=False)
    assert down["status"] == ConnectionStatus.FAILING
    assert down["next_sync_at"] == NOW + RETRY_AFTER_FAILURE
    spent = failed_values("daily_limit", NOW, "fp", refused=False, budget_spent=True)
    assert spent["next_sync_at"] == NOW + RETRY_AFTER_BUDGET
    told = failed_values("rate_limited", NOW, "fp", refused=False, budget_spent=False,
                         retry_after_s=7200)  # fmt: skip
    assert told["next_sync_at"] == NOW + timedelta(hours=2)  # the system's longer wait wins
    short = failed_values("rate_limited", NOW, "fp", refused=False, budget_spent=False,
                          retry_after_s=5)  # fmt: skip
    assert short["next_sync_at"] == NOW + RETRY_AFTER_FAILURE
    refused = failed_values("x" * 80, NOW, "fp", refused=True, budget_spent=False)
    assert refused["status"] == ConnectionStatus.REFUSED and refused["next_sync_at"] is None
    assert len(refused["problem"]) == 64 and refused["key_fingerprint"] == "fp"


def test_healthy_values_clear_the_problem() -> None:
    values = healthy_values("fp")
    assert values["status"] == ConnectionStatus.OK and values["problem"] is None
    assert values["next_sync_at"] is None and values["key_fingerprint"] == "fp"
