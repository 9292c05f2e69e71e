"""A scripted four-week team (tests/support/four_weeks.py), recorded through the real use cases;
every figure and insight is worked out by hand below and must match the Friday digests and the
App Homes exactly.

Weeks 2026-W45 … W48 (Mondays Nov 2, 9, 16, 23); "now" is Friday of W48. Maya coaches Ana,
Ben, Chen and Dev; Omar coaches Eve; Dana directs both.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest

from app.db.store import Store
from app.rules.types import Step
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import scorecard_data
from app.slack.ids import Action
from app.slack.metadata import MenuChoice, RepRef
from tests.support.factories import TEAM_ID
from tests.support.four_weeks import CLIP, ROSTER, ZONES, Script, at, play
from tests.support.statements import recorded_statements
from tests.support.week import Week, open_week


@asynccontextmanager
async def four_weeks(
    database_url: str, sandbox: SlackSandbox, *, charts: bool = False
) -> AsyncIterator[Week]:
    # The roster is imported on Monday of W45; the weeks are then recorded as they happened.
    settings = {"coach_charts": "on" if charts else "off"}
    async with open_week(database_url, sandbox, ROSTER, ZONES, at(45, 0), settings=settings) as w:
        await play(Script(w))
        w.clock.set(at(48, 4, 0))
        yield w


async def fridays_digests(week: Week) -> None:
    # Friday: everyone's digest goes out at 17:00 local (the last, Los Angeles, at 01:00
    # UTC on Saturday).
    await week.run_until(at(48, 5, 2))


@pytest.fixture
async def team(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with four_weeks(database_url, sandbox) as week:
        await fridays_digests(week)
        yield week


def text_of(message: dict[str, Any]) -> str:
    return blocks_to_text(message.get("blocks"), message.get("text"))


MAYA_TEAM = [
    "<@U0ANA> — skill · Discovery (wk 3) · 1:1 ✓ · drill ✓ · transfer 2/5 · helpful 7.0",
    "<@U0BEN> — skill · Closing (wk 4) · 1:1 didn't happen · no drill · transfer 4/5 · helpful —",
    "<@U0CHEN> — skill · Objection handling (wk 4) · 1:1 ✓ · drill ✗ · transfer 3/5 · helpful —",
    "<@U0DEV> — paused this week",
]
# Coverage: W45 Ana, Ben, Chen of 4 (Dev had no 1:1) = 75%; W46 all 4 = 100%; W47 Ben and
# Chen of 3 (Ana paused) = 67%; W48 Ana and Chen of 3 (Ben's didn't happen, Dev paused).
# Last week's recorded drills: only Chen's, scored. Held 1:1s this week: both diagnosed first.
MAYA_SUMMARY = (
    "*Coverage this week:* 2/3 (67%) · last weeks: 75% → 100% → 67% → 67%\n"
    # Ana's and Chen's 1:1s, 30 minutes each (none logged a length); Ben's didn't happen;
    # no drill of this week is scored yet: 60 minutes over 3 counted reps (Dev is paused).
    "*Coaching time this week:* 60 min, 20 per rep\n"
    "*Drills scored (last week's):* 1/1 (100%) · *diagnosed before the 1:1:* 2/2 (100%)"
)
MAYA_INSIGHTS = [
    # Ana: 3 drills assigned in her counted weeks (W45, W46, W48; W47 paused), all recorded.
    "⚑ <@U0ANA>: *The drill may be wrong or practised wrong: re-diagnose.*\n"
    "_3/3 drills recorded, yet transfer is 2/5._",
    # Ben: W45-W47 drills, only W46 recorded: 1/3 = 33%, with a 4.
    "⚑ <@U0BEN>: *Looks like a will gap: they can, but don't do the drill.*\n"
    "_Transfer 4/5 but only 1/3 drills recorded (33%)._",
    "⚑ <@U0CHEN>: *Same focus for weeks without a 4: re-diagnose.*\n"
    "_4 weeks on Objection handling without a transfer of 4+._",
    # Chen: W45-W46 1 of 2 recorded, W47-W48 1 of 2; scores 3 then 3.
    "⚑ <@U0CHEN>: *Coaching isn't working: change the approach, not the pressure.*\n"
    "_Over 4 weeks transfer went 3, 3 and drills recorded went 50% → 50%: neither improved._",
    "⚑ *Several reps share this gap: run one group drill.*\n_3 reps have a skill gap._",
    "⚑ *Not every rep got a 1:1 this week.*\n_2 of 3 reps had a logged 1:1 (67%)._",
]
ANA_CARD = [
    "*Focus:* Discovery (week 3)",
    "*Transfer scores:* 2 → 2 · target 4+ within 3 weeks",
    "*Drills recorded (4 weeks):* 3/3 (100%) · since this focus began: 3/3 (100%) · target 100%",
    # W45: 1 of 2 moved; W46: 1 of 1 → 2 of 3.
    "*Coached deals that moved a stage:* 2/3 (67%) · reps' own answers · target 70%+",
    "*Rubric:* Discovery 1 → 1 → 2/4",
]


# Coverage as above (Omar: Eve, 1/1). The checklist: items Dana ticked ÷ 6 per 1:1 she
# reviewed, per week of the 1:1. Maya: W45 Ana 4 + Ben 2 of 12 = 50%; W46 none; W47 Chen 5
# of 6 = 83%; W48 Ana 6 of 6 = 100%; over the 4 weeks 17 of 24 = 71%. Omar: W48 Eve 3 of 6.
DANA_MANAGERS = (
    "<@U0MAYA>: 2/3 (67%) ⚑ — not coached: <@U0BEN>\n"
    "    coaching time: 60 min, 20 per rep\n"
    "    coaching checklist: 50% → — → 83% → 100% (4 weeks: 17/24 (71%))\n"
    "<@U0OMAR>: 1/1 (100%)\n"
    "    coaching time: 30 min, 30 per rep\n"
    "    coaching checklist: — → — → — → 50% (4 weeks: 3/6 (50%))"
)
# This week's and last week's held 1:1s: not reviewed first, then the newest week first.
DANA_REVIEWS = [
    ("<@U0MAYA>'s 1:1 with <@U0CHEN>, 2026-W48 — not reviewed yet", "Review"),
    ("<@U0MAYA>'s 1:1 with <@U0BEN>, 2026-W47 — not reviewed yet", "Review"),
    ("<@U0MAYA>'s 1:1 with <@U0ANA>, 2026-W48 — reviewed: 6/6", "Edit review"),
    ("<@U0MAYA>'s 1:1 with <@U0CHEN>, 2026-W47 — reviewed: 5/6", "Edit review"),
    ("<@U0OMAR>'s 1:1 with <@U0EVE>, 2026-W48 — reviewed: 3/6", "Edit review"),
]


def sections(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


async def test_the_managers_digest_matches_the_hand_computed_team(team: Week) -> None:
    digest = await team.last_dm("U0MAYA", Step.DIGEST)
    found = sections(digest)
    assert MAYA_SUMMARY in found
    assert "\n".join(MAYA_TEAM) in found
    assert [s for s in found if s.startswith("⚑")] == MAYA_INSIGHTS
    assert digest["text"] == "Your coaching week (2026-W48): team coverage 2/3 (67%), 6 insights."
    # This week's commitments, as each rep's drill card has them; Ben's 1:1 didn't happen.
    assert "*This week's commitments*" in found
    assert (
        "\n".join(
            f"<@{rep}>: Commitment {rep} W48 — and we hold the number of {rep} W48"
            for rep in ("U0ANA", "U0CHEN")
        )
        in found
    )
    # Helpfulness reaches Maya only as Ana's average of 3; Ben's single 9 never shows.
    assert "helpful 9" not in str(digest) and "9/10" not in str(digest)


async def test_the_reps_digest_is_their_own(team: Week) -> None:
    digest = await team.last_dm("U0ANA", Step.DIGEST)
    found = sections(digest)
    assert found[0] == "\n".join(
        [
            "*Your commitment:* Commitment U0ANA W48 — and we hold the number of U0ANA W48",
            "*Follow-up:* Wed Dec 2, we check the next 3 calls",
            "*This week's drill:* Objection reframe — recorded ✓",
            "*Next 1:1:* Wed Dec 2",
            *ANA_CARD,
        ]
    )
    assert "You recorded this week's drill" in text_of(digest)
    for other in ("U0BEN", "U0CHEN", "U0DEV", "U0EVE"):
        assert other not in str(digest)
    # Dev is paused this week: no digest.
    with pytest.raises(LookupError):
        await team.last_dm("U0DEV", Step.DIGEST)


async def test_the_directors_digest_shows_coverage_per_manager(team: Week) -> None:
    digest = await team.last_dm("U0DANA", Step.DIGEST)
    found = sections(digest)
    assert "*Coverage across your managers:* 3/4 (75%)" in found
    assert DANA_MANAGERS in found
    assert "Commitment" not in str(digest)  # coverage, not anybody's notes


async def test_app_homes_show_the_same_numbers_to_the_right_people(team: Week) -> None:
    async def home(user: str) -> dict[str, Any]:
        since = team.sandbox.mark()
        await team.driver.open_home(user)
        call = await team.sandbox.wait_for_call(
            "views.publish", since=since, where=lambda c: c.args.get("user_id") == user
        )
        assert call.ok, call.response
        return dict(call.args["view"])

    maya = await home("U0MAYA")
    found = sections(maya)
    assert MAYA_SUMMARY in found
    assert [s for s in found if s.startswith("<@U0")] == MAYA_TEAM
    assert [s for s in found if s.startswith("⚑")] == MAYA_INSIGHTS
    menus = [b["accessory"]["action_id"] for b in maya["blocks"] if b.get("accessory")]
    assert menus == ["rep_menu"] * 4

    ana = await home("U0ANA")
    assert "\n".join(ANA_CARD) in sections(ana)
    weeks = "\n".join(s for s in sections(ana) if s.startswith("• 2026-W"))
    assert "• 2026-W47: paused" in weeks
    assert "• 2026-W45 · Discovery: 1:1 ✓ · drill ✓ · transfer 2/5 · you rated it 7/10" in weeks
    for other in ("U0BEN", "U0CHEN", "U0DEV", "U0EVE", "⚑"):
        assert other not in str(ana)

    ben = await home("U0BEN")
    assert "you rated it 9/10" in str(ben)  # his own rating, to him only
    omar = await home("U0OMAR")
    assert "U0ANA" not in str(omar) and "<@U0EVE> — skill · Closing (wk 1)" in str(omar)

    dana = await home("U0DANA")
    assert "*Coverage across your managers:* 3/4 (75%)" in sections(dana)
    assert DANA_MANAGERS in sections(dana)
    reviews = [
        (b["text"]["text"], b["accessory"]["text"]["text"])
        for b in dana["blocks"]
        if (b.get("accessory") or {}).get("action_id") == Action.REVIEW_ONE_ON_ONE
    ]
    assert reviews == DANA_REVIEWS
    assert "Commitment" not in str(dana)


# --- trend charts -------------------------------------------------------------------------


def images(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "image"]


def chart_numbers(alt_text: str, panel: str) -> dict[str, str]:
    """Week → value of one panel in a chart's alt text: "Coverage (1:1s held): W45 75%, …"."""
    part = alt_text.split(f"{panel}: ", 1)[1].split(".", 1)[0]
    if part == "none yet":
        return {}
    return dict(entry.split(" ", 1) for entry in part.split(", "))


