"""Help and roster-change replies for the slash commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.types import Step
from app.rules.weekly_steps import WORD_OF
from app.rules.working_days import WorkingHours
from app.services.drill_reports import DrillAssignment
from app.services.people import RosterChange
from app.services.roster import plural
from app.services.team_schedules import TeamSchedule
from app.services.work_calendars import HolidaysView
from app.slack.render.blocks import Outgoing, as_dicts, context, day_label, section


def drill_help(unknown: str | None = None) -> Outgoing:
    lead = (
        f"I don't know `/drill {unknown}`. Here is what `/drill` does:"
        if unknown
        else "`/drill` is how you keep up with your coaching drill:"
    )
    lines = [
        lead,
        "• `/drill done <link> [note]` — report this week's drill with its recording",
        "• `/drill status` — this week's drill, when it's due and whether it's recorded",
        "• `/drill pause until YYYY-MM-DD` — out of office: no prompts or nudges until then",
        "• `/drill export` — everything coach holds about you, as a file in your DM",
        "• `/drill help` — this list",
        "Your manager sets one drill a week in your 1:1.",
    ]
    return Outgoing(
        text=" ".join(lines[:2]),
        blocks=as_dicts([section("\n".join(lines)), context("Your coaching data stays private.")]),
    )


COACH_USAGE = (
    "• `/coach add @person rep|manager|director|admin [@manager]` — add someone, or change "
    "their role and manager\n"
    "• `/coach move @person @new-manager` — give someone a new manager\n"
    "• `/coach remove @person` — take someone off the roster (their history is kept)\n"
    "• `/coach pause @person until YYYY-MM-DD` — out of office (managers for their reps)\n"
    "• `/coach schedule` — when each step fires for your team; "
    "`/coach schedule 1:1 thu 14:00 [@manager]` moves one\n"
    "• `/coach holidays` — the holidays your team keeps; `/coach holidays GB ENG "
    "[@manager]` chooses a country and region, `/coach holidays add|remove YYYY-MM-DD` a day "
    "off of your own, `/coach holidays none` no public holidays (managers; admins for "
    "everyone)\n"
    "• `/coach hours 09:00-17:30` — your working hours: no message reaches you outside them "
    "(`/coach hours off` to clear)\n"
    "• `/coach status` — this week's messages by state, and any that didn't reach people "
    "(admins)\n"
    "• `/coach export` — your team's coaching history as a CSV in your DM; "
    "`/coach export @person` — everything coach holds about someone (admins)\n"
    "• `/coach help` — this list"
)


def coach_help(unknown: str | None = None) -> Outgoing:
    lead = (
        f"I don't know `/coach {unknown}`. Here is what `/coach` does:"
        if unknown
        else "`/coach` manages who is coached by whom (roster changes: admins only):"
    )
    return Outgoing(
        text=lead,
        blocks=as_dicts(
            [
                section(f"{lead}\n{COACH_USAGE}"),
                context(
                    "To load the whole roster at once, run `coach roster import roster.csv` "
                    "on the server."
                ),
            ]
        ),
    )


@dataclass(frozen=True)
class ZoneRead:
    """What reading a person's Slack profile said of their time zone."""

    tz: str | None = None  # read: their zone
    unreadable: str | None = None  # not read: why (Slack's reason)
    fallback: str = "UTC"  # the zone their messages use while it can't be read


def _zone_note(zone: ZoneRead | None) -> str:
    if zone is None:
        return ""
    if zone.tz:
        return f" Their time zone, from Slack: {zone.tz}."
    if zone.unreadable:
        return (
            f" coach couldn't read their Slack profile ({zone.unreadable}): their messages go "
            f"out at {zone.fallback} time until it can; `/coach status` says what to do."
        )
    return " coach reads their time zone from Slack before their first message."


def roster_changed(change: RosterChange, verb: str, zone: ZoneRead | None = None) -> Outgoing:
    manager = (
        f", reporting to <@{change.manager_slack_user_id}>" if change.manager_slack_user_id else ""
    )
    if verb == "remove":
        text = f"<@{change.slack_user_id}> is off the roster; their history is kept."
    elif change.created:
        text = f"Added <@{change.slack_user_id}> as a {change.role.value}{manager}."
    else:
        text = f"<@{change.slack_user_id}> is now a {change.role.value}{manager}."
    text += _zone_note(zone) if verb != "remove" else ""
    return Outgoing(text=text, blocks=as_dicts([section(text)]))


def already_done() -> Outgoing:
    return plain("Already done: coach acted on that command once, and changes nothing twice.")


def plain(text: str) -> Outgoing:
    return Outgoing(text=text, blocks=as_dicts([section(text)]))


