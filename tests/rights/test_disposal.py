"""`ccp retention dispose`: no trace of the child but the tombstone (issue 23, item 4)."""

from __future__ import annotations

import email
import hashlib
import io
import zipfile
from email import policy
from pathlib import Path

import pytest
from between_meetings import sheet_rows
from helpers import copy_of
from openpyxl import load_workbook

from workflow.cli import cli
from workflow.workspace import disposal_stage

CASE = "CCP-2027-001"


@pytest.fixture
def demo(built_demo, tmp_path):
    return copy_of(built_demo, tmp_path)


def ccp(runner, root, *args):
    return runner.invoke(cli, ["-w", str(root), *args])


def dispose(runner, root, *extra):
    return ccp(runner, root, "retention", "dispose", CASE, "--authorised-by", "Alex Sample", *extra)


def child(root: Path, case_id: str = CASE) -> dict:
    return next(r for r in sheet_rows(root / "register.xlsx", "Cases") if r["Case ID"] == case_id)


def readable(data: bytes) -> list[str]:
    """Every text a person could get out of a file's bytes: as stored, as UTF-16, each zip
    member, a PDF's text, an e-mail's decoded parts."""
    texts = [data.decode("utf-8", "replace"), data.decode("utf-16-le", "replace")]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                texts += readable(member)
                texts.append(member.decode("utf-8", "replace").replace("</t></r><r><t>", ""))
    elif data[:5] == b"%PDF-":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        texts += [page.extract_text() or "" for page in reader.pages]
        texts += [str(v) for v in (reader.metadata or {}).values()]
    elif b"Subject:" in data[:4096]:
        message = email.message_from_bytes(data, policy=policy.default)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if payload:
                texts += readable(payload)
    return texts


