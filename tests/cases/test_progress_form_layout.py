"""The progress report form as the reporter reads it: each action in its own row, labels
that agree with their hints, date pickers, and pages that hold more than one section
(issue 22 item 8)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from between_meetings import minute_first_meeting
from lxml import etree

from workflow.cases.progress import PROGRESS_FORM
from workflow.cli import cli
from workflow.forms.word import REFERRAL_FORM, read_form, write_referral_form
from workflow.forms.word.layout import parts
from workflow.forms.word.prefill import DOCUMENT, read_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A1, A2 = "CCP-2027-001-A1", "CCP-2027-001-A2"


@pytest.fixture
def form(workspace, inbox, referral_data, tmp_path, monkeypatch, runner) -> Path:
    minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    monkeypatch.setenv("CCP_TODAY", "2027-04-20")
    out = tmp_path / "progress-form.docx"
    result = runner.invoke(
        cli,
        ["-w", str(workspace.root), "progress", "template", "CCP-2027-001", "--format", "docx"]
        + [str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def body(path: Path) -> etree._Element:
    return etree.fromstring(read_zip(path)[DOCUMENT])


def text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def rows_of(root: etree._Element, first_cell: str) -> list[str]:
    return [text(tr) for tr in root.iter(f"{W}tr") if first_cell in text(tr)]


def test_each_action_its_owner_and_due_date_are_in_its_own_row(form):
    root = body(form)
    [first] = rows_of(root, A1)
    [second] = rows_of(root, A2)
    assert "Allocate a specialist exploitation worker" in first
    assert "Morgan Pretend, Children's social care; due 25 March 2027" in first
    assert "Share the disruption plan" in second
    assert "PC Sam Madeup, Police; due 18 March 2027" in second
    # Not as grey lines above the table any more.
    outside = [
        text(p)
        for p in root.iter(f"{W}p")
        if not any(a.tag == f"{W}tbl" for a in p.iterancestors())
    ]
    assert not [line for line in outside if "Share the disruption plan" in line]


def test_the_lines_in_the_rows_are_not_read_as_answers(form):
    data = read_form(form, PROGRESS_FORM)
    assert [a["action_id"] for a in data["actions"]] == [A1, A2]


def test_labels_say_when_an_answer_is_needed_as_the_hints_do(form):
    root = body(form)
    [header] = [text(tr) for tr in root.iter(f"{W}tr") if "Action ID" in text(tr)]
    # Before: "Progress (optional)" over a hint "required while the action is open".
    assert "Progress (while open)" in header
    assert "Completed on (if completed)" in header
    assert "(optional)" not in header
    assert "required while" not in text(root)


def test_a_prefilled_table_has_no_copy_a_row_hint(form, tmp_path):
    assert "copy a row" not in text(body(form))
    assert "copy it and paste it below" not in text(body(form))
    # The referral form's tables still grow by copying a row.
    referral = write_referral_form(tmp_path / "referral.docx")
    assert "for more rows, copy a row and paste it below" in text(body(referral))


@pytest.mark.parametrize(
    ("spec", "kind"), [(PROGRESS_FORM, "progress"), (REFERRAL_FORM, "referral")], ids=str
)
def test_every_date_is_a_date_picker(spec, kind, tmp_path):
    from workflow.forms.word import write_form

    root = body(write_form(tmp_path / f"{kind}.docx", spec))
    dates = {leaf.path for part in parts(spec) for leaf in part.fields if leaf.kind == "date"}
    assert dates
    for sdt in root.iter(f"{W}sdt"):
        tag = sdt.find(f"{W}sdtPr/{W}tag").get(f"{W}val")
        picker = sdt.find(f"{W}sdtPr/{W}date")
        assert (picker is not None) == (tag in dates), tag
        if picker is not None:
            assert picker.find(f"{W}dateFormat").get(f"{W}val") == "d MMMM yyyy"
            assert picker.find(f"{W}lid").get(f"{W}val") == "en-GB"


@pytest.mark.libreoffice
def test_every_page_holds_more_than_one_section_and_rows_stay_whole(form, tmp_path):
    from workflow.documents.pdf import convert

    [pdf] = convert([form], tmp_path / "pdf")
    pages = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [" ".join(page.split()) for page in pages if page.strip()]
    titles = [f"{number}. {title}" for number, (title, _) in enumerate(PROGRESS_FORM.sections, 1)]
    for number, page in enumerate(pages, start=1):
        on_page = [title for title in titles if title in page]
        starts_mid_section = number > 1 and not any(
            page.split("Progress report form", 1)[-1].lstrip().startswith(t) for t in titles
        )
        held = len(on_page) + (1 if starts_mid_section else 0)
        assert held >= 2, f"page {number} holds one section only: {on_page}"
    [page] = [page for page in pages if "Share the disruption plan" in page]
    assert "due 18 March 2027" in page
