"""What a person reads about an export: the comment on the file in their DM, and the answer
under the command that asked for it."""

from __future__ import annotations

from app.services.exports import HistoryExport, Scope
from app.services.person_data import PersonExport
from app.slack.render.blocks import Outgoing, as_dicts, context, section

_WHOSE = {
    Scope.TEAM: "your team's",
    Scope.TEAMS: "your teams'",
    Scope.EVERYONE: "everyone's",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def history_comment(found: HistoryExport) -> str:
    return (
        f"Here's {_WHOSE[found.scope]} coaching history, {_plural(found.weeks, 'week')} × "
        f"{_plural(found.reps, 'rep')} up to {found.cycle}. Private notes are not included."
    )


def person_comment(found: PersonExport, own: bool) -> str:
    if own:
        return (
            "Here's everything coach holds about you, as JSON. Your coaches' private "
            "working notes are released through a coach admin on request."
        )
    return (
        f"Here's everything coach holds about <@{found.slack_user_id}>, as JSON, their "
        "coaches' private notes included. Handle it as their personal data."
    )


def sent(comment: str) -> Outgoing:
    """Under the command: the file is in the DM."""
    text = "It's in your DM with coach. " + comment
    return Outgoing(text=text, blocks=as_dicts([section(text)]))


def not_sent(reason: str) -> Outgoing:
    text = "I couldn't put the file in your DM just now: try again in a minute."
    return Outgoing(text=text, blocks=as_dicts([section(text), context(f"Slack said: {reason}")]))
