"""A copy that leaves the panel carries no hidden text, revisions, comments or properties."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml import parse_xml

from workflow.rights.sanitise import sanitise_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def hidden_document() -> bytes:
    document = docx.Document()
    document.core_properties.author = "Nosy Author"
    document.core_properties.comments = "SECRET-PROPERTY"
    paragraph = document.add_paragraph("Visible text. ")
    hidden = paragraph.add_run("SECRET-HIDDEN")
    hidden.font.hidden = True
    paragraph._p.append(
        parse_xml(
            f'<w:del {W} w:id="1" w:author="Nosy Editor" w:date="2027-01-01T00:00:00Z">'
            "<w:r><w:delText>SECRET-DELETED</w:delText></w:r></w:del>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:ins {W} w:id="2" w:author="Nosy Editor" w:date="2027-01-01T00:00:00Z">'
            "<w:r><w:t>Inserted text.</w:t></w:r></w:ins>"
        )
    )
    commented = document.add_paragraph().add_run("Commented text.")
    document.add_comment(commented, text="SECRET-COMMENT", author="Nosy Reviewer")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def every_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_hidden_deleted_commented_and_property_text_is_gone():
    data = hidden_document()
    assert "SECRET-HIDDEN" in every_part(data)
    assert "SECRET-COMMENT" in every_part(data)

    clean = sanitise_docx(data, "CCP-2027-001: referral")

    parts = every_part(clean)
    for secret in (
        "SECRET-HIDDEN",
        "SECRET-DELETED",
        "SECRET-COMMENT",
        "SECRET-PROPERTY",
        "Nosy Author",
        "Nosy Editor",
        "Nosy Reviewer",
    ):
        assert secret not in parts
    reopened = docx.Document(io.BytesIO(clean))
    text = "\n".join(p.text for p in reopened.paragraphs)
    assert "Visible text." in text
    assert "Inserted text." in text
    assert "Commented text." in text
    assert reopened.core_properties.title == "CCP-2027-001: referral"
    assert reopened.core_properties.author == ""
