"""Accepting referrals: case IDs, the case folder, register rows, the Word referral."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from testdata import write_yaml

from workflow.cases.referrals import add_referral, check_referral
from workflow.core.errors import FormInvalid, ReferralRejected, RegisterLocked
from workflow.documents.text import document_text


def cases_sheet(workspace) -> list[dict]:
    sheet = load_workbook(workspace.register_file)["Cases"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def test_accepting_a_referral_writes_case_document_and_register(workspace, inbox):
    accepted = add_referral(workspace, inbox / "referral.yaml")

    assert accepted.case_id == "CCP-2027-001"
    assert accepted.meeting == date(2027, 3, 11)
    case_dir = workspace.root / "cases" / "CCP-2027-001"
    assert (case_dir / "referral-received.yaml").read_bytes() == (
        inbox / "referral.yaml"
    ).read_bytes()
    assert (case_dir / "attachments" / "chronology.docx").is_file()
    assert (case_dir / "attachments" / "risk-assessment.pdf").is_file()

    document = workspace.root / "output" / "2027-03-11" / "CCP-2027-001-referral.docx"
    assert document in accepted.written
    text = document_text(document)
    assert "Kai Example-Rivers" in text
    assert "11 March 2027" in text
    assert "Suspected involvement in drug supply by older peers." in text

    [row] = cases_sheet(workspace)
    assert row["Case ID"] == "CCP-2027-001"
    assert row["Local ID"] == "LCS-000731"
    assert row["Child name"] == "Kai Example-Rivers"
    assert row["Status"] == "open"
    assert row["Risk at referral"] == "Very high"
    assert row["Meeting"].date() == date(2027, 3, 11)
    assert row["Referral date"].date() == date(2027, 2, 15)
    assert row["Agencies"] == "Children's social care; Police; Youth justice service"
    assert row["Escalated"] == "No"
    audit = list(load_workbook(workspace.register_file)["Audit"].iter_rows(values_only=True))
    acceptances = [row for row in audit if row[3] == "accepted referral"]
    assert [row[1:5] for row in acceptances] == [
        ("test-user", "referral add", "accepted referral", "CCP-2027-001")
    ]
    assert "Kai" not in str(audit)


def test_missing_papers_are_warnings_not_errors(workspace, inbox):
    shutil.rmtree(inbox / "papers")
    accepted = add_referral(workspace, inbox / "referral.yaml")
    assert accepted.warnings == [
        "attachments.chronology: papers/chronology.docx not found beside referral.yaml",
        "attachments.risk_assessment: papers/risk-assessment.pdf not found beside referral.yaml",
        "attachments.last_review_report: no last review report supplied for circulation",
    ]
    text = document_text(workspace.root / "output/2027-03-11/CCP-2027-001-referral.docx")
    assert "Not supplied" in text


def test_case_ids_count_up_and_are_never_reused(workspace, inbox, referral_data):
    add_referral(workspace, inbox / "referral.yaml")
    referral_data["child"]["local_id"] = "LCS-000999"
    second = add_referral(workspace, write_yaml(inbox / "second.yaml", referral_data))
    assert second.case_id == "CCP-2027-002"

    # The administrator deletes the last row by hand in Excel, and its folder too.
    book = load_workbook(workspace.register_file)
    book["Cases"].delete_rows(3)
    book.save(workspace.register_file)
    shutil.rmtree(workspace.root / "cases" / "CCP-2027-002")

    referral_data["child"]["local_id"] = "LCS-001000"
    third = add_referral(workspace, write_yaml(inbox / "third.yaml", referral_data))
    assert third.case_id == "CCP-2027-003"


def test_same_child_same_meeting_refused(workspace, inbox):
    add_referral(workspace, inbox / "referral.yaml")
    before = snapshot(workspace.root)
    with pytest.raises(ReferralRejected) as caught:
        add_referral(workspace, inbox / "referral.yaml")
    assert str(caught.value) == (
        "child.local_id: LCS-000731 is already referred to the 11 March 2027 meeting "
        "as CCP-2027-001"
    )
    assert snapshot(workspace.root) == before


def test_meeting_not_in_panel_yaml_refused(workspace, inbox):
    before = snapshot(workspace.root)
    with pytest.raises(FormInvalid, match="meeting: 2027-03-18 is not a meeting in panel.yaml"):
        add_referral(workspace, inbox / "referral.yaml", meeting=date(2027, 3, 18))
    assert snapshot(workspace.root) == before


def test_late_referral_refused_without_the_chair(workspace, inbox, referral_data, monkeypatch):
    monkeypatch.setenv("CCP_TODAY", "2027-03-01")
    referral_data["authorised_by"]["date"] = date(2027, 3, 1)
    late = write_yaml(inbox / "late.yaml", referral_data)
    before = snapshot(workspace.root)
    with pytest.raises(FormInvalid, match="after the referral deadline"):
        add_referral(workspace, late)
    assert snapshot(workspace.root) == before

    referral_data["late_accepted_by"] = "Bailey Specimen"
    accepted = add_referral(workspace, write_yaml(inbox / "late.yaml", referral_data))
    assert accepted.case_id == "CCP-2027-001"


def test_moving_a_referral_to_another_meeting_is_noted(workspace, inbox):
    accepted = add_referral(workspace, inbox / "referral.yaml", meeting=date(2027, 5, 13))
    assert accepted.meeting == date(2027, 5, 13)
    assert accepted.notes == [
        "accepted for the 13 May 2027 meeting; the referral asked for 11 March 2027"
    ]
    assert (workspace.root / "output/2027-05-13/CCP-2027-001-referral.docx").is_file()


def test_excel_holding_the_register_writes_nothing(workspace, inbox):
    (workspace.root / "~$register.xlsx").write_bytes(b"lock")
    before = snapshot(workspace.root)
    with pytest.raises(RegisterLocked, match="open in Excel"):
        add_referral(workspace, inbox / "referral.yaml")
    assert snapshot(workspace.root) == before
    assert not (workspace.root / "cases" / "CCP-2027-001").exists()


def test_failed_register_write_removes_the_case_files(workspace, inbox, monkeypatch):
    from workflow import register

    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(register.Register, "save", broken_save)
    before = snapshot(workspace.root)
    with pytest.raises(OSError, match="disk full"):
        add_referral(workspace, inbox / "referral.yaml")
    assert snapshot(workspace.root) == before


def test_child_name_never_in_a_file_or_folder_name(workspace, inbox):
    renamed = inbox / "Kai Example-Rivers referral.yaml"
    (inbox / "referral.yaml").rename(renamed)
    add_referral(workspace, renamed)
    names = [path.name for path in workspace.root.rglob("*")]
    assert not [name for name in names if "Kai" in name or "Rivers" in name]


def test_check_lists_every_problem_without_writing(workspace, inbox, referral_data):
    referral_data["child"]["date_of_birth"] = date(2030, 1, 1)
    referral_data["criteria"] = []
    bad = write_yaml(inbox / "bad.yaml", referral_data)
    with pytest.raises(FormInvalid) as caught:
        check_referral(bad, workspace=workspace)
    assert caught.value.lines() == ["bad.yaml: criteria: needs at least one entry"]
    referral_data["criteria"] = ["high_risk"]
    write_yaml(bad, referral_data)
    with pytest.raises(FormInvalid) as caught:
        check_referral(bad, workspace=workspace)
    assert caught.value.lines() == [
        "bad.yaml: child.date_of_birth: must be in the past",
        "bad.yaml: child.legal_status_since: must not be before the date of birth",
    ]
