"""Editing register.xlsx in place: what spreadsheet programs write is read right, and every
decoration a person made survives ccp's edits (fixtures in tests/data/registers/)."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from workbook_checks import (
    DECORATED,
    REGISTERS,
    RESOURCES_TABLE,
    SHEET_PARTS,
    WORKBOOK_PART,
    calculated,
    changed_parts,
    decorations,
    parts,
    through_libreoffice,
)

import workflow.register as register_module
from workflow.core.errors import RegisterError
from workflow.register import SHEETS, Register
from workflow.xlsx.formulas import _has_formula, _holds_formula, formula_starts

MEETING = date(2027, 3, 11)


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    """decorated.xlsx (saved by LibreOffice Calc) as a workspace's register.xlsx."""
    path = tmp_path / "register.xlsx"
    shutil.copyfile(DECORATED, path)
    return path


def save(register: Register, path: Path) -> None:
    register.save(path, backups_dir=path.parent / "backups", keep_backups=3)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def without_none(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


# --- what spreadsheet programs write ----------------------------------------------------------


READER_CASES = [
    pytest.param(
        "reader-shared-strings",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "owner": "Ellis Pretendy"}),
            (3, {"action_id": "CCP-2027-001-A2", "owner": "Ellis Pretendy"}),
        ],
        id="shared-strings",
    ),
    pytest.param(
        "reader-inline-strings",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "owner": "Ellis Pretendy"}),  # rich text runs
            (3, {"action_id": "CCP-2027-001-A2", "action": "Tell <school> & GP"}),  # CDATA
        ],
        id="inline-strings-and-cdata",
    ),
    pytest.param(
        "reader-dates-1900",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "meeting": MEETING, "due": date(2027, 4, 1)}),
            (3, {"action_id": "CCP-2027-001-A2", "notes": "10:30"}),  # a time, shown as typed
        ],
        id="1900-dates",
    ),
    pytest.param(
        "reader-dates-1904",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "meeting": MEETING, "due": date(2027, 4, 1)}),
            (3, {"action_id": "CCP-2027-001-A2", "notes": "10:30"}),
        ],
        id="1904-dates",
    ),
    pytest.param(
        "reader-date-times",
        "Audit",
        [
            (2, {"when": datetime(2027, 3, 11, 10, 30), "who": "casey"}),
            (3, {"when": time(18, 0), "who": "casey"}),  # a time alone: kept, and reported
        ],
        id="date-times-and-times",
    ),
    pytest.param(
        "reader-odd-dimension",
        "Actions",
        [(4, {"action_id": "CCP-2027-001-A1", "owner": "Ellis"})],
        id="dimension-from-B3",
    ),
    pytest.param(
        "reader-merged-cells",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "notes": "Both actions", "Column N": "aside"}),
            (3, {"action_id": "CCP-2027-001-A2"}),
        ],
        id="merged-cells",
    ),
    pytest.param(
        "reader-empty-rows-and-columns",
        "Actions",
        [
            (2, {"action_id": "CCP-2027-001-A1", "owner": "Health"}),
            (4, {"action_id": "CCP-2027-001-A2", "owner": "Police"}),
        ],
        id="empty-rows-and-columns",
    ),
    pytest.param(
        "reader-numbers-as-text",
        "Meetings",
        [(2, {"meeting": MEETING, "status": "pending", "apologies": "4", "version": 2})],
        id="numbers-as-text-meetings",
    ),
    pytest.param(
        "reader-numbers-as-text",
        "Resources",
        [(2, {"case_id": "CCP-2027-001", "amount": 1250.5, "confirmed": True})],
        id="numbers-as-text-resources",
    ),
    pytest.param(
        "reader-numbers-as-text",
        "Cases",
        [(2, {"case_id": "CCP-2027-001", "local_id": "004512", "child_name": "7"})],
        id="numbers-as-text-cases",
    ),
]


