"""What the sample team types into coach's forms during the week: deals, diagnoses, GROW notes."""

from __future__ import annotations

from typing import Any

from app.rules.form_fields import DiagnosisField, rating_field
from app.sandbox.driver import chosen, typed

# In a form value: pick the newest of the rep's Gong calls the form lists.
PICK_NEWEST_CALL: dict[str, Any] = {"pick": "newest"}


def pick_crm_deal(name: str) -> dict[str, Any]:
    """In a form value: pick the rep's CRM deal of this name from the ones the form lists."""
    return {"pick": "crm", "name": name}


def yes_no(*answers: str) -> dict[str, Any]:
    """The diagnosis questions, answered in order (can do, knows, clear, math works)."""
    keys = ("can_do", "knows", "clear", "math_works")
    return {k: chosen(a, "radio_buttons") for k, a in zip(keys, answers, strict=False)}


def focus(key: str, level: int, **others: int) -> dict[str, Any]:
    """The focus competency picked and the rep's level on it (and on `others`) today."""
    levels = {key: level, **others}
    return {
        DiagnosisField.FOCUS_SKILL.value: chosen(key),
        **{rating_field(k): chosen(str(v), "radio_buttons") for k, v in levels.items()},
    }


def ben_feedback() -> dict[str, Any]:
    """Maya's SBI note on Ben's Globex clip."""
    return {
        "framework": chosen("sbi", "radio_buttons"),
        "clip_url": url_value("https://acme.zoom.us/rec/2"),
        "situation": typed("Globex call, 4:05, when the champion went quiet"),
        "behaviour": typed("You asked who else should be in the next meeting, and waited"),
        "impact": typed("The champion named the CFO and IT lead: the deal has three threads now"),
    }


def url_value(value: str) -> dict[str, Any]:
    return {"value": {"type": "url_text_input", "value": value}}


def grow(
    commitment: str,
    drill: str,
    *,
    number: str,
    check: str,
    target: str = "",
    obstacles: str = "",
    practice: int = 1,
    private: str = "",
) -> dict[str, Any]:
    """1:1 notes in the GROW shape, on the sample deal's price objection: the commitment and
    the number we hold, what could get in the way, and what the follow-up checks (its date is
    left as the form proposes it); `practice` is the number of recordings the rep commits to."""
    return {
        "goal": typed("Get the CFO to agree to a business-case review"),
        "reality": typed("Discounted at the first push on price"),
        "options": typed(
            "Reframe to cost of delay\nAsk what's behind the number\nBring the champion"
        ),
        "commitment": typed(commitment),
        "drill_choice": chosen(drill),
        "practice_reps": typed(str(practice)),
        "accountability": typed(number),
        "obstacles": typed(obstacles),
        "follow_up_check": typed(check),
        "measurement": typed(target),
        "private_notes": typed(private),
    }


def chen_deals() -> dict[str, Any]:
    return {
        "deal1_name": typed("Initech"),
        "deal1_stage": typed("Proposal"),
        "deal1_clip_url": typed("https://chorus.ai/meeting/4411"),
        "deal1_moment": typed("03:10"),
        "deal1_happened": typed("CFO said we're 30% over budget; I offered a discount"),
        "deal2_name": typed("Hooli"),
        "deal2_clip_url": typed("https://app.avoma.com/meetings/77"),
    }


def ana_deals(picked: str) -> dict[str, Any]:
    """Ana picks her deal from the CRM's list: its name and stage come from there."""
    return {
        "deal1_crm": pick_crm_deal(picked),
        "deal1_clip_url": typed("https://app.gong.io/call?id=1"),
        "deal1_moment": typed("12:30"),
        "deal1_happened": typed("CFO pushed back on price"),
    }


def chen_diagnosis() -> dict[str, Any]:
    return {
        **yes_no("no"),
        **focus("objection_handling", 1, closing=2),
        "evidence_url": typed("https://chorus.ai/meeting/4411"),
        "evidence_moment": typed("03:10"),
        "did": typed("Offered a discount at the first push"),
        "good_looks_like": typed("Ask what's behind the number, then reframe to value"),
    }


def dev_diagnosis() -> dict[str, Any]:
    return {
        **yes_no("yes", "no"),
        **focus("discovery", 2),
        "evidence_url": typed("https://us-67.gong.io/call?id=88"),
        "evidence_moment": typed("14:20"),
    }


def eve_diagnosis() -> dict[str, Any]:
    return {
        **yes_no("yes", "yes", "yes", "yes"),
        **focus("closing", 3),
        "evidence_call": PICK_NEWEST_CALL,  # Eve shared nothing: her newest Gong call
    }


def ana_diagnosis() -> dict[str, Any]:
    return {
        **yes_no("yes", "yes", "no"),
        **focus("objection_handling", 2),
        "evidence_url": typed("https://app.gong.io/call?id=1"),
        "evidence_moment": typed("12:30"),
    }


def ben_diagnosis() -> dict[str, Any]:
    return {
        **yes_no("no"),
        **focus("multi_threading", 2, discovery=3),
        "evidence_url": typed("https://acme.zoom.us/rec/2"),
        "evidence_moment": typed("4:05"),
    }
