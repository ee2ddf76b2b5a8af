"""Progress reports: the pre-filled template, checking one, accepting it into the case."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.actions import (
    action_problems,
    append_note,
    apply_status,
    is_overdue,
    status_of,
)
from workflow.cases.store import panel_context
from workflow.contract import LABELS, RISK_ORDER
from workflow.contract.progress import STATUS_WORDS, ProgressReport
from workflow.contract.rules import not_a_meeting
from workflow.contract.terms import CANCELLED, COMPLETED, OPEN_ACTION_STATUSES
from workflow.core.dates import as_date, today, uk_date
from workflow.core.errors import (
    CaseNotFound,
    FileUnreadable,
    Problem,
    RegisterCellInvalid,
    WorkspaceError,
)
from workflow.core.files import publish, read_bytes, staging_dir, write_bytes, write_text
from workflow.core.resources import PROGRESS_TEMPLATE
from workflow.documents.render import render_docx
from workflow.forms.loading import read_data, validate
from workflow.forms.word import FormSpec, form_label, read_form
from workflow.register import Register
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

PROGRESS_FORM = FormSpec(
    kind="progress",
    model=ProgressReport,
    title="Complex Child Panel progress report",
    command="ccp progress template CASE_ID --format docx",
    # As templates/progress-report.docx numbers them (scripts/template_builders/).
    sections=(
        ("Actions agreed by the panel", ("actions",)),
        ("Risk then and now", ("risk_level", "risk_rationale")),
        ("What has changed since the last panel", ("changes",)),
        ("The child's views", ("child_views",)),
        ("The child's plan", ("plan_revised", "iro_informed_on")),
        ("What is still needed from the panel", ("still_needed",)),
        ("Recommendation", ("recommendation", "recommendation_reason")),
    ),
    front=("case_id", "meeting", "date", "reported_by"),
    required=("actions",),  # every open action is answered
    conditions=(("actions[].progress", "while open"), ("actions[].completed_on", "if completed")),
    hints=(
        ("recommendation", "What you recommend the panel does with the case"),
        ("actions[].progress", "What has been done, and what is left."),
        ("actions[].completed_on", "The date it was completed"),
    ),
    # One row per action agreed, filled in by ccp: the action's words go in its row.
    fixed_rows=("actions",),
    column_cm=(("actions[].action_id", 5.6),),
)
WORDS_TO_STATUS = {word: code for code, word in STATUS_WORDS.items()}


# --- the case as the register holds it ---------------------------------------------------


@dataclass
class CaseFacts:
    """One case's rows: what a progress report is checked against and written into."""

    case_id: str
    case: dict[str, Any]
    actions: list[dict[str, Any]]
    progress: list[dict[str, Any]]

    @property
    def closed(self) -> bool:
        return str(self.case.get("status") or "").strip().casefold() == "closed"

    def action(self, action_id: str) -> dict[str, Any] | None:
        wanted = action_id.strip().casefold()
        return next(
            (row for row in self.actions if str(row.get("action_id") or "").casefold() == wanted),
            None,
        )


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def case_facts(register: Any, case_id: str) -> CaseFacts:
    """The case's Cases row, its actions (by ID) and Progress rows; CaseNotFound if none."""
    wanted = case_id.strip().casefold()
    # Found by searching for the ID (any capitals), not by reading every case and action.
    candidates = register.select("Cases", "case_id", [case_id.strip()], loose=True)
    rows = [r for r in candidates if str(r.get("case_id") or "").casefold() == wanted]
    if not rows:
        known = [str(value) for value in register.column_values("Cases", "case_id")]
        close = difflib.get_close_matches(case_id.strip().upper(), known, n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise CaseNotFound(f"{case_id}: no such case in the register{hint}")
    real = str(rows[0]["case_id"])
    actions = sorted(
        register.select("Actions", "case_id", [real]),
        key=lambda row: _natural(str(row.get("action_id") or "")),
    )
    progress = register.select("Progress", "case_id", [real])
    return CaseFacts(real, rows[0], actions, progress)


def due_meeting(workspace: Workspace, facts: CaseFacts) -> date:
    """The meeting the case reports to: Next progress due, else the next in panel.yaml."""
    due = as_date(facts.case.get("next_progress_due"))
    if due is not None:
        return due
    now = today()
    later = [day for day in workspace.panel.meeting_dates() if day >= now]
    if not later:
        raise WorkspaceError(
            f"{facts.case_id}: no progress report is due and panel.yaml lists no meeting after "
            f"{uk_date(now)}; add the panel's next meetings to panel.yaml"
        )
    return later[0]


# --- the template ------------------------------------------------------------------------


BLANK_ANSWER = re.compile(r"^(\s*(?:- )?[a-z_]+): null$")


# --- checking ----------------------------------------------------------------------------


def _read_word_form(path: Path) -> dict[str, Any]:
    return read_form(path, PROGRESS_FORM)


def _word_label(field_path: str) -> str | None:
    return form_label(field_path, PROGRESS_FORM)


READERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    ".yaml": read_data,
    ".yml": read_data,
    ".json": read_data,
    ".docx": _read_word_form,
}


