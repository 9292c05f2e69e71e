"""Every query the app makes, behind one object. The caller owns the transaction: nothing
here commits. The queries live by subject in people_queries, roster_queries,
message_queries, record_queries, rubric_queries, review_queries, note_queries,
recorder_queries, crm_queries and setup_queries; dialect-specific statements in `app.db.sql`."""

from __future__ import annotations

from app.db.chart_queries import ChartQueries
from app.db.crm_queries import CrmQueries
from app.db.message_queries import MessageQueries
from app.db.note_queries import NoteQueries
from app.db.people_queries import PeopleQueries
from app.db.record_queries import RecordQueries
from app.db.recorder_queries import RecorderQueries
from app.db.review_queries import ReviewQueries
from app.db.roster_queries import RosterQueries
from app.db.rubric_queries import RubricQueries
from app.db.setup_queries import SetupQueries


class Store(
    PeopleQueries,
    RosterQueries,
    MessageQueries,
    RecordQueries,
    RubricQueries,
    ReviewQueries,
    NoteQueries,
    ChartQueries,
    RecorderQueries,
    CrmQueries,
    SetupQueries,
):
    """What services read and write, through one session."""
