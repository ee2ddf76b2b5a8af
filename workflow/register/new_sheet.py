"""A new register's layout: frozen bold headers, filters, widths, drop-downs, highlighting."""

from __future__ import annotations

from typing import Any

from workflow.register.schema import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HEADROOM_ROWS,
    NO,
    OVERDUE_FILL,
    OVERDUE_FONT,
    SHEETS,
    YES,
    Column,
)
from workflow.xlsx.package import MAIN_NS, REL_NS
from workflow.xlsx.values import column_letter, escape_text

_NUMBER_FORMATS = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT}


def new_workbook() -> Any:
    """The empty register as an openpyxl workbook (saved once; rows are edits after that)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        for index, column in enumerate(columns, start=1):
            letter = column_letter(index - 1)
            cell = sheet.cell(row=1, column=index, value=column.header)
            cell.font = Font(bold=True)
            dimension = sheet.column_dimensions[letter]
            dimension.width = column.width
            # A column style: rows appended below the header take it (dates show as dates).
            if column.kind in _NUMBER_FORMATS:
                dimension.number_format = _NUMBER_FORMATS[column.kind]
            elif column.kind == "long_text":
                dimension.alignment = Alignment(wrap_text=True, vertical="top")
        last = column_letter(len(columns) - 1)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{last}1"
        reach = 1 + HEADROOM_ROWS
        for index, column in enumerate(columns):
            if column.kind in ("choice", "yesno"):
                letter = column_letter(index)
                sheet.data_validations.append(_drop_down(column, f"{letter}2:{letter}{reach}"))
        if name == "Actions":
            _highlight_overdue(sheet, columns, f"A2:{last}{reach}")
    return workbook


def _drop_down(column: Column, cells: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = column.choices if column.kind == "choice" else (YES, NO)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # False shows the arrow: the OOXML attribute means "hide it"
        showErrorMessage=True,
        errorTitle=column.header,
        error=f"Choose one of: {', '.join(choices)}",
    )
    validation.add(cells)
    return validation


def _highlight_overdue(sheet: Any, columns: tuple[Column, ...], cells: str) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    letters = {column.key: column_letter(i) for i, column in enumerate(columns)}
    due, status = f"${letters['due']}2", f"${letters['status']}2"
    formula = f'AND(ISNUMBER({due}),{due}<TODAY(),OR({status}="Open",{status}="In progress"))'
    sheet.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=[formula],
            fill=PatternFill(start_color=OVERDUE_FILL, end_color=OVERDUE_FILL, fill_type="solid"),
            font=Font(color=OVERDUE_FONT),
        ),
    )


def sheet_xml(name: str, header_style: int | None) -> bytes:
    """A sheet ccp adds to an existing register: its header row, frozen, filtered, sized."""
    columns = SHEETS[name]
    style = f' s="{header_style}"' if header_style is not None else ""
    last = column_letter(len(columns) - 1)
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{column.width}" customWidth="1"/>'
        for i, column in enumerate(columns, start=1)
    )
    cells = "".join(
        f'<c r="{column_letter(i)}1"{style} t="inlineStr">'
        f"<is><t>{escape_text(column.header.encode()).decode()}</t></is></c>"
        for i, column in enumerate(columns)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="A1:{last}1"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols>"
        f'<sheetData><row r="1">{cells}</row></sheetData>'
        f'<autoFilter ref="A1:{last}1"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    ).encode()