def traces(root: Path, needles: list[str]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            for text in readable(path.read_bytes()):
                found += [
                    f"{path.relative_to(root)}: {n}"
                    for n in needles
                    if n.casefold() in text.casefold()
                ]
    return sorted(set(found))


def hand_edit_before(root: Path, name: str) -> None:
    """Sort the Cases rows backwards, type the name in a column and a sheet of one's own,
    in an action's notes and in last year's Audit, the way an administrator does in Excel."""
    book = load_workbook(root / "register.xlsx")
    cases = book["Cases"]
    rows = [[cell.value for cell in row] for row in cases.iter_rows(min_row=2)]
    for row, values in zip(cases.iter_rows(min_row=2), reversed(rows), strict=True):
        for cell, value in zip(row, values, strict=True):
            cell.value = value
    header = [cell.value for cell in cases[1]]
    mine = len(header) + 1
    cases.cell(row=1, column=mine, value="My notes")
    for row in cases.iter_rows(min_row=2):
        if row[0].value == CASE:
            cases.cell(row=row[0].row, column=mine, value=f"Rang {name}'s school")
    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    for row in actions.iter_rows(min_row=2):
        if row[header.index("Case ID")].value == CASE:
            row[header.index("Notes")].value = f"{name} attended"
            break
    book.create_sheet("Contacts").append(["Child", name, "call the aunt"])
    # Last year's Audit tab (the demo's year spans two), a detail typed into it by hand.
    book["Audit to 2027"].cell(row=2, column=6, value=f"Phoned about {name}")
    book.save(root / "register.xlsx")


@pytest.mark.slow
def test_disposal_leaves_no_trace_of_the_child_but_the_tombstone(runner, demo):
    row = child(demo)
    name, local_id = row["Child name"], row["Local ID"]
    hand_edit_before(demo, name)
    assert traces(demo, [name])  # the name is in the papers, the register and its backups
    case_files = sorted(p for p in (demo / "cases" / CASE).rglob("*") if p.is_file())
    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in case_files}

    result = dispose(runner, demo, "--before-due")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{CASE}: disposed of: ")
    assert traces(demo, [name, local_id]) == []
    assert not (demo / "cases" / CASE).exists()
    assert not list((demo / "output").rglob(f"{CASE}-*"))
    after = child(demo)
    assert after["Child name"] is None
    assert after["Local ID"] is None
    assert after["Date of birth"] is None
    assert after["My notes"] == "Rang [removed]'s school"
    tombstones = sheet_rows(demo / "register.xlsx", "Tombstones")
    assert {t["Case ID"] for t in tombstones} == {CASE}
    assert {t["Authorised by"] for t in tombstones} == {"Alex Sample"}
    assert hashes <= {t["SHA-256"] for t in tombstones}
    assert f"cases/{CASE}/case.json" in {t["What"] for t in tombstones}
    assert any(t["What"].startswith("backups/") for t in tombstones)
    assert not (demo / disposal_stage.STAGE_DIR).exists()
    # Every signed file left still verifies, and the register agrees with the files.
    signed = [demo / r["File"] for r in sheet_rows(demo / "register.xlsx", "Signatures")]
    remaining = [path for path in signed if path.exists()]
    assert len(remaining) >= 6
    for path in remaining:
        verified = ccp(runner, demo, "verify", str(path))
        assert verified.exit_code == 0, verified.output
    checked = ccp(runner, demo, "check")
    assert checked.exit_code == 0, checked.output

    # Hand edits after: sort the Actions sheet; the next command works on it.
    book = load_workbook(demo / "register.xlsx")
    actions = book["Actions"]
    values = [[c.value for c in r] for r in actions.iter_rows(min_row=2)]
    for r, v in zip(actions.iter_rows(min_row=2), reversed(values), strict=True):
        for cell, value in zip(r, v, strict=True):
            cell.value = value
    book.save(demo / "register.xlsx")
    held = ccp(runner, demo, "retention", "hold", "CCP-2027-002", "--reason", "Inquiry")
    assert held.exit_code == 0, held.output
    again = dispose(runner, demo, "--before-due")
    assert again.exit_code == 1
    assert again.stderr.startswith(f"Error: {CASE}: was disposed of on ")
    assert len(sheet_rows(demo / "register.xlsx", "Tombstones")) == len(tombstones)
    exported = ccp(runner, demo, "case", "export", CASE, str(demo.parent / "sar"))
    assert exported.exit_code == 1
    assert exported.stderr.startswith(f"Error: {CASE}: was disposed of on ")
    assert exported.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, [], f"{CASE}: not due for disposal until "),
        ("hold", ["--before-due"], f"{CASE}: on legal hold (Litigation); lift it first"),
        (None, ["--before-due", "--authorised-by", " "], "--authorised-by: name the person"),
    ],
    ids=["not-due", "on-hold", "no-authoriser"],
)
def test_a_refused_disposal_is_one_line_and_changes_nothing(runner, demo, setup, args, message):
    if setup == "hold":
        assert ccp(runner, demo, "retention", "hold", CASE, "--reason", "Litigation").exit_code == 0
    before = (demo / "register.xlsx").read_bytes()
    files_before = sorted(p.relative_to(demo) for p in demo.rglob("*"))

    result = dispose(runner, demo, *args)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1
    assert (demo / "register.xlsx").read_bytes() == before
    assert sorted(p.relative_to(demo) for p in demo.rglob("*")) == files_before


def test_an_open_case_is_never_disposed_of(runner, demo):
    open_case = next(
        r for r in sheet_rows(demo / "register.xlsx", "Cases") if r["Status"] == "open"
    )
    case_id = open_case["Case ID"]
    result = ccp(
        runner, demo, "retention", "dispose", case_id, "--authorised-by", "A", "--before-due"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {case_id}: the case is still open; the panel closes it in its minutes first\n"
    )
    assert (demo / "cases" / case_id / "case.json").is_file()


def test_an_unknown_case_is_one_line(runner, demo):
    result = ccp(runner, demo, "retention", "dispose", "CCP-2027-999", "--authorised-by", "A")
    assert result.exit_code == 1
    assert result.stderr == "Error: CCP-2027-999: no such case in the register\n"


@pytest.mark.slow
def test_a_disposal_killed_before_its_commit_is_undone_by_the_next_command(
    runner, demo, monkeypatch
):
    from workflow.rights.disposal import dispose_case
    from workflow.workspace.paths import Workspace
    from workflow.workspace.transaction import Transaction

    name = child(demo)["Child name"]
    before = (demo / "register.xlsx").read_bytes()
    case_files = sorted(p.relative_to(demo) for p in (demo / "cases" / CASE).rglob("*"))

    def killed(self, **kwargs):
        raise KeyboardInterrupt  # the process dies: no clean-up runs

    monkeypatch.setattr(Transaction, "commit", killed)
    monkeypatch.setattr(disposal_stage, "undo", lambda *a, **k: [])
    with pytest.raises(KeyboardInterrupt):
        dispose_case(Workspace(demo), CASE, authorised_by="Alex Sample", before_due=True)
    assert not (demo / "cases" / CASE).exists()  # moved into the stage, not yet deleted
    monkeypatch.undo()

    result = ccp(runner, demo, "retention", "hold", "CCP-2027-002", "--reason", "Inquiry")

    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(demo) for p in (demo / "cases" / CASE).rglob("*")) == case_files
    assert not (demo / disposal_stage.STAGE_DIR).exists()
    assert child(demo)["Child name"] == name
    assert (demo / "register.xlsx").read_bytes() != before  # only the hold was written
    assert sheet_rows(demo / "register.xlsx", "Tombstones") == []


