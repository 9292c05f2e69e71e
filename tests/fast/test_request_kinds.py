"""The metrics' request kinds, read from a request's head only, and the counters' labels."""

from __future__ import annotations

import pytest

from app import observability


def counted(name: str, **labels: str) -> float:
    return observability.REGISTRY.get_sample_value(name, labels) or 0.0


def test_counters_take_known_outcomes_and_any_method() -> None:
    sent = counted("coach_deliveries_total", outcome="sent")
    limited = counted("coach_slack_ratelimited_total", method="chat.postMessage")
    observability.record_delivery("sent")
    observability.record_ratelimited("chat.postMessage")
    assert counted("coach_deliveries_total", outcome="sent") == sent + 1
    assert counted("coach_slack_ratelimited_total", method="chat.postMessage") == limited + 1
    with pytest.raises(ValueError, match="unknown delivery outcome"):
        observability.record_delivery("posted twice")


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("application/json", b'{"type":"event_callback"}', "event"),
        (FORM, b"token=x&command=%2Fdrill&text=help", "command"),
        (FORM, b"payload=%7B%22type%22%3A+%22block_actions%22", "action"),
        (FORM, b"payload=%7B%22type%22%3A%22view_submission%22", "view"),
        (FORM, b"payload=%7B%22user%22%3A%7B%7D", "other"),
        (FORM, b"text=hello", "other"),
    ],
)
def test_request_kind_reads_only_the_head(content_type: str, body: bytes, kind: str) -> None:
    assert observability.request_kind(content_type, body) == kind
