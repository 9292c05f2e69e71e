"""Clip links, moments and reading deals out of a free-text reply."""

from __future__ import annotations

import pytest

from app.rules.evidence import (
    BadInput,
    Deal,
    check_moment,
    check_url,
    clip_source,
    deals_from_reply,
)
from app.rules.refusals import Refusal
from app.slack.render import refusal_text as refusals


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://app.gong.io/call?id=123", "Gong"),
        ("https://chorus.ai/meeting/9", "Chorus"),
        ("https://acme.zoom.us/rec/share/abc", "Zoom"),
        ("https://app.salesloft.com/conversations/1", "Salesloft"),
        ("https://app.avoma.com/meetings/7", "Avoma"),
        ("https://drive.example.com/clip.mp4", "Link"),
        ("https://notgong.io.evil.com/x", "Link"),
    ],
)
def test_clip_sources_are_recognised_by_host(url: str, source: str) -> None:
    assert clip_source(url) == source


@pytest.mark.parametrize(
    "bad", ["gong.io/call", "ftp://x.com/a", "javascript:alert(1)", "https://", ""]
)
def test_only_http_links_are_accepted(bad: str) -> None:
    with pytest.raises(BadInput):
        check_url(bad)


def test_slack_formatted_links_are_unwrapped() -> None:
    assert check_url("<https://app.gong.io/call?id=1|Acme call>") == "https://app.gong.io/call?id=1"


@pytest.mark.parametrize(
    ("typed", "stored"), [("12:45", "12:45"), ("1:02:03", "1:02:03"), ("05:09", "5:09"), ("", None)]
)
def test_moments(typed: str, stored: str | None) -> None:
    assert check_moment(typed) == stored


@pytest.mark.parametrize("bad", ["12", "12:75", "noon", "1:2"])
def test_bad_moments_say_how_to_write_them(bad: str) -> None:
    with pytest.raises(BadInput) as refused:
        check_moment(bad)
    assert refused.value.reason is Refusal.MOMENT_NOT_A_TIME
    assert "minutes:seconds" in refusals.said(refused.value.reason)


def test_a_reply_with_three_deals_is_read_line_by_line() -> None:
    reply = (
        "Here you go:\n"
        "1. Acme (proposal) https://app.gong.io/call?id=1 12:30 - CFO pushed back on price\n"
        "2. Globex <https://acme.zoom.us/rec/2|recording> at 4:05: champion went quiet\n"
        "3. Initech stage: discovery https://example.com/clip\n"
        "thanks!"
    )
    assert deals_from_reply(reply) == [
        Deal(
            "Acme", "https://app.gong.io/call?id=1", "proposal", "12:30", "CFO pushed back on price"
        ),
        Deal("Globex", "https://acme.zoom.us/rec/2", None, "4:05", "champion went quiet"),
        Deal("Initech", "https://example.com/clip", "discovery", None, None),
    ]


def test_a_reply_without_links_has_no_deals_and_extra_deals_are_cut_at_three() -> None:
    assert deals_from_reply("Busy week, will send later") == []
    many = "\n".join(f"Deal {i} https://gong.io/c/{i}" for i in range(5))
    assert [d.name for d in deals_from_reply(many)] == ["Deal 0", "Deal 1", "Deal 2"]


def test_a_link_python_cannot_split_is_refused_with_a_sentence() -> None:
    from app.rules.evidence import BadInput, check_url, clip_source
    from app.rules.refusals import Refusal

    with pytest.raises(BadInput) as refused:
        check_url("https://[x")
    assert refused.value.reason is Refusal.LINK_NOT_A_URL
    assert clip_source("https://[x") == "Link"
