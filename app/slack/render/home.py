"""The App Home tab, one layout per role."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.domain.home import HomeModel, Member
from app.domain.roster import plural
from app.domain.types import Role, Step, StepTime
from app.slack.render.blocks import bullet_sections, context, divider, header, mention, section

REP_STEPS = {
    Step.REP_PROMPT: "I ask for your top 3 deals of last week, each with a clip of the key moment.",
    Step.ONE_ON_ONE: "Your 1:1 agenda: what to bring and last week's commitment.",
    Step.DRILL_CHECK: "A drill check, only if this week's drill isn't recorded yet.",
    Step.DIGEST: "Your weekly digest: focus, commitment, drill and scores.",
}
MANAGER_STEPS = {
    Step.MANAGER_REVIEW: "Score last week's drill recordings (skill transfer, 1–5).",
    Step.MANAGER_PREP: "Your team's deals and clips in one message; diagnose one gap per rep.",
    Step.ONE_ON_ONE: "The 1:1 agenda for each rep, then log GROW notes.",
    Step.NOTES_NUDGE: "A reminder, only if a 1:1 has no notes yet.",
    Step.MANAGER_HEADS_UP: "Who still hasn't recorded their drill.",
    Step.DIGEST: "Your team digest: coverage, drills, transfer scores.",
}


def _week(schedule: dict[Step, StepTime], steps: dict[Step, str]) -> list[Block]:
    ordered = sorted((schedule[step], text) for step, text in steps.items() if step in schedule)
    return bullet_sections(f"• *{when.label}* — {text}" for when, text in ordered)


def _tz_line(model: HomeModel) -> str:
    if model.tz_known:
        return f"Times are your local time ({model.tz})."
    return f"Times are shown in {model.tz} until I read the time zone from your Slack profile."


def _member_line(member: Member) -> str:
    parts = [mention(member.slack_user_id)]
    if member.role is not Role.REP:
        parts.append(plural(member.reps, "rep"))
    parts.append(member.tz or "time zone not known yet")
    if member.paused_until:
        parts.append(f"paused until {member.paused_until:%b %d}")
    return "• " + " · ".join(parts)


def _stranger(model: HomeModel) -> list[Block]:
    if model.admins:
        ask = "Ask " + " or ".join(mention(a) for a in model.admins[:3]) + " to add you"
    else:
        ask = "Ask the person who installed coach in this workspace to add you"
    return [
        header("Welcome to coach"),
        section(
            "coach runs a weekly coaching loop between sales reps and their manager: "
            "Monday deal clips, a diagnosed gap, a focused 1:1 on Wednesday and one drill "
            "to practise by Friday."
        ),
        section(
            f"*You're not on the coaching roster yet.* {ask} "
            "(`/coach add @you rep @your-manager`), then open this tab again."
        ),
    ]


def _rep(model: HomeModel) -> list[Block]:
    coached_by = (
        f"You're coached by {mention(model.manager)}"
        + (f" (director {mention(model.director)})" if model.director else "")
        + "."
        if model.manager
        else "You don't have a manager on the roster yet: ask a coach admin to set one."
    )
    blocks: list[Block] = [header("Your coaching week"), section(coached_by)]
    if model.paused_until:
        blocks.append(section(f":palm_tree: Paused until {model.paused_until:%A, %b %d}."))
    blocks += [divider(), section("*How your week runs*"), *_week(model.schedule, REP_STEPS)]
    blocks.append(context(_tz_line(model) + " Only you and your manager see your coaching notes."))
    return blocks


def _team(model: HomeModel) -> list[Block]:
    blocks: list[Block] = []
    if model.managers:
        blocks += [section(f"*Your managers* ({len(model.managers)})")]
        blocks += bullet_sections(_member_line(m) for m in model.managers)
    if model.reps:
        blocks += [section(f"*Your reps* ({len(model.reps)})")]
        blocks += bullet_sections(_member_line(r) for r in model.reps)
    if not blocks:
        blocks.append(
            section(
                "Nobody reports to you on the roster yet: a coach admin can add your reps "
                f"with `/coach add @rep rep {mention(model.slack_user_id)}`."
            )
        )
    return blocks


def _manager(model: HomeModel) -> list[Block]:
    title = "Your team" if model.role is Role.MANAGER else "Your organisation"
    blocks: list[Block] = [header(title), *_team(model), divider()]
    blocks += [section("*How your week runs*"), *_week(model.schedule, MANAGER_STEPS)]
    blocks.append(context(_tz_line(model)))
    return blocks


def _admin(model: HomeModel) -> list[Block]:
    counts = ", ".join(plural(model.role_counts.get(role, 0), role.value) for role in Role)
    return [
        header("coach admin"),
        section(f"*Roster:* {counts}."),
        section(
            "Load or replace the whole roster with `coach roster import roster.csv` on the "
            "server; change one person with `/coach add`, `/coach move` or `/coach remove` "
            "(`/coach help`)."
        ),
        divider(),
        section("*Workspace schedule* (each person's local time)"),
        *_week(model.schedule, {**REP_STEPS, **MANAGER_STEPS}),
    ]


def home_view(model: HomeModel) -> View:
    if model.role is None:
        blocks = _stranger(model)
    elif model.role is Role.REP:
        blocks = _rep(model)
    elif model.role is Role.ADMIN:
        blocks = _admin(model)
    else:
        blocks = _manager(model)
    return View(type="home", blocks=blocks[:100])
