"""What the stand-in's Gong company holds: its users and their recorded calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class GongUser:
    id: str
    email: str
    first_name: str
    last_name: str
    active: bool
    created: datetime
    title: str
    phone_number: str
    meeting_id: str  # the digits of the user's personal Zoom room
    consent_token: str


@dataclass
class Customer:
    """The one external party of a call."""

    name: str
    email: str
    title: str
    party_id: str
    speaker_id: str


@dataclass
class GongCall:
    id: str
    user_id: str  # the host: metaData.primaryUserId
    started: datetime
    scheduled: datetime
    duration_s: int
    title: str
    rep_party_id: str
    rep_speaker_id: str
    customer: Customer
    calendar_event_id: str
    talk_time_s: float | None = None
    customer_talk_time_s: float | None = None
    # interactionStats by their Gong names; absent names were not measured on this call
    stats: dict[str, float] = field(default_factory=dict)
    questions: tuple[int, int] | None = None  # (companyCount, nonCompanyCount)
