"""`ccp case show ID`: one case's history in date order, and nothing of any other case."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.cases.actions import action_problems, is_overdue, status_of
from workflow.cases.progress import case_facts
from workflow.contract import LABELS, PanelConfig
from workflow.contract.terms import OPEN_ACTION_STATUSES
from workflow.core.dates import as_date, iso_or_typed, today, uk_date
from workflow.meetings.records import load_recorded, recorded_versions
from workflow.register import Register
from workflow.register.audit_years import select_audit
from workflow.reports.counting import theme_words
from workflow.workspace.paths import Workspace

# Events of one day in the order they happen.
ORDER = {
    "referral": 0,
    "accepted": 1,
    "meeting": 2,
    "resource": 3,
    "progress requested": 4,
    "progress received": 5,
    "action": 6,
    "risk": 7,
    "closed": 8,
}


@dataclass
class Event:
    on: date | None
    kind: str
    summary: str
    details: list[str] = field(default_factory=list)

    def export(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat() if self.on else None,
            "kind": self.kind,
            "summary": self.summary,
            "details": self.details,
        }


@dataclass
class CaseHistory:
    case_id: str
    facts: dict[str, Any]  # the case as the register holds it (its own row only)
    events: list[Event]
    actions: list[dict[str, Any]]  # each action now: id, action, owner, due, status, overdue
    warnings: list[str] = field(default_factory=list)


def _words(code: str | None) -> str:
    return LABELS.get(code or "", code or "")


def _meeting_events(workspace: Workspace, case_id: str) -> list[Event]:
    """Each meeting that discussed the case, from its latest recorded minutes: this case only."""
    events = []
    days = set(workspace.panel.meeting_dates())
    if workspace.meetings_dir.is_dir():
        for folder in workspace.meetings_dir.iterdir():
            try:
                days.add(date.fromisoformat(folder.name))
            except ValueError:
                continue
    for day in sorted(days):
        versions = recorded_versions(workspace, day)
        if not versions:
            continue
        record = load_recorded(workspace, day, versions[-1]).record
        entry = next((case for case in record.cases if case.case_id == case_id), None)
        if entry is None:
            continue
        details = [
            f"Risk agreed: {_words(entry.risk_level)}. {entry.risk_rationale}",
            f"Accountable manager: {entry.accountable_manager.name}, "
            f"{entry.accountable_manager.role}, {entry.accountable_manager.agency}",
            f"Risk management plan: {entry.risk_management_plan}",
        ]
        for action in entry.actions:
            details.append(
                f"Action: {action.description} ({action.agency}, {action.owner}; "
                f"due {uk_date(action.due)})"
            )
        if entry.progress_report is not None:
            details.append(
                f"Progress report: {_words(entry.progress_report.format).lower()}, to the "
                f"{uk_date(entry.progress_report.due_meeting)} panel"
            )
        if entry.escalate_to_partnership:
            details.append(
                f"Escalated to the Safeguarding Partnership: {entry.escalation_reason or ''}"
            )
        if entry.themes:
            details.append(f"Themes: {', '.join(theme_words(theme) for theme in entry.themes)}")
        if entry.close_case:
            details.append(f"Closed by the panel: {entry.closure_reason or ''}")
        version = f", minutes version {versions[-1]}" if len(versions) > 1 else ""
        events.append(
            Event(
                day,
                "meeting",
                f"Discussed at the panel ({_words(entry.kind).lower()}){version}",
                [" ".join(line.split()) for line in details],
            )
        )
    return events


def _audit_events(register: Any, targets: set[str], panel: PanelConfig) -> list[Event]:
    """Audit rows about the case or its actions, but those other events already tell."""
    events = []
    for row in select_audit(register, "target", sorted(targets)):
        target = str(row.get("target") or "")
        if target not in targets:
            continue
        command = str(row.get("command") or "")
        action = str(row.get("action") or "")
        if command == "referral add":
            continue  # the acceptance event
        if action in ("received progress report", "replaced progress report"):
            continue  # the Progress rows' events
        detail = " ".join(str(row.get("detail") or "").split())
        kind = "risk" if action == "changed latest risk" else "action"
        # The Audit sheet holds the computer login; a reader needs the person's name.
        name = panel.name_of(str(row.get("who") or ""))
        who = f" ({name})" if name else ""
        events.append(
            Event(
                as_date(row.get("when")),
                kind,
                f"{target}: {action}{who}",
                [detail] if detail else [],
            )
        )
    return events


def case_history(workspace: Workspace, case_id: str) -> CaseHistory:
    """Referral, acceptance, meetings, actions and their changes, resources, progress
    reports and closure, in date order; only rows whose case ID is this case's."""
    workspace.require()
    register = Register.load(workspace.register_file)
    facts = case_facts(register, case_id)
    case, real_id = facts.case, facts.case_id
    events: list[Event] = []
    warnings = [problem for row in facts.actions for problem in action_problems(register, row)]
    still_open = [
        str(row.get("action_id"))
        for row in facts.actions
        if str(case.get("status") or "").strip().lower() == "closed"
        and status_of(row) in OPEN_ACTION_STATUSES
    ]
    if still_open:
        warnings.append(
            f"{real_id} is closed but {len(still_open)} of its actions are still open "
            f"({', '.join(still_open)}): complete or cancel them with `ccp actions update`"
        )

    referral_date = as_date(case.get("referral_date"))
    details = [
        f"Referring agency: {case.get('referring_agency') or 'not recorded'}"
        + (f" ({case.get('referrer')})" if case.get("referrer") else ""),
        f"Risk at referral: {case.get('risk_at_referral') or 'not recorded'}",
    ]
    if case.get("criteria"):
        details.append(f"Criteria: {case.get('criteria')}")
    events.append(Event(referral_date, "referral", "Referral authorised", details))
    accepted = as_date(case.get("accepted_on"))
    meeting = as_date(case.get("meeting"))
    events.append(
        Event(
            accepted,
            "accepted",
            "Referral accepted"
            + (f" for the {uk_date(meeting)} panel" if meeting else "")
            + f" as {real_id}",
        )
    )
    events += _meeting_events(workspace, real_id)
    for row in register.select("Resources", "case_id", [real_id]):
        if str(row.get("case_id") or "") != real_id:
            continue
        amount = row.get("amount")
        money = f", £{amount:,.2f}" if isinstance(amount, float | int) else ""
        confirmed = row.get("confirmed")
        state = "confirmed" if confirmed is True else "agreed in principle"
        events.append(
            Event(
                as_date(row.get("meeting")),
                "resource",
                f"Resource {state}: {' '.join(str(row.get('description') or '').split())}",
                [f"{row.get('agency') or 'agency not recorded'}{money}"],
            )
        )
    for row in facts.progress:
        due = as_date(row.get("due_meeting"))
        received = as_date(row.get("received_on"))
        form = str(row.get("format") or "").lower()
        if received is not None:
            events.append(
                Event(
                    received,
                    "progress received",
                    f"Progress report received for the {uk_date(due)} panel",
                    [str(row.get("file"))] if row.get("file") else [],
                )
            )
        else:
            late = due is not None and due < today()
            events.append(
                Event(
                    due,
                    "progress requested",
                    f"Progress report {'due' if not late else 'NOT RECEIVED'} for this panel"
                    + (f" ({form})" if form else ""),
                )
            )
    targets = {real_id} | {
        str(row.get("action_id")) for row in facts.actions if row.get("action_id")
    }
    events += _audit_events(register, targets, workspace.panel)
    closed = as_date(case.get("closed_on"))
    if str(case.get("status") or "").strip().casefold() == "closed":
        events.append(Event(closed, "closed", "Case closed"))

    events.sort(key=lambda e: (e.on is None, e.on or date.min, ORDER.get(e.kind, 9)))
    on = today()
    actions = [
        {
            "action_id": str(row.get("action_id") or ""),
            "action": " ".join(str(row.get("action") or "").split()),
            "agency": str(row.get("agency") or ""),
            "owner": str(row.get("owner") or ""),
            "due": iso_or_typed(row.get("due")),
            "status": status_of(row) or str(row.get("status") or ""),
            "completed_on": iso_or_typed(row.get("completed_on")),
            "reason_not_done": row.get("reason_not_done"),
            "carried_forward": row.get("carried_forward") or 0,
            "overdue": is_overdue(row, on) if not action_problems(register, row) else False,
        }
        for row in facts.actions
    ]
    shown = {
        "case_id": real_id,
        "local_id": case.get("local_id"),
        "child_name": case.get("child_name"),
        "status": case.get("status"),
        "meeting": meeting.isoformat() if meeting else None,
        "key_worker": case.get("key_worker"),
        "risk_at_referral": case.get("risk_at_referral"),
        "risk_latest": case.get("risk_latest"),
        "next_progress_due": iso_or_typed(case.get("next_progress_due")),
        "escalated": case.get("escalated"),
    }
    return CaseHistory(real_id, shown, events, actions, warnings)


