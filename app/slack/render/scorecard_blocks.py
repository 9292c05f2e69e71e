"""The numbers as Block Kit: the weekly digests and the App Home scorecards share these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ImageBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.rules import calendar, targets
from app.rules.coaching_review import window_total
from app.rules.commitment import Commitment
from app.rules.insights import Insight, Kind
from app.rules.metrics import TRANSFERRED, Ratio, RepScorecard
from app.rules.practice import Practice
from app.rules.rubric import Competency
from app.rules.trends import ChartImage, ChartKind
from app.services.call_evidence import Indicator
from app.services.digests import Digest, RepDigest
from app.services.escalations import OpenAction
from app.services.roster import plural
from app.services.scorecard_data import DirectorView, ManagerCoverage, TeamRow, TeamView
from app.slack.ids import Action
from app.slack.metadata import ActionRef, RepRef
from app.slack.render.blocks import (
    Outgoing,
    as_dicts,
    bullet_sections,
    chart_image,
    context,
    day_label,
    divider,
    header,
    mention,
    section,
)
from app.slack.render.call_words import indicator_line
from app.slack.render.insight_words import advice, reason
from app.slack.render.message_parts import commitment_lines

MESSAGE_BLOCK_LIMIT = 50  # Slack's blocks per message
MAX_INSIGHTS = 10  # two blocks each; a digest stays well under Slack's 50 blocks
MAX_OPEN_ACTIONS = 8


def coaching_minutes(total: int, per_rep: Fraction | None) -> str:
    """ "105 min, 35 per rep", or "—" with nobody counted."""
    if per_rep is None:
        return "—"
    return f"{total} min, {int(per_rep + Fraction(1, 2))} per rep"  # half up: 27.5 → 28


def ratio(value: Ratio) -> str:
    """ "2/3 (67%)", or "—" when there is nothing to count."""
    return "—" if value.of == 0 else f"{value.done}/{value.of} ({value.label})"


def average(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value):.1f}"


def trend(card: RepScorecard) -> str:
    return " → ".join(str(score) for _, score in card.transfers) or "no scores yet"


def rubric_line(card: RepScorecard, rubric: Sequence[Competency]) -> str:
    """Each rated competency's level, with how it got there: "Discovery 2 → 3/4"."""
    parts = [
        f"{c.name} {' → '.join(str(level) for level in card.rubric[c.key])}/4"
        for c in rubric
        if card.rubric.get(c.key)
    ]
    return ", ".join(parts) or "not rated yet"


def rep_lines(card: RepScorecard, rubric: Sequence[Competency]) -> list[str]:
    focus = f"*Focus:* {card.focus} (week {card.weeks_on_focus})" if card.focus else "*Focus:* —"
    reached = f" · reached 4+ in week {card.weeks_to_transfer}" if card.weeks_to_transfer else ""
    source = f" · {card.deal_progression_source}" if card.deal_progression_source else ""
    return [
        focus,
        f"*Transfer scores:* {trend(card)}{reached} · {targets.TRANSFER_LABEL}",
        f"*Drills recorded (4 weeks):* {ratio(card.completion_4w)} · "
        f"since this focus began: {ratio(card.completion_focus)} · {targets.COMPLETION_LABEL}",
        f"*Coached deals that moved a stage:* {ratio(card.deal_progression_4w)}{source} · "
        f"{targets.PROGRESSION_LABEL}",
        f"*Rubric:* {rubric_line(card, rubric)}",
    ]


def drill_mark(practice: Practice | None) -> str:
    """✓ once the committed recordings are in; how many of them when only some are."""
    if practice is None:
        return "no drill"
    if practice.met:
        return "drill ✓"
    return f"drill {practice.label}" if practice.done else "drill ✗"


def _drill_state(row: TeamRow) -> str:
    return drill_mark(row.practice) if row.drill is not None else "no drill"


def team_line(row: TeamRow) -> str:
    if row.paused:
        return f"{mention(row.rep)} — paused this week"
    gap = row.gap.value if row.gap else "no gap yet"
    focus = f"{row.focus} (wk {row.weeks_on_focus})" if row.focus else "no focus"
    held = {True: "1:1 ✓", False: "1:1 didn't happen", None: "1:1 not logged"}[row.held]
    transfer = f"{row.transfer}/5" if row.transfer is not None else "—"
    return (
        f"{mention(row.rep)} — {gap} · {focus} · {held} · {_drill_state(row)} · "
        f"transfer {transfer} · helpful {average(row.helpfulness_avg)}"
    )


