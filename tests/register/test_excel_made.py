"""Registers built on workbooks Excel saved (tests/data/registers/excel, sources in
tests/data/registers/README): ccp's sheets added to an Excel-made workbook, then edited by
the Register. Every part ccp does not own stays byte for byte; Calc reopens the file."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from workbook_checks import REGISTERS, parts, through_libreoffice

from workflow.register import Register
from workflow.register.new_sheet import sheet_xml
from workflow.register.schema import SHEETS
from workflow.xlsx.workbook import Workbook

EXCEL = sorted((REGISTERS / "excel").glob("*.xlsx"))
# Parts a command may write besides ccp's sheets: the workbook (calcPr, names), the package's
# lists of parts, styles.xml (a date style like the cell's, when none fits) and the
# calculation chain (dropped: Excel rebuilds it).
PACKAGE_PARTS = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
    "xl/calcChain.xml",
}


def with_register_sheets(source: Path) -> bytes:
    workbook = Workbook(source.read_bytes())
    for name in SHEETS:
        workbook.add_sheet(name, sheet_xml(name, None))
    buffer = io.BytesIO()
    workbook.write(buffer)
    return buffer.getvalue()


def theirs(files: dict[str, bytes]) -> dict[str, bytes]:
    """The parts of the Excel-made workbook that hold no formula: nothing may change them."""
    return {
        name: data
        for name, data in files.items()
        if name not in PACKAGE_PARTS and not (name.startswith("xl/worksheets/") and b"<f" in data)
    }


@pytest.mark.parametrize("source", EXCEL, ids=[path.stem for path in EXCEL])
def test_register_edits_keep_every_part_of_an_excel_workbook(source: Path, tmp_path: Path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(with_register_sheets(source))
    original = theirs(parts(source.read_bytes()))
    backups = tmp_path / "backups"

    register = Register.load(path)
    register.append(
        "Cases",
        {"case_id": "CCP-2027-001", "status": "open", "accepted_on": date(2027, 2, 20)},
    )
    register.append("Actions", {"action_id": "CCP-2027-001-A1", "status": "Open"})
    register.audit(command="referral add", action="accepted referral", target="CCP-2027-001")
    register.save(path, backups_dir=backups)
    register = Register.load(path)
    register.rows("Actions")[0]["status"] = "Completed"
    register.save(path, backups_dir=backups)

    after = parts(path)
    assert {name: after.get(name) for name in original} == original
    reread = Register.load(path)
    assert reread.rows("Cases")[0]["accepted_on"] == date(2027, 2, 20)  # 1904 dates too
    assert reread.rows("Actions")[0]["status"] == "Completed"


@pytest.mark.libreoffice
def test_calc_reopens_a_register_built_on_an_excel_workbook(tmp_path: Path) -> None:
    source = REGISTERS / "excel" / "table-multiple.xlsx"
    path = tmp_path / "register.xlsx"
    path.write_bytes(with_register_sheets(source))
    register = Register.load(path)
    register.append("Cases", {"case_id": "CCP-2027-001", "accepted_on": date(2027, 2, 20)})
    register.save(path, backups_dir=tmp_path / "backups")
    reopened = through_libreoffice(path, tmp_path / "lo")
    copy = tmp_path / "again.xlsx"
    shutil.copyfile(reopened, copy)
    case = Register.load(copy).rows("Cases")[0]
    assert (case["case_id"], case["accepted_on"]) == ("CCP-2027-001", date(2027, 2, 20))
