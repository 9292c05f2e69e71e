"""Gong's Basic auth: `Authorization: Basic base64(accessKey:accessKeySecret)`."""

from __future__ import annotations

import base64
import binascii
import hmac


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(access key, secret) from an Authorization header, or None when it is not Basic."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, colon, secret = decoded.partition(":")
    return (key, secret) if colon else None


def credentials_match(header: str | None, access_key: str, access_key_secret: str) -> bool:
    given = basic_credentials(header)
    if given is None:
        return False
    return hmac.compare_digest(given[0], access_key) & hmac.compare_digest(
        given[1], access_key_secret
    )
