"""An installation store that seals Slack tokens before slack-sdk's SQLAlchemy store writes
them, and opens them after it reads (slack-sdk stores tokens in clear text)."""

from __future__ import annotations

import copy
import logging
from typing import TypeVar

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

from app.config import token_cipher
from app.db.slack_tables import (
    BOT_TOKEN_COLUMNS,
    BOTS_TABLE,
    INSTALLATION_TOKEN_COLUMNS,
    INSTALLATIONS_TABLE,
)
from app.deps import Deps
from app.token_cipher import TokenCipher

Stored = TypeVar("Stored", Bot, Installation)


def _tokens_of(record: Bot | Installation) -> tuple[str, ...]:
    return INSTALLATION_TOKEN_COLUMNS if isinstance(record, Installation) else BOT_TOKEN_COLUMNS


def sealed(cipher: TokenCipher, record: Stored) -> Stored:
    """A copy of `record` whose tokens are sealed (the caller's object keeps its tokens)."""
    copied = copy.copy(record)
    for name in _tokens_of(record):
        value = getattr(record, name, None)
        if value:
            setattr(copied, name, cipher.seal(value, name))
    return copied


def opened(cipher: TokenCipher, record: Stored | None) -> Stored | None:
    if record is None:
        return None
    for name in _tokens_of(record):
        value = getattr(record, name, None)
        if value:
            setattr(record, name, cipher.open(value, name))
    return record


class SealedInstallationStore(AsyncInstallationStore):
    """Wraps another async store; every token crosses it sealed on the way in."""

    def __init__(self, inner: AsyncInstallationStore, cipher: TokenCipher) -> None:
        self.inner = inner
        self.cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        return self.inner.logger

    async def async_save(self, installation: Installation) -> None:
        # The inner store saves the bot row from this same (sealed) copy.
        await self.inner.async_save(sealed(self.cipher, installation))

    async def async_save_bot(self, bot: Bot) -> None:
        await self.inner.async_save_bot(sealed(self.cipher, bot))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.inner.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return opened(self.cipher, found)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await self.inner.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return opened(self.cipher, found)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        await self.inner.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)


def unsealed_store(deps: Deps) -> AsyncSQLAlchemyInstallationStore:
    """slack-sdk's SQLAlchemy store as it is, tokens in the clear: only for wrapping (and for
    tests standing in for an older coach)."""
    assert deps.settings.slack_client_id
    return AsyncSQLAlchemyInstallationStore(
        client_id=deps.settings.slack_client_id,
        engine=deps.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def installation_store(deps: Deps) -> SealedInstallationStore:
    """slack-sdk's SQLAlchemy store, with every token sealed (COACH_TOKEN_KEYS)."""
    return SealedInstallationStore(unsealed_store(deps), token_cipher(deps.settings))
