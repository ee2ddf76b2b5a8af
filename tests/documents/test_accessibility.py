"""Accessible, archival papers: Word title, headings, tables, alt text; PDF tags, PDF/A."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import copy_of

from workflow.contract import LABELS
from workflow.core.errors import TemplateError
from workflow.documents.render import check_docx, render_docx

HEADING_LEVELS = {"Heading 1": 1, "Heading 2": 2, "Heading 3": 3, "Field label": 2}
APRIL = Path("output") / "2027-04-08"


@pytest.fixture(scope="module")
def demo(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of(built_demo, tmp_path_factory.mktemp("access"))


def generated(root: Path) -> list[Path]:
    """Every Word document the demo generated (the filled-in forms it received aside)."""
    return sorted((root / "output").rglob("*.docx"))


# --- Word --------------------------------------------------------------------------------


def test_every_generated_document_has_a_title_and_language(demo):
    documents = generated(demo)
    assert len(documents) >= 10
    for path in documents:
        properties = Document(str(path)).core_properties
        assert properties.language == "en-GB", path.name
        assert properties.title, path.name
        assert "{" not in properties.title, (path.name, properties.title)
    titles = {
        path.relative_to(demo / APRIL).as_posix(): Document(str(path)).core_properties.title
        for path in documents
        if path.is_relative_to(demo / APRIL)
    }
    assert titles["agenda.docx"] == (
        "Agenda of the Northshire Complex Child Panel (DEMO), 8 April 2027"
    )
    assert titles["CCP-2027-001-referral.docx"] == "Complex Child Panel referral CCP-2027-001"
    assert titles["extracts/CCP-2027-001-minutes-extract-v1.docx"] == (
        "Minutes extract for case CCP-2027-001, 8 April 2027"
    )
    assert titles["minutes-2027-04-08-v1.docx"] == (
        "Minutes of the Northshire Complex Child Panel (DEMO), 8 April 2027, version 1"
    )


def test_titles_never_name_the_child(demo):
    names = ["Kai", "Riley", "Jordan"]
    for path in generated(demo):
        title = Document(str(path)).core_properties.title
        assert not any(name in title for name in names), (path.name, title)


def _heading_levels(path: Path) -> list[tuple[int, str]]:
    levels = []
    for paragraph in Document(str(path)).paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style in HEADING_LEVELS and paragraph.text.strip():
            levels.append((HEADING_LEVELS[style], paragraph.text))
    return levels


def test_headings_never_skip_a_level(demo):
    for path in generated(demo):
        levels = _heading_levels(path)
        previous = 0
        for level, text in levels:
            assert level <= previous + 1, (path.name, text, level, previous)
            previous = level


def test_every_section_of_the_agenda_and_minutes_is_a_heading(demo):
    agenda = [text for _, text in _heading_levels(demo / APRIL / "agenda.docx")]
    assert agenda[:7] == [
        "1. Welcome, introductions, confidentiality and apologies",
        "2. Minutes of the last meeting and matters arising",
        "3. New referrals",
        "4. Progress reviews due",
        "5. Strategic safeguarding items",
        "6. Any other business",
        "7. Date of next meeting",
    ]
    minutes = _heading_levels(demo / APRIL / "minutes-2027-04-08-v1.docx")
    assert (1, "1. Present and apologies") in minutes
    assert (2, "Discussion") in minutes
    assert (2, "Actions") in minutes


def test_tables_are_data_tables_whose_header_row_repeats(demo):
    """A list table's header row repeats on each page; a label table heads each row.

    No table is there for layout only (a one-cell box, say): a screen reader would
    announce it as data. The note-taker's draft is a form to write on by hand: its empty
    boxes are left out.
    """
    for path in generated(demo):
        if path.name.endswith("-draft.docx"):
            continue
        for number, table in enumerate(Document(str(path)).tables):
            first = table.rows[0]
            styles = {p.style.name for cell in first.cells for p in cell.paragraphs}
            where = (path.name, number, first.cells[0].text)
            if "Table heading" in styles:
                assert first._tr.trPr is not None, where
                assert first._tr.trPr.find(qn("w:tblHeader")) is not None, where
            else:
                labels = {p.style.name for row in table.rows for p in row.cells[0].paragraphs}
                assert labels == {"Table label"}, where
                assert len(table.columns) >= 2, where


def test_every_image_has_alt_text(demo):
    for path in generated(demo):
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        for properties in re.findall(r"<wp:docPr [^>]*>", xml):
            assert re.search(r'descr="[^"]+"', properties), (path.name, properties)


def test_a_damaged_document_is_an_error_never_a_file(tmp_path):
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body>")
    with pytest.raises(TemplateError, match=r"word/document\.xml is not well-formed"):
        check_docx(broken, "broken.docx")
    with pytest.raises(TemplateError, match="damaged"):
        check_docx(b"not a zip", "junk.docx")
    empty = tmp_path / "empty.docx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
    with pytest.raises(TemplateError, match="lacks word/document.xml"):
        check_docx(empty, "empty.docx")


def test_a_title_tag_that_fails_names_the_title_and_writes_nothing(tmp_path):
    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("{{ name }}")
    document.core_properties.title = "Report {{ missing.attr }}"
    document.save(str(template))
    out = tmp_path / "out.docx"
    with pytest.raises(TemplateError, match="t.docx: document title"):
        render_docx(template, {"name": "x"}, out, labels=LABELS)
    assert not out.exists()


def test_a_typed_title_value_is_plain_text(tmp_path):
    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("{{ name }}")
    document.core_properties.title = "Pack of the {{ name }}"
    document.save(str(template))
    out = render_docx(template, {"name": "Smith & Sons <b>"}, tmp_path / "o.docx", labels=LABELS)
    assert Document(str(out)).core_properties.title == "Pack of the Smith & Sons <b>"


# --- PDF ---------------------------------------------------------------------------------


def pdfinfo(pdf: Path, *options: str) -> str:
    return subprocess.run(
        ["pdfinfo", *options, str(pdf)], capture_output=True, text=True, check=True
    ).stdout


def _catalog(pdf: Path) -> dict:
    from pypdf import PdfReader

    root = PdfReader(str(pdf)).trailer["/Root"]
    return {
        "lang": str(root.get("/Lang", "")),
        "structure": "/StructTreeRoot" in root,
        "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
        "outline": "/Outlines" in root,
    }


@pytest.mark.libreoffice
def test_the_pack_pdf_has_title_language_tags_and_bookmarks_after_finishing(demo):
    pdf = demo / APRIL / "pack-2027-04-08.pdf"
    info = pdfinfo(pdf)
    assert re.search(
        r"Title:\s+Circulation pack of the Northshire Complex Child Panel \(DEMO\), 8 April 2027",
        info,
    )
    assert re.search(r"Tagged:\s+yes", info)
    catalog = _catalog(pdf)
    assert catalog == {"lang": "en-GB", "structure": True, "marked": True, "outline": True}


@pytest.mark.libreoffice
def test_signed_minutes_convert_to_tagged_pdf_a_2b(demo, tmp_path):
    from workflow.documents.pdf import convert

    [pdf] = convert([demo / APRIL / "minutes-2027-04-08-v1.docx"], tmp_path, pdfa=True)
    info = pdfinfo(pdf)
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Title:\s+Minutes of the Northshire Complex Child Panel", info)
    metadata = pdfinfo(pdf, "-meta")
    assert "<pdfaid:part>2</pdfaid:part>" in metadata
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in metadata
    catalog = _catalog(pdf)
    assert catalog["lang"] == "en-GB"
    assert catalog["structure"]
    assert catalog["outline"]  # bookmarks from its headings


@pytest.mark.libreoffice
def test_a_given_title_replaces_the_documents_own_and_leaves_the_source(demo, tmp_path):
    from workflow.documents.pdf import convert

    source = demo / APRIL / "extracts" / "CCP-2027-001-minutes-extract-v1.docx"
    before = source.read_bytes()
    [pdf] = convert([source], tmp_path, pdfa=True, title="Extract CCP-2027-001")
    assert re.search(r"Title:\s+Extract CCP-2027-001\n", pdfinfo(pdf))
    assert "<pdfaid:part>2</pdfaid:part>" in pdfinfo(pdf, "-meta")
    assert source.read_bytes() == before
