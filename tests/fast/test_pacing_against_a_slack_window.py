"""The learned pace (app/rules/pacing.py with app/db/pace.py's bucket) against a model of
Slack's limit: at most L accepted posts in any 60 seconds, a 429 with Retry-After (seconds
until the oldest post leaves the window) past that, as the sandbox answers. A lane claims
as the outbox does (up to twice its share of senders), the process sends at most
`PROCESS_PER_S` a second, and each answer takes `ANSWER_S`. No clock is read: the model's
time is stepped, so the figures are the rules' own, the same on every machine."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.db.pace import fresh, learned_rate, paused, take
from app.rules import pacing

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STEP_S = 0.01
PROCESS_PER_S = 45.0  # what one process sends a second (bench/fanout.py measures ~45)
ANSWER_S = 0.05
SHARE = 8  # the lane's senders


@dataclass(frozen=True)
class Run:
    seconds: float
    posts: int
    refused: int

    def ratio(self, messages: int, limit_per_minute: int) -> float:
        return self.seconds / (messages / limit_per_minute * 60)


def send_all(messages: int, limit_per_minute: int) -> Run:
    window: deque[float] = deque()  # when Slack accepted each post of the last minute
    pace = pacing.started(60, None)
    bucket = fresh(T0, learned_rate(pace, None, T0))
    answers: deque[float] = deque()  # when each post in flight is answered
    left, posts, refused, now, free_at = messages, 0, 0, 0.0, 0.0
    while left:
        at = T0 + timedelta(seconds=now)
        while answers and answers[0] <= now:
            answers.popleft()
        if len(answers) < SHARE:
            wanted = min(2 * SHARE - len(answers), left)
            taken = take(bucket, learned_rate(pace, None, at), at, wanted)
            bucket = taken.bucket
            if taken.granted < wanted:
                pace = pacing.raised(pace, at, None)
            for _ in range(taken.granted):
                sent = max(now, free_at)
                free_at = sent + 1 / PROCESS_PER_S
                answers.append(sent + ANSWER_S)
                posts += 1
                while window and sent - window[0] >= 60:
                    window.popleft()
                if len(window) < limit_per_minute:
                    window.append(sent)
                    left -= 1
                    continue
                refused += 1  # retried later: it stays in `left`
                answered = T0 + timedelta(seconds=sent + ANSWER_S)
                retry_after = max(1, math.ceil(window[0] + 60 - sent))
                pace = pacing.cut(pace, answered)
                bucket = paused(bucket, answered + timedelta(seconds=retry_after))
        now += STEP_S
    return Run(now, posts, refused)


def test_three_thousand_posts_at_six_hundred_a_minute_draw_under_two_percent_429s() -> None:
    run = send_all(3_000, 600)
    assert run.refused / run.posts < 0.02
    assert run.ratio(3_000, 600) <= 1.15


def test_a_bigger_workspace_learns_its_ceiling_as_well() -> None:
    run = send_all(5_000, 1_200)
    assert run.refused / run.posts < 0.02
    assert run.ratio(5_000, 1_200) <= 1.15


def test_a_short_queue_finishes_near_the_limit_too() -> None:
    run = send_all(500, 300)
    assert run.ratio(500, 300) <= 1.15
