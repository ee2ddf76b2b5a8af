"""Need to know (issue 23): a restricted case reaches no member outside its agencies, and the
Disclosures sheet lists every document sent about a child.

The demo restricts CCP-2027-002 (Riley Samplewood) to Children's social care and CAMHS. Its
year is run further here (a pack marked and attached per member, reminders), then every
file released is read as its recipient would (Word through python-docx, PDF through
pdftotext, e-mail drafts with their attachments) and searched for the child's name and
case ID.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from between_meetings import append_row, edit_cells, sheet_rows
from helpers import SECOND_CHILD, accept_two, copy_of, read_eml

from workflow.cases.reminders import draft_reminders
from workflow.cli import cli
from workflow.core.dates import as_of
from workflow.meetings import pack as pack_module
from workflow.meetings.pack import build_pack, roll_forward_pack
from workflow.meetings.records import sha256_of
from workflow.register import Register
from workflow.workspace.paths import Workspace

RESTRICTED = "CCP-2027-002"
CHILD = SECOND_CHILD  # the demo's second child too
ALLOWED = {"Children's social care", "CAMHS"}
NOTICES = (
    f"Restricted case {RESTRICTED}: papers to named agencies only",
    f"Restricted case {RESTRICTED}: minuted in the version for named agencies only",
)


# --- reading a document as its recipient does ---------------------------------------------


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    lines = []
    for part in parts:
        for paragraph in part.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
        ):
            lines.append(
                "".join(
                    node.text or ""
                    for node in paragraph.iter(
                        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
                    )
                )
            )
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def file_text(path: Path, scratch: Path) -> str:
    if path.suffix == ".docx":
        return docx_text(path)
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".eml":
        return eml_text(path, scratch)
    return path.read_text(encoding="utf-8")


def eml_text(path: Path, scratch: Path) -> str:
    message = read_eml(path)
    texts = [str(message["Subject"])]
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        if part.get_content_type() == "text/plain":
            texts.append(part.get_content())
        elif part.get_filename():
            saved = scratch / f"{path.stem}-{number}-{part.get_filename()}"
            saved.write_bytes(part.get_payload(decode=True))
            texts.append(file_text(saved, scratch))
    return "\n".join(texts)


def outside_notices(text: str) -> str:
    plain = " ".join(text.split())
    for notice in NOTICES:
        plain = plain.replace(notice, "")
    return plain


def recipients(message_path: Path) -> list[str]:
    message = read_eml(message_path)
    found = []
    for header in ("To", "Cc"):
        for address in message.get_all(header) or []:
            found += [item.display_name for item in address.addresses]
    return found


# --- the worked example, run on ----------------------------------------------------------


@pytest.fixture(scope="module")
def year(tmp_path_factory, built_demo):
    """The demo, then: the second meeting's pack again, marked per member and attached, and
    reminders with one of the restricted case's actions given to the police member."""
    root = copy_of(built_demo, tmp_path_factory.mktemp("need-to-know"))
    workspace = Workspace(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CCP_TODAY", "2027-02-20")
        patch.setenv("CCP_USER", "test-user")
        second = workspace.panel.meeting_dates()[1]
        edit_cells(
            workspace.register_file,
            "Actions",
            {"Action ID": f"{RESTRICTED}-A1"},
            {"Owner": "DI Frankie Fiction", "Status": "Open", "Due": datetime(2027, 5, 1)},
        )
        with as_of(second - timedelta(days=14)):
            build_pack(workspace, second, attach=True, per_recipient=True)
        reminders = draft_reminders(workspace, as_of=date(2027, 4, 25))
    return workspace, reminders


def hidden_members(workspace) -> list[str]:
    panel = workspace.panel
    always = {panel.chair.name, panel.deputy.name, panel.administrator.name}
    return [m.name for m in panel.members if m.agency not in ALLOWED and m.name not in always]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_restricted_case_is_in_no_document_sent_outside_its_agencies(year, tmp_path):
    workspace, reminders = year
    hidden = hidden_members(workspace)
    assert "DI Frankie Fiction" in hidden
    assert "Dr Devi Imaginary" in hidden
    rows = sheet_rows(workspace.register_file, "Disclosures")
    sent = {}
    for row in rows:
        sent.setdefault(row["Recipient"], set()).add(row["File"])
    # Every e-mail draft under output/ is a document sent as well, with its attachments.
    for message in workspace.output_dir.rglob("*.eml"):
        for name in recipients(message):
            sent.setdefault(name, set()).add(workspace.relative(message))
    searched = 0
    for member in hidden:
        assert sent.get(member), f"{member} was sent nothing"
        for name in sorted(sent[member]):
            text = outside_notices(file_text(workspace.root / name, tmp_path))
            assert RESTRICTED not in text, f"{name} (sent to {member}) names {RESTRICTED}"
            assert CHILD not in text, f"{name} (sent to {member}) names the child"
            searched += 1
        member_rows = [row for row in rows if row["Recipient"] == member]
        assert all(RESTRICTED not in (row["Case IDs"] or "") for row in member_rows)
    assert searched >= 3 * len(hidden)
    # The search finds the case where it is: the packs of a member of an allowed agency.
    ellis = sorted(name for name in sent["Ellis Pretendy"] if name.endswith(".pdf"))
    assert RESTRICTED in outside_notices(file_text(workspace.root / ellis[0], tmp_path))
    first = workspace.panel.meeting_dates()[0].isoformat()
    full = pdf_text(workspace.output_dir / first / f"pack-{first}.pdf")
    assert CHILD in full
    assert RESTRICTED in full


@pytest.mark.libreoffice
@pytest.mark.slow
def test_disclosures_case_lists_every_file_sent_about_the_child(year, runner, tmp_path):
    workspace, _ = year
    result = runner.invoke(
        cli, ["-w", str(workspace.root), "disclosures", "--case", RESTRICTED, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    listed = {(row["recipient"], row["file"]) for row in json.loads(result.output)["disclosures"]}
    # Every row of the sheet whose document holds the child is listed, and only those.
    holding = set()
    for row in sheet_rows(workspace.register_file, "Disclosures"):
        text = outside_notices(file_text(workspace.root / row["File"], tmp_path))
        if RESTRICTED in text:
            holding.add((row["Recipient"], row["File"]))
    assert holding == listed
    purposes = {row["purpose"] for row in json.loads(result.output)["disclosures"]}
    assert {"circulation pack", "minutes extract"} <= purposes
    # Each pack e-mail to a member of an allowed agency is there: its attached copy.
    second = workspace.panel.meeting_dates()[1].isoformat()
    ellis = workspace.output_dir / second / "circulation" / f"pack-{second}-ellis-pretendy.pdf"
    assert ("Ellis Pretendy", workspace.relative(ellis)) in listed
    # Every copy says whose it is.
    check = runner.invoke(cli, ["-w", str(workspace.root), "verify", str(ellis)])
    assert check.exit_code == 0
    assert "sent to Ellis Pretendy (CAMHS)" in check.output


@pytest.mark.libreoffice
@pytest.mark.slow
def test_limited_minutes_are_signed_and_verify(year, runner):
    workspace, _ = year
    first = workspace.panel.meeting_dates()[0].isoformat()
    limited = workspace.output_dir / first / f"minutes-{first}-v1-limited-1.pdf"
    rows = sheet_rows(workspace.register_file, "Signatures")
    (row,) = [row for row in rows if row["File"] == workspace.relative(limited)]
    assert (row["Leaves out"], row["SHA-256"]) == (RESTRICTED, sha256_of(limited))
    check = runner.invoke(cli, ["-w", str(workspace.root), "verify", str(limited)])
    assert check.exit_code == 0
    assert f"the version without the restricted case(s) {RESTRICTED}" in check.output
    # A signed extract says whose copy it is too.
    extract = workspace.output_dir / first / "extracts" / f"{RESTRICTED}-minutes-extract-v1.pdf"
    check = runner.invoke(cli, ["-w", str(workspace.root), "verify", str(extract)])
    assert check.exit_code == 0
    assert "signed by Alex Sample" in check.output
    assert "sent to Noor Testcase (Children's social care)" in check.output
    assert "as minutes extract" in check.output
    text = " ".join(pdf_text(limited).split())
    assert NOTICES[1] in text
    assert "CCP-2027-001" in text


# --- all or nothing ------------------------------------------------------------------------


@pytest.fixture
def restricted(workspace, inbox, referral_data, runner):
    first, second = accept_two(workspace, inbox, referral_data)
    result = runner.invoke(
        cli, ["-w", str(workspace.root), "case", "restrict", second, "--agency", "Health"]
    )
    assert result.exit_code == 0, result.output
    return workspace, second


def published(workspace) -> dict[str, bytes]:
    out = workspace.meeting_output(date(2027, 3, 11))
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".pack-stage" not in path.parts
    }


def test_the_word_pack_views_and_their_disclosures(restricted):
    workspace, second = restricted
    result = build_pack(workspace, date(2027, 3, 11), pdf=False)

    names = {path.name for path in result.written}
    assert {"pack-2027-03-11.docx", "pack-2027-03-11-limited-1.docx"} <= names
    out = workspace.meeting_output(date(2027, 3, 11))
    limited = docx_text(out / "pack-2027-03-11-limited-1.docx")
    assert f"Restricted case {second}: papers to named agencies only" in limited
    assert SECOND_CHILD not in limited
    assert second not in outside_notices(limited)
    rows = {row["Recipient"]: row for row in sheet_rows(workspace.register_file, "Disclosures")}
    # Police and CAMHS members get the limited pack; the chair and the (Health) deputy all.
    assert rows["DI Frankie Fiction"]["File"] == "output/2027-03-11/pack-2027-03-11-limited-1.docx"
    assert rows["DI Frankie Fiction"]["Case IDs"] == "CCP-2027-001"
    assert rows["Bailey Specimen"]["Case IDs"] == f"CCP-2027-001; {second}"
    assert rows["Alex Sample"]["Purpose"] == "circulation pack"
    assert rows["Alex Sample"]["Lawful basis"].startswith("UK GDPR Art. 6(1)(e)")
    assert rows["Alex Sample"]["Released by"] == "test-user"
    assert rows["Alex Sample"]["SHA-256"] == sha256_of(out / "pack-2027-03-11.docx")


def test_restricting_a_case_already_sent_names_whom_to_ask(restricted, runner):
    """A restriction cannot call back what went out: the administrator is told who has the
    case and should delete it (from the Disclosures sheet), the chair, deputy and the
    agencies allowed left out."""
    workspace, second = restricted
    build_pack(workspace, date(2027, 3, 11), pdf=False)

    def restrict(*args):
        return runner.invoke(cli, ["-w", str(workspace.root), "case", "restrict", *args])

    result = restrict("CCP-2027-001", "--agency", "CAMHS")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: CCP-2027-001 was already sent to DI Frankie Fiction (Police): 1 document on "
        "20 February 2027; ask them to delete it (ccp disclosures --case CCP-2027-001 "
        '--recipient "DI Frankie Fiction" lists them)'
    ]
    # Restricting further, or lifting, says nothing new about who was sent what before.
    assert restrict("CCP-2027-001", "--lift").stderr == ""
    assert restrict(second, "--agency", "Health", "--agency", "CAMHS").stderr == ""


def test_a_kill_before_the_commit_leaves_the_old_pack_and_no_disclosure(restricted, monkeypatch):
    workspace, _ = restricted
    build_pack(workspace, date(2027, 3, 11), pdf=False)
    before, rows_before = published(workspace), sheet_rows(workspace.register_file, "Disclosures")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pack_module, "_record_pack_sent", killed)
    monkeypatch.setenv("CCP_TODAY", "2027-02-21")
    with pytest.raises(KeyboardInterrupt):
        build_pack(workspace, date(2027, 3, 11), pdf=False)

    assert published(workspace) == before
    assert sheet_rows(workspace.register_file, "Disclosures") == rows_before
    assert not (workspace.meeting_output(date(2027, 3, 11)) / ".pack-stage").exists()


