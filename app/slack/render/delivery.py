"""The admin's delivery report: `/coach status` and the "Delivery problems" part of the Home."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from app.services.crm_health import CrmHealth
from app.services.delivery_health import PROBLEM_WINDOW, DeliveryHealth, Problem, ProfileProblem
from app.services.recorder_health import RecorderHealth
from app.services.roster import plural
from app.slack.render.blocks import (
    Outgoing,
    as_dicts,
    bullet_sections,
    context,
    day_label,
    mention,
    section,
)
from app.slack.render.call_words import recorder_status
from app.slack.render.crm_words import crm_status
from app.slack.render.delivery_words import advice, profile_advice


def problem_line(p: Problem) -> str:
    said = advice(p.error).sentence
    return f"• {mention(p.slack_user_id)} — {p.what}, {day_label(p.due_on)} — {said}"


def problem_blocks(health: DeliveryHealth) -> list[Block]:
    """The failed and skipped deliveries of the last days, newest first (nothing if none)."""
    if not health.problems:
        return []
    days = PROBLEM_WINDOW.days
    lead = f"*Delivery problems* — {plural(health.total_problems, 'message')} not delivered"
    blocks: list[Block] = [section(f"{lead} in the last {days} days")]
    blocks += bullet_sections(problem_line(p) for p in health.problems)
    if health.more:
        blocks.append(context(f"…and {health.more} more."))
    return blocks


def time_zone_line(p: ProfileProblem) -> str:
    source = "the roster" if p.tz_from_roster else "COACH_DEFAULT_TZ"
    said = profile_advice(p.reason).sentence
    return f"• {mention(p.slack_user_id)} — messages at {p.tz} ({source}) — {said}"


def time_zone_blocks(health: DeliveryHealth) -> list[Block]:
    """People whose time zone coach had to guess (nothing if none)."""
    if not health.time_zones:
        return []
    lead = (
        f"*Time zones* — {plural(health.total_time_zones, 'person', 'people')} without a "
        "readable Slack profile, so their messages go at a time zone coach had to guess"
    )
    blocks: list[Block] = [section(lead)]
    blocks += bullet_sections(time_zone_line(p) for p in health.time_zones)
    if health.more_time_zones:
        blocks.append(context(f"…and {health.more_time_zones} more."))
    return blocks


def week_line(health: DeliveryHealth) -> str:
    week = health.week
    line = (
        f"{week.sent} sent · {week.waiting} waiting · {week.failed} failed · {week.skipped} skipped"
    )
    others = [
        f"{count} {what}"
        for count, what in ((week.paused, "paused"), (week.not_needed, "not needed"))
        if count
    ]
    return line + (f" (and {', '.join(others)})" if others else "")


def status_reply(
    health: DeliveryHealth, recorder: RecorderHealth | None = None, crm: CrmHealth | None = None
) -> Outgoing:
    week = f"This week ({health.cycle})"
    days = PROBLEM_WINDOW.days
    problems = (
        f"{plural(health.total_problems, 'message')} not delivered in the last {days} days."
        if health.total_problems
        else f"No delivery problems in the last {days} days."
    )
    blocks = [section(f"*{week}:* {week_line(health)}."), *problem_blocks(health)]
    if not health.problems:
        blocks.append(section(problems))
    blocks += time_zone_blocks(health)
    blocks.append(
        context("coach doesn't resend a failed or skipped message: fix the cause for next time.")
    )
    guessed = (
        f" {plural(health.total_time_zones, 'person', 'people')} without a readable Slack "
        "profile (time zone guessed)."
        if health.total_time_zones
        else ""
    )
    text = f"{week}: {week_line(health)}. {problems}{guessed}"
    if recorder is not None:
        lines = recorder_status(recorder)
        blocks.append(section("*Call recorder:* " + "\n".join(lines)))
        text += " " + " ".join(lines)
    if crm is not None:
        lines = crm_status(crm)
        blocks.append(section("*CRM:* " + "\n".join(lines)))
        text += " " + " ".join(lines)
    return Outgoing(text=text, blocks=as_dicts(blocks))