@pytest.mark.parametrize(("fixture", "sheet", "expected"), READER_CASES)
def test_what_spreadsheet_programs_write_is_read_right(
    fixture: str, sheet: str, expected: list[tuple[int, dict[str, Any]]]
) -> None:
    register = Register.load(REGISTERS / f"{fixture}.xlsx")
    rows = register.rows(sheet)
    assert [(register.row_number(sheet, row), without_none(row)) for row in rows] == expected
    for _, values in expected:
        for value in values.values():
            assert type(value) in (str, int, float, bool, date, datetime, time)


def test_values_that_do_not_fit_are_reported_with_their_cell() -> None:
    register = Register.load(REGISTERS / "reader-date-times.xlsx")
    assert [str(problem) for problem in register.problems("Audit")] == [
        "register.xlsx: sheet Audit, row 3, column 'When': '18:00' is not a date and time"
    ]
    register = Register.load(REGISTERS / "reader-numbers-as-text.xlsx", sheets=["Meetings"])
    assert [(p.row, p.header, p.value) for p in register.problems()] == [(2, "Status", "pending")]


@pytest.mark.parametrize(
    "fixture",
    [
        "reader-shared-strings",
        "reader-inline-strings",
        "reader-dates-1904",
        "reader-odd-dimension",
        "reader-merged-cells",
        "reader-empty-rows-and-columns",
    ],
)
def test_what_spreadsheet_programs_write_is_edited_right(tmp_path: Path, fixture: str) -> None:
    path = tmp_path / "register.xlsx"
    shutil.copyfile(REGISTERS / f"{fixture}.xlsx", path)
    register = Register.load(path)
    before = [dict(row) for row in register.rows("Actions")]
    first = register.rows("Actions")[0]
    first["status"] = "Completed"
    first["completed_on"] = date(2027, 3, 20)
    register.append(
        "Actions", {"action_id": "CCP-2027-001-A9", "due": date(2027, 5, 1), "owner": "A & B"}
    )
    save(register, path)

    rows = Register.load(path).rows("Actions")
    expected = [
        {**before[0], "status": "Completed", "completed_on": date(2027, 3, 20)},
        *before[1:],
    ]
    assert [without_none(row) for row in rows[:-1]] == [without_none(row) for row in expected]
    assert without_none(rows[-1]) == {
        "action_id": "CCP-2027-001-A9",
        "due": date(2027, 5, 1),
        "owner": "A & B",
    }
    sheet = load_workbook(path)["Actions"]  # openpyxl reads the result as well
    assert "CCP-2027-001-A9" in [cell.value for cell in sheet["A"]]


def test_rows_and_cells_without_numbers_are_edited_in_their_place(tmp_path: Path) -> None:
    # r= is optional on <row> and <c>: rows then count from 1, cells from column A.
    files = parts(REGISTERS / "reader-shared-strings.xlsx")
    name = SHEET_PARTS["Actions"]
    files[name] = re.sub(rb'(<row|<c) r="[A-Z]*\d+"', rb"\1", files[name])
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in files.items():
            archive.writestr(part, data)
    register = Register.load(path)
    assert [row["action_id"] for row in register.rows("Actions")] == [
        "CCP-2027-001-A1",
        "CCP-2027-001-A2",
    ]
    register.rows("Actions")[1]["status"] = "Open"
    register.append("Actions", {"action_id": "CCP-2027-001-A3"})
    save(register, path)
    rows = Register.load(path).rows("Actions")
    assert [(row["action_id"], row["status"]) for row in rows] == [
        ("CCP-2027-001-A1", None),
        ("CCP-2027-001-A2", "Open"),
        ("CCP-2027-001-A3", None),
    ]


def test_an_inline_text_that_also_carries_a_value_is_refused_by_its_cell() -> None:
    # python-calamine reads such a cell as empty: the register says so instead.
    register = Register.load(REGISTERS / "reader-inline-string-with-value.xlsx")
    with pytest.raises(RegisterError) as raised:
        register.rows("Actions")
    assert str(raised.value) == (
        "reader-inline-string-with-value.xlsx: sheet Actions, cell F2: stored in a form ccp "
        "cannot read reliably (an inline text that also carries a value); open the register "
        "in Excel or LibreOffice, save it, and run the command again"
    )
    assert register.rows("Cases") == []  # the other sheets still read


