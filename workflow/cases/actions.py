"""Actions between meetings: listing, overdue, status changes, and checking hand edits."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workflow.contract.terms import (
    ACTION_STATUSES,
    CANCELLED,
    CLOSED_ACTION_STATUSES,
    COMPLETED,
    OPEN_ACTION_STATUSES,
    REASONS_NOT_DONE,
)
from workflow.core.csv_text import csv_rows
from workflow.core.dates import as_date, iso_or_typed, today, uk_date
from workflow.core.errors import ActionRejected, RegisterCellInvalid
from workflow.register import SHEETS, Register
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

# The keys of `actions list --format csv|json`, in this order (scripts rely on them).
EXPORT_KEYS = (
    "action_id",
    "case_id",
    "meeting",
    "action",
    "agency",
    "owner",
    "due",
    "status",
    "completed_on",
    "carried_forward",
    "reason_not_done",
    "overdue",
    "days_overdue",
    "notes",
)
TABLE_WIDTH = 80
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --- the register, read as people edit it --------------------------------------------------


def row_number(register: Any, sheet: str, row: dict[str, Any]) -> int | None:
    """The Excel row number of a row, or None for a row not yet saved."""
    return register.row_number(sheet, row)


_HEADERS = {
    sheet: {column.key: column.header for column in columns} for sheet, columns in SHEETS.items()
}


def cell_problem(
    register: Any, sheet: str, row: dict[str, Any], key: str, rule: str, file: str
) -> str:
    """'register.xlsx: sheet Actions, row 7, column Status: 'Done' is not ...'."""
    number = row_number(register, sheet, row)
    where = f"row {number}" if number else "a new row"
    header = _HEADERS.get(sheet, {}).get(key, key)
    return f"{file}: sheet {sheet}, {where}, column '{header}': {row.get(key)!r} {rule}"


def status_of(row: dict[str, Any]) -> str | None:
    """The row's status in the register's words; blank reads as Open; None if not a status."""
    value = row.get("status")
    if value is None or (isinstance(value, str) and not value.strip()):
        return "Open"
    return value if value in ACTION_STATUSES else None


_STATUSES = frozenset(ACTION_STATUSES)
_REASONS = frozenset(REASONS_NOT_DONE)


def _usable(row: dict[str, Any]) -> bool:
    """The quick answer for the common row: every checked cell holds a value the tool can use."""
    status = row.get("status")
    if status is not None and status not in _STATUSES and str(status).strip():
        return False
    for key in ("meeting", "due", "completed_on"):
        value = row.get(key)
        if value is not None and not isinstance(value, date):
            return False
    count = row.get("carried_forward")
    if count is not None and (type(count) is not int or count < 0):
        return False
    reason = row.get("reason_not_done")
    return reason is None or reason in _REASONS


def action_problems(register: Any, row: dict[str, Any], file: str = "register.xlsx") -> list[str]:
    """Every hand-edited value in an Actions row that the tool cannot use, naming its cell."""
    if _usable(row):
        return []
    problems = []
    if status_of(row) is None:
        problems.append(
            cell_problem(
                register,
                "Actions",
                row,
                "status",
                f"is not a status; choose one of {', '.join(ACTION_STATUSES)}",
                file,
            )
        )
    for key in ("meeting", "due", "completed_on"):
        value = row.get(key)
        if value is not None and as_date(value) is None:
            problems.append(
                cell_problem(
                    register, "Actions", row, key, "is not a date; type it like 14/01/2027", file
                )
            )
    count = row.get("carried_forward")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        problems.append(
            cell_problem(register, "Actions", row, "carried_forward", "is not a whole number", file)
        )
    reason = row.get("reason_not_done")
    if reason is not None and reason not in REASONS_NOT_DONE:
        problems.append(
            cell_problem(
                register,
                "Actions",
                row,
                "reason_not_done",
                f"is not a reason; choose one of {', '.join(REASONS_NOT_DONE)}",
                file,
            )
        )
    return problems


# --- listing -----------------------------------------------------------------------------


@dataclass
class ActionItem:
    """One row of the Actions sheet, as listed."""

    row: dict[str, Any]
    status: str  # the register's word, or the value as typed when it is not a status
    due: date | None
    overdue: bool
    days_overdue: int

    @property
    def action_id(self) -> str:
        return _text(self.row.get("action_id"))

    def export(self) -> dict[str, Any]:
        """The stable keys of CSV and JSON output: ISO dates, plain values."""
        row = self.row
        values: dict[str, Any] = {
            "action_id": _text(row.get("action_id")) or None,
            "case_id": _text(row.get("case_id")) or None,
            "meeting": iso_or_typed(row.get("meeting")),
            "action": _text(row.get("action")) or None,
            "agency": _text(row.get("agency")) or None,
            "owner": _text(row.get("owner")) or None,
            "due": iso_or_typed(row.get("due")),
            "status": self.status,
            "completed_on": iso_or_typed(row.get("completed_on")),
            "carried_forward": row.get("carried_forward") or 0,
            "reason_not_done": _text(row.get("reason_not_done")) or None,
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "notes": _text(row.get("notes")) or None,
        }
        return {key: values[key] for key in EXPORT_KEYS}


@dataclass
class ActionList:
    as_of: date
    items: list[ActionItem]
    warnings: list[str] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue)


def is_overdue(row: dict[str, Any], as_of: date) -> bool:
    """Open (or in progress) and due before ``as_of``: an action due on the day is not late."""
    due = as_date(row.get("due"))
    return status_of(row) in OPEN_ACTION_STATUSES and due is not None and due < as_of


def closed_cases(register: Any) -> set[str]:
    return {
        str(row.get("case_id"))
        for row in register.rows("Cases")
        if str(row.get("status") or "").strip().casefold() == "closed"
    }


def _same(value: Any, wanted: str) -> bool:
    """Equal ignoring case and spacing; ``wanted`` is already folded."""
    return " ".join(_text(value).split()).casefold() == wanted


def list_actions(
    register: Any,
    *,
    as_of: date | None = None,
    overdue_only: bool = False,
    case: str | None = None,
    agency: str | None = None,
    owner: str | None = None,
    include_closed: bool = False,
    file: str = "register.xlsx",
) -> ActionList:
    """The actions that pass the filters (case-insensitive), by due date then action ID.

    Rows with hand-edited values the tool cannot read are listed as typed, with a warning
    naming the cell; they are never overdue.
    """
    as_of = as_of or today()
    closed = set() if include_closed else closed_cases(register)
    wanted = {
        key: " ".join(value.split()).casefold()
        for key, value in (("case_id", case), ("agency", agency), ("owner", owner))
        if value is not None
    }
    items, warnings = [], []
    # The hot path of `actions list` at 60,000 actions: plain checks, no per-row helpers.
    for row in register.rows("Actions"):
        case_id = row.get("case_id")
        if case_id is not None and str(case_id) in closed:
            continue
        if wanted and not all(_same(row.get(key), value) for key, value in wanted.items()):
            continue
        if _usable(row):
            status = row.get("status")
            status = status if status in _STATUSES else "Open"  # blank reads as Open
            due = row.get("due")
            if isinstance(due, datetime):
                due = due.date()
            overdue = status in OPEN_ACTION_STATUSES and due is not None and due < as_of
        else:
            if not any(value not in (None, "") for value in row.values()):
                continue
            warnings += action_problems(register, row, file)
            status = status_of(row) or _text(row.get("status"))
            due, overdue = as_date(row.get("due")), False
        if overdue_only and not overdue:
            continue
        items.append(
            ActionItem(
                row=row,
                status=status,
                due=due,
                overdue=overdue,
                days_overdue=(as_of - due).days if overdue else 0,
            )
        )
    items.sort(key=lambda item: (item.due or date.max, _natural(item.action_id)))
    return ActionList(as_of, items, warnings)


def _natural(text: str) -> tuple[str, int, str]:
    """CCP-2027-004-A10 after CCP-2027-004-A9."""
    stem, _, number = text.rpartition("-A")
    return (stem, int(number), "") if number.isdigit() else (text, 0, "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- formats -----------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def format_table(listing: ActionList, width: int = TABLE_WIDTH) -> str:
    """An aligned table for people: overdue rows start with '!' and say OVERDUE."""
    widths = (16, 10, 11, 15)  # action ID, due, status, owner; the action takes the rest
    action_width = width - 2 - sum(widths) - len(widths)

    def line(mark: str, cells: tuple[str, ...], action: str) -> str:
        padded = " ".join(
            f"{_cut(text, size):<{size}}" for text, size in zip(cells, widths, strict=True)
        )
        return f"{mark} {padded} {_cut(action, action_width)}".rstrip()

    lines = [line(" ", ("Action ID", "Due", "Status", "Owner"), "Action")]
    for item in listing.items:
        due = item.due.isoformat() if item.due else _text(item.row.get("due"))
        lines.append(
            line(
                "!" if item.overdue else " ",
                (
                    item.action_id,
                    due,
                    "OVERDUE" if item.overdue else item.status,
                    _text(item.row.get("owner")),
                ),
                _text(item.row.get("action")),
            )
        )
    count = len(listing.items)
    foot = f"{count} action{'' if count == 1 else 's'}"
    if listing.overdue_count:
        foot += (
            f", {listing.overdue_count} overdue (!: open and due before {uk_date(listing.as_of)})"
        )
    else:
        foot += f", none overdue on {uk_date(listing.as_of)}"
    lines.append(foot)
    return "\n".join(lines) + "\n"


def format_csv(listing: ActionList) -> str:
    rows = []
    for item in listing.items:
        row = item.export()
        row["overdue"] = "true" if row["overdue"] else "false"
        rows.append(row)
    return csv_rows(EXPORT_KEYS, rows)


def format_json(listing: ActionList) -> str:
    """One object: as_of, count, overdue, and the actions, one a line (fast to write and
    to diff; json.dumps with indent is ten times slower at 60,000 actions)."""
    head = {
        "as_of": listing.as_of.isoformat(),
        "count": len(listing.items),
        "overdue": listing.overdue_count,
    }
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "actions": [']
    actions = [json.dumps(item.export(), ensure_ascii=False) for item in listing.items]
    lines.append(",\n".join(f"  {action}" for action in actions))
    lines.append("]}")
    return "\n".join(line for line in lines if line) + "\n"


FORMATS = {"table": format_table, "csv": format_csv, "json": format_json}


# --- updating ----------------------------------------------------------------------------


@dataclass
class Updated:
    action_id: str
    before: str
    after: str
    completed_on: date | None
    reason: str | None
    written: list[Path]

    def summary(self) -> str:
        change = self.after if self.before == self.after else f"{self.before} -> {self.after}"
        if self.completed_on:
            change += f" (completed on {uk_date(self.completed_on)})"
        if self.reason:
            change += f" (reason not done: {self.reason})"
        return f"{self.action_id}: {change}"


def canonical_status(text: str) -> str:
    wanted = " ".join(text.split()).casefold().replace("_", " ")
    for status in ACTION_STATUSES:
        if status.casefold() == wanted:
            return status
    raise ActionRejected(
        f"--status: {text!r} is not a status; choose one of {', '.join(ACTION_STATUSES)}"
    )


def canonical_reason(text: str) -> str:
    wanted = " ".join(text.split()).casefold()
    for reason in REASONS_NOT_DONE:
        if reason == wanted or (reason == "not undertaken" and wanted.startswith(reason)):
            return reason
    raise ActionRejected(
        f"--reason: {text!r} is not a reason; choose one of "
        + ", ".join(f'"{reason}"' for reason in REASONS_NOT_DONE)
    )


def find_action(register: Any, action_id: str) -> dict[str, Any]:
    """The one Actions row with this Action ID (by key, never by position)."""
    wanted = action_id.strip().casefold()
    # Found by searching for the ID (in any capitals), not by reading 60,000 rows.
    candidates = (
        register.select("Actions", "action_id", [action_id.strip()], loose=True)
        if action_id.strip()
        else register.rows("Actions")
    )
    rows = [row for row in candidates if _text(row.get("action_id")).strip().casefold() == wanted]
    if len(rows) == 1:
        return rows[0]
    if rows:
        numbers = ", ".join(str(row_number(register, "Actions", row) or "?") for row in rows)
        raise ActionRejected(
            f"{action_id}: {len(rows)} rows of the Actions sheet have this Action ID (rows "
            f"{numbers}); give each its own ID in the register"
        )
    known = [_text(value) for value in register.column_values("Actions", "action_id")]
    close = difflib.get_close_matches(action_id.strip(), known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise ActionRejected(f"{action_id}: no such action in the register{hint}")


def clean_note(note: str) -> str:
    note = note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not note:
        raise ActionRejected("--note: must not be blank")
    bad = _XML_ILLEGAL.search(note)
    if bad:
        raise ActionRejected(
            f"--note: contains the control character U+{ord(bad.group()):04X}, which Excel "
            "cannot store; delete it"
        )
    return note


def append_note(row: dict[str, Any], on: date, note: str) -> None:
    """The note as 'YYYY-MM-DD: text' on a line of its own, after the earlier notes."""
    earlier = _text(row.get("notes")).rstrip("\n")
    entry = f"{on.isoformat()}: {note}"
    row["notes"] = f"{earlier}\n{entry}" if earlier else entry


def apply_status(
    row: dict[str, Any],
    status: str,
    *,
    on: date,
    note: str | None = None,
    completed_on: date | None = None,
    reason: str | None = None,
    where: str = "",
) -> tuple[str, date | None, str | None]:
    """Change one (already checked) Actions row by the rules; returns (before, done on, reason).

    Completed needs a completion date (default ``on``): not after ``on``, not before the
    meeting that agreed the action. Cancelled needs a reason. Reopening a completed or
    cancelled action needs a note. A reason not done may also be given for an open
    action that is overdue.
    """
    before = status_of(row) or _text(row.get("status"))
    prefix = f"{where}: " if where else ""
    if completed_on is not None and status != COMPLETED:
        raise ActionRejected(f"{prefix}a completion date goes with status Completed only")
    if status == COMPLETED:
        if completed_on is None:
            kept = as_date(row.get("completed_on")) if before == COMPLETED else None
            completed_on = kept or on
        if completed_on > on:
            raise ActionRejected(
                f"{prefix}the completion date {uk_date(completed_on)} is in the future "
                f"(today is {uk_date(on)})"
            )
        meeting = as_date(row.get("meeting"))
        if meeting is not None and completed_on < meeting:
            raise ActionRejected(
                f"{prefix}the completion date {uk_date(completed_on)} is before the "
                f"{uk_date(meeting)} meeting that agreed the action"
            )
    if status == CANCELLED and reason is None:
        raise ActionRejected(
            f"{prefix}cancelling needs a reason: --reason "
            + " or ".join(f'"{r}"' for r in REASONS_NOT_DONE)
        )
    if reason is not None and status in OPEN_ACTION_STATUSES and not is_overdue(row, on):
        raise ActionRejected(
            f"{prefix}a reason not done is for a cancelled action, or an open one that is overdue"
        )
    reopening = before in CLOSED_ACTION_STATUSES and status in OPEN_ACTION_STATUSES
    if reopening and not note:
        raise ActionRejected(
            f"{prefix}reopening a {before.lower()} action needs a note saying why (--note)"
        )
    unchanged = (
        status == before
        and not note
        and (status != COMPLETED or completed_on == as_date(row.get("completed_on")))
        and (reason is None or reason == row.get("reason_not_done"))
    )
    if unchanged:
        raise ActionRejected(f"{prefix}is already {before}; nothing to change")

    row["status"] = status
    if status == COMPLETED:
        row["completed_on"] = completed_on
        row["reason_not_done"] = None
    elif status == CANCELLED:
        row["completed_on"] = None
        row["reason_not_done"] = reason
    else:
        row["completed_on"] = None
        row["reason_not_done"] = (
            reason if reason is not None else (None if reopening else row.get("reason_not_done"))
        )
    if note:
        append_note(row, on, note)
    return before, completed_on if status == COMPLETED else None, reason


def update_action(
    workspace: Workspace,
    action_id: str,
    *,
    status: str,
    note: str | None = None,
    completed_on: date | None = None,
    reason: str | None = None,
) -> Updated:
    """Change an action's status (and notes) in the register, with an Audit row."""
    workspace.require()
    status = canonical_status(status)
    note = clean_note(note) if note is not None else None
    reason = canonical_reason(reason) if reason is not None else None
    on = today()
    file = workspace.register_file.name
    with transaction(workspace, "actions update") as change:
        register = change.register
        row = find_action(register, action_id)
        problems = action_problems(register, row, file)
        if problems:
            raise RegisterCellInvalid(
                [
                    *problems,
                    f"{row.get('action_id')}: correct the register, then run the command again",
                ]
            )
        real_id = _text(row.get("action_id"))
        before, done_on, reason = apply_status(
            row,
            status,
            on=on,
            note=note,
            completed_on=completed_on,
            reason=reason,
            where=real_id,
        )
        detail = [f"{before} -> {status}" if before != status else f"still {status}"]
        if done_on:
            detail.append(f"completed on {done_on.isoformat()}")
        if reason:
            detail.append(f"reason not done: {reason}")
        if note:
            detail.append(f"note: {note}")
        register.audit(
            command="actions update",
            action="changed status" if before != status else "updated action",
            target=real_id,
            detail="; ".join(detail),
        )

        change.commit()
    return Updated(real_id, before, status, done_on, reason, [workspace.register_file])


def read_actions(workspace: Workspace, **filters: Any) -> ActionList:
    """`ccp actions list`: the register read (Cases and Actions only), then list_actions."""
    workspace.require()
    register = Register.load(workspace.register_file, ["Cases", "Actions"])
    return list_actions(register, file=workspace.register_file.name, **filters)
