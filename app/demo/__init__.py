"""`coach demo`: one simulated week of the real bot against the local Slack sandbox."""

from app.demo.script import NEWCOMER, SAMPLE_TEAM, run_demo

__all__ = ["NEWCOMER", "SAMPLE_TEAM", "run_demo"]