# --- workbooks ccp must not edit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "refused-protected-sheet",
            "register.xlsx: sheet Actions is protected; unprotect it in Excel (Review > "
            "Unprotect Sheet), save, and run the command again; nothing was changed",
        ),
        (
            "refused-unparseable-part",
            "register.xlsx: sheet Actions: row 9 is not closed; open it in Excel or "
            "LibreOffice and save it again, or put back a copy from backups/; nothing was "
            "changed",
        ),
        (
            "refused-strict-ooxml",
            "register.xlsx: saved as Strict Open XML; save it as the ordinary Excel Workbook "
            "(.xlsx) type; nothing was changed",
        ),
        (
            "refused-xls-renamed",
            "register.xlsx: an old-format .xls or a password-protected workbook, which ccp "
            "cannot edit; open it in Excel, remove any password and save it as Excel Workbook "
            "(.xlsx); nothing was changed",
        ),
        (
            "refused-xlsb-renamed",
            "register.xlsx: an Excel binary workbook (.xlsb) named .xlsx; save it as Excel "
            "Workbook (.xlsx); nothing was changed",
        ),
    ],
    ids=lambda value: value.removeprefix("refused-") if value.startswith("refused-") else "",
)
def test_a_workbook_ccp_cannot_edit_safely_is_refused_in_one_line(
    tmp_path: Path, fixture: str, message: str
) -> None:
    path = tmp_path / "register.xlsx"
    shutil.copyfile(REGISTERS / f"{fixture}.xlsx", path)
    before = path.read_bytes()

    def attempt() -> None:
        register = Register.load(path)
        register.append("Actions", {"action_id": "CCP-2027-001-A1"})
        register.audit(command="test", action="tried", target="x")
        save(register, path)

    with pytest.raises(RegisterError) as raised:
        attempt()
    assert raised.value.lines() == [message]
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["register.xlsx"]  # no backup, no temporary file


def test_a_sheet_the_reader_cannot_parse_is_refused_naming_it(tmp_path: Path) -> None:
    register = Register.load(REGISTERS / "refused-unparseable-part.xlsx")
    with pytest.raises(RegisterError) as raised:
        register.rows("Actions")
    assert str(raised.value) == (
        "refused-unparseable-part.xlsx: sheet Actions cannot be read (Expecting 'v, f, or is' "
        "node); open it in Excel or LibreOffice and save it again, or put back a copy from "
        "backups/; nothing was changed"
    )


def test_a_part_lxml_cannot_parse_is_refused_before_anything_is_written(
    register_file: Path,
) -> None:
    # Well-formed enough for the reader, but a DTD: never parsed (no entity expansion).
    files = parts(register_file)
    name = SHEET_PARTS["Audit"]
    files[name] = files[name].replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY x "boom">]><worksheet', 1
    )
    with zipfile.ZipFile(register_file, "w") as archive:
        for part, data in files.items():
            archive.writestr(part, data)
    before = register_file.read_bytes()

    register = Register.load(register_file, sheets=["Cases"])
    register.append("Cases", {"case_id": "CCP-2027-004"})
    register.audit(command="test", action="tried", target="x")
    with pytest.raises(RegisterError, match=r"^register.xlsx: .*nothing was changed$"):
        save(register, register_file)
    assert register_file.read_bytes() == before


# --- a decorated register, edited --------------------------------------------------------------


def test_the_decorated_fixture_was_written_by_libreoffice() -> None:
    files = parts(DECORATED)
    assert b"<Application>LibreOffice" in files["docProps/app.xml"]
    assert "xl/sharedStrings.xml" in files
    assert decorations(DECORATED)["summary"][0] == ["Cases", "=COUNTA(Cases!A:A)-1"]
    assert calculated(DECORATED, "Summary")[0] == ["Cases", 3]


