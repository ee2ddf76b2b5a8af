"""Minutes: draft from the agenda, record into the register, sign, verify, amend, extracts."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import SECOND_CHILD, accept_two, complete_draft, read_eml
from openpyxl import load_workbook
from testdata import write_yaml

from workflow.core.errors import FormInvalid, MinutesLocked, NotAuthorisedToSign, RegisterLocked
from workflow.documents.text import document_text
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.recording import amend_minutes, record_minutes
from workflow.meetings.signing import sign_minutes, verify_document

MEETING = date(2027, 3, 11)


@pytest.fixture
def after_meeting(monkeypatch):
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")


@pytest.fixture
def drafted(workspace, inbox, referral_data, monkeypatch):
    cases = accept_two(workspace, inbox, referral_data)  # accepted before the meeting
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    draft_minutes(workspace, MEETING)
    return workspace, cases


def sheet(workspace, name: str) -> list[dict]:
    rows = list(load_workbook(workspace.register_file)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def recorded(workspace, tmp_path: Path, **changes) -> Path:
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    return complete_draft(draft, tmp_path / "minutes.yaml", **changes)


def test_draft_is_prefilled_from_panel_and_agenda(drafted):
    workspace, cases = drafted
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    data = yaml.safe_load(draft.read_text())
    assert data["meeting"] == MEETING
    assert data["chair"] == "Alex Sample"
    assert [p["name"] for p in data["present"]][:2] == ["Alex Sample", "Bailey Specimen"]
    assert [c["case_id"] for c in data["cases"]] == cases
    assert data["cases"][0]["kind"] == "new"
    assert data["cases"][0]["risk_level"] == "very_high"
    assert data["cases"][0]["accountable_manager"]["name"] == "Morgan Pretend"
    assert "due_meeting one of: 2027-05-13, 2027-07-08" in draft.read_text()
    word = workspace.root / "output" / "2027-03-11" / "minutes-2027-03-11-draft.docx"
    text = document_text(word)
    assert "DRAFT" in text
    assert cases[0] in text
    assert "None" not in text.split()


def test_draft_never_overwrites_the_note_takers_work(drafted):
    workspace, _ = drafted
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    draft.write_text("# my notes\n")
    with pytest.raises(Exception, match="already exists"):
        draft_minutes(workspace, MEETING)
    assert draft.read_text() == "# my notes\n"


def test_record_writes_actions_resources_progress_and_case_updates(drafted, tmp_path):
    workspace, cases = drafted
    result = record_minutes(workspace, recorded(workspace, tmp_path))
    assert result.action_ids == [
        "CCP-2027-001-A1",
        "CCP-2027-001-A2",
        "CCP-2027-002-A1",
        "CCP-2027-002-A2",
    ]
    actions = sheet(workspace, "Actions")
    assert [a["Action ID"] for a in actions] == result.action_ids
    assert actions[0]["Owner"] == "Morgan Pretend"
    assert actions[0]["Due"].date() == date(2027, 3, 25)
    assert actions[0]["Status"] == "Open"
    resources = sheet(workspace, "Resources")
    assert [(r["Case ID"], r["Amount"], r["Confirmed"]) for r in resources] == [
        (cases[0], 4800, "No"),
        (cases[1], 4800, "No"),
    ]
    progress = sheet(workspace, "Progress")
    assert [(p["Case ID"], p["Due meeting"].date(), p["Format"]) for p in progress] == [
        (cases[0], date(2027, 5, 13), "In person"),
        (cases[1], date(2027, 5, 13), "In person"),
    ]
    case = sheet(workspace, "Cases")[0]
    assert case["Risk latest"] == "Very high"
    assert case["Next progress due"].date() == date(2027, 5, 13)
    meeting = next(m for m in sheet(workspace, "Meetings") if m["Date"].date() == MEETING)
    assert meeting["Status"] == "minuted"
    assert meeting["Chair"] == "Alex Sample"


def test_recording_twice_leaves_the_same_register(drafted, tmp_path):
    workspace, _ = drafted
    file = recorded(workspace, tmp_path)
    record_minutes(workspace, file)
    # The administrator marks an action done in Excel between the two recordings.
    book = load_workbook(workspace.register_file)
    book["Actions"]["H2"].value = "Completed"
    book.save(workspace.register_file)
    before = {
        name: sheet(workspace, name) for name in ("Actions", "Resources", "Progress", "Cases")
    }
    record_minutes(workspace, file)
    after = {name: sheet(workspace, name) for name in ("Actions", "Resources", "Progress", "Cases")}
    assert after == before
    assert after["Actions"][0]["Status"] == "Completed"


RECORD_RULES = [
    ({"actions": []}, "cases[1].actions: needs at least one action"),
    (
        {"actions": [{"description": "x", "agency": "a", "owner": "o", "due": "2027-03-10"}]},
        "cases[1].actions[1].due: must be after the meeting (11 March 2027)",
    ),
    ({"progress_report": None}, "cases[1].progress_report: is required"),
    (
        {"progress_report": {"format": "written", "due_meeting": "2027-05-14"}},
        "cases[1].progress_report.due_meeting: 2027-05-14 is not a later meeting in panel.yaml "
        "(later meetings: 2027-05-13, 2027-07-08)",
    ),
    ({"escalate_to_partnership": True}, "cases[1].escalation_reason: is required"),
    ({"close_case": True}, "cases[1].closure_reason: is required when close_case is true"),
    ({"risk_level": None}, "cases[1].risk_level: is required"),
    ({"risk_rationale": ""}, "cases[1].risk_rationale: must not be blank"),
    ({"accountable_manager": None}, "cases[1].accountable_manager: is required"),
    ({"risk_management_plan": None}, "cases[1].risk_management_plan: is required"),
    ({"contingencies": None}, "cases[1].contingencies: is required"),
    ({"case_id": "CCP-2027-099"}, "cases[1].case_id: CCP-2027-099 is not a case in the register"),
]


@pytest.mark.parametrize(
    ("change", "message"),
    RECORD_RULES,
    ids=[m.split(":")[0] + "-" + str(i) for i, (_, m) in enumerate(RECORD_RULES)],
)
def test_each_record_rule(drafted, tmp_path, change, message):
    workspace, _ = drafted
    file = recorded(workspace, tmp_path)
    data = yaml.safe_load(file.read_text())
    data["cases"][0].update(change)
    write_yaml(file, data)
    before = workspace.register_file.read_bytes()
    with pytest.raises(FormInvalid) as caught:
        record_minutes(workspace, file)
    assert any(message in line for line in caught.value.lines()), caught.value.lines()
    assert workspace.register_file.read_bytes() == before


def test_closing_case_needs_no_actions(drafted, tmp_path):
    workspace, _ = drafted
    file = recorded(workspace, tmp_path)
    data = yaml.safe_load(file.read_text())
    data["cases"][1].update(
        {
            "actions": [],
            "progress_report": None,
            "close_case": True,
            "closure_reason": "Risks reduced.",
        }
    )
    write_yaml(file, data)
    record_minutes(workspace, file)
    closed = sheet(workspace, "Cases")[1]
    assert closed["Status"] == "closed"
    assert closed["Closed on"].date() == MEETING


def test_only_chair_or_deputy_may_sign(drafted, tmp_path):
    workspace, _ = drafted
    record_minutes(workspace, recorded(workspace, tmp_path))
    with pytest.raises(NotAuthorisedToSign, match="only the chair \\(Alex Sample\\) or deputy"):
        sign_minutes(workspace, MEETING, "Casey Mockup")
    assert not list((workspace.root / "output" / "2027-03-11").glob("minutes-*-v1.docx"))


@pytest.fixture
def signed(drafted, tmp_path):
    workspace, cases = drafted
    record_minutes(workspace, recorded(workspace, tmp_path))
    return workspace, cases, sign_minutes(workspace, MEETING, "Bailey Specimen")


def test_signed_minutes_end_with_the_signature_and_are_verified(signed):
    workspace, cases, result = signed
    minutes = result.written[0]
    assert minutes.name == "minutes-2027-03-11-v1.docx"
    lines = [line for line in document_text(minutes).splitlines() if line.strip()]
    signature = "Signed as a true record by Bailey Specimen, Deputy chair, 12 March 2027"
    assert signature in lines
    assert "DRAFT" not in document_text(minutes)
    assert verify_document(workspace, minutes).matches
    signature_row = next(
        m
        for m in sheet(workspace, "Signatures")
        if m["File"] == "output/2027-03-11/minutes-2027-03-11-v1.docx"
    )
    assert signature_row["Signed by"] == "Bailey Specimen"
    assert signature_row["Role"] == "Deputy chair"
    assert len(signature_row["SHA-256"]) == 64
    # One row per meeting in Meetings: the signed files live in Signatures only.
    meetings = [m for m in sheet(workspace, "Meetings") if m["Date"]]
    assert [m["Status"] for m in meetings if m["Date"].date() == MEETING] == ["signed"]


def test_signed_pdf_is_verified(signed):
    workspace, _, result = signed
    [pdf] = [
        path for path in result.written if path.suffix == ".pdf" and path.name.startswith("min")
    ]
    check = verify_document(workspace, pdf)
    assert check.matches
    assert "version 1, signed by Bailey Specimen on 12 March 2027" in check.message


def test_one_changed_byte_fails_verify(signed, tmp_path):
    workspace, _, result = signed
    copy = tmp_path / "copy.docx"
    data = bytearray(result.written[0].read_bytes())
    data[-10] ^= 1
    copy.write_bytes(bytes(data))
    check = verify_document(workspace, copy)
    assert not check.matches
    assert "NOT VERIFIED" in check.message


def test_record_after_signing_is_refused_and_changes_nothing(signed, tmp_path):
    workspace, _, _ = signed
    before = workspace.register_file.read_bytes()
    with pytest.raises(
        MinutesLocked, match="signed by Bailey Specimen on 12 March 2027 and are locked"
    ):
        record_minutes(workspace, recorded(workspace, tmp_path))
    assert workspace.register_file.read_bytes() == before


def test_amend_makes_a_new_version_with_its_change_log(signed, tmp_path):
    workspace, _, first = signed
    file = recorded(workspace, tmp_path)
    data = yaml.safe_load(file.read_text())
    data["cases"][0]["risk_level"] = "high"
    write_yaml(file, data)
    amended = amend_minutes(workspace, MEETING, file)
    assert amended.version == 2
    second = sign_minutes(workspace, MEETING, "Alex Sample")
    text = document_text(second.written[0])
    assert "cases[1].risk_level: very_high -> high" in text
    assert first.written[0].is_file()
    old = verify_document(workspace, first.written[0])
    assert old.matches
    assert "a newer version (2) exists" in old.message


def test_extracts_hold_only_their_own_child(signed):
    workspace, cases, result = signed
    extracts = sorted((workspace.root / "output" / "2027-03-11" / "extracts").glob("*.docx"))
    assert [path.name for path in extracts] == [f"{case}-minutes-extract-v1.docx" for case in cases]
    names = {cases[0]: "Kai Example-Rivers", cases[1]: SECOND_CHILD}
    texts = {case: document_text(path) for case, path in zip(cases, extracts, strict=True)}
    for own, other in itertools.permutations(cases, 2):
        assert names[own] in texts[own]
        assert names[other] not in texts[own]
        assert other not in texts[own]


def test_signing_while_excel_holds_the_register_writes_nothing(drafted, tmp_path):
    workspace, _ = drafted
    record_minutes(workspace, recorded(workspace, tmp_path))
    (workspace.root / "~$register.xlsx").write_bytes(b"")
    before = workspace.register_file.read_bytes()
    with pytest.raises(RegisterLocked):
        sign_minutes(workspace, MEETING, "Alex Sample")
    assert workspace.register_file.read_bytes() == before
    out = workspace.root / "output" / "2027-03-11"
    assert not list(out.glob("minutes-2027-03-11-v1.*"))
    assert not list(out.glob("extracts/*"))
    assert not (workspace.root / "meetings" / "2027-03-11" / "signatures.json").exists()


def test_recording_while_excel_holds_the_register_changes_nothing(drafted, tmp_path):
    workspace, _ = drafted
    file = recorded(workspace, tmp_path)
    record_minutes(workspace, file)
    stored = workspace.root / "meetings" / "2027-03-11" / "minutes-v1.json"
    before = (stored.read_bytes(), workspace.register_file.read_bytes())
    data = yaml.safe_load(file.read_text())
    data["cases"][0]["risk_level"] = "low"
    write_yaml(file, data)
    (workspace.root / "~$register.xlsx").write_bytes(b"")
    with pytest.raises(RegisterLocked):
        record_minutes(workspace, file)
    assert (stored.read_bytes(), workspace.register_file.read_bytes()) == before


def test_key_worker_gets_a_draft_with_only_their_extract(signed):

    workspace, cases, result = signed
    drafts = sorted(path for path in result.written if path.suffix == ".eml")
    assert [path.name for path in drafts] == [f"{case}-to-key-worker.eml" for case in cases]
    message = read_eml(drafts[0])
    assert message["To"] == "Dana Fictional <dana@example.org>"
    assert cases[0] in message["Subject"]
    [attachment] = list(message.iter_attachments())
    # The signed PDF goes out; the .docx stays the record (issue 14).
    assert attachment.get_filename() == f"{cases[0]}-minutes-extract-v1.pdf"
    raw = drafts[0].read_bytes()
    assert b"Kai" not in raw.split(b"\n\n")[0]  # headers name no child