def history_json(history: CaseHistory) -> str:
    payload = {
        **history.facts,
        "events": [event.export() for event in history.events],
        "actions": history.actions,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"


def history_text(history: CaseHistory, width: int | None = None) -> str:
    """The history as lines no wider than ``width`` (a detail's lines keep its indent);
    unwrapped when ``width`` is None."""
    facts = history.facts
    lines = [
        f"{history.case_id}: {facts.get('child_name') or 'name not recorded'} "
        f"(local ID {facts.get('local_id') or 'not recorded'})",
        f"Status {facts.get('status') or 'not recorded'}; risk at referral "
        f"{facts.get('risk_at_referral') or 'not recorded'}, latest "
        f"{facts.get('risk_latest') or 'not recorded'}; key worker "
        f"{facts.get('key_worker') or 'not recorded'}",
        "",
    ]
    for event in history.events:
        when = event.on.isoformat() if event.on else "(no date)"
        lines.append(f"{when}  {event.summary}")
        lines += [f"            {detail}" for detail in event.details]
    lines.append("")
    lines.append(f"Actions now ({len(history.actions)}):")
    for action in history.actions:
        state = "OVERDUE" if action["overdue"] else action["status"]
        extra = f", completed {action['completed_on']}" if action["completed_on"] else ""
        if action["reason_not_done"]:
            extra += f", reason not done: {action['reason_not_done']}"
        if action["carried_forward"]:
            extra += f", carried forward {action['carried_forward']}x"
        lines.append(
            f"  {action['action_id']}  {state}  due {action['due'] or '?'}{extra}: "
            f"{action['action']} ({action['owner']})"
        )
    if not history.actions:
        lines.append("  none")
    if width is None:
        return "\n".join(lines) + "\n"
    return "\n".join(_wrapped(line, max(width, 40)) for line in lines) + "\n"


def _wrapped(line: str, width: int) -> str:
    """A long line folded at spaces, its continuation indented like its text."""
    if len(line) <= width:
        return line
    body = line.lstrip(" ")
    indent = " " * (len(line) - len(body))
    hang = indent + (" " * 12 if line[:4].isdigit() else "    ")
    return "\n".join(
        textwrap.wrap(
            body,
            width=width,
            initial_indent=indent,
            subsequent_indent=hang if not indent else indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    )