def test_appending_keeps_every_decoration_and_copies_every_other_part(
    register_file: Path,
) -> None:
    before, decorated = parts(register_file), decorations(register_file)
    register = Register.load(register_file)
    register.append(
        "Cases",
        {
            "case_id": "CCP-2027-004",
            "child_name": "Sam Fictional",
            "date_of_birth": date(2013, 6, 2),
            "meeting": MEETING,
            "status": "open",
            "escalated": False,
            "notes": "=1+1 is what the referrer wrote",
        },
    )
    register.audit(
        command="referral add", action="accepted", target="CCP-2027-004", when=datetime(2027, 2, 20)
    )
    save(register, register_file)

    after = parts(register_file)
    assert changed_parts(before, after) == {
        SHEET_PARTS["Cases"],
        SHEET_PARTS["Audit"],
        WORKBOOK_PART,  # recalculate on open; the filter's defined name grows
        SHEET_PARTS["Summary"],  # its formulas read Cases: their cached values go
    }
    summary = load_workbook(register_file)["Summary"]
    assert summary["B1"].value == "=COUNTA(Cases!A:A)-1"  # still the formula
    assert decorations(register_file) == decorated
    cases = load_workbook(register_file)["Cases"]
    assert [cell.value for cell in cases[5]][:4] == [
        "CCP-2027-004",
        None,
        "Sam Fictional",
        datetime(2013, 6, 2),
    ]
    assert cases["D5"].number_format == cases["D4"].number_format == "dd/mm/yyyy"
    assert cases["T5"].value == "=1+1 is what the referrer wrote"
    assert cases["T5"].data_type == "s"  # text, never a formula
    assert cases["R5"].value == "No"
    assert cases.auto_filter.ref == "A1:T5"
    assert b'fullCalcOnLoad="1"' in after[WORKBOOK_PART]
    assert b"Cases!$A$1:$T$5" in after[WORKBOOK_PART]


def test_an_appended_row_takes_the_styles_of_the_row_above(register_file: Path) -> None:
    register = Register.load(register_file)
    register.append(
        "Actions",
        {
            "action_id": "CCP-2027-004-A1",
            "owner": "PC Sam Madeup",
            "due": date(2027, 3, 25),
            "status": "Open",
        },
    )
    save(register, register_file)

    actions = load_workbook(register_file)["Actions"]
    assert actions["A8"].value == "CCP-2027-004-A1"
    assert actions["F8"].fill.fgColor.rgb == "FFC6EFCE"  # the column coloured by hand
    assert actions["G8"].value == datetime(2027, 3, 25)
    assert actions["G8"].number_format == "dd/mm/yyyy"
    assert not actions["A8"].font.b  # the bold row 2 is not the row above
    assert actions.auto_filter.ref == "A1:L8"


def test_a_changed_cell_keeps_its_style_and_its_row_keeps_the_rest(register_file: Path) -> None:
    before = parts(register_file)
    register = Register.load(register_file, sheets=["Actions"])
    (action,) = register.find("Actions", action_id="CCP-2027-001-A1")
    action["status"] = "Completed"
    action["completed_on"] = date(2027, 3, 2)
    save(register, register_file)

    actions = load_workbook(register_file)["Actions"]
    assert actions["H2"].value == "Completed"
    assert (actions["H2"].fill.fgColor.rgb, actions["H2"].font.b) == ("FFFFFF00", True)
    assert actions["I2"].value == datetime(2027, 3, 2)
    assert actions["I2"].number_format == "dd/mm/yyyy"
    assert [(c.fill.fgColor.rgb, bool(c.font.b)) for c in actions[2]] == (
        decorations(DECORATED)["action row 2"]
    )
    assert changed_parts(before, parts(register_file)) == {
        SHEET_PARTS["Actions"],
        WORKBOOK_PART,
        # Every formula loses its cached value (issue 21): the Summary's and Cases' own.
        SHEET_PARTS["Summary"],
        SHEET_PARTS["Cases"],
    }


