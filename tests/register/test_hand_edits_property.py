"""Random sequences of register changes and hand edits (a sort, a column inserted in the
middle of Actions, a hand-typed row, a date retyped as text) against a plain model: no row
is lost and no value moves to another row (issue 21)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from workflow.register import Register

STATUSES = ("Open", "In progress", "Completed", "Cancelled")
START = date(2027, 1, 1)


def header_index(sheet: Any, header: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


def by_hand(path: Path, change: Any) -> None:
    workbook = load_workbook(path)
    change(workbook["Actions"])
    workbook.save(path)


def sort_rows(sheet: Any, column: str) -> None:
    index = header_index(sheet, column) - 1
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    rows = [row for row in rows if any(value is not None for value in row)]
    rows.sort(key=lambda row: (row[index] is None, str(row[index])), reverse=True)
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)


def insert_column(sheet: Any) -> None:
    if any(cell.value == "Hand notes" for cell in sheet[1]):
        return
    sheet.insert_cols(5)
    sheet.cell(1, 5).value = "Hand notes"
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 5).value = f"typed {row}"


def date_as_text(sheet: Any, position: int) -> None:
    column = header_index(sheet, "Due")
    rows = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value]
    if rows:
        cell = sheet.cell(rows[position % len(rows)], column)
        if hasattr(cell.value, "strftime"):
            cell.value = cell.value.strftime("%d/%m/%Y")


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.sampled_from(STATUSES), st.integers(0, 300)),
        st.tuples(st.just("update"), st.integers(0, 50), st.sampled_from(STATUSES)),
        st.tuples(st.just("sort"), st.sampled_from(["Status", "Due", "Action ID"])),
        st.tuples(st.just("insert column")),
        st.tuples(st.just("hand row"), st.sampled_from(STATUSES), st.integers(0, 300)),
        st.tuples(st.just("date as text"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_no_row_is_lost_and_no_value_moves(steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        backups = Path(folder) / "backups"
        register = Register.create()
        model: dict[str, dict[str, Any]] = {}
        for number in range(3):
            action_id = f"CCP-2027-001-A{number + 1}"
            model[action_id] = {"status": "Open", "due": START + timedelta(days=number)}
            register.append("Actions", {"action_id": action_id, **model[action_id]})
        register.save(path, backups_dir=backups, keep_backups=0)
        counter = 100
        for step in steps:
            kind = step[0]
            if kind in ("append", "hand row"):
                counter += 1
                action_id = f"CCP-2027-002-A{counter}"
                values = {"status": step[1], "due": START + timedelta(days=step[2])}
                model[action_id] = values
                if kind == "append":
                    register = Register.load(path)
                    register.append("Actions", {"action_id": action_id, **values})
                    register.save(path, backups_dir=backups, keep_backups=0)
                else:

                    def hand_row(sheet: Any, action_id: str = action_id, values=values) -> None:
                        row = [None] * sheet.max_column
                        row[header_index(sheet, "Action ID") - 1] = action_id
                        row[header_index(sheet, "Status") - 1] = values["status"]
                        row[header_index(sheet, "Due") - 1] = values["due"]
                        sheet.append(row)

                    by_hand(path, hand_row)
            elif kind == "update":
                register = Register.load(path)
                rows = register.rows("Actions")
                row = rows[step[1] % len(rows)]
                row["status"] = step[2]
                model[row["action_id"]]["status"] = step[2]
                register.save(path, backups_dir=backups, keep_backups=0)
            elif kind == "sort":
                by_hand(path, lambda sheet, column=step[1]: sort_rows(sheet, column))
            elif kind == "insert column":
                by_hand(path, insert_column)
            else:
                by_hand(path, lambda sheet, position=step[1]: date_as_text(sheet, position))
            seen = {
                row["action_id"]: {"status": row["status"], "due": row["due"]}
                for row in Register.load(path).rows("Actions")
            }
            assert seen == model, step
