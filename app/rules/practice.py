"""Practice counted: the number of recordings the rep committed to is the week's target
(one when no number was set); the drill is done once that many are in."""

from __future__ import annotations

from dataclasses import dataclass


def practice_target(committed: int | None) -> int:
    return committed if committed is not None and committed > 0 else 1


@dataclass(frozen=True)
class Practice:
    done: int  # recordings in this week
    target: int  # recordings committed to

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def left(self) -> int:
        return max(0, self.target - self.done)

    @property
    def label(self) -> str:
        """ "1/3"."""
        return f"{self.done}/{self.target}"


def practice(recordings: int, committed: int | None) -> Practice:
    return Practice(recordings, practice_target(committed))