@dataclass
class CheckedProgress:
    report: ProgressReport
    source: Path
    facts: CaseFacts
    warnings: list[str] = field(default_factory=list)


def closed_message(facts: CaseFacts) -> str:
    closed_on = as_date(facts.case.get("closed_on"))
    when = f" on {uk_date(closed_on)}" if closed_on else ""
    return f"{facts.case_id}: the case was closed{when}; the panel expects no progress report"


def progress_problems(
    report: ProgressReport, facts: CaseFacts | None, workspace: Workspace, on: date
) -> Iterator[Problem]:
    """Every rule the report breaks against the register and panel.yaml, naming its field."""
    panel = workspace.panel
    if facts is None:
        yield Problem("case_id", f"{report.case_id} is not a case in the register")
    elif facts.closed:
        yield Problem("case_id", closed_message(facts).split(": ", 1)[1])
    if panel.meeting(report.meeting) is None:
        yield Problem("meeting", not_a_meeting(report.meeting, panel))
    if report.date > on:
        yield Problem("date", f"must not be in the future (today is {uk_date(on)})")
    if report.iro_informed_on and report.iro_informed_on > on:
        yield Problem("iro_informed_on", f"must not be in the future (today is {uk_date(on)})")
    answered: set[str] = set()
    for number, answer in enumerate(report.actions, start=1):
        where = f"actions[{number}]"
        row = facts.action(answer.action_id) if facts else None
        if facts is not None and row is None:
            known = ", ".join(str(r.get("action_id")) for r in facts.actions) or "none"
            yield Problem(
                f"{where}.action_id",
                f"{answer.action_id} is not an action of {facts.case_id} (its actions: {known})",
            )
        if row is not None:
            answered.add(str(row.get("action_id")))
        status = answer.status
        if answer.completed_on is not None and status != "completed":
            yield Problem(
                f"{where}.completed_on",
                f"goes only with status completed (the status is {status})",
            )
        if answer.completed_on is not None and answer.completed_on > on:
            yield Problem(f"{where}.completed_on", f"must not be in the future ({uk_date(on)})")
        meeting = as_date(row.get("meeting")) if row else None
        if answer.completed_on and meeting and answer.completed_on < meeting:
            yield Problem(
                f"{where}.completed_on",
                f"is before the {uk_date(meeting)} meeting that agreed the action",
            )
        if status in ("open", "in_progress") and not answer.progress:
            yield Problem(
                f"{where}.progress",
                "is required while the action is open: say what has been done and what is left",
            )
        if status == "cancelled" and row is not None and status_of(row) != CANCELLED:
            yield Problem(
                f"{where}.status",
                "a progress report cannot cancel an action: the panel decides, with the "
                "reason; report it open or in progress and say why in its progress",
            )
    if facts is not None:
        for row in facts.actions:
            action_id = str(row.get("action_id") or "")
            if action_id and action_id not in answered and status_of(row) in OPEN_ACTION_STATUSES:
                yield Problem(
                    "actions",
                    f"{action_id} is open and not answered: add its status and progress "
                    f"({' '.join(str(row.get('action') or '').split())})",
                )


