"""The image's entrypoint, run as the container runs it (no container builder here): on an
empty PostgreSQL database it migrates to the head revision, then serves and answers
/healthz; a stop signal ends it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.db import migrate
from app.deps import Deps
from tests.e2e.test_serve import serve_env, wait_for_health
from tests.support.processes import free_port

pytestmark = pytest.mark.postgres_only
ENTRYPOINT = Path(__file__).resolve().parents[2] / "docker" / "entrypoint.sh"


async def test_the_entrypoint_migrates_an_empty_database_then_serves(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    await migrate.downgrade(deps.engine, "base")
    assert (await migrate.schema_state(deps.engine)).current is None
    port = free_port()
    env = serve_env(database_url, PORT=str(port))
    # `coach` as the image has it on its PATH: this venv's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # The test drives a separate process and waits on it: nothing else runs on this loop.
    process = subprocess.Popen(  # noqa: ASYNC220
        ["sh", str(ENTRYPOINT)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_for_health(port, process, seconds=60)
        assert health.status_code == 200, health.text
        state = await migrate.schema_state(deps.engine)
        assert state.up_to_date and state.current == migrate.head_revision()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    # exec: the signal reached coach serve itself, which drained and exited cleanly.
    assert process.returncode == 0, stderr
