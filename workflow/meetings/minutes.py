"""Minutes: the pre-filled draft, recording decisions in the register, signing, amending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.store import load_case, panel_context
from workflow.contract import LABELS, MinutesCase, MinutesRecord, PanelConfig
from workflow.contract.terms import is_open_status
from workflow.core import files
from workflow.core.dates import uk_date
from workflow.core.errors import (
    WorkspaceError,
)
from workflow.core.resources import MINUTES_TEMPLATE
from workflow.documents.render import render_docx
from workflow.forms.loading import dump_yaml
from workflow.meetings.agenda import Agenda, agenda_for
from workflow.meetings.records import draft_file
from workflow.register import Register
from workflow.workspace.paths import Workspace

# --- draft -------------------------------------------------------------------------------


@dataclass
class Drafted:
    written: list[Path]


def draft_minutes(workspace: Workspace, meeting: date, *, force: bool = False) -> Drafted:
    """A minutes record pre-filled from panel.yaml and the agenda, plus a Word draft."""
    workspace.require()
    register = Register.load(workspace.register_file)
    agenda = agenda_for(workspace, meeting, register)
    target = draft_file(workspace, meeting)
    if target.exists() and not force:
        raise WorkspaceError(
            f"{workspace.relative(target)}: already exists (it may hold the note-taker's "
            "work); pass --force to replace it"
        )
    text = draft_yaml(agenda, register)
    data = draft_data(agenda)
    docx = workspace.meeting_output(meeting) / f"minutes-{meeting.isoformat()}-draft.docx"
    render_docx(
        workspace.template(MINUTES_TEMPLATE),
        minutes_context(workspace, agenda.panel, data, version=None, signed=None, changes=[]),
        docx,
        labels=LABELS,
    )
    files.write_text(target, text)
    return Drafted([target, docx])


def draft_data(agenda: Agenda) -> dict[str, Any]:
    panel = agenda.panel
    people = [panel.chair, panel.deputy, *panel.members]
    present = []
    for person in people:
        entry = {"name": person.name, "role": person.role, "agency": person.agency}
        if entry not in present:
            present.append(entry)
    cases = [blank_case(item.case_id, "new") for item in agenda.new_referrals]
    for item, case in zip(agenda.new_referrals, cases, strict=True):
        referral = item.record.referral
        case["presented_by"] = f"{referral.referrer.name} ({referral.referrer.role})"
        case["risk_level"] = referral.highest_risk()
        manager = referral.authorised_by
        case["accountable_manager"] = {
            "name": manager.name,
            "role": manager.role,
            "agency": manager.agency,
        }
    for review in agenda.progress_reviews:
        case = blank_case(review.case_id, "progress_review")
        level = {label.lower(): code for code, label in LABELS.items()}.get(
            review.risk_latest.lower()
        )
        case["risk_level"] = level
        cases.append(case)
    return {
        "meeting": agenda.meeting,
        "chair": panel.chair.name,
        # The administrator minutes the cases (ToR); another minute-taker writes their name.
        "minute_taker": panel.administrator.name,
        "present": present,
        "apologies": [],
        "cases": cases,
        "strategic_items": [
            {"title": item.title, "notes": None, "actions": []} for item in agenda.strategic_items
        ],
        "any_other_business": None,
    }


def blank_case(case_id: str, kind: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": kind,
        "presented_by": None,
        "discussion": None,
        "risk_level": None,
        "risk_rationale": None,
        "accountable_manager": {"name": None, "role": None, "agency": None},
        "risk_management_plan": None,
        "contingencies": None,
        "actions": [{"description": None, "agency": None, "owner": None, "due": None}],
        "resources": [],
        "communication": None,
        "monitoring": None,
        "progress_report": {"format": None, "due_meeting": None},
        "escalate_to_partnership": False,
        "escalation_reason": None,
        "themes": [],
        "close_case": False,
        "closure_reason": None,
    }


def draft_yaml(agenda: Agenda, register: Any) -> str:
    data = draft_data(agenda)
    later = [day.isoformat() for day in agenda.panel.meeting_dates() if day > agenda.meeting]
    head = {key: data[key] for key in ("meeting", "chair", "minute_taker", "present", "apologies")}
    lines = [
        f"# Minutes of the {agenda.panel.name}, {uk_date(agenda.meeting)}.",
        "# Pre-filled from panel.yaml and the agenda. Move members who were absent to",
        "# apologies; complete every case; then: ccp minutes record THIS_FILE",
        "# risk_level: low, medium, high or very_high. progress_report.format: written or",
        f"# in_person; due_meeting one of: {', '.join(later) or '(add meetings to panel.yaml)'}.",
        "# A case that closes needs close_case: true and closure_reason instead of actions.",
        "",
        _dump(head),
        "cases:",
    ]
    open_by_case: dict[str, list[dict[str, Any]]] = {}
    minuted = [str(case["case_id"]) for case in data["cases"]]
    for action in register.select("Actions", "case_id", minuted):
        if is_open_status(action.get("status")):
            open_by_case.setdefault(str(action.get("case_id")), []).append(action)
    for case in data["cases"]:
        lines.append(f"  # --- {case['case_id']} ({LABELS[case['kind']]})")
        for action in open_by_case.get(case["case_id"], []):
            due = action.get("due")
            due_text = uk_date(due) if isinstance(due, date) else str(due or "no date")
            lines.append(
                f"  # open action {action.get('action_id')}: {action.get('action')} "
                f"({action.get('owner')}, due {due_text})".replace("\n", " ")
            )
        entry = _dump([case]).rstrip("\n").splitlines()
        lines += [f"  {line}" for line in entry]
    if not data["cases"]:
        lines[-1] = "cases: []"
    rest = {key: data[key] for key in ("strategic_items", "any_other_business")}
    lines.append(_dump(rest))
    return "\n".join(lines).rstrip("\n") + "\n"


def _dump(data: Any) -> str:
    return dump_yaml(data)


# --- documents ---------------------------------------------------------------------------


def minutes_context(
    workspace: Workspace,
    panel: PanelConfig,
    record: dict[str, Any],
    *,
    version: int | None,
    signed: dict[str, Any] | None,
    changes: list[str],
    restricted: list[str] | None = None,
) -> dict[str, Any]:
    """What the minutes template receives; a limited version leaves ``restricted`` out."""
    slot = panel.meeting(record["meeting"])
    if restricted:
        record = {**record, "cases": [c for c in record["cases"] if c["case_id"] not in restricted]}
    return {
        "panel": panel_context(panel),
        "meeting": {
            "date": record["meeting"],
            "time": slot.time if slot else None,
            "venue": slot.venue if slot else None,
            "next_date": next((d for d in panel.meeting_dates() if d > record["meeting"]), None),
        },
        "record": {"minute_taker": None, **record},
        "attending": attending_for_items(record),
        "draft": signed is None,
        "version": version,
        "signed": signed,
        "changes": changes,
        "restricted_cases": sorted(restricted or []),
    }


def attending_for_items(record: dict[str, Any]) -> list[dict[str, str]]:
    """Each case's presenter, with the item they came for (cases are items 2, 3, ...)."""
    return [
        {"name": case["presented_by"], "item": f"{number}. Case {case['case_id']}"}
        for number, case in enumerate(record.get("cases") or [], start=2)
        if case.get("presented_by")
    ]


def extract_context(
    workspace: Workspace,
    panel: PanelConfig,
    record: MinutesRecord,
    case: MinutesCase,
    *,
    version: int,
    signed: dict[str, Any],
) -> dict[str, Any]:
    stored = load_case(workspace, case.case_id)
    child = stored.referral.child
    data = record.model_dump(mode="python")
    return {
        "panel": panel_context(panel),
        "meeting": {"date": record.meeting},
        "chair": record.chair,
        "present": data["present"],
        "case": case.model_dump(mode="python"),
        "child": {"name": child.name, "local_id": child.local_id},
        "key_worker": stored.referral.key_worker().model_dump(),
        "version": version,
        "signed": signed,
    }
