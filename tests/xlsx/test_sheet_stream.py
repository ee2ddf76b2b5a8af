"""Big register sheets are edited as a stream (issue 9, memory): the result is byte for byte
the one the whole-part editor gives, whatever piece sizes cut the rows; anything unusual is
left to the whole-part editor; the zip entry written from the stream is sound."""

from __future__ import annotations

import io
import re
import tempfile
import tracemalloc
import zipfile
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from workbook_checks import DECORATED, REGISTERS, parts

from workflow.register import Register
from workflow.xlsx import workbook as workbook_module
from workflow.xlsx.stream import SheetPieces, Unusual
from workflow.xlsx.workbook import (
    SheetEditor,
    SheetEdits,
    Workbook,
    WorkbookRefused,
    misread_cells,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# --- fixtures --------------------------------------------------------------------------------


@cache
def ccp_made() -> bytes:
    """A register as ccp writes it: made by `Register.create`, rows appended, saved."""
    register = Register.create()
    for number in range(1, 4):
        register.append(
            "Meetings", {"meeting": date(2027, number, 11), "status": "held", "version": 1}
        )
    for number in range(1, 13):
        case_id = f"CCP-2027-{number:03d}"
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "child_name": f"Fictional Child {number}",
                "date_of_birth": date(2012, 1, number),
                "status": "open" if number % 3 else "closed",
                "escalated": number % 2 == 0,
            },
        )
        for action in range(1, 4):
            register.append(
                "Actions",
                {
                    "action_id": f"{case_id}-A{action}",
                    "case_id": case_id,
                    "action": "Share the plan with the school & the GP <soon>",
                    "due": date(2027, 4, action),
                    "status": "Open",
                    "carried_forward": action,
                },
            )
        register.audit(
            command="referral add",
            action="accepted referral",
            target=case_id,
            who="test-user",
            when=datetime(2027, 2, 1, 9, number),
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        register.save(path, backups_dir=Path(folder) / "backups", keep_backups=0)
        return path.read_bytes()


FIXTURES = {
    "ccp-made": ccp_made,
    "libreoffice-decorated": DECORATED.read_bytes,
    "libreoffice-empty-rows": (REGISTERS / "reader-empty-rows-and-columns.xlsx").read_bytes,
    "libreoffice-odd-dimension": (REGISTERS / "reader-odd-dimension.xlsx").read_bytes,
    "libreoffice-merged-cells": (REGISTERS / "reader-merged-cells.xlsx").read_bytes,
    "libreoffice-shared-strings": (REGISTERS / "reader-shared-strings.xlsx").read_bytes,
    # Eight missing rows between each two: where a row takes its styles from is subtle.
    "ccp-made-spread-rows": lambda: with_part(
        ccp_made(), part_of(ccp_made(), "Actions"), spread_rows
    ),
}
SHEETS = ("Meetings", "Cases", "Actions", "Resources", "Audit", "Summary")


def with_part(data: bytes, name: str, change: Any) -> bytes:
    """The workbook ``data`` with part ``name`` changed by ``change`` (bytes -> bytes)."""
    files = parts(data)
    files[name] = change(files[name])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in files.items():
            archive.writestr(part, content)
    return buffer.getvalue()


def part_of(data: bytes, sheet: str) -> str:
    return Workbook(data).sheets[sheet].part


# --- the two editors side by side ---------------------------------------------------------------


def streamed(data: bytes, sheet: str, edits: SheetEdits, chunk: int) -> tuple[Any, ...]:
    """What Workbook.edit_sheet makes of ``edits`` (streaming where it can): the sheet's
    new XML, styles.xml as it now is, and whether the part was streamed; or the error."""
    workbook = Workbook(data)
    workbook.stream_chunk = chunk
    part = workbook.sheets[sheet].part
    try:
        workbook.edit_sheet(sheet, edits)
    except (WorkbookRefused, ValueError) as err:
        return ("error", type(err), str(err))
    styles = workbook.styles
    return (
        workbook.package.read(part),
        styles.root is not None and workbook_module._serialise(styles.root),
        part in workbook.package.streamed,
    )


def in_memory(data: bytes, sheet: str, edits: SheetEdits) -> tuple[Any, ...]:
    """The same edit made by the whole-part editor."""
    workbook = Workbook(data)
    part = workbook.sheets[sheet].part
    try:
        editor = SheetEditor(
            workbook.package.read(part), f"sheet {sheet}", workbook.styles, workbook.date1904
        )
        result = editor.apply(edits, workbook.column_styles(sheet))
    except (WorkbookRefused, ValueError) as err:
        return ("error", type(err), str(err))
    styles = workbook.styles
    return result, styles.root is not None and workbook_module._serialise(styles.root)


def assert_same(data: bytes, sheet: str, edits: SheetEdits, chunk: int) -> bool:
    """Both editors give the same bytes (or the same error); returns whether it streamed."""
    got = streamed(data, sheet, edits, chunk)
    expected = in_memory(data, sheet, edits)
    if expected[0] == "error":
        assert got == expected
        return False
    assert got[0] == expected[0]
    assert got[1] == expected[1]  # the same date styles added, in the same order
    return got[2]


TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(
            [chr(c) for c in range(0x20) if chr(c) not in "\t\n"] + ["\ufffe", "\uffff", "\r"]
        ),
    ),
    max_size=20,
)
VALUE = st.one_of(
    TEXT,
    st.sampled_from(["</row>", '<row r="7">', "]]>", "_x0041_", " padded "]),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(date(1900, 3, 1), date(2099, 12, 31)),
    st.datetimes(datetime(1950, 1, 1), datetime(2060, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.times().map(lambda moment: moment.replace(microsecond=0)),
    st.booleans(),
    st.none(),
)


@st.composite
def edits_for(draw: Any, data: bytes, sheet: str) -> SheetEdits:
    header_row, _, last = Workbook(data).sheet_head(sheet)
    edits = SheetEdits(last_data_row=last, header_row=header_row)
    rows = st.integers(1, last + 12)
    for _ in range(draw(st.integers(1, 8))):
        edits.set(
            draw(rows),
            draw(st.integers(0, 15)),
            draw(VALUE),
            draw(st.sampled_from([None, "yesno", "text"])),
            draw(st.none() | st.integers(0, 3)),
        )
    # ccp removes rows only to move them (a migration), but the editor must take any out.
    edits.removed_rows = set(draw(st.lists(st.integers(1, last + 3), max_size=2)))
    return edits


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    choice=st.sampled_from(sorted(FIXTURES)).flatmap(
        lambda fixture: st.tuples(st.just(fixture), st.sampled_from(SHEETS))
    ),
    chunk=st.integers(64, 4096),
    data=st.data(),
)
def test_streaming_gives_the_bytes_the_whole_part_editor_gives(
    choice: tuple[str, str], chunk: int, data: st.DataObject
) -> None:
    fixture, sheet = choice
    workbook = FIXTURES[fixture]()
    if sheet not in Workbook(workbook).sheets:
        sheet = "Actions"
    edits = data.draw(edits_for(workbook, sheet))
    event("streamed" if assert_same(workbook, sheet, edits, chunk) else "edited whole")


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
@pytest.mark.parametrize("chunk", [64, 1000, 1 << 20], ids=["64B", "1000B", "1MiB"])
def test_an_append_and_changed_cells_are_streamed(fixture: str, chunk: int) -> None:
    # What a command does: change a cell in the first and the last data row, append rows.
    data = FIXTURES[fixture]()
    header_row, _, last = Workbook(data).sheet_head("Actions")
    edits = SheetEdits(last_data_row=last, header_row=header_row)
    edits.set(header_row + 1, 7, "Completed")
    edits.set(last, 9, 2)
    edits.set(last + 1, 0, "CCP-2027-099-A1")
    edits.set(last + 1, 6, date(2027, 5, 1))
    edits.set(last + 2, 0, "CCP-2027-099-A2")
    assert assert_same(data, "Actions", edits, chunk)


def spread_rows(xml: bytes) -> bytes:
    """Rows 1, 10, 19, ...: eight missing rows between each two."""

    def renumber(match: re.Match[bytes]) -> bytes:
        return match.group(1) + str(int(match.group(2)) * 9 - 8).encode() + b'"'

    return re.sub(rb'(<row r="|<c r="[A-Z]+)(\d+)"', renumber, xml)


@pytest.mark.parametrize(
    "rows",
    [[20, 30], [19, 28, 50], [12, 40], [300, 301], [28, 29, 400], [11, 13, 19]],
    ids=str,
)
def test_rows_far_apart_take_their_styles_as_the_whole_part_editor_gives_them(
    rows: list[int],
) -> None:
    # The whole-part editor looks five rows up for a row's styles, and else takes the row
    # written before; when a row to write is missing below the last, it walks every row.
    data = with_part(ccp_made(), part_of(ccp_made(), "Actions"), spread_rows)
    assert Workbook(data).sheet_head("Actions")[2] == 325
    edits = SheetEdits(last_data_row=325, header_row=1)
    for number in rows:
        edits.set(number, 3, "written")
        edits.set(number, 6, date(2027, 6, 1))
    assert_same(data, "Actions", edits, 200)


# --- what is left to the whole-part editor --------------------------------------------------------


UNUSUAL = [
    pytest.param(
        lambda xml: xml.replace(b"<t>CCP-2027-001-A1</t>", b"<t><![CDATA[CCP-2027-001-A1]]></t>"),
        False,
        id="cdata",
    ),
    pytest.param(
        lambda xml: xml.replace(
            b"</worksheet>",
            b"<headerFooter><oddHeader><![CDATA[&P]]></oddHeader></headerFooter></worksheet>",
        ),
        False,
        id="cdata-after-the-rows",
    ),
    pytest.param(lambda xml: xml.replace(b'<row r="3"', b'<row r="30"', 1), False, id="order"),
    pytest.param(lambda xml: xml.replace(b'<row r="5"', b"<row", 1), False, id="no-number"),
    pytest.param(
        lambda xml: xml.replace(b'<row r="5">', b'<row spans="1:12" r="5">', 1),
        False,
        id="number-not-first",
    ),
    pytest.param(
        lambda xml: xml.replace(b'<c r="A9" ', b'<row r="9"><c r="A9" ', 1), False, id="unclosed"
    ),
    pytest.param(lambda xml: xml.replace(b"</row>", b"</row>\n  "), True, id="indented"),
    pytest.param(None, True, id="plain"),
]


@pytest.mark.parametrize(("change", "streams"), UNUSUAL)
def test_a_sheet_in_an_unusual_form_is_edited_whole_with_the_same_result(
    change: Any, streams: bool
) -> None:
    part = part_of(ccp_made(), "Actions")
    if change is None:
        data = ccp_made()
    else:
        assert change(parts(ccp_made())[part]) != parts(ccp_made())[part]
        data = with_part(ccp_made(), part, change)
    edits = SheetEdits(last_data_row=37, header_row=1)
    edits.set(4, 7, "Completed")
    edits.set(38, 0, "CCP-2027-099-A1")
    assert assert_same(data, "Actions", edits, 128) == streams


def test_an_empty_sheet_data_is_opened_by_the_whole_part_editor() -> None:
    data = with_part(
        ccp_made(),
        part_of(ccp_made(), "Actions"),
        lambda xml: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", xml, flags=re.S),
    )
    edits = SheetEdits(last_data_row=1, header_row=1)
    edits.set(1, 0, "Action ID")
    edits.set(2, 0, "CCP-2027-001-A1")
    assert not assert_same(data, "Actions", edits, 64)


def test_a_refusal_is_the_one_the_whole_part_editor_gives() -> None:
    for fixture, sheet in [("refused-protected-sheet", "Actions")]:
        data = (REGISTERS / f"{fixture}.xlsx").read_bytes()
        edits = SheetEdits(last_data_row=3, header_row=1)
        edits.set(4, 0, "CCP-2027-002-A1")
        got = streamed(data, sheet, edits, 64)
        assert got[0] == "error"
        assert got == in_memory(data, sheet, edits)
        assert "is protected" in got[2]


def test_a_cell_sharing_a_formula_is_refused_when_streamed() -> None:
    data = with_part(
        ccp_made(),
        part_of(ccp_made(), "Actions"),
        lambda xml: xml.replace(
            b'<c r="J3"><v>2</v>', b'<c r="J3"><f t="shared" ref="J3:J5" si="0">1+1</f><v>2</v>', 1
        ),
    )
    edits = SheetEdits(last_data_row=37, header_row=1)
    edits.set(3, 9, 5)
    got = streamed(data, "Actions", edits, 64)
    assert got == in_memory(data, "Actions", edits)
    assert got[0] == "error"
    assert "holds a formula that other cells share" in got[2]


# --- the file written --------------------------------------------------------------------------


def test_the_streamed_part_is_a_sound_zip_entry_that_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(ccp_made())
    register = Register.load(path)
    register._workbook.stream_chunk = 100  # rows straddle pieces
    register.rows("Actions")[4]["status"] = "Completed"
    register.append("Actions", {"action_id": "CCP-2027-099-A1", "due": date(2027, 5, 1)})
    register.audit(command="test", action="checked", target="x", when=datetime(2027, 2, 20))
    streamed_parts = []
    real = register._workbook.package.put_streamed

    def record(name: str, content: Any) -> None:
        streamed_parts.append(name)
        real(name, content)

    register._workbook.package.put_streamed = record  # type: ignore[method-assign]
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=1)

    assert sorted(streamed_parts) == sorted(
        part_of(ccp_made(), sheet) for sheet in ("Actions", "Audit")
    )
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC and size right
        for info in archive.infolist():
            assert not info.flag_bits & 0x08  # sizes in the local header
    sheet = load_workbook(path)["Actions"]
    assert sheet["H6"].value == "Completed"
    assert sheet["A38"].value == "CCP-2027-099-A1"
    assert sheet["G38"].value == datetime(2027, 5, 1)
    assert sheet["G38"].number_format == sheet["G37"].number_format
    reread = Register.load(path)
    assert reread.rows("Actions")[-1]["action_id"] == "CCP-2027-099-A1"
    assert reread.rows("Audit")[-1]["target"] == "x"


