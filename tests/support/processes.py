"""Run `coach` as a separate process, the way an admin or a container runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def coach_env(database_url: str, **extra: str) -> dict[str, str]:
    """This environment minus any Slack/coach settings, plus the database and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_", "GONG_"))}
    env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def run_coach(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
