"""The circulation pack: agenda, Word and PDF pack, readiness, email drafts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from helpers import SECOND_CHILD, accept_two, read_eml
from openpyxl import load_workbook

from workflow.cli import cli
from workflow.core.errors import FormInvalid
from workflow.documents.text import document_text
from workflow.meetings.pack import build_pack

MEETING = date(2027, 3, 11)


@pytest.fixture
def two_cases(workspace, inbox, referral_data):
    return workspace, accept_two(workspace, inbox, referral_data)


def pdf_pages(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def test_agenda_lists_every_item_in_order(two_cases):
    workspace, cases = two_cases
    result = build_pack(workspace, MEETING)
    agenda = workspace.root / "output" / "2027-03-11" / "agenda.docx"
    assert agenda in result.written
    text = document_text(agenda)
    order = [
        "Welcome",
        "Minutes of the last meeting",
        "New referrals",
        cases[0],
        cases[1],
        "Progress reviews",
        "Strategic safeguarding items",
        "Any other business",
        "Date of next meeting",
        "13 May 2027",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    assert "Children's social care" in text
    assert "Health" in text
    assert "Very high" in text


def test_word_pack_holds_agenda_then_each_referral_with_its_papers(two_cases):
    workspace, cases = two_cases
    build_pack(workspace, MEETING)
    text = document_text(workspace.root / "output" / "2027-03-11" / "pack-2027-03-11.docx")
    contents = text.index("Contents")
    # The contents list every section; the sections themselves follow its last line.
    body = text.index(f"New referral {cases[1]}", contents) + 1
    order = [
        "Agenda",
        f"New referral {cases[0]}",
        f"{cases[0]}: Chronology",
        "first missing episode (fictional)",
        f"{cases[0]}: Risk assessment",
        f"New referral {cases[1]}",
        SECOND_CHILD,
    ]
    position = body
    for item in order:
        position = text.index(item, position) + 1


@pytest.mark.libreoffice
def test_pdf_pack_contents_bookmarks_and_marking_on_every_page(two_cases):
    from pypdf import PdfReader

    workspace, cases = two_cases
    build_pack(workspace, MEETING)
    pdf = workspace.root / "output" / "2027-03-11" / "pack-2027-03-11.pdf"
    pages = pdf_pages(pdf)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page, number
        assert "Testshire Complex Child Panel" in page, number
        assert f"Page {number} of {total}" in page, number

    reader = PdfReader(str(pdf))
    outline = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in _flatten(reader.outline)
    }
    assert list(outline) == [
        "Cover and contents",
        "Agenda",
        f"New referral {cases[0]}",
        f"{cases[0]}: Chronology",
        f"{cases[0]}: Risk assessment",
        f"New referral {cases[1]}",
    ]
    contents_page = next(page for page in pages if "Contents" in page)
    for title, page_number in list(outline.items())[1:]:
        line = next(line for line in contents_page.splitlines() if line.startswith(title))
        assert re.search(rf"{page_number}\s*$", line), (title, line, page_number)
        assert title in pages[page_number - 1]
    # The PDF risk assessment is laid onto the page after its heading, under the marking.
    paper = outline[f"{cases[0]}: Risk assessment"] + 1
    assert "Risk assessment (fictional test document)" in pages[paper - 1]
    # ... on a page of its own: the one-page paper is followed by the next section.
    assert outline[f"New referral {cases[1]}"] == paper + 1
    assert "Complex Child Panel referral" not in pages[paper - 1]


def _flatten(entries):
    for entry in entries:
        if isinstance(entry, list):
            yield from _flatten(entry)
        else:
            yield entry


def test_missing_papers_show_in_readiness_not_as_a_crash(two_cases):
    workspace, cases = two_cases
    result = build_pack(workspace, MEETING)
    assert result.readiness.blocking == [
        f"{cases[0]}: no last review report",
        f"{cases[1]}: no chronology",
        f"{cases[1]}: no risk assessment",
        f"{cases[1]}: no last review report",
    ]
    saved = (workspace.root / "output" / "2027-03-11" / "readiness.txt").read_text()
    assert f"BLOCKS: {cases[1]}: no chronology" in saved


def test_strict_exits_1_while_anything_blocks(runner, two_cases):
    workspace, _ = two_cases
    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--strict"])
    assert result.exit_code == 1
    assert "BLOCKS: CCP-2027-002: no chronology" in result.stdout
    assert result.stderr.endswith("Error: 4 thing(s) block circulation (see above)\n")
    assert "Wrote output/2027-03-11/pack-2027-03-11.docx" in result.stdout


def test_progress_reviews_appear_at_the_meeting_they_are_due(two_cases):
    workspace, cases = two_cases
    book = load_workbook(workspace.register_file)
    sheet = book["Cases"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("Next progress due") + 1).value = date(2027, 5, 13)
    actions = book["Actions"]
    actions.append(
        [
            f"{cases[0]}-A1",
            cases[0],
            MEETING,
            "Allocate a worker",
            "Police",
            "PC Sam",
            date(2027, 4, 1),
            "Open",
        ]
    )
    actions.append(
        [
            f"{cases[0]}-A2",
            cases[0],
            MEETING,
            "Share the plan",
            "Health",
            "Dr X",
            date(2027, 6, 1),
            "Open",
        ]
    )
    actions.append(
        [
            f"{cases[0]}-A3",
            cases[0],
            MEETING,
            "Done already",
            "Health",
            "Dr X",
            date(2027, 4, 1),
            "Completed",
        ]
    )
    book.save(workspace.register_file)

    march = build_pack(workspace, MEETING)
    assert not [line for line in march.readiness.blocking if "progress report" in line]
    may = build_pack(workspace, date(2027, 5, 13))
    assert may.readiness.blocking == [f"{cases[0]}: progress report not yet received"]
    text = document_text(workspace.root / "output" / "2027-05-13" / "agenda.docx")
    review = text[text.index("Progress reviews") :]
    assert cases[0] in review
    assert "Red" in review
    assert f"{cases[0]}-A1" in review
    assert "Overdue" in review
    assert f"{cases[0]}-A2" in review
    assert f"{cases[0]}-A3" not in review


def test_email_drafts_name_no_child(two_cases):
    workspace, cases = two_cases
    result = build_pack(workspace, MEETING)
    drafts = sorted(path for path in result.written if path.suffix == ".eml")
    assert [path.name for path in drafts] == [
        "01-alex-sample.eml",
        "02-bailey-specimen.eml",
        "03-di-frankie-fiction.eml",
        "04-ellis-pretendy.eml",
    ]
    message = read_eml(drafts[2])
    assert message["To"] == "DI Frankie Fiction <frankie@example.org>"
    assert message["Subject"] == (
        "OFFICIAL-SENSITIVE: Testshire Complex Child Panel: papers for 11 March 2027"
    )
    body = message.get_content()
    assert cases[0] in body
    for path in drafts:
        raw = path.read_text()
        assert "Kai" not in raw
        assert SECOND_CHILD not in raw


def test_without_libreoffice_the_pack_is_refused_unless_no_pdf(two_cases, monkeypatch, runner):
    """Issue 12: a missing LibreOffice was a quiet skip and exit 0."""
    workspace, _ = two_cases
    monkeypatch.setenv("CCP_SOFFICE", "/nonexistent/soffice")
    out = workspace.root / "output" / "2027-03-11"
    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11"])
    assert result.exit_code == 3, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: LibreOffice CCP_SOFFICE=/nonexistent/soffice is not a program")
    assert "apt-get install libreoffice-writer-nogui" in line
    assert line.endswith("or pass --no-pdf for the Word pack alone")
    assert not (out / "pack-2027-03-11.docx").exists()

    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "No PDF pack made (--no-pdf)" in result.stderr
    assert (out / "pack-2027-03-11.docx").is_file()
    assert not (out / "pack-2027-03-11.pdf").exists()


def test_meeting_not_in_panel_yaml_is_refused(two_cases):
    workspace, _ = two_cases
    with pytest.raises(FormInvalid, match="2027-03-12 is not a meeting in panel.yaml"):
        build_pack(workspace, date(2027, 3, 12))
    assert not (workspace.root / "output" / "2027-03-12").exists()


@pytest.mark.libreoffice
def test_per_recipient_copies_are_marked_on_every_page(two_cases, runner):

    from pypdf import PdfReader

    workspace, _ = two_cases
    result = runner.invoke(
        cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--per-recipient", "--attach"]
    )
    assert result.exit_code == 0, result.output
    folder = workspace.root / "output" / "2027-03-11" / "circulation"
    copy = folder / "pack-2027-03-11-di-frankie-fiction.pdf"
    reader = PdfReader(str(copy))
    assert len(reader.pages) == len(
        PdfReader(str(copy.parent.parent / "pack-2027-03-11.pdf")).pages
    )
    for page in reader.pages:
        notes = [
            a.get_object() for a in page["/Annots"] if a.get_object()["/Subtype"] == "/FreeText"
        ]
        assert [n["/Contents"] for n in notes] == [
            "Copy for DI Frankie Fiction: do not forward or copy"
        ]
    message = read_eml(folder / "03-di-frankie-fiction.eml")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == copy.name


def test_progress_report_received_goes_into_the_pack(two_cases):
    import shutil

    workspace, cases = two_cases
    report = workspace.root / "cases" / cases[0] / "progress-2027-05-13.docx"
    shutil.copy(workspace.root / "cases" / cases[0] / "attachments" / "chronology.docx", report)
    book = load_workbook(workspace.register_file)
    progress = book["Progress"]
    progress.append(
        [
            cases[0],
            date(2027, 5, 13),
            "Written",
            date(2027, 4, 29),
            str(report.relative_to(workspace.root)),
        ]
    )
    book.save(workspace.register_file)

    result = build_pack(workspace, date(2027, 5, 13))
    assert result.readiness.blocking == []
    text = document_text(workspace.root / "output" / "2027-05-13" / "pack-2027-05-13.docx")
    section = text.index(
        f"Progress report {cases[0]}", text.index("Agenda", text.index("Contents") + 10)
    )
    assert "first missing episode (fictional)" in text[section:]


def test_the_pack_is_recorded_in_the_register_by_its_meeting(workspace, inbox, referral_data):
    """Meetings (found by its date, not its row) says the pack went out; Audit says what."""
    from openpyxl import load_workbook

    from workflow.cases.referrals import add_referral
    from workflow.meetings.pack import build_pack

    add_referral(workspace, inbox / "referral.yaml")
    build_pack(workspace, date(2027, 3, 11), pdf=False)
    book = load_workbook(workspace.register_file)
    rows = list(book["Meetings"].iter_rows(values_only=True))
    statuses = {row[0].date(): row[1] for row in rows[1:] if row[0]}
    assert statuses[date(2027, 3, 11)] == "pack sent"
    audit = list(book["Audit"].iter_rows(values_only=True))[-1]
    assert audit[2:5] == ("pack", "built the circulation pack", "2027-03-11")
