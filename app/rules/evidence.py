"""Deals and call clips: validating links, naming their source, reading a free-text reply."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from app.rules.refusals import Refusal

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
# Something shaped like a moment (12:30, 1:02:03, 12:75): whether it is one is checked after.
_MOMENT = re.compile(
    r"(?<![0-9])(?<![0-9]:)(?:([0-9]{1,2}):)?([0-9]{1,2}):([0-9]{2})(?![0-9])(?!:[0-9])"
)
_STAGE = re.compile(r"\(([^()]{2,40})\)|\bstage\s*[:=-]\s*([\w /-]{2,40})", re.IGNORECASE)
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|[0-9]+[.)])\s*")
MAX_REPLY_LINES = 50  # a reply longer than this is read as far as here


class BadInput(ValueError):
    """A field a person typed cannot be used; `reason` says how to fix it."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def clip_source(url: str) -> str:
    """Which tool a clip link comes from ("Gong", "Zoom" …), or "Link"."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return "Link"
    for suffix, name in CLIP_SOURCES:
        if host == suffix or host.endswith("." + suffix):
            return name
    return "Link"


def check_url(text: str) -> str:
    """The link, stripped, or BadInput when it is not an http(s) URL."""
    url = text.strip().strip("<>").split("|", 1)[0]
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "https://[x": not a URL Python (or anyone) can open
        raise BadInput(Refusal.LINK_NOT_A_URL) from None
    if parts.scheme.lower() not in ("http", "https") or not host or " " in url:
        raise BadInput(Refusal.LINK_NOT_A_URL)
    if len(url) > 2000:
        raise BadInput(Refusal.LINK_TOO_LONG)
    return url


def check_moment(text: str) -> str | None:
    """A timestamp as m:ss or h:mm:ss, normalised, or None when empty."""
    text = text.strip()
    if not text:
        return None
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise BadInput(Refusal.MOMENT_NOT_A_TIME)
    hours, minutes, seconds = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise BadInput(Refusal.MOMENT_NOT_A_TIME)
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
    crm_id: str | None = None  # the CRM record the rep picked, when they picked one
    stage_id: str | None = None  # its stage in the CRM when picked

    @property
    def source(self) -> str:
        return clip_source(self.clip_url)

    def as_json(self) -> dict[str, str | None]:
        stored = asdict(self)
        for key in ("crm_id", "stage_id"):
            if stored[key] is None:
                del stored[key]  # a typed deal is stored as it always was
        return stored

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deal:
        return cls(
            name=data["name"],
            clip_url=data["clip_url"],
            stage=data.get("stage"),
            moment=data.get("moment"),
            happened=data.get("happened"),
            crm_id=data.get("crm_id") if isinstance(data.get("crm_id"), str) else None,
            stage_id=data.get("stage_id") if isinstance(data.get("stage_id"), str) else None,
        )


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -–—:,;.")


@dataclass(frozen=True)
class ReadLine:
    """What one line of a reply gave: a deal, and what of the line could not be used."""

    deal: Deal | None
    dropped: tuple[str, ...] = ()


def _deal_from_line(line: str) -> ReadLine:
    urls = _URL.findall(line)
    if not urls:
        return ReadLine(None)
    try:
        url = check_url(urls[0])
    except BadInput:
        return ReadLine(None, (f"the link {urls[0][:60]!r} isn't one I can open",))
    dropped: list[str] = []
    if len(urls) > 1:
        dropped.append("a second link on the same line (one clip per deal)")
    rest = _URL.sub(" ", line)
    moment = None
    moment_match = _MOMENT.search(rest)
    if moment_match:
        rest = rest.replace(moment_match.group(0), " ", 1)
        try:
            moment = check_moment(moment_match.group(0))
        except BadInput:
            dropped.append(f"the moment {moment_match.group(0)} (write it as minutes:seconds)")
    rest = re.sub(r"\bat\s*$|\bat\s+(?=[-–—:])", " ", rest)
    stage_match = _STAGE.search(rest)
    stage = _clean(stage_match.group(1) or stage_match.group(2)) if stage_match else None
    if stage_match:
        rest = rest.replace(stage_match.group(0), " ", 1)
    rest = _LIST_MARK.sub("", rest)
    pieces = re.split(r"\s[-–—]\s|:\s", rest, maxsplit=1)
    name = _clean(pieces[0])
    happened = _clean(pieces[1]) if len(pieces) > 1 else ""
    if not name:
        dropped.append("a name for the deal (I called it “Deal”)")
    deal = Deal(
        name=name[:120] or "Deal",
        clip_url=url,
        stage=stage[:40] if stage else None,
        moment=moment,
        happened=happened[:500] or None,
    )
    return ReadLine(deal, tuple(dropped))


@dataclass(frozen=True)
class ReadReply:
    """What a free-text reply gave: its deals (at most three), whether it had any link at all,
    and, line by line, what could not be used (kept out, and the rep is told)."""

    deals: tuple[Deal, ...]
    has_link: bool
    dropped: tuple[str, ...] = ()


def read_reply(text: str) -> ReadReply:
    """Read deals out of a free-text reply: one deal per line that carries a link. A line
    half understood keeps what was understood (the deal without its moment).

    "1. Acme (proposal) https://gong.io/call?id=1 12:30 - CFO pushed back on price"
    → Deal(name="Acme", stage="proposal", moment="12:30", happened="CFO pushed back on price").
    """
    deals: list[Deal] = []
    dropped: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines[:MAX_REPLY_LINES], start=1):
        read = _deal_from_line(line)
        where = f"line {number}: " if len(lines) > 1 else ""
        dropped += [f"{where}{what}" for what in read.dropped]
        if read.deal is not None:
            deals.append(read.deal)
    if len(deals) > MAX_DEALS:
        dropped.append(f"{len(deals) - MAX_DEALS} more deals: I keep your top {MAX_DEALS}")
    return ReadReply(tuple(deals[:MAX_DEALS]), bool(_URL.search(text)), tuple(dropped))


def deals_from_reply(text: str) -> list[Deal]:
    """The deals of a free-text reply (`read_reply` says what else it found)."""
    return list(read_reply(text).deals)


def links_in(text: str) -> list[str]:
    """The usable links in a message, in order."""
    found = []
    for raw in _URL.findall(text):
        try:
            found.append(check_url(raw))
        except BadInput:
            continue
    return found


def without_links(text: str) -> str:
    """A message with its links taken out (what a drill recording's note keeps)."""
    return _clean(_URL.sub(" ", text))
