"""What is on a meeting's agenda: new referrals, progress reviews due, strategic items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.store import CaseRecord, load_case
from workflow.contract import LABELS, Form, LongText, MeetingSlot, PanelConfig, ShortText
from workflow.contract import field as form_field
from workflow.contract import optional as form_optional
from workflow.contract.rules import not_a_meeting
from workflow.contract.terms import CANCELLED, is_open_status
from workflow.core.errors import CcpError, FormInvalid, Problem
from workflow.forms.loading import load_form
from workflow.meetings.records import signature_rows
from workflow.workspace.paths import Workspace

# Why an action was closed undone (issue 11): panels review the two differently.
REASON_WORDS = {
    "circumstances changed": "Circumstances changed",
    "not undertaken": "Not undertaken by the agency",
}
PAPERS = ("chronology", "risk_assessment", "last_review_report")
PAPER_TITLES = {
    "chronology": "Chronology",
    "risk_assessment": "Risk assessment",
    "last_review_report": "Last review report",
}


class StrategicItem(Form):
    title: ShortText = form_field("Item", "The strategic safeguarding item, e.g. a service gap.")
    lead: ShortText | None = form_optional("Lead", "Who introduces it: name and agency.")
    notes: LongText | None = form_optional("Notes", "Background for members to read.")
    minutes: int | None = form_optional(
        "Minutes", "Time to allow for the item; otherwise it shares the time left.", gt=0
    )


class StrategicItems(Form):
    """meetings/<DATE>/strategic.yaml: items the panel agreed to discuss (ToR 13.iii)."""

    items: list[StrategicItem] = form_field(
        "Strategic items", "Items in agenda order.", default_factory=list
    )
    case_minutes: dict[str, int] = form_field(
        "Minutes per case",
        "Time to allow for a case, by case ID; the other cases share the time left evenly.",
        default_factory=dict,
    )


@dataclass
class NewReferral:
    record: CaseRecord
    papers: dict[str, Path | None]  # stored paper per kind, None where not supplied

    @property
    def case_id(self) -> str:
        return self.record.case_id

    @property
    def referring_agency(self) -> str:
        return self.record.referral.referrer.agency

    @property
    def risk_level(self) -> str:
        return LABELS[self.record.referral.highest_risk()]

    @property
    def presenter(self) -> str:
        """The referring practitioner presents a new case (ToR 13.iii)."""
        referrer = self.record.referral.referrer
        return f"{referrer.name}, {referrer.role}, {referrer.agency}"


@dataclass
class ProgressReview:
    case_id: str
    referred_by: str
    risk_latest: str
    open_actions: list[dict[str, Any]]
    overdue_actions: list[dict[str, Any]]
    report: Path | None  # the progress report received, if any
    status: str  # Red, Amber or Green
    presenter: str = ""  # the key worker, who reports back on the case
    cancelled_actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Agenda:
    panel: PanelConfig
    slot: MeetingSlot
    previous: date | None
    next: date | None
    new_referrals: list[NewReferral] = field(default_factory=list)
    progress_reviews: list[ProgressReview] = field(default_factory=list)
    strategic_items: list[StrategicItem] = field(default_factory=list)
    last_minutes: Path | None = None
    case_minutes: dict[str, int] = field(default_factory=dict)  # given slot lengths

    @property
    def meeting(self) -> date:
        return self.slot.date


def agenda_for(workspace: Workspace, meeting: date, register: Any) -> Agenda:
    """Gather the agenda of a meeting in panel.yaml from the register and the case folders."""
    panel = workspace.panel
    slot = panel.meeting(meeting)
    if slot is None:
        raise FormInvalid(
            workspace.panel_file, [Problem("meetings", not_a_meeting(meeting, panel))]
        )
    dates = panel.meeting_dates()
    index = dates.index(meeting)
    agenda = Agenda(
        panel=panel,
        slot=slot,
        previous=dates[index - 1] if index > 0 else None,
        next=dates[index + 1] if index + 1 < len(dates) else None,
    )
    cases = register.rows("Cases")
    for row in sorted(cases, key=lambda row: str(row.get("case_id"))):
        if row.get("meeting") == meeting and row.get("case_id"):
            record = load_case(workspace, str(row["case_id"]))
            folder = workspace.case_dir(record.case_id)
            papers = {
                name: (folder / stored if stored else None)
                for name, stored in ((n, record.attachments.get(n)) for n in PAPERS)
            }
            agenda.new_referrals.append(NewReferral(record, papers))
    agenda.progress_reviews = _progress_reviews(workspace, meeting, register, cases)
    planned = _strategic_file(workspace, meeting)
    agenda.strategic_items = planned.items
    agenda.case_minutes = planned.case_minutes
    if agenda.previous:
        agenda.last_minutes = _signed_minutes(workspace, register, agenda.previous)
    return agenda


def _progress_reviews(
    workspace: Workspace, meeting: date, register: Any, cases: list[dict[str, Any]]
) -> list[ProgressReview]:
    due_ids = {
        str(row["case_id"])
        for row in cases
        if row.get("next_progress_due") == meeting
        and str(row.get("status") or "").lower() != "closed"
        and row.get("meeting") != meeting
    }
    received: dict[str, Path | None] = {}
    for row in register.rows("Progress"):
        if row.get("due_meeting") == meeting and row.get("case_id"):
            due_ids.add(str(row["case_id"]))
            if row.get("received_on") and row.get("file"):
                received[str(row["case_id"])] = workspace.root / str(row["file"])
    by_id = {str(row.get("case_id")): row for row in cases}
    # Only the reviewed cases' actions: found by their case IDs, not ten years read.
    actions = register.select("Actions", "case_id", sorted(due_ids))
    reviews = []
    for case_id in sorted(due_ids):
        case = by_id.get(case_id, {})
        open_actions = [
            action
            for action in actions
            if action.get("case_id") == case_id and is_open_status(action.get("status"))
        ]
        overdue = [
            action
            for action in open_actions
            if isinstance(action.get("due"), date) and action["due"] < meeting
        ]
        cancelled = [
            action
            for action in actions
            if action.get("case_id") == case_id
            and str(action.get("status") or "").strip().casefold() == CANCELLED.casefold()
        ]
        report = received.get(case_id)
        reviews.append(
            ProgressReview(
                case_id=case_id,
                referred_by=str(case.get("referring_agency") or ""),
                risk_latest=str(case.get("risk_latest") or ""),
                open_actions=open_actions,
                overdue_actions=overdue,
                report=report,
                status=_rag(open_actions, overdue, report, str(case.get("risk_latest") or "")),
                presenter=_key_worker(workspace, case_id),
                cancelled_actions=cancelled,
            )
        )
    return reviews


def review_context(review: ProgressReview, time: str | None) -> dict[str, Any]:
    """What the agenda template shows of a progress review: its open actions, each with
    how many meetings it has been carried to, and its cancelled actions with the reason."""
    open_actions = [
        {
            "action_id": action.get("action_id") or "",
            "action": action.get("action") or "",
            "agency": action.get("agency") or "",
            "owner": action.get("owner") or "",
            "due": action.get("due") if isinstance(action.get("due"), date) else None,
            "status": action.get("status") or "Open",
            "overdue": action in review.overdue_actions,
            "carried_forward": _count(action.get("carried_forward")),
        }
        for action in review.open_actions
    ]
    return {
        "case_id": review.case_id,
        "referred_by": review.referred_by,
        "presenter": review.presenter,
        "time": time,
        "risk_latest": review.risk_latest,
        "status": review.status,
        "report_received": review.report is not None,
        "overdue_count": len(review.overdue_actions),
        "carried_count": sum(1 for action in open_actions if action["carried_forward"]),
        "open_actions": open_actions,
        "cancelled_actions": [
            {
                "action_id": action.get("action_id") or "",
                "action": action.get("action") or "",
                "agency": action.get("agency") or "",
                "reason": _reason(action.get("reason_not_done")),
            }
            for action in review.cancelled_actions
        ],
    }


def _count(value: Any) -> int:
    """A carried-forward count as typed in the register: a bad or empty cell counts 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float) and value >= 0:
        return int(value)
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _reason(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        return "No reason recorded"
    return REASON_WORDS.get(text.lower(), text)


def _key_worker(workspace: Workspace, case_id: str) -> str:
    """The case's key worker, from its accepted referral; blank if it cannot be read."""
    try:
        worker = load_case(workspace, case_id).referral.key_worker()
    except CcpError:
        return ""
    return f"{worker.name}, {worker.role}, {worker.agency}"


def _rag(
    open_actions: list[dict[str, Any]],
    overdue: list[dict[str, Any]],
    report: Path | None,
    risk: str,
) -> str:
    """Red: actions overdue or risk very high; Amber: work or the report outstanding."""
    if overdue or risk.lower() == LABELS["very_high"].lower():
        return "Red"
    if open_actions or report is None:
        return "Amber"
    return "Green"


def strategic_file(workspace: Workspace, meeting: date) -> Path:
    return workspace.meetings_dir / meeting.isoformat() / "strategic.yaml"


def _strategic_file(workspace: Workspace, meeting: date) -> StrategicItems:
    path = strategic_file(workspace, meeting)
    if not path.is_file():
        return StrategicItems()
    return load_form(StrategicItems, path)


# --- time slots ----------------------------------------------------------------------------

OPENING_MINUTES = 15  # welcome, apologies, last minutes and matters arising
CLOSING_MINUTES = 10  # any other business, date of the next meeting
_TIMES = re.compile(
    r"^\s*(\d{1,2})[:.](\d{2})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,2})[:.](\d{2})\s*$", re.I
)


def meeting_span(time: str | None) -> tuple[int, int] | None:
    """Start and end of a meeting in minutes after midnight, from "10:00-13:00"."""
    match = _TIMES.match(time or "")
    if not match:
        return None
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    return (start, end) if end > start else None


def time_slots(time: str | None, items: list[tuple[str, int | None]]) -> dict[str, str] | None:
    """Each item's slot, e.g. "10:15-10:55": given minutes first, the rest evenly split.

    `items` are (key, minutes or None) in agenda order; the opening and closing items of
    the agenda keep their own minutes. None when the meeting has no start and end time.
    """
    span = meeting_span(time)
    if span is None or not items:
        return None
    start, end = span
    available = end - start - OPENING_MINUTES - CLOSING_MINUTES
    given = sum(minutes for _, minutes in items if minutes)
    shared = [key for key, minutes in items if not minutes]
    each = max((available - given) // len(shared) // 5 * 5, 5) if shared else 0
    slots: dict[str, str] = {}
    clock = start + OPENING_MINUTES
    for key, minutes in items:
        length = minutes or each
        slots[key] = f"{_hhmm(clock)}\u2013{_hhmm(clock + length)}"
        clock += length
    return slots


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _signed_minutes(workspace: Workspace, register: Any, meeting: date) -> Path | None:
    """The latest signed Word minutes of a meeting, as the register's Signatures sheet says."""
    for entry in reversed(signature_rows(register, meeting)):
        for name in entry["files"]:
            path = workspace.root / name
            limited = "-minutes-extract-" in name or "-limited-" in name
            if name.endswith(".docx") and not limited and path.is_file():
                return path
    return None
