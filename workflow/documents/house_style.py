"""The look every ccp Word document shares: page, fonts, styles, header, footer, tables.

The shipped templates (scripts/build_templates.py) and the blank Word forms
(workflow.forms.word) are both built on it, so a form looks like the papers it feeds.
python-docx has no API for a few of these (document defaults, paragraph borders, table
indents, fields): those small pieces of XML stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from workflow.documents.oxml import (
    document_defaults,
    field,
    keep_together,
    outline_level,
    plain,
    rule_below,
    rule_left,
    shade,
    table_look,
)

FONT = "Calibri"  # LibreOffice maps it to the metric-compatible Carlito
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
RULE = "8EAADB"  # the light blue of heading rules
BORDER = "A6A6A6"
HEADER_FILL = "D9E2F3"
LABEL_FILL = "F2F2F2"

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)  # A4
SIDE_MARGIN = Cm(2.0)
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN
TEXT_CM = 17.0  # the text width, for one-column tables

# The panel-level values of the header and footer, as the templates' Jinja tags.
MARKING_TAG = "{{ panel.protective_marking }}"
PANEL_TAG = "{{ panel.name }}"


# --- document, styles, header and footer -------------------------------------------------


def new_document(title: str, *, created: datetime, subject: str = "Complex Child Panel") -> Any:
    """An empty A4 document with the house styles and neutral properties."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = SIDE_MARGIN
    section.top_margin = Cm(2.6)
    section.bottom_margin = Cm(2.2)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)
    house_styles(document)

    # Only the dc: and dcterms: properties: docxcompose (imported by docxtpl) rebinds
    # python-docx's "cp" prefix, so cp: ones (last_modified_by, keywords) would be written
    # in the wrong namespace in any process that has imported it.
    properties = document.core_properties
    properties.title = title  # a template's may hold {{ tags }}: rendered into each title
    properties.language = "en-GB"
    properties.subject = subject
    properties.author = "ccp"
    properties.comments = ""
    properties.created = properties.modified = created
    return document


def house_styles(document: DocumentObject) -> None:
    document_defaults(document, FONT)
    styles = document.styles

    normal = styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    # Keeps at least two lines of a paragraph together when a page (or a row) breaks.
    normal.paragraph_format.widow_control = True

    title = plain(styles["Title"])
    title.font.size = Pt(22)
    title.font.bold = True
    title.font.color.rgb = DARK_BLUE
    title.paragraph_format.space_after = Pt(2)
    outline_level(title, 1)  # a section of the pack starts with its document's title

    for name, size, before, after in (("Heading 1", 13, 16, 5), ("Heading 2", 11, 10, 3)):
        heading = plain(styles[name])
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.color.rgb = DARK_BLUE
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(after)
        heading.paragraph_format.keep_with_next = True
    rule_below(styles["Heading 1"].element.get_or_add_pPr(), RULE, size=6)

    subtitle = paragraph_style(document, "Panel name")
    subtitle.font.size = Pt(13)
    subtitle.font.color.rgb = GREY
    subtitle.paragraph_format.space_after = Pt(10)

    cell = paragraph_style(document, "Table text")
    cell.font.size = Pt(10)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.line_spacing = 1.0

    label = paragraph_style(document, "Table label", base="Table text")
    label.font.bold = True
    label.font.color.rgb = DARK_BLUE

    column = paragraph_style(document, "Table heading", base="Table label")
    column.paragraph_format.keep_with_next = True

    field_label = paragraph_style(document, "Field label")
    field_label.font.bold = True
    field_label.font.color.rgb = DARK_BLUE
    field_label.paragraph_format.space_before = Pt(6)
    field_label.paragraph_format.space_after = Pt(2)
    field_label.paragraph_format.keep_with_next = True
    outline_level(field_label, 2)

    empty = paragraph_style(document, "Note")
    empty.font.italic = True
    empty.font.color.rgb = GREY

    intro = paragraph_style(document, "Intro", base="Note")
    intro.paragraph_format.keep_with_next = True

    views = paragraph_style(document, "Child's views")
    views.font.italic = True
    views.font.size = Pt(11.5)
    views.paragraph_format.left_indent = Cm(0.6)
    views.paragraph_format.right_indent = Cm(0.6)
    views.paragraph_format.space_before = Pt(4)
    views.paragraph_format.space_after = Pt(8)
    rule_left(views.element.get_or_add_pPr(), RULE, size=18)

    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)

    header = paragraph_style(document, "Page header")
    header.font.size = Pt(9)
    header.font.color.rgb = GREY
    header.paragraph_format.space_after = Pt(0)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    marking = paragraph_style(document, "Protective marking", base="Page header")
    marking.font.size = Pt(10)
    marking.font.bold = True
    marking.font.color.rgb = RGBColor(0, 0, 0)

    footer = paragraph_style(document, "Page footer", base="Page header")
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    tabs = footer.paragraph_format.tab_stops
    tabs.add_tab_stop(TEXT_WIDTH // 2, WD_TAB_ALIGNMENT.CENTER)
    tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)


def paragraph_style(document: DocumentObject, name: str, base: str = "Normal") -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles[base]
    style.quick_style = True
    return style


def page_header(
    document: DocumentObject, title: str, *, marking: str = MARKING_TAG, panel: str = PANEL_TAG
) -> None:
    """Protective marking (bold) over the panel's name and the document's title.

    Only panel-level data belongs here: the header is on every page, and a child's name
    must never be.
    """
    header = document.sections[0].header
    line = header.paragraphs[0]
    line.style = document.styles["Protective marking"]
    line.add_run(marking)
    line = header.add_paragraph(f"{panel}  |  {title}", style="Page header")
    rule_below(line._p.get_or_add_pPr(), RULE, size=4)


def page_footer(document: DocumentObject, reference: str, *, marking: str = MARKING_TAG) -> None:
    """`reference` (e.g. the case ID) on the left, the marking centred, Page X of Y right."""
    footer = document.sections[0].footer
    line = footer.paragraphs[0]
    line.style = document.styles["Page footer"]
    line.add_run(reference)
    line.add_run("\t")
    line.add_run(marking).bold = True
    line.add_run("\tPage ")
    field(line, "PAGE")
    line.add_run(" of ")
    field(line, "NUMPAGES")


# --- tables ------------------------------------------------------------------------------


def grid_table(document: DocumentObject, rows: int, widths: Sequence[float]) -> Table:
    """A fixed-width table (widths in cm) whose rows never break across a page.

    A row that does not fit at the foot of a page moves whole to the next; only a row
    taller than a page runs on (LibreOffice and Word break it rather than lose text).
    """
    total = sum(widths)
    if abs(Cm(total) - TEXT_WIDTH) > Cm(0.05):
        raise ValueError(f"column widths add up to {total} cm, not the text width")
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    # Fixed layout: Word keeps these widths and wraps a long word inside its cell rather
    # than stretching the table off the page.
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    for row in table.rows:
        keep_together(row)
    table_look(table, BORDER)
    return table


def fill(cell: _Cell, content: str, style: str, shade_fill: str | None = None) -> Paragraph:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if content:
        paragraph.add_run(content)
    if shade_fill:
        shade(cell, shade_fill)
    return paragraph


def keep_on_one_page(table: Table, last: int) -> None:
    """Keep a short table whole: each row up to `last` keeps with the row after it."""
    for row in table.rows[:last]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
