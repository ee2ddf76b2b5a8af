"""Register.select: the rows a command needs, found without reading the rest of the sheet.

Whatever path finds them (the byte search, or the whole-sheet read it falls back to), the
rows are exactly those a whole-sheet read gives, with the same values and row numbers, and
they are the live rows: a change to one is saved, and nothing else in the workbook moves.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from workflow.register import Register
from workflow.xlsx import scan as scan_module
from workflow.xlsx.scan import searchable

REGISTERS = Path(__file__).parents[1] / "data" / "registers"
READABLE = [
    path
    for path in sorted(REGISTERS.glob("*.xlsx"))
    if not path.name.startswith("refused-") and "with-value" not in path.name
]
SHEETS = ("Meetings", "Cases", "Actions", "Resources", "Progress", "Audit")


def _same_rows(path: Path, sheet: str, key: str, values: list[str]) -> None:
    whole = Register.load(path)
    expected = [row for row in whole.rows(sheet) if row.get(key) in set(values)]
    selective = Register.load(path)
    found = selective.select(sheet, key, values)
    header_keys = set(selective.keys(sheet))
    assert [selective.row_number(sheet, row) for row in found] == [
        whole.row_number(sheet, row) for row in expected
    ]
    # A column with no header is left out of rows read selectively.
    assert [{k: v for k, v in row.items() if k in header_keys} for row in found] == [
        {k: v for k, v in row.items() if k in header_keys} for row in expected
    ]


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.stem)
def test_select_finds_what_a_whole_read_finds_in_files_saved_by_spreadsheet_programs(path):
    whole = Register.load(path)
    checked = 0
    for sheet in SHEETS:
        if not whole.has_sheet(sheet):
            continue
        rows = whole.rows(sheet)
        for key in Register.load(path).keys(sheet):
            values = sorted(
                {row[key] for row in rows if isinstance(row.get(key), str) and searchable(row[key])}
            )
            if values:
                _same_rows(path, sheet, key, values[:25])
                checked += 1
    assert checked  # every fixture has text to look for


@pytest.fixture
def decorated(tmp_path):
    """The LibreOffice-saved register (shared strings, renumbered styles)."""
    target = tmp_path / "register.xlsx"
    shutil.copy(REGISTERS / "decorated.xlsx", target)
    return target


def test_a_status_typed_in_other_capitals_and_spacing_is_found(tmp_path):
    path = tmp_path / "register.xlsx"
    register = Register.create()
    statuses = ["Open", "  open ", "OPEN", "Completed", "In\u00a0progress"]
    for number, status in enumerate(statuses):
        register.append(
            "Actions",
            {
                "action_id": f"CCP-2027-001-A{number + 1}",
                "case_id": "CCP-2027-001",
                "status": status,
            },
        )
    register.save(path, backups_dir=tmp_path / "backups")
    found = Register.load(path).select("Actions", "status", ["Open", "In progress"])
    assert [row["action_id"] for row in found] == [
        "CCP-2027-001-A1",
        "CCP-2027-001-A2",
        "CCP-2027-001-A3",
        "CCP-2027-001-A5",
    ]
    assert {row["status"] for row in found} == {"Open", "In progress"}


def test_an_id_prefix_finds_only_that_cases_actions(tmp_path):
    path = tmp_path / "register.xlsx"
    register = Register.create()
    for case_id in ("CCP-2027-001", "CCP-2027-0010", "CCP-2027-002"):
        for number in (1, 2):
            register.append("Actions", {"action_id": f"{case_id}-A{number}", "case_id": case_id})
    register.save(path, backups_dir=tmp_path / "backups")
    found = Register.load(path).select("Actions", "action_id", ["CCP-2027-001-A"], prefix=True)
    assert [row["action_id"] for row in found] == ["CCP-2027-001-A1", "CCP-2027-001-A2"]


def test_a_change_to_a_selected_row_is_saved_and_nothing_else_moves(decorated, tmp_path):
    before = zipfile.ZipFile(decorated)
    register = Register.load(decorated)
    [row] = register.select("Actions", "action_id", ["CCP-2027-001-A1"])
    row["status"] = "Completed"
    register.append("Actions", {"action_id": "CCP-2027-003-A9", "case_id": "CCP-2027-003"})
    register.save(decorated, backups_dir=tmp_path / "backups")

    book = openpyxl.load_workbook(decorated)
    sheet = book["Actions"]
    header = [cell.value for cell in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(2, values_only=True)}
    assert rows["CCP-2027-001-A1"]["Status"] == "Completed"
    assert rows["CCP-2027-003-A9"]["Case ID"] == "CCP-2027-003"
    assert (
        sheet["A2"].fill.fgColor.rgb
        == openpyxl.load_workbook(REGISTERS / "decorated.xlsx")["Actions"]["A2"].fill.fgColor.rgb
    )
    after = zipfile.ZipFile(decorated)
    # Meetings, Resources, Progress and the administrator's contacts, comments, drawings:
    # untouched. (Actions and Audit changed; the formulas of the Summary and of Cases lose
    # their cached values so that Calc recounts; workbook.xml asks for a recalculation.)
    untouched = [
        name
        for name in before.namelist()
        if name.startswith(("xl/comments", "xl/drawings", "xl/tables", "xl/styles"))
        or name
        in (
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet4.xml",
            "xl/worksheets/sheet5.xml",
            "xl/worksheets/sheet9.xml",
        )
    ]
    assert len(untouched) >= 6
    for name in untouched:
        assert after.read(name) == before.read(name), name


def test_rows_read_after_select_are_the_same_objects_and_keep_their_changes(decorated, tmp_path):
    register = Register.load(decorated)
    [selected] = register.select("Cases", "case_id", ["CCP-2027-002"])
    selected["risk_latest"] = "Low"
    every = register.rows("Cases")
    assert any(row is selected for row in every)
    assert len([row for row in every if row.get("case_id") == "CCP-2027-002"]) == 1
    register.save(decorated, backups_dir=tmp_path / "backups")
    again = Register.load(decorated)
    assert again.select("Cases", "case_id", ["CCP-2027-002"])[0]["risk_latest"] == "Low"
    assert len(again.rows("Cases")) == len(every)


def test_selecting_twice_gives_the_same_rows_not_copies(decorated):
    register = Register.load(decorated)
    first = register.select("Actions", "case_id", ["CCP-2027-001"])
    second = register.select("Actions", "case_id", ["CCP-2027-001", "CCP-2027-002"])
    assert first
    assert all(any(row is other for other in second) for row in first)
    assert len(register.select("Actions", "case_id", ["CCP-2027-001"])) == len(first)


def test_rows_appended_before_a_select_are_found_too(decorated):
    register = Register.load(decorated)
    new = register.append("Actions", {"action_id": "CCP-2027-001-A99", "case_id": "CCP-2027-001"})
    found = register.select("Actions", "case_id", ["CCP-2027-001"])
    assert found[-1] is new
    assert all(register.row_number("Actions", row) for row in found[:-1])


@pytest.mark.parametrize("limit", [0, 1])
def test_too_many_hits_fall_back_to_reading_the_whole_sheet_with_the_same_result(
    decorated, monkeypatch, limit
):
    expected = Register.load(decorated).select("Actions", "status", ["Open"])
    monkeypatch.setattr(scan_module, "MAX_ROWS", limit)
    register = Register.load(decorated)
    assert register.select("Actions", "status", ["Open"]) == expected
    assert [register.row_number("Actions", row) for row in expected] != []


def test_text_split_into_runs_is_still_found(tmp_path):
    """Rich text hides a value from the byte search: the whole sheet is read instead."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = tmp_path / "register.xlsx"
    Register.create().save(path, backups_dir=tmp_path / "backups")
    book = openpyxl.load_workbook(path, rich_text=True)
    sheet = book["Actions"]
    sheet["A2"] = "CCP-2027-001-A1"
    sheet["B2"] = CellRichText("CCP-2027-", TextBlock(InlineFont(b=True), "001"))
    sheet["H2"] = "Open"
    book.save(path)
    found = Register.load(path).select("Actions", "case_id", ["CCP-2027-001"])
    assert [row["action_id"] for row in found] == ["CCP-2027-001-A1"]


