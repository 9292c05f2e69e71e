"""The 1:1 agenda as the manager and the rep read it: labelled halves in order, the minutes
of the gap's split, a clarity gap's shared scorecard, a system gap's escalation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.rules.agenda import plan
from app.rules.commitment import Commitment
from app.rules.types import Gap
from app.services import weekly_messages as m
from app.services.deals import PickableDeal
from app.slack.render.rep_prompts import rep_agenda
from app.slack.render.team_messages import manager_agenda

LAST = Commitment(
    "Ask for a date on every call — and we hold the Acme deal at proposal by Friday",
    follow_up_on=date(2026, 11, 25),
    to_check="next-step dates asked for on the next 5 calls",
)
DEALS = (
    PickableDeal("1", "Acme renewal", "Contract Sent", Decimal(40000), "USD", None),
    PickableDeal("2", "Globex expansion", "Qualified", Decimal(25000), "USD", None),
)


def item(gap: Gap | None, **extra: object) -> m.AgendaItem:
    return m.AgendaItem(
        rep="U0REP",
        gap=gap,
        focus="Discovery",
        evidence_url="https://app.gong.io/call?id=1",
        evidence_moment="12:30",
        last_commitment=LAST,
        last_drill_recorded=True,
        logged=False,
        plan=plan(gap) if gap else None,
        **extra,  # type: ignore[arg-type]
    )


def agenda_text(*items: m.AgendaItem) -> str:
    message = manager_agenda(m.ManagerAgenda("U0MGR", "2026-W48", items))
    return "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")


def test_a_skill_gap_coaches_21_minutes_then_holds_the_number_9() -> None:
    shown = agenda_text(item(Gap.SKILL))
    coaching = shown.index("*1. Coaching — me helping you get better · 21 min*")
    accountability = shown.index("*2. Accountability — us holding the number · 9 min*")
    assert coaching < shown.index("Role-play") < accountability
    assert shown.index("*Check last week's commitment:* Ask for a date") > accountability
    assert "Wed Nov 25, we check next-step dates asked for on the next 5 calls" in shown


def test_a_will_gap_turns_the_split_around() -> None:
    shown = agenda_text(item(Gap.WILL))
    assert "Coaching — me helping you get better · 9 min" in shown
    assert "Accountability — us holding the number · 21 min" in shown


def test_a_clarity_gap_writes_the_scorecard_from_the_reps_deals() -> None:
    shown = agenda_text(item(Gap.CLARITY, pipeline=DEALS))
    accountability = shown.index("Accountability — us holding the number · 15 min")
    scorecard = shown.index("*Build the shared scorecard:*")
    assert scorecard > accountability
    assert "the number (how much, at which stage), the deals it comes from (start from " in shown
    assert "Acme renewal, Globex expansion), and the date" in shown


def test_a_system_gap_has_no_coaching_half_and_shows_the_escalation() -> None:
    shown = agenda_text(item(Gap.SYSTEM, manager_action="Ask ops to fix lead routing"))
    assert "Coaching — me helping you get better" not in shown and "GROW on the clip" not in shown
    assert "*1. Accountability — us holding the number · 30 min*" in shown
    assert "*Your escalation:* Ask ops to fix lead routing. The rep gets no drill for it" in shown


def test_an_undiagnosed_rep_is_diagnosed_first_and_last_weeks_commitment_still_checked() -> None:
    shown = agenda_text(item(None))
    assert "not diagnosed yet — diagnose before you meet" in shown
    assert "*Check last week's commitment:* Ask for a date" in shown and " min*" not in shown


def test_the_length_is_a_parameter() -> None:
    agenda = m.ManagerAgenda("U0MGR", "2026-W48", (item(None),), minutes=45)
    message = manager_agenda(agenda)
    assert message.blocks[0]["text"]["text"] == "1:1 agenda (45 min)"
    assert "45 min each" in message.text


def test_the_rep_reads_the_same_halves_without_the_gaps_minutes() -> None:
    agenda = m.RepAgenda("U0REP", "U0MGR", "2026-W48", "Discovery", LAST, False, plan(Gap.WILL))
    shown = rep_agenda(agenda).blocks[0]["text"]["text"]
    assert shown.index("*1. Coaching — me helping you get better*") < shown.index(
        "*2. Accountability — us holding the number*"
    )
    assert f"Last week you committed to: {LAST.sentence}" in shown and " min" not in shown
    system = m.RepAgenda("U0REP", "U0MGR", "2026-W48", None, None, True, plan(Gap.SYSTEM))
    shown = rep_agenda(system).blocks[0]["text"]["text"]
    assert "Coaching" not in shown and "role-play" not in shown
    assert "*1. Accountability — us holding the number*" in shown
