"""`coach demo`: one simulated week of the real bot against the local Slack sandbox."""

from app.demo.run import run_demo

__all__ = ["run_demo"]
