"""Actions between meetings: list, overdue, update, and hand edits made in Excel."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from between_meetings import append_row, edit_cells, minute_first_meeting, sheet_rows

from workflow.cases.actions import list_actions, update_action
from workflow.cli import cli
from workflow.core.errors import ActionRejected, RegisterCellInvalid, RegisterLocked
from workflow.register import Register

A1, A2 = "CCP-2027-001-A1", "CCP-2027-001-A2"  # due 25 and 18 March 2027
B1, B2 = "CCP-2027-002-A1", "CCP-2027-002-A2"


@pytest.fixture
def minuted(workspace, inbox, referral_data, tmp_path, monkeypatch):
    cases = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    monkeypatch.setenv("CCP_TODAY", "2027-03-20")
    return workspace, cases


def invoke(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace.root), *args])


def actions_by_id(workspace) -> dict[str, dict]:
    return {row["Action ID"]: row for row in sheet_rows(workspace.register_file, "Actions")}


def listed(workspace, **filters) -> list[str]:
    register = Register.load(workspace.register_file)
    return [item.action_id for item in list_actions(register, **filters).items]


# --- list --------------------------------------------------------------------------------


def test_table_fits_80_columns_marks_overdue_and_counts(runner, minuted):
    workspace, _ = minuted
    result = invoke(runner, workspace, "actions", "list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["Action", "ID", "Due", "Status", "Owner", "Action"]
    overdue = [line for line in lines if line.startswith("!")]
    assert [line.split()[1] for line in overdue] == [A2, B2]
    assert all("OVERDUE" in line for line in overdue)
    assert lines[-1] == "4 actions, 2 overdue (!: open and due before 20 March 2027)"


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        (date(2027, 3, 17), []),
        (date(2027, 3, 18), []),  # due today: not late yet
        (date(2027, 3, 19), [A2, B2]),
        (date(2027, 3, 26), [A2, B2, A1, B1]),
    ],
    ids=["day-before", "due-day", "day-after", "both-late"],
)
def test_overdue_is_open_and_due_before_the_as_of_date(minuted, as_of, overdue):
    workspace, _ = minuted
    assert listed(workspace, as_of=as_of, overdue_only=True) == overdue


def test_overdue_at_the_boundary_on_the_command_line(runner, minuted):
    workspace, _ = minuted
    on_the_day = invoke(runner, workspace, "actions", "list", "--overdue", "--as-of", "2027-03-18")
    after = invoke(runner, workspace, "actions", "list", "--overdue", "--as-of", "2027-03-19")
    assert on_the_day.output.splitlines()[-1] == "0 actions, none overdue on 18 March 2027"
    assert after.output.splitlines()[-1].startswith("2 actions, 2 overdue")


def test_completed_and_cancelled_actions_are_never_overdue(minuted):
    workspace, _ = minuted
    update_action(workspace, A2, status="Completed")
    update_action(workspace, B2, status="Cancelled", reason="circumstances changed")
    assert listed(workspace, overdue_only=True) == []


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("case", "ccp-2027-002", [B2, B1]),
        ("agency", "POLICE", [A2, B2]),
        ("owner", "morgan  pretend", [A1, B1]),
        ("owner", "Morgan", []),
    ],
    ids=["case", "agency", "owner", "owner-whole-name-only"],
)
def test_filters_ignore_case(minuted, option, value, expected):
    workspace, _ = minuted
    assert listed(workspace, **{option: value}) == expected


def test_closed_cases_actions_are_left_out_unless_asked_for(runner, minuted):
    workspace, cases = minuted
    edit_cells(workspace.register_file, "Cases", {"Case ID": cases[1]}, {"Status": "closed"})

    assert listed(workspace) == [A2, A1]
    assert listed(workspace, include_closed=True) == [A2, B2, A1, B1]
    result = invoke(runner, workspace, "actions", "list", "--include-closed")
    assert result.output.splitlines()[-1].startswith("4 actions")


def test_csv_and_json_have_stable_keys_and_iso_dates(runner, minuted):
    workspace, _ = minuted
    update_action(workspace, A2, status="Completed", completed_on=date(2027, 3, 15))

    as_csv = invoke(
        runner, workspace, "actions", "list", "--format", "csv", "--case", "CCP-2027-001"
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert list(rows[0]) == [
        "action_id", "case_id", "meeting", "action", "agency", "owner", "due", "status",
        "completed_on", "carried_forward", "reason_not_done", "overdue", "days_overdue", "notes",
    ]  # fmt: skip
    assert rows[0]["action_id"] == A2
    assert rows[0]["completed_on"] == "2027-03-15"
    assert rows[0]["due"] == "2027-03-18"
    assert rows[0]["overdue"] == "false"

    as_json = json.loads(invoke(runner, workspace, "actions", "list", "--format", "json").output)
    assert as_json["as_of"] == "2027-03-20"
    assert (as_json["count"], as_json["overdue"]) == (4, 1)
    first = as_json["actions"][0]
    assert first["action_id"] == A2
    assert first["status"] == "Completed"
    assert first["meeting"] == "2027-03-11"
    late = next(a for a in as_json["actions"] if a["action_id"] == B2)
    assert (late["overdue"], late["days_overdue"]) == (True, 2)
    assert late["completed_on"] is None


# --- update ------------------------------------------------------------------------------


def test_completed_defaults_to_today_appends_the_note_and_audits(runner, minuted):
    workspace, _ = minuted
    edit_cells(workspace.register_file, "Actions", {"Action ID": A2}, {"Notes": "Chased by phone"})

    result = invoke(
        runner, workspace, "actions", "update", A2.lower(), "--status", "completed",
        "--note", "=Plan shared & <agreed>",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{A2}: Open -> Completed (completed on 20 March 2027)"
    row = actions_by_id(workspace)[A2]
    assert row["Status"] == "Completed"
    assert row["Completed on"] == datetime(2027, 3, 20)
    assert row["Notes"] == "Chased by phone\n2027-03-20: =Plan shared & <agreed>"
    audit = sheet_rows(workspace.register_file, "Audit")[-1]
    assert (audit["Command"], audit["Target"]) == ("actions update", A2)
    assert audit["Detail"].startswith("Open -> Completed; completed on 2027-03-20; note: =Plan")


@pytest.mark.parametrize(
    ("setup", "change", "message"),
    [
        (None, {"status": "Completed", "completed_on": date(2027, 3, 21)}, "is in the future"),
        (None, {"status": "Completed", "completed_on": date(2027, 3, 10)}, "before the 11 March"),
        (None, {"status": "Open", "completed_on": date(2027, 3, 15)}, "goes with status Completed"),
        (None, {"status": "Cancelled"}, 'cancelling needs a reason: --reason "circumstances'),
        ({"status": "Completed"}, {"status": "Open"}, "reopening a completed action needs a note"),
        (
            {"status": "Cancelled", "reason": "not undertaken"},
            {"status": "In progress"},
            "reopening a cancelled action needs a note",
        ),
        (None, {"status": "Open"}, "is already Open; nothing to change"),
        (None, {"status": "Done"}, "'Done' is not a status; choose one of Open, In progress"),
        (None, {"status": "Cancelled", "reason": "too busy"}, "'too busy' is not a reason"),
        (None, {"status": "Open", "reason": "not undertaken", "id": A1}, "or an open one that is"),
    ],
    ids=[
        "completed-in-future",
        "completed-before-meeting",
        "date-without-completed",
        "cancel-without-reason",
        "reopen-completed-without-note",
        "reopen-cancelled-without-note",
        "no-change",
        "unknown-status",
        "unknown-reason",
        "reason-for-action-not-late",
    ],
)
def test_transitions_the_rules_refuse(minuted, setup, change, message):
    workspace, _ = minuted
    target = change.pop("id", A2)
    if setup:
        update_action(workspace, target, **setup)
    before = workspace.register_file.read_bytes()

    with pytest.raises(ActionRejected, match=message):
        update_action(workspace, target, **change)
    assert workspace.register_file.read_bytes() == before


def test_cancel_records_the_reason_and_reopen_with_a_note_clears_it(minuted):
    workspace, _ = minuted
    update_action(workspace, A2, status="Cancelled", reason="Circumstances changed")
    assert actions_by_id(workspace)[A2]["Reason not done"] == "circumstances changed"

    update_action(workspace, A2, status="In progress", note="Needed after all")
    row = actions_by_id(workspace)[A2]
    assert (row["Status"], row["Reason not done"]) == ("In progress", None)
    assert row["Notes"] == "2027-03-20: Needed after all"


def test_reason_not_done_for_an_open_action_that_is_overdue(minuted):
    workspace, _ = minuted
    update_action(workspace, A2, status="Open", reason="not undertaken", note="No officer free")
    row = actions_by_id(workspace)[A2]
    assert (row["Status"], row["Reason not done"]) == ("Open", "not undertaken")


def test_unknown_action_is_named_with_a_suggestion(runner, minuted):
    workspace, _ = minuted
    result = invoke(runner, workspace, "actions", "update", "CCP-2027-01-A1", "--status", "Open")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: CCP-2027-01-A1: no such action in the register; did you mean CCP-2027-001-A1?\n"
    )


def test_update_finds_the_row_by_id_after_the_sheet_is_sorted(minuted):
    workspace, _ = minuted
    from openpyxl import load_workbook

    book = load_workbook(workspace.register_file)
    sheet = book["Actions"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column).value = value
    book.save(workspace.register_file)

    update_action(workspace, A1, status="Completed")
    by_id = actions_by_id(workspace)
    assert by_id[A1]["Status"] == "Completed"
    assert [by_id[other]["Status"] for other in (A2, B1, B2)] == ["Open"] * 3


def test_register_open_in_excel_changes_nothing_exit_3(runner, minuted):
    workspace, _ = minuted
    (workspace.root / "~$register.xlsx").write_bytes(b"")
    before = workspace.register_file.read_bytes()
    result = invoke(runner, workspace, "actions", "update", A2, "--status", "Completed")
    assert result.exit_code == 3
    assert "open in Excel" in result.stderr
    assert workspace.register_file.read_bytes() == before
    with pytest.raises(RegisterLocked):
        update_action(workspace, A2, status="Completed")


# --- hand edits --------------------------------------------------------------------------


def test_hand_edits_are_read_and_kept_by_the_next_command(minuted):
    workspace, _ = minuted
    edit_cells(
        workspace.register_file,
        "Actions",
        {"Action ID": A1},
        {"Status": "in progress", "Notes": "Worker interviewed", "Due": datetime(2027, 4, 1)},
    )
    append_row(
        workspace.register_file,
        "Actions",
        {
            "Action ID": "CCP-2027-001-A3",
            "Case ID": "CCP-2027-001",
            "Meeting": datetime(2027, 3, 11),
            "Action": "Added by hand: book the family meeting",
            "Agency": "Children's social care",
            "Owner": "Dana Fictional",
            "Due": "19/03/2027",
            "Status": "Open",
        },
    )

    assert listed(workspace, overdue_only=True) == [A2, B2, "CCP-2027-001-A3"]
    update_action(workspace, "CCP-2027-001-A3", status="Completed", completed_on=date(2027, 3, 19))
    update_action(workspace, B2, status="Completed")

    rows = actions_by_id(workspace)
    assert rows[A1]["Status"].casefold() == "in progress"  # kept as typed, read as a status
    assert rows[A1]["Notes"] == "Worker interviewed"
    assert rows[A1]["Due"] == datetime(2027, 4, 1)
    assert rows["CCP-2027-001-A3"]["Status"] == "Completed"
    assert rows["CCP-2027-001-A3"]["Action"] == "Added by hand: book the family meeting"


BAD_EDITS = [
    ("Status", "Done", "column 'Status': 'Done' is not a status"),
    ("Due", "next week", "column 'Due': 'next week' is not a date"),
    ("Completed on", "31/02/2027", "column 'Completed on': '31/02/2027' is not a date"),
    ("Reason not done", "lazy", "column 'Reason not done': 'lazy' is not a reason"),
]


@pytest.mark.parametrize(
    ("column", "value", "named"), BAD_EDITS, ids=[edit[0] for edit in BAD_EDITS]
)
def test_bad_hand_edit_is_a_warning_on_list_and_an_error_on_update(
    runner, minuted, column, value, named
):
    workspace, _ = minuted
    number = edit_cells(workspace.register_file, "Actions", {"Action ID": A2}, {column: value})
    where = f"register.xlsx: sheet Actions, row {number}, {named}"

    listing = invoke(runner, workspace, "actions", "list")
    assert listing.exit_code == 0
    assert f"Warning: {where}" in listing.stderr
    assert A2 in listing.output  # listed as typed, never dropped

    before = workspace.register_file.read_bytes()
    result = invoke(runner, workspace, "actions", "update", A2, "--status", "In progress")
    assert result.exit_code == 1
    assert f"Error: {where}" in result.stderr
    assert workspace.register_file.read_bytes() == before
    with pytest.raises(RegisterCellInvalid):
        update_action(workspace, A2, status="In progress")

    update_action(workspace, B2, status="Completed")  # another row is still updated
    assert actions_by_id(workspace)[A2][column] == value  # and the bad cell kept as typed


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_prefixed(runner, minuted):
    """OWASP CSV injection: text typed into the register that starts like a formula (=, +,
    -, @) must reach the CSV as text, not as something Excel runs when the file is opened."""
    workspace, _ = minuted
    typed = {"Action": '+HYPERLINK("http://example.org")', "Owner": "@SUM(1+1)", "Agency": "-1+1"}
    edit_cells(workspace.register_file, "Actions", {"Action ID": A1}, typed)

    result = invoke(
        runner, workspace, "actions", "list", "--format", "csv", "--case", "CCP-2027-001"
    )

    assert result.exit_code == 0, result.output
    [row] = [row for row in csv.DictReader(io.StringIO(result.output)) if row["action_id"] == A1]
    assert row["action"] == '\'+HYPERLINK("http://example.org")'
    assert row["owner"] == "'@SUM(1+1)"
    assert row["agency"] == "'-1+1"
    # The register itself keeps what was typed; only the CSV cell is made inert.
    assert actions_by_id(workspace)[A1]["Owner"] == "@SUM(1+1)"
    # Dates and IDs, which start with a digit or a letter, are untouched.
    assert row["due"] == "2027-03-25"
    assert row["action_id"] == A1
