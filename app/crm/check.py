"""`coach crm check` and `coach crm setup`: does the CRM answer, do the two write-back
fields exist, and whom on the roster does it know; and creating the fields (HubSpot) or
saying how to (Salesforce)."""

from __future__ import annotations

from dataclasses import dataclass

from app.crm.clients import crm_client
from app.crm.connection import fingerprint
from app.crm.credentials import CrmCredentials, drill_fields
from app.crm.hubspot import HubSpotCrm
from app.crm.pace import local_pace
from app.crm.provider import CrmError, CrmFieldRefused, CrmRefused
from app.crm.salesforce import SETUP
from app.db.store import Store
from app.deps import Deps
from app.rules.types import CRM_NAMES, CrmKind

HOW_TO_CREATE = {
    CrmKind.HUBSPOT: "run `coach crm setup` to create them",
    CrmKind.SALESFORCE: "`coach crm setup` prints the two field definitions to add",
}


@dataclass(frozen=True)
class CrmCheck:
    name: str  # "Salesforce"
    kind: CrmKind
    works: bool
    problem: str | None = None
    refused: bool = False
    fields_ready: bool = False
    missing: tuple[str, ...] = ()  # the write-back fields' API names not found
    roster: int = 0
    matched: int = 0

    def sentence(self) -> str:
        if self.refused:
            return (
                f"{self.name} refused coach's credentials ({self.problem}): check the "
                f"{'SALESFORCE_*' if self.kind is CrmKind.SALESFORCE else 'HUBSPOT_TOKEN'} "
                "settings."
            )
        if not self.works:
            return f"{self.name} did not answer usefully ({self.problem}): try again later."
        fields = (
            "both write-back fields exist"
            if self.fields_ready
            else f"the write-back fields {', '.join(self.missing)} are missing "
            f"({HOW_TO_CREATE[self.kind]})"
        )
        return (
            f"{self.name} works: {fields}, and {self.matched} of the {self.roster} people on "
            "the roster matched a deal owner by email."
        )


async def check_crm(deps: Deps, credentials: CrmCredentials) -> CrmCheck:
    kind = credentials.kind
    name = CRM_NAMES[kind]
    crm = crm_client(
        deps.settings,
        credentials,
        local_pace(deps.settings, kind),
        cache_key=fingerprint(credentials),
    )
    try:
        owners = {o.email for o in await crm.owners() if o.active}
        fields = await crm.check_fields()
    except CrmError as exc:
        return CrmCheck(name, kind, False, exc.code, refused=isinstance(exc, CrmRefused))
    finally:
        await crm.close()
    wanted = drill_fields(deps.settings, kind)
    missing = tuple(
        field
        for field, present in ((wanted.drill, fields.drill), (wanted.recorded, fields.recorded))
        if not present
    )
    async with deps.reads() as session:
        store = Store(session)
        people = [p for w in await store.workspaces() for p in await store.people(w.id)]
    matched = sum(1 for p in people if (p.email or "").strip().lower() in owners)
    return CrmCheck(name, kind, True, None, False, fields.ready, missing, len(people), matched)


async def set_up_fields(deps: Deps, credentials: CrmCredentials) -> tuple[bool, str]:
    """HubSpot: create the missing properties. Salesforce: the field definitions to add."""
    fields = drill_fields(deps.settings, credentials.kind)
    if credentials.kind is CrmKind.SALESFORCE:
        return True, SETUP.format(drill=fields.drill, recorded=fields.recorded)
    crm = crm_client(
        deps.settings,
        credentials,
        local_pace(deps.settings, credentials.kind),
        cache_key=fingerprint(credentials),
    )
    assert isinstance(crm, HubSpotCrm)
    try:
        created = await crm.create_fields()
    except CrmFieldRefused as exc:
        return False, exc.reason
    except CrmError as exc:
        return False, f"HubSpot did not create the properties ({exc.code}): check HUBSPOT_TOKEN."
    finally:
        await crm.close()
    if not created:
        return True, "Both HubSpot deal properties already exist: nothing to do."
    return True, f"Created the HubSpot deal properties {', '.join(created)}."