def test_values_the_search_cannot_spell_are_found_by_reading_the_sheet(tmp_path):
    path = tmp_path / "register.xlsx"
    register = Register.create()
    register.append("Actions", {"action_id": "X-1", "owner": "Sam O'Madeup & Co <team>"})
    register.append("Actions", {"action_id": "X-2", "owner": "12"})
    register.save(path, backups_dir=tmp_path / "backups")
    again = Register.load(path)
    assert [
        row["action_id"] for row in again.select("Actions", "owner", ["Sam O'Madeup & Co <team>"])
    ] == ["X-1"]
    assert [row["action_id"] for row in again.select("Actions", "owner", ["12"])] == ["X-2"]


def test_a_select_on_a_column_that_does_not_exist_is_refused(decorated):
    with pytest.raises(ValueError, match="no column with key 'nonsense'"):
        Register.load(decorated).select("Actions", "nonsense", ["x"])


def test_dates_in_selected_rows_read_as_dates(decorated):
    [row] = Register.load(decorated).select("Actions", "action_id", ["CCP-2027-001-A1"])
    assert row["meeting"] == date(2027, 1, 14)
    assert isinstance(row["due"], date)


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.stem)
def test_tokens_are_every_id_a_whole_read_finds(path):
    import re

    whole = Register.load(path)
    for sheet in ("Cases", "Audit", "Actions"):
        if not whole.has_sheet(sheet):
            continue
        pattern = re.compile(r"CCP-2027-[A-Za-z0-9-]*")
        expected = {
            token
            for row in whole.rows(sheet)
            for value in row.values()
            if isinstance(value, str)
            for token in pattern.findall(value)
        }
        everywhere = {
            token
            for other in SHEETS
            if whole.has_sheet(other)
            for row in whole.rows(other)
            for value in row.values()
            if isinstance(value, str)
            for token in pattern.findall(value)
        }
        found = Register.load(path).tokens(sheet, "CCP-2027-")
        # Shared texts serve every sheet: a few from others may come too, never fewer.
        assert expected <= found <= everywhere