BIG_ROWS = 40_000


@cache
def big_register() -> bytes:
    """ccp_made() with 40,000 actions: 14 MB of sheet XML."""
    row = (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>CCP-2027-%05d-A1</t></is></c>'
        b'<c r="D%d" t="inlineStr"><is><t>Convene a strategy meeting with police and health '
        b"about the missing episodes, and share the safety plan with the school</t></is></c>"
        b'<c r="G%d" s="1"><v>46000</v></c><c r="H%d" t="inlineStr"><is><t>Open</t></is></c>'
        b'<c r="J%d"><v>0</v></c></row>'
    )
    rows = b"".join(row % ((number,) * 7) for number in range(2, BIG_ROWS + 2))

    def big(xml: bytes) -> bytes:
        start = xml.index(b"</row>") + 6
        return xml[:start] + rows + xml[xml.index(b"</sheetData>") :]

    return with_part(ccp_made(), part_of(ccp_made(), "Actions"), big)


def test_a_big_sheet_is_edited_in_a_fraction_of_its_size_in_memory() -> None:
    # The edit must not hold the sheet, let alone two copies of it (issue 9).
    data = big_register()
    size = len(parts(data)[part_of(data, "Actions")])
    edits = SheetEdits(last_data_row=40_001, header_row=1)
    edits.set(20_000, 7, "Completed")
    edits.set(40_002, 0, "CCP-2027-99999-A1")
    tracemalloc.start()
    try:
        workbook = Workbook(data)
        workbook.data_sheets = set(workbook.sheets)  # as the Register says
        workbook.edit_sheet("Actions", edits)
        workbook.write(io.BytesIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 14_000_000
    assert peak < size / 4, f"peak {peak:,} bytes for a sheet of {size:,}"


# --- reading only what is needed ----------------------------------------------------------------


@settings(max_examples=60, deadline=None, database=None)
@given(fixture=st.sampled_from(sorted(FIXTURES)), chunk=st.integers(64, 4096))
def test_the_header_and_last_row_are_found_as_a_whole_read_finds_them(
    fixture: str, chunk: int
) -> None:
    workbook = Workbook(FIXTURES[fixture]())
    workbook.stream_chunk = chunk
    for sheet, info in workbook.sheets.items():
        whole = workbook._sheet_head_whole(sheet, workbook.package.read(info.part))
        assert workbook.sheet_head(sheet) == whole
        assert workbook.misread_cells(sheet) == misread_cells(workbook.package.read(info.part))


def test_appending_inflates_no_more_of_a_sheet_than_a_piece_at_a_time() -> None:
    workbook = Workbook(ccp_made())
    workbook.stream_chunk = 256
    largest = []
    real = workbook.package.stream

    def watched(name: str, chunk: int = 1 << 20) -> Any:
        for piece in real(name, chunk):
            largest.append(len(piece))
            yield piece

    workbook.package.stream = watched  # type: ignore[method-assign]
    header_row, header, last = workbook.sheet_head("Actions")
    assert (header_row, header[0], last) == (1, "Action ID", 37)
    assert max(largest) <= 256


def test_header_and_column_styles_are_read_from_the_head_of_the_sheet() -> None:
    data = big_register()
    workbook = Workbook(data)
    inflated = []
    real = workbook.package.stream

    def counted(name: str, chunk: int = 1 << 20) -> Any:
        for piece in real(name, chunk):
            inflated.append(len(piece))
            yield piece

    workbook.package.stream = counted  # type: ignore[method-assign]
    xml = parts(data)[part_of(data, "Actions")]
    assert workbook.header_style("Actions") == int(re.search(rb'<c r="A1" s="(\d+)"', xml).group(1))
    assert sum(inflated) < 100_000
    assert workbook.column_styles("Actions") == {2: 1, 3: 2, 6: 1, 8: 1, 11: 2}
    assert sum(inflated) < 200_000


def test_a_big_part_read_once_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = Workbook(ccp_made())
    sizes = {
        sheet: workbook.package.names[workbook.sheets[sheet].part].file_size
        for sheet in workbook.sheets
    }
    assert sizes["Meetings"] < 5000 < sizes["Actions"]
    monkeypatch.setattr(workbook_module, "_KEEP_READ_UP_TO", 5000)
    part = workbook.sheets["Actions"].part
    first = workbook.package.read(part)
    assert workbook.package.read(part) == first
    assert part not in workbook.package._read
    small = workbook.sheets["Meetings"].part
    workbook.package.read(small)
    assert small in workbook.package._read


def test_sheet_pieces_end_where_rows_begin() -> None:
    xml = (
        b'<worksheet xmlns="x"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2"/><row r="3"><c r="A3"><v>3</v></c></row></sheetData><x/></worksheet>'
    )
    for size in range(1, len(xml) + 1):
        pieces = SheetPieces(xml[start : start + size] for start in range(0, len(xml), size))
        body = list(pieces.body())
        assert pieces.head + b"".join(body) + pieces.tail() == xml
        assert all(piece.startswith(b"<row") for piece in body[1:])
    with pytest.raises(Unusual):
        list(SheetPieces([b"<worksheet><sheetData><row r='1'>"]).body())
    with pytest.raises(Unusual):
        SheetPieces([b"<worksheet><sheetData/></worksheet>"])


def test_times_and_dates_in_new_rows_take_date_styles() -> None:
    # A sanity check of the stream's date handling against openpyxl.
    data = ccp_made()
    workbook = Workbook(data)
    workbook.stream_chunk = 64
    edits = SheetEdits(last_data_row=37, header_row=1)
    edits.set(38, 2, date(2027, 3, 11))
    edits.set(38, 11, time(10, 30))
    workbook.edit_sheet("Actions", edits)
    buffer = io.BytesIO()
    workbook.write(buffer)
    sheet = load_workbook(buffer)["Actions"]
    assert sheet["C38"].value == datetime(2027, 3, 11)
    assert sheet["L38"].value == time(10, 30)


# --- numbers written in place -----------------------------------------------------------------


@pytest.mark.parametrize("source", ["ccp", "decorated"])
def test_numbers_written_in_place_are_what_rewriting_each_row_gives(source, monkeypatch):
    """A carried-forward count on every action: the in-place writer of numbers gives the
    bytes the row rewriter (lxml) gives, and leaves alone what it cannot do."""
    data = ccp_made() if source == "ccp" else DECORATED.read_bytes()
    register = Register(data)
    edits = SheetEdits(last_data_row=10**6, header_row=1)
    column = register._head("Actions").table.positions["carried_forward"]
    text_column = register._head("Actions").table.positions["notes"]
    rows = [
        register.row_number("Actions", row) or 0
        for row in register.select("Actions", "action_id", ["CCP-2027-"], prefix=True)
    ]
    assert len(rows) >= 3
    for offset, number in enumerate(rows):
        edits.set(number, column, offset + 1, "int")
        if offset == 1:  # a text beside the number: that row is rewritten the long way
            edits.set(number, text_column, "a note", "long_text")
    edits.last_data_row = max(rows)
    in_place = workbook_module._numbers_in_place
    written = []
    monkeypatch.setattr(
        workbook_module,
        "_numbers_in_place",
        lambda *args: written.append(in_place(*args)) or written[-1],
    )
    quick = streamed(data, "Actions", edits, 1 << 16)
    assert len([row for row in written if row is not None]) == len(rows) - 1
    monkeypatch.setattr(workbook_module, "_numbers_in_place", lambda *args: None)
    slow = streamed(data, "Actions", edits, 1 << 16)
    assert quick == slow
    assert b"<v>1</v>" in quick[0]


def test_a_number_for_a_text_cell_is_left_to_the_row_rewriter():
    row = b'<row r="5"><c r="A5" t="inlineStr"><is><t>x</t></is></c><c r="B5"><v>0</v></c></row>'
    write = workbook_module.CellWrite
    assert workbook_module._numbers_in_place(row, 5, {0: write(1)}, {}) is None
    assert workbook_module._numbers_in_place(row, 5, {1: write(True)}, {}) is None
    assert workbook_module._numbers_in_place(row, 5, {1: write(2)}, {}) == row.replace(
        b"<v>0</v>", b"<v>2</v>"
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (b'<row r="5" spans="1:3"><c r="A5" s="2"><v>1</v></c><c r="C5"><v>3</v></c></row>', 1),
        (b'<row r="5"><c r="A5"><v>1</v></c></row>', 9),
        (b'<row r="5"><c r="K5" t="inlineStr"><is><t>a</t></is></c></row>', 0),
        (b'<row r="5" customHeight="1" ht="20"><c r="B5" s="4"/></row>', 5),
    ],
)
def test_a_missing_numeric_cell_is_added_as_the_row_rewriter_adds_it(row, column, monkeypatch):
    """The count of an action that had none: inserted in column order, styled as its
    column, the same bytes as parsing and rewriting the row."""
    data = ccp_made()
    workbook = Workbook(data)
    writer = workbook_module._RowWriter(
        "sheet Actions", workbook.styles, workbook.date1904, "", [f'xmlns="{MAIN}"'.encode()]
    )
    writes = {column: workbook_module.CellWrite(7, "int")}
    styles = {1: 11, 9: 12, 5: 13}
    quick, _ = writer._rewrite(row, 5, writes, {}, styles, False)
    monkeypatch.setattr(workbook_module, "_numbers_in_place", lambda *args: None)
    slow, _ = writer._rewrite(row, 5, writes, {}, styles, False)
    assert quick == slow
    assert b"<v>7</v>" in quick
