"""What coach keeps from the CRM (Salesforce or HubSpot): the connection and its health,
who each person is there, the deal stages, the open deals of matched reps and the coached
deals, and the stage history of coached deals. Deal names, stages, amounts and dates only:
never contacts, notes or anything else on a record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, BigId, UTCDateTime
from app.db.connection_rows import OutsideConnection


class CrmConnection(OutsideConnection, Base):
    """One workspace's CRM (salesforce or hubspot): an admin's own credentials (OAuth mode,
    sealed with the token keys) or, when none are stored, the SALESFORCE_*/HUBSPOT_*
    environment; how the last calls to it went (the columns every outside connection has),
    and how much of its daily allowance it said was used."""

    __tablename__ = "crm_connection"

    api_url: Mapped[str | None] = mapped_column(String(500))  # login URL or API URL; None: env
    client_id: Mapped[str | None] = mapped_column(String(255))  # Salesforce consumer key
    username: Mapped[str | None] = mapped_column(String(255))  # Salesforce integration user
    secret: Mapped[str | None] = mapped_column(Text)  # sealed: the private key or the token
    fields_ok: Mapped[bool | None] = mapped_column(Boolean)  # both write-back fields exist
    owners_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owners_matched: Mapped[int | None] = mapped_column(Integer)
    deals_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    api_used: Mapped[int | None] = mapped_column(Integer)  # Sforce-Limit-Info, when told
    api_allocation: Mapped[int | None] = mapped_column(Integer)


class CrmPerson(Base):
    """A roster person as the CRM knows them (a deal owner, matched by email)."""

    __tablename__ = "crm_person"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    crm_user_id: Mapped[str | None] = mapped_column(String(32))  # None: no match
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrmStageRow(Base):
    """A deal stage and its place in its pipeline."""

    __tablename__ = "crm_stage"
    __table_args__ = (UniqueConstraint("workspace_id", "pipeline", "stage_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    pipeline: Mapped[str] = mapped_column(String(120))  # "" where the CRM has one
    stage_id: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    closed: Mapped[bool] = mapped_column(Boolean)
    won: Mapped[bool] = mapped_column(Boolean)


class CrmDealRow(Base):
    """A deal as the CRM last said: the open deals of matched reps, and every coached deal
    (kept after it closes, for its progression)."""

    __tablename__ = "crm_deal"
    __table_args__ = (
        UniqueConstraint("workspace_id", "crm_id"),
        Index("ix_crm_deal_person_id_open", "person_id", "open"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    crm_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(255))
    pipeline: Mapped[str] = mapped_column(String(120))
    stage_id: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    close_date: Mapped[date | None] = mapped_column(Date)
    open: Mapped[bool] = mapped_column(Boolean)  # in the owner's open deals at the last read
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    url: Mapped[str] = mapped_column(String(2000))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    history_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CrmStageChange(Base):
    """A coached deal moved into a stage at a moment (its stage history)."""

    __tablename__ = "crm_stage_change"
    __table_args__ = (UniqueConstraint("workspace_id", "crm_id", "changed_at", "stage_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    crm_id: Mapped[str] = mapped_column(String(32))
    stage_id: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