def check_progress(
    workspace: Workspace, path: Path, register: Any | None = None
) -> CheckedProgress:
    """Validate a report (.yaml, .json or the filled Word form) against the contract,
    the register and panel.yaml; raises FormInvalid listing every problem."""
    workspace.require()
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise FileUnreadable(
            f"{path.name}: a progress report must be one of {', '.join(sorted(READERS))}"
        )
    data = reader(path)
    if register is None:
        register = Register.load(workspace.register_file, ["Cases", "Actions", "Progress"])
    facts: CaseFacts | None = None
    case_id = data.get("case_id") if isinstance(data, dict) else None
    if isinstance(case_id, str) and case_id.strip():
        try:
            facts = case_facts(register, case_id)
        except CaseNotFound:
            facts = None
    on = today()
    report = validate(
        ProgressReport,
        data,
        path,
        rules=lambda form: progress_problems(form, facts, workspace, on),
        labels=_word_label if path.suffix.lower() == ".docx" else None,
    )
    assert facts is not None  # a report on no known case fails the rules above
    warnings = [str(problem) for row in facts.actions for problem in action_problems(register, row)]
    expected = as_date(facts.case.get("next_progress_due"))
    if expected is not None and expected != report.meeting:
        warnings.append(
            f"meeting: {facts.case_id}'s report is due at the {uk_date(expected)} panel; "
            f"this one is for {uk_date(report.meeting)}"
        )
    return CheckedProgress(report, path, facts, warnings)


# --- accepting ---------------------------------------------------------------------------


@dataclass
class AddedProgress:
    case_id: str
    meeting: date
    written: list[Path]
    changes: list[str]
    warnings: list[str]


def _risk_word(code: str) -> str:
    return LABELS[code]


def _risk_change(before: str | None, now: str) -> str:
    codes = {LABELS[code].casefold(): code for code in RISK_ORDER}
    old = codes.get((before or "").strip().casefold())
    if old is None:
        return "No level agreed before"
    step = RISK_ORDER.index(now) - RISK_ORDER.index(old)
    return "Unchanged" if step == 0 else ("Higher" if step > 0 else "Lower")


def report_context(
    workspace: Workspace,
    report: ProgressReport,
    facts: CaseFacts,
    *,
    received_on: date,
    previous: dict[str, dict[str, Any]],
    risk_agreed: str | None,
) -> dict[str, Any]:
    """What templates/progress-report.docx receives."""
    answers = {answer.action_id.casefold(): answer for answer in report.actions}
    actions = []
    counts = {"completed": 0, "open": 0, "overdue": 0, "cancelled": 0}
    for row in facts.actions:
        action_id = str(row.get("action_id") or "")
        answer = answers.get(action_id.casefold())
        status = status_of(row) or str(row.get("status") or "")
        was = previous.get(action_id, {}).get("status")
        overdue = is_overdue(row, report.meeting)
        counts["completed"] += status == COMPLETED
        counts["cancelled"] += status == CANCELLED
        counts["open"] += status in OPEN_ACTION_STATUSES
        counts["overdue"] += overdue
        actions.append(
            {
                "action_id": action_id,
                "action": str(row.get("action") or ""),
                "agency": str(row.get("agency") or ""),
                "owner": str(row.get("owner") or ""),
                "due": as_date(row.get("due")),
                "status": status,
                "was": was if was and was != status else None,
                "completed_on": as_date(row.get("completed_on")) if status == COMPLETED else None,
                "overdue": overdue,
                "progress": answer.progress if answer else None,
            }
        )
    return {
        "panel": panel_context(workspace.panel),
        "case_id": facts.case_id,
        "meeting": report.meeting,
        "report_date": report.date,
        "received_on": received_on,
        "reporter": report.reported_by.model_dump(),
        "report": report.model_dump(mode="python"),
        "actions": actions,
        "counts": counts,
        "risk": {
            "at_referral": facts.case.get("risk_at_referral"),
            "agreed": risk_agreed,
            "now": _risk_word(report.risk_level),
            "change": _risk_change(risk_agreed, report.risk_level),
        },
        "recommendation": LABELS[report.recommendation],
    }


def stored_name(meeting: date) -> str:
    return f"progress-{meeting.isoformat()}"