def team_blocks(view: TeamView) -> list[Block]:
    trend_line = " → ".join(r.label for _, r in view.coverage_trend)
    return [
        section(
            f"*Coverage this week:* {ratio(view.coverage)} · last weeks: {trend_line}\n"
            f"*Coaching time this week:* "
            f"{coaching_minutes(view.coaching_minutes, view.minutes_per_rep)}\n"
            f"*Drills scored (last week's):* {ratio(view.reviews_done)} · "
            f"*diagnosed before the 1:1:* {ratio(view.diagnosed_first)}"
        ),
        *bullet_sections(team_line(row) for row in view.rows),
        context(
            "Helpfulness is the reps' own 1–10 rating of their 1:1s, shown as an average "
            f"once there are 3 or more. Targets: drills {targets.COMPLETION}% recorded as "
            f"committed · transfer {targets.TRANSFER_LABEL.removeprefix('target ')} of a focus "
            f"· coached deals moving a stage {targets.PROGRESSION}%+."
        ),
    ]


def _insight_buttons(insight: Insight, diagnose_in: str, notes_of: str) -> list[ButtonElement]:
    if insight.kind in (Kind.GROUP_DRILL, Kind.UNDER_COVERED):
        return []
    rep = insight.subject
    return [
        ButtonElement(
            text="Diagnose", action_id=Action.DIAGNOSE, value=RepRef(rep, diagnose_in).dump()
        ),
        ButtonElement(
            text="Open notes", action_id=Action.VIEW_NOTES, value=RepRef(rep, notes_of).dump()
        ),
        ButtonElement(text="Pause", action_id=Action.PAUSE, value=RepRef(rep, notes_of).dump()),
    ]


def insight_blocks(
    insights: Sequence[Insight],
    diagnose_in: str,
    notes_of: str,
    *,
    limit: int = MAX_INSIGHTS,
    elsewhere: str = " in the App Home",
) -> list[Block]:
    """Each insight with its reason, and buttons to act: diagnose (in `diagnose_in`) and
    open the notes (of `notes_of`). Past `limit`, a line says how many more (and where)."""
    blocks: list[Block] = []
    for n, insight in enumerate(insights[:limit]):
        about_a_rep = insight.kind not in (Kind.GROUP_DRILL, Kind.UNDER_COVERED)
        who = f"{mention(insight.subject)}: " if about_a_rep else ""
        blocks.append(section(f"⚑ {who}*{advice(insight)}*\n_{reason(insight)}_"))
        buttons = _insight_buttons(insight, diagnose_in, notes_of)
        if buttons:
            blocks.append(ActionsBlock(block_id=f"insight:{n}:{insight.subject}", elements=buttons))
    if len(insights) > limit:
        blocks.append(context(f"…and {len(insights) - limit} more{elsewhere}."))
    return blocks


def open_action_line(action: OpenAction, *, with_manager: bool) -> str:
    owner = f"{mention(action.manager)} for " if with_manager and action.manager else ""
    return f"• {owner}{mention(action.rep)}: {action.action} — open since {day_label(action.since)}"


def open_actions_blocks(actions: Sequence[OpenAction], *, buttons: bool) -> list[Block]:
    """The system gaps taken on and not resolved yet; with `buttons`, one to resolve each."""
    if not actions:
        return []
    lead = "*Open actions* — system gaps you took on (territory, leads, quota)"
    if not buttons:
        lead = "*Open system issues* in your managers' teams"
    blocks: list[Block] = [section(lead)]
    for action in actions[:MAX_OPEN_ACTIONS]:
        line = open_action_line(action, with_manager=not buttons)
        if buttons:
            resolve = ButtonElement(
                text="Mark resolved",
                action_id=Action.RESOLVE_ACTION,
                value=ActionRef(action.id).dump(),
            )
            blocks.append(SectionBlock(text=MarkdownTextObject(text=line), accessory=resolve))
        else:
            blocks.append(section(line))
    if len(actions) > MAX_OPEN_ACTIONS:
        blocks.append(context(f"…and {len(actions) - MAX_OPEN_ACTIONS} more."))
    return blocks


def checklist_trend(row: ManagerCoverage) -> str:
    """The checklist of the director's reviews of one manager's 1:1s, week by week."""
    total = window_total(row.checklist)
    if not total.of:
        return "no 1:1s reviewed in 4 weeks"
    weeks = " → ".join(r.label for _, r in row.checklist)
    return f"{weeks} (4 weeks: {ratio(total)})"


def director_blocks(view: DirectorView) -> list[Block]:
    lines = []
    for row in view.managers:
        missing = ", ".join(mention(r) for r in row.not_coached[:10])
        more = f" +{len(row.not_coached) - 10}" if len(row.not_coached) > 10 else ""
        tail = f" — not coached: {missing}{more}" if row.not_coached else ""
        short = row.coverage.percent is not None and row.coverage.percent < 100
        flag = " ⚑" if row.due and short else ""
        tail = tail if row.due else " — this week's 1:1s aren't due yet"
        lines.append(
            f"{mention(row.manager)}: {ratio(row.coverage)}{flag}{tail}\n"
            f"    coaching time: {coaching_minutes(row.coaching_minutes, row.minutes_per_rep)}\n"
            f"    coaching checklist: {checklist_trend(row)}"
        )
    return [
        section(f"*Coverage across your managers:* {ratio(view.total)}"),
        *bullet_sections(lines),
        context(
            "Coaching checklist: the items you ticked ÷ the items of each 1:1 you reviewed, "
            "per week of the 1:1, the last 4 weeks."
        ),
        *open_actions_blocks(view.open_actions, buttons=False),
    ]


