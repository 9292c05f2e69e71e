"""18-character Salesforce record ids: a 3-character key prefix (005 User, 006 Opportunity,
008 OpportunityHistory, 01J OpportunityStage, 01g a query locator), a pod and a counter in
base 62, and the 3-character case-safe suffix Salesforce computes from the first 15."""

from __future__ import annotations

import re
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SUFFIX = string.ascii_uppercase + "012345"
SHAPE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
USER, OPPORTUNITY, HISTORY, STAGE, LOCATOR, ORG = "005", "006", "008", "01J", "01g", "00D"


def suffix(id15: str) -> str:
    """Each 5-character chunk becomes one letter: bit i set when character i is uppercase."""
    out = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start : start + 5]) if ch.isupper())
        out += SUFFIX[bits]
    return out


def make(prefix: str, number: int) -> str:
    digits = ""
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    id15 = f"{prefix}Dn0{digits}"
    return id15 + suffix(id15)


def canonical(raw: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None when it is not one (an
    18-character id must carry the right suffix)."""
    if not SHAPE.fullmatch(raw):
        return None
    id18 = raw[:15] + suffix(raw[:15])
    if len(raw) == 18 and raw[15:].upper() != id18[15:]:
        return None
    return id18


class IdMaker:
    """Ids in issue order per key prefix, the same in every sandbox set up the same way."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        number = self._next.get(prefix, 0x1F2E3D) + 1
        self._next[prefix] = number
        return make(prefix, number)
