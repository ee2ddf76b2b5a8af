"""`ccp check`: the register against the recorded minutes, the signatures and the files."""

from __future__ import annotations

import shutil

import pytest
from between_meetings import edit_cells
from helpers import copy_of
from openpyxl import load_workbook

from workflow.cli import cli


@pytest.fixture
def demo(built_demo, tmp_path):
    return copy_of(built_demo, tmp_path)


def check(runner, root):
    return runner.invoke(cli, ["-w", str(root), "check"])


def escalated_cases(root) -> list[str]:
    sheet = load_workbook(root / "register.xlsx")["Cases"]
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    return [row["Case ID"] for row in rows if row["Escalated"] == "Yes"]


def test_the_demo_is_consistent_and_holds_every_escalation_the_minutes_made(runner, demo):
    """Issue 22: the minutes escalated two children; the Cases sheet said No for all."""
    result = check(runner, demo)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: the register agrees with the minutes")
    assert "25 cases" in result.output
    assert len(escalated_cases(demo)) >= 1


def test_each_hand_edit_that_contradicts_the_minutes_is_one_line(runner, demo):
    [escalated, *_] = escalated_cases(demo)
    edit_cells(demo / "register.xlsx", "Cases", {"Case ID": escalated}, {"Escalated": "No"})
    edit_cells(
        demo / "register.xlsx", "Cases", {"Case ID": "CCP-2027-001"}, {"Risk latest": "Very high"}
    )

    result = check(runner, demo)

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith(f"{escalated}: Escalated says No but the ")
        and line.endswith("minutes escalated the case to the Partnership")
        for line in lines
    ), lines
    assert any(
        line.startswith("CCP-2027-001: latest risk says Very high but the ") for line in lines
    )
    assert "2 disagreement(s)" in result.stderr


def test_a_signed_file_changed_or_missing_and_a_lost_case_folder_are_named(runner, demo):
    signed = sorted((demo / "output" / "2027-04-08").glob("minutes-2027-04-08-v1.*"))
    signed[0].write_bytes(signed[0].read_bytes() + b"tampered")
    signed[1].unlink()
    shutil.rmtree(demo / "cases" / "CCP-2027-003")

    result = check(runner, demo)

    assert result.exit_code == 1
    assert f"output/2027-04-08/{signed[0].name}: changed since it was signed" in result.output
    assert f"output/2027-04-08/{signed[1].name}: signed on " in result.output
    assert "CCP-2027-003: in the Cases sheet but cases/CCP-2027-003/case.json is missing" in (
        result.output
    )


def test_an_agreed_action_deleted_from_the_register_is_named(runner, demo):
    book = load_workbook(demo / "register.xlsx")
    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    column = header.index("Action ID")
    for row in range(2, actions.max_row + 1):
        if actions.cell(row, column + 1).value == "CCP-2027-001-A1":
            actions.delete_rows(row)
            break
    book.save(demo / "register.xlsx")

    result = check(runner, demo)

    assert result.exit_code == 1
    assert (
        "CCP-2027-001-A1: agreed in the 8 April 2027 minutes but not in the Actions sheet"
        in result.output
    )


def test_a_recorded_minutes_file_edited_by_hand_is_named(runner, demo):
    record = demo / "meetings" / "2027-04-08" / "minutes-v1.json"
    record.write_text(record.read_text(encoding="utf-8").replace("  ", " "), encoding="utf-8")

    result = check(runner, demo)

    assert result.exit_code == 1
    assert (
        "meetings/2027-04-08/minutes-v1.json: not the version the register recorded"
        in result.output
    )


def test_check_outside_a_workspace_is_one_line(runner, tmp_path):
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path}: not a panel workspace")
