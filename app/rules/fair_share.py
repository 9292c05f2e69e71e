"""How one sender process shares itself among the workspaces that have messages due.

Each workspace with messages due has its own lane: its own claims, its own pace and its own
pauses, so a workspace that Slack throttles, answers slowly or has disabled holds back no
other. What lanes do share is the process's senders (COACH_SEND_CONCURRENCY posts at once):
each lane keeps at most an equal share of them busy, at least one, so a workspace with a
big queue or slow answers cannot take every sender while a small one waits.

- A lane's share is `concurrency // lanes`, never below one. With more lanes than senders,
  every lane has one send waiting at a time and the senders go round them in turn.
- A lane claims again once fewer than its share are left of what it claimed, and up to twice
  its share: claims come in batches (few database round trips), and a claimed row never
  waits long for a sender (its lease keeps running).
"""

from __future__ import annotations

MAX_CLAIM = 20  # rows claimed at once, whatever the share


def lane_share(concurrency: int, lanes: int) -> int:
    """How many of the process's `concurrency` senders one of `lanes` workspaces may use."""
    return max(1, concurrency // max(lanes, 1))


def claim_size(share: int, held: int) -> int:
    """Rows a lane claims next, holding `held` it claimed before (sending or waiting for a
    sender): none while it holds its share, else enough to hold twice its share."""
    if held >= share:
        return 0
    return min(MAX_CLAIM, 2 * share - held)