def test_an_excel_table_over_the_data_grows_with_an_appended_row(register_file: Path) -> None:
    before = parts(register_file)
    register = Register.load(register_file, sheets=["Resources"])
    register.append(
        "Resources",
        {"case_id": "CCP-2027-004", "meeting": MEETING, "amount": 4800.0, "confirmed": False},
    )
    save(register, register_file)

    after = parts(register_file)
    # The Summary's formulas lose their cached values, so that Calc recounts (issue 21).
    assert changed_parts(before, after) == {
        SHEET_PARTS["Resources"],
        SHEET_PARTS["Summary"],
        SHEET_PARTS["Cases"],
        RESOURCES_TABLE,
        WORKBOOK_PART,
    }
    workbook = load_workbook(register_file)
    assert workbook["Resources"].tables["Agreed"].ref == "A1:G3"
    assert workbook["Contacts"].tables["Directory"].ref == "A1:C4"  # not over our data
    assert [c.value for c in workbook["Resources"][3]][:6] == [
        "CCP-2027-004",
        datetime(2027, 3, 11),
        None,
        None,
        4800,
        "No",
    ]


def test_formulas_stay_formulas_in_a_row_ccp_changes(register_file: Path) -> None:
    register = Register.load(register_file)
    (case,) = register.find("Cases", case_id="CCP-2027-002")
    assert case["Age at referral"] == 13  # a hand-added formula column reads its value
    case["risk_latest"] = "High"
    save(register, register_file)

    cases = load_workbook(register_file)["Cases"]
    assert cases["N3"].value == "High"
    assert [cases.cell(r, 21).value for r in range(2, 5)] == [
        f'=DATEDIF(D{r},E{r},"y")' for r in range(2, 5)
    ]


