"""A report a Board would accept (issue 22 item 5): the chair's words from a YAML file the
chair fills, notes in plain English, honest headers and labels, zeros shown, charts titled
and kept with their tables, numbers tagged as text, and a workbook of real numbers."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from test_report import year_workspace  # noqa: F401  (the fixture: a year of cases)

from workflow.cli import cli
from workflow.core.dates import as_of
from workflow.documents.text import document_text
from workflow.reports.counting import theme_words

FILLED = """\
commentary: |
  The panel met every two months and every agency came to most meetings.

  Reports back to the panel were too often late.
impact: |
  Risk came down for most of the children the panel discussed.
themes:
  - theme: "No specialist exploitation worker"
    comment: |
      Six children's plans waited for a specialist worker.
  - theme: "Out of county placements"
    comment:
recommendations:
  - recommendation: Fund a specialist exploitation worker shared by social care and police.
    owner: Safeguarding Partnership
    by: 2028-03-31
  - recommendation: Ask every agency to send progress reports two weeks before the panel.
"""

# What a Board member should never meet in the report: file names, field names, commands.
JARGON = re.compile(
    r"panel\.yaml|case\.json|\bccp\b|\b[a-z]+_[a-z_]+\b|\bCases sheet\b|\bActions sheet\b"
    r"|\(themes\)|\bProgress sheet\b|\bResources sheet\b"
)


def report(runner, workspace, *args: str):
    with as_of(date(2028, 1, 10)):
        return runner.invoke(
            cli, ["-w", str(workspace.root), "report", "annual", "--year", "2027", *args]
        )


def docx_path(workspace):
    return workspace.output_dir / "annual" / "annual-2027.docx"


def rows_of(document) -> list[tuple[str, ...]]:
    return [
        tuple(cell.text for cell in row.cells) for table in document.tables for row in table.rows
    ]


def test_the_template_lists_the_years_themes_and_the_filled_file_is_printed(
    runner,
    year_workspace,  # noqa: F811
    tmp_path,
):
    chair = tmp_path / "chair.yaml"
    result = report(runner, year_workspace, "--template", str(chair))
    assert result.exit_code == 0, result.output
    assert f"Wrote {chair}" in result.stdout
    text = chair.read_text(encoding="utf-8")
    assert text.startswith("# The chair's commentary for the annual report 2027")
    assert '- theme: "No specialist exploitation worker"' in text
    assert '- theme: "Out of county placements"' in text
    assert "# Recommendations:" in text
    assert not (year_workspace.output_dir / "annual").exists()  # the template only

    chair.write_text(FILLED, encoding="utf-8")
    result = report(runner, year_workspace, "--no-pdf", "--commentary", str(chair))
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    paragraphs = [p.text for p in Document(str(docx_path(year_workspace))).paragraphs]
    expected = [
        "The chair's commentary",
        "The panel met every two months and every agency came to most meetings.",
        "Reports back to the panel were too often late.",
        "Impact for children",
        "Risk came down for most of the children the panel discussed.",
    ]
    start = paragraphs.index(expected[0])
    assert paragraphs[start : start + 5] == expected
    themes = paragraphs.index("The chair on these themes")
    assert paragraphs[themes + 1 : themes + 3] == [
        "No specialist exploitation worker",
        "Six children's plans waited for a specialist worker.",
    ]
    assert "Out of county placements" not in paragraphs[themes:]  # no comment, not printed
    recommendations = paragraphs.index("Recommendations to the Board")
    assert paragraphs[recommendations + 1 : recommendations + 4] == [
        "Fund a specialist exploitation worker shared by social care and police.",
        "For: Safeguarding Partnership; by 31 March 2028",
        "Ask every agency to send progress reports two weeks before the panel.",
    ]
    assert not any(p.startswith("Draft:") for p in paragraphs)


def test_without_the_chairs_file_the_report_says_it_is_a_draft(runner, year_workspace):  # noqa: F811
    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "Warning: The report is marked as a draft: it has no chair's commentary" in (
        result.stderr
    )
    text = document_text(docx_path(year_workspace))
    assert text.count("Draft: the chair's commentary") == 2  # at the start and the end


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            FILLED.split("recommendations:")[0],
            "Error: chair.yaml: recommendations: ",
        ),
        (FILLED.replace("by: 2028-03-31", "by: next spring"), "recommendations[1].by"),
        (FILLED + "signed: yes\n", "Error: chair.yaml: signed: "),
        ("impact: only this\n", "Error: chair.yaml: commentary: "),
    ],
    ids=["no-recommendation", "bad-date", "unknown-field", "no-commentary"],
)
def test_a_wrong_chairs_file_is_refused_and_nothing_written(
    runner,
    year_workspace,  # noqa: F811
    tmp_path,
    content,
    error,
):
    chair = tmp_path / "chair.yaml"
    chair.write_text(content, encoding="utf-8")
    result = report(runner, year_workspace, "--no-pdf", "--commentary", str(chair))
    assert result.exit_code == 1
    assert error in result.stderr
    assert not (year_workspace.output_dir / "annual").exists()


def test_the_template_never_overwrites_and_is_not_given_with_the_commentary(
    runner,
    year_workspace,  # noqa: F811
    tmp_path,
):
    chair = tmp_path / "chair.yaml"
    chair.write_text("mine\n", encoding="utf-8")
    result = report(runner, year_workspace, "--template", str(chair))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {chair}: already exists; choose another name")
    assert chair.read_text(encoding="utf-8") == "mine\n"
    both = report(runner, year_workspace, "--template", "x.yaml", "--commentary", str(chair))
    assert both.exit_code == 2
    assert "--template and --commentary: give one or the other" in both.stderr


def test_notes_are_in_plain_english(runner, year_workspace):  # noqa: F811
    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    text = document_text(docx_path(year_workspace))
    assert JARGON.findall(text) == []
    book = load_workbook(year_workspace.output_dir / "annual" / "annual-2027.xlsx")
    notes = " ".join(str(cell.value) for row in book["Notes"].iter_rows() for cell in row)
    assert JARGON.findall(notes) == []


def test_tables_say_what_they_count(runner, year_workspace):  # noqa: F811
    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    document = Document(str(docx_path(year_workspace)))
    rows = rows_of(document)
    # Agencies at any of the meetings: 5, not the 0 a sum left blank would print.
    assert ("All 3 meetings", "10", "5", "15") in rows
    assert ("Children", "Number") in rows  # not "Children | Children"
    assert ("Escalated to the Partnership", "fewer than 5") in rows
    # Every legal status and living situation, with 0 where no child had it.
    assert ("Placement order", "0") in rows
    assert ("Secure accommodation", "0") in rows
    assert ("Care order not made against local authority advice", "0") in rows


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("camhs_waiting_times", "CAMHS waiting times"),
        ("no_send_support", "No SEND support"),
        ("cse_risk_not_recognised", "CSE risk not recognised"),
        ("Ofsted-style inspection gaps", "Ofsted-style inspection gaps"),
        ("delays in EHCP", "Delays in EHCP"),
        ("out_of_county_placements", "Out of county placements"),
    ],
    ids=["camhs", "send", "cse", "typed", "typed-acronym", "plain"],
)
def test_theme_labels_as_people_write_them(tag, words):
    assert theme_words(tag) == words


def test_charts_are_titled_and_kept_with_their_table(runner, year_workspace):  # noqa: F811
    from docx.oxml.ns import qn

    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    document = Document(str(docx_path(year_workspace)))
    body = list(document.element.body.iterchildren())
    pictures = [index for index, element in enumerate(body) if list(element.iter(qn("wp:docPr")))]
    assert len(pictures) == 6
    styles = document.styles
    for index in pictures:
        title = body[index - 1]
        picture = next(body[index].iter(qn("wp:docPr")))
        caption = "".join(t.text for t in title.iter(qn("w:t")))
        assert caption == f"Chart: {picture.get('title')}"
        assert body[index - 2].tag == qn("w:tbl")  # straight after its table
        # The table's last row, the title and the chart each keep with what follows.
        last_row = body[index - 2].findall(qn("w:tr"))[-1]
        assert list(last_row.iter(qn("w:keepNext")))
        for element in (title, body[index]):
            style_id = element.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val"))
            style = next(style for style in styles if style.style_id == style_id)
            assert style.paragraph_format.keep_with_next
    assert "Figure" not in [style.name for style in styles]


def test_the_workbook_holds_numbers_with_formats(runner, year_workspace):  # noqa: F811
    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    book = load_workbook(year_workspace.output_dir / "annual" / "annual-2027.xlsx")
    attendance = {row[0].value: row[4] for row in book["Attendance"].iter_rows(min_row=2)}
    rate = attendance["Children's social care"]
    assert (rate.value, rate.number_format) == (1, "0%")
    assert attendance["Health"].value == pytest.approx(2 / 3, abs=1e-4)
    total = {row[0].value: row for row in book["Resources"].iter_rows(min_row=2)}["Total"]
    assert (total[3].value, total[3].number_format) == (6500, "£#,##0")
    assert (total[1].value, total[1].number_format) == (7, "#,##0")


@pytest.mark.libreoffice
def test_numbers_are_not_tagged_as_figures_in_the_pdf(runner, year_workspace):  # noqa: F811
    from pypdf import PdfReader

    result = report(runner, year_workspace)
    assert result.exit_code == 0, result.output
    pdf = year_workspace.output_dir / "annual" / "annual-2027.pdf"
    reader = PdfReader(str(pdf))
    kinds: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return  # a marked-content number
        if "/S" in node:
            kinds.append(str(node["/S"]))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert kinds.count("/Figure") == 6  # the six charts, and nothing else
    assert kinds.count("/Table") >= 20
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Annual report 2027" in info.stdout


def test_the_report_says_whether_minutes_were_on_time(runner, year_workspace):  # noqa: F811
    """Issue 22 item 11: January's minutes on time, March's late, May's never done."""
    from datetime import datetime

    from workflow.register import Register

    register = Register.load(year_workspace.register_file)
    for meeting, when in (("2027-01-14", datetime(2027, 1, 15, 9)), ("2027-03-11", None)):
        register.audit(
            command="minutes record",
            action="recorded minutes version 1",
            target=meeting,
            when=when or datetime(2027, 3, 22, 9),
        )
    register.append(
        "Signatures",
        {
            "meeting": date(2027, 1, 14),
            "version": 1,
            "file": "output/2027-01-14/minutes-2027-01-14-v1.pdf",
            "sha256": "0" * 64,
            "signed_by": "Alex Sample",
            "role": "Chair",
            "signed_on": date(2027, 2, 1),
        },
    )
    register.save(year_workspace.register_file, backups_dir=year_workspace.backups_dir)
    result = report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    rows = rows_of(Document(str(docx_path(year_workspace))))
    assert ("After each meeting", "Target", "On time", "Late", "Not yet due") in rows
    assert ("Decisions summary", "1 working day", "1", "2", "0") in rows
    assert ("Draft minutes", "5 working days", "1", "2", "0") in rows
    assert ("Signed minutes", "15 working days", "1", "2", "0") in rows
    # Cancelled actions: the plan changed, or the work was not done (SafeLives).
    assert ("Agency", "Circumstances changed", "Not done", "No reason recorded") in rows
