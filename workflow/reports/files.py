"""The annual report's files: Word (with charts), PDF/A and the figures workbook.

All three are built in one staging folder and published together, so output/annual/
never holds a report whose workbook or PDF is from another run.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.store import panel_context
from workflow.contract import LABELS
from workflow.contract.commentary import Commentary
from workflow.core.dates import today, uk_date
from workflow.core.errors import ConversionFailed
from workflow.core.files import dir_mode, file_mode, publish, staging_dir, write_atomic
from workflow.core.resources import ANNUAL_REPORT_TEMPLATE
from workflow.documents.pdf import convert, require_soffice
from workflow.documents.render import render_docx
from workflow.reports.annual import AnnualFigures, gather
from workflow.reports.charts import Chart, draw
from workflow.reports.commentary import commentary_context
from workflow.reports.counting import Period
from workflow.reports.suppression import explanation, fewer_than
from workflow.workspace.paths import Workspace

CHART_WIDTH_CM = 16.0


@dataclass
class AnnualReport:
    figures: AnnualFigures
    written: list[Path] = field(default_factory=list)
    pdf_skipped: bool = False
    commentary: bool = False  # the chair's commentary is in it (else it says "Draft")

    @property
    def hidden_counts(self) -> tuple[int, int]:
        """How many published figures show as "fewer than N", and how many "not shown"."""
        protected = self.figures.protected
        return len(protected.small), len(protected.hidden)


def annual_dir(workspace: Workspace) -> Path:
    return workspace.output_dir / "annual"


def write_annual_report(
    workspace: Workspace,
    period: Period,
    *,
    pdf: bool = True,
    commentary: Commentary | None = None,
) -> AnnualReport:
    """Gather, protect and write the report for `period`: .docx, .xlsx and (unless not
    wanted) a tagged PDF/A-2b, with the chair's `commentary` where given. A missing
    LibreOffice stops it before anything is written."""
    workspace.require()
    if pdf:
        require_soffice()
    panel = workspace.panel
    as_of = min(today(), period.end)
    figures = gather(workspace, period, as_of=as_of)
    report = AnnualReport(figures, pdf_skipped=not pdf, commentary=commentary is not None)
    out = annual_dir(workspace)
    stem = f"annual-{period.slug}"
    title = f"Annual report {period.label}: {panel.name}"
    shared = panel.shared_group
    with staging_dir(out / stem, mode=dir_mode(shared)) as stage:
        charts = _draw_charts(figures, stage / "charts")
        docx = _write_docx(workspace, figures, charts, stage / f"{stem}.docx", title, commentary)
        xlsx = stage / f"{stem}.xlsx"
        write_atomic(
            xlsx, lambda handle: _workbook(figures, panel).save(handle), mode=file_mode(shared)
        )
        staged = [docx, xlsx]
        if pdf:
            [made] = convert([docx], stage, pdfa=True, title=title)
            check_pdf(made, title)
            staged.append(made)
        for path in staged:
            report.written.append(publish(path, out / path.name, dir_mode_=dir_mode(shared)))
    return report


# --- Word --------------------------------------------------------------------------------


def _draw_charts(figures: AnnualFigures, folder: Path) -> dict[str, Chart]:
    charts = {}
    for key, table in figures.tables.items():
        if table.chart and table.rows:
            charts[key] = draw(figures.shown(key), folder)
    return charts


def report_context(
    workspace: Workspace,
    figures: AnnualFigures,
    markers: dict[str, str],
    commentary: Commentary | None = None,
) -> dict[str, Any]:
    """What annual-report.docx receives (docs/templates.md lists it)."""
    panel = workspace.panel
    tables = {}
    for key in figures.tables:
        shown = figures.shown(key)
        table = shown.table
        tables[key] = {
            "title": table.title,
            "label": table.label,
            "columns": [column.title for column in table.columns],
            "rows": [
                {"label": row.label, "cells": [cell.text for cell in cells], "total": row.total}
                for row, cells in shown.rows
            ],
            "note": table.note,
            "chart": markers.get(key),
        }
    median = figures.median_wait
    return {
        "panel": panel_context(panel),
        "chair": panel.chair.model_dump(),
        "year": figures.period.year,
        "year_label": figures.period.label,
        "workbook": f"annual-{figures.period.slug}.xlsx",
        "period": {"start": figures.period.start, "end": figures.period.end},
        "as_of": figures.as_of,
        "prepared_on": today(),
        "threshold": figures.threshold,
        "fewer_than": fewer_than(figures.threshold),
        "suppression_note": explanation(figures.threshold),
        "summary": [
            {"label": label, "value": cell.text} for label, cell in figures.summary_cells()
        ],
        "tables": tables,
        "median_wait": None if median is None else f"{median:g}",
        "commentary": commentary_context(commentary),
    }


def _write_docx(
    workspace: Workspace,
    figures: AnnualFigures,
    charts: dict[str, Chart],
    out: Path,
    title: str,
    commentary: Commentary | None = None,
) -> Path:
    from docx import Document
    from docx.shared import Cm

    # A chart is drawn where the template prints its marker: docxtpl's own images need the
    # template object that renders, which render_docx keeps to itself.
    token = secrets.token_hex(4)
    markers = {key: f"[ccp-chart-{token}-{key}]" for key in charts}
    context = report_context(workspace, figures, markers, commentary)
    render_docx(workspace.template(ANNUAL_REPORT_TEMPLATE), context, out, labels=LABELS)
    document = Document(str(out))
    by_marker = {marker: charts[key] for key, marker in markers.items()}
    for paragraph in _all_paragraphs(document):
        for run in paragraph.runs:
            found = [marker for marker in by_marker if marker in run.text]
            for marker in found:
                chart = by_marker.pop(marker)
                run.text = run.text.replace(marker, "")
                shape = run.add_picture(str(chart.path), width=Cm(CHART_WIDTH_CM))
                doc_pr = shape._inline.docPr
                doc_pr.set("descr", chart.alt)
                doc_pr.set("title", figures.tables[chart.key].title)
    document.core_properties.title = title
    document.core_properties.subject = (
        f"Annual report to the Safeguarding Children Board, {figures.period.words}"
    )
    mode = file_mode(workspace.panel.shared_group)
    return write_atomic(out, lambda handle: document.save(handle), mode=mode)


def _all_paragraphs(document: Any) -> list[Any]:
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    return paragraphs


# --- PDF ---------------------------------------------------------------------------------


def check_pdf(path: Path, title: str) -> None:
    """The final file is tagged, titled and claims PDF/A-2 (TECHNOTES: check the file,
    not the conversion)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        root = reader.trailer["/Root"]
        metadata = root.get("/Metadata")
        xmp = metadata.get_object().get_data() if metadata is not None else b""
        found_title = (reader.metadata or {}).get("/Title")
    except (PdfReadError, KeyError, ValueError) as err:
        raise ConversionFailed(f"{path.name}: LibreOffice wrote an unreadable PDF ({err})") from err
    problems = []
    if "/StructTreeRoot" not in root:
        problems.append("it is not tagged")
    if found_title != title:
        problems.append(f"its title is {found_title!r}")
    if not re.search(rb"pdfaid:part(>|=\")2", xmp):
        problems.append("it is not PDF/A-2")
    if problems:
        raise ConversionFailed(f"{path.name}: {'; '.join(problems)} (LibreOffice 7.4 or later)")