def test_a_calculation_chain_is_dropped_so_excel_rebuilds_it(register_file: Path) -> None:
    files = parts(register_file)
    files["xl/calcChain.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="B1" i="8"/><c r="B2" i="8"/><c r="B3" i="8"/></calcChain>'
    )
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    with zipfile.ZipFile(register_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    before = parts(register_file)

    register = Register.load(register_file, sheets=["Audit"])
    register.audit(command="test", action="checked", target="x")
    save(register, register_file)

    after = parts(register_file)
    assert changed_parts(before, after) == {
        SHEET_PARTS["Audit"],
        WORKBOOK_PART,
        "xl/calcChain.xml",
        SHEET_PARTS["Summary"],  # its formulas' cached values go (issue 21)
        SHEET_PARTS["Cases"],  # and those of its formula column
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert decorations(register_file)["summary"] == decorations(DECORATED)["summary"]


def test_a_sheet_added_later_is_added_with_an_audit_row(tmp_path: Path) -> None:
    # A register from before the Signatures sheet existed (made here from the fixture).
    from openpyxl import load_workbook as load

    old = load(DECORATED)
    del old["Signatures"]
    path = tmp_path / "register.xlsx"
    old.save(path)
    before = parts(path)

    register = Register.load(path)
    assert not register.has_sheet("Signatures")
    assert register.rows("Signatures") == []
    register.audit(command="test", action="checked", target="x", when=datetime(2027, 2, 20))
    save(register, path)

    workbook = load_workbook(path)
    assert workbook.sheetnames[-1] == "Signatures"
    assert [c.value for c in workbook["Signatures"][1]] == [
        column.header for column in SHEETS["Signatures"]
    ]
    assert workbook["Signatures"]["A1"].font.b
    audit = [[c.value for c in row] for row in workbook["Audit"].iter_rows(min_row=4)]
    assert [row[2:5] for row in audit] == [
        ["test", "checked", "x"],
        ["register", "added sheet", "Signatures"],
    ]
    assert Register.load(path).has_sheet("Signatures")
    unchanged = set(before) - changed_parts(before, parts(path))
    assert "xl/worksheets/sheet8.xml" in unchanged  # Summary, as openpyxl wrote it


def test_a_register_changed_on_disk_since_it_was_read_is_not_overwritten(
    register_file: Path,
) -> None:
    register = Register.load(register_file)
    register.append("Cases", {"case_id": "CCP-2027-004"})
    # The administrator saves in Excel while the command runs.
    other = Register.load(register_file)
    other.append("Cases", {"case_id": "CCP-2027-099"})
    save(other, register_file)
    theirs = register_file.read_bytes()

    with pytest.raises(RegisterError) as raised:
        save(register, register_file)
    assert str(raised.value) == (
        "register.xlsx changed on disk while this command ran (saved in Excel?); nothing was "
        "written: run the command again"
    )
    assert register_file.read_bytes() == theirs


def test_appending_reads_no_row_of_the_sheet(
    register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cost of `audit` must not follow the length of the Audit sheet (issue 9).
    read: list[str] = []
    real = register_module.read_table
    monkeypatch.setattr(
        register_module, "read_table", lambda sheet, *rest: read.append(sheet) or real(sheet, *rest)
    )
    register = Register.load(register_file)
    register.audit(command="test", action="checked", target="x", when=datetime(2027, 2, 20))
    register.append("Resources", {"case_id": "CCP-2027-001", "amount": 10.0})
    save(register, register_file)
    assert read == []
    audit = load_workbook(register_file)["Audit"]
    assert [c.value for c in audit[4]][:3] == [datetime(2027, 2, 20), "test-user", "test"]
    assert audit["A4"].number_format == audit["A3"].number_format


def test_rows_appended_before_their_sheet_is_read_follow_the_rows_read(
    register_file: Path,
) -> None:
    register = Register.load(register_file)
    early = register.append("Actions", {"action_id": "CCP-2027-004-A1"})
    rows = register.rows("Actions")
    assert [row["action_id"] for row in rows][-2:] == ["CCP-2027-003-A2", "CCP-2027-004-A1"]
    assert rows[-1] is early
    assert register.row_number("Actions", early) is None
    rows[0]["notes"] = "changed after the append"
    save(register, register_file)
    assert [row["action_id"] for row in Register.load(register_file).rows("Actions")][-1] == (
        "CCP-2027-004-A1"
    )
    assert load_workbook(register_file)["Actions"]["L2"].value == "changed after the append"


def test_saving_twice_edits_the_saved_file(register_file: Path) -> None:
    register = Register.load(register_file)
    register.append("Cases", {"case_id": "CCP-2027-004"})
    save(register, register_file)
    register.append("Cases", {"case_id": "CCP-2027-005"})
    save(register, register_file)
    assert [row["case_id"] for row in Register.load(register_file).rows("Cases")][-2:] == [
        "CCP-2027-004",
        "CCP-2027-005",
    ]


@pytest.mark.libreoffice
def test_libreoffice_opens_the_edited_register_and_counts_the_new_case(
    register_file: Path, tmp_path: Path
) -> None:
    register = Register.load(register_file)
    register.append("Cases", {"case_id": "CCP-2027-004", "meeting": MEETING, "status": "open"})
    register.append("Actions", {"action_id": "CCP-2027-004-A1", "status": "Open"})
    register.audit(command="referral add", action="accepted", target="CCP-2027-004")
    save(register, register_file)

    reopened = through_libreoffice(register_file, tmp_path / "lo")
    assert calculated(reopened, "Summary") == [["Cases", 4], ["Open actions", 3], ["Actions", 7]]
    assert calculated(reopened, "Cases")[4][:1] == ["CCP-2027-004"]
    assert Register.load(reopened).find("Actions", action_id="CCP-2027-004-A1")


# --- hypothesis: the editor against a plain model ----------------------------------------------

MODEL_SHEETS = ("Cases", "Actions", "Resources", "Audit")
XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(
            [chr(c) for c in range(0x20) if chr(c) not in "\t\n"] + ["\ufffe", "\uffff", "\r"]
        ),
    ),
    min_size=1,
    max_size=30,
)


def value_for(column: Any) -> st.SearchStrategy[Any]:
    kind = column.kind
    if kind in ("text", "long_text"):
        return XML_TEXT
    if kind == "date":
        return st.dates(date(1990, 1, 1), date(2040, 12, 31))
    if kind == "datetime":
        return st.builds(
            datetime,
            st.integers(2000, 2040),
            st.integers(1, 12),
            st.integers(1, 28),
            st.integers(0, 23),
            st.integers(0, 59),
        )
    if kind == "int":
        return st.integers(0, 10_000)
    if kind == "number":
        return st.floats(0, 1e9, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))
    if kind == "yesno":
        return st.booleans()
    return st.sampled_from(column.choices)


