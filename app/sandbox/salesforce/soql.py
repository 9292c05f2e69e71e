"""A small SOQL reader: a tokenizer and a recursive-descent parser for the subset coach uses,

    SELECT f1, f2 FROM Obj [WHERE cond [AND cond]...] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST]]
    [LIMIT n]

where cond is `f = lit`, `f != lit` (or `<>`), `f IN (lit, ...)` or `f NOT IN (...)`, and a
literal is 'quoted' (backslash escapes), true/false/null, a number, or a date/datetime.
Anything else is MALFORMED_QUERY, with the caret-and-column message Salesforce gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.sandbox.salesforce.errors import SalesforceError

KEYWORDS = {"select", "from", "where", "and", "or", "order", "by", "asc", "desc", "limit", "in"}
KEYWORDS |= {"not", "nulls", "first", "last", "true", "false", "null"}
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PUNCT = ("!=", "<>", "<=", ">=", "=", "<", ">", ",", "(", ")")


@dataclass(frozen=True)
class Token:
    kind: str  # name, keyword, string, number, date, datetime, punct, eof
    text: str
    value: Any
    at: int  # 0-based offset in the query


@dataclass(frozen=True)
class Condition:
    field: Token
    op: str  # "=", "!=", "in", "not in"
    values: tuple[Token, ...]


@dataclass(frozen=True)
class Query:
    text: str
    fields: tuple[Token, ...]
    source: Token
    where: tuple[Condition, ...]
    order_by: Token | None
    descending: bool
    nulls_last: bool
    limit: int | None


def located(soql: str, at: int, message: str) -> str:
    """Salesforce's shape: the query, a caret under the column, then what is wrong."""
    line = soql.replace("\n", " ")
    return f"\n{line}\n{' ' * at}^\nERROR at Row:1:Column:{at + 1}\n{message}"


def malformed(soql: str, token: Token) -> SalesforceError:
    shown = "<EOF>" if token.kind == "eof" else token.text
    return SalesforceError(
        400, "MALFORMED_QUERY", located(soql, token.at, f"unexpected token: {shown}")
    )


def tokens(soql: str) -> list[Token]:
    found: list[Token] = []
    at = 0
    while at < len(soql):
        ch = soql[at]
        if ch.isspace():
            at += 1
            continue
        if ch == "'":
            found.append(_string(soql, at))
            at += len(found[-1].text)
            continue
        for kind, pattern in (("datetime", _DATETIME), ("date", _DATE), ("number", _NUMBER)):
            match = pattern.match(soql, at)
            if match:
                found.append(Token(kind, match[0], _literal(kind, match[0]), at))
                at = match.end()
                break
        else:
            match = _NAME.match(soql, at)
            if match:
                word = match[0]
                kind = "keyword" if word.lower() in KEYWORDS else "name"
                found.append(Token(kind, word, word.lower(), at))
                at = match.end()
                continue
            punct = next((p for p in _PUNCT if soql.startswith(p, at)), None)
            if punct is None:
                bad = Token("punct", ch, ch, at)
                raise malformed(soql, bad)
            found.append(Token("punct", punct, punct, at))
            at += len(punct)
    found.append(Token("eof", "", None, len(soql)))
    return found


def _string(soql: str, start: int) -> Token:
    value, at = "", start + 1
    while at < len(soql):
        ch = soql[at]
        if ch == "\\":
            escaped = soql[at + 1 : at + 2]
            if escaped not in _ESCAPES:
                raise SalesforceError(
                    400,
                    "MALFORMED_QUERY",
                    located(soql, at, "Invalid string literal. Illegal character sequence"),
                )
            value += _ESCAPES[escaped]
            at += 2
            continue
        if ch == "'":
            return Token("string", soql[start : at + 1], value, start)
        value += ch
        at += 1
    raise SalesforceError(
        400, "MALFORMED_QUERY", located(soql, start, "line 1:{start} mismatched character")
    )


def _literal(kind: str, text: str) -> Any:
    if kind == "number":
        return Decimal(text)
    if kind == "date":
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.items = tokens(soql)
        self.at = 0

    def parse(self) -> Query:
        self.keyword("select")
        fields = [self.name()]
        while self.peek_punct(","):
            self.at += 1
            fields.append(self.name())
        self.keyword("from")
        source = self.name()
        where: list[Condition] = []
        if self.peek_keyword("where"):
            self.at += 1
            where.append(self.condition())
            while self.peek_keyword("and"):
                self.at += 1
                where.append(self.condition())
        order_by, descending, nulls_last = None, False, False
        if self.peek_keyword("order"):
            self.at += 1
            self.keyword("by")
            order_by = self.name()
            if self.peek_keyword("asc") or self.peek_keyword("desc"):
                descending = self.next().value == "desc"
            nulls_last = descending
            if self.peek_keyword("nulls"):
                self.at += 1
                nulls_last = self.next_keyword("first", "last") == "last"
        limit = None
        if self.peek_keyword("limit"):
            self.at += 1
            token = self.next()
            if token.kind != "number" or "." in token.text or token.value < 0:
                raise malformed(self.soql, token)
            limit = int(token.value)
        end = self.next()
        if end.kind != "eof":
            raise malformed(self.soql, end)
        return Query(
            self.soql, tuple(fields), source, tuple(where), order_by, descending, nulls_last, limit
        )

    def condition(self) -> Condition:
        field = self.name()
        token = self.next()
        if token.kind == "punct" and token.value in ("=", "!=", "<>"):
            return Condition(field, "=" if token.value == "=" else "!=", (self.literal(),))
        negated = token.kind == "keyword" and token.value == "not"
        if negated:
            token = self.next()
        if token.kind != "keyword" or token.value != "in":
            raise malformed(self.soql, token)
        self.punct("(")
        values = [self.literal()]
        while self.peek_punct(","):
            self.at += 1
            values.append(self.literal())
        self.punct(")")
        return Condition(field, "not in" if negated else "in", tuple(values))

    def literal(self) -> Token:
        token = self.next()
        if token.kind in ("string", "number", "date", "datetime"):
            return token
        if token.kind == "keyword" and token.value in ("true", "false", "null"):
            return token
        raise malformed(self.soql, token)

    def name(self) -> Token:
        token = self.next()
        if token.kind != "name":
            raise malformed(self.soql, token)
        return token

    def keyword(self, word: str) -> None:
        self.next_keyword(word)

    def next_keyword(self, *words: str) -> str:
        token = self.next()
        if token.kind != "keyword" or token.value not in words:
            raise malformed(self.soql, token)
        return str(token.value)

    def punct(self, mark: str) -> None:
        token = self.next()
        if token.kind != "punct" or token.value != mark:
            raise malformed(self.soql, token)

    def peek_keyword(self, word: str) -> bool:
        token = self.items[self.at]
        return token.kind == "keyword" and token.value == word

    def peek_punct(self, mark: str) -> bool:
        token = self.items[self.at]
        return token.kind == "punct" and token.value == mark

    def next(self) -> Token:
        token = self.items[self.at]
        if token.kind != "eof":
            self.at += 1
        return token


def parse(soql: str) -> Query:
    return Parser(soql).parse()
