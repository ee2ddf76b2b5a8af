"""Decorations Excel writes, on a register built on an Excel-saved workbook with a chart tab
between its worksheets (tests/data/registers/excel, sources in tests/data/registers/README).

The data bar (a rule with its x14 twin in extLst) and the x14 drop-down are Excel's own bytes,
copied from budget-tables-databars.xlsx and x14-validations.xlsx onto the Actions columns;
only their ranges are moved. The filter and print-area names are written as Excel writes them:
``localSheetId`` counts the chart tab.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from test_excel_made import with_register_sheets
from workbook_checks import REGISTERS, parts, rezip, through_libreoffice

from workflow.register import Register
from workflow.xlsx.workbook import Workbook

EXCEL = REGISTERS / "excel"
CHART_TAB_WORKBOOK = EXCEL / "chart-sheet-between.xlsx"
TABS = ["Sheet1", "Sheet2", "Chart1", "Sheet3"]  # Excel's order, the chart tab third


def excel_block(source: str, start: bytes, end: bytes) -> bytes:
    """The first ``start``...``end`` element of the Excel-saved sheet, byte for byte."""
    sheet = parts(EXCEL / source)["xl/worksheets/sheet1.xml"]
    begin = sheet.index(start)
    return sheet[begin : sheet.index(end, begin) + len(end)]


def data_bar(sqref: bytes) -> tuple[bytes, bytes]:
    """Excel's data bar as two pieces: the rule in <conditionalFormatting> and its x14 ext."""
    rule = excel_block(
        "budget-tables-databars.xlsx", b"<conditionalFormatting", b"</conditionalFormatting>"
    )
    ext = excel_block(
        "budget-tables-databars.xlsx", b'<ext uri="{78C0D931-6437-407d-A8EE', b"</ext>"
    )
    assert b'sqref="E4"' in rule
    assert b"<xm:sqref>E4</xm:sqref>" in ext
    return (
        rule.replace(b'sqref="E4"', b'sqref="' + sqref + b'"'),
        ext.replace(b"<xm:sqref>E4</xm:sqref>", b"<xm:sqref>" + sqref + b"</xm:sqref>"),
    )


def drop_down(sqref: bytes) -> bytes:
    ext = excel_block("x14-validations.xlsx", b'<ext uri="{CCE6A557-97BC-4b89', b"</ext>")
    assert b"<xm:sqref>B6 J6</xm:sqref>" in ext
    return ext.replace(b"<xm:sqref>B6 J6</xm:sqref>", b"<xm:sqref>" + sqref + b"</xm:sqref>")


def sheet_ids(data: bytes) -> list[str]:
    return re.findall(rb'<sheet [^>]*sheetId="(\d+)"', parts(data)["xl/workbook.xml"])


def decorated_register(tmp_path: Path) -> tuple[Path, str]:
    """The register, two actions in, decorated on Actions rows 2-3; the Actions part's name."""
    path = tmp_path / "register.xlsx"
    path.write_bytes(with_register_sheets(CHART_TAB_WORKBOOK))
    register = Register.load(path)
    for number in (1, 2):
        register.append(
            "Actions",
            {"action_id": f"CCP-2027-001-A{number}", "status": "Open", "due": date(2027, 3, 1)},
        )
    register.save(path, backups_dir=tmp_path / "backups")

    files = parts(path)
    workbook = Workbook(path.read_bytes())
    actions = workbook.sheets["Actions"].part
    tabs = re.findall(rb'<sheet name="([^"]+)"', files["xl/workbook.xml"])
    assert [tab.decode() for tab in tabs[:4]] == TABS
    rule, bar = data_bar(b"G2:G3")
    sheet = files[actions]
    sheet = re.sub(rb"(<autoFilter [^>]*/>)", lambda m: m.group(1) + rule, sheet, count=1)
    extensions = b"<extLst>" + bar + drop_down(b"H2:H3 K2:K3") + b"</extLst>"
    files[actions] = sheet.replace(b"</worksheet>", extensions + b"</worksheet>")
    index = {tab.decode(): number for number, tab in enumerate(tabs)}
    names = (
        f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="{index["Actions"]}"'
        ' hidden="1">Actions!$A$1:$L$3</definedName>'
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index["Cases"]}" hidden="1">'
        "Cases!$A$1:$B$3</definedName>"
        f'<definedName name="_xlnm.Print_Area" localSheetId="{index["Sheet3"]}">'
        "Sheet3!$A$1:$C$3</definedName></definedNames>"
    )
    files["xl/workbook.xml"] = files["xl/workbook.xml"].replace(
        b"</sheets>", b"</sheets>" + names.encode()
    )
    path.write_bytes(rezip(files))
    return path, actions