def cell_strategy(sheet: str) -> st.SearchStrategy[tuple[str, Any]]:
    return st.one_of(
        *[st.tuples(st.just(column.key), value_for(column)) for column in SHEETS[sheet]]
    )


OPERATION = st.sampled_from(MODEL_SHEETS).flatmap(
    lambda sheet: st.one_of(
        st.tuples(
            st.just("append"),
            st.just(sheet),
            st.lists(cell_strategy(sheet), min_size=1, max_size=4),
        ),
        st.tuples(
            st.just("change"),
            st.just(sheet),
            st.tuples(st.integers(0, 50), cell_strategy(sheet)),
        ),
        st.tuples(st.just("save"), st.just(sheet), st.none()),
    )
)


ORIGINAL_DECORATIONS = decorations(DECORATED)
ORIGINAL_PARTS = parts(DECORATED)


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=12))
def test_edits_give_the_rows_a_plain_model_gives_and_touch_no_decoration(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("model")
    path = folder / "register.xlsx"
    shutil.copyfile(DECORATED, path)
    register = Register.load(path)
    model = {sheet: [dict(row) for row in register.rows(sheet)] for sheet in MODEL_SHEETS}
    for operation, sheet, argument in operations:
        if operation == "append":
            values = dict(argument)
            register.append(sheet, values)
            model[sheet].append({key: values.get(key) for key in register.keys(sheet)})
        elif operation == "change":
            index, (key, value) = argument
            rows = register.rows(sheet)
            if not rows:
                continue
            rows[index % len(rows)][key] = value
            model[sheet][index % len(rows)][key] = value
        else:
            save(register, path)
    save(register, path)

    loaded = Register.load(path)
    # A hand-added formula keeps its formula but loses its cached value on a write, so that
    # Calc calculates it afresh (issue 21): it reads as empty until a spreadsheet saves it.
    written = bool(changed_parts(ORIGINAL_PARTS, parts(path)))
    for row in model["Cases"]:
        if written and "Age at referral" in row:
            row["Age at referral"] = None
    for sheet in MODEL_SHEETS:
        assert loaded.rows(sheet) == model[sheet], sheet
    kept = decorations(path)
    expected = dict(ORIGINAL_DECORATIONS)
    # Cases!T3, a text starting with "=", is a Notes cell the operations may change.
    text, data_type = kept.pop("text with =")
    expected.pop("text with =")
    assert data_type == "s"
    assert text == model["Cases"][1]["notes"]
    assert kept == expected
    touched = changed_parts(ORIGINAL_PARTS, parts(path))
    allowed = {SHEET_PARTS[sheet] for sheet in MODEL_SHEETS} | {
        WORKBOOK_PART,
        RESOURCES_TABLE,
        SHEET_PARTS["Summary"],  # formula values that read a changed sheet are dropped
    }
    assert touched <= allowed


@pytest.mark.parametrize(
    ("part", "holds"),
    [
        (b'<worksheet xmlns="m"><sheetData><row r="2"><c r="A2"><f>1+1</f><v>2</v></c>', True),
        (b'<worksheet xmlns="m"><sheetData><row><c r="B2"><f t="shared" si="0"/></c>', True),
        (b'<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c r="A2"><x:f>NOW()</x:f>', True),
        (
            b'<x:worksheet xmlns:x="m"><x:sheetData/><x:autoFilter ref="A1:B2"><x:filterColumn/>',
            False,
        ),
        (
            b'<worksheet xmlns="m"><sheetData/><autoFilter ref="A1:B2"><filterColumn colId="1"/>',
            False,
        ),
        (
            b'<worksheet xmlns="m"><sheetData><row><c t="inlineStr"><is><t>&lt;f&gt; and 4:f </t>',
            False,
        ),
    ],
)
def test_a_part_is_known_to_hold_a_formula_by_its_formula_elements_only(
    part: bytes, holds: bool
) -> None:
    # Read in pieces of 30 bytes (the root element in the first): a formula's start may
    # straddle two.
    pieces = [part[start : start + 30] for start in range(0, len(part), 30)]
    assert _holds_formula(pieces) is holds
    assert _has_formula(part, formula_starts(part)) is holds
