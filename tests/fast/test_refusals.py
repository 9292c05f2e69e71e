"""Refusals are typed below the Slack layer and worded only in app.slack.render.refusal_text."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from app.rules.refusals import FieldErrors, NotAllowed, NotOnRoster, Refusal, UserError
from app.slack.render import refusal_text as refusals

APP = Path(__file__).resolve().parents[2] / "app"
REFUSING = {"UserError", "NotAllowed", "FieldErrors", "BadInput", "NotOnRoster", "NotSetUp"}
# What each composed sentence is built from (a template names its own facts).
COMPOSED_FACTS: dict[Refusal, dict[str, object]] = {
    Refusal.ADMIN_ONLY: {"admins": ("U0ADM",)},
    Refusal.ADMIN_ONLY_STATUS: {"admins": ()},
    Refusal.ADMIN_ONLY_RECORDER: {"admins": ("U0ADM",)},
    Refusal.ADMIN_ONLY_CRM: {"admins": ("U0ADM",)},
    Refusal.ADMIN_ONLY_RUBRIC: {"admins": ("U0ADM",)},
    Refusal.ADMIN_ONLY_EXPORT: {"admins": ("U0ADM",)},
    Refusal.STEP_ORDER: {"step": "1:1", "before": False, "other": "prep", "at": "Tue 09:00"},
    Refusal.STEP_ORDER_CLASH: {
        "lead": "U0MGR",
        "step": "1:1",
        "before": True,
        "other": "prep",
        "at": "Tue 09:00",
    },
    Refusal.STILL_HAS_REPORTS: {"person": "U0MGR", "reports": ("U0A", "U0B")},
    Refusal.NOT_A_STEP: {"word": "lunch"},
}


def _template_facts(reason: Refusal) -> dict[str, object]:
    fields = {name for _, name, _, _ in string.Formatter().parse(refusals.TEMPLATES[reason])}
    return {name: "U0X" for name in fields if name}


@pytest.mark.parametrize("reason", list(Refusal))
def test_every_refusal_has_one_sentence(reason: Refusal) -> None:
    assert (reason in refusals.TEMPLATES) != (reason in refusals.COMPOSED)
    facts = COMPOSED_FACTS[reason] if reason in refusals.COMPOSED else _template_facts(reason)
    said = refusals.said(reason, facts)  # type: ignore[arg-type]
    assert (said and said[0].isupper()) or said.startswith(("<@", "'", "coach"))
    assert said.endswith((".", ")."))
    assert "{" not in said and "}" not in said


def test_the_catalogue_names_only_refusals() -> None:
    assert set(refusals.TEMPLATES) | set(refusals.COMPOSED) == set(Refusal)
    assert set(COMPOSED_FACTS) == set(refusals.COMPOSED)


def test_a_refusal_reads_as_its_sentence_with_its_facts() -> None:
    assert refusals.sentence(NotAllowed(Refusal.NOT_THEIR_COACH, rep="U0REP")) == (
        "Only <@U0REP>'s manager (or their director) can do that."
    )
    assert refusals.sentence(NotOnRoster()).startswith("You're not on the coaching roster yet")
    assert refusals.sentence(UserError(Refusal.NOT_A_DATE, word="31/12")) == (
        "'31/12' isn't a date: write it as YYYY-MM-DD, e.g. 2026-12-31."
    )
    assert (
        refusals.sentence(UserError(Refusal.ADMIN_ONLY, admins=("U0A", "U0B")))
        == "Only a coach admin can change the roster: ask <@U0A> or <@U0B>."
    )
    assert refusals.said(Refusal.ADMIN_ONLY_STATUS, {"admins": ()}) == (
        "Only a coach admin can see delivery status: ask whoever installed coach to import "
        "the roster."
    )
    shown = UserError(Refusal.NO_DRILL).under("link")
    assert (shown.reason, shown.block_id) == (Refusal.NO_DRILL, "link")


def test_field_errors_are_worded_field_by_field() -> None:
    refused = FieldErrors({"goal": Refusal.WRITE_GOAL, "options": Refusal.TOO_FEW_OPTIONS})
    assert refusals.field_errors(refused) == {
        "goal": "Write the one outcome they'll change in a real deal.",
        "options": "List at least three options, one per line.",
    }
    assert refusals.sentence(refused) == refusals.field_errors(refused)["goal"]


def _words_in(node: ast.AST) -> list[str]:
    """String literals (and f-strings) anywhere in a refusal's arguments."""
    return [
        ast.unparse(n)
        for n in ast.walk(node)
        if isinstance(n, ast.JoinedStr)
        or (isinstance(n, ast.Constant) and isinstance(n.value, str))
    ]


def _refusal_words(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and (
            getattr(node.func, "id", None) in REFUSING
            or (  # errors.setdefault(field, why)
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "setdefault"
                and getattr(node.func.value, "id", None) == "errors"
            )
        ):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                found += [f"{path.name}:{node.lineno}: {w}" for w in _words_in(argument)]
        if isinstance(node, ast.Assign | ast.AugAssign) and any(
            isinstance(t, ast.Subscript) and getattr(t.value, "id", None) == "errors"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ):
            found += [f"{path.name}:{node.lineno}: {w}" for w in _words_in(node.value)]
    return found


@pytest.mark.parametrize("package", ["services", "rules"])
def test_use_cases_and_rules_raise_refusals_without_sentences(package: str) -> None:
    modules = sorted((APP / package).rglob("*.py"))
    assert len(modules) > 5, f"no modules found under {APP / package}"
    words = [w for p in modules for w in _refusal_words(p)]
    assert words == []


def test_forms_and_metadata_leave_the_words_to_the_catalogue() -> None:
    words = [
        w for name in ("forms.py", "metadata.py") for w in _refusal_words(APP / "slack" / name)
    ]
    assert words == []