def test_sheets_added_beside_a_chart_tab_take_ids_no_tab_holds() -> None:
    # The chart tab holds sheetId 4: a fifth sheet numbered 4 again is a file Excel repairs.
    ids = sheet_ids(with_register_sheets(CHART_TAB_WORKBOOK))
    assert len(ids) == len(set(ids)), ids


def test_excel_decorations_on_actions_grow_with_the_rows_a_command_adds(tmp_path: Path) -> None:
    path, actions = decorated_register(tmp_path)
    untouched = {
        name: data
        for name, data in parts(path).items()
        if name.startswith(("xl/chartsheets/", "xl/charts/", "xl/drawings/"))
        or name in {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml", "xl/theme/theme1.xml"}
    }

    register = Register.load(path)
    register.append("Actions", {"action_id": "CCP-2027-001-A3", "status": "Open"})
    register.rows("Actions")[0]["status"] = "Completed"
    register.save(path, backups_dir=tmp_path / "backups")

    after = parts(path)
    sheet, names = after[actions], after["xl/workbook.xml"]
    assert b'<conditionalFormatting sqref="G2:G4">' in sheet
    assert b"<xm:sqref>G2:G4</xm:sqref>" in sheet  # the data bar's x14 twin, in step
    assert b"<xm:sqref>H2:H4 K2:K4</xm:sqref>" in sheet  # both areas of the drop-down
    assert b"<x14:id>{24C4A4E8-E0A5-44E6-A920-4BA8985B0684}</x14:id>" in sheet
    assert b'<autoFilter ref="A1:L4"/>' in sheet
    assert b">Actions!$A$1:$L$4</definedName>" in names
    assert b">Cases!$A$1:$B$3</definedName>" in names  # another tab's filter: as it was
    assert b">Sheet3!$A$1:$C$3</definedName>" in names  # the print area behind the chart tab
    assert {name: after.get(name) for name in untouched} == untouched
    rows = Register.load(path).rows("Actions")
    assert [(row["action_id"], row["status"]) for row in rows] == [
        ("CCP-2027-001-A1", "Completed"),
        ("CCP-2027-001-A2", "Open"),
        ("CCP-2027-001-A3", "Open"),
    ]


@pytest.mark.libreoffice
def test_calc_reopens_the_decorated_register_with_its_decorations(tmp_path: Path) -> None:
    path, _ = decorated_register(tmp_path)
    register = Register.load(path)
    register.append("Actions", {"action_id": "CCP-2027-001-A3", "status": "Open"})
    register.save(path, backups_dir=tmp_path / "backups")

    reopened = through_libreoffice(path, tmp_path / "lo").read_bytes()
    tabs = re.findall(rb'<sheet name="([^"]+)"', parts(reopened)["xl/workbook.xml"])
    assert [tab.decode() for tab in tabs[:4]] == TABS
    sheet = parts(reopened)[Workbook(reopened).sheets["Actions"].part]
    # Calc read Excel's data bar and x14 drop-down on the grown ranges, and writes them back.
    assert re.search(rb'<conditionalFormatting sqref="G2:G4"><cfRule type="dataBar"', sheet)
    assert re.search(rb'<dataValidation [^>]*sqref="H2:H4 K2:K4" type="list"', sheet)
    copy = tmp_path / "again.xlsx"
    copy.write_bytes(reopened)
    assert [row["action_id"] for row in Register.load(copy).rows("Actions")] == [
        "CCP-2027-001-A1",
        "CCP-2027-001-A2",
        "CCP-2027-001-A3",
    ]
