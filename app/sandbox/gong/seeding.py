"""Plausible made-up calls: who the customers are, and a sales week of calls for one rep."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

COMPANIES = (
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Financial",
    "Hooli",
    "Vandelay Industries",
    "Soylent Foods",
    "Cyberdyne Systems",
)
STAGES = ("Discovery", "Demo", "Technical Deep Dive", "Pricing Review", "Negotiation", "Kickoff")
FIRST_NAMES = ("Dana", "Priya", "Marcus", "Elena", "Tom", "Aisha", "Kenji", "Laura", "Omar")
LAST_NAMES = ("Whitfield", "Rao", "Bennett", "Moreno", "Kowalski", "Haddad", "Sato", "Chen")
BUYER_TITLES = ("VP Operations", "Director of IT", "Head of Procurement", "CFO", "RevOps Manager")


def company_of(title: str) -> str:
    """'Acme Corp - Discovery' → 'Acme Corp'."""
    return title.split(" - ", 1)[0].strip() or "Prospect"


def email_domain(company: str) -> str:
    slug = "".join(ch for ch in company.lower() if ch.isalnum())
    return f"{slug or 'prospect'}.com"


@dataclass(frozen=True)
class SeededCall:
    started: datetime
    duration_s: int
    title: str
    talk_time_s: float
    customer_talk_time_s: float
    longest_monologue_s: float
    longest_customer_story_s: float
    interactivity: float
    patience_s: float
    questions_company: int
    questions_non_company: int


def sales_week(monday: datetime, count: int, rng: random.Random) -> list[SeededCall]:
    """`count` calls on the weekdays of the week from `monday`, 09:00-17:00 (in monday's
    time zone), each starting at a distinct quarter hour, in start order."""
    slots = [
        monday.replace(hour=0, minute=0, second=0, microsecond=0)
        + timedelta(days=day, hours=hour, minutes=quarter * 15)
        for day in range(5)
        for hour in range(9, 17)
        for quarter in range(4)
    ]
    starts = sorted(rng.sample(slots, min(count, len(slots))))
    calls = []
    for slot in starts:
        duration = rng.choice((15, 25, 30, 30, 45, 45, 60)) * 60 - rng.randint(0, 240)
        spoken = duration * rng.uniform(0.82, 0.93)
        rep_share = rng.uniform(0.35, 0.68)
        calls.append(
            SeededCall(
                started=slot + timedelta(seconds=rng.randint(0, 180)),
                duration_s=duration,
                title=f"{rng.choice(COMPANIES)} - {rng.choice(STAGES)}",
                talk_time_s=round(spoken * rep_share),
                customer_talk_time_s=round(spoken * (1 - rep_share)),
                longest_monologue_s=float(rng.randint(35, 260)),
                longest_customer_story_s=float(rng.randint(20, 200)),
                interactivity=round(rng.uniform(3.0, 9.5), 1),
                patience_s=round(rng.uniform(0.4, 1.9), 2),
                questions_company=rng.randint(4, 26),
                questions_non_company=rng.randint(1, 11),
            )
        )
    return calls
