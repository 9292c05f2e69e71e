"""HubSpot's defaults for a new account: the deal properties coach meets, the default
"Sales Pipeline" and its stages, and how HubSpot writes a moment ('…T10:15:30.123Z')."""

from __future__ import annotations

from datetime import UTC, datetime

from app.sandbox.hubspot.model import PropertyDef, Stage

BOOL_OPTIONS = [
    {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
    {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
]

# (id, label, probability, closed), in display order
DEFAULT_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)

# What a deal search or read returns when no `properties` are named.
DEFAULT_RETURNED = (
    "amount",
    "closedate",
    "createdate",
    "dealname",
    "dealstage",
    "hs_lastmodifieddate",
    "hs_object_id",
    "pipeline",
)
ALWAYS_RETURNED = ("hs_object_id", "createdate", "hs_lastmodifieddate")
GROUPS = ("dealinformation", "deal_activity", "deal_revenue")


def iso_ms(moment: datetime) -> str:
    """UTC with milliseconds and a 'Z', as HubSpot writes datetimes."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def default_stages() -> list[Stage]:
    return [
        Stage(stage_id, label, n, probability, closed)
        for n, (stage_id, label, probability, closed) in enumerate(DEFAULT_STAGES)
    ]


def _p(
    name: str, label: str, kind: str, field_type: str, *, calculated: bool = False
) -> PropertyDef:
    return PropertyDef(
        name=name,
        label=label,
        type=kind,
        field_type=field_type,
        options=list(BOOL_OPTIONS) if kind == "bool" else [],
        calculated=calculated,
        read_only_value=calculated,
    )


def default_properties() -> list[PropertyDef]:
    return [
        _p("dealname", "Deal Name", "string", "text"),
        _p("dealstage", "Deal Stage", "enumeration", "radio"),
        _p("pipeline", "Pipeline", "enumeration", "select"),
        _p("amount", "Amount", "number", "number"),
        _p("closedate", "Close Date", "datetime", "date"),
        _p("hubspot_owner_id", "Deal owner", "enumeration", "select"),
        _p("deal_currency_code", "Currency", "enumeration", "select"),
        _p("description", "Deal Description", "string", "textarea"),
        _p("createdate", "Create Date", "datetime", "date", calculated=True),
        _p("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", calculated=True),
        _p("hs_object_id", "Record ID", "number", "number", calculated=True),
        _p("hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", calculated=True),
        _p("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", calculated=True),
        _p(
            "hs_deal_stage_probability",
            "Deal Stage Probability",
            "number",
            "number",
            calculated=True,
        ),
    ]


def coach_properties(drill: str, recorded: str) -> list[PropertyDef]:
    """The two write-back properties as `coach crm setup` creates them."""
    return [
        PropertyDef(drill, "Coaching Drill This Week", "string", "text", hubspot_defined=False),
        PropertyDef(
            recorded,
            "Drill Recorded",
            "bool",
            "booleancheckbox",
            options=list(BOOL_OPTIONS),
            hubspot_defined=False,
        ),
    ]
