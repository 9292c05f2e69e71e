"""Help and roster-change replies for the slash commands."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.people import RosterChange
from app.slack.render.blocks import as_dicts, context, section


@dataclass(frozen=True)
class Reply:
    """An ephemeral answer: fallback text plus blocks."""

    text: str
    blocks: list[dict]


def drill_help(unknown: str | None = None) -> Reply:
    lead = (
        f"I don't know `/drill {unknown}`. Here is what `/drill` does:"
        if unknown
        else "`/drill` is how you keep up with your coaching drill:"
    )
    lines = [
        lead,
        "• `/drill help` — this list",
        "Your manager sets one drill a week in your 1:1; reporting it with "
        "`/drill done <link>` and checking it with `/drill status` arrive with the weekly loop.",
    ]
    return Reply(
        text=" ".join(lines[:2]),
        blocks=as_dicts([section("\n".join(lines)), context("Your coaching data stays private.")]),
    )


COACH_USAGE = (
    "• `/coach add @person rep|manager|director|admin [@manager]` — add someone, or change "
    "their role and manager\n"
    "• `/coach move @person @new-manager` — give someone a new manager\n"
    "• `/coach remove @person` — take someone off the roster (their history is kept)\n"
    "• `/coach help` — this list"
)


def coach_help(unknown: str | None = None) -> Reply:
    lead = (
        f"I don't know `/coach {unknown}`. Here is what `/coach` does:"
        if unknown
        else "`/coach` manages who is coached by whom (admins only):"
    )
    return Reply(
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


def roster_changed(change: RosterChange, verb: str) -> Reply:
    manager = (
        f", reporting to <@{change.manager_slack_user_id}>" if change.manager_slack_user_id else ""
    )
    if verb == "remove":
        text = f"<@{change.slack_user_id}> is off the roster; their history is kept."
    elif change.created:
        text = f"Added <@{change.slack_user_id}> as a {change.role.value}{manager}."
    else:
        text = f"<@{change.slack_user_id}> is now a {change.role.value}{manager}."
    return Reply(text=text, blocks=as_dicts([section(text)]))


def plain(text: str) -> Reply:
    return Reply(text=text, blocks=as_dicts([section(text)]))
