"""Every refusal's sentence: what a person reads when coach refuses, and how to go on.

Services and forms raise a typed `Refusal` with the facts it needs; this catalogue is the
one place its words are written. A template names its facts as `{fact}`; a refusal whose
sentence is built from a list (admins to ask, reports to move) has a function instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.rules import coaching_time, rubric
from app.rules.refusals import Fact, FieldErrors, Refusal, UserError
from app.rules.weekly_steps import STEP_WORDS

R = Refusal

TEMPLATES: Mapping[Refusal, str] = {
    R.NOT_ON_ROSTER: (
        "You're not on the coaching roster yet: ask your sales manager or a coach admin "
        "to add you (`/coach add @you rep @manager`)."
    ),
    R.NOT_SET_UP: (
        "coach isn't set up in this workspace yet: whoever runs coach imports the roster "
        "first (`coach roster import roster.csv`), then try again."
    ),
    R.NOT_A_REP: "<@{rep}> isn't a rep on the coaching roster.",
    R.NOT_THEIR_COACH: "Only <@{rep}>'s manager (or their director) can do that.",
    R.NOT_YOUR_BUTTON: "That button belongs to someone else's message.",
    R.REPS_ONLY: "That's for reps: your coaching shows up in the coach App Home.",
    R.STALE_BUTTON: "That button is out of date: open the latest message from coach.",
    R.ROSTER_PROBLEM: "Nothing changed: {problem}.",
    R.MOVE_NOT_ON_ROSTER: (
        "<@{person}> is not on the roster: add them with `/coach add <@{person}> rep <@{manager}>`."
    ),
    R.REMOVE_NOT_ON_ROSTER: "<@{person}> is not on the roster, so there is nothing to remove.",
    R.NOT_A_LEAD: "<@{person}> doesn't lead a team: name their manager instead.",
    R.SCHEDULE_LEADS_ONLY: "Only managers and admins change the schedule: ask your manager.",
    R.NO_REPS_OF_YOUR_OWN: (
        "You have no reps of your own: name the team, e.g. "
        "`/coach schedule 1:1 thu 14:00 @manager`."
    ),
    R.NOT_YOUR_TEAM: "Only <@{lead}>, their director or an admin can change that team's schedule.",
    R.NOT_ON_COACHING_ROSTER: "<@{person}> isn't on the coaching roster.",
    R.PAUSE_NOT_THEIR_COACH: "Only <@{person}>'s manager or a coach admin can pause them.",
    R.PAUSE_IN_THE_PAST: "Pick a date from today on.",
    R.PAUSE_TOO_LONG: "Pauses last a year at most: pick an earlier date.",
    R.NOT_YOUR_FORM: "That form belongs to someone else: share your deals from your own DM.",
    R.WEEK_CLOSED: "That week is closed: share this week's deals from your latest prompt.",
    R.NO_DEAL_LINK_FOUND: (
        "I couldn't find a deal with a link in that: put each deal on its own line with "
        "its clip link, or use the Share my deals button."
    ),
    R.NAME_THE_DEAL: "Name the deal (the account is enough).",
    R.ADD_A_DEAL: "Add at least one deal with the clip of its key moment.",
    R.LINK_NOT_A_URL: "Paste a full link starting with https:// (e.g. your Gong or Zoom clip).",
    R.LINK_TOO_LONG: "That link is longer than 2,000 characters: share a shorter clip link.",
    R.MOMENT_NOT_A_TIME: "Write the moment as minutes:seconds, like 12:45.",
    R.NO_DRILL: (
        "You have no drill assigned this week: your manager sets one when they log your 1:1."
    ),
    R.NO_LINK_TO_RECORD: "That message has no link to record: use `/drill done <link>`.",
    R.NO_DEAL_TO_USE: "That message has no deal with a link to use: use Share my deals.",
    R.SCORE_OUT_OF_RANGE: "A skill transfer score is 1 to 5.",
    R.RATING_OUT_OF_RANGE: "Pick a number from 1 to 10.",
    R.NO_ONE_ON_ONE_TO_RATE: "There's no 1:1 logged for that week to rate.",
    R.NOT_A_COACHED_DEAL: "That deal isn't one of your coached deals: use the latest prompt.",
    R.ACTION_CLOSED: "That action is no longer open: open your App Home for the latest.",
    R.ANSWER_OR_PICK_GAP: "Answer this question, or pick the gap yourself below.",
    R.PICK_FOCUS_SKILL: "Pick the one competency to focus on from the list.",
    R.NO_EVIDENCE: "No evidence, no coaching: paste the clip this is based on, or pick a call.",
    R.RECORDER_URL: "Paste your Gong API base URL, e.g. https://us-12345.api.gong.io.",
    R.RECORDER_KEY: "Paste the access key and its secret from Gong > Company settings > API.",
    R.RECORDER_NEEDS_TOKEN_KEYS: (
        "coach can't store Gong keys safely yet: ask whoever runs it to set COACH_TOKEN_KEYS."
    ),
    R.HUBSPOT_URL: "Paste HubSpot's API URL: https://api.hubapi.com for almost every account.",
    R.SALESFORCE_LOGIN_URL: (
        "Paste your login URL: https://login.salesforce.com, https://test.salesforce.com for "
        "a sandbox, or your My Domain URL."
    ),
    R.HUBSPOT_TOKEN: (
        "Paste the access token of your HubSpot private app (Settings > Integrations > "
        "Private apps); it starts with pat-."
    ),
    R.SALESFORCE_CLIENT_ID: "Paste your connected app's consumer key (no spaces).",
    R.SALESFORCE_USERNAME: "Type the Salesforce username coach logs in as, e.g. coach@acme.com.",
    R.SALESFORCE_KEY: (
        "Paste the whole unencrypted RSA private key (PEM, from -----BEGIN to -----END) whose "
        "certificate your connected app holds."
    ),
    R.CRM_NEEDS_TOKEN_KEYS: (
        "coach can't store CRM keys safely yet: ask whoever runs it to set COACH_TOKEN_KEYS."
    ),
    R.PICK_A_LISTED_DEAL: "Pick one of your open deals listed (reopen the form if it is old).",
    R.PICK_A_LISTED_CALL: "Pick one of the calls listed (the form may be out of date: reopen it).",
    R.SYSTEM_GAP_NEEDS_ACTION: "A system gap is yours to fix: say what you'll escalate.",
    R.PICK_RUBRIC_LEVEL: "Pick a rubric level from 1 to 4.",
    R.ONE_ON_ONE_LENGTH: (
        f"Type the 1:1's length in minutes, from {coaching_time.MIN_LENGTH} to "
        f"{coaching_time.MAX_LENGTH}."
    ),
    R.PICK_FRAMEWORK: "Pick SBI, CAR or OSKAR.",
    R.WRITE_THIS_PART: "Write this part: each one is what makes the note useful.",
    R.PART_TOO_LONG: "Keep this part to 1,000 characters.",
    R.PICK_SCALING: "Pick where they are today, from 1 to 10.",
    R.RATE_THE_FOCUS: "Rate the focus competency: it's what this week's coaching moves.",
    R.NAME_THE_COMPETENCY: "Name the competency, e.g. Demo storytelling.",
    R.COMPETENCY_NAME_TOO_LONG: f"Keep the name to {rubric.NAME_MAX} characters.",
    R.COMPETENCY_NAME_TAKEN: "The rubric has a competency by that name: pick another name.",
    R.DESCRIBE_THE_LEVEL: "Say what this level sounds like on a call.",
    R.LEVEL_TEXT_TOO_LONG: (
        f"Keep each level to {rubric.LEVEL_TEXT_MAX} characters: one behaviour you can hear."
    ),
    R.COMPETENCY_GONE: "That competency isn't in the rubric any more: reopen your App Home.",
    R.TOO_MANY_COMPETENCIES: (
        f"The rubric holds {rubric.MAX_COMPETENCIES} competencies: reword one instead."
    ),
    R.WRITE_GOAL: "Write the one outcome they'll change in a real deal.",
    R.WRITE_REALITY: "Write what actually happened on the call.",
    R.WRITE_COMMITMENT: "Write the commitment in the rep's own words.",
    R.WRITE_THE_NUMBER: (
        "Write the number you'll hold together, e.g. the $40K Acme deal at proposal by Friday."
    ),
    R.TOO_FEW_OPTIONS: "List at least three options, one per line.",
    R.PICK_DRILL: "Pick the drill they'll practise this week.",
    R.NAME_NEW_DRILL: "Name the new drill.",
    R.DESCRIBE_SCENARIO: "Describe the scenario to practise.",
    R.SAY_SUCCESS: "Say what success looks like.",
    R.PRACTICE_REPS_OUT_OF_RANGE: "Practice reps is a number from 1 to 20.",
    R.PICK_FOLLOW_UP_DATE: "Pick the day you'll follow up.",
    R.FOLLOW_UP_IN_THE_PAST: "Pick a follow-up date from today on.",
    R.SAY_WHAT_YOU_CHECK: (
        "Say what you'll check at the follow-up, e.g. questions per hour on the next 5 "
        "discovery calls."
    ),
    R.NOT_YOUR_NOTES: "Those are someone else's 1:1 notes: you can only open your own.",
    R.NOT_THEIR_REVIEW: "Only the director of the manager who logged this 1:1 can review it.",
    R.NOTHING_TO_REVIEW: (
        "There's no held 1:1 logged for <@{rep}> that week, so there is nothing to review."
    ),
    R.TICK_LISTED_ITEMS: "Tick items from the list (the form may be out of date: reopen it).",
    R.REVIEW_NOTE_TOO_LONG: "Keep the note to 1,000 characters.",
    R.EMPTY_REVIEW: (
        "Tick what the 1:1 did, or write the manager a note: an empty review tells them nothing."
    ),
    R.PICK_CALENDAR_DATE: "Pick the date from the calendar.",
    R.PICK_STEP_AND_DAY: "Pick a step and a day.",
    R.PICK_TIME: "Pick a time.",
    R.PICK_PAUSE_END: "Pick the last day of the pause.",
    R.PICK_PERSON: "Pick the person.",
    R.PICK_ROLE: "Pick a role.",
    R.NOT_A_PERSON: "{word!r} isn't a person: mention them as @name for {what}.",
    R.ADD_USAGE: "Use `/coach add @person rep|manager|director|admin [@manager]`.",
    R.NOT_A_ROLE: "{word!r} isn't a role: use rep, manager, director or admin.",
    R.MOVE_USAGE: "Use `/coach move @person @new-manager`.",
    R.REMOVE_USAGE: "Use `/coach remove @person`.",
    R.PAUSE_USAGE: "Use `/coach pause @person until YYYY-MM-DD`.",
    R.STATUS_USAGE: "Use `/coach status` on its own.",
    R.SCHEDULE_USAGE: (
        "Use `/coach schedule <step> <day> <HH:MM> [@manager]`, e.g. `1:1 thu 14:00`."
    ),
    R.NOT_A_WEEKDAY: "{word!r} isn't a weekday: write mon, tue, wed, thu, fri, sat or sun.",
    R.NOT_A_TIME: "{word!r} isn't a time: write it as HH:MM on a 24-hour clock.",
    R.NOT_A_DATE: "{word!r} isn't a date: write it as YYYY-MM-DD, e.g. 2026-12-31.",
    R.HOLIDAYS_USAGE: (
        "Use `/coach holidays <country> [region]` (e.g. `GB ENG`), `/coach holidays none`, "
        "or `/coach holidays add|remove YYYY-MM-DD`; add `@manager` for one team."
    ),
    R.HOURS_USAGE: (
        "Write your working hours as start-end on a 24-hour clock, e.g. "
        "`/coach hours 09:00-17:30`, or `/coach hours off`."
    ),
    R.HOLIDAYS_LEADS_ONLY: "Only managers and admins choose the holidays: ask your manager.",
    R.NOT_A_COUNTRY: (
        "{word!r} isn't a country the holiday calendar knows: use its two-letter code, "
        "e.g. GB, US or DE."
    ),
    R.NOT_A_REGION: (
        "{word!r} isn't a region of {country}: use one of {regions}, or leave the region out."
    ),
    R.TOO_MANY_DAYS_OFF: "That's 100 days off already: remove some past ones first.",
    R.NOT_A_DAY_OFF: "{day} isn't one of your days off, so there is nothing to remove.",
    R.DRILL_DONE_USAGE: "Add the link to your recording: `/drill done <link> [note]`.",
    R.DRILL_PAUSE_USAGE: "Use `/drill pause until YYYY-MM-DD`.",
    R.EXPORT_FOR_LEADS: (
        "Team exports are for managers, directors and admins: `/drill export` gives you "
        "everything coach holds about you."
    ),
    R.NOTHING_TO_EXPORT: (
        "Nobody on the roster reports to you yet, so there's no history to export."
    ),
    R.NOT_ON_ROSTER_TO_EXPORT: (
        "<@{person}> isn't on coach's roster: coach holds nothing of theirs."
    ),
    R.EXPORT_USAGE: (
        "Use `/coach export` for your team's history, or `/coach export @person` (admins)."
    ),
}


def _mentions(ids: Fact, joiner: str) -> str:
    return joiner.join(f"<@{i}>" for i in (ids if isinstance(ids, tuple) else ()))


def _admin_only(to: str) -> Callable[[Mapping[str, Fact]], str]:
    def said(facts: Mapping[str, Fact]) -> str:
        admins = facts.get("admins", ())
        ask = (
            "ask " + _mentions(admins, " or ")
            if admins
            else "ask whoever installed coach to import the roster"
        )
        return f"Only a coach admin can {to}: {ask}."

    return said


def _step_order(facts: Mapping[str, Fact]) -> str:
    side = "before" if facts["before"] else "after"
    other = facts["other"]
    return (
        f"The {facts['step']} must come {side} the {other} ({facts['at']}): pick another "
        f"time, or move the {other} first."
    )


def _step_order_clash(facts: Mapping[str, Fact]) -> str:
    problem = _step_order(facts)
    return (
        f"That clashes with <@{facts['lead']}>'s team schedule: {problem[0].lower()}{problem[1:]}"
    )


def _still_has_reports(facts: Mapping[str, Fact]) -> str:
    return (
        f"Nothing changed: {_mentions(facts['reports'], ', ')} still report to "
        f"<@{facts['person']}>; move them first with `/coach move @person @new-manager`."
    )


def _not_a_step(facts: Mapping[str, Fact]) -> str:
    return f"{facts['word']!r} isn't a step: use one of {', '.join(STEP_WORDS)}."


COMPOSED: Mapping[Refusal, Callable[[Mapping[str, Fact]], str]] = {
    R.ADMIN_ONLY: _admin_only("change the roster"),
    R.ADMIN_ONLY_STATUS: _admin_only("see delivery status"),
    R.ADMIN_ONLY_RECORDER: _admin_only("connect Gong"),
    R.ADMIN_ONLY_CRM: _admin_only("connect the CRM"),
    R.ADMIN_ONLY_RUBRIC: _admin_only("change the rubric"),
    R.ADMIN_ONLY_EXPORT: _admin_only("export someone else's data"),
    R.STEP_ORDER: _step_order,
    R.STEP_ORDER_CLASH: _step_order_clash,
    R.STILL_HAS_REPORTS: _still_has_reports,
    R.NOT_A_STEP: _not_a_step,
}


def said(reason: Refusal, facts: Mapping[str, Fact] | None = None) -> str:
    """The sentence of `reason`, with its facts filled in."""
    facts = facts or {}
    compose = COMPOSED.get(reason)
    if compose is not None:
        return compose(facts)
    return TEMPLATES[reason].format(**facts)


def sentence(refused: UserError) -> str:
    """What the person reads for a refusal (a form's: its first field's)."""
    return said(refused.reason, refused.facts)


def field_errors(refused: FieldErrors) -> dict[str, str]:
    """Block id → sentence, as a view_submission's `errors` answer wants them."""
    return {block_id: said(reason) for block_id, reason in refused.errors.items()}
