"""The App Home tab, one layout per role."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from app.rules import calendar
from app.rules.coaching_review import CHECKLIST
from app.rules.metrics import RepWeek
from app.rules.trends import ChartKind
from app.rules.types import Role, Step, StepTime
from app.services.home_facts import HomeModel, Member
from app.services.roster import plural
from app.services.scorecard_data import DirectorView, TeamView
from app.slack.ids import Action
from app.slack.metadata import MenuChoice, RepRef
from app.slack.render.blocks import (
    bullet_sections,
    chart_image,
    context,
    day_label,
    divider,
    header,
    mention,
    section,
)
from app.slack.render.call_words import indicator_line, recorder_status
from app.slack.render.crm_words import crm_status
from app.slack.render.delivery import problem_blocks, time_zone_blocks
from app.slack.render.message_parts import drill_buttons, score_buttons
from app.slack.render.rubric_form import rubric_blocks
from app.slack.render.scorecard_blocks import (
    director_blocks,
    drill_mark,
    indicator_blocks,
    insight_blocks,
    open_actions_blocks,
    rep_lines,
    team_blocks,
    team_line,
)

# What access.py and loop.notes_for allow, in the rep's words.
WHO_SEES_YOUR_NOTES = (
    "Your coaching notes are seen by you, your manager and their director; your manager's "
    "private notes are never shown to you."
)
MAX_HOME_REPS = 40  # one block each; the Home tab holds 100 blocks
MAX_HOME_SCORES = 8  # two blocks each
MAX_HOME_INSIGHTS = 6  # up to two blocks each
MAX_HOME_REVIEWS = 4  # per manager, one block each: 8 managers fit with room to spare

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


def _drill(model: HomeModel) -> list[Block]:
    drill = model.drill
    if drill is None:
        return [section("*Drill:* none this week yet: it comes with your 1:1 notes.")]
    done = drill.practice
    if done.met:
        state = f"recorded ✓ ({done.label})"
    elif done.done:
        state = f"recorded {done.label}, {done.left} to go by {day_label(drill.due_on)}"
    else:
        state = f"not recorded yet ({done.label}), due {day_label(drill.due_on)}"
    commitment = f"\n*Your commitment:* {drill.commitment.sentence}" if drill.commitment else ""
    return [
        section(f"*Drill:* {drill.drill.name} — {state}{commitment}\n{drill.drill.success}"),
        drill_buttons(drill.rep.slack_user_id, drill.cycle, "home_drill"),
    ]


def _week_line(week: RepWeek) -> str:
    if week.paused:
        return f"• {week.cycle}: paused"
    held = {True: "1:1 ✓", False: "1:1 didn't happen", None: "no 1:1 notes"}[week.held]
    drill = drill_mark(week.practice) if week.drill_assigned else "—"
    transfer = f"transfer {week.transfer}/5" if week.transfer is not None else "not scored"
    helpful = f" · you rated it {week.helpfulness}/10" if week.helpfulness else ""
    focus = f" · {week.focus}" if week.focus else ""
    return f"• {week.cycle}{focus}: {held} · {drill} · {transfer}{helpful}"


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
    if model.scorecard is not None:
        blocks += [
            divider(),
            section("\n".join(rep_lines(model.scorecard.card, model.scorecard.rubric))),
            ActionsBlock(
                block_id="scorecard_actions",
                elements=[
                    ButtonElement(
                        text="Open my one-page scorecard",
                        action_id=Action.OPEN_SCORECARD,
                        value=RepRef(model.slack_user_id, model.cycle).dump(),
                    )
                ],
            ),
        ]
    blocks += _chart(model, ChartKind.REP)
    if model.indicator is not None:
        blocks.append(section("*On your calls:* " + indicator_line(model.indicator)))
    blocks += _drill(model)
    if model.recent:
        blocks += [section(f"*Your last {len(model.recent)} weeks*")]
        blocks += bullet_sections(_week_line(w) for w in model.recent)
    blocks += [divider(), section("*How your week runs*"), *_week(model.schedule, REP_STEPS)]
    blocks.append(context(_tz_line(model) + " " + WHO_SEES_YOUR_NOTES))
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


def _rep_menu(rep: str, cycle: str) -> OverflowMenuElement:
    ref = RepRef(rep, cycle)
    options = [
        Option(value=MenuChoice("diagnose", ref).dump(), text="Diagnose this week"),
        Option(value=MenuChoice("notes", ref).dump(), text="Log 1:1 notes"),
        Option(value=MenuChoice("not_held", ref).dump(), text="Log: 1:1 didn't happen"),
        Option(value=MenuChoice("view", ref).dump(), text="Open 1:1 notes"),
        Option(value=MenuChoice("pause", ref).dump(), text="Pause (out of office)"),
    ]
    return OverflowMenuElement(action_id=Action.REP_MENU, options=options)


def _scorecard_pick(team: TeamView) -> ActionsBlock:
    """Any rep's one-page scorecard: rubric trend, focus plan, commitments, targets."""
    options = [
        Option(value=RepRef(row.rep, team.cycle).dump(), text=(row.name or row.rep)[:75])
        for row in team.rows[:100]
    ]
    return ActionsBlock(
        block_id="team_scorecards",
        elements=[
            StaticSelectElement(
                action_id=Action.OPEN_SCORECARD,
                placeholder="Open a rep's one-page scorecard",
                options=options,
            ),
            StaticSelectElement(
                action_id=Action.WRITE_NOTE,
                placeholder="Write a note: SBI, CAR or OSKAR",
                options=options,
            ),
        ],
    )


