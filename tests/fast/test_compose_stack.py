"""The compose stack: PostgreSQL and `coach serve`, migrated on start and health-checked; the
image's entrypoint migrates then serves; `.env.example` lists every setting coach reads, with
the defaults the code has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "COACH_HTTP_PORT"}
READ_ELSEWHERE = {"COACH_LOG_LEVEL"}  # app/logs.py reads it before the settings exist
_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$", re.M)


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_coach_starts_after_postgres_answers_on_the_stacks_own_database() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "coach"}
    coach, postgres = services["coach"], services["postgres"]
    assert coach["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert coach["build"] == "." and coach["env_file"] == ".env"
    url = coach["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://coach:${POSTGRES_PASSWORD")
    assert url.endswith("@postgres:5432/coach")
    assert postgres["environment"]["POSTGRES_DB"] == "coach"
    assert "/healthz" in " ".join(coach["healthcheck"]["test"])
    assert coach["restart"] == postgres["restart"] == "unless-stopped"
    # The data outlives the containers.
    assert "postgres-data" in compose()["volumes"]
    assert postgres["volumes"] == ["postgres-data:/var/lib/postgresql/data"]


def test_every_variable_the_stack_interpolates_is_in_the_example() -> None:
    text = (ROOT / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    listed = {name for name, _ in _LINE.findall((ROOT / ".env.example").read_text())}
    assert used <= listed, used - listed


def test_the_example_lists_every_setting_with_the_codes_default() -> None:
    listed = dict(_LINE.findall((ROOT / ".env.example").read_text()))
    fields = Settings.model_fields
    assert set(listed) == {name.upper() for name in fields} | COMPOSE_ONLY | READ_ELSEWHERE
    for name, info in fields.items():
        shown = listed[name.upper()]
        if info.default is not None and "..." not in shown:
            assert shown == str(info.default), (name, shown, info.default)


def test_the_image_migrates_then_serves_through_the_entrypoint() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY docker/entrypoint.sh /usr/local/bin/coach-entrypoint" in dockerfile
    assert 'CMD ["coach-entrypoint"]' in dockerfile
    script = (ROOT / "docker" / "entrypoint.sh").read_text().splitlines()
    commands = [line for line in script if line and not line.startswith("#")]
    assert commands == ["set -eu", "coach migrate", "exec coach serve"]
