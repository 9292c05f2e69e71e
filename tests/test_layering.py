"""Imports point one way (STYLE.md): slack/jobs → domain → db; renderers see no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def imported_app_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "app" or name.startswith("app.")}


def modules_under(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


# package → prefixes its modules must never import
FORBIDDEN = {
    "domain": ("app.slack", "app.sandbox", "app.jobs", "app.web", "app.server", "app.cli"),
    "db": ("app.slack", "app.sandbox", "app.jobs", "app.web", "app.server", "app.cli"),
    "slack/render": ("app.db", "app.sandbox", "app.jobs", "app.deps", "app.config"),
    "slack/listeners": ("app.db.models", "app.sandbox"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    offenders = [
        f"{path.relative_to(APP.parent)} imports {module}"
        for path in modules_under(package)
        for module in sorted(imported_app_modules(path))
        if module.startswith(FORBIDDEN[package])
    ]
    assert offenders == []


def test_db_sees_only_domain_vocabulary() -> None:
    """The store may speak domain types, never domain rules (which import the store)."""
    offenders = [
        f"{path.relative_to(APP.parent)} imports {module}"
        for path in modules_under("db")
        for module in sorted(imported_app_modules(path))
        if module.startswith("app.domain") and module != "app.rules.types"
    ]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from app.db.store import Store\nimport app.slack.ids\n")
    assert imported_app_modules(sample) == {"app.db.store", "app.slack.ids"}
