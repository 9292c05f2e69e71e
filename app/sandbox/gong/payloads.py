"""The JSON Gong answers with: a user's metadata, and a call with the parts asked for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.sandbox.gong.calls_query import ContentSelector
from app.sandbox.gong.model import GongCall, GongUser

USER_SETTINGS = {
    "webConferencesRecorded": True,
    "preventWebConferenceRecording": False,
    "telephonyCallsImported": False,
    "emailsImported": True,
    "preventEmailImport": False,
    "nonRecordedMeetingsImported": True,
    "gongConnectEnabled": True,
}


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a 'Z', to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def user_json(user: GongUser, company_slug: str) -> dict[str, Any]:
    handle = ".".join(part.lower() for part in (user.first_name, user.last_name) if part)
    return {
        "id": user.id,
        "emailAddress": user.email,
        "created": iso(user.created),
        "active": user.active,
        "emailAliases": [],
        "trustedEmailAddress": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "title": user.title,
        "phoneNumber": user.phone_number,
        "personalMeetingUrls": [f"https://zoom.us/j/{user.meeting_id}"],
        "settings": dict(USER_SETTINGS),
        "meetingConsentPageUrl": (
            f"https://join.gong.io/{company_slug}/{handle or user.id}?tkn={user.consent_token}"
        ),
        "spokenLanguages": [{"language": "en-US", "primary": True}],
    }


def _meta_data(call: GongCall, host_name: str, workspace_id: str) -> dict[str, Any]:
    return {
        "id": call.id,
        "url": f"https://{host_name}/call?id={call.id}",
        "title": call.title,
        "scheduled": iso(call.scheduled),
        "started": iso(call.started),
        "duration": call.duration_s,
        "primaryUserId": call.user_id,
        "direction": "Conference",
        "system": "Zoom",
        "scope": "External",
        "media": "Video",
        "language": "eng",
        "workspaceId": workspace_id,
        "sdrDisposition": None,
        "clientUniqueId": None,
        "customData": None,
        "purpose": None,
        "meetingUrl": f"https://zoom.us/j/{call.id[:10]}",
        "isPrivate": False,
        "calendarEventId": call.calendar_event_id,
    }


def _parties(call: GongCall, rep: GongUser) -> list[dict[str, Any]]:
    customer = call.customer
    return [
        {
            "id": call.rep_party_id,
            "emailAddress": rep.email,
            "name": f"{rep.first_name} {rep.last_name}".strip() or rep.email,
            "title": rep.title,
            "userId": rep.id,
            "speakerId": call.rep_speaker_id,
            "affiliation": "Internal",
            "phoneNumber": rep.phone_number,
            "methods": ["Invitee", "Attendee"],
        },
        {
            "id": customer.party_id,
            "emailAddress": customer.email,
            "name": customer.name,
            "title": customer.title,
            "speakerId": customer.speaker_id,
            "affiliation": "External",
            "methods": ["Invitee", "Attendee"],
        },
    ]


def _interaction(call: GongCall, parts: frozenset[str]) -> dict[str, Any]:
    interaction: dict[str, Any] = {}
    if "speakers" in parts:
        speakers: list[dict[str, Any]] = []
        if call.talk_time_s is not None:
            speakers.append(
                {"id": call.rep_party_id, "userId": call.user_id, "talkTime": call.talk_time_s}
            )
        if call.customer_talk_time_s is not None:
            speakers.append({"id": call.customer.party_id, "talkTime": call.customer_talk_time_s})
        interaction["speakers"] = speakers
    if "personInteractionStats" in parts:
        interaction["interactionStats"] = [
            {"name": name, "value": value} for name, value in call.stats.items()
        ]
    if "video" in parts:
        interaction["video"] = []
    if "questions" in parts and call.questions is not None:
        company, non_company = call.questions
        interaction["questions"] = {"companyCount": company, "nonCompanyCount": non_company}
    return interaction


def call_json(
    call: GongCall,
    rep: GongUser,
    selector: ContentSelector,
    *,
    host_name: str,
    workspace_id: str,
) -> dict[str, Any]:
    """metaData always; every other part only when the selector asks for it. The stand-in
    records no CRM context, content analysis or comments: asked for, they come back empty."""
    answer: dict[str, Any] = {"metaData": _meta_data(call, host_name, workspace_id)}
    if selector.context != "None":
        answer["context"] = []
    if selector.parties:
        answer["parties"] = _parties(call, rep)
    if selector.content:
        listed = ("structure", "topics", "trackers")
        answer["content"] = {part: [] for part in listed if part in selector.content}
    if selector.interaction:
        answer["interaction"] = _interaction(call, selector.interaction)
    if selector.public_comments:
        answer["collaboration"] = {"publicComments": []}
    return answer
