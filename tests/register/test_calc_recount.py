"""Calc shows fresh numbers after ccp writes (issue 21): with default settings LibreOffice
Calc 7.4 ignores fullCalcOnLoad and shows cached results, so every formula that can depend on
a changed cell must have none: direct references, defined names, table references, formulas
in ccp's own sheets."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbook_checks import DECORATED, through_libreoffice

from workflow.register import Register

SUMMARY_FORMULAS = [
    ("Open by name", '=COUNTIF(OpenActionStatus,"Open")'),
    ("Agreed rows", "=ROWS(Agreed[Case ID])"),
    ("Completed", '=COUNTIF(Actions!$H$2:$H$1000,"Completed")'),
    ("Red actions", '=COUNTIF(Actions!M:M,"Red")'),
]


def decorated_with_formulas(folder: Path) -> Path:
    """decorated.xlsx with formulas of each kind, then saved by Calc (so each has a cached
    value, as in a register the administrator saved)."""
    made = folder / "made" / "register.xlsx"
    made.parent.mkdir()
    shutil.copyfile(DECORATED, made)
    workbook = load_workbook(made)
    summary = workbook["Summary"]
    for label, formula in SUMMARY_FORMULAS:
        summary.append([label, formula])
    actions = workbook["Actions"]
    actions["M1"] = "RAG"
    for row in range(2, actions.max_row + 1):
        if actions.cell(row, 1).value:
            actions.cell(row, 13).value = f'=IF(H{row}="Open","Red","Green")'
    workbook.save(made)
    return through_libreoffice(made, folder / "first")


def numbers(path: Path) -> dict[str, object]:
    summary = load_workbook(path, data_only=True)["Summary"]
    return {row[0].value: row[1].value for row in summary.iter_rows()}


@pytest.mark.libreoffice
def test_calc_recounts_every_kind_of_formula_after_ccp_writes(tmp_path: Path) -> None:
    register_path = tmp_path / "register.xlsx"
    shutil.copyfile(decorated_with_formulas(tmp_path), register_path)
    before = numbers(register_path)
    register = Register.load(register_path)
    actions = register.rows("Actions")
    first_open = next(row for row in actions if row["status"] == "Open")
    first_open["status"] = "Completed"
    register.append(
        "Actions",
        {"action_id": "CCP-2027-003-A9", "case_id": "CCP-2027-003", "status": "Open"},
    )
    register.append(
        "Actions",
        {"action_id": "CCP-2027-003-A10", "case_id": "CCP-2027-003", "status": "Open"},
    )
    register.append(
        "Resources",
        {"case_id": "CCP-2027-003", "meeting": date(2027, 3, 11), "amount": 10.0},
    )
    register.save(register_path, backups_dir=tmp_path / "backups", keep_backups=1)

    after = numbers(through_libreoffice(register_path, tmp_path / "second"))
    rows = Register.load(register_path).rows("Actions")
    open_now = sum(row["status"] == "Open" for row in rows)
    assert after["Open actions"] == open_now == before["Open actions"] + 1
    assert after["Open by name"] == open_now
    assert after["Actions"] == len(rows) == before["Actions"] + 2
    assert after["Completed"] == sum(row["status"] == "Completed" for row in rows)
    assert after["Completed"] == before["Completed"] + 1
    assert after["Agreed rows"] == before["Agreed rows"] + 1
    # The RAG formulas sit in ccp's Actions sheet; the updated action turns Green. (The new
    # rows have no RAG formula: nobody filled it down to them.)
    assert after["Red actions"] == before["Red actions"] - 1
