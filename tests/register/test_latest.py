"""The latest Audit rows (the dashboard's "what changed recently"), read from the dates alone:
the same rows as reading every row, whatever order the administrator sorted the sheet in."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from workflow.register import Register

FIRST = datetime(2027, 1, 4, 9, 0)


def _audited(path: Path, count: int) -> None:
    register = Register.create()
    for number in range(count):
        register.audit(
            command="actions update",
            action="changed status",
            target=f"CCP-2027-{number + 1:03d}-A1",
            who="A Fictional Administrator",
            when=FIRST + timedelta(hours=5 * ((number * 7) % count)),  # not in time order
        )
    register.save(path, backups_dir=path.parent / "backups", keep_backups=0)


def _by_reading_all(path: Path, count: int) -> list[tuple[Any, ...]]:
    def when(row: dict[str, Any]) -> datetime:
        value = row.get("when")
        return value if isinstance(value, datetime) else datetime.min

    rows = heapq.nlargest(count, Register.load(path).rows("Audit"), key=when)
    return [(row["when"], row["target"]) for row in rows]


def test_the_latest_rows_are_those_reading_every_row_gives(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _audited(path, 60)
    latest = Register.load(path).latest("Audit", "when", 10)
    assert [(row["when"], row["target"]) for row in latest] == _by_reading_all(path, 10)
    assert latest[0]["when"] == FIRST + timedelta(hours=5 * 59)


def test_a_sheet_sorted_by_hand_and_a_date_typed_as_text_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _audited(path, 30)
    book = load_workbook(path)
    sheet = book["Audit"]
    rows = sorted(
        (list(cells) for cells in sheet.iter_rows(min_row=2, values_only=True)),
        key=lambda cells: str(cells[2]),  # sorted by command, then as typed
    )
    for number, cells in enumerate(rows, start=2):
        for column, value in enumerate(cells, start=1):
            sheet.cell(number, column, value)
    sheet.cell(2, 1, "next Tuesday")  # a date typed as text: the oldest
    book.save(path)
    register = Register.load(path)
    latest = register.latest("Audit", "when", 5)
    assert [(row["when"], row["target"]) for row in latest] == _by_reading_all(path, 5)
    # The rows are the register's live rows: a change to one is saved.
    latest[0]["detail"] = "checked"
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)
    assert any(row["detail"] == "checked" for row in Register.load(path).rows("Audit"))


def test_fewer_dated_rows_than_asked_reads_every_row(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _audited(path, 3)
    latest = Register.load(path).latest("Audit", "when", 10)
    assert [(row["when"], row["target"]) for row in latest] == _by_reading_all(path, 10)
    assert len(latest) == 3
