"""Registers built on workbooks Excel saved (tests/data/registers/excel, sources in
tests/data/registers/README): ccp's sheets added to an Excel-made workbook, then edited by
the Register. Every part ccp does not own stays byte for byte; Calc reopens the file."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_register_commands import MEETING, Steps
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


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "source",
    ["chart-sheet-between.xlsx", "budget-tables-databars.xlsx", "table-multiple.xlsx"],
)
def test_a_meeting_cycle_on_a_register_built_on_an_excel_workbook(
    source: str, workspace: Any, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """referral add, pack, minutes record, sign and amend, as the commands run them."""
    made = Register.load(workspace.register_file)
    register_path = workspace.register_file
    register_path.write_bytes(with_register_sheets(REGISTERS / "excel" / source))
    register = Register.load(register_path)
    for meeting in made.rows("Meetings"):
        register.append("Meetings", dict(meeting))
    register.save(register_path, backups_dir=tmp_path / "backups")
    original = theirs(parts(REGISTERS / "excel" / source))

    steps = Steps(workspace, inbox, tmp_path, monkeypatch)
    case_id = steps.referral_add().case_id
    steps.pack()
    steps.record()
    steps.sign()
    steps.amend()

    after = parts(register_path)
    assert {name: after.get(name) for name in original} == original
    final = Register.load(register_path)
    assert [case["case_id"] for case in final.rows("Cases")] == [case_id]
    assert [action["action_id"] for action in final.rows("Actions")] == [
        f"{case_id}-A1",
        f"{case_id}-A2",
    ]
    (meeting,) = [m for m in final.rows("Meetings") if m["meeting"] == MEETING]
    assert (meeting["status"], meeting["version"]) == ("amended", 2)
    signed = final.rows("Signatures")
    assert signed[0]["file"] == "output/2027-03-11/minutes-2027-03-11-v1.docx"
    assert all(len(row["sha256"]) == 64 for row in signed)
    # Calc opens what the cycle left and reads the same rows back.
    copy = tmp_path / "reopened.xlsx"
    shutil.copyfile(through_libreoffice(register_path, tmp_path / "lo"), copy)
    assert [a["action_id"] for a in Register.load(copy).rows("Actions")] == [
        f"{case_id}-A1",
        f"{case_id}-A2",
    ]


@pytest.mark.parametrize("source", EXCEL, ids=[path.stem for path in EXCEL])
def test_a_register_on_an_excel_workbook_turns_its_year(source: Path, tmp_path: Path) -> None:
    """Last year's Audit tab renamed beside the workbook's own tabs (a chart tab between
    worksheets, tables, names): their parts and names stay as Excel wrote them."""
    from datetime import datetime

    from workflow.register.audit_years import audit_sheets, start_audit_year

    path = tmp_path / "register.xlsx"
    path.write_bytes(with_register_sheets(source))
    original = theirs(parts(source.read_bytes()))
    register = Register.load(path)
    register.audit(command="x", action="y", target="CCP-2026-001", when=datetime(2026, 6, 1))
    register.save(path, backups_dir=tmp_path / "backups")
    names_before = Workbook(path.read_bytes()).workbook_xml.find(
        "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}definedNames"
    )
    before_names = [] if names_before is None else [(n.attrib, n.text) for n in names_before]

    register = Register.load(path)
    assert start_audit_year(register, date(2027, 1, 4)) == "Audit to 2026"
    register.audit(command="x", action="y", target="CCP-2027-001")
    register.save(path, backups_dir=tmp_path / "backups")

    after = parts(path)
    assert {name: after.get(name) for name in original} == original
    names_after = Workbook(path.read_bytes()).workbook_xml.find(
        "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}definedNames"
    )
    assert ([] if names_after is None else [(n.attrib, n.text) for n in names_after]) == (
        before_names
    )
    reread = Register.load(path)
    assert audit_sheets(reread) == ["Audit", "Audit to 2026"]
    assert [row["target"] for row in reread.rows("Audit to 2026")] == ["CCP-2026-001"]
    assert [row["target"] for row in reread.rows("Audit")] == ["Audit", "CCP-2027-001"]