def decoded_png(team: Week, file_id: str) -> Any:
    from PIL import Image  # matplotlib's own dependency

    data = team.sandbox.state.files[file_id].uploaded
    assert data is not None
    return Image.open(io.BytesIO(data)).convert("RGB")


@pytest.fixture
async def charted(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with four_weeks(database_url, sandbox, charts=True) as week:
        await fridays_digests(week)
        yield week


async def test_digests_and_homes_carry_png_charts_whose_numbers_are_the_digests(
    charted: Week,
) -> None:
    team = charted
    maya = await team.last_dm("U0MAYA", Step.DIGEST)
    [chart] = images(maya)
    picture = decoded_png(team, chart["slack_file"]["id"])
    assert picture.size[0] == 800 and picture.size[1] > 400
    colours = picture.getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20, "a blank image has one or two colours"
    assert any(rgb == (0, 114, 178) for _, rgb in colours), "the palette's blue line is drawn"
    # The chart's last four weeks are the digest's coverage trend, week for week.
    coverage = chart_numbers(chart["alt_text"], "Coverage (1:1s held)")
    # Before the team started (W41–W44): gaps, never zeros.
    assert coverage == {"W45": "75%", "W46": "100%", "W47": "67%", "W48": "67%"}
    assert "last weeks: " + " → ".join(coverage.values()) in sections(maya)[1]
    assert maya["text"].endswith(" 6 insights. " + chart["alt_text"])  # the fallback too
    # Drill completion by week: W45 Ana ✓ Ben ✗ Chen ✓ (Dev none); W46 Ana, Ben, Chen ✓,
    # Dev ✗ → 3/4; W47 Ben ✗, Chen ✓ (Ana paused) → 1/2; W48 Ana ✓, Chen ✗ → 1/2.
    completion = chart_numbers(chart["alt_text"], "Drill completion")
    assert completion == {"W45": "67%", "W46": "75%", "W47": "50%", "W48": "50%"}

    ana = await team.last_dm("U0ANA", Step.DIGEST)
    [own] = images(ana)
    transfers = chart_numbers(own["alt_text"], "Transfer score")
    assert "*Transfer scores:* " + " → ".join(transfers.values()) in "\n".join(sections(ana))
    # W47 paused: no drill, no level (a gap in the line).
    drills = chart_numbers(own["alt_text"], "Drill recorded")
    assert drills == {"W45": "100%", "W46": "100%", "W48": "100%"}
    # Rated on Discovery only: 1, 1, then 2, as the rubric line says ("1 → 1 → 2/4").
    assert "Rubric level: Discovery W45 1, W46 1, W48 2." in own["alt_text"]

    dana = await team.last_dm("U0DANA", Step.DIGEST)
    [managers] = images(dana)
    # One line per manager, by the name Slack shows: Maya's is her digest's; Omar logged
    # Eve's 1:1 only in W48 (she was on the roster, uncoached, from W45).
    assert managers["alt_text"].endswith(
        "Coverage (1:1s held): Maya W45 75%, W46 100%, W47 67%, W48 67%; "
        "Omar W45 0%, W46 0%, W47 0%, W48 100%."
    )

    # The App Home shows the digest's chart again: drawn once, reused.
    file_id = images(maya)[0]["slack_file"]["id"]
    since = team.sandbox.mark()
    await team.driver.open_home("U0MAYA")
    call = await team.sandbox.wait_for_call(
        "views.publish", since=since, where=lambda c: c.args.get("user_id") == "U0MAYA"
    )
    assert call.ok, call.response
    assert [b["slack_file"]["id"] for b in images(call.args["view"])] == [file_id]
    # One upload per person and kind of chart: the digests' (Dev is paused: no digest).
    completed = team.sandbox.calls_to("files.completeUploadExternal")
    assert len(completed) == len(team.sandbox.state.files) == 7
    assert all(c.ok for c in completed)


@pytest.fixture(params=["upload refused", "file still processing"])
async def team_without_charts(
    request: pytest.FixtureRequest, database_url: str, sandbox: SlackSandbox
) -> AsyncIterator[Week]:
    async with four_weeks(database_url, sandbox, charts=True) as week:
        if request.param == "upload refused":
            sandbox.fail_uploads(100, status=503)  # every chart's bytes are refused
        else:
            sandbox.hold_processing = True  # uploaded, but no image block may show them yet
        await fridays_digests(week)
        yield week


async def test_a_chart_that_cannot_be_shown_leaves_the_digest_whole(
    team_without_charts: Week,
) -> None:
    digest = await team_without_charts.last_dm("U0MAYA", Step.DIGEST)
    assert images(digest) == []
    found = sections(digest)
    assert MAYA_SUMMARY in found and "\n".join(MAYA_TEAM) in found
    assert digest["text"] == "Your coaching week (2026-W48): team coverage 2/3 (67%), 6 insights."
    # Every digest went out once: none was lost or sent twice for its chart.
    digests = [
        c
        for c in team_without_charts.sandbox.calls_to("chat.postMessage")
        if c.ok and "Your coaching week" in str(c.args.get("text"))
    ]
    assert len({c.args["channel"] for c in digests}) == len(digests) == 7


BIG_TEAM = 30


@pytest.fixture
async def big_team(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    reps = [f"U0R{n:02d}" for n in range(BIG_TEAM)]
    roster = "slack_user_id,role,manager_slack_user_id,timezone\n"
    roster += "U0MAYA,manager,,America/Los_Angeles\n"
    roster += "".join(f"{rep},rep,U0MAYA,Europe/Berlin\n" for rep in reps)
    zones = {"U0MAYA": "America/Los_Angeles", **{rep: "Europe/Berlin" for rep in reps}}
    async with open_week(database_url, sandbox, roster, zones, at(48, 4, 0)) as week:
        s = Script(week)
        for rep in reps:  # every drill recorded, transfer stuck at 1: an insight per rep
            for n in (46, 47):
                await s.diagnose("U0MAYA", rep, n, "Discovery")
                await s.one_on_one("U0MAYA", rep, n)
                await s.recording(rep, n)
            await s.score("U0MAYA", rep, 46, 1)
            await s.diagnose("U0MAYA", rep, 48, "Discovery")
        yield week


async def test_thirty_reps_fit_slacks_limits(big_team: Week) -> None:
    since = big_team.sandbox.mark()
    await big_team.driver.open_home("U0MAYA")
    home = await big_team.sandbox.wait_for_call("views.publish", since=since)
    assert home.ok, home.response  # the sandbox checks Block Kit and the 100-block limit
    blocks = home.args["view"]["blocks"]
    assert sum(1 for b in blocks if b.get("accessory")) == BIG_TEAM  # every rep, with a menu
    assert sum(1 for b in blocks if b.get("block_id", "").startswith("score:")) == 8
    assert "…and 26 more." in str(blocks)  # 6 of 32 insights shown in the Home

    await big_team.run_until(at(48, 5, 2))
    digest = await big_team.last_dm("U0MAYA", Step.DIGEST)
    assert len(digest["blocks"]) <= 50
    posts = [c for c in big_team.sandbox.state.calls if c.method == "chat.postMessage"]
    assert posts and all(c.ok for c in posts)
    text = text_of(digest)
    assert text.count("— skill · Discovery (wk 3)") == BIG_TEAM  # the whole table
    # 30 "drill may be wrong", a group drill and coverage: 10 of 32 shown.
    assert "…and 22 more in the App Home." in text


async def test_the_team_view_reads_the_same_number_of_statements_for_any_team_size(
    big_team: Week,
) -> None:
    """No N+1: one query per kind of record, whatever the number of reps."""

    async def measured(reps: int) -> int:
        async with big_team.deps.db.begin() as session:
            store = Store(session)
            workspace = await store.workspace_by_team(TEAM_ID)
            assert workspace is not None
            maya = await store.person(workspace.id, "U0MAYA")
            assert maya is not None
            for person in await store.people(workspace.id, active_only=False):
                if person.slack_user_id != "U0MAYA":
                    person.active = int(person.slack_user_id[3:]) < reps
        async with big_team.deps.db() as session:
            store = Store(session)
            with recorded_statements(*big_team.deps.engines) as statements:
                view = await scorecard_data.team_view(store, maya, "2026-W48")
            assert len(view.rows) == reps
            return len(statements)

    assert (
        await measured(3) == await measured(BIG_TEAM) <= 14
    )  # one to see whether the workspace has a CRM, one for the rubric ratings, one for notes,
    # one for the holiday calendars (weeks off count as skipped)


async def test_a_change_refreshes_the_homes_it_shows_in(team: Week) -> None:
    since = team.sandbox.mark()
    answer = await team.driver.command("U0CHEN", "/drill", f"done {CLIP}&late=1")
    assert "Recorded your" in answer.json()["text"]
    await team.settle()
    published = {
        c.args["user_id"]: c.args["view"]
        for c in team.sandbox.state.calls[since:]
        if c.method == "views.publish" and c.ok
    }
    assert set(published) == {"U0CHEN", "U0MAYA", "U0DANA"}  # not Ana, not Omar
    assert "<@U0CHEN> — skill · Objection handling (wk 4) · 1:1 ✓ · drill ✓" in str(
        published["U0MAYA"]
    )


async def test_the_home_menu_acts_only_for_the_reps_coach(team: Week) -> None:
    home_message = {"ts": "1.0", "blocks": []}

    async def choose(user: str, verb: str) -> Any:
        since = team.sandbox.mark()
        responses = len(team.sandbox.state.responses)
        choice = MenuChoice(verb, RepRef("U0ANA", "2026-W48")).dump()
        answer = await team.driver.click(
            user, Action.REP_MENU, None, message=home_message, selected=choice, element="overflow"
        )
        assert answer.status == 200
        await team.settle()
        opened = [c for c in team.sandbox.state.calls[since:] if c.method == "views.open"]
        said = [r["text"] for r in team.sandbox.state.responses[responses:]]
        return opened, said

    opened, _ = await choose("U0MAYA", "diagnose")
    assert opened[0].args["view"]["callback_id"] == "diagnosis_modal"
    opened, _ = await choose("U0MAYA", "notes")
    assert opened[0].args["view"]["callback_id"] == "grow_modal"
    opened, _ = await choose("U0DANA", "view")
    assert "Commitment U0ANA W48" in str(opened[0].args["view"])
    opened, said = await choose("U0OMAR", "view")
    assert not opened and said == ["Only <@U0ANA>'s manager (or their director) can do that."]


async def test_a_manager_pauses_a_rep_from_the_home_menu(team: Week) -> None:
    home_message = {"ts": "1.0", "blocks": []}
    choice = MenuChoice("pause", RepRef("U0BEN", "2026-W48")).dump()

    since = len(team.sandbox.state.responses)
    await team.driver.click(
        "U0OMAR", Action.REP_MENU, None, message=home_message, selected=choice, element="overflow"
    )
    refusal = (await team.sandbox.wait_for_response(since=since))["text"]
    assert refusal == "Only <@U0BEN>'s manager or a coach admin can pause them."

    mark = team.sandbox.mark()
    await team.driver.click(
        "U0MAYA", Action.REP_MENU, None, message=home_message, selected=choice, element="overflow"
    )
    view = (await team.sandbox.wait_for_call("views.open", since=mark)).response["view"]

    def until(day: str) -> dict:
        return {"until": {"value": {"type": "datepicker", "selected_date": day}}}

    past = await team.driver.submit("U0MAYA", view, until("2026-11-01"))
    assert past.json() == {
        "response_action": "errors",
        "errors": {"until": "Pick a date from today on."},
    }
    done = await team.driver.submit("U0MAYA", view, until("2026-12-11"))
    assert "<@U0BEN> is paused through Fri Dec 11" in str(done.json())
    async with team.deps.db() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        ben = await store.person(workspace.id, "U0BEN")
        assert ben is not None and ben.paused_until == date(2026, 12, 11)
        assert [(p.starts_on, p.ends_on) for p in await store.pauses([ben.id])] == [
            (date(2026, 11, 27), date(2026, 12, 11))
        ]
