"""Merging Word documents: the quick style listing changes nothing docxcompose produces."""

from __future__ import annotations

import zipfile

from docx import Document
from testdata import DATA

from workflow.documents import compose as composition
from workflow.documents.compose import Part, compose


def parts_xml(path, names=("word/document.xml", "word/styles.xml", "word/numbering.xml")):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in names if name in archive.namelist()}


def test_quick_styles_merge_exactly_as_docxcompose(workspace, inbox, tmp_path, monkeypatch):
    from workflow.cases.referrals import add_referral

    add_referral(workspace, inbox / "referral.yaml")
    referral = workspace.root / "output" / "2027-03-11" / "CCP-2027-001-referral.docx"
    # A practitioner's own paper, made by another program with styles of its own.
    paper = tmp_path / "paper.docx"
    other = Document()
    other.add_heading("A paper with its own Heading 1", level=1)
    other.add_paragraph("Quote", style="Intense Quote")
    other.save(str(paper))
    parts = [
        Part("Referral", referral),
        Part("Chronology", DATA / "papers" / "chronology.docx", level=2),
        Part("Paper", paper, level=2),
        Part("A PDF paper", note="A PDF document follows.", blank_pages=2),
    ]
    master = workspace.template("pack-cover.docx")
    quick = compose(master, parts, tmp_path / "quick.docx")
    # The same merge with docxcompose reading the python-docx document directly.
    monkeypatch.setattr(composition, "_QuickStylesDocument", lambda document: document)
    plain = compose(master, parts, tmp_path / "plain.docx")
    assert parts_xml(quick) == parts_xml(plain)