def test_tokens_include_rows_appended_but_not_saved(decorated):
    register = Register.load(decorated)
    register.audit(command="referral add", action="accepted referral", target="CCP-2027-077")
    assert "CCP-2027-077" in register.tokens("Audit", "CCP-2027-")


TRICKY_TEXTS = [
    "Tom & Jerry <School> \"quoted\" 'single'",
    "  leading and trailing  ",
    "line one\nline two",
    "Zoë Ffictional-Ñame, مرحبا, 日本語",
    "{{ not a template }} =1+1",
    "",
    "A",
]


def _fragments(data: bytes) -> list[bytes]:
    import re

    return re.findall(rb"<row\b.*?(?:</row>|/>)", data, re.S)


@pytest.mark.parametrize("path", [*READABLE, None], ids=lambda path: path.stem if path else "ccp")
def test_the_pattern_reader_reads_every_row_as_lxml_does(path, tmp_path):
    """The quick reader of plain rows and the XML parser agree on every row they both read."""
    if path is None:
        path = tmp_path / "register.xlsx"
        register = Register.create()
        for number, text in enumerate(TRICKY_TEXTS, start=1):
            register.append(
                "Actions",
                {
                    "action_id": f"CCP-2027-001-A{number}",
                    "action": text or None,
                    "due": date(2027, 3, number),
                    "carried_forward": number,
                    "notes": text + "\r\nsecond line" if text else None,
                },
            )
        register.save(path, backups_dir=tmp_path / "backups")
    from workflow.xlsx.workbook import Workbook

    workbook = Workbook(path.read_bytes())
    compared = 0
    for sheet in workbook.sheets:
        reader = scan_module.SheetScan(workbook, sheet)
        data = workbook.package.read(workbook.sheets[sheet].part)
        namespaces = scan_module._NAMESPACES.findall(data[: data.find(b"<sheetData")])
        for fragment in _fragments(data):
            quick = reader._quick(fragment)
            if quick is None:
                continue
            assert quick == reader._parse_xml([fragment], namespaces)[0]
            compared += 1
    assert compared > 3