def cheer(card: RepScorecard) -> str:
    """One line of encouragement, grounded in the rep's own numbers."""
    week = card.this_week
    latest = card.transfers[-1][1] if card.transfers else None
    if week.drill_assigned and week.drill_recorded:
        return "You recorded this week's drill: that's how a skill sticks. Nice work."
    if latest is not None and latest >= TRANSFERRED:
        return f"Your last transfer score was {latest}/5: it's showing up on live calls."
    done = card.completion_4w
    if done.of and done.done == done.of:
        return f"{done.done} of {done.of} drills recorded in the last weeks. Keep the streak."
    moved = card.deal_progression_4w.percent
    if moved is not None and moved >= targets.PROGRESSION:
        return f"{card.deal_progression_4w.label} of your coached deals moved a stage. Keep going."
    return "One recorded drill next week will move your numbers more than anything else."


def _rep_digest_blocks(part: RepDigest) -> list[Block]:
    week = commitment_lines(part.commitment)
    if part.drill:
        done = part.card.this_week.practice
        if done.met:
            state = "recorded ✓"
        else:
            state = f"{done.label} recorded" if done.done else "not recorded yet"
        week.append(f"*This week's drill:* {part.drill} — {state}")
    if part.next_one_on_one:
        week.append(f"*Next 1:1:* {day_label(part.next_one_on_one)}")
    return [
        section("\n".join([*week, *rep_lines(part.card, part.rubric)])),
        context(cheer(part.card)),
    ]


def team_commitment_blocks(commitments: Sequence[tuple[str, Commitment]]) -> list[Block]:
    """What each rep committed to this week, word for word as on their drill card."""
    if not commitments:
        return []
    lines = [f"{mention(rep)}: {commitment.sentence}" for rep, commitment in commitments]
    return [section("*This week's commitments*"), *bullet_sections(lines)]


def indicator_blocks(indicators: Sequence[tuple[str, Indicator]]) -> list[Block]:
    """Each rep's leading indicator: did the focus behaviour change on their calls?"""
    if not indicators:
        return []
    lines = [f"{mention(rep)}: {indicator_line(shown, who='their')}" for rep, shown in indicators]
    title = section("*On their calls* (Gong: did the focus behaviour change?)")
    return [title, *bullet_sections(lines)]


def digest(model: Digest) -> Outgoing:
    """The weekly digest DM: the rep's week, the team table, coverage across managers; each
    part with its trend chart, when one was uploaded (its numbers also in the fallback text)."""
    parts: list[str] = []
    blocks: list[Block] = [header(f"Your coaching week ({model.cycle})")]
    charts = {chart.kind: chart for chart in model.charts}
    if model.rep is not None:
        card = model.rep.card
        scores = f"transfer {trend(card)}" if card.transfers else "no transfer score yet"
        parts.append(f"drills recorded {card.completion_4w.label}, {scores}")
        blocks += _rep_digest_blocks(model.rep)
        if model.rep.indicator is not None:
            blocks.append(section("*On your calls:* " + indicator_line(model.rep.indicator)))
        blocks += _chart(charts, ChartKind.REP)
    if model.team is not None:
        team = model.team
        parts.append(
            f"team coverage {ratio(team.coverage)}, {plural(len(team.insights), 'insight')}"
        )
        if model.rep is not None:
            blocks.append(divider())
        blocks += [section("*Your team*"), *team_blocks(team)]
        blocks += _chart(charts, ChartKind.TEAM)
        blocks += team_commitment_blocks(model.commitments)
        blocks += indicator_blocks(model.indicators)
        blocks += open_actions_blocks(team.open_actions, buttons=True)
        if team.insights:
            # Friday: re-diagnosis is for next week; the notes are this week's.
            coming = calendar.next_cycle(team.cycle)
            blocks += [divider(), *insight_blocks(team.insights, coming, team.cycle)]
    if model.director is not None:
        parts.append(f"coverage across managers {ratio(model.director.total)}")
        if len(blocks) > 1:
            blocks.append(divider())
        blocks += director_blocks(model.director)
        blocks += _chart(charts, ChartKind.DIRECTOR)
    text = f"Your coaching week ({model.cycle}): " + "; ".join(parts) + "."
    if len(blocks) > MESSAGE_BLOCK_LIMIT:  # the words come first: charts give way
        blocks = [b for b in blocks if not isinstance(b, ImageBlock)]
    else:  # every chart shown has its numbers in the fallback text too
        text = " ".join([text, *(chart.alt_text for chart in model.charts)])
    return Outgoing(text=text, blocks=as_dicts(blocks))


def _chart(charts: Mapping[ChartKind, ChartImage], kind: ChartKind) -> list[Block]:
    chart = charts.get(kind)
    return [chart_image(chart)] if chart is not None else []