def add_progress(workspace: Workspace, path: Path) -> AddedProgress:
    """Accept a report: the Word report under the case, the register brought up to date.

    Action statuses and the case's latest risk change with Audit rows; the Progress row
    for (case, meeting) is filled or added. A close recommendation closes nothing.
    Everything is checked first; the files are published only once the register is saved.
    """
    path = Path(path)
    with transaction(workspace, "progress add") as change:
        register = change.register
        checked = check_progress(workspace, path, register)
        report, facts = checked.report, checked.facts
        bad = [
            problem
            for answer in report.actions
            for problem in action_problems(register, facts.action(answer.action_id) or {})
        ]
        if bad:
            raise RegisterCellInvalid(
                [*bad, f"{path.name}: correct the register, then add the report again"]
            )
        on = today()
        previous = {str(row.get("action_id")): dict(row) for row in facts.actions}
        risk_agreed = facts.case.get("risk_latest")
        changes = _apply_report(register, report, facts, on, path.name)

        folder = workspace.case_dir(facts.case_id) / "progress"
        stem = stored_name(report.meeting)
        relative = f"cases/{facts.case_id}/progress/{stem}.docx"
        _record_received(register, report, facts, on, relative)
        with staging_dir(folder / stem) as staging:
            rendered = render_docx(
                workspace.template(PROGRESS_TEMPLATE),
                report_context(
                    workspace,
                    report,
                    facts,
                    received_on=on,
                    previous=previous,
                    risk_agreed=str(risk_agreed) if risk_agreed else None,
                ),
                staging / f"{stem}.docx",
                labels=LABELS,
            )
            received = write_bytes(
                staging / f"{stem}-received{path.suffix.lower()}", read_bytes(path)
            )
            data = write_text(
                staging / f"{stem}.json",
                json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n",
            )

            change.commit()
            written = [
                publish(staged, folder / staged.name) for staged in (rendered, received, data)
            ]
    return AddedProgress(
        facts.case_id,
        report.meeting,
        [*written, workspace.register_file],
        changes,
        checked.warnings,
    )


def _apply_report(
    register: Any, report: ProgressReport, facts: CaseFacts, on: date, source: str
) -> list[str]:
    changes = []
    tag = f"progress report for the {report.meeting.isoformat()} panel"
    for answer in report.actions:
        row = facts.action(answer.action_id)
        if row is None:
            continue
        status = STATUS_WORDS[answer.status]
        before = status_of(row)
        note = f"{tag}: {answer.progress}" if answer.progress else None
        if status == before:
            # The same status: the progress joins the notes; a completion date corrected.
            if note:
                append_note(row, on, note)
            if status == COMPLETED and answer.completed_on:
                row["completed_on"] = answer.completed_on
            continue
        completed_on = answer.completed_on
        if status == COMPLETED and completed_on is None:
            completed_on = report.date
        apply_status(
            row,
            status,
            on=on,
            note=note,
            completed_on=completed_on,
            where=f"{source}: {row.get('action_id')}",
        )
        done = as_date(row.get("completed_on"))
        detail = f"{before} -> {status}" + (
            f"; completed on {done.isoformat()}" if status == COMPLETED and done else ""
        )
        register.audit(
            command="progress add",
            action="changed status",
            target=str(row.get("action_id")),
            detail=f"{detail}; from the {tag}",
        )
        changes.append(f"{row.get('action_id')}: {before} -> {status}")
    risk = LABELS[report.risk_level]
    before_risk = facts.case.get("risk_latest")
    if str(before_risk or "") != risk:
        facts.case["risk_latest"] = risk
        register.audit(
            command="progress add",
            action="changed latest risk",
            target=facts.case_id,
            detail=f"{before_risk or 'none'} -> {risk}; from the {tag}",
        )
        changes.append(f"{facts.case_id}: latest risk {before_risk or 'none'} -> {risk}")
    return changes


def _record_received(
    register: Any, report: ProgressReport, facts: CaseFacts, on: date, relative: str
) -> None:
    rows = [row for row in facts.progress if as_date(row.get("due_meeting")) == report.meeting]
    if rows:
        row = rows[0]
        replaced = bool(row.get("received_on"))
        row["received_on"] = on
        row["file"] = relative
        row["format"] = row.get("format") or LABELS["written"]
    else:
        replaced = False
        register.append(
            "Progress",
            {
                "case_id": facts.case_id,
                "due_meeting": report.meeting,
                "format": LABELS["written"],
                "received_on": on,
                "file": relative,
                "notes": "sent without a request in the minutes",
            },
        )
    register.audit(
        command="progress add",
        action="replaced progress report" if replaced else "received progress report",
        target=facts.case_id,
        detail=(
            f"for the {report.meeting.isoformat()} meeting, from {report.reported_by.name} "
            f"({report.reported_by.agency}); recommends {report.recommendation}; {relative}"
        ),
    )
