"""What every template builder shares: the house look, Jinja tags, tables, saving.

The look itself (styles, header, footer, table rules) is `workflow.documents.house_style`, which
the blank Word forms use too. Here: the pieces that put Jinja into a template.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Cm, Length
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from workflow.documents import house_style
from workflow.documents.house_style import (
    HEADER_FILL,
    LABEL_FILL,
    TEXT_CM,
    fill,
    grid_table,
    keep_on_one_page,
    page_footer,
    page_header,
)
from workflow.documents.oxml import repeat_as_header

__all__ = ["HEADER_FILL", "LABEL_FILL", "TEXT_CM", "page_footer", "page_header"]

# A fixed date keeps the committed files' properties from changing on every rebuild.
BUILT = datetime(2026, 1, 1)
NONE_RECORDED = "None recorded."
WRITE_IN_ROW = Cm(0.85)  # a table row tall enough to write one line in by hand


def new_document(title: str) -> DocumentObject:
    """An empty A4 document with the house styles; `title` may hold {{ tags }}."""
    return house_style.new_document(title, created=BUILT)


def tag(expression: str) -> str:
    """A Jinja expression tag: tag("child.name") is "{{ child.name }}"."""
    return f"{{{{ {expression} }}}}"


def heading(document: DocumentObject, content: str, level: int = 1) -> Paragraph:
    return document.add_paragraph(content, style=f"Heading {level}")


def text(document: DocumentObject, content: str, style: str = "Normal") -> Paragraph:
    """A paragraph of ONE run, so a Jinja tag in it is never split (docxtpl needs that)."""
    return document.add_paragraph(content, style=style)


def statement(document: DocumentObject, code: str) -> Paragraph:
    """A paragraph-level statement ({%p if ... %}): docxtpl removes the paragraph holding it."""
    return document.add_paragraph(f"{{%p {code} %}}")


def bullets(
    document: DocumentObject,
    loop: str,
    item: str,
    *,
    empty: str = NONE_RECORDED,
    otherwise: Callable[[DocumentObject], object] | None = None,
) -> None:
    """A bulleted list, or `empty`; `otherwise` (with its own condition tag) may come first."""
    statement(document, f"if {loop.split(' in ', 1)[1]}")
    statement(document, f"for {loop}")
    text(document, item, style="List Bullet")
    statement(document, "endfor")
    if otherwise is not None:
        otherwise(document)
    statement(document, "else")
    text(document, empty, style="Note")
    statement(document, "endif")


@dataclass(frozen=True)
class Column:
    title: str
    value: str  # the cell's template text, e.g. tag("a.title")
    width: float  # cm
    blank: str = ""  # what a blank row to write in shows (e.g. tick boxes)


def write_in_height(row: _Row, height: Length) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = height


def list_table(
    document: DocumentObject,
    loop: str,
    columns: Sequence[Column],
    *,
    empty: str = NONE_RECORDED,
    show_if: str | None = None,
    blank_rows: tuple[int, str] | None = None,
) -> None:
    """One row per item of a list (`loop` is Jinja's "x in xs"), or a line saying none.

    The header row repeats on every page; a row per item comes from {%tr for %}. The
    table shows when the list has items, or when `show_if` holds; `blank_rows`
    (count, condition) adds empty rows to write in, e.g. (3, "draft").
    """
    items = loop.split(" in ", 1)[1].split(" if ", 1)[0]
    statement(document, f"if {show_if or items}")
    rows = 4 + (3 if blank_rows else 0)
    table = grid_table(document, rows, [column.width for column in columns])
    header, opening, row, closing = table.rows[:4]
    repeat_as_header(header)
    for cell, column in zip(header.cells, columns, strict=True):
        fill(cell, column.title, "Table heading", HEADER_FILL)
    fill(opening.cells[0], f"{{%tr for {loop} %}}", "Table text")
    for cell, column in zip(row.cells, columns, strict=True):
        fill(cell, column.value, "Table text")
    fill(closing.cells[0], "{%tr endfor %}", "Table text")
    if blank_rows:
        count, condition = blank_rows
        opening, row, closing = table.rows[4:]
        fill(
            opening.cells[0], f"{{%tr for blank in range({count}) if {condition} %}}", "Table text"
        )
        for cell, column in zip(row.cells, columns, strict=True):
            fill(cell, column.blank, "Table text")
        write_in_height(row, WRITE_IN_ROW)
        fill(closing.cells[0], "{%tr endfor %}", "Table text")
    statement(document, "else")
    text(document, empty, style="Note")
    statement(document, "endif")


def label_table(
    document: DocumentObject,
    rows: Sequence[tuple[str, str] | str],
    widths: Sequence[float] = (5.0, 12.0),
    *,
    keep_next: bool = False,
) -> Table:
    """Label and value rows; a bare string is a {%tr ... %} row (if/endif around rows).

    `keep_next`: the whole table keeps with the paragraph after it.
    """
    table = grid_table(document, len(rows), widths)
    for table_row, row in zip(table.rows, rows, strict=True):
        if isinstance(row, str):
            fill(table_row.cells[0], f"{{%tr {row} %}}", "Table text")
            continue
        label, value = row
        fill(table_row.cells[0], label, "Table label", LABEL_FILL)
        fill(table_row.cells[1], value, "Table text")
    last = max(i for i, row in enumerate(rows) if not isinstance(row, str))
    keep_on_one_page(table, last=len(rows) if keep_next else last)
    return table


def summary_table(document: DocumentObject, pairs: Sequence[tuple[str, str]]) -> Table:
    """Label, value, label, value: a compact block for the facts a reader needs first."""
    rows = [pairs[index : index + 2] for index in range(0, len(pairs), 2)]
    table = grid_table(document, len(rows), (3.4, 5.1, 3.4, 5.1))
    for table_row, row in zip(table.rows, rows, strict=True):
        for offset, (label, value) in enumerate(row):
            fill(table_row.cells[2 * offset], label, "Table label", LABEL_FILL)
            fill(table_row.cells[2 * offset + 1], value, "Table text")
    keep_on_one_page(table, last=len(rows) - 1)
    return table


def save(document: DocumentObject, path: Path) -> None:
    """Write `path` byte for byte the same on every build, so a rebuild shows no git diff."""
    buffer = io.BytesIO()
    document.save(buffer)
    staged = path.with_name(f".{path.name}.building")
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            # python-docx stamps each member with the time of saving
            member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(name))
    os.replace(staged, path)
