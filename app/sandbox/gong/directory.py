"""Setting up the company: users, their calls (one at a time, or a seeded sales week).

Ids are numeric strings like Gong's, drawn from a fixed seed, so two sandboxes set up the
same way hand out the same ids.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.clock import Clock
from app.sandbox.gong.model import Customer, GongCall, GongUser
from app.sandbox.gong.seeding import (
    BUYER_TITLES,
    FIRST_NAMES,
    LAST_NAMES,
    company_of,
    email_domain,
    sales_week,
)


class Directory:
    clock: Clock
    users: dict[str, GongUser]
    calls: dict[str, GongCall]
    _ids: random.Random
    _issued: set[str]

    def _init_directory(self) -> None:
        self.users = {}
        self.calls = {}
        self._ids = random.Random("gong-sandbox-ids")
        self._issued = set()

    def _new_id(self, digits: int) -> str:
        while True:
            candidate = str(self._ids.randrange(10 ** (digits - 1), 10**digits))
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    # --- test set-up ------------------------------------------------------------------
    def add_user(
        self, email: str, first_name: str = "", last_name: str = "", *, active: bool = True
    ) -> str:
        """A Gong user (a rep or manager); returns its id."""
        user_id = self._new_id(15)
        created = self.clock() - timedelta(days=200 + self._ids.randrange(600))
        self.users[user_id] = GongUser(
            id=user_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            active=active,
            created=created.replace(microsecond=0),
            title="Account Executive",
            phone_number=f"+1 415-555-{self._ids.randrange(100, 10_000):04d}",
            meeting_id=str(self._ids.randrange(10**9, 10**10)),
            consent_token="".join(
                self._ids.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
                for _ in range(22)
            ),
        )
        return user_id

    def add_call(
        self,
        user_id: str,
        started: datetime,
        *,
        duration_s: int = 1800,
        title: str = "Call",
        talk_time_s: float | None = None,
        customer_talk_time_s: float | None = None,
        longest_monologue_s: float | None = None,
        interactivity: float | None = None,
        patience_s: float | None = None,
        questions_company: int | None = None,
        questions_non_company: int | None = None,
        longest_customer_story_s: float | None = None,
    ) -> str:
        """A recorded call hosted by `user_id` (an aware `started`); returns its id. Stats
        left None were not measured: they are absent from the call's interaction."""
        if user_id not in self.users:
            raise KeyError(f"no Gong user {user_id}; add_user first")
        if started.tzinfo is None:
            raise ValueError("add_call needs an aware `started`")
        call_id = self._new_id(19)
        company = company_of(title)
        first, last = self._ids.choice(FIRST_NAMES), self._ids.choice(LAST_NAMES)
        stats = {
            name: float(value)
            for name, value in (
                ("Longest Monologue", longest_monologue_s),
                ("Longest Customer Story", longest_customer_story_s),
                ("Interactivity", interactivity),
                ("Patience", patience_s),
            )
            if value is not None
        }
        questions = None
        if questions_company is not None and questions_non_company is not None:
            questions = (questions_company, questions_non_company)
        self.calls[call_id] = GongCall(
            id=call_id,
            user_id=user_id,
            started=started,
            scheduled=started.replace(minute=started.minute - started.minute % 15, second=0),
            duration_s=duration_s,
            title=title,
            rep_party_id=self._new_id(14),
            rep_speaker_id=self._new_id(19),
            customer=Customer(
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}@{email_domain(company)}",
                title=self._ids.choice(BUYER_TITLES),
                party_id=self._new_id(14),
                speaker_id=self._new_id(19),
            ),
            calendar_event_id=f"{self._new_id(12)}_{started:%Y%m%dT%H%M%SZ}@google.com",
            talk_time_s=talk_time_s,
            customer_talk_time_s=customer_talk_time_s,
            stats=stats,
            questions=questions,
        )
        return call_id

    def seed_week(
        self, user_id: str, monday: datetime, count: int, rng: random.Random
    ) -> list[str]:
        """`count` realistic calls for `user_id` in the 7 days from `monday` (aware), on
        weekdays in business hours, every stat measured."""
        if monday.tzinfo is None:
            raise ValueError("seed_week needs an aware `monday`")
        return [
            self.add_call(
                user_id,
                call.started,
                duration_s=call.duration_s,
                title=call.title,
                talk_time_s=call.talk_time_s,
                customer_talk_time_s=call.customer_talk_time_s,
                longest_monologue_s=call.longest_monologue_s,
                longest_customer_story_s=call.longest_customer_story_s,
                interactivity=call.interactivity,
                patience_s=call.patience_s,
                questions_company=call.questions_company,
                questions_non_company=call.questions_non_company,
            )
            for call in sales_week(monday, count, rng)
        ]
