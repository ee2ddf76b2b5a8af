"""The demo's papers as a reader sees them, page by page in the PDF (poppler's text)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from docx import Document
from helpers import copy_of

from workflow.cli import cli

pytestmark = pytest.mark.libreoffice

# Styles a reader takes for a heading: a page must not end with one of them.
HEADING_STYLES = {"Title", "Heading 1", "Heading 2", "Heading 3", "Field label"}
HEADER_LINES = 2  # protective marking; panel name and document
FOOTER_LINES = 1  # reference, marking, page X of Y
MIN_LINES = 4


@pytest.fixture(scope="module")
def demo(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo workspace, and every paper a reader gets, as PDF."""
    from click.testing import CliRunner

    from workflow.documents.pdf import convert

    root = copy_of(built_demo, tmp_path_factory.mktemp("flow"))
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("CCP_TODAY", "2027-02-20")
    try:
        form = root / "blank-referral-form.docx"
        result = CliRunner().invoke(
            cli, ["-w", str(root), "referral", "template", "--format", "docx", str(form)]
        )
        assert result.exit_code == 0, result.output
    finally:
        monkeypatch.undo()
    april = root / "output" / "2027-04-08"
    words = {
        "agenda": april / "agenda.docx",
        "minutes": april / "minutes-2027-04-08-v1.docx",
        "form": form,
    }
    pdfs = convert(list(words.values()), root / "pdf-check")
    papers = {
        name: {"docx": words[name], "pdf": pdf} for name, pdf in zip(words, pdfs, strict=True)
    }
    for name, meeting in (("pack", "2027-04-08"), ("review pack", "2027-06-10")):
        folder = root / "output" / meeting
        papers[name] = {
            "docx": folder / f"pack-{meeting}.docx",
            "pdf": folder / f"pack-{meeting}.pdf",
        }
    return papers


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's non-blank lines, as pdftotext -layout lays them out."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]


def body(lines: list[str]) -> list[str]:
    return lines[HEADER_LINES : len(lines) - FOOTER_LINES]


def headings(docx: Path) -> set[str]:
    """Every heading-styled paragraph's text in the Word document."""
    found = set()
    for paragraph in Document(str(docx)).paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style in HEADING_STYLES and paragraph.text.strip():
            found.add(" ".join(paragraph.text.split()))
    return found


DOCUMENTS = ["pack", "review pack", "agenda", "minutes", "form"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_page_ends_with_a_heading(demo, name):
    titles = headings(demo[name]["docx"])
    for number, lines in enumerate(page_lines(demo[name]["pdf"]), start=1):
        text = body(lines)
        assert text, (name, number, "an empty page")
        assert " ".join(text[-1].split()) not in titles, (name, number, text[-3:])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_page_but_the_last_is_nearly_empty(demo, name):
    pages = page_lines(demo[name]["pdf"])
    for number, lines in enumerate(pages[:-1], start=1):
        assert len(body(lines)) >= MIN_LINES, (name, number, body(lines))


def test_a_typical_agenda_fits_on_one_page(demo):
    # Three new referrals and a strategic item in the demo.
    assert len(page_lines(demo["agenda"]["pdf"])) == 1


def test_the_cover_names_the_missing_papers(demo):
    cover = " ".join(page_lines(demo["pack"]["pdf"])[0])
    assert "Not complete: 4 items outstanding" in cover
    for missing in (
        "CCP-2027-002: no last review report",
        "CCP-2027-003: no chronology",
        "CCP-2027-003: no risk assessment",
        "CCP-2027-003: no last review report",
    ):
        assert missing in cover
    contents = page_lines(demo["pack"]["pdf"])[1]
    assert sum("not supplied" in line for line in contents) == 4


def test_each_pack_section_starts_with_its_own_title_once(demo):
    pages = page_lines(demo["pack"]["pdf"])
    agenda = next(body(page) for page in pages if "Agenda" in body(page)[:1])
    assert agenda[0] == "Agenda"
    assert "Agenda" not in agenda[1:]
    referral = next(page for page in pages if "New referral CCP-2027-001" in body(page)[:1])
    assert "Complex Child Panel referral" not in " ".join(referral)