def _team_table(team: TeamView) -> list[Block]:
    blocks: list[Block] = [section(f"*Your reps* ({len(team.rows)})"), *team_blocks(team)[:1]]
    for row in team.rows[:MAX_HOME_REPS]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=team_line(row)),
                accessory=_rep_menu(row.rep, team.cycle),
            )
        )
    if len(team.rows) > MAX_HOME_REPS:
        blocks.append(context(f"…and {len(team.rows) - MAX_HOME_REPS} more reps."))
    if team.rows:
        blocks.append(_scorecard_pick(team))
    if team.to_score:
        last = calendar.previous_cycle(team.cycle)
        blocks.append(section("*Score last week's drills* (skill transfer, 1–5)"))
        for rep in team.to_score[:MAX_HOME_SCORES]:
            blocks += [context(f"{mention(rep)}'s drill of {last}"), score_buttons(rep, last)]
    blocks += open_actions_blocks(team.open_actions, buttons=True)
    if team.insights:
        blocks += [section("*Insights*")]
        blocks += insight_blocks(
            team.insights, team.cycle, team.cycle, limit=MAX_HOME_INSIGHTS, elsewhere=""
        )
    return blocks


def _reviews(view: DirectorView) -> list[Block]:
    """Coaching the coaches: each manager's recent held 1:1s, with a button to review one."""
    if not any(row.to_review for row in view.managers):
        return []
    blocks: list[Block] = [
        section("*Review your managers' 1:1s* (this week and last; not reviewed yet first)")
    ]
    for row in view.managers:
        for item in row.to_review[:MAX_HOME_REVIEWS]:
            state = (
                "not reviewed yet"
                if item.ticked is None
                else f"reviewed: {item.ticked}/{len(CHECKLIST)}"
            )
            line = f"{mention(row.manager)}'s 1:1 with {mention(item.rep)}, {item.cycle} — {state}"
            review = ButtonElement(
                text="Review" if item.ticked is None else "Edit review",
                action_id=Action.REVIEW_ONE_ON_ONE,
                value=RepRef(item.rep, item.cycle).dump(),
            )
            blocks.append(SectionBlock(text=MarkdownTextObject(text=line), accessory=review))
        hidden = len(row.to_review) - MAX_HOME_REVIEWS
        if hidden > 0:
            blocks.append(context(f"…and {plural(hidden, 'more 1:1')} of {mention(row.manager)}."))
    return blocks


def _chart(model: HomeModel, kind: ChartKind) -> list[Block]:
    """The trend chart of this kind from the person's latest digest, with its week."""
    chart = next((c for c in model.charts if c.kind is kind), None)
    if chart is None:
        return []
    return [chart_image(chart), context(f"Chart from your digest of {chart.cycle}.")]