# --- the workbook ----------------------------------------------------------------------------


# Figures stay numbers a spreadsheet can add up, shown as the report shows them.
NUMBER_FORMATS = {
    "count": "#,##0",
    "number": "#,##0",
    "money": "\u00a3#,##0",
    "percent": "0%",
}


def sheet_name(key: str) -> str:
    return key.replace("_", " ").capitalize()[:31]


def _workbook(figures: AnnualFigures, panel: Any) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    _rows(
        summary,
        [["Figure", "Value"], *[[label, cell.value] for label, cell in figures.summary_cells()]],
    )
    for key in figures.tables:
        shown = figures.shown(key)
        table = shown.table
        sheet = book.create_sheet(sheet_name(key))
        header = [table.label, *[column.title for column in table.columns]]
        body = [[row.label, *[cell.value for cell in cells]] for row, cells in shown.rows]
        _rows(sheet, [header, *body])
        for index, column in enumerate(table.columns, start=2):
            number_format = NUMBER_FORMATS.get(column.kind)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if number_format and isinstance(cell.value, int | float):
                    cell.number_format = number_format
    notes = book.create_sheet("Notes")
    threshold = figures.threshold
    lines = [
        ["Sheet", "How it is counted"],
        ["Panel", figures.panel_name],
        ["Period", figures.period.words],
        ["Figures as of", uk_date(figures.as_of)],
        ["Protective marking", panel.protective_marking],
        ["Small numbers", explanation(threshold)],
        *[[sheet_name(key), table.note] for key, table in figures.tables.items()],
    ]
    _rows(notes, lines)
    notes.column_dimensions["B"].width = 110
    for row in notes.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in book.worksheets:
        sheet.oddHeader.center.text = panel.protective_marking
        sheet.oddFooter.center.text = f"{figures.panel_name}: annual report {figures.period.label}"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return book


def _rows(sheet: Any, rows: list[list[Any]]) -> None:
    widths: dict[int, int] = {}
    for row_number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                # Typed text (an agency, a theme) starting "=" is words, never a formula.
                cell.data_type = "s"
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            widths[column] = max(widths.get(column, 8), min(len(str(value)) + 2, 60))
    from openpyxl.utils import get_column_letter

    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
