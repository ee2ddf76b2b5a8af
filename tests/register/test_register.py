"""register.xlsx: what the administrator sees in Excel, hand edits kept, saved safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import workflow.core.files as files_module
import workflow.register.lock as lock_module
import workflow.xlsx.workbook as workbook_module
from workflow.core.errors import (
    FileUnwritable,
    RegisterCellInvalid,
    RegisterError,
    RegisterLocked,
)
from workflow.register import SHEETS, Column, Register, register_lock

MEETING = date(2027, 3, 11)
ACTION = {
    "action_id": "CCP-2027-004-A1",
    "case_id": "CCP-2027-004",
    "meeting": MEETING,
    "action": "Convene a strategy meeting\nwith police & health",
    "agency": "Police",
    "owner": "DS Fictional",
    "due": date(2027, 4, 1),
    "status": "Open",
}
CASE = {
    "case_id": "CCP-2027-004",
    "local_id": "LCS-123456",
    "child_name": "Fictional Child",
    "date_of_birth": date(2012, 5, 17),
    "referral_date": date(2027, 2, 1),
    "accepted_on": date(2027, 2, 3),
    "meeting": MEETING,
    "status": "open",
    "escalated": False,
    "agencies": "Children's social care; Police",
}


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "register.xlsx"


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
def saved(path: Path, backups: Path) -> Path:
    """A register with a case and two actions, and the backup of the empty one before."""
    register = Register.create()
    register.append("Cases", CASE)
    register.append("Actions", ACTION)
    register.append(
        "Actions",
        {**ACTION, "action_id": "CCP-2027-004-A2", "status": "Completed", "due": date(2027, 5, 6)},
    )
    register.append("Meetings", {"meeting": MEETING, "status": "scheduled"})
    Register.create().save(path, backups_dir=backups)  # `ccp init`
    register.save(path, backups_dir=backups)
    assert len(files_in(backups)) == 1
    return path


def save(register: Register, path: Path, keep: int = 20) -> Path | None:
    return register.save(path, backups_dir=path.parent / "backups", keep_backups=keep)


@contextmanager
def excel(path: Path) -> Iterator[Workbook]:
    """Edit the workbook the way an administrator does between runs, then save it."""
    workbook = load_workbook(path)
    yield workbook
    workbook.save(path)


def header_index(sheet: Any, header: str) -> int:
    """1-based column of a header in row 1 (fails the test if absent)."""
    headers = [cell.value for cell in sheet[1]]
    assert header in headers, f"{header!r} not in {headers}"
    return headers.index(header) + 1


def values(path: Path, sheet: str) -> list[list[Any]]:
    """Cell values as Excel shows them (openpyxl), header row first."""
    return [list(row) for row in load_workbook(path)[sheet].iter_rows(values_only=True)]


def column_values(path: Path, sheet: str, header: str) -> list[Any]:
    rows = values(path, sheet)
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def files_in(folder: Path) -> list[str]:
    return sorted(file.name for file in folder.iterdir())


# --- the sheets ----------------------------------------------------------------------------


def test_sheets_and_headers_are_the_contract() -> None:
    assert list(SHEETS) == [
        "Meetings",
        "Cases",
        "Actions",
        "Resources",
        "Progress",
        "Signatures",
        "Audit",
        "Disclosures",
        "Retention holds",
        "Tombstones",
    ]
    assert [column.header for column in SHEETS["Actions"]] == [
        "Action ID",
        "Case ID",
        "Meeting",
        "Action",
        "Agency",
        "Owner",
        "Due",
        "Status",
        "Completed on",
        "Carried forward",
        "Reason not done",
        "Notes",
    ]
    status = {column.key: column for column in SHEETS["Actions"]}["status"]
    assert status.choices == ("Open", "In progress", "Completed", "Cancelled")
    for columns in SHEETS.values():
        keys = [column.key for column in columns]
        assert len(keys) == len(set(keys))
        for column in columns:
            # The filter arrow covers ~3 characters of the header.
            assert column.width >= len(column.header) + 2, column.header


def test_create_and_save_writes_six_sheets_with_frozen_bold_filtered_headers(
    path: Path, backups: Path
) -> None:
    assert Register.create().save(path, backups_dir=backups) is None

    workbook = load_workbook(path)
    assert workbook.sheetnames == list(SHEETS)
    for name, columns in SHEETS.items():
        sheet = workbook[name]
        assert [cell.value for cell in sheet[1]] == [column.header for column in columns]
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        last = sheet.cell(1, len(columns)).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}1"
        for index, column in enumerate(columns, start=1):
            letter = sheet.cell(1, index).column_letter
            assert sheet.column_dimensions[letter].width == column.width


def test_saved_cells_have_the_formats_a_user_reads(saved: Path) -> None:
    register = Register.load(saved)
    register.audit(command="test", action="checked", target="x", when=datetime(2027, 2, 20, 9, 5))
    save(register, saved)

    workbook = load_workbook(saved)
    actions = workbook["Actions"]
    assert actions.auto_filter.ref == "A1:L3"
    due = actions.cell(2, header_index(actions, "Due"))
    assert due.value == datetime(2027, 4, 1)
    assert due.number_format == "dd/mm/yyyy"
    text = actions.cell(2, header_index(actions, "Action"))
    assert text.value == "Convene a strategy meeting\nwith police & health"
    assert text.alignment.wrap_text
    assert not actions.cell(2, header_index(actions, "Agency")).alignment.wrap_text
    when = workbook["Audit"]["A2"]
    assert when.value == datetime(2027, 2, 20, 9, 5)
    assert when.number_format == "dd/mm/yyyy hh:mm"
    cases = workbook["Cases"]
    assert cases.cell(2, header_index(cases, "Escalated")).value == "No"


def test_choice_and_yes_no_columns_have_drop_downs(saved: Path) -> None:
    workbook = load_workbook(saved)
    for name, columns in SHEETS.items():
        sheet = workbook[name]
        lists = {}
        for validation in sheet.data_validations.dataValidation:
            assert validation.type == "list"
            assert validation.allow_blank
            for cells in validation.sqref.ranges:
                lists[cells.min_col] = (validation.formula1, cells.min_row, cells.max_row)
        expected = {
            index: column.choices or ("Yes", "No")
            for index, column in enumerate(columns, start=1)
            if column.kind in ("choice", "yesno")
        }
        assert set(lists) == set(expected), name
        for index, choices in expected.items():
            formula, first, last = lists[index]
            assert formula == '"' + ",".join(choices) + '"'
            assert first == 2
            assert last > sheet.max_row  # rows typed in below get the drop-down too
    status = workbook["Actions"].data_validations.dataValidation
    assert '"Open,In progress,Completed,Cancelled"' in [v.formula1 for v in status]


def test_overdue_open_actions_are_filled_light_red(saved: Path) -> None:
    sheet = load_workbook(saved)["Actions"]
    ranges = list(sheet.conditional_formatting)
    assert len(ranges) == 1
    (rule,) = ranges[0].rules
    due = sheet.cell(1, header_index(sheet, "Due")).column_letter
    status = sheet.cell(1, header_index(sheet, "Status")).column_letter
    (formula,) = rule.formula
    assert f"${due}2<TODAY()" in formula
    assert f'${status}2="Open"' in formula
    assert f'${status}2="In progress"' in formula
    assert rule.dxf.fill.fgColor.rgb.endswith("FFC7CE")
    (cells,) = ranges[0].sqref.ranges
    assert (cells.min_row, cells.min_col) == (2, 1)
    assert cells.max_col == len(SHEETS["Actions"])
    assert cells.max_row > sheet.max_row


# --- values --------------------------------------------------------------------------------


def test_values_come_back_as_python_types(path: Path) -> None:
    register = Register.create()
    register.append(
        "Meetings",
        {"meeting": MEETING, "status": "minuted", "version": 2, "chair": "Dr Chair"},
    )
    register.append("Resources", {"case_id": "CCP-2027-004", "amount": 1500.5, "confirmed": True})
    register.append("Resources", {"case_id": "CCP-2027-004", "amount": 200, "confirmed": False})
    register.audit(command="t", action="a", target="x", when=datetime(2027, 1, 14, 10, 30, 15))
    save(register, path)

    loaded = Register.load(path)
    meeting = loaded.rows("Meetings")[0]
    assert type(meeting["meeting"]) is date
    assert meeting["meeting"] == MEETING
    assert type(meeting["version"]) is int
    assert meeting["version"] == 2
    assert meeting["notes"] is None
    first, second = loaded.rows("Resources")
    assert first["amount"] == 1500.5
    assert first["confirmed"] is True
    assert type(second["amount"]) is float
    assert second["amount"] == 200
    assert second["confirmed"] is False
    when = loaded.rows("Audit")[0]["when"]
    assert type(when) is datetime
    assert when == datetime(2027, 1, 14, 10, 30, 15)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Yes", True),
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        (1, True),
        (True, True),
        ("No", False),
        (" no ", False),
        ("n", False),
        ("False", False),
        ("0", False),
        (0, False),
        (False, False),
        ("not sure", "not sure"),
        (None, None),
    ],
    ids=repr,
)
def test_yes_no_typed_by_hand_is_read_tolerantly(saved: Path, typed: Any, expected: Any) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Cases"]
        sheet.cell(2, header_index(sheet, "Escalated")).value = typed

    assert Register.load(saved).rows("Cases")[0]["escalated"] == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/01/2027", date(2027, 1, 14)),
        ("1/2/2027", date(2027, 2, 1)),
        ("14/01/27", date(2027, 1, 14)),
        ("2027-01-14", date(2027, 1, 14)),
        ("14 January 2027", date(2027, 1, 14)),
        ("14 Jan 2027", date(2027, 1, 14)),
        ("3rd March 2027", date(2027, 3, 3)),
        (" 14.01.2027 ", date(2027, 1, 14)),
        (datetime(2027, 1, 14), date(2027, 1, 14)),
        ("31/02/2027", "31/02/2027"),
        ("after half term", "after half term"),
        ("14 Smarch 2027", "14 Smarch 2027"),
    ],
    ids=str,
)
def test_dates_typed_as_text_are_read_as_dates(saved: Path, typed: Any, expected: Any) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.cell(2, header_index(sheet, "Due")).value = typed

    register = Register.load(saved)
    assert register.rows("Actions")[0]["due"] == expected
    register.rows("Actions")[0]["notes"] = "a cell of the same row changed"
    save(register, saved)
    written = load_workbook(saved)["Actions"]
    # A cell ccp did not change stays exactly as typed (text stays text).
    assert written.cell(2, header_index(written, "Due")).value == typed
    assert written.cell(2, header_index(written, "Notes")).value == "a cell of the same row changed"
    assert Register.load(saved).rows("Actions")[0]["due"] == expected


def test_a_date_ccp_writes_over_a_blank_is_a_real_date(saved: Path) -> None:
    register = Register.load(saved)
    register.rows("Actions")[0]["completed_on"] = date(2027, 6, 1)
    save(register, saved)
    written = load_workbook(saved)["Actions"]
    cell = written.cell(2, header_index(written, "Completed on"))
    assert cell.value == datetime(2027, 6, 1)
    assert cell.number_format == "dd/mm/yyyy"


def test_text_typed_where_a_date_belongs_is_never_written_over(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.cell(2, header_index(sheet, "Due")).value = "after half term"
    before = saved.read_bytes()

    register = Register.load(saved)
    register.rows("Actions")[0]["due"] = date(2027, 6, 1)
    with pytest.raises(RegisterCellInvalid) as raised:
        save(register, saved)
    assert raised.value.lines() == [
        "register.xlsx: sheet Actions, row 2, column 'Due': 'after half term' is not a date "
        "(type it as 11/03/2027)",
        "correct it in the register, then run the command again",
    ]
    assert saved.read_bytes() == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/01/2027 10:30", datetime(2027, 1, 14, 10, 30)),
        ("2027-01-14T10:30:15", datetime(2027, 1, 14, 10, 30, 15)),
        ("14 Jan 2027 9:05", datetime(2027, 1, 14, 9, 5)),
        ("14/01/2027", datetime(2027, 1, 14)),
        (datetime(2027, 1, 14), datetime(2027, 1, 14)),
        ("14/01/2027 25:00", "14/01/2027 25:00"),
        ("last Tuesday", "last Tuesday"),
    ],
    ids=str,
)
def test_date_times_typed_as_text_are_read_as_date_times(
    saved: Path, typed: Any, expected: Any
) -> None:
    with excel(saved) as workbook:
        workbook["Audit"].append([typed, "admin", "by hand", "noted", "x"])

    (row,) = Register.load(saved).rows("Audit")
    assert row["when"] == expected
    assert type(row["when"]) is type(expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(3.0, 3), ("4", 4), (" 5.0 ", 5), (2.5, 2.5), ("v2", "v2")],
    ids=repr,
)
def test_whole_numbers_in_an_int_column_are_ints(saved: Path, typed: Any, expected: Any) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Meetings"]
        sheet.cell(2, header_index(sheet, "Minutes version")).value = typed

    version = Register.load(saved).rows("Meetings")[0]["version"]
    assert version == expected
    assert type(version) is type(expected)


def test_a_time_typed_into_a_date_column_is_kept(saved: Path) -> None:
    with excel(saved) as workbook:
        workbook["Actions"]["G2"] = datetime(2027, 4, 1, 14, 30)

    assert Register.load(saved).rows("Actions")[0]["due"] == datetime(2027, 4, 1, 14, 30)


def test_numbers_typed_by_hand_are_read_by_column_kind(saved: Path) -> None:
    with excel(saved) as workbook:
        meetings = workbook["Meetings"]
        meetings.cell(2, header_index(meetings, "Chair")).value = 42
        cases = workbook["Cases"]
        cases.cell(2, header_index(cases, "Local ID")).value = 123456
        workbook["Resources"].append(["CCP-2027-004", None, "Health", "Therapy", "£1,250.50"])

    register = Register.load(saved)
    assert register.rows("Meetings")[0]["chair"] == "42"
    assert register.rows("Cases")[0]["local_id"] == "123456"
    assert register.find("Cases", local_id="123456")
    assert register.rows("Resources")[0]["amount"] == 1250.5


def test_choice_typed_in_another_case_reads_as_the_choice(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        status = header_index(sheet, "Status")
        sheet.cell(2, status).value = "in PROGRESS"
        sheet.cell(3, status).value = "waiting on police"

    first, second = Register.load(saved).rows("Actions")
    assert first["status"] == "In progress"
    assert second["status"] == "waiting on police"


# --- text is data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("x")', "=1+1", "+44 7700 900123", "-5", "@SUM(A1)", "#N/A", "0042", "TRUE"],
)
def test_text_that_looks_like_a_formula_is_stored_as_text(path: Path, text: str) -> None:
    register = Register.create()
    register.append("Actions", {"action_id": "A1", "owner": text, "notes": text})
    save(register, path)

    sheet = load_workbook(path)["Actions"]
    for header in ("Owner", "Notes"):
        cell = sheet.cell(2, header_index(sheet, header))
        assert cell.data_type == "s"
        assert cell.value == text
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )
    assert "<f>" not in xml
    assert Register.load(path).rows("Actions")[0]["owner"] == text


def test_excel_escape_sequences_in_text_are_kept_literally(path: Path) -> None:
    register = Register.create()
    register.append("Cases", {"case_id": "_x0041_ and _x005F_ stay", "notes": "_x000D_"})
    save(register, path)

    row = Register.load(path).rows("Cases")[0]
    assert row["case_id"] == "_x0041_ and _x005F_ stay"
    assert row["notes"] == "_x000D_"


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1f", "\ufffe"], ids=repr)
def test_control_characters_are_refused_not_written(
    saved: Path, backups: Path, character: str
) -> None:
    register = Register.load(saved)
    with pytest.raises(ValueError, match="control character"):
        register.append("Actions", {"action_id": f"A{character}9"})

    before = saved.read_bytes()
    backups_before = files_in(backups)
    register.rows("Actions")[0]["notes"] = f"typed{character}in"
    with pytest.raises(RegisterError, match=r"sheet Actions, row 2, Notes: control character"):
        save(register, saved)
    assert saved.read_bytes() == before
    assert files_in(saved.parent) == ["backups", "register.xlsx"]
    assert files_in(backups) == backups_before


def test_text_longer_than_excel_allows_is_refused(path: Path) -> None:
    register = Register.create()
    with pytest.raises(ValueError, match="longer than Excel"):
        register.append("Cases", {"notes": "x" * 32_768})
    register.append("Cases", {"notes": "x" * 32_767})
    save(register, path)
    assert len(Register.load(path).rows("Cases")[0]["notes"]) == 32_767


TEXT_COLUMNS = [
    (sheet, column.key)
    for sheet, columns in SHEETS.items()
    for column in columns
    if column.kind in ("text", "long_text")
]
# Everything XML 1.0 can carry: no surrogates, no C0 controls but tab, line feed, return.
TYPED_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(
            [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]
        ),
    ),
    min_size=1,
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(entries=st.lists(st.tuples(st.sampled_from(TEXT_COLUMNS), TYPED_TEXT), min_size=1))
@example(
    entries=[
        (("Actions", "action"), text)
        for text in [
            '=HYPERLINK("http://example.com")',
            "+1",
            "-1",
            "@me",
            "& < > \" ' &amp;",
            "{{ child.name }}",
            "שלום עולם",
            "مرحبا",
            "line one\nline two\r\nthree\rfour",
            "  leading and trailing  ",
            "\t",
            " ",
            "_x0041_",
            "Zoë, Łukasz, Siân",
            "😀",
        ]
    ]
)
def test_any_text_in_any_text_column_survives_save_and_load(
    tmp_path: Path, entries: list[tuple[tuple[str, str], str]]
) -> None:
    path = tmp_path / "register.xlsx"
    register = Register.create()
    expected: dict[str, list[tuple[str, str]]] = {sheet: [] for sheet in SHEETS}
    for (sheet, key), text in entries:
        register.append(sheet, {key: text})
        expected[sheet].append((key, text))
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)

    loaded = Register.load(path)
    for sheet, wanted in expected.items():
        rows = loaded.rows(sheet)
        assert len(rows) == len(wanted)
        for row, (key, text) in zip(rows, wanted, strict=True):
            assert row[key] == text
            assert all(value is None for other, value in row.items() if other != key)


# --- hand edits ----------------------------------------------------------------------------


def test_hand_edits_survive_load_append_save(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.cell(2, header_index(sheet, "Owner")).value = "PC Changed By Hand"
        sheet.append(["CCP-2027-004-A3", "CCP-2027-004", None, "Typed in Excel"])
        cases = workbook["Cases"]
        cases.cell(2, header_index(cases, "Notes")).value = "Mum moved to Leeds"

    register = Register.load(saved)
    register.append("Actions", {**ACTION, "action_id": "CCP-2027-004-A4"})
    save(register, saved)

    assert column_values(saved, "Actions", "Action ID") == [
        "CCP-2027-004-A1",
        "CCP-2027-004-A2",
        "CCP-2027-004-A3",
        "CCP-2027-004-A4",
    ]
    assert column_values(saved, "Actions", "Owner")[0] == "PC Changed By Hand"
    assert column_values(saved, "Actions", "Action")[2] == "Typed in Excel"
    assert column_values(saved, "Cases", "Notes") == ["Mum moved to Leeds"]


def test_a_row_deleted_by_hand_stays_deleted_and_blank_rows_stay_where_they_are(
    saved: Path,
) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.delete_rows(2)
        sheet.insert_rows(2, amount=2)  # blank rows left in the middle
        sheet.append([None] * 10)
        sheet.append(["CCP-2027-004-A9"])
    assert load_workbook(saved)["Actions"].max_row == 6

    register = Register.load(saved)
    assert [row["action_id"] for row in register.rows("Actions")] == [
        "CCP-2027-004-A2",
        "CCP-2027-004-A9",
    ]
    assert [register.row_number("Actions", row) for row in register.rows("Actions")] == [4, 6]
    register.append("Actions", {"action_id": "CCP-2027-004-A10"})
    save(register, saved)
    # The rows a person arranged stay where they put them; the new row goes below the last.
    assert column_values(saved, "Actions", "Action ID") == [
        None,
        None,
        "CCP-2027-004-A2",
        None,
        "CCP-2027-004-A9",
        "CCP-2027-004-A10",
    ]


def test_rows_keep_the_order_of_the_file(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        first = [cell.value for cell in sheet[2]]
        second = [cell.value for cell in sheet[3]]
        for column, (a, b) in enumerate(zip(first, second, strict=True), start=1):
            sheet.cell(2, column).value, sheet.cell(3, column).value = b, a

    register = Register.load(saved)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})
    assert [row["action_id"] for row in register.rows("Actions")] == [
        "CCP-2027-004-A2",
        "CCP-2027-004-A1",
        "CCP-2027-004-A3",
    ]


def test_a_column_moved_by_hand_still_reads_right(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        due = header_index(sheet, "Due")
        moved = [sheet.cell(row, due).value for row in range(1, sheet.max_row + 1)]
        sheet.delete_cols(due)
        end = sheet.max_column + 1
        for row, value in enumerate(moved, start=1):
            sheet.cell(row, end).value = value
    assert [cell.value for cell in load_workbook(saved)["Actions"][1]][-1] == "Due"

    register = Register.load(saved)
    assert [row["due"] for row in register.rows("Actions")] == [date(2027, 4, 1), date(2027, 5, 6)]
    assert register.rows("Actions")[0]["status"] == "Open"
    assert register.keys("Actions") == [column.key for column in SHEETS["Actions"]]
    register.append("Actions", {"action_id": "CCP-2027-004-A3", "due": date(2027, 6, 3)})
    register.rows("Actions")[0]["due"] = date(2027, 4, 8)
    save(register, saved)
    # Columns stay where the person put them; values go under their own header.
    headers = [column.header for column in SHEETS["Actions"]]
    headers.remove("Due")
    assert values(saved, "Actions")[0] == [*headers, "Due"]
    assert column_values(saved, "Actions", "Due") == [
        datetime(2027, 4, 8),
        datetime(2027, 5, 6),
        datetime(2027, 6, 3),
    ]
    assert column_values(saved, "Actions", "Status") == ["Open", "Completed", None]


def test_a_column_added_by_hand_is_kept_after_the_known_ones(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.insert_cols(3)  # in the middle, where people add them
        sheet["C1"] = "RAG"
        sheet["C2"] = "Red"
        sheet["C3"] = 7

    register = Register.load(saved)
    assert register.keys("Actions")[-1] == "RAG"
    assert [row["RAG"] for row in register.rows("Actions")] == ["Red", 7]
    assert register.rows("Actions")[0]["meeting"] == MEETING
    register.append("Actions", {"action_id": "CCP-2027-004-A3", "RAG": "Green"})
    register.append("Actions", {"action_id": "CCP-2027-004-A4"})
    save(register, saved)

    rows = values(saved, "Actions")
    headers = [column.header for column in SHEETS["Actions"]]
    assert rows[0] == [*headers[:2], "RAG", *headers[2:]]  # where the person put it
    assert [row[2] for row in rows[1:]] == ["Red", 7, "Green", None]
    assert [row[3] for row in rows[1:]] == [datetime(2027, 3, 11)] * 2 + [None, None]
    # openpyxl does not move the filter when it inserts a column; its rows grow.
    assert load_workbook(saved)["Actions"].auto_filter.ref == "A1:L5"


def test_unnamed_and_duplicate_hand_columns_are_kept(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Cases"]
        sheet["U1"], sheet["U2"] = "Comments", "first"
        sheet["V1"], sheet["V2"] = "Comments", "second"
        sheet["W2"] = "no header"
        sheet["X1"] = "notes"  # same as a known header, other case

    register = Register.load(saved)
    row = register.rows("Cases")[0]
    assert row["Comments"] == "first"
    assert row["Comments (2)"] == "second"
    assert row["Column W"] == "no header"
    assert row["notes (2)"] is None
    save(register, saved)
    rows = values(saved, "Cases")
    assert rows[0][20:] == ["Comments", "Comments", None, "notes"]
    assert rows[1][20:] == ["first", "second", "no header", None]


def test_a_sheet_added_by_hand_is_kept(saved: Path) -> None:
    with excel(saved) as workbook:
        notes = workbook.create_sheet("My notes")
        notes["A1"] = "Chase CAMHS"
        notes["C3"] = date(2027, 3, 1)

    with zipfile.ZipFile(saved) as archive:
        before = {name: archive.read(name) for name in archive.namelist()}
    register = Register.load(saved)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})
    save(register, saved)
    workbook = load_workbook(saved)
    assert workbook.sheetnames == [*SHEETS, "My notes"]
    assert workbook["My notes"]["A1"].value == "Chase CAMHS"
    assert workbook["My notes"]["C3"].value == datetime(2027, 3, 1)
    with zipfile.ZipFile(saved) as archive:
        assert archive.read("xl/worksheets/sheet8.xml") == before["xl/worksheets/sheet8.xml"]


def test_headers_are_matched_ignoring_case_and_spacing(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.cell(1, header_index(sheet, "Completed on")).value = " completed  ON"

    register = Register.load(saved)
    assert "completed_on" in register.rows("Actions")[0]
    register.rows("Actions")[0]["completed_on"] = date(2027, 3, 20)
    save(register, saved)
    assert " completed  ON" in values(saved, "Actions")[0]  # the header as typed
    assert Register.load(saved).rows("Actions")[0]["completed_on"] == date(2027, 3, 20)


def test_a_formula_typed_by_hand_is_read_as_its_cached_value(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Meetings"]
        sheet.cell(2, header_index(sheet, "Minutes version")).value = "=2*21"
    # Excel saves the value it calculated beside the formula; openpyxl cannot, so add it.
    with zipfile.ZipFile(saved) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"]
    assert b"<f>2*21</f><v></v>" in sheet_xml
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.replace(
        b"<f>2*21</f><v></v>", b"<f>2*21</f><v>42</v>"
    )
    with zipfile.ZipFile(saved, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    register = Register.load(saved)
    assert register.rows("Meetings")[0]["version"] == 42


# --- damaged registers ---------------------------------------------------------------------


def test_a_missing_column_is_named_with_the_way_back(saved: Path, backups: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Actions"]
        sheet.delete_cols(header_index(sheet, "Due"))
    backups.mkdir(exist_ok=True)

    with pytest.raises(RegisterError) as raised:
        Register.load(saved).rows("Actions")
    assert str(raised.value) == (
        "register.xlsx: sheet Actions: column 'Due' is missing; restore it "
        "(a backup is in backups/)"
    )
    assert raised.value.exit_code == 1


def test_several_missing_columns_are_all_named(saved: Path) -> None:
    with excel(saved) as workbook:
        sheet = workbook["Cases"]
        sheet.cell(1, header_index(sheet, "Status")).value = "State"
        sheet.cell(1, header_index(sheet, "Meeting")).value = None

    with pytest.raises(
        RegisterError, match=r"sheet Cases: columns 'Meeting', 'Status' are missing"
    ):
        Register.load(saved, sheets=["Cases"])


def test_a_missing_sheet_is_named(saved: Path) -> None:
    with excel(saved) as workbook:
        del workbook["Progress"]

    register = Register.load(saved)
    assert register.rows("Actions")  # a command that does not use the sheet still works
    with pytest.raises(RegisterError, match=r"^register.xlsx: sheet Progress is missing; restore"):
        register.rows("Progress")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"this is not a spreadsheet",
        lambda data: data[: len(data) // 2],
        lambda data: b"",
    ],
    ids=["text", "truncated", "empty"],
)
def test_a_file_that_is_not_a_workbook_is_named(saved: Path, damage: Any) -> None:
    saved.write_bytes(damage(saved.read_bytes()))

    with pytest.raises(RegisterError, match=r"^register.xlsx: not an .xlsx workbook"):
        Register.load(saved)


def test_a_missing_register_is_a_register_error(path: Path) -> None:
    with pytest.raises(RegisterError, match="register.xlsx: the register is missing"):
        Register.load(path)


# --- the API other modules use -------------------------------------------------------------


def test_append_fills_missing_keys_and_refuses_unknown_ones() -> None:
    register = Register.create()
    row = register.append("Progress", {"case_id": "CCP-2027-004"})
    assert row == {
        "case_id": "CCP-2027-004",
        "due_meeting": None,
        "format": None,
        "received_on": None,
        "file": None,
        "notes": None,
    }
    assert register.rows("Progress") == [row]
    with pytest.raises(ValueError, match="no column with key 'case'"):
        register.append("Progress", {"case": "CCP-2027-004"})
    with pytest.raises(ValueError, match="no register sheet 'Action'"):
        register.rows("Action")
    with pytest.raises(ValueError, match="cannot be stored"):
        register.append("Progress", {"notes": ["a", "list"]})
    with pytest.raises(ValueError, match="Progress: a row with no values cannot be stored"):
        register.append("Progress", {"notes": "", "file": None})  # it would read as no row
    assert len(register.rows("Progress")) == 1


def test_rows_are_live_so_changes_are_saved(saved: Path) -> None:
    register = Register.load(saved)
    (action,) = register.find("Actions", action_id="CCP-2027-004-A1")
    action["status"] = "Completed"
    action["completed_on"] = date(2027, 3, 20)
    save(register, saved)

    assert column_values(saved, "Actions", "Status") == ["Completed", "Completed"]
    assert Register.load(saved).rows("Actions")[0]["completed_on"] == date(2027, 3, 20)


def test_a_key_added_to_a_live_row_is_refused_on_save(saved: Path) -> None:
    register = Register.load(saved)
    register.rows("Actions")[0]["colour"] = "red"
    before = saved.read_bytes()

    with pytest.raises(ValueError, match="Actions: row 2: no column with key 'colour'"):
        save(register, saved)
    assert saved.read_bytes() == before


def test_find_matches_every_given_value() -> None:
    register = Register.create()
    register.append("Actions", {"action_id": "A1", "case_id": "C1", "status": "Open"})
    register.append("Actions", {"action_id": "A2", "case_id": "C1", "status": "Completed"})
    register.append("Actions", {"action_id": "A3", "case_id": "C2", "status": "Open"})

    assert [r["action_id"] for r in register.find("Actions", case_id="C1")] == ["A1", "A2"]
    assert [r["action_id"] for r in register.find("Actions", case_id="C1", status="Open")] == ["A1"]
    assert register.find("Actions", case_id="C3") == []
    with pytest.raises(ValueError, match="no column with key 'case'"):
        register.find("Actions", case="C1")


def test_a_row_taken_out_of_the_live_list_is_refused_on_save(saved: Path) -> None:
    register = Register.load(saved)
    register.rows("Actions").pop(0)
    before = saved.read_bytes()

    with pytest.raises(ValueError, match=r"Actions: rows \[2\] were dropped"):
        save(register, saved)
    assert saved.read_bytes() == before


def test_audit_records_who_what_and_when(monkeypatch: pytest.MonkeyPatch) -> None:
    register = Register.create()
    before = datetime.now().replace(microsecond=0).time()
    register.audit(command="referral add", action="accepted referral", target="CCP-2027-004")
    monkeypatch.delenv("CCP_USER")
    monkeypatch.setattr(lock_module.getpass, "getuser", lambda: "login-name")
    register.audit(command="init", action="created", target="panel", detail="by hand")
    register.audit(command="x", action="y", target="z", who="chair", when=datetime(2027, 1, 1))

    first, second, third = register.rows("Audit")
    assert first["who"] == "test-user"
    # The time now, on the day ccp runs as of (CCP_TODAY): it sorts with the dates it writes.
    assert first["when"].date() == date(2027, 2, 20)
    assert before <= first["when"].time() <= datetime.now().time()
    assert first["when"].microsecond == 0
    assert (first["command"], first["action"], first["target"], first["detail"]) == (
        "referral add",
        "accepted referral",
        "CCP-2027-004",
        None,
    )
    assert (second["who"], second["detail"]) == ("login-name", "by hand")
    assert (third["who"], third["when"]) == ("chair", datetime(2027, 1, 1))


def test_column_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        Column("X", "x", "colour", 10)
    with pytest.raises(ValueError, match="choices go with kind 'choice'"):
        Column("X", "x", "choice", 10)


# --- saving safely -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lock_name", "message"),
    [
        (
            "~$register.xlsx",
            "register.xlsx is open in Excel: close it and run the command again "
            "(if Excel is not running, delete ~$register.xlsx)",
        ),
        (
            ".~lock.register.xlsx#",
            "register.xlsx is open in LibreOffice (.~lock.register.xlsx# exists): close it, "
            "then run the command again",
        ),
    ],
    ids=["excel", "libreoffice"],
)
def test_an_open_register_is_never_overwritten(
    saved: Path, backups: Path, lock_name: str, message: str
) -> None:
    register = Register.load(saved)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})
    before = saved.read_bytes()
    backups_before = files_in(backups)
    (saved.parent / lock_name).write_text("owner")

    with pytest.raises(RegisterLocked) as raised:
        save(register, saved)
    assert str(raised.value).startswith(message)
    assert raised.value.exit_code == 3
    assert saved.read_bytes() == before
    assert files_in(backups) == backups_before
    assert files_in(saved.parent) == sorted(["backups", "register.xlsx", lock_name])

    with pytest.raises(RegisterLocked), register_lock(saved):
        pytest.fail("the lock was granted although the register is open")


def test_register_lock_uses_a_hidden_file_beside_the_register(saved: Path) -> None:
    with register_lock(saved):
        assert (saved.parent / ".register.xlsx.lock").exists()
        register = Register.load(saved)
        register.append("Actions", {"action_id": "CCP-2027-004-A3"})
        save(register, saved)
    assert len(Register.load(saved).rows("Actions")) == 3


HOLD_LOCK = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_command_waits_then_gives_up(saved: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(saved.parent / ".register.xlsx.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(RegisterLocked) as raised, register_lock(saved, timeout=0.2):
            pytest.fail("the lock was granted twice")
        assert str(raised.value) == (
            "another ccp command is updating register.xlsx; try again when it finishes"
        )
        assert raised.value.exit_code == 3
    finally:
        holder.communicate("", timeout=10)
    with register_lock(saved, timeout=1):
        pass


def test_each_save_backs_up_the_previous_register(saved: Path, backups: Path) -> None:
    previous = saved.read_bytes()
    register = Register.load(saved)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})

    backup = save(register, saved)
    assert backup is not None
    assert backup.parent == backups
    assert re.fullmatch(r"register-\d{8}T\d{12}\.xlsx", backup.name)
    stamp = datetime.strptime(backup.name[9:-5], "%Y%m%dT%H%M%S%f")
    assert abs(datetime.now() - stamp) < timedelta(minutes=1)
    assert backup.read_bytes() == previous
    assert len(Register.load(backup).rows("Actions")) == 2
    assert len(Register.load(saved).rows("Actions")) == 3


def test_backups_rotate_to_the_newest_kept(saved: Path, backups: Path) -> None:
    (backups / "notes.txt").write_text("not a backup")
    made = []
    for number in range(6):
        register = Register.load(saved)
        register.append("Audit", {"target": f"save {number}"})
        made.append(save(register, saved, keep=3))

    kept = sorted(backups.glob("register-*.xlsx"))
    assert kept == made[-3:]
    assert len({file.read_bytes() for file in kept}) == 3
    assert (backups / "notes.txt").exists()

    save(Register.load(saved), saved, keep=0)
    assert list(backups.glob("register-*.xlsx")) == []


def test_a_failure_while_writing_leaves_the_old_register(
    saved: Path, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = saved.read_bytes()
    backups_before = files_in(backups)

    def half_written(workbook: Any, file: Any) -> None:
        file.write(b"PK\x03\x04 half a workbook")
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(workbook_module.Workbook, "write", half_written)
    register = Register.load(saved)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})
    with pytest.raises(RuntimeError, match="disk pulled out"):
        save(register, saved)

    assert saved.read_bytes() == before
    assert files_in(saved.parent) == ["backups", "register.xlsx"]
    assert files_in(backups) == backups_before


def test_a_failure_to_write_names_the_file_and_cleans_up(
    saved: Path, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = saved.read_bytes()
    backups_before = files_in(backups)

    real_replace = os.replace

    def disk_full(source: Any, target: Any) -> None:
        if Path(target) != saved:
            return real_replace(source, target)
        raise OSError(28, "No space left on device", str(source))

    monkeypatch.setattr(files_module.os, "replace", disk_full)
    with pytest.raises(FileUnwritable) as raised:
        save(Register.load(saved), saved)

    assert str(raised.value) == (
        f"{saved}: cannot be written (No space left on device); the previous version is unchanged"
    )
    assert raised.value.exit_code == 3
    assert saved.read_bytes() == before
    assert files_in(saved.parent) == ["backups", "register.xlsx"]
    assert files_in(backups) == backups_before


def test_a_register_held_by_another_program_is_retried_then_refused_with_exit_3(
    saved: Path, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: Windows refuses a rename onto a file Excel holds (PermissionError)."""
    before = saved.read_bytes()
    backups_before = files_in(backups)
    tries: list[float] = []
    real_replace = os.replace

    def held(source: Any, target: Any) -> None:
        if Path(target) != saved:
            return real_replace(source, target)
        tries.append(time.monotonic())
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(files_module.os, "replace", held)
    with pytest.raises(RegisterLocked) as raised:
        save(Register.load(saved), saved)

    assert str(raised.value) == (
        "register.xlsx is open in Excel or another program: close it and run the command again"
    )
    assert raised.value.exit_code == 3
    assert len(tries) == 6
    assert 0.8 < tries[-1] - tries[0] < 3
    assert saved.read_bytes() == before
    assert files_in(saved.parent) == ["backups", "register.xlsx"]
    assert files_in(backups) == backups_before


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.posix_only  # POSIX file modes
def test_saving_keeps_the_register_file_permissions(saved: Path) -> None:
    saved.chmod(0o640)
    save(Register.load(saved), saved)
    assert saved.stat().st_mode & 0o777 == 0o640
