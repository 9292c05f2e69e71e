"""The objects and fields the stand-in's org has, as describe shows them: the standard ones
coach reads, and the two custom drill fields on Opportunity (which a test may drop)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# describe's field types; SOQL literals and JSON values are checked against them
ID, STRING, BOOLEAN, CURRENCY, DATE, DATETIME, REFERENCE, PICKLIST, INT, EMAIL = (
    "id",
    "string",
    "boolean",
    "currency",
    "date",
    "datetime",
    "reference",
    "picklist",
    "int",
    "email",
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    updateable: bool = False
    length: int = 0
    custom: bool = False
    default: Any = None

    @property
    def nillable(self) -> bool:
        return self.type != BOOLEAN and self.name != "Id"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "length": self.length,
            "updateable": self.updateable,
            "createable": self.updateable,
            "nillable": self.nillable,
            "custom": self.custom,
            "defaultValue": self.default,
            "defaultedOnCreate": self.type == BOOLEAN,
            "filterable": True,
            "sortable": True,
            "calculated": False,
            "referenceTo": ["User"] if self.type == REFERENCE else [],
        }


def _fields(*items: Field) -> dict[str, Field]:
    return {f.name.lower(): f for f in items}


DRILL = Field(
    "Coaching_Drill_This_Week__c", STRING, "Coaching Drill This Week", True, 255, custom=True
)
RECORDED = Field("Drill_Recorded__c", BOOLEAN, "Drill Recorded", True, custom=True, default=False)


def standard_objects() -> dict[str, tuple[str, dict[str, Field]]]:
    """Objects by lower-case name: (API name, fields by lower-case name)."""
    return {
        "user": (
            "User",
            _fields(
                Field("Id", ID, "User ID", length=18),
                Field("Username", STRING, "Username", length=80),
                Field("Email", EMAIL, "Email", length=128),
                Field("Name", STRING, "Full Name", length=121),
                Field("IsActive", BOOLEAN, "Active"),
            ),
        ),
        "opportunitystage": (
            "OpportunityStage",
            _fields(
                Field("Id", ID, "Opportunity Stage ID", length=18),
                Field("ApiName", STRING, "Api Name", length=255),
                Field("MasterLabel", STRING, "Master Label", length=255),
                Field("SortOrder", INT, "Sort Order"),
                Field("IsActive", BOOLEAN, "Active"),
                Field("IsClosed", BOOLEAN, "Closed"),
                Field("IsWon", BOOLEAN, "Won"),
                Field("DefaultProbability", "percent", "Probability (%)"),
            ),
        ),
        "opportunity": (
            "Opportunity",
            _fields(
                Field("Id", ID, "Opportunity ID", length=18),
                Field("Name", STRING, "Name", True, 120),
                Field("StageName", PICKLIST, "Stage", True, 255),
                Field("Amount", CURRENCY, "Amount", True),
                Field("CloseDate", DATE, "Close Date", True),
                Field("OwnerId", REFERENCE, "Owner ID", True, 18),
                Field("IsClosed", BOOLEAN, "Closed"),
                Field("IsWon", BOOLEAN, "Won"),
                Field("CreatedDate", DATETIME, "Created Date"),
                Field("LastModifiedDate", DATETIME, "Last Modified Date"),
                DRILL,
                RECORDED,
            ),
        ),
        "opportunityhistory": (
            "OpportunityHistory",
            _fields(
                Field("Id", ID, "History ID", length=18),
                Field("OpportunityId", REFERENCE, "Opportunity ID", length=18),
                Field("StageName", PICKLIST, "Stage", length=255),
                Field("Amount", CURRENCY, "Amount"),
                Field("CloseDate", DATE, "Close Date"),
                Field("CreatedDate", DATETIME, "Created Date"),
            ),
        ),
    }


# The standard sales process: (API name, sort order, closed, won, probability)
STAGES = (
    ("Prospecting", 1, False, False, 10),
    ("Qualification", 2, False, False, 10),
    ("Needs Analysis", 3, False, False, 20),
    ("Value Proposition", 4, False, False, 50),
    ("Id. Decision Makers", 5, False, False, 60),
    ("Perception Analysis", 6, False, False, 70),
    ("Proposal/Price Quote", 7, False, False, 75),
    ("Negotiation/Review", 8, False, False, 90),
    ("Closed Won", 9, True, True, 100),
    ("Closed Lost", 10, True, False, 0),
)