def _manager(model: HomeModel) -> list[Block]:
    title = "Your team" if model.role is Role.MANAGER else "Your organisation"
    blocks: list[Block] = [header(title)]
    if model.organisation is not None:
        blocks += director_blocks(model.organisation)
        blocks += _chart(model, ChartKind.DIRECTOR)
        blocks += _reviews(model.organisation)
    if model.team is not None:
        blocks += _team_table(model.team)
        blocks += _chart(model, ChartKind.TEAM)
    blocks += indicator_blocks(model.indicators)
    if model.organisation is None and model.team is None:
        blocks += _team(model)
    elif model.managers:
        blocks += [section(f"*Your managers* ({len(model.managers)})")]
        blocks += bullet_sections(_member_line(m) for m in model.managers)
    blocks += [divider(), section("*How your week runs*"), *_week(model.schedule, MANAGER_STEPS)]
    blocks.append(context(_tz_line(model)))
    return blocks


def _delivery_problems(model: HomeModel) -> list[Block]:
    health = model.delivery
    if health is None or not (health.problems or health.time_zones):
        return []
    return [
        divider(),
        *problem_blocks(health),
        *time_zone_blocks(health),
        context("`/coach status` shows this week's messages by state."),
    ]


def _recorder(model: HomeModel) -> list[Block]:
    if model.recorder is None:
        return []
    return [divider(), section("*Call recorder:* " + "\n".join(recorder_status(model.recorder)))]


def _disconnect(model: HomeModel) -> list[ButtonElement]:
    if model.recorder is None or not model.recorder.stored_keys:
        return []
    return [
        ButtonElement(
            text="Disconnect Gong",
            action_id=Action.DISCONNECT_RECORDER,
            value="disconnect",
            style="danger",
            confirm=ConfirmObject(
                title="Disconnect Gong?",
                text=(
                    "coach forgets Gong's key and every call it read (links and numbers). "
                    "The week goes on without Gong; you can connect it again later."
                ),
                confirm="Disconnect",
                deny="Keep it",
            ),
        )
    ]


def _crm(model: HomeModel) -> list[Block]:
    if model.crm is None:
        return []
    return [divider(), section("*CRM:* " + "\n".join(crm_status(model.crm)))]


def _crm_buttons(model: HomeModel) -> list[ButtonElement]:
    """Connect a CRM, or change or forget the one an admin connected (one the environment
    sets is changed where it is set)."""
    crm = model.crm
    if crm is not None and not crm.stored_keys:
        return []
    if crm is None:
        return [
            ButtonElement(text="Connect HubSpot", action_id=Action.CONNECT_HUBSPOT, value="edit"),
            ButtonElement(
                text="Connect Salesforce", action_id=Action.CONNECT_SALESFORCE, value="edit"
            ),
        ]
    form = Action.CONNECT_SALESFORCE if crm.name == "Salesforce" else Action.CONNECT_HUBSPOT
    return [
        ButtonElement(text=f"Change {crm.name}'s keys", action_id=form, value="edit"),
        ButtonElement(
            text=f"Disconnect {crm.name}",
            action_id=Action.DISCONNECT_CRM,
            value="disconnect",
            style="danger",
            confirm=ConfirmObject(
                title=f"Disconnect {crm.name}?",
                text=(
                    f"coach forgets {crm.name}'s keys and every deal and stage it read. The "
                    "week goes on with deals typed by hand; you can connect it again later."
                ),
                confirm="Disconnect",
                deny="Keep it",
            ),
        ),
    ]


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
        *_delivery_problems(model),
        *_recorder(model),
        *_crm(model),
        divider(),
        *rubric_blocks(model.rubric),
        divider(),
        section("*Workspace schedule* (each person's local time)"),
        *_week(model.schedule, {**REP_STEPS, **MANAGER_STEPS}),
        ActionsBlock(
            block_id="admin_actions",
            elements=[
                ButtonElement(
                    text="Add or change someone", action_id=Action.EDIT_ROSTER, value="edit"
                ),
                ButtonElement(
                    text="Change the schedule", action_id=Action.EDIT_SCHEDULE, value="edit"
                ),
                ButtonElement(
                    text="Change Gong's key" if model.recorder else "Connect Gong",
                    action_id=Action.CONNECT_RECORDER,
                    value="edit",
                ),
                *_disconnect(model),
                *_crm_buttons(model),
                ButtonElement(
                    text="Export coaching history", action_id=Action.EXPORT_HISTORY, value="csv"
                ),
            ],
        ),
        context(
            "*Export coaching history* sends you a CSV by DM: one row per rep per week, "
            "private notes never included. One person's data: `/coach export @person`."
        ),
        context(
            f"Teams with their own times: set them per team in the same form. "
            f"{plural(len(model.teams), 'team')} on the roster."
        ),
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
