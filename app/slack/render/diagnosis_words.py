"""The decision tree's questions and what each gap calls for, as the manager reads them."""

from __future__ import annotations

from app.rules.types import Gap

QUESTION = {
    "can_do": "Could they do it if their life depended on it?",
    "knows": "Do they know the product, the process and what good looks like?",
    "clear": "Do they know exactly what was committed?",
    "math_works": "Is the pipeline math possible (territory, leads, quota)?",
}

WHAT_TO_DO = {
    Gap.SKILL: "Can't execute yet: practise it with a drill.",
    Gap.KNOWLEDGE: "Needs information or training, not role-play.",
    Gap.CLARITY: "Build a shared scorecard of what was committed first.",
    Gap.SYSTEM: (
        "The manager's problem: escalate territory, routing or quota; don't coach the rep on it."
    ),
    Gap.WILL: (
        "Knows and can, but doesn't: hold them to it. If it's burnout, have that conversation."
    ),
}
