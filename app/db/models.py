"""Tables. Every schema change here needs an alembic revision (tests compare the two)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, BigId, UTCDateTime
from app.rules.types import DeliveryStatus, Gap, Role, Step


def _enum(enum_cls: type, length: int = 24) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum): adding a value needs no DDL.
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Workspace(Base):
    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    # False once Slack refuses coach's token there (token_revoked, app_uninstalled, ...):
    # nothing is planned or sent until a working token comes back.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    disabled_reason: Mapped[str | None] = mapped_column(String(64))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(_enum(Role))
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(255))
    # IANA name from the Slack profile (or the roster until Slack tells us); never an offset.
    tz: Mapped[str | None] = mapped_column(String(64))
    profile_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last read
    # Last time coach asked Slack for the profile (NULL: never; nothing is planned for the
    # person until it has been asked once) and, when that failed, why.
    profile_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    profile_error: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    paused_until: Mapped[date | None] = mapped_column(Date)
    # The person's own working hours, local (both NULL: none; no DM lands outside them).
    work_starts: Mapped[time | None] = mapped_column(Time)
    work_ends: Mapped[time | None] = mapped_column(Time)
    # When an admin erased their personal data (`coach person erase`): the row stays,
    # anonymous and inactive, so the weeks they were coached still count in their team's
    # figures (app/services/erasure.py).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    manager: Mapped[Person | None] = relationship(remote_side=[id], lazy="raise")


def _one_default_and_one_per_team(table: str, *columns: str) -> tuple[Index, Index]:
    """Unique per workspace default (manager_id NULL) and per team, on `columns` besides."""
    default, team = text("manager_id IS NULL"), text("manager_id IS NOT NULL")
    return (
        Index(
            f"uq_{table}_workspace_default",
            "workspace_id",
            *columns,
            unique=True,
            sqlite_where=default,
            postgresql_where=default,
        ),
        Index(
            f"uq_{table}_team",
            "workspace_id",
            "manager_id",
            *columns,
            unique=True,
            sqlite_where=team,
            postgresql_where=team,
        ),
    )


class ScheduleStep(Base):
    """A workspace-wide (manager_id NULL) or per-team override of when a step fires."""

    __tablename__ = "schedule_step"
    __table_args__ = _one_default_and_one_per_team("schedule_step", "step")

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    step: Mapped[Step] = mapped_column(_enum(Step))
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday … 6 = Sunday
    local_time: Mapped[time] = mapped_column(Time)


class WorkCalendarRow(Base):
    """The holidays a workspace (manager_id NULL) or a team keeps: a country and region of
    the `holidays` library, and days off of its own (app/rules/working_days.py)."""

    __tablename__ = "work_calendar"
    __table_args__ = _one_default_and_one_per_team("work_calendar")

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # ISO code ("GB"); on a team's row NULL keeps the workspace's, "" chooses none.
    country: Mapped[str | None] = mapped_column(String(3))
    subdiv: Mapped[str | None] = mapped_column(String(10))
    days_off: Mapped[list[str]] = mapped_column(JSON)  # ISO dates of its own
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """The ledger: one row per scheduled message, unique on (person, kind, week, subject)."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "cycle_week", "subject_id"),
        Index("ix_delivery_status_due_at", "status", "due_at"),
        Index("ix_delivery_workspace_id_cycle_week", "workspace_id", "cycle_week"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[Step] = mapped_column(_enum(Step))
    cycle_week: Mapped[str] = mapped_column(String(8))  # ISO week of the local Monday: 2026-W48
    # The one record a message is about, when a person may get several of its kind in a week
    # (a coaching review: the review's id); 0 for everything else, once per person and week.
    subject_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # not sent by then → skipped
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    fence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendPace(Base):
    """A token bucket per workspace and Web API method, shared by every sender process, so
    replicas together stay under Slack's limit; a 429 pauses the workspace for all of them."""

    __tablename__ = "send_pace"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime)  # no send before this
    # The pace learned from Slack's answers (app/rules/pacing.py); NULL: not learned yet.
    per_minute: Mapped[float | None] = mapped_column(Float)
    ceiling: Mapped[float | None] = mapped_column(Float)  # the rate the last 429 answered
    raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cut_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EventReceipt(Base):
    """Events API deliveries already handled, so Slack's retries cause no second effect."""

    __tablename__ = "event_receipt"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Submission(Base):
    """A rep's top deals of last week with the clip of the key moment: one per rep and cycle."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    deals: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON
    )  # [{name, stage, clip_url, moment, happened}]
    source: Mapped[str] = mapped_column(String(16))  # modal | reply
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Diagnosis(Base):
    """The one gap a manager diagnosed for a rep before the 1:1 of that cycle."""

    __tablename__ = "diagnosis"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # the decision tree: question → yes/no
    gap: Mapped[Gap] = mapped_column(_enum(Gap, 16))
    focus_skill: Mapped[str] = mapped_column(String(120))  # the competency's name that week
    focus_key: Mapped[str | None] = mapped_column(String(32))  # the rubric competency's key
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_moment: Mapped[str | None] = mapped_column(String(16))
    evidence_quote: Mapped[str | None] = mapped_column(Text)
    did: Mapped[str | None] = mapped_column(Text)  # what the rep did …
    good_looks_like: Mapped[str | None] = mapped_column(Text)  # … and what good looks like
    manager_action: Mapped[str | None] = mapped_column(Text)  # a system gap is the manager's job
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OneOnOne(Base):
    """The GROW notes of a rep's 1:1 in one cycle (or the record that it did not happen)."""

    __tablename__ = "one_on_one"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    held: Mapped[bool] = mapped_column(Boolean)
    goal: Mapped[str | None] = mapped_column(Text)
    reality: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    commitment: Mapped[str | None] = mapped_column(Text)  # the rep's own words
    drill: Mapped[dict[str, Any] | None] = mapped_column(
        JSON
    )  # {key, name, scenario, what_to_say, success}
    practice_reps: Mapped[int | None] = mapped_column(SmallInteger)
    accountability: Mapped[str | None] = mapped_column(Text)  # the number we hold
    obstacles: Mapped[str | None] = mapped_column(Text)  # what could get in the way, their words
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_check: Mapped[str | None] = mapped_column(Text)  # what the follow-up reviews
    measurement: Mapped[str | None] = mapped_column(Text)  # the target it reviews against
    private_notes: Mapped[str | None] = mapped_column(Text)  # the manager's eyes only
    minutes: Mapped[int | None] = mapped_column(SmallInteger)  # its length (None: the default)
    framework: Mapped[str | None] = mapped_column(String(8))  # how it was run (None: GROW)
    scaling: Mapped[int | None] = mapped_column(SmallInteger)  # OSKAR's 1–10
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoachingReview(Base):
    """A director's review of one logged 1:1 of a manager they lead (coaching the coaches): the
    checklist items they ticked and their note. One per 1:1: saving again edits it."""

    __tablename__ = "coaching_review"
    __table_args__ = (
        UniqueConstraint("one_on_one_id"),
        Index("ix_coaching_review_manager_cycle", "manager_id", "cycle_week"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # rep
    cycle_week: Mapped[str] = mapped_column(String(8))  # the week of the 1:1
    # Who logged the 1:1 (the manager reviewed, who gets the DM) and who reviewed it.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    ticked: Mapped[list[str]] = mapped_column(JSON)  # checklist keys (app.rules.coaching_review)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoachingNote(Base):
    """A coaching note outside the 1:1, in one framework (app/rules/frameworks.py): SBI
    feedback on one clip (sent to the rep), a CAR deal post-mortem or an OSKAR conversation
    with its scaling number (kept for the rep's coaches)."""

    __tablename__ = "coaching_note"
    __table_args__ = (Index("ix_coaching_note_person_cycle", "person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # rep
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    cycle_week: Mapped[str] = mapped_column(String(8))  # the rep's week when it was written
    framework: Mapped[str] = mapped_column(String(8))
    parts: Mapped[dict[str, str]] = mapped_column(JSON)  # the framework's parts, as written
    scaling: Mapped[int | None] = mapped_column(SmallInteger)  # OSKAR: 1–10
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChartImage(Base):
    """A trend chart uploaded to Slack: drawn once per person, week and kind, then reused by
    the digest and the App Home (app/rules/trends.py). Holds the file id and the chart's
    numbers in words (its alt text), never the picture."""

    __tablename__ = "chart_image"
    __table_args__ = (
        Index("uq_chart_image_person_cycle_kind", "person_id", "cycle_week", "kind", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))  # the last week the chart shows
    kind: Mapped[str] = mapped_column(String(16))  # rep, team, director
    file_id: Mapped[str] = mapped_column(String(32))  # Slack's file id
    title: Mapped[str] = mapped_column(String(120))
    alt_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DrillReport(Base):
    """A recording of the drill the rep reported (a cycle can have several, one per link)."""

    __tablename__ = "drill_report"
    __table_args__ = (
        Index("uq_drill_report_person_cycle_url", "person_id", "cycle_week", "url", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferScore(Base):
    """The manager's 1–5 skill transfer score of the drill of one cycle."""

    __tablename__ = "transfer_score"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))  # the cycle whose drill was scored
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomDrill(Base):
    """A drill a workspace added to the starting library."""

    __tablename__ = "custom_drill"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(75))
    scenario: Mapped[str] = mapped_column(Text)
    what_to_say: Mapped[str | None] = mapped_column(Text)  # the script
    success: Mapped[str] = mapped_column(Text)  # or an assignment's completion criterion
    competency_key: Mapped[str | None] = mapped_column(String(32))  # what it trains
    gaps: Mapped[list[str] | None] = mapped_column(JSON)  # the gaps it serves
    kind: Mapped[str] = mapped_column(
        String(16), default="role_play", server_default=text("'role_play'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Competency(Base):
    """A workspace's wording of a built-in competency of the rubric, or one of its own
    (app/rules/rubric.py holds the built-in wording)."""

    __tablename__ = "competency"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))  # "discovery", or "own:<n>"
    name: Mapped[str] = mapped_column(String(40))
    levels: Mapped[list[str]] = mapped_column(JSON)  # what levels 1–4 sound like on a call
    position: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RubricRating(Base):
    """A rep's level on one competency, as their manager rated it at a week's diagnosis.
    Every week's rating is kept, so levels trend."""

    __tablename__ = "rubric_rating"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week", "competency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    competency_key: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(SmallInteger)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Pause(Base):
    """Someone was out of office (inclusive dates): those weeks count as skipped, not missed."""

    __tablename__ = "pause"
    __table_args__ = (Index("ix_pause_person", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Helpfulness(Base):
    """The rep's own 1–10 answer: how much did this week's 1:1 help you win a deal?"""

    __tablename__ = "helpfulness"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))  # the week of the 1:1
    score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DealProgress(Base):
    """Did a coached deal move to the next stage within the week? The rep's one tap."""

    __tablename__ = "deal_progress"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week", "deal_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cycle_week: Mapped[str] = mapped_column(String(8))  # the week the deal was coached
    deal_index: Mapped[int] = mapped_column(SmallInteger)  # its place in that submission
    moved: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ManagerAction(Base):
    """What a manager took on for a rep when the gap was theirs to fix (a system gap: territory,
    lead routing, quota): open, on their App Home and in their director's digest, until they
    mark it resolved. One per rep and cycle, kept in step with that cycle's diagnosis."""

    __tablename__ = "manager_action"
    __table_args__ = (UniqueConstraint("person_id", "cycle_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # rep
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    cycle_week: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(Text)  # what the manager said they'll escalate
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectMessage(Base):
    """What someone on the roster wrote to coach in their DM, kept as typed before anything
    reads it (so no reply is ever lost to a bug in reading it), with what coach made of it and
    the answer coach posted (whose buttons may act on it later)."""

    __tablename__ = "direct_message"
    __table_args__ = (UniqueConstraint("channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    cycle_week: Mapped[str] = mapped_column(String(8))  # the writer's week when it arrived
    # What coach made of it: pending (not read yet, or reading it failed), deals, choice
    # (asked: a drill or a deal?), drill, hint, quiet (chit-chat after today's hint)
    outcome: Mapped[str] = mapped_column(String(16))
    answer_ts: Mapped[str | None] = mapped_column(String(32))  # coach's reply to it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditLog(Base):
    """Every export and erasure: who did it (None: the server's command line), about whom
    (None: a team's history), what and when. Ids only, never content; rows are only added."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_id", "subject_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))  # app.rules.exports.AuditAction
    at: Mapped[datetime] = mapped_column(UTCDateTime)


from app.db import crm_tables as _crm_tables  # noqa: E402,F401  (CRM tables)
from app.db import recorder_tables as _recorder_tables  # noqa: E402,F401  (call recorder tables)
from app.db import setup_stamp as _setup_stamp  # noqa: E402,F401  (every session moves the stamp)
from app.db import slack_tables as _slack_tables  # noqa: E402,F401  (register OAuth tables)
