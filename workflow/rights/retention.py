"""`ccp retention report` and `ccp retention hold`: what is due for review or disposal under
the retention classes in panel.yaml, and the legal holds that stop a disposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workflow.contract.retention import CLASS_WORDS, RetentionClass
from workflow.core import files
from workflow.core.dates import as_date, months_before, today, uk_date
from workflow.core.errors import CaseNotFound, RecordsRefused
from workflow.register import Register, current_user
from workflow.workspace.disposal_stage import STAGE_DIR
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

DUE = "due for disposal"
# The classes of copies (not the record), destroyed without a review once due.
COPY_KINDS = {CLASS_WORDS[key] for key in ("extracts_and_emails", "backups", "staging")}
REVIEW = "due for review"
HELD = "on legal hold"


@dataclass(frozen=True)
class Due:
    """One record the schedule reaches: what, which class, when, and why."""

    target: str
    kind: str
    due: date
    status: str
    why: str
    hold: str = ""


@dataclass
class RetentionReport:
    as_of: date
    items: list[Due]
    holds: list[dict[str, Any]]
    # The basis of each class the items fall under, said once.
    bases: dict[str, str] = field(default_factory=dict)


def active_hold(register: Register, case_id: str) -> dict[str, Any] | None:
    for row in register.select("Retention holds", "case_id", [case_id]):
        if not row.get("lifted_on"):
            return row
    return None


def disposed_on(register: Register, case_id: str) -> date | None:
    rows = register.select("Tombstones", "case_id", [case_id])
    dates = [as_date(row.get("destroyed_on")) for row in rows]
    return min((day for day in dates if day), default=None)


def case_due(klass: RetentionClass, row: dict[str, Any]) -> tuple[date | None, str]:
    """When a case's papers fall due under ``klass`` and why; None while the start is unknown
    (an open case counted from closure)."""
    start = {
        "date_of_birth": as_date(row.get("date_of_birth")),
        "case_closed": as_date(row.get("closed_on")),
        "meeting": as_date(row.get("meeting")),
        "file_made": as_date(row.get("accepted_on")),
    }[klass.counted_from]
    if start is None:
        return None, f"{klass.words()}: not yet known"
    return klass.due(start), klass.words()


def _status(due: date, as_of: date, review_months: int) -> str | None:
    if as_of >= due:
        return DUE
    if as_of >= months_before(due, review_months):
        return REVIEW
    return None


def retention_report(workspace: Workspace, as_of: date | None = None) -> RetentionReport:
    """Every case, signed minutes and file the schedule reaches by ``as_of`` (default today)."""
    workspace.require()
    as_of = as_of or today()
    schedule = workspace.panel.retention
    register = Register.load(workspace.register_file)
    holds = register.rows("Retention holds") if register.has_sheet("Retention holds") else []
    held = {row.get("case_id"): row for row in holds if not row.get("lifted_on")}
    disposed = (
        {row.get("case_id") for row in register.rows("Tombstones")}
        if register.has_sheet("Tombstones")
        else set()
    )
    items: list[Due] = []
    klass = schedule.case_papers
    for row in register.rows("Cases"):
        case_id = row.get("case_id")
        if not case_id or case_id in disposed:
            continue
        due, why = case_due(klass, row)
        if due is None:
            continue
        status = _status(due, as_of, schedule.review_months)
        hold = held.get(case_id)
        if status is None and hold is None:
            continue
        items.append(
            Due(
                case_id,
                CLASS_WORDS["case_papers"],
                due,
                HELD if hold else status or "",
                why
                if str(row.get("status") or "").strip().casefold() == "closed"
                else f"{why}; the case is still open",
                str(hold.get("reason") or "") if hold else "",
            )
        )
    minutes = schedule.signed_minutes
    for row in register.rows("Signatures"):
        meeting = as_date(row.get("meeting"))
        if meeting is None or "/extracts/" in str(row.get("file") or ""):
            continue
        due = minutes.due(meeting)
        status = _status(due, as_of, schedule.review_months)
        if status:
            items.append(
                Due(
                    str(row.get("file")),
                    CLASS_WORDS["signed_minutes"],
                    due,
                    status,
                    minutes.words(),
                )
            )
    items += _files_due(workspace, as_of, schedule)
    items.sort(key=lambda item: (item.status != DUE, item.due, item.target))
    kinds = {item.kind for item in items}
    bases = {
        words: getattr(schedule, key).basis for key, words in CLASS_WORDS.items() if words in kinds
    }
    return RetentionReport(as_of, items, [row for row in holds if not row.get("lifted_on")], bases)


def due_copies(workspace: Workspace, as_of: date) -> list[Due]:
    """Extracts, e-mail drafts, backups and staging the schedule reaches by ``as_of``
    (all due for disposal: copies need no review)."""
    return _files_due(workspace, as_of, workspace.panel.retention)


def _files_due(workspace: Workspace, as_of: date, schedule: Any) -> list[Due]:
    found: list[Due] = []
    groups = [
        (
            "extracts_and_emails",
            [*workspace.output_dir.glob("*/extracts/*"), *workspace.output_dir.glob("**/*.eml")],
        ),
        ("backups", list(workspace.backups_dir.glob("*.xlsx"))),
        (
            "staging",
            [
                path
                for path in workspace.root.rglob("*")
                if files.TEMP_MARKER in path.name or path.name == STAGE_DIR
            ],
        ),
    ]
    seen: set[Path] = set()
    for key, paths in groups:
        klass = getattr(schedule, key)
        for path in sorted(set(paths)):
            if path in seen or not path.exists():
                continue
            seen.add(path)
            made = datetime.fromtimestamp(path.stat().st_mtime).date()
            due = klass.due(made)
            # Copies and leftovers need no review before they go: due or not.
            status = DUE if as_of >= due else None
            if status:
                found.append(
                    Due(
                        workspace.relative(path),
                        CLASS_WORDS[key],
                        due,
                        status,
                        klass.words(),
                    )
                )
    return found


def report_text(report: RetentionReport) -> str:
    lines = [f"Retention as of {uk_date(report.as_of)}"]
    if not report.items:
        lines.append("Nothing is due for review or disposal.")
    for item in report.items:
        lines.append(
            f"{item.status}: {item.target} ({item.kind}), due {uk_date(item.due)}: {item.why}"
        )
        if item.hold:
            lines.append(f"    held: {item.hold}")
    copies = sum(1 for item in report.items if item.kind in COPY_KINDS and item.status == DUE)
    if copies:
        lines.append(
            f"{copies} {'copy' if copies == 1 else 'copies'} due: "
            "ccp retention dispose-copies --authorised-by NAME destroys them"
        )
    for kind, basis in report.bases.items():
        lines.append(f"Basis for {kind}: {basis}")
    lines.append(f"Legal holds: {len(report.holds)}")
    for row in report.holds:
        placed = uk_date(as_date(row.get("placed_on")))
        who = row.get("placed_by")
        lines.append(f"  {row.get('case_id')}: {row.get('reason')} (placed {placed} by {who})")
    return "\n".join(lines) + "\n"


def place_hold(workspace: Workspace, case_id: str, reason: str) -> dict[str, Any]:
    """Put a case on legal hold: it is never disposed of until the hold is lifted."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise RecordsRefused(
            "--reason: say why the case is held (litigation, an inquiry, a request)"
        )
    with transaction(workspace, "retention hold") as change:
        register = change.register
        _require_case(register, case_id)
        current = active_hold(register, case_id)
        if current is not None:
            raise RecordsRefused(
                f"{case_id}: already on legal hold since "
                f"{uk_date(as_date(current.get('placed_on')))} ({current.get('reason')})"
            )
        row = register.append(
            "Retention holds",
            {
                "case_id": case_id,
                "reason": reason,
                "placed_by": current_user(),
                "placed_on": today(),
            },
        )
        register.audit(
            command="retention hold", action="placed a legal hold", target=case_id, detail=reason
        )
        change.commit()
    return row


def lift_hold(workspace: Workspace, case_id: str) -> dict[str, Any]:
    with transaction(workspace, "retention hold") as change:
        register = change.register
        _require_case(register, case_id)
        current = active_hold(register, case_id)
        if current is None:
            raise RecordsRefused(f"{case_id}: is not on legal hold")
        current["lifted_on"] = today()
        current["lifted_by"] = current_user()
        register.audit(command="retention hold", action="lifted a legal hold", target=case_id)
        change.commit()
    return current


def _require_case(register: Register, case_id: str) -> dict[str, Any]:
    rows = register.select("Cases", "case_id", [case_id])
    if not rows:
        raise CaseNotFound(f"{case_id}: no such case in the register")
    return rows[0]
