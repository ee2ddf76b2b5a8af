"""Helpers for the between-meetings tests: a workspace whose first meeting is minuted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from helpers import accept_two, complete_draft
from openpyxl import load_workbook

from workflow.core.dates import as_of
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.recording import record_minutes

MEETING = date(2027, 3, 11)
NEXT = date(2027, 5, 13)


def minute_first_meeting(
    workspace: Any, inbox: Path, referral_data: dict[str, Any], scratch: Path, **changes: Any
) -> list[str]:
    """CCP-2027-001 and -002 accepted, discussed on 11 March 2027 and minuted the next day.

    Each case gets A1 (Morgan Pretend, Children's social care, due 25 March) and A2
    (PC Sam Madeup, Police, due 18 March), and a report due at the 13 May meeting.
    """
    cases = accept_two(workspace, inbox, referral_data)
    with as_of(date(2027, 3, 12)):
        draft_minutes(workspace, MEETING)
        draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
        done = complete_draft(draft, scratch / "minutes-done.yaml", **changes)
        record_minutes(workspace, done)
    return cases


def sheet_rows(path: Path, name: str) -> list[dict[str, Any]]:
    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(row)]


def edit_cells(path: Path, sheet: str, match: dict[str, Any], values: dict[str, Any]) -> int:
    """Change cells the way a person does in Excel (openpyxl load, edit, save); the row number."""
    book = load_workbook(path)
    table = book[sheet]
    header = [cell.value for cell in table[1]]
    for row in table.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        if all(cells[name].value == value for name, value in match.items()):
            for name, value in values.items():
                cells[name].value = value
            book.save(path)
            return row[0].row
    raise AssertionError(f"no row matching {match}")


def append_row(path: Path, sheet: str, values: dict[str, Any]) -> int:
    """A row typed in by hand at the bottom of a sheet; its row number."""
    book = load_workbook(path)
    table = book[sheet]
    header = [cell.value for cell in table[1]]
    table.append([values.get(name) for name in header])
    book.save(path)
    return table.max_row