@pytest.mark.slow
def test_a_disposal_killed_after_its_commit_is_finished_by_the_next_command(
    runner, demo, monkeypatch
):
    row = child(demo)
    monkeypatch.setattr(disposal_stage, "finish", lambda *a, **k: None)
    assert dispose(runner, demo, "--before-due").exit_code == 0
    assert (demo / disposal_stage.STAGE_DIR).exists()  # the kill came before the deletion
    monkeypatch.undo()

    result = ccp(runner, demo, "retention", "hold", "CCP-2027-002", "--reason", "Inquiry")

    assert result.exit_code == 0, result.output
    assert not (demo / disposal_stage.STAGE_DIR).exists()
    assert traces(demo, [row["Child name"], row["Local ID"]]) == []


@pytest.mark.slow
def test_a_register_from_before_retention_gains_its_sheets(runner, demo):
    """A register made by an older ccp has neither sheet: the hold and the disposal add
    them (with an Audit row each), and the report reads a register without them."""
    book = load_workbook(demo / "register.xlsx")
    del book["Retention holds"]
    del book["Tombstones"]
    book.save(demo / "register.xlsx")
    report = ccp(runner, demo, "retention", "report", "--as-of", "2090-01-01")
    assert report.exit_code == 0, report.output
    assert "Legal holds: 0" in report.output

    assert (
        ccp(runner, demo, "retention", "hold", "CCP-2027-002", "--reason", "Inquiry").exit_code == 0
    )
    assert dispose(runner, demo, "--before-due").exit_code == 0

    book = load_workbook(demo / "register.xlsx")
    assert book.sheetnames[-2:] == ["Retention holds", "Tombstones"]
    added = [
        r["Target"]
        for r in sheet_rows(demo / "register.xlsx", "Audit")
        if r["Action"] == "added sheet"
    ]
    assert added == ["Retention holds", "Tombstones"]


def test_signed_minutes_of_other_children_holding_the_name_stop_the_disposal(runner, demo):
    name = child(demo)["Child name"]
    signed = next(
        demo / r["File"]
        for r in sheet_rows(demo / "register.xlsx", "Signatures")
        if "/extracts/" not in r["File"] and r["File"].endswith(".docx")
    )
    with zipfile.ZipFile(signed, "a") as archive:
        archive.writestr("customXml/note.xml", f"<note>{name}</note>")
    before = (demo / "register.xlsx").read_bytes()

    result = dispose(runner, demo, "--before-due")

    assert result.exit_code == 1
    relative = signed.relative_to(demo).as_posix()
    assert result.stderr.startswith(
        f"Error: {relative}: signed minutes of other children hold this child's name"
    )
    assert result.stderr.count("\n") == 1
    assert (demo / "register.xlsx").read_bytes() == before
    assert (demo / "cases" / CASE / "case.json").is_file()


def test_a_file_held_open_stops_the_disposal_and_every_file_goes_back(runner, demo, monkeypatch):
    from workflow.core import files
    from workflow.core.errors import FileInUse

    before = (demo / "register.xlsx").read_bytes()
    files_before = sorted(p.relative_to(demo) for p in demo.rglob("*"))
    real = files.replace
    moves = []

    def held(source, target):
        moves.append(source)
        if len(moves) == 3:
            raise FileInUse(f"{Path(source).name} is open in another program; close it")
        real(source, target)

    monkeypatch.setattr(files, "replace", held)
    result = dispose(runner, demo, "--before-due")

    assert result.exit_code == 3
    assert result.stderr.endswith("is open in another program; close it\n")
    assert result.stderr.count("\n") == 1
    assert (demo / "register.xlsx").read_bytes() == before
    assert sorted(p.relative_to(demo) for p in demo.rglob("*")) == files_before
