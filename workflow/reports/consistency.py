"""`ccp check`: does the register agree with the recorded minutes, the signatures and the files?

Every fact the minutes decide is held in the register too (risk, next report, escalation,
closure, each agreed action); hand edits in Excel can make the two drift. Each disagreement
is one line naming the case, action, meeting or file and what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workflow.contract import LABELS, MinutesRecord
from workflow.core.dates import as_date, uk_date
from workflow.core.errors import CcpError
from workflow.meetings.records import (
    load_recorded,
    meeting_row,
    record_digest,
    recorded_file,
    sha256_of,
    version_of,
)
from workflow.register import Register
from workflow.workspace.paths import Workspace


@dataclass
class Consistency:
    problems: list[str]
    checked: dict[str, int]

    @property
    def clean(self) -> bool:
        return not self.problems


def check_workspace(workspace: Workspace) -> Consistency:
    """Every disagreement between the register, the recorded minutes and the signed files."""
    workspace.require()
    register = Register.load(workspace.register_file)
    problems = [str(problem) for problem in register.problems()]
    records: dict[date, MinutesRecord] = {}
    for row in register.rows("Meetings"):
        meeting = as_date(row.get("meeting"))
        if meeting is None or not version_of(row):
            continue
        record = _recorded(workspace, register, meeting, problems)
        if record is not None:
            records[meeting] = record
    # What a disposal destroyed is meant to be missing (the Tombstones sheet says so).
    destroyed = (
        {str(row.get("what")) for row in register.rows("Tombstones")}
        if register.has_sheet("Tombstones")
        else set()
    )
    problems += _signatures(workspace, register, destroyed)
    cases = {str(row.get("case_id")): row for row in register.rows("Cases") if row.get("case_id")}
    problems += _case_folders(workspace, cases, destroyed)
    problems += _decisions(cases, records)
    problems += _actions(register, records)
    checked = {
        "meetings recorded": len(records),
        "cases": len(cases),
        "signed files": len(register.rows("Signatures")),
    }
    return Consistency(problems, checked)


def _recorded(
    workspace: Workspace, register: Any, meeting: date, problems: list[str]
) -> MinutesRecord | None:
    row = meeting_row(register, meeting)
    version = version_of(row)
    path = recorded_file(workspace, meeting, version)
    where = workspace.relative(path)
    if not path.is_file():
        problems.append(f"{where}: missing (the register records version {version})")
        return None
    expected = str(row.get("record_sha256") or "").lower()
    if expected and record_digest(path.read_bytes()) != expected:
        problems.append(f"{where}: not the version the register recorded (changed by hand?)")
    try:
        return load_recorded(workspace, meeting, version).record
    except CcpError as err:
        problems.append(str(err))
        return None


def _signatures(workspace: Workspace, register: Any, destroyed: set[str]) -> list[str]:
    problems = []
    for row in register.rows("Signatures"):
        name = str(row.get("file") or "")
        if not name or name in destroyed:
            continue
        path = workspace.root / name
        if not path.is_file():
            problems.append(f"{name}: signed on {_day(row.get('signed_on'))} but missing")
        elif sha256_of(path) != str(row.get("sha256") or "").lower():
            problems.append(f"{name}: changed since it was signed (its SHA-256 differs)")
    return problems


def _case_folders(
    workspace: Workspace, cases: dict[str, dict[str, Any]], destroyed: set[str]
) -> list[str]:
    problems = [
        f"{case_id}: in the Cases sheet but cases/{case_id}/case.json is missing"
        for case_id in cases
        if not (workspace.case_dir(case_id) / "case.json").is_file()
        and f"cases/{case_id}/case.json" not in destroyed
    ]
    if workspace.cases_dir.is_dir():
        problems += [
            f"cases/{folder.name}: a case folder with no row in the Cases sheet"
            for folder in sorted(workspace.cases_dir.iterdir())
            if folder.is_dir() and folder.name.startswith("CCP-") and folder.name not in cases
        ]
    return problems


def _decisions(cases: dict[str, dict[str, Any]], records: dict[date, MinutesRecord]) -> list[str]:
    """Each case's row against the latest minutes that discussed it (and every escalation)."""
    problems = []
    latest: dict[str, tuple[date, Any]] = {}
    escalated: dict[str, date] = {}
    for meeting in sorted(records):
        for case in records[meeting].cases:
            latest[case.case_id] = (meeting, case)
            if case.escalate_to_partnership:
                escalated.setdefault(case.case_id, meeting)
    for case_id, (meeting, decided) in sorted(latest.items()):
        row = cases.get(case_id)
        when = f"the {uk_date(meeting)} minutes"
        if row is None:
            problems.append(f"{case_id}: discussed in {when} but not in the Cases sheet")
            continue
        risk = LABELS[decided.risk_level]
        if row.get("risk_latest") != risk:
            problems.append(
                f"{case_id}: latest risk says {_shown(row.get('risk_latest'))} but {when} "
                f"agreed {risk}"
            )
        status = "closed" if decided.close_case else "open"
        if row.get("status") != status:
            problems.append(
                f"{case_id}: Status says {_shown(row.get('status'))} but {when} left it {status}"
            )
        due = decided.progress_report.due_meeting if decided.progress_report else None
        if not decided.close_case and as_date(row.get("next_progress_due")) != due:
            problems.append(
                f"{case_id}: next progress due says {_day(row.get('next_progress_due'))} but "
                f"{when} asked for {uk_date(due) if due else 'none'}"
            )
        if case_id in escalated and row.get("escalated") is not True:
            problems.append(
                f"{case_id}: Escalated says {_shown(row.get('escalated'))} but the "
                f"{uk_date(escalated[case_id])} minutes escalated the case to the Partnership"
            )
        if case_id not in escalated and row.get("escalated") is True:
            problems.append(f"{case_id}: Escalated says Yes but no recorded minutes escalated it")
    return problems


def _actions(register: Any, records: dict[date, MinutesRecord]) -> list[str]:
    rows = {str(row.get("action_id")): row for row in register.rows("Actions")}
    problems = []
    for meeting in sorted(records):
        record = records[meeting]
        agreed = [a for case in record.cases for a in case.actions] + [
            a for item in record.strategic_items for a in item.actions
        ]
        for action in agreed:
            if action.action_id and action.action_id not in rows:
                problems.append(
                    f"{action.action_id}: agreed in the {uk_date(meeting)} minutes but not in "
                    "the Actions sheet"
                )
    return problems


def _shown(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "nothing" if value in (None, "") else str(value)


def _day(value: Any) -> str:
    day = as_date(value)
    return uk_date(day) if day else _shown(value)
