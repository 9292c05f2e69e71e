"""What coach keeps from the call recorder (Gong): the connection and its health, who each
person is there, and each call's link and numbers. Links and numbers only: never media,
transcripts, or the names of the people on a call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, BigId, UTCDateTime
from app.db.connection_rows import OutsideConnection


class RecorderConnection(OutsideConnection, Base):
    """One workspace's call recorder (gong): its own credentials (set by an admin in the App
    Home, sealed with the token keys) or, when none are stored, the GONG_* environment; and
    how the last calls to it went (the columns every outside connection has)."""

    __tablename__ = "recorder_connection"

    api_url: Mapped[str | None] = mapped_column(String(500))  # None: from the environment
    access_key: Mapped[str | None] = mapped_column(Text)  # sealed
    access_key_secret: Mapped[str | None] = mapped_column(Text)  # sealed
    users_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last whole read
    users_matched: Mapped[int | None] = mapped_column(Integer)
    # A read of the users under way (a big account takes several ticks): where it stopped,
    # and when it began (people not matched since then are not in the recorder).
    users_cursor: Mapped[str | None] = mapped_column(Text)
    users_listing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecorderPerson(Base):
    """A roster person as the recorder knows them (matched by email), and how far their
    calls have been read."""

    __tablename__ = "recorder_person"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    recorder_user_id: Mapped[str | None] = mapped_column(String(32))  # None: no match
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    calls_read_through: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecordedCall(Base):
    """One recorded call of a rep: where it is, when, how long, and its interaction numbers
    where the recorder has them."""

    __tablename__ = "recorded_call"
    __table_args__ = (
        UniqueConstraint("workspace_id", "provider_call_id"),
        Index("ix_recorded_call_person_id_started_at", "person_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    provider_call_id: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer)
    talk_ratio: Mapped[float | None] = mapped_column(Float)  # the rep's share of talk, 0–1
    longest_monologue_s: Mapped[float | None] = mapped_column(Float)
    interactivity: Mapped[float | None] = mapped_column(Float)
    patience_s: Mapped[float | None] = mapped_column(Float)
    question_rate: Mapped[float | None] = mapped_column(Float)  # the rep's side, per hour
    buyers: Mapped[int | None] = mapped_column(SmallInteger)  # people from outside on it
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
