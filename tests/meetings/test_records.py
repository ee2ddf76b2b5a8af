"""Records that stay true (issue 10): signing decided once in the register, amendments that
merge, later meetings never rolled back, keys not positions, races and kills."""

from __future__ import annotations

import copy
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import accept_two, complete_draft, read_eml
from openpyxl import load_workbook
from testdata import write_yaml

from workflow.core.errors import FormInvalid, MinutesLocked, RegisterError
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.recording import amend_minutes, record_minutes
from workflow.meetings.signing import sign_minutes, verify_document
from workflow.register import Register

MARCH = date(2027, 3, 11)
MAY = date(2027, 5, 13)


def sheet(workspace: Any, name: str) -> list[dict[str, Any]]:
    rows = list(load_workbook(workspace.register_file)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(row)]


def set_today(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("CCP_TODAY", day)


@pytest.fixture
def march(workspace, inbox, referral_data, monkeypatch, tmp_path):
    """Two cases accepted for March; the March minutes recorded (not signed)."""
    cases = accept_two(workspace, inbox, referral_data)
    set_today(monkeypatch, "2027-03-12")
    draft_minutes(workspace, MARCH)
    file = complete_draft(workspace.minutes_draft(MARCH), tmp_path / "march.yaml")
    record_minutes(workspace, file)
    return workspace, cases, file


@pytest.fixture
def march_signed(march):
    workspace, cases, file = march
    sign_minutes(workspace, MARCH, "Alex Sample")
    return workspace, cases, file


def may_record(march_file: Path, out: Path) -> Path:
    """The May minutes: both cases reviewed, risk now low, next report in July."""
    data = yaml.safe_load(march_file.read_text(encoding="utf-8"))
    data["meeting"] = MAY
    for case in data["cases"]:
        case["kind"] = "progress_review"
        case["risk_level"] = "low"
        case["progress_report"] = {"format": "written", "due_meeting": date(2027, 7, 8)}
        case["resources"] = []
        case["actions"] = [
            {
                "description": "Review the safety plan with the school",
                "agency": "Education",
                "owner": "Jo Invented",
                "due": date(2027, 6, 10),
            }
        ]
    return write_yaml(out, data)


@pytest.fixture
def may_signed(march_signed, monkeypatch, tmp_path):
    workspace, cases, march_file = march_signed
    set_today(monkeypatch, "2027-05-14")
    record_minutes(workspace, may_record(march_file, tmp_path / "may.yaml"))
    sign_minutes(workspace, MAY, "Alex Sample")
    return workspace, cases, march_file


def amended_copy(march_file: Path, out: Path, change: Any) -> Path:
    data = yaml.safe_load(march_file.read_text(encoding="utf-8"))
    change(data)
    return write_yaml(out, data)


# --- later meetings are never rolled back ----------------------------------------------------


def test_amending_march_after_may_keeps_what_may_decided(may_signed, monkeypatch, tmp_path):
    workspace, cases, march_file = may_signed
    set_today(monkeypatch, "2027-05-20")
    before_progress = sheet(workspace, "Progress")

    def reword(data: dict[str, Any]) -> None:
        data["cases"][0]["discussion"] = "Corrected: missing episodes rose in February."

    amend_minutes(workspace, MARCH, amended_copy(march_file, tmp_path / "fix.yaml", reword))
    for row in sheet(workspace, "Cases"):
        assert row["Risk latest"] == "Low"  # May's decision, not March's "Very high"
        assert row["Next progress due"].date() == date(2027, 7, 8)
    assert sheet(workspace, "Progress") == before_progress
    july = [row for row in before_progress if row["Due meeting"].date() == date(2027, 7, 8)]
    assert sorted(row["Case ID"] for row in july) == cases
    audit = sheet(workspace, "Audit")[-1]
    assert audit["Action"] == "recorded minutes version 2"


# --- what people typed is never lost ---------------------------------------------------------


def test_amendment_keeps_typed_statuses_notes_confirmations_and_hand_rows(
    march_signed, monkeypatch, tmp_path
):
    workspace, cases, march_file = march_signed
    book = load_workbook(workspace.register_file)
    actions = book["Actions"]
    headers = [cell.value for cell in actions[1]]
    status, notes = headers.index("Status") + 1, headers.index("Notes") + 1
    actions.cell(2, status).value = "Completed"
    actions.cell(2, notes).value = "Done early, typed by the administrator"
    hand = ["CCP-2027-001-A9", cases[0], None, "Hand-added action", "Police", "PC Typed"]
    actions.append(hand)
    resources = book["Resources"]
    rheaders = [cell.value for cell in resources[1]]
    resources.cell(2, rheaders.index("Confirmed") + 1).value = "Yes"
    resources.cell(2, rheaders.index("Notes") + 1).value = "Confirmed by phone"
    book.save(workspace.register_file)

    def drop_second_action(data: dict[str, Any]) -> None:
        data["cases"][0]["actions"] = data["cases"][0]["actions"][:1]
        data["cases"][0]["discussion"] += " (amended)"

    set_today(monkeypatch, "2027-03-20")
    result = amend_minutes(
        workspace, MARCH, amended_copy(march_file, tmp_path / "fix.yaml", drop_second_action)
    )
    assert result.version == 2
    rows = {row["Action ID"]: row for row in sheet(workspace, "Actions")}
    assert rows["CCP-2027-001-A1"]["Status"] == "Completed"
    assert rows["CCP-2027-001-A1"]["Notes"] == "Done early, typed by the administrator"
    # The dropped action keeps its ID and its row; it is Cancelled, saying which version.
    assert rows["CCP-2027-001-A2"]["Status"] == "Cancelled"
    assert "version 2 of the minutes dropped this action" in rows["CCP-2027-001-A2"]["Notes"]
    assert rows["CCP-2027-001-A2"]["Action"] == "Share the disruption plan"
    # The hand-added row with a ccp-style ID survives.
    assert rows["CCP-2027-001-A9"]["Action"] == "Hand-added action"
    confirmed = sheet(workspace, "Resources")[0]
    assert (confirmed["Confirmed"], confirmed["Notes"]) == ("Yes", "Confirmed by phone")


def test_a_dropped_action_never_passes_its_id_to_the_next(march, tmp_path):
    workspace, cases, march_file = march

    def drop_first(data: dict[str, Any]) -> None:
        data["cases"][0]["actions"] = data["cases"][0]["actions"][1:]

    record_minutes(workspace, amended_copy(march_file, tmp_path / "again.yaml", drop_first))
    rows = {row["Action ID"]: row for row in sheet(workspace, "Actions")}
    assert rows["CCP-2027-001-A2"]["Action"] == "Share the disruption plan"
    assert rows["CCP-2027-001-A2"]["Status"] == "Open"
    assert rows["CCP-2027-001-A1"]["Status"] == "Cancelled"

    def add_one(data: dict[str, Any]) -> None:
        data["cases"][0]["actions"].append(
            {
                "description": "A new action",
                "agency": "Health",
                "owner": "Dr Made Up",
                "due": date(2027, 4, 1),
            }
        )

    result = record_minutes(workspace, amended_copy(march_file, tmp_path / "more.yaml", add_one))
    assert "CCP-2027-001-A3" in result.action_ids  # A1 and A2 are never reused
    assert sheet(workspace, "Actions")[0]["Status"] == "Open"  # A1 minuted again: restored


def test_an_unknown_action_id_in_an_amendment_is_named(march_signed, tmp_path):
    workspace, _, march_file = march_signed

    def wrong_id(data: dict[str, Any]) -> None:
        data["cases"][0]["actions"][0]["action_id"] = "CCP-2027-002-A1"

    before = workspace.register_file.read_bytes()
    with pytest.raises(FormInvalid, match=r"cases\[1\]\.actions\[1\]\.action_id"):
        amend_minutes(workspace, MARCH, amended_copy(march_file, tmp_path / "x.yaml", wrong_id))
    assert workspace.register_file.read_bytes() == before


# --- keys, not positions ---------------------------------------------------------------------


def _reverse_sheet(path: Path, name: str) -> None:
    """Sort a sheet upside down, as a person sorting in Excel would (header stays)."""
    book = load_workbook(path)
    rows = [list(row) for row in book[name].iter_rows(min_row=2, values_only=True) if any(row)]
    for index, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            book[name].cell(index, column).value = value
    book.save(path)


@pytest.mark.parametrize("name", ["Meetings", "Cases", "Actions", "Signatures"])
def test_a_hand_sort_changes_no_result(march_signed, monkeypatch, tmp_path, name):
    workspace, cases, march_file = march_signed
    _reverse_sheet(workspace.register_file, name)
    set_today(monkeypatch, "2027-03-20")

    def reword(data: dict[str, Any]) -> None:
        data["cases"][1]["discussion"] = "Amended after a hand sort."

    amend_minutes(workspace, MARCH, amended_copy(march_file, tmp_path / "fix.yaml", reword))
    second = sign_minutes(workspace, MARCH, "Bailey Specimen")
    old_pdf = workspace.signed_minutes(MARCH, 1, ".pdf")
    new_pdf = workspace.signed_minutes(MARCH, 2, ".pdf")
    old = verify_document(workspace, old_pdf)
    assert old.matches
    assert "version 1, signed by Alex Sample" in old.message
    assert "superseded" in old.message
    new = verify_document(workspace, new_pdf)
    assert "version 2, signed by Bailey Specimen" in new.message
    assert second.version == 2
    meetings = [row for row in sheet(workspace, "Meetings") if row["Date"]]
    assert [row["Status"] for row in meetings if row["Date"].date() == MARCH] == ["signed"]


# --- one source of truth for signing ---------------------------------------------------------


def test_a_second_signature_is_refused_naming_the_first(march_signed):
    workspace, _, _ = march_signed
    with pytest.raises(MinutesLocked, match="already signed by Alex Sample on 12 March 2027"):
        sign_minutes(workspace, MARCH, "Bailey Specimen")


def test_no_signature_file_beside_the_register(march_signed):
    workspace, _, _ = march_signed
    assert not list(workspace.meeting_dir(MARCH).glob("signatures*"))
    rows = sheet(workspace, "Signatures")
    assert {row["Version"] for row in rows} == {1}
    assert {row["Signed by"] for row in rows} == {"Alex Sample"}


def test_a_deleted_record_file_is_named_not_resigned(march, tmp_path):
    workspace, _, _ = march
    workspace.recorded_minutes(MARCH, 1).unlink()
    with pytest.raises(Exception, match="minutes-v1.json is missing"):
        sign_minutes(workspace, MARCH, "Alex Sample")
    assert not sheet(workspace, "Signatures")


def test_a_record_file_changed_by_hand_is_not_signed(march):
    workspace, _, _ = march
    path = workspace.recorded_minutes(MARCH, 1)
    path.write_text(path.read_text().replace("Missing episodes", "Changed"), encoding="utf-8")
    with pytest.raises(Exception, match="not the version the register recorded"):
        sign_minutes(workspace, MARCH, "Alex Sample")
    assert not list(workspace.meeting_output(MARCH).glob("minutes-*-v1.*"))


def test_a_restored_backup_is_detected_by_sign_and_verify(march, tmp_path):
    workspace, _, _ = march
    before_signing = tmp_path / "before.xlsx"
    before_signing.write_bytes(workspace.register_file.read_bytes())
    sign_minutes(workspace, MARCH, "Alex Sample")
    pdf = workspace.signed_minutes(MARCH, 1, ".pdf")
    assert verify_document(workspace, pdf).matches
    workspace.register_file.write_bytes(before_signing.read_bytes())  # "restore a backup"
    check = verify_document(workspace, pdf)
    assert not check.matches
    assert "register.xlsx is older than the signed files" in check.message
    with pytest.raises(RegisterError, match="register.xlsx is older than the signed minutes"):
        sign_minutes(workspace, MARCH, "Bailey Specimen")


def test_record_after_signing_is_refused_under_the_lock(march_signed):
    workspace, _, march_file = march_signed
    before = workspace.register_file.read_bytes()
    with pytest.raises(MinutesLocked, match="signed by Alex Sample on 12 March 2027"):
        record_minutes(workspace, march_file)
    assert workspace.register_file.read_bytes() == before


def test_old_signed_rows_in_meetings_are_migrated(march, tmp_path):
    """A register from before the Signatures sheet: signed-file rows sat in Meetings."""
    workspace, _, _ = march
    book = load_workbook(workspace.register_file)
    meetings = book["Meetings"]
    width = meetings.max_column
    for offset, header in enumerate(("Signed by", "Signed on", "Minutes file", "SHA-256")):
        meetings.cell(1, width + 1 + offset).value = header
    old_hash = "ab" * 32
    meetings.append(
        [MARCH, "signed", None, None, None, None, 1, "minutes (version 1)"]
        + [None] * (width - 8)
        + ["Alex Sample", date(2027, 3, 12), "output/old.pdf", old_hash]
    )
    del book["Signatures"]
    book.save(workspace.register_file)

    register = Register.load(workspace.register_file)
    from workflow.register.migrations import migrate_signatures

    assert migrate_signatures(register) == 1
    register.save(workspace.register_file, backups_dir=workspace.backups_dir)
    rows = sheet(workspace, "Signatures")
    assert [(row["File"], row["SHA-256"], row["Signed by"]) for row in rows] == [
        ("output/old.pdf", old_hash, "Alex Sample")
    ]
    assert len([row for row in sheet(workspace, "Meetings") if row["Date"]]) == 1
    actions = [row["Action"] for row in sheet(workspace, "Audit")]
    assert "added sheet" in actions
    assert "moved signed-file rows" in actions


# --- everything signing sends is decided before the commit -----------------------------------


def test_a_key_worker_name_with_a_line_break_is_refused_at_referral(
    workspace, inbox, referral_data
):
    from workflow.cases.referrals import check_referral

    data = copy.deepcopy(referral_data)
    for person in data["professionals"]:
        if person.get("key_worker"):
            person["name"] = "Dana\nBcc: someone@example.org"
    path = write_yaml(inbox / "broken.yaml", data)
    with pytest.raises(FormInvalid, match="must be on one line"):
        check_referral(path)


# --- races and kills -------------------------------------------------------------------------


def _sign_in_child(root: str, signer: str, today: str, queue: Any) -> None:
    os.environ["CCP_TODAY"] = today
    from workflow.core.errors import CcpError
    from workflow.workspace.paths import Workspace

    try:
        sign_minutes(Workspace(Path(root)), MARCH, signer)
        queue.put(("signed", signer))
    except CcpError as err:
        queue.put(("refused", str(err)))


@pytest.mark.slow
@pytest.mark.posix_only  # issue 20
def test_two_signers_at_once_exactly_one_succeeds(march):
    workspace, _, _ = march
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_sign_in_child, args=(str(workspace.root), who, "2027-03-12", queue))
        for who in ("Alex Sample", "Bailey Specimen")
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
    results = sorted(queue.get(timeout=5) for _ in children)
    assert [kind for kind, _ in results] == ["refused", "signed"]
    refusal = results[0][1]
    assert "already signed by" in refusal or "another ccp command" in refusal
    signers = {row["Signed by"] for row in sheet(workspace, "Signatures")}
    assert signers == {results[1][1]}


