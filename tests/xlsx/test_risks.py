"""The editor's reading of workbooks other programs write (issue 21): chart sheets first,
x14 ranges in extLst, single-quoted and sparse rows, one date conversion."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from workbook_checks import parts, rezip

from workflow.xlsx.rows import SheetEdits
from workflow.xlsx.scan import SheetScan
from workflow.xlsx.values import from_serial, serial
from workflow.xlsx.workbook import Workbook


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.write(buffer)
    return buffer.getvalue()


def append_row(data: bytes, sheet: str, values: dict[int, object]) -> bytes:
    workbook = Workbook(data)
    header_row, _, last = workbook.sheet_head(sheet)
    edits = SheetEdits(last_data_row=last, header_row=header_row)
    for column, value in values.items():
        edits.set(last + 1, column, value)
    workbook.edit_sheet(sheet, edits)
    return saved(workbook)


def chart_sheet_first() -> bytes:
    """A chart tab, then Data and Other, each filtered A1:C5, names as Excel writes them
    (localSheetId counts the chart tab)."""
    book = OpenpyxlWorkbook()
    data = book.active
    data.title = "Data"
    other = book.create_sheet("Other")
    for sheet in (data, other):
        sheet.append(["Case", "Status", "Count"])
        for number in range(4):
            sheet.append([f"C{number}", "Open", number])
    chart_tab = book.create_chartsheet("Chart", 0)
    chart = BarChart()
    chart.add_data(Reference(data, min_col=3, min_row=1, max_row=5), titles_from_data=True)
    chart_tab.add_chart(chart)
    buffer = io.BytesIO()
    book.save(buffer)
    files = parts(buffer.getvalue())
    xml = files["xl/workbook.xml"].decode()
    names = (
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
        "Data!$A$1:$C$5</definedName>"
        '<definedName name="_xlnm._FilterDatabase" localSheetId="2" hidden="1">'
        "Other!$A$1:$C$5</definedName>"
        '<definedName name="OtherStatus">Other!$B$2:$B$5</definedName></definedNames>'
    )
    start = xml.find("<definedNames")
    if start >= 0:
        xml = xml[:start] + names + xml[xml.find("</definedNames>") + 15 :]
    else:
        xml = xml.replace("</sheets>", "</sheets>" + names)
    files["xl/workbook.xml"] = xml.encode()
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        files[part] = files[part].replace(b"</sheetData>", b'</sheetData><autoFilter ref="A1:C5"/>')
    return rezip(files)


def test_a_chart_tab_first_grows_the_appended_sheets_filter_not_its_neighbours() -> None:
    # Reproduced in issue 21: appending to Other grew Data's _FilterDatabase.
    data = append_row(chart_sheet_first(), "Other", {0: "C9"})
    names = parts(data)["xl/workbook.xml"]
    assert b'localSheetId="1" hidden="1">Data!$A$1:$C$5<' in names
    assert b'localSheetId="2" hidden="1">Other!$A$1:$C$6<' in names
    assert b">Other!$B$2:$B$6<" in names
    after = load_workbook(io.BytesIO(data))
    assert after["Other"].auto_filter.ref == "A1:C6"
    assert after["Data"].auto_filter.ref == "A1:C5"


X14_VALIDATION = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" '
    b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f>'
    b"</x14:formula1><xm:sqref>B2:B5</xm:sqref></x14:dataValidation></x14:dataValidations>"
    b"</ext></extLst>"
)


def test_x14_validations_in_ext_lst_grow_with_an_appended_row() -> None:
    files = parts(chart_sheet_first())
    part = "xl/worksheets/sheet2.xml"  # Other
    files[part] = files[part].replace(b"</worksheet>", X14_VALIDATION + b"</worksheet>")
    after = parts(append_row(rezip(files), "Other", {0: "C9"}))[part]
    assert b"<xm:sqref>B2:B6</xm:sqref>" in after
    assert b"<xm:f>Lists!$A$1:$A$3</xm:f>" in after


def test_single_quoted_attributes_grow_too() -> None:
    files = parts(chart_sheet_first())
    part = "xl/worksheets/sheet2.xml"
    files[part] = files[part].replace(
        b'<autoFilter ref="A1:C5"/>',
        b"<autoFilter ref='A1:C5'/><dataValidations count='1'><dataValidation type='list' "
        b"sqref='B2:B5'><formula1>\"Open,Closed\"</formula1></dataValidation></dataValidations>",
    )
    after = parts(append_row(rezip(files), "Other", {0: "C9"}))[part]
    assert b"ref='A1:C6'" in after
    assert b"sqref='B2:B6'" in after


SPARSE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
    b"<row r='1'><c r='A1' t='inlineStr'><is><t>Case</t></is></c>"
    b"<c r='B1' t='inlineStr'><is><t>Status</t></is></c></row>"
    b"<row r='3'><c r='A3' t='inlineStr'><is><t>C3</t></is></c></row>"
    b"<row r='7'><c r='A7' t='inlineStr'><is><t>C7</t></is></c></row>"
    b"</sheetData></worksheet>"
)


def test_single_quoted_sparse_rows_are_edited_in_their_place() -> None:
    files = parts(chart_sheet_first())
    part = "xl/worksheets/sheet2.xml"
    files[part] = SPARSE
    workbook = Workbook(rezip(files))
    assert workbook.sheet_head("Other")[2] == 7
    edits = SheetEdits(last_data_row=7, header_row=1)
    edits.set(3, 1, "Open")
    edits.set(7, 1, "Closed")
    edits.set(8, 0, "C8")
    workbook.edit_sheet("Other", edits)
    sheet = load_workbook(io.BytesIO(saved(workbook)))["Other"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_col=2)] == [
        ["Case", "Status"],
        [None, None],
        ["C3", "Open"],
        [None, None],
        [None, None],
        [None, None],
        ["C7", "Closed"],
        ["C8", None],
    ]


@pytest.mark.parametrize(
    ("number", "date1904", "shown"),
    [
        (1, False, date(1900, 1, 1)),
        (59, False, date(1900, 2, 28)),
        (60, False, date(1900, 2, 28)),  # the 29 February 1900 that never was
        (61, False, date(1900, 3, 1)),
        (46000, False, date(2025, 12, 9)),
        (46000.5, False, datetime(2025, 12, 9, 12)),
        (0.25, False, time(6)),
        (0, True, time(0)),
        (1, True, date(1904, 1, 2)),
        (44538, True, date(2025, 12, 9)),
    ],
    ids=lambda value: str(value),
)
def test_one_date_conversion_both_systems_and_the_leap_year_bug(number, date1904, shown):
    assert from_serial(number, date1904) == shown
    if number >= 1 and number != 60:
        assert serial(shown, date1904) == number


def test_the_scan_reads_early_1900_dates_as_excel_shows_them() -> None:
    # The scan counted from 30 December 1899 for every serial: 15 January 1900 read as the 14th.
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Case", "Born"])
    sheet.append(["C1", date(1900, 1, 15)])
    buffer = io.BytesIO()
    book.save(buffer)
    found = SheetScan(Workbook(buffer.getvalue()), "Data").rows(["C1"])
    assert found == [(2, ["C1", date(1900, 1, 15)])]
