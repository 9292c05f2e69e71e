"""Deal progression from stage history: forward within 7 days after the 1:1, settled once
the history has been read past them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.rules.progression import Move, StagePlace, moved_forward, stage_at

COACHED = datetime(2026, 11, 25, 17, tzinfo=UTC)
STAGES = {
    "qualify": StagePlace(1, closed=False, won=False),
    "propose": StagePlace(2, closed=False, won=False),
    "won": StagePlace(3, closed=True, won=True),
    "lost": StagePlace(4, closed=True, won=False),
}
START = Move("qualify", COACHED - timedelta(days=10))


def verdict(*moves: Move, read: datetime | None = None) -> bool | None:
    return moved_forward([START, *moves], STAGES, COACHED, None, read)


def test_a_move_forward_inside_the_week_counts_at_once() -> None:
    assert verdict(Move("propose", COACHED + timedelta(days=4))) is True
    assert verdict(Move("won", COACHED + timedelta(days=7))) is True  # the 7th day still counts


def test_closed_lost_backwards_and_late_moves_never_count() -> None:
    late = COACHED + timedelta(days=7, seconds=1)
    read = COACHED + timedelta(days=8)
    assert verdict(Move("lost", COACHED + timedelta(days=1)), read=read) is False
    assert verdict(Move("propose", late), read=read) is False
    before = Move("propose", COACHED - timedelta(days=1))  # moved before the 1:1: its start
    assert verdict(before, Move("qualify", COACHED + timedelta(days=1)), read=read) is False


def test_no_move_is_pending_until_the_history_is_read_past_the_week() -> None:
    assert verdict() is None
    assert verdict(read=COACHED + timedelta(days=6)) is None
    assert verdict(read=COACHED + timedelta(days=7)) is False


def test_the_stage_at_the_1_1_is_the_last_move_before_it() -> None:
    moves = [START, Move("propose", COACHED - timedelta(hours=1))]
    assert stage_at(moves, COACHED, "qualify") == "propose"
    assert stage_at([], COACHED, "qualify") == "qualify"  # no history: the stage picked
