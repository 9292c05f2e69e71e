"""Slack tokens sealed at rest: AES-256-GCM under a named key, so keys can be rotated.

A sealed value reads `aesgcm:<key id>:<base64url(nonce | ciphertext | tag)>`. The column a
token belongs in is bound as associated data, so a bot token cannot be passed off as a user
token. Values written before sealing (plain `xoxb-…`) are still read, and `coach tokens
reseal` seals them. COACH_TOKEN_KEYS lists `id:base64-key` pairs; the first one seals, the
others only open what they sealed before.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "aesgcm"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class TokenKeyError(ValueError):
    """A key is malformed, missing or wrong; the message says what to set or run."""


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def new_key_line(key_id: str | None = None) -> str:
    """A fresh `id:key` pair for COACH_TOKEN_KEYS (the id defaults to today's date)."""
    key_id = key_id or datetime.now(UTC).strftime("k%Y%m%d")
    if not KEY_ID.match(key_id):
        raise TokenKeyError(
            f"Key id {key_id!r} must be 1-32 letters, digits, '-' or '_': choose another."
        )
    return f"{key_id}:{_b64encode(secrets.token_bytes(KEY_BYTES))}"


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def key_id_of(stored: str) -> str | None:
    """The id of the key that sealed `stored`; None for a value written before sealing."""
    return stored.split(":", 2)[1] if is_sealed(stored) else None


@dataclass(frozen=True)
class TokenCipher:
    keys: dict[str, AESGCM]
    current: str  # the key new values are sealed with

    @classmethod
    def parse(cls, text: str) -> TokenCipher:
        """From COACH_TOKEN_KEYS: `id:base64key[,id:base64key…]`, the sealing key first."""
        keys: dict[str, AESGCM] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not KEY_ID.match(key_id):
                raise TokenKeyError(
                    "COACH_TOKEN_KEYS must list id:key pairs separated by commas: "
                    "`coach tokens new-key` prints one."
                )
            try:
                raw = _b64decode(encoded.strip())
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != KEY_BYTES:
                raise TokenKeyError(
                    f"COACH_TOKEN_KEYS key {key_id!r} is not {KEY_BYTES} bytes of base64: "
                    "`coach tokens new-key` prints a valid one."
                )
            if key_id in keys:
                raise TokenKeyError(f"COACH_TOKEN_KEYS names key {key_id!r} twice: keep one.")
            keys[key_id] = AESGCM(raw)
        if not keys:
            raise TokenKeyError(
                "COACH_TOKEN_KEYS is empty: `coach tokens new-key` prints a key to set."
            )
        return cls(keys, next(iter(keys)))

    def seal(self, plain: str, column: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self.keys[self.current].encrypt(nonce, plain.encode(), column.encode())
        return f"{PREFIX}:{self.current}:{_b64encode(nonce + sealed)}"

    def open(self, stored: str, column: str) -> str:
        """The token in `stored`; a value written before sealing comes back as it is."""
        if not is_sealed(stored):
            return stored
        _, key_id, payload = stored.split(":", 2)
        key = self.keys.get(key_id)
        if key is None:
            raise TokenKeyError(
                f"A stored Slack token is sealed with key {key_id!r}, which COACH_TOKEN_KEYS "
                "does not list: add it back (after the current key), then run "
                "`coach tokens reseal`."
            )
        try:
            data = _b64decode(payload)
            plain = key.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], column.encode())
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise TokenKeyError(
                f"A stored Slack token does not open with key {key_id!r}: the key or the row "
                "was changed. Reinstall coach in that workspace."
            ) from exc
        return plain.decode()

    def is_current(self, stored: str) -> bool:
        return key_id_of(stored) == self.current
