"""Queries about coaching notes written outside the 1:1 (SBI, CAR, OSKAR)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select

from app.db.models import CoachingNote
from app.db.sql import Queries


class NoteQueries(Queries):
    async def add_note(self, note: CoachingNote) -> CoachingNote:
        self.session.add(note)
        await self.session.flush()
        return note

    async def note_by_id(self, note_id: int) -> CoachingNote | None:
        return await self.session.get(CoachingNote, note_id)

    async def notes_of(
        self, person_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> Sequence[CoachingNote]:
        """These reps' notes from `first_cycle` to `last_cycle`, oldest first."""
        wanted = list(set(person_ids))
        if not wanted:
            return []
        query = (
            select(CoachingNote)
            .where(
                CoachingNote.person_id.in_(wanted),
                CoachingNote.cycle_week >= first_cycle,
                CoachingNote.cycle_week <= last_cycle,
            )
            .order_by(CoachingNote.cycle_week, CoachingNote.id)
        )
        return (await self.session.scalars(query)).all()
