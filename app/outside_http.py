"""The HTTP client of every call to an outside system (the call recorder, the CRM).

One TLS context per process: building one loads the certificate bundle, which takes tens
of milliseconds, and every sync opens a client of its own."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (the certifi bundle), built once."""
    return httpx.create_ssl_context()


def outside_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=tls_context())
