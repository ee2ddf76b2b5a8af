"""The zip ccp writes: unchanged parts copied raw, nothing a spreadsheet program does not know."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from openpyxl import load_workbook
from workbook_checks import DECORATED, SHEET_PARTS

from workflow.xlsx.rows import SheetEdits
from workflow.xlsx.workbook import Workbook


def _edited() -> tuple[bytes, bytes, int]:
    data = DECORATED.read_bytes()
    workbook = Workbook(data)
    edits = SheetEdits(last_data_row=workbook.sheet_head("Actions")[2], header_row=1)
    edits.set(edits.last_data_row + 1, 0, "CCP-2027-099-A1")
    edits.set(edits.last_data_row + 1, 6, date(2027, 5, 1))
    workbook.edit_sheet("Actions", edits)
    buffer = io.BytesIO()
    workbook.write(buffer)
    return data, buffer.getvalue(), edits.last_data_row + 1


def test_every_entry_is_sound_and_carries_no_extra_field() -> None:
    _, after, _ = _edited()
    with zipfile.ZipFile(io.BytesIO(after)) as archive:
        assert archive.testzip() is None  # every CRC and size right
        for info in archive.infolist():
            assert not info.flag_bits & 0x08  # sizes in the local header
            assert info.extra == b""  # no private index (issue 21)
    # Each local header too: a reader that walks them (not the central directory) sees none.
    position = 0
    while (position := after.find(b"PK\x03\x04", position)) >= 0:
        assert after[position + 28 : position + 30] == b"\x00\x00"
        position += 4


def test_parts_not_changed_are_stored_byte_for_byte() -> None:
    before, after, row = _edited()
    with zipfile.ZipFile(io.BytesIO(before)) as old, zipfile.ZipFile(io.BytesIO(after)) as new:
        olds = {info.filename: info for info in old.infolist()}
        for info in new.infolist():
            if info.filename in (SHEET_PARTS["Actions"], "xl/workbook.xml", "xl/styles.xml"):
                continue
            if info.filename.startswith("xl/worksheets/") or info.filename not in olds:
                continue
            was = olds[info.filename]
            assert (info.CRC, info.compress_size, info.compress_type) == (
                was.CRC,
                was.compress_size,
                was.compress_type,
            ), info.filename
    sheet = load_workbook(io.BytesIO(after))["Actions"]
    assert sheet.cell(row, 1).value == "CCP-2027-099-A1"


def test_times_and_dates_in_new_rows_take_date_styles() -> None:
    workbook = Workbook(DECORATED.read_bytes())
    last = workbook.sheet_head("Actions")[2]
    edits = SheetEdits(last_data_row=last, header_row=1)
    edits.set(last + 1, 2, date(2027, 3, 11))
    edits.set(last + 1, 11, time(10, 30))
    workbook.edit_sheet("Actions", edits)
    buffer = io.BytesIO()
    workbook.write(buffer)
    sheet = load_workbook(buffer)["Actions"]
    assert sheet.cell(last + 1, 3).value == datetime(2027, 3, 11)
    assert sheet.cell(last + 1, 12).value == time(10, 30)
