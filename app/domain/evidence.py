"""Deals and call clips: validating links, naming their source, reading a free-text reply."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

MAX_DEALS = 3

# Conversation-intelligence and meeting tools whose links we recognise, by host suffix.
CLIP_SOURCES = (
    ("gong.io", "Gong"),
    ("chorus.ai", "Chorus"),
    ("zoom.us", "Zoom"),
    ("salesloft.com", "Salesloft"),
    ("avoma.com", "Avoma"),
)

_URL = re.compile(r"<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?", re.IGNORECASE)
_MOMENT = re.compile(r"\b(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\b")
_STAGE = re.compile(r"\(([^()]{2,40})\)|\bstage\s*[:=-]\s*([\w /-]{2,40})", re.IGNORECASE)
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


class BadInput(ValueError):
    """A field a person typed cannot be used; the message says how to fix it."""


def clip_source(url: str) -> str:
    """Which tool a clip link comes from ("Gong", "Zoom" …), or "Link"."""
    host = (urlsplit(url).hostname or "").lower()
    for suffix, name in CLIP_SOURCES:
        if host == suffix or host.endswith("." + suffix):
            return name
    return "Link"


def check_url(text: str) -> str:
    """The link, stripped, or BadInput when it is not an http(s) URL."""
    url = text.strip().strip("<>").split("|", 1)[0]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise BadInput("Paste a full link starting with https:// (e.g. your Gong or Zoom clip).")
    if len(url) > 2000:
        raise BadInput("That link is longer than 2,000 characters: share a shorter clip link.")
    return url


def check_moment(text: str) -> str | None:
    """A timestamp as m:ss or h:mm:ss, normalised, or None when empty."""
    text = text.strip()
    if not text:
        return None
    match = _MOMENT.fullmatch(text)
    if match is None or int(match.group(3)) >= 60:
        raise BadInput("Write the moment as minutes:seconds, like 12:45.")
    hours, minutes, seconds = match.groups()
    if hours:
        return f"{int(hours)}:{int(minutes):02d}:{seconds}"
    return f"{int(minutes)}:{seconds}"


@dataclass(frozen=True)
class Deal:
    name: str
    clip_url: str
    stage: str | None = None
    moment: str | None = None
    happened: str | None = None

    @property
    def source(self) -> str:
        return clip_source(self.clip_url)

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Deal:
        return cls(
            name=data["name"],
            clip_url=data["clip_url"],
            stage=data.get("stage"),
            moment=data.get("moment"),
            happened=data.get("happened"),
        )


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -–—:,;.")


def _deal_from_line(line: str) -> Deal | None:
    urls = _URL.findall(line)
    if not urls:
        return None
    url = urls[0]
    rest = _URL.sub(" ", line)
    moment_match = _MOMENT.search(rest)
    moment = check_moment(moment_match.group(0)) if moment_match else None
    if moment_match:
        rest = rest.replace(moment_match.group(0), " ", 1)
    rest = re.sub(r"\bat\s*$|\bat\s+(?=[-–—:])", " ", rest)
    stage_match = _STAGE.search(rest)
    stage = _clean(stage_match.group(1) or stage_match.group(2)) if stage_match else None
    if stage_match:
        rest = rest.replace(stage_match.group(0), " ", 1)
    rest = _LIST_MARK.sub("", rest)
    pieces = re.split(r"\s[-–—]\s|:\s", rest, maxsplit=1)
    name = _clean(pieces[0])
    happened = _clean(pieces[1]) if len(pieces) > 1 else ""
    try:
        url = check_url(url)
    except BadInput:
        return None
    return Deal(
        name=name[:120] or "Deal",
        clip_url=url,
        stage=stage[:40] if stage else None,
        moment=moment,
        happened=happened[:500] or None,
    )


def deals_from_reply(text: str) -> list[Deal]:
    """Read deals out of a free-text reply: one deal per line that carries a link.

    "1. Acme (proposal) https://gong.io/call?id=1 12:30 - CFO pushed back on price"
    → Deal(name="Acme", stage="proposal", moment="12:30", happened="CFO pushed back on price").
    """
    deals = [deal for line in text.splitlines() if (deal := _deal_from_line(line))]
    return deals[:MAX_DEALS]
