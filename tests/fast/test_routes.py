"""The routing table: a request's listener found from its kind and id in one look-up."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.request.async_request import AsyncBoltRequest

from app.slack.bolt_app import listener_routes
from app.slack.ids import Action, Command, Event, View
from app.slack.routes import Kind, Routes, Variants, request_key
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.routing import Route, mount


def click(action_id: str) -> dict[str, Any]:
    return {"type": "block_actions", "actions": [{"action_id": action_id, "block_id": "b"}]}


def submitted(callback_id: str, kind: str = "view_submission") -> dict[str, Any]:
    return {"type": kind, "view": {"type": "modal", "callback_id": callback_id}}


def event(event_type: str) -> dict[str, Any]:
    return {"type": "event_callback", "event": {"type": event_type}}


def command(name: str) -> dict[str, Any]:
    return {"command": name, "text": ""}


@pytest.fixture(scope="module")
def routes() -> Routes[Any]:
    return listener_routes(AfterAck(), {"deps": None, "homes": None, "outbox": None})


def name_of(route: Any) -> str:
    return str(getattr(getattr(route, "listener", route), "__name__", None))


@pytest.mark.parametrize(
    ("body", "listener"),
    [
        (command(Command.DRILL), "on_drill"),
        (command(Command.COACH), "on_coach"),
        (event(Event.MESSAGE), "on_message"),
        (event(Event.APP_HOME_OPENED), "on_app_home_opened"),
        (click(Action.OPEN_DEALS), "on_open_deals"),
        (click(Action.EDIT_DEALS), "on_open_deals"),  # one listener, two ids
        (click(Action.GROW_FRAMEWORK_PICKED), "on_grow_drill_picked"),
        (submitted(View.DEALS), "on_deals_submit"),
        (submitted(View.NOTE), "on_note_submit"),
    ],
)
def test_each_kind_routes_by_its_id(
    routes: Routes[Any], body: dict[str, Any], listener: str
) -> None:
    assert name_of(routes.find(body)) == listener


@pytest.mark.parametrize("score", ["1", "2", "3", "4", "5"])
def test_every_score_button_routes_to_on_score(routes: Routes[Any], score: str) -> None:
    assert name_of(routes.find(click(f"{Action.SCORE}_{score}"))) == "on_score"


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_both_deal_progress_buttons_route(routes: Routes[Any], answer: str) -> None:
    assert name_of(routes.find(click(f"{Action.DEAL_PROGRESS}_{answer}"))) == "on_deal_progress"


# What the regexes the families replace (`^transfer_score_[1-5]$`, `^deal_progress_(yes|no)$`)
# said of each id, kept as the reference.
OLD_PATTERNS = (rf"{Action.SCORE}_[1-5]", rf"{Action.DEAL_PROGRESS}_(yes|no)")


@pytest.mark.parametrize(
    "action_id",
    [
        f"{Action.SCORE}",
        f"{Action.SCORE}_",
        f"{Action.SCORE}_0",
        f"{Action.SCORE}_6",
        f"{Action.SCORE}_12",
        f"{Action.SCORE}_1_1",
        f"x{Action.SCORE}_1",
        f"{Action.DEAL_PROGRESS}_maybe",
        f"{Action.DEAL_PROGRESS}_yes_no",
        f"{Action.DEAL_PROGRESS}",
    ],
)
def test_a_family_takes_only_its_suffixes(routes: Routes[Any], action_id: str) -> None:
    assert not any(re.fullmatch(p, action_id) for p in OLD_PATTERNS)
    assert routes.find(click(action_id)) is None


@pytest.mark.parametrize(
    "body",
    [
        click("no_such_button"),
        submitted("no_such_modal"),
        command("/nope"),
        event("reaction_added"),
        submitted(View.DEALS, kind="view_closed"),  # coach routes no closed view
        {"type": "shortcut", "callback_id": Action.OPEN_DEALS},
        {"type": "block_actions", "actions": []},
        {"type": "event_callback"},
        {},
    ],
)
def test_an_unknown_id_or_kind_has_no_route(routes: Routes[Any], body: dict[str, Any]) -> None:
    assert routes.find(body) is None


def test_the_same_id_of_another_kind_is_another_key() -> None:
    routes = Routes[str]()
    routes.add(Kind.ACTION, "deals", "click")
    routes.add(Kind.VIEW, "deals", "submission")
    assert routes.find(click("deals")) == "click"
    assert routes.find(submitted("deals")) == "submission"


def test_no_two_routes_share_a_key() -> None:
    routes = Routes[str]()
    routes.add(Kind.ACTION, "open", "first")
    with pytest.raises(ValueError, match="routed twice"):
        routes.add(Kind.ACTION, "open", "second")
    routes.add(Kind.ACTION, Variants.of("score", range(1, 6)), "score")
    with pytest.raises(ValueError, match="routed twice"):
        routes.add(Kind.ACTION, "score_3", "an id of the family")
    with pytest.raises(ValueError, match="routed twice"):
        routes.add(Kind.ACTION, Variants.of("score", ["9"]), "the family's prefix again")
    routes.add(Kind.ACTION, "pick_a", "exact")
    with pytest.raises(ValueError, match="routed twice"):
        routes.add(Kind.ACTION, Variants.of("pick", ["a", "b"]), "a family over an id")
    assert routes.find(click("open")) == "first"
    assert routes.find(click("score_3")) == "score"


@pytest.mark.parametrize("suffixes", [[], ["a_b"], [""]])
def test_a_family_needs_plain_suffixes(suffixes: list[str]) -> None:
    with pytest.raises(ValueError, match="suffixes"):
        Routes[str]().add(Kind.ACTION, Variants.of("x", suffixes), "x")


def test_ids_spell_out_the_families(routes: Routes[Any]) -> None:
    actions = routes.ids(Kind.ACTION)
    assert {f"{Action.SCORE}_{n}" for n in range(1, 6)} <= actions
    assert {f"{Action.DEAL_PROGRESS}_yes", f"{Action.DEAL_PROGRESS}_no"} <= actions
    assert routes.ids(Kind.COMMAND) == {str(c) for c in Command}
    assert routes.ids(Kind.EVENT) == {str(e) for e in Event}
    assert routes.ids(Kind.VIEW) == {str(v) for v in View}
    # every action id has a route, the two families by their ids
    assert {str(a) for a in Action} - {Action.SCORE, Action.DEAL_PROGRESS} <= actions


def test_request_key_reads_what_bolt_reads() -> None:
    assert request_key(command("/drill")) == (Kind.COMMAND, "/drill")
    assert request_key(click("a")) == (Kind.ACTION, "a")
    assert request_key(submitted("v")) == (Kind.VIEW, "v")
    assert request_key(event("message")) == (Kind.EVENT, "message")


# --- through a real AsyncApp: the table is bolt's one listener ----------------------------
async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB")


def bolt_with(routes: Routes[Route]) -> AsyncApp:
    app = AsyncApp(
        signing_secret="x",
        authorize=_authorize,
        process_before_response=True,
        request_verification_enabled=False,
    )
    mount(app, routes)
    return app


async def dispatch(app: AsyncApp, payload: dict[str, Any]) -> tuple[int, str]:
    body = urlencode(
        {"payload": json.dumps({**payload, "team": {"id": "T1"}, "user": {"id": "U1"}})}
    )
    headers = {"content-type": ["application/x-www-form-urlencoded"]}
    answer = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    return answer.status, answer.body


async def test_bolt_calls_the_route_with_its_args_and_answers_its_ack() -> None:
    seen: list[str] = []

    async def listener(args: AsyncArgs) -> None:
        seen.append(args.body["actions"][0]["action_id"])
        await args.ack(text="routed")

    routes = Routes[Route]()
    routes.add(Kind.ACTION, Variants.of("score", ["1", "2"]), Route(listener))
    app = bolt_with(routes)
    status, body = await dispatch(app, click("score_2"))
    assert (status, body) == (200, "routed")
    assert seen == ["score_2"]


async def test_bolt_answers_a_request_with_no_route_as_unhandled() -> None:
    """As when each id had a listener of its own: nothing matches, bolt's 404."""

    async def listener(args: AsyncArgs) -> None:
        raise AssertionError("not for this request")

    routes = Routes[Route]()
    routes.add(Kind.ACTION, "known", Route(listener))
    status, body = await dispatch(bolt_with(routes), click("unknown"))
    assert (status, json.loads(body)) == (404, {"error": "unhandled request"})
