"""`ccp retention report` and `ccp retention hold` (issue 23, item 4)."""

from __future__ import annotations

import pytest
import yaml
from between_meetings import append_row, sheet_rows
from helpers import copy_of
from openpyxl import load_workbook

from workflow.cli import cli
from workflow.contract import PanelConfig
from workflow.core.dates import uk_date

CASE = "CCP-2027-001"


@pytest.fixture
def demo(built_demo, tmp_path):
    return copy_of(built_demo, tmp_path)


def ccp(runner, root, *args):
    return runner.invoke(cli, ["-w", str(root), *args])


def set_retention(root, retention):
    panel = yaml.safe_load((root / "panel.yaml").read_text(encoding="utf-8"))
    panel["retention"] = retention
    (root / "panel.yaml").write_text(yaml.safe_dump(panel), encoding="utf-8")


def test_every_class_has_a_default_that_cites_its_basis():
    schedule = PanelConfig.model_fields["retention"].default_factory()
    classes = ("case_papers", "signed_minutes", "extracts_and_emails", "backups", "staging")
    for name in classes:
        klass = getattr(schedule, name)
        assert len(klass.basis) > 40, name
    assert "75th birthday" in schedule.case_papers.basis
    assert "35 years" in schedule.signed_minutes.basis


def test_nothing_is_due_today_and_the_far_future_lists_cases_with_why(runner, demo):
    today = ccp(runner, demo, "retention", "report")
    assert today.exit_code == 0, today.output
    assert "Nothing is due for review or disposal." in today.output

    later = ccp(runner, demo, "retention", "report", "--as-of", "2090-01-01")
    assert later.exit_code == 0, later.output
    born = next(r for r in sheet_rows(demo / "register.xlsx", "Cases") if r["Case ID"] == CASE)
    due = born["Date of birth"].replace(year=born["Date of birth"].year + 75)
    line = f"due for disposal: {CASE} (referral and case papers), due {uk_date(due)}"
    assert line in later.output
    assert "75 years from the child's date of birth" in later.output
    assert "signed minutes" in later.output
    assert "Kai" not in later.output  # case IDs only, never a child's name
    open_case = next(
        r for r in sheet_rows(demo / "register.xlsx", "Cases") if r["Status"] == "open"
    )
    assert f"{open_case['Case ID']} (referral and case papers)" in later.output
    assert "; the case is still open\n" in later.output


def test_an_edited_class_changes_what_is_due(runner, demo):
    set_retention(
        demo,
        {
            "case_papers": {
                "years": 0,
                "days": 1,
                "counted_from": "case_closed",
                "basis": "Local schedule, test only",
            }
        },
    )
    closed = [
        row["Case ID"]
        for row in sheet_rows(demo / "register.xlsx", "Cases")
        if row["Status"] == "closed"
    ]
    result = ccp(runner, demo, "retention", "report", "--as-of", "2030-01-01")
    assert result.exit_code == 0, result.output
    for case_id in closed:
        assert f"due for disposal: {case_id} " in result.output
    assert ", due " in result.output
    assert ": 1 day from the date the case closed\n" in result.output
    assert "Basis for referral and case papers: Local schedule, test only\n" in result.output


def test_a_class_typed_wrong_is_named(runner, demo):
    set_retention(demo, {"backups": {"years": 1, "counted_from": "whenever", "basis": "x"}})
    result = ccp(runner, demo, "retention", "report")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: panel.yaml: retention.backups.counted_from")
    assert result.stderr.count("\n") == 1


def reverse_rows(path, sheet):
    """Sort a sheet backwards by hand (openpyxl, as Excel would save it)."""
    book = load_workbook(path)
    table = book[sheet]
    values = [[c.value for c in r] for r in table.iter_rows(min_row=2)]
    for row, new in zip(table.iter_rows(min_row=2), reversed(values), strict=True):
        for cell, value in zip(row, new, strict=True):
            cell.value = value
    book.save(path)


def test_a_hold_is_recorded_reported_and_lifted(runner, demo):
    reverse_rows(demo / "register.xlsx", "Cases")
    held = ccp(runner, demo, "retention", "hold", CASE, "--reason", "Litigation: claim 2031/77")
    assert held.exit_code == 0, held.output
    assert held.output == f"{CASE}: on legal hold (Litigation: claim 2031/77)\n"
    rows = sheet_rows(demo / "register.xlsx", "Retention holds")
    assert [(r["Case ID"], r["Reason"], r["Placed by"]) for r in rows] == [
        (CASE, "Litigation: claim 2031/77", "test-user")
    ]
    report = ccp(runner, demo, "retention", "report", "--as-of", "2090-01-01")
    assert f"on legal hold: {CASE}" in report.output
    assert "held: Litigation: claim 2031/77" in report.output
    assert "Legal holds: 1" in report.output

    again = ccp(runner, demo, "retention", "hold", CASE, "--reason", "twice")
    assert again.exit_code == 1
    assert again.stderr.startswith(f"Error: {CASE}: already on legal hold since")

    append_row(
        demo / "register.xlsx",
        "Retention holds",
        {"Case ID": "CCP-2027-002", "Reason": "typed by hand"},
    )
    reverse_rows(demo / "register.xlsx", "Retention holds")
    lifted = ccp(runner, demo, "retention", "hold", CASE, "--lift")
    assert lifted.exit_code == 0, lifted.output
    holds = {r["Case ID"]: r for r in sheet_rows(demo / "register.xlsx", "Retention holds")}
    assert holds[CASE]["Lifted by"] == "test-user"
    assert holds["CCP-2027-002"]["Lifted by"] is None
    report = ccp(runner, demo, "retention", "report")
    assert "  CCP-2027-002: typed by hand" in report.output
    audit = [r["Action"] for r in sheet_rows(demo / "register.xlsx", "Audit")]
    assert audit[-2:] == ["placed a legal hold", "lifted a legal hold"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hold", CASE], "--reason: say why the case is held"),
        (["hold", CASE, "--reason", "   "], "--reason: say why the case is held"),
        (["hold", "CCP-2027-999", "--reason", "x"], "CCP-2027-999: no such case in the register"),
        (["hold", CASE, "--lift"], f"{CASE}: is not on legal hold"),
        (["hold", CASE, "--lift", "--reason", "x"], "--lift and --reason: give one of them"),
    ],
    ids=["no-reason", "blank-reason", "unknown-case", "lift-unheld", "both"],
)
def test_a_refused_hold_is_one_line_and_changes_nothing(runner, demo, args, message):
    before = (demo / "register.xlsx").read_bytes()
    result = ccp(runner, demo, "retention", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1
    assert (demo / "register.xlsx").read_bytes() == before
