"""Reading and evaluating a CRM search body: `filterGroups` (OR of groups, AND of the
filters in each), one sort, the properties to return, `limit` and `after`.

The limits are those of HubSpot's search guide: at most 5 filter groups, 6 filters in a
group and 18 in all, 100 values in an IN/NOT_IN filter, 200 records a page, and no paging
past the 10,000th result (a 400). A filter on a property the account does not have is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.sandbox.hubspot.errors import invalid
from app.sandbox.hubspot.model import Deal, PropertyDef

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_IN_VALUES = 100
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10_000
MAX_SORTS = 1
ONE_VALUE = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
MANY_VALUES = ("IN", "NOT_IN")
NO_VALUE = ("HAS_PROPERTY", "NOT_HAS_PROPERTY")
OPERATORS = (*ONE_VALUE, *MANY_VALUES, *NO_VALUE, "BETWEEN")

Comparable = Decimal | datetime | str


def typed(prop: PropertyDef, raw: Any) -> Comparable | None:
    """A stored or given value as its property's type compares it; None when it cannot be."""
    if raw is None or isinstance(raw, (dict, list)):
        return None
    text = str(raw).strip().lower() if isinstance(raw, bool) else str(raw).strip()
    if prop.type == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if prop.type in ("datetime", "date"):
        return _moment(text)
    return text.lower()


def _moment(text: str) -> datetime | None:
    if text.lstrip("-").isdigit():  # epoch milliseconds, as filters usually give them
        try:
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        except (OverflowError, ValueError, OSError):
            return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Filter:
    prop: PropertyDef
    operator: str
    value: Comparable | None = None
    high: Comparable | None = None
    values: tuple[Comparable, ...] = ()

    def matches(self, deal: Deal) -> bool:
        stored = deal.properties.get(self.prop.name)
        present = stored not in (None, "")
        if self.operator == "HAS_PROPERTY":
            return present
        if self.operator == "NOT_HAS_PROPERTY":
            return not present
        have = typed(self.prop, stored) if present else None
        if self.operator == "NEQ":
            return have is None or have != self.value
        if self.operator == "NOT_IN":
            return have is None or have not in self.values
        if have is None:
            return False
        return _COMPARE[self.operator](self, have)


def _ordered(check: Callable[[Any, Any], bool]) -> Callable[[Filter, Comparable], bool]:
    def compare(f: Filter, have: Comparable) -> bool:
        return type(have) is type(f.value) and check(have, f.value)

    return compare


def _token(f: Filter, have: Comparable) -> bool:
    return isinstance(have, str) and str(f.value).strip("*") in have


_COMPARE: dict[str, Callable[[Filter, Comparable], bool]] = {
    "EQ": lambda f, have: have == f.value,
    "IN": lambda f, have: have in f.values,
    "LT": _ordered(lambda a, b: a < b),
    "LTE": _ordered(lambda a, b: a <= b),
    "GT": _ordered(lambda a, b: a > b),
    "GTE": _ordered(lambda a, b: a >= b),
    "BETWEEN": lambda f, have: (
        type(have) is type(f.value) is type(f.high) and f.value <= have <= f.high  # type: ignore[operator]
    ),
    "CONTAINS_TOKEN": _token,
    "NOT_CONTAINS_TOKEN": lambda f, have: not _token(f, have),
}


@dataclass(frozen=True)
class Sort:
    prop: PropertyDef
    descending: bool


@dataclass(frozen=True)
class Search:
    groups: tuple[tuple[Filter, ...], ...]
    sort: Sort | None
    properties: tuple[str, ...] | None
    limit: int
    offset: int
    query: str | None

    def matches(self, deal: Deal) -> bool:
        if self.query and self.query.lower() not in (deal.properties.get("dealname") or "").lower():
            return False
        return not self.groups or any(all(f.matches(deal) for f in g) for g in self.groups)

    def ordered(self, deals: list[Deal]) -> list[Deal]:
        by_id = sorted(deals, key=lambda d: int(d.id))
        if self.sort is None:
            return by_id
        prop = self.sort.prop
        valued = [(typed(prop, d.properties.get(prop.name)), d) for d in by_id]
        present = [(v, d) for v, d in valued if v is not None]
        missing = [d for v, d in valued if v is None]
        present.sort(key=lambda pair: pair[0], reverse=self.sort.descending)
        return [d for _, d in present] + missing


def _filter(raw: Any, known: dict[str, PropertyDef]) -> Filter:
    if not isinstance(raw, dict):
        raise invalid()
    name, operator = raw.get("propertyName"), raw.get("operator", "EQ")
    if not isinstance(name, str) or operator not in OPERATORS:
        raise invalid()
    prop = known.get(name)
    if prop is None:
        raise invalid(
            errors=[{"message": f'Property "{name}" does not exist', "code": "INVALID_PROPERTY"}]
        )
    if operator in NO_VALUE:
        return Filter(prop, operator)
    if operator in MANY_VALUES:
        values = raw.get("values")
        if not isinstance(values, list) or not values or len(values) > MAX_IN_VALUES:
            raise invalid()
        parsed = [typed(prop, v) for v in values]
        if any(p is None for p in parsed):
            raise invalid()
        return Filter(prop, operator, values=tuple(p for p in parsed if p is not None))
    value = typed(prop, raw.get("value"))
    if value is None:
        raise invalid()
    if operator == "BETWEEN":
        high = typed(prop, raw.get("highValue"))
        if high is None:
            raise invalid()
        return Filter(prop, operator, value=value, high=high)
    return Filter(prop, operator, value=value)


def _groups(raw: Any, known: dict[str, PropertyDef]) -> tuple[tuple[Filter, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
        raise invalid()
    groups = []
    for group in raw:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise invalid()
        groups.append(tuple(_filter(f, known) for f in filters))
    if sum(len(g) for g in groups) > MAX_FILTERS:
        raise invalid()
    return tuple(groups)


def _sort(raw: Any, known: dict[str, PropertyDef]) -> Sort | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or len(raw) > MAX_SORTS or not isinstance(raw[0], dict):
        raise invalid()
    name, direction = raw[0].get("propertyName"), raw[0].get("direction", "ASCENDING")
    if not isinstance(name, str) or name not in known:
        raise invalid()
    if direction not in ("ASCENDING", "DESCENDING"):
        raise invalid()
    return Sort(known[name], direction == "DESCENDING")


def _whole(raw: Any, default: int) -> int | None:
    if raw is None:
        return default
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def read_search(body: Any, known: dict[str, PropertyDef]) -> Search:
    if not isinstance(body, dict):
        raise invalid()
    properties = body.get("properties")
    if properties is not None and (
        not isinstance(properties, list) or not all(isinstance(p, str) for p in properties)
    ):
        raise invalid()
    limit = _whole(body.get("limit"), DEFAULT_LIMIT)
    if limit is None or not 0 <= limit <= MAX_LIMIT:
        raise invalid()
    offset = _whole(body.get("after"), 0)
    if offset is None:
        raise invalid()
    if offset >= MAX_RESULTS:
        raise invalid()
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise invalid()
    return Search(
        groups=_groups(body.get("filterGroups"), known),
        sort=_sort(body.get("sorts"), known),
        properties=tuple(properties) if properties is not None else None,
        limit=limit,
        offset=offset,
        query=query.strip() if query else None,
    )
