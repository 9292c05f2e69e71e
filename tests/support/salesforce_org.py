"""A Salesforce stand-in set up for tests: a connected app with a fresh RSA key pair, an
integration user, and assertions signed the way the JWT bearer flow wants them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.clock import FrozenClock
from app.sandbox.salesforce import SalesforceSandbox

CONSUMER_KEY = "3MVG9sandboxConsumerKey.coach"
USERNAME = "integration@coach-sandbox.example"


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


@cache
def key_pair(name: str = "app") -> KeyPair:
    """One RSA key pair per name for the whole run (making them is the slow part)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private, public)


def set_up(org: SalesforceSandbox) -> str:
    """The connected app and its integration user; returns the user's id."""
    org.add_connected_app(CONSUMER_KEY, key_pair().public_pem)
    return org.add_user(USERNAME, name="Coach Integration")


def assertion(
    aud: str,
    *,
    iss: str = CONSUMER_KEY,
    sub: str = USERNAME,
    exp_in_s: float = 120,
    key: str | None = None,
    now: float | None = None,
) -> str:
    claims = {"iss": iss, "sub": sub, "aud": aud, "exp": int((now or time.time()) + exp_in_s)}
    return jwt.encode(claims, key or key_pair().private_pem, algorithm="RS256")


async def running(now: datetime, **settings: int) -> AsyncIterator[SalesforceSandbox]:
    """A started, set-up stand-in whose clock stands at `now` (for a fixture to yield from)."""
    box = SalesforceSandbox(**settings)
    box.clock = FrozenClock(now)
    set_up(box)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()
