"""The annual report names its year as the panel does: 2027, 2026/27, or the panel's label.

Issue 22 item 4: a report for 1 December 2026 to 30 November 2027 said "2026".
"""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from test_report import year_workspace  # noqa: F401  (the fixture: a year of cases)

from workflow.cli import cli
from workflow.core.dates import as_of
from workflow.documents.text import document_text
from workflow.reports.counting import panel_period, report_period


def set_panel(workspace, text: str) -> None:
    panel = workspace.panel_file
    panel.write_text(panel.read_text(encoding="utf-8") + text, encoding="utf-8")


def report(runner, workspace, *args: str):
    with as_of(date(2028, 1, 10)):
        return runner.invoke(cli, ["-w", str(workspace.root), "report", "annual", *args])


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2027, 1, 1), date(2027, 12, 31), "2027"),
        (date(2026, 12, 1), date(2027, 11, 30), "2026/27"),
        (date(2099, 4, 1), date(2100, 3, 31), "2099/00"),
        (date(2026, 4, 1), date(2028, 3, 31), "2026 to 2028"),
    ],
    ids=["calendar", "december", "century", "two-years"],
)
def test_the_label_follows_the_dates(start, end, label):
    assert report_period(start.year, start, end).label == label


def test_the_year_starts_where_panel_yaml_says(year_workspace):  # noqa: F811
    set_panel(year_workspace, "report_year_starts: '12-01'\n")
    period = panel_period(year_workspace.panel, 2026)
    assert (period.start, period.end, period.label) == (
        date(2026, 12, 1),
        date(2027, 11, 30),
        "2026/27",
    )
    assert period.slug == "2026-27"


def test_a_year_across_two_is_named_by_both_everywhere(runner, year_workspace):  # noqa: F811
    set_panel(year_workspace, "report_year_starts: '12-01'\n")
    result = report(runner, year_workspace, "--year", "2026", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "Annual report 2026/27 (1 December 2026 to 30 November 2027)" in result.stdout
    out = year_workspace.output_dir / "annual"
    assert sorted(p.name for p in out.iterdir()) == ["annual-2026-27.docx", "annual-2026-27.xlsx"]
    docx = out / "annual-2026-27.docx"
    document = Document(str(docx))
    assert document.core_properties.title == (
        "Annual report 2026/27: Testshire Complex Child Panel"
    )
    section = document.sections[0]
    header = " ".join(p.text for p in section.header.paragraphs)
    footer = " ".join(p.text for p in section.footer.paragraphs)
    assert "Annual report 2026/27" in header
    assert "Annual report 2026/27" in footer
    text = document_text(docx)
    assert "annual-2026-27.xlsx" in text
    assert "Annual report 2026/27 to the Safeguarding Children Board" in text
    assert "Annual report 2026 " not in text + " "
    book = load_workbook(out / "annual-2026-27.xlsx")
    for sheet in book.worksheets:
        assert sheet.oddFooter.center.text.endswith("annual report 2026/27")


def test_the_panels_own_label(runner, year_workspace):  # noqa: F811
    set_panel(year_workspace, "report_year_starts: '04-01'\n")
    set_panel(year_workspace, "report_year_label: 'Year {start}-{end_short}'\n")
    result = report(runner, year_workspace, "--year", "2027", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "Annual report Year 2027-28 (1 April 2027 to 31 March 2028)" in result.stdout
    out = year_workspace.output_dir / "annual"
    assert sorted(p.name for p in out.iterdir()) == [
        "annual-Year-2027-28.docx",
        "annual-Year-2027-28.xlsx",
    ]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("report_year_starts: '02-29'", "report_year_starts: 02-29 is not a month and day every"),
        ("report_year_starts: '13-01'", "report_year_starts: 13-01 is not a month and day"),
        ("report_year_label: '{year}'", "panel.yaml: report_year_label: may use only {start}"),
    ],
    ids=["leap-day", "no-such-month", "unknown-placeholder"],
)
def test_a_wrong_setting_is_one_line(runner, year_workspace, setting, message):  # noqa: F811
    set_panel(year_workspace, setting + "\n")
    result = report(runner, year_workspace, "--year", "2027", "--no-pdf")
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (year_workspace.output_dir / "annual").exists()
