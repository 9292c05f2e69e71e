"""`coach migrate` and `coach serve` as an admin runs them: separate processes, real HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.db.sender_lock import single_sender
from tests.support.factories import is_postgres
from tests.support.processes import coach_env, free_port, run_coach


def serve_env(database_url: str, **extra: str) -> dict[str, str]:
    return coach_env(
        database_url,
        SLACK_BOT_TOKEN="xoxb-serve-test",
        SLACK_SIGNING_SECRET="serve-secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        **extra,
    )


def wait_for_health(
    port: int, process: subprocess.Popen[str], seconds: float = 15
) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"coach serve exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("coach serve did not answer /healthz in time")


def test_serve_refuses_an_unmigrated_sqlite_database(tmp_path: Path) -> None:
    env = serve_env(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", PORT=str(free_port()))
    result = run_coach("serve", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("run `coach migrate` first.")


def test_serve_without_a_token_names_the_variable(tmp_path: Path) -> None:
    env = serve_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    del env["SLACK_BOT_TOKEN"]
    result = run_coach("serve", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Set SLACK_BOT_TOKEN")


def test_invalid_setting_is_one_sentence(tmp_path: Path) -> None:
    result = run_coach(
        "migrate", env=serve_env("sqlite+aiosqlite:///x.db", PORT="eighty"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith("PORT is not valid")
    assert "Traceback" not in result.stderr


def test_migrate_then_serve_answers_healthz(tmp_path: Path, database_url: str) -> None:
    # SQLite runs get a fresh file; PostgreSQL runs use this run's (already migrated) database.
    url = (
        database_url
        if is_postgres(database_url)
        else f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    )
    port = free_port()
    env = serve_env(url, PORT=str(port), COACH_SCHEDULER="off")
    migrated = run_coach("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "Database" in migrated.stdout
    again = run_coach("migrate", env=env, cwd=tmp_path)
    assert "already at the newest schema" in again.stdout

    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = wait_for_health(port, process)
        assert response.status_code == 200
        unsigned = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"{}", timeout=5)
        assert unsigned.status_code == 401
    finally:
        process.terminate()  # SIGTERM: a clean stop, not a death by signal
        assert process.wait(timeout=30) == 0


def test_sqlite_runs_one_sender(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    env = serve_env(url, PORT=str(free_port()))
    assert run_coach("migrate", env=env, cwd=tmp_path).returncode == 0
    with single_sender(url):  # as a running `coach serve` or `coach tick` holds it
        ticked = run_coach("tick", env=env, cwd=tmp_path)
        served = run_coach("serve", env=env, cwd=tmp_path)
    for result in (ticked, served):
        assert result.returncode == 1
        last_line = result.stderr.strip().splitlines()[-1]
        assert last_line.startswith("Another coach process is already sending")
        assert "Traceback" not in result.stderr
    assert "COACH_SCHEDULER=off" in served.stderr
    assert run_coach("tick", env=env, cwd=tmp_path).returncode == 0  # free again


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")
def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    result = run_coach("--help", env=serve_env("sqlite+aiosqlite:///x.db"), cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "migrate", "roster", "demo"):
        assert command in result.stdout