def test_a_kill_after_the_commit_is_finished_by_the_next_pack(restricted, monkeypatch):
    workspace, _ = restricted
    build_pack(workspace, date(2027, 3, 11), pdf=False)
    before = published(workspace)
    real = pack_module._publish_pack

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pack_module, "_publish_pack", killed)
    monkeypatch.setenv("CCP_TODAY", "2027-02-21")  # the new pack's cover is dated anew
    with pytest.raises(KeyboardInterrupt):
        build_pack(workspace, date(2027, 3, 11), pdf=False)

    # The old files are all in place (none half-replaced); the register has the new rows.
    assert published(workspace) == before
    new_rows = [
        row for row in sheet_rows(workspace.register_file, "Disclosures") if row["Date"].day == 21
    ]
    assert len(new_rows) == 4
    monkeypatch.setattr(pack_module, "_publish_pack", real)
    register = Register.load(workspace.register_file)
    roll_forward_pack(workspace, register, date(2027, 3, 11))

    # Now the new state: each copy the register says was sent is the file in place.
    for row in new_rows:
        assert sha256_of(workspace.root / row["File"]) == row["SHA-256"]
    assert not (workspace.meeting_output(date(2027, 3, 11)) / ".pack-stage").exists()


def sort_by_hand(path: Path, sheet: str) -> None:
    """Reverse a sheet's rows below the header, as a person sorting it in Excel does."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    table = book[sheet]
    rows = [[cell.value for cell in row] for row in table.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            table.cell(number, column).value = value
    book.save(path)


def test_hand_sorts_and_rows_typed_by_hand_are_read_by_key(restricted, runner):
    """Cases sorted after the restriction, Disclosures sorted and a row typed by hand (a paper
    sent by post): the pack still leaves the right case out, and the listing has every row."""
    workspace, second = restricted
    sort_by_hand(workspace.register_file, "Cases")
    build_pack(workspace, date(2027, 3, 11), pdf=False)
    out = workspace.meeting_output(date(2027, 3, 11))
    assert second not in outside_notices(docx_text(out / "pack-2027-03-11-limited-1.docx"))

    sort_by_hand(workspace.register_file, "Disclosures")
    append_row(
        workspace.register_file,
        "Disclosures",
        {
            "Date": datetime(2027, 2, 1),
            "Recipient": "Dr Post Bytypo",
            "Agency": "Health",
            "Case IDs": second,
            "File": "sent by post",
            "Purpose": "circulation pack",
        },
    )
    result = runner.invoke(
        cli, ["-w", str(workspace.root), "disclosures", "--case", second, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "date,recipient,agency,case_ids,file,sha256,purpose,lawful_basis,released_by"
    )
    assert lines[1].startswith("2027-02-01,Dr Post Bytypo,Health,CCP-2027-002,sent by post,")
    assert sorted(line.split(",")[1] for line in lines[2:]) == ["Alex Sample", "Bailey Specimen"]
    by_recipient = runner.invoke(
        cli, ["-w", str(workspace.root), "disclosures", "--recipient", "di frankie fiction"]
    )
    assert "DI Frankie Fiction (Police)  circulation pack" in by_recipient.output
    assert by_recipient.output.rstrip().endswith("1 document released")

    # And after: the next command keeps the hand-typed row and the sort.
    restrict = runner.invoke(cli, ["-w", str(workspace.root), "case", "restrict", second, "--lift"])
    assert restrict.exit_code == 0, restrict.output
    recipients_now = [r["Recipient"] for r in sheet_rows(workspace.register_file, "Disclosures")]
    assert "Dr Post Bytypo" in recipients_now
    assert recipients_now[0] == "Ellis Pretendy"  # the last written, first after the sort


def test_as_many_packs_as_distinct_sets_of_visible_cases(restricted, runner):
    """The first case restricted to Police too: the police member sees it but not the second,
    the CAMHS member neither; each gets their own contents, the chair and deputy both cases."""
    workspace, second = restricted
    first = "CCP-2027-001"
    runner.invoke(cli, ["-w", str(workspace.root), "case", "restrict", first, "--agency", "Police"])
    build_pack(workspace, date(2027, 3, 11), pdf=False)

    out = workspace.meeting_output(date(2027, 3, 11))
    assert sorted(path.name for path in out.glob("pack-*.docx")) == [
        "pack-2027-03-11-limited-1.docx",
        "pack-2027-03-11-limited-2.docx",
        "pack-2027-03-11.docx",
    ]
    rows = {row["Recipient"]: row for row in sheet_rows(workspace.register_file, "Disclosures")}
    assert rows["DI Frankie Fiction"]["Case IDs"] == first
    assert rows["Ellis Pretendy"]["Case IDs"] is None
    frankie = docx_text(workspace.root / rows["DI Frankie Fiction"]["File"])
    ellis = docx_text(workspace.root / rows["Ellis Pretendy"]["File"])
    assert f"New referral {first}" in frankie
    assert f"Restricted case {first}: papers to named agencies only" in ellis
    assert first not in outside_notices(ellis.replace(f"Restricted case {first}:", ""))
    assert rows["Alex Sample"]["File"] == rows["Bailey Specimen"]["File"]


def test_a_second_pack_while_one_is_being_built_is_refused_and_spoils_nothing(restricted, runner):
    from filelock import FileLock

    workspace, _ = restricted
    build_pack(workspace, date(2027, 3, 11), pdf=False)
    before, rows_before = published(workspace), sheet_rows(workspace.register_file, "Disclosures")
    out = workspace.meeting_output(date(2027, 3, 11))
    (out / ".pack-stage").mkdir()
    (out / ".pack-stage" / "being-built.docx").write_bytes(b"the first run's work")

    with FileLock(out / ".step.lock", timeout=0):  # the first run, still building
        result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf"])

    assert result.exit_code == 3
    assert result.output.strip().splitlines()[-1] == (
        "Error: another ccp pack for 11 March 2027 is being built; try again when it finishes"
    )
    assert (out / ".pack-stage" / "being-built.docx").read_bytes() == b"the first run's work"
    assert published(workspace) == before
    assert sheet_rows(workspace.register_file, "Disclosures") == rows_before
