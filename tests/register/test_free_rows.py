"""New rows go where the administrator's formulas expect them (issue 21): a row holding only
a filled-down formula is a free row to fill, keeping the formula, whichever program saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbook_checks import DECORATED, through_libreoffice

from workflow.register import Register


def filled_down(folder: Path) -> Path:
    """decorated.xlsx with a formula filled down Actions M2:M1000, unguarded, so that a row
    without an action shows "No" (saved by openpyxl)."""
    path = folder / "made" / "register.xlsx"
    path.parent.mkdir(parents=True)
    shutil.copyfile(DECORATED, path)
    workbook = load_workbook(path)
    actions = workbook["Actions"]
    actions["M1"] = "Overdue?"
    for row in range(2, 1001):
        actions.cell(row, 13).value = f'=IF(H{row}="Open","Yes","No")'
    workbook.save(path)
    return path


@pytest.mark.parametrize("saved_by", ["openpyxl", "libreoffice"])
def test_a_new_action_fills_the_first_row_after_the_keys(tmp_path: Path, saved_by: str) -> None:
    made = filled_down(tmp_path)
    if saved_by == "libreoffice":
        made = through_libreoffice(made, tmp_path / "lo")
    path = tmp_path / "register.xlsx"
    shutil.copyfile(made, path)
    sheet = load_workbook(path)["Actions"]
    last_key = max(row for row in range(2, 1001) if sheet.cell(row, 1).value)
    filter_before = sheet.auto_filter.ref

    register = Register.load(path)
    count = len(register.rows("Actions"))
    register.append("Actions", {"action_id": "CCP-2027-003-A9", "case_id": "CCP-2027-003"})
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=1)

    sheet = load_workbook(path)["Actions"]
    assert sheet.cell(last_key + 1, 1).value == "CCP-2027-003-A9"
    # The administrator's formula in that row is kept; nothing went below the block.
    assert sheet.cell(last_key + 1, 13).value == (f'=IF(H{last_key + 1}="Open","Yes","No")')
    assert sheet.cell(1001, 1).value is None
    assert filter_before.endswith(str(last_key))
    assert sheet.auto_filter.ref == filter_before[: -len(str(last_key))] + str(last_key + 1)
    assert len(Register.load(path).rows("Actions")) == count + 1
