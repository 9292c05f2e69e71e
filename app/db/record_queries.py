"""Queries about the weekly records: deals, diagnoses, 1:1s, drills, scores, pauses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.db.models import (
    CustomDrill,
    DealProgress,
    Diagnosis,
    DrillReport,
    Helpfulness,
    OneOnOne,
    Pause,
    Submission,
    TransferScore,
)
from app.db.sql import Queries, insert_ignoring_conflicts, rowcount


class RecordQueries(Queries):
    # --- the weekly loop's records ------------------------------------------------------
    async def submissions(self, person_ids: Iterable[int], cycle: str) -> dict[int, Submission]:
        return await self._by_people(Submission, person_ids, cycle)

    async def save_submission(
        self, person_id: int, cycle: str, deals: list[dict[str, Any]], source: str, now: datetime
    ) -> Submission:
        return await self._save(
            Submission,
            {"person_id": person_id, "cycle_week": cycle},
            {"deals": deals, "source": source, "created_at": now, "updated_at": now},
        )

    async def diagnoses(self, person_ids: Iterable[int], cycle: str) -> dict[int, Diagnosis]:
        return await self._by_people(Diagnosis, person_ids, cycle)

    async def diagnosis_history(
        self, person_ids: Iterable[int], up_to_cycle: str
    ) -> dict[int, list[Diagnosis]]:
        """Each person's diagnoses up to a cycle, newest first (cycle names sort by time)."""
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(Diagnosis)
            .where(Diagnosis.person_id.in_(wanted), Diagnosis.cycle_week <= up_to_cycle)
            .order_by(Diagnosis.person_id, Diagnosis.cycle_week.desc())
        )
        history: dict[int, list[Diagnosis]] = {}
        for row in (await self.session.scalars(query)).all():
            history.setdefault(row.person_id, []).append(row)
        return history

    async def save_diagnosis(
        self, person_id: int, cycle: str, values: dict[str, Any], now: datetime
    ) -> Diagnosis:
        return await self._save(
            Diagnosis,
            {"person_id": person_id, "cycle_week": cycle},
            {**values, "created_at": now, "updated_at": now},
        )

    async def one_on_ones(self, person_ids: Iterable[int], cycle: str) -> dict[int, OneOnOne]:
        return await self._by_people(OneOnOne, person_ids, cycle)

    async def save_one_on_one(
        self, person_id: int, cycle: str, values: dict[str, Any], now: datetime
    ) -> OneOnOne:
        return await self._save(
            OneOnOne,
            {"person_id": person_id, "cycle_week": cycle},
            {**values, "created_at": now, "updated_at": now},
        )

    async def add_drill_report(
        self, person_id: int, cycle: str, url: str, note: str | None, now: datetime
    ) -> bool:
        """Record a drill recording; False when this link was already recorded for the cycle."""
        values = {
            "person_id": person_id,
            "cycle_week": cycle,
            "url": url,
            "note": note,
            "created_at": now,
        }
        result = await self.session.execute(
            insert_ignoring_conflicts(self.session, DrillReport, values)
        )
        return bool(rowcount(result))

    async def drill_reports(
        self, person_ids: Iterable[int], cycle: str
    ) -> dict[int, list[DrillReport]]:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(DrillReport)
            .where(DrillReport.person_id.in_(wanted), DrillReport.cycle_week == cycle)
            .order_by(DrillReport.id)
        )
        reports: dict[int, list[DrillReport]] = {}
        for row in (await self.session.scalars(query)).all():
            reports.setdefault(row.person_id, []).append(row)
        return reports

    async def weeks_of(
        self, model: Any, person_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> list[Any]:
        """Every `model` row of these people from `first_cycle` to `last_cycle`, in one query."""
        wanted = list(set(person_ids))
        if not wanted:
            return []
        query = (
            select(model)
            .where(
                model.person_id.in_(wanted),
                model.cycle_week >= first_cycle,
                model.cycle_week <= last_cycle,
            )
            .order_by(model.id)
        )
        return list((await self.session.scalars(query)).all())

    async def save_helpfulness(
        self, person_id: int, cycle: str, score: int, now: datetime
    ) -> Helpfulness:
        return await self._save(
            Helpfulness,
            {"person_id": person_id, "cycle_week": cycle},
            {"score": score, "created_at": now, "updated_at": now},
        )

    async def save_deal_progress(
        self, person_id: int, cycle: str, deal_index: int, moved: bool, now: datetime
    ) -> DealProgress:
        return await self._save(
            DealProgress,
            {"person_id": person_id, "cycle_week": cycle, "deal_index": deal_index},
            {"moved": moved, "created_at": now, "updated_at": now},
        )

    async def deal_progress(self, person_ids: Iterable[int], cycle: str) -> list[DealProgress]:
        return await self.weeks_of(DealProgress, person_ids, cycle, cycle)

    async def add_pause(
        self, person_id: int, starts_on: date, ends_on: date, set_by: int | None, now: datetime
    ) -> None:
        """Record a pause; the same pause again (a resubmitted form) adds nothing."""
        same = await self.session.scalar(
            select(Pause.id).where(
                Pause.person_id == person_id, Pause.starts_on == starts_on, Pause.ends_on == ends_on
            )
        )
        if same is not None:
            return
        self.session.add(
            Pause(
                person_id=person_id,
                starts_on=starts_on,
                ends_on=ends_on,
                set_by=set_by,
                created_at=now,
            )
        )
        await self.session.flush()

    async def pauses(self, person_ids: Iterable[int]) -> list[Pause]:
        wanted = list(set(person_ids))
        if not wanted:
            return []
        query = select(Pause).where(Pause.person_id.in_(wanted)).order_by(Pause.id)
        return list((await self.session.scalars(query)).all())

    async def transfer_scores(
        self, person_ids: Iterable[int], cycle: str
    ) -> dict[int, TransferScore]:
        return await self._by_people(TransferScore, person_ids, cycle)

    async def transfer_history(
        self, person_ids: Iterable[int], up_to_cycle: str
    ) -> dict[int, dict[str, int]]:
        """Each person's transfer scores up to a cycle: cycle → score, oldest first."""
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(TransferScore.person_id, TransferScore.cycle_week, TransferScore.score)
            .where(TransferScore.person_id.in_(wanted), TransferScore.cycle_week <= up_to_cycle)
            .order_by(TransferScore.cycle_week)
        )
        history: dict[int, dict[str, int]] = {}
        for person_id, cycle, score in (await self.session.execute(query)).all():
            history.setdefault(person_id, {})[cycle] = score
        return history

    async def save_transfer_score(
        self, person_id: int, cycle: str, score: int, author_id: int, now: datetime
    ) -> TransferScore:
        return await self._save(
            TransferScore,
            {"person_id": person_id, "cycle_week": cycle},
            {"score": score, "author_id": author_id, "created_at": now, "updated_at": now},
        )

    async def custom_drills(self, workspace_id: int) -> Sequence[CustomDrill]:
        query = select(CustomDrill).where(CustomDrill.workspace_id == workspace_id)
        return (await self.session.scalars(query.order_by(CustomDrill.name))).all()

    async def custom_drill(self, workspace_id: int, drill_id: int) -> CustomDrill | None:
        return await self.session.scalar(
            select(CustomDrill).where(
                CustomDrill.workspace_id == workspace_id, CustomDrill.id == drill_id
            )
        )