def drill_recorded_line(assignment: DrillAssignment) -> str:
    done = assignment.practice
    if assignment.drill.assignment:
        return (
            f"Got your *{assignment.drill.name}* assignment. Your manager checks it against "
            "what it asked for on Monday."
        )
    if done.target == 1:
        count = f"{plural(done.done, 'recording')} this week"
    else:
        count = f"{done.label} of the recordings you committed to"
    later = (
        "Your manager scores it on Monday."
        if done.met
        else f"{plural(done.left, 'more recording')} to go: your manager scores it on Monday."
    )
    return f"Recorded your *{assignment.drill.name}* drill ({count}). {later}"


def drill_recorded(assignment: DrillAssignment) -> Outgoing:
    text = drill_recorded_line(assignment)
    return Outgoing(text=text.replace("*", ""), blocks=as_dicts([section(f"✅ {text}")]))


def drill_status(assignment: DrillAssignment | None) -> Outgoing:
    if assignment is None:
        return plain(
            "You have no drill this week yet: your manager sets one when they log your 1:1."
        )
    done = assignment.practice
    state = (
        f"recorded {done.label}, last: <{assignment.reports[-1].url}|recording>"
        if assignment.reports
        else f"not recorded yet ({done.label})"
    )
    practice = (
        f"\n*Practice:* {assignment.practice_reps} recordings before your next 1:1"
        if assignment.practice_reps
        else ""
    )
    commitment = (
        f"\n*Your commitment:* {assignment.commitment.sentence}" if assignment.commitment else ""
    )
    text = (
        f"*{assignment.drill.name}* — due {day_label(assignment.due_on)}, {state}."
        f"\n*Success:* {assignment.drill.success}{commitment}{practice}"
    )
    fallback = f"Your drill: {assignment.drill.name}, due {day_label(assignment.due_on)}, {state}."
    tip = "Report it with `/drill done <link> [note]`."
    return Outgoing(text=fallback, blocks=as_dicts([section(text), context(tip)]))


def paused(slack_user_id: str, until: date, *, yourself: bool) -> Outgoing:
    who = "You're" if yourself else f"<@{slack_user_id}> is"
    return plain(
        f"{who} paused through {day_label(until)}: no prompts or nudges, and those weeks count as "
        "skipped, not missed."
    )


def schedule_reply(team: TeamSchedule, changed: Step | None = None) -> Outgoing:
    whose = f"<@{team.manager}>'s team" if team.manager else "every team (workspace default)"
    lead = (
        f"Moved the {WORD_OF[changed]} to {team.schedule[changed].label} for {whose}."
        if changed
        else f"When each step fires for {whose}, in each person's local time:"
    )
    ordered = sorted((when, step) for step, when in team.schedule.items() if step in WORD_OF)
    lines = "\n".join(
        f"• *{when.label}* {WORD_OF[step]}" + (" ← changed" if step is changed else "")
        for when, step in ordered
    )
    return Outgoing(
        text=lead,
        blocks=as_dicts(
            [
                section(f"{lead}\n{lines}"),
                context("Move one: `/coach schedule <step> <day> <HH:MM> [@manager]`."),
            ]
        ),
    )


def holidays_reply(view: HolidaysView) -> Outgoing:
    """The holidays a team (or the workspace) keeps, after a change or when asked."""
    whose = f"<@{view.manager}>'s team" if view.manager else "every team (workspace default)"
    work = view.calendar
    days = ", ".join(f"{d:%a %d %b %Y}" for d in sorted(work.days_off)) or "none"
    lead = (
        f"Saved: {whose} keeps {work.label}."
        if view.changed
        else f"The holidays {whose} keeps: {work.label}."
    )
    lines = [
        f"{lead} Days off of its own: {days}.",
        "A step that falls on a holiday or a weekend goes out on the next working day; a week "
        "with no working day left for the 1:1 is skipped (skipped, not missed).",
    ]
    if view.hours is not None:
        lines.append(f"Your working hours: {view.hours.label}.")
    text = " ".join(lines)
    return Outgoing(
        text=text,
        blocks=as_dicts(
            [
                section("\n".join(lines)),
                context(
                    "Change it: `/coach holidays <country> [region] [@manager]`, "
                    "`/coach holidays add|remove YYYY-MM-DD`, `/coach hours 09:00-17:30`."
                ),
            ]
        ),
    )


def hours_reply(hours: WorkingHours | None) -> Outgoing:
    text = (
        f"Saved: your working hours are {hours.label}, your local time. coach's messages wait "
        "for them: anything due earlier or later reaches you when your day starts."
        if hours
        else "Saved: no working hours. coach's messages come at their usual times."
    )
    return Outgoing(text=text, blocks=as_dicts([section(text)]))
