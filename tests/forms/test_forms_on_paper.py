"""The blank Word forms on paper: printed (as PDF) they still say everything a person needs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from workflow.cases.progress import PROGRESS_FORM
from workflow.contract import LABELS
from workflow.forms.word import REFERRAL_FORM, FormSpec, write_form
from workflow.forms.word.layout import DATE_EXAMPLE, parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PANEL = "Testshire Complex Child Panel"
MARKING = "OFFICIAL-SENSITIVE"
SPECS = {"referral": REFERRAL_FORM, "progress": PROGRESS_FORM}


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("forms")
    words = {
        kind: write_form(folder / f"{kind}-form.docx", spec, panel_name=PANEL)
        for kind, spec in SPECS.items()
    }
    return {kind: {"docx": path} for kind, path in words.items()}


@pytest.fixture(scope="module")
def printed(forms: dict[str, dict[str, Path]], tmp_path_factory) -> dict[str, str]:
    """Each form's printed text, as poppler reads it from LibreOffice's PDF."""
    from workflow.documents.pdf import convert

    kinds = list(forms)
    pdfs = convert([forms[kind]["docx"] for kind in kinds], tmp_path_factory.mktemp("pdf"))
    texts = {}
    for kind, pdf in zip(kinds, pdfs, strict=True):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        texts[kind] = text
    return texts


def flat(text: str) -> str:
    """One line: a word broken at its hyphen joined again, runs of white space one space."""
    return " ".join(re.sub(r"-\s*\n\s*", "-", text).split())


def choice_fields(spec: FormSpec) -> list[Any]:
    return [leaf for part in parts(spec) for leaf in part.fields if leaf.kind == "choice"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", list(SPECS))
def test_every_drop_down_prints_its_choices(printed, kind):
    text = flat(printed[kind])
    fields = choice_fields(SPECS[kind])
    assert fields
    for leaf in fields:
        assert flat(leaf.placeholder) in text, leaf.path
        for code in leaf.choices:
            assert LABELS[code] in text, (leaf.path, code)
    assert "choose from the list" not in text


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", list(SPECS))
def test_printed_form_has_the_marking_panel_and_every_date_example(printed, kind):
    pages = printed[kind].split("\f")[:-1]
    for page in pages:
        assert MARKING in page
        assert f"{PANEL} | " in flat(page)
    dates = [leaf for part in parts(SPECS[kind]) for leaf in part.fields if leaf.kind == "date"]
    assert flat(printed[kind]).count(f"like {DATE_EXAMPLE}") >= len(dates) > 0
    # one way of writing a date everywhere: no other example
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}", printed[kind])


@pytest.mark.libreoffice
def test_the_chairs_field_is_not_on_the_referrers_form(printed, forms):
    assert "Late referral accepted by" not in flat(printed["referral"])
    tags = etree.fromstring(_part(forms["referral"]["docx"], "word/document.xml")).xpath(
        "//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS
    )
    assert "late_accepted_by" not in tags
    assert "Attach the chronology when you send this form; write its file name here." in flat(
        printed["referral"]
    )
    assert "relative to" not in printed["referral"]


@pytest.mark.parametrize("kind", list(SPECS))
def test_hints_are_grey_italic_in_the_xml(forms, kind):
    """Every hint uses Word's Placeholder Text style, grey and italic; nothing else does."""
    path = forms[kind]["docx"]
    styles = etree.fromstring(_part(path, "word/styles.xml"))
    [hint] = styles.xpath("//w:style[@w:styleId='PlaceholderText']", namespaces=NS)
    assert hint.get(f"{{{W}}}type") == "character"
    assert hint.find("w:rPr/w:i", NS) is not None
    colour = hint.find("w:rPr/w:color", NS).get(f"{{{W}}}val")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    assert red == green == blue
    assert 0x40 <= red <= 0xA0

    document = etree.fromstring(_part(path, "word/document.xml"))
    boxes = document.xpath("//w:sdt[w:sdtPr/w:showingPlcHdr]", namespaces=NS)
    assert boxes
    for box in boxes:
        for run in box.findall("w:sdtContent/w:r", NS):
            style = run.find("w:rPr/w:rStyle", NS)
            assert style is not None
            assert style.get(f"{{{W}}}val") == "PlaceholderText"
            # no direct colour or italics: Word would keep them on what a person types
            assert run.find("w:rPr/w:color", NS) is None
            assert run.find("w:rPr/w:i", NS) is None
        # a plain-text box prints its hint like an answer in LibreOffice
        assert box.find("w:sdtPr/w:text", NS) is None


@pytest.mark.parametrize("kind", list(SPECS))
def test_title_block_and_header_as_the_generated_documents(forms, kind):
    document = docx.Document(str(forms[kind]["docx"]))
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == MARKING
    assert header[1].startswith(f"{PANEL}  |  ")
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == SPECS[kind].title
    assert (document.paragraphs[1].style.name, document.paragraphs[1].text) == (
        "Panel name",
        PANEL,
    )
    footer = document.sections[0].footer.paragraphs[0].text
    assert MARKING in footer
    assert "Page" in footer
    fonts = etree.fromstring(_part(forms[kind]["docx"], "word/styles.xml")).xpath(
        "//w:docDefaults//w:rFonts/@w:ascii", namespaces=NS
    )
    assert fonts == ["Calibri"]
    assert document.core_properties.title == SPECS[kind].title
    assert document.core_properties.language == "en-GB"


def test_the_referral_form_has_an_office_use_box_for_the_case_id(forms):
    document = docx.Document(str(forms["referral"]["docx"]))
    [office] = [t for t in document.tables if t.rows[0].cells[0].text == "For office use"]
    labels = [cell.text for cell in office.rows[1].cells]
    assert labels[0] == "Case ID"
    assert labels[1] == ""  # written in by the administrator, never read back


def _part(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name)
