"""Where a message or view points at a Slack file (an image's `slack_file`), and whether that
file is one Slack would show: an image the bot uploaded and completed, named by id or URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from app.sandbox.blockkit import Problem
from app.sandbox.state import SandboxFile, SandboxState

FILE_ID = re.compile(r"^[F][A-Z0-9]{8,}$")
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif"})  # what an image block can show


def url_private(state: SandboxState, base_url: str, file: SandboxFile) -> str:
    return f"{base_url}/files-pri/{state.team_id}-{file.id}/{file.filename}"


def permalink(state: SandboxState, base_url: str, file: SandboxFile) -> str:
    return f"{base_url}/files/{state.bot_user_id}/{file.id}/{file.filename}"


def _references(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every `slack_file` under `value`, with its JSON pointer."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{pointer}/{key}"
            if key == "slack_file":
                yield here, inner
            else:
                yield from _references(inner, here)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _references(inner, f"{pointer}/{index}")


def slack_file_problems(
    state: SandboxState, base_url: str, blocks: Any, pointer: str
) -> list[Problem]:
    """What is wrong with the files these blocks show (nothing: an empty list)."""
    problems: list[Problem] = []
    by_url: dict[str, SandboxFile] = {}
    for known in state.files.values():
        by_url[url_private(state, base_url, known)] = known
        by_url[permalink(state, base_url, known)] = known
    for here, ref in _references(blocks, pointer):
        if not isinstance(ref, dict) or ("id" in ref) == ("url" in ref) or len(ref) != 1:
            problems.append(Problem(here, "slack_file must have exactly one of id or url"))
            continue
        if "id" in ref:
            if not isinstance(ref["id"], str) or not FILE_ID.match(ref["id"]):
                problems.append(
                    Problem(here + "/id", "input must match regex pattern: ^[F][A-Z0-9]{8,}$")
                )
                continue
            file: SandboxFile | None = state.files.get(ref["id"])
        else:
            file = by_url.get(ref["url"]) if isinstance(ref["url"], str) else None
        if file is None or not file.completed:
            problems.append(Problem(here, "invalid slack file: no such file was uploaded"))
        elif file.processing:
            problems.append(Problem(here, "invalid slack file: it is still being processed"))
        elif file.filetype not in IMAGE_TYPES:
            problems.append(Problem(here, "invalid slack file: it is not a png, jpg or gif"))
    return problems
