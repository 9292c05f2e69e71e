"""The manifests list exactly what the code registers and calls, and pass Slack's schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from app.sandbox.server import _catalog
from app.slack.bolt_app import listener_routes
from app.slack.ids import BOT_SCOPES, WEB_API_METHODS
from app.slack.routes import Kind
from app.slack.runtime.after_ack import AfterAck

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "manifests").glob("*.json"))
SCHEMA = ROOT / "tests/data/slack_manifest_schema"  # Slack's own, MIT (its README says whence)
SCHEMA_TAG_URL = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
# Events whose delivery needs a scope of their own.
EVENT_SCOPES = {
    "app_home_opened": set(),
    "user_change": {"users:read"},
    "message.im": {"im:history"},
    "tokens_revoked": set(),
    "app_uninstalled": set(),
}
# bolt registers "message"; the manifest subscribes to the DM flavour only.
MANIFEST_EVENT = {"message": "message.im"}


@dataclass(frozen=True)
class Registered:
    """What the code answers, read from its routing table (`listener_routes`)."""

    commands: set[str]
    events: set[str]
    interactive: set[str]


@pytest.fixture(scope="module")
def registered() -> Registered:
    injected = {"deps": None, "homes": None, "outbox": None}  # what listeners may be given
    routes = listener_routes(AfterAck(), injected)
    return Registered(
        commands=set(routes.ids(Kind.COMMAND)),
        events={MANIFEST_EVENT.get(e, e) for e in routes.ids(Kind.EVENT)},
        interactive=set(routes.ids(Kind.ACTION) | routes.ids(Kind.VIEW)),
    )


def methods_called_in_code() -> set[str]:
    pattern = re.compile(
        r"\.(auth_test|team_info|(?:chat|views|users|conversations|reactions|files)_[A-Za-z]+)\("
    )
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        if "sandbox" in path.parts or "recorder" in path.parts:  # not Slack's Web API
            continue
        for name in pattern.findall(path.read_text()):
            found.add(name.replace("_", ".", 1))
    return found


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_matches_the_code(path: Path, registered: Registered) -> None:
    manifest = json.loads(path.read_text())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert commands == registered.commands
    assert events == registered.events
    assert manifest["settings"]["interactivity"]["is_enabled"] == bool(registered.interactive)
    assert scopes == set(BOT_SCOPES)
    assert manifest["settings"]["socket_mode_enabled"] == ("socket" in path.name)


def test_scopes_are_exactly_what_the_calls_and_events_need(registered: Registered) -> None:
    assert methods_called_in_code() | {"auth.test"} == set(WEB_API_METHODS)  # bolt calls auth.test
    catalog = _catalog()
    needed: set[str] = {"commands"} if registered.commands else set()
    for method in WEB_API_METHODS:
        options = set(catalog[method]["bot_scopes"])
        if options:
            granted = options & BOT_SCOPES
            assert granted, f"{method} needs one of {sorted(options)}"
            needed |= granted
    for event in registered.events:
        needed |= EVENT_SCOPES[event]
    assert needed == set(BOT_SCOPES), "no scope beyond what the code uses"


def manifest_validator() -> jsonschema.Draft7Validator:
    """Slack's root schema, its versioned `$ref`s resolved to the copies beside it (no network)."""
    root = json.loads((SCHEMA / "manifest.schema.json").read_text())
    versions = sorted((SCHEMA / "schemas").glob("manifest.schema.*.json"))
    assert versions, f"Slack's manifest schemas are missing from {SCHEMA}"
    resources = [
        (
            SCHEMA_TAG_URL + path.name,
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7),
        )
        for path in versions
    ]
    return jsonschema.Draft7Validator(root, registry=Registry().with_resources(resources))


def test_the_schema_is_in_the_repository() -> None:
    assert MANIFESTS, "no manifests/*.json to check"
    assert (SCHEMA / "LICENSE").read_text().startswith("MIT License")


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_passes_slacks_json_schema(path: Path) -> None:
    errors = list(manifest_validator().iter_errors(json.loads(path.read_text())))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [
        ("display_information", "name", ""),  # Slack wants a name of 1-35 characters
        ("display_information", "name", "x" * 36),
        ("settings", "socket_mode_enabled", "yes"),  # a boolean
    ],
)
def test_the_schema_refuses_a_broken_manifest(part: str, key: str, value: object) -> None:
    broken = json.loads(MANIFESTS[0].read_text())
    broken[part][key] = value
    assert list(manifest_validator().iter_errors(broken)) != []
