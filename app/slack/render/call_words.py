"""How calls from the recorder read in Slack: a call as a link, a week's numbers against
the rep's own average and the team's, a leading indicator and which way it moved."""

from __future__ import annotations

from collections.abc import Sequence

from app.rules.call_stats import Call, CallNumbers, Stat, Trend
from app.rules.types import ConnectionStatus
from app.services.call_evidence import Indicator, RepEvidence
from app.services.recorder_health import RecorderHealth
from app.services.roster import plural
from app.slack.render.blocks import some_of

RECORDER_NAMES = {"gong": "Gong"}
STAT_NAMES = {
    Stat.TALK_RATIO: "Talk ratio",
    Stat.LONGEST_MONOLOGUE: "Longest monologue",
    Stat.INTERACTIVITY: "Interactivity",
    Stat.PATIENCE: "Patience",
    Stat.QUESTION_RATE: "Questions",
    Stat.BUYERS: "Buyers on the call",
}
PREP_STATS = (Stat.TALK_RATIO, Stat.LONGEST_MONOLOGUE, Stat.QUESTION_RATE, Stat.PATIENCE)


def recorder_name(provider: str) -> str:
    return RECORDER_NAMES.get(provider, provider.capitalize())


def link_text(text: str) -> str:
    """Text that is safe between < and > of a Slack link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "/")


def stat_value(stat: Stat, value: float | None) -> str:
    if value is None:
        return "–"
    if stat is Stat.TALK_RATIO:
        return f"{value:.0%}"
    if stat is Stat.LONGEST_MONOLOGUE:
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d}"
    if stat is Stat.PATIENCE:
        return f"{value:.1f}s"
    if stat is Stat.QUESTION_RATE:
        return f"{value:.0f}/h"
    return f"{value:.1f}"


MAX_SHOWN_URL = 400  # three calls and their numbers stay well inside a section's 3,000


def call_link(call: Call) -> str:
    day = call.started_at.strftime("%a %-d %b")
    title = link_text(call.title[:60])
    shown = f"<{call.url}|{title}>" if len(call.url) <= MAX_SHOWN_URL else f"{title} (in Gong)"
    return f"{shown} ({day}, {round(call.duration_s / 60)} min)"


def call_option_text(call: Call) -> str:
    """A call in a select menu (75 characters at most)."""
    day = call.started_at.strftime("%a %-d %b")
    return f"{call.title[:50]} · {day} · {round(call.duration_s / 60)} min"[:75]


def numbers_line(week: CallNumbers, own: CallNumbers, team: CallNumbers | None) -> str:
    parts = []
    for stat in PREP_STATS:
        if week.get(stat) is None:
            continue
        against = [f"own {stat_value(stat, own.get(stat))}"]
        if team is not None:
            against.append(f"team {stat_value(stat, team.get(stat))}")
        parts.append(
            f"{STAT_NAMES[stat]} {stat_value(stat, week.get(stat))} ({', '.join(against)})"
        )
    return " · ".join(parts)


def evidence_lines(evidence: RepEvidence, team: CallNumbers | None, recorder: str) -> str:
    """The prep's view of a rep's calls: the three most recent, and the week's numbers
    against their own 4-week average and the team's."""
    if not evidence.calls:
        return f"_{recorder}: no calls that week._"
    recent = ", ".join(call_link(c) for c in evidence.recent)
    lines = [f"{recorder}, {plural(len(evidence.calls), 'call')}: {recent}"]
    stats = numbers_line(evidence.numbers, evidence.own_average, team)
    if stats:
        lines.append(stats)
    return "\n".join(lines)


def _direction(trend: Trend) -> str:
    if trend.this_week is None:
        return "nothing to compare last week"
    if trend.baseline is None:
        return "no earlier weeks to compare yet"
    if trend.change is None:  # a baseline of 0
        return "up from 0" if trend.this_week > 0 else "steady"
    if trend.better is None:
        return "steady"
    arrow = "↑" if trend.change > 0 else "↓"
    way = "the right way" if trend.better else "the wrong way"
    return f"{arrow} {abs(trend.change):.0%}, {way}"


def indicator_line(shown: Indicator, *, who: str = "your") -> str:
    """e.g. "Questions (Discovery) last week: 12/h, your 4-week average 9/h: ↑ 33%, the right
    way." """
    trend = shown.trend
    name = STAT_NAMES[trend.stat]
    focus = f" ({shown.focus})" if shown.focus else ""
    week = (
        stat_value(trend.stat, trend.this_week) if trend.this_week is not None else "not measured"
    )
    baseline = (
        f", {who} {trend.baseline_weeks}-week average {stat_value(trend.stat, trend.baseline)}"
        if trend.baseline is not None
        else ""
    )
    return f"{name}{focus} last week: {week}{baseline}: {_direction(trend)}."


PROBLEMS = {
    "http_401": "refused coach's access key (revoked or wrong)",
    "http_403": "refused coach's access key: it lacks the calls or users scope",
    "timeout": "didn't answer in time",
    "unreachable": "couldn't be reached",
    "rate_limited": "asked coach to slow down",
    "daily_limit": "allows coach no more requests for now (its daily limit)",
    "not_json": "answered in a form coach can't read",
}


def recorder_status(health: RecorderHealth) -> list[str]:
    """The admin's sentences about the recorder: whether it works and who it doesn't know."""
    name = recorder_name(health.provider)
    problem = PROBLEMS.get(health.problem or "", f"failed ({health.problem})")
    if health.status is ConnectionStatus.REFUSED:
        lines = [
            f"{name} {problem}: calls are off until an admin enters a working key (App Home) "
            "or fixes GONG_ACCESS_KEY. The weekly loop goes on without calls."
        ]
    elif health.status is ConnectionStatus.FAILING:
        again = "in an hour" if health.problem == "daily_limit" else "in a few minutes"
        lines = [f"{name} {problem} last time: coach tries again {again}."]
    elif health.users_read_at is None:
        lines = [f"{name} is connected; coach reads its users on the next tick."]
    else:
        lines = [
            f"{name} is connected: {plural(health.matched, 'person', 'people')} matched by email."
        ]
    if health.unmatched_count:
        shown = some_of(health.unmatched, health.unmatched_count)
        lines.append(
            f"Not found in {name} by email ({health.unmatched_count}): {shown}. "
            f"Their {name} email must match their Slack one."
        )
    return lines


def disconnected(forgotten: int) -> str:
    return (
        f"Gong is disconnected: its key and the {plural(forgotten, 'call')} coach had read "
        "are gone. Connect it again from your App Home whenever you like."
    )


def picked_calls_hint(calls: Sequence[Call], recorder: str) -> str:
    count = plural(len(calls), "call")
    return f"{recorder} has {count} of yours that week: pick one, or paste a link."
