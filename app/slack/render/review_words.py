"""The coaching checklist in words: what the director ticks, what coach says it ticked in
advance and why, and how the manager reads each item in their DM."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules.coaching_review import Check

# The director's checkbox, one line each.
ASKED: Mapping[Check, str] = {
    Check.ONE_FOCUS: "One focus skill",
    Check.CALL_EVIDENCE: "Evidence from a call",
    Check.REP_OPTIONS: "The rep generated the options",
    Check.MEASURABLE: "A measurable commitment, with a number",
    Check.FOLLOW_UP: "A follow-up set",
    Check.TALK_UNDER_40: "The manager talked under 40% of the time",
}

# Under a box coach ticked before the director looked: what it read (at most 75 characters).
PRE_TICKED: Mapping[Check, str] = {
    Check.ONE_FOCUS: "Ticked by coach: the week's diagnosis names one focus skill",
    Check.CALL_EVIDENCE: "Ticked by coach: the diagnosis links a clip or a call",
    Check.MEASURABLE: "Ticked by coach: the commitment or accountability has a number",
    Check.FOLLOW_UP: "Ticked by coach: a follow-up date is set",
}

# The manager's DM: what went well, and what to work on.
DONE: Mapping[Check, str] = {
    Check.ONE_FOCUS: "You worked on one focus skill",
    Check.CALL_EVIDENCE: "You coached from evidence on a call",
    Check.REP_OPTIONS: "The rep came up with the options",
    Check.MEASURABLE: "The commitment is measurable, with a number",
    Check.FOLLOW_UP: "You set a follow-up",
    Check.TALK_UNDER_40: "You talked less than 40% of the time",
}
TO_WORK_ON: Mapping[Check, str] = {
    Check.ONE_FOCUS: "Keep the 1:1 on one focus skill",
    Check.CALL_EVIDENCE: "Coach from a moment on a real call",
    Check.REP_OPTIONS: "Let the rep come up with the options",
    Check.MEASURABLE: "Put a number in the commitment",
    Check.FOLLOW_UP: "Set a follow-up date",
    Check.TALK_UNDER_40: "Talk less than 40% of the time: ask before telling",
}
