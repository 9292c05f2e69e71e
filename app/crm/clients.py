"""The CRM client for a connection: Salesforce or HubSpot, at the workspace's shared pace."""

from __future__ import annotations

from collections.abc import Callable

from app.config import Settings
from app.crm.connection import Connection
from app.crm.credentials import CrmCredentials, SalesforceCredentials, drill_fields
from app.crm.http import TIMEOUT_S
from app.crm.hubspot import HubSpotCrm
from app.crm.pace import shared_pace
from app.crm.provider import Crm
from app.crm.salesforce import SalesforceCrm
from app.db.pace import Rate
from app.db.turns import LocalPace, Turn
from app.deps import Deps

CrmFactory = Callable[[Deps, Connection], Crm]


def crm_client(
    settings: Settings,
    credentials: CrmCredentials,
    turn: Turn,
    *,
    cache_key: str,
    timeout_s: float = TIMEOUT_S,
) -> Crm:
    fields = drill_fields(settings, credentials.kind)
    if isinstance(credentials, SalesforceCredentials):
        return SalesforceCrm(credentials, fields, turn, cache_key=cache_key, timeout_s=timeout_s)
    return HubSpotCrm(credentials, fields, turn, timeout_s=timeout_s, cache_key=cache_key)


def crm_for(deps: Deps, connection: Connection, *, timeout_s: float = TIMEOUT_S) -> Crm:
    turn = shared_pace(deps.db, connection.workspace_id, deps.settings, connection.kind)
    return crm_client(
        deps.settings,
        connection.credentials,
        turn,
        cache_key=connection.fingerprint,
        timeout_s=timeout_s,
    )


def crm_at(rate: Rate) -> CrmFactory:
    """Clients paced by this process alone at `rate`: for a simulated week (`coach demo`,
    tests), where days pass in seconds against a stand-in whose limit is raised to match."""

    def make(deps: Deps, connection: Connection) -> Crm:
        return crm_client(
            deps.settings,
            connection.credentials,
            LocalPace(rate),
            cache_key=connection.fingerprint,
        )

    return make