@pytest.mark.slow
def test_record_racing_sign_never_disagrees(march):
    """Whichever takes the lock first, the signed document is the recorded version."""
    workspace, _, march_file = march
    data = yaml.safe_load(march_file.read_text(encoding="utf-8"))
    data["cases"][0]["discussion"] = "Re-recorded during the signing."
    changed = write_yaml(march_file.with_name("changed.yaml"), data)
    env = {**os.environ, "CCP_TODAY": "2027-03-12"}
    sign = subprocess.Popen(
        [sys.executable, "-m", "workflow", "-w", str(workspace.root), "minutes", "sign",
         "2027-03-11", "--chair", "Alex Sample"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.05)
    record = subprocess.run(
        [sys.executable, "-m", "workflow", "-w", str(workspace.root), "minutes", "record",
         str(changed)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    sign.wait(120)
    from workflow.documents.text import document_text

    text = document_text(workspace.signed_minutes(MARCH, 1, ".docx"))
    recorded_text = workspace.recorded_minutes(MARCH, 1).read_text(encoding="utf-8")
    if record.returncode == 0:
        # The record won the lock: the signing that followed signed the new text.
        assert "Re-recorded during the signing." in text
    else:
        assert "locked" in record.stderr or "another ccp command" in record.stderr
        assert "Re-recorded during the signing." not in recorded_text
    assert verify_document(workspace, workspace.signed_minutes(MARCH, 1, ".pdf")).matches


def _register_is_consistent(workspace: Any) -> None:
    """After any kill: no signed-looking file without its Signatures row, and back."""
    from workflow.meetings.records import roll_forward

    register = Register.load(workspace.register_file)
    roll_forward(workspace, register, MARCH)
    rows = register.rows("Signatures")
    out = workspace.meeting_output(MARCH)
    signed_files = (
        {path for path in out.rglob("*") if path.is_file() and "-v1." in path.name}
        if out.is_dir()
        else set()
    )
    if rows:
        for row in rows:
            path = workspace.root / row["file"]
            assert path.is_file(), row["file"]
            assert verify_document(workspace, path).matches
    else:
        assert not signed_files, sorted(map(str, signed_files))
    assert not list(out.glob(".signing-v*")) if out.is_dir() else True


@pytest.mark.posix_only  # issue 20
@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_kill_at_any_moment_of_signing_leaves_none_or_all(march):
    workspace, _, _ = march
    env = {**os.environ, "CCP_TODAY": "2027-03-12"}
    rng = random.Random(20270311)
    command = [sys.executable, "-m", "workflow", "-w", str(workspace.root), "minutes", "sign",
               "2027-03-11", "--chair", "Alex Sample"]  # fmt: skip
    started = time.monotonic()
    # Measure one full signing, then kill at random moments within it (bounded count/time).
    probe_start = time.monotonic()
    backup = workspace.register_file.read_bytes()
    subprocess.run(command, env=env, capture_output=True, timeout=180, check=True)
    full = time.monotonic() - probe_start
    _register_is_consistent(workspace)
    kills = 0
    while kills < 6 and time.monotonic() - started < 100:
        # Back to unsigned: the register restored and the signed files removed with it.
        workspace.register_file.write_bytes(backup)
        for path in workspace.meeting_output(MARCH).rglob("*"):
            if path.is_file() and "-v1." in path.name or path.name.endswith(".eml"):
                path.unlink()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        time.sleep(rng.uniform(0.1, full))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        kills += 1
        _register_is_consistent(workspace)
    assert kills >= 3


def test_the_extract_goes_to_the_iro_and_is_copied_to_the_manager(
    workspace, inbox, referral_data, monkeypatch, tmp_path
):

    data = copy.deepcopy(referral_data)
    data["iro"]["email"] = "robin@example.org"
    from workflow.cases.referrals import add_referral

    case_id = add_referral(workspace, write_yaml(inbox / "with-iro.yaml", data)).case_id
    set_today(monkeypatch, "2027-03-12")
    draft_minutes(workspace, MARCH)
    manager = {
        "name": "Morgan Pretend",
        "role": "Service manager",
        "agency": "Children's social care",
        "email": "morgan@example.org",
    }
    file = complete_draft(workspace.minutes_draft(MARCH), tmp_path / "m.yaml")
    record = yaml.safe_load(file.read_text(encoding="utf-8"))
    record["cases"][0]["accountable_manager"] = manager
    record_minutes(workspace, write_yaml(file, record))
    signed = sign_minutes(workspace, MARCH, "Alex Sample")
    [draft] = [path for path in signed.written if path.suffix == ".eml"]
    message = read_eml(draft)
    assert message["To"] == "Dana Fictional <dana@example.org>, Robin Imaginary <robin@example.org>"
    assert message["Cc"] == "Morgan Pretend <morgan@example.org>"
    assert case_id in message["Subject"]
    assert signed.warnings == []


def test_someone_without_an_address_is_listed_not_sent_a_broken_draft(march):
    workspace, cases, _ = march
    signed = sign_minutes(workspace, MARCH, "Alex Sample")
    text = "\n".join(signed.warnings)
    assert "the IRO Robin Imaginary has no e-mail address" in text
    assert "accountable manager Morgan Pretend" in text
    for path in signed.written:
        if path.suffix == ".eml":
            assert b"<>" not in path.read_bytes()


def test_text_in_register_date_and_version_cells_never_gives_a_traceback(
    march_signed, runner, tmp_path
):
    """Issue 12: text typed into a date or version cell, and merged date cells."""
    from workflow.cli import cli

    workspace, _, _ = march_signed
    pdf = workspace.signed_minutes(MARCH, 1, ".pdf")
    book = load_workbook(workspace.register_file)
    signatures = book["Signatures"]
    signatures["B3"] = "one"  # Version
    signatures["G2"] = "the twelfth"  # Signed on
    meetings = book["Meetings"]
    meetings["A5"] = "next Tuesday"
    meetings.merge_cells("A3:A4")
    book.save(workspace.register_file)

    root = str(workspace.root)
    result = runner.invoke(cli, ["-w", root, "verify", str(pdf)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert "VERIFIED" in result.output
    packed = runner.invoke(cli, ["-w", root, "pack", "2027-05-13", "--no-pdf"])
    assert packed.exception is None or isinstance(packed.exception, SystemExit), packed.output
    assert "Traceback" not in packed.output


def test_a_damaged_record_file_is_one_error_naming_it(march, runner):
    from workflow.cli import cli

    workspace, _, _ = march
    workspace.recorded_minutes(MARCH, 1).write_text("{not json", encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace.root), "minutes", "sign", "2027-03-11",
                                 "--chair", "Alex Sample"])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.count("Error:") == 1
    assert "meetings/2027-03-11/minutes-v1.json" in result.output
    assert not sheet(workspace, "Signatures")


def test_a_busy_register_carrying_thousands_of_actions_forward_records(
    march_signed, monkeypatch, tmp_path
):
    """Every open earlier action gains a count; the Audit row names the first hundred and
    how many more (a cell holds 32,767 characters; 2,500 IDs would not fit)."""
    workspace, cases, march_file = march_signed
    register = Register.load(workspace.register_file)
    for number in range(1, 2501):
        register.append(
            "Actions",
            {
                "action_id": f"{cases[0]}-B{number}",
                "case_id": cases[0],
                "meeting": date(2027, 1, 14),
                "action": "An earlier action, still open",
                "status": "Open" if number % 2 else "In progress",
                "carried_forward": 0,
            },
        )
    register.save(workspace.register_file, backups_dir=workspace.backups_dir)
    set_today(monkeypatch, "2027-05-14")
    record_minutes(workspace, may_record(march_file, tmp_path / "may.yaml"))

    actions = {row["Action ID"]: row for row in sheet(workspace, "Actions")}
    assert actions[f"{cases[0]}-B1"]["Carried forward"] == 1
    assert actions[f"{cases[0]}-B2500"]["Carried forward"] == 1
    [audit] = [
        row
        for row in sheet(workspace, "Audit")
        if row["Action"] == "recorded minutes version 1" and row["Target"] == MAY.isoformat()
    ]
    assert len(audit["Detail"]) < 32_767
    assert "and 2,4" in audit["Detail"]
    assert f"{cases[0]}-B1," in audit["Detail"]


@pytest.mark.libreoffice
def test_an_action_dropped_then_restored_is_open_without_the_drops_reason(
    march_signed, tmp_path, monkeypatch
):
    """Issue 22: restored to Open, it kept 'reason not done: circumstances changed'."""
    workspace, _, march_file = march_signed

    def drop_second_action(data: dict[str, Any]) -> None:
        data["cases"][0]["actions"] = data["cases"][0]["actions"][:1]
        data["cases"][0]["discussion"] += " (amended)"

    set_today(monkeypatch, "2027-03-20")
    amend_minutes(
        workspace, MARCH, amended_copy(march_file, tmp_path / "drop.yaml", drop_second_action)
    )
    dropped = {row["Action ID"]: row for row in sheet(workspace, "Actions")}["CCP-2027-001-A2"]
    assert (dropped["Status"], dropped["Reason not done"]) == ("Cancelled", "circumstances changed")
    sign_minutes(workspace, MARCH, "Alex Sample")

    def restore(data: dict[str, Any]) -> None:
        data["cases"][0]["discussion"] += " (the action is needed after all)"

    amend_minutes(workspace, MARCH, amended_copy(march_file, tmp_path / "restore.yaml", restore))

    restored = {row["Action ID"]: row for row in sheet(workspace, "Actions")}["CCP-2027-001-A2"]
    assert restored["Status"] == "Open"
    assert restored["Reason not done"] is None
    assert "restored by version 3 of the minutes" in restored["Notes"]


def test_an_escalation_stands_until_the_only_minutes_that_made_it_take_it_back(
    march, tmp_path, monkeypatch
):
    """Issue 22: a later meeting that did not escalate again set Escalated back to No."""
    workspace, cases, march_file = march

    def escalate(data: dict[str, Any]) -> None:
        data["cases"][0]["escalate_to_partnership"] = True
        data["cases"][0]["escalation_reason"] = "Meets the rapid review criteria (fictional)"

    def escalated() -> str:
        rows = {row["Case ID"]: row for row in sheet(workspace, "Cases")}
        return rows[cases[0]]["Escalated"]

    record_minutes(workspace, amended_copy(march_file, tmp_path / "escalated.yaml", escalate))
    assert escalated() == "Yes"

    set_today(monkeypatch, "2027-05-14")
    record_minutes(workspace, may_record(march_file, tmp_path / "may.yaml"))
    assert escalated() == "Yes"  # May did not escalate again; March's decision stands

    set_today(monkeypatch, "2027-05-15")
    record_minutes(workspace, march_file)  # March recorded again, without the escalation
    assert escalated() == "No"
