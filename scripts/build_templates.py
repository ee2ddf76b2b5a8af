"""Build the shipped Word templates in templates/ with python-docx (rerun after any change)."""

from __future__ import annotations

import argparse
import io
import os
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

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

# A fixed date keeps the committed files' properties from changing on every rebuild.
BUILT = datetime(2026, 1, 1)
NONE_RECORDED = "None recorded."


# --- document, styles, header and footer -------------------------------------------------


def new_document(title: str) -> DocumentObject:
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
    _house_styles(document)

    # Only the dc: and dcterms: properties: docxcompose (imported by docxtpl) rebinds
    # python-docx's "cp" prefix, so cp: ones (last_modified_by, keywords) would be written
    # in the wrong namespace in any process that has imported it.
    properties = document.core_properties
    properties.title = title  # may hold {{ tags }}: rendered into each document's title
    properties.language = "en-GB"
    properties.subject = "Complex Child Panel"
    properties.author = "ccp"
    properties.comments = ""
    properties.created = properties.modified = BUILT
    return document


def _house_styles(document: DocumentObject) -> None:
    _document_defaults(document)
    styles = document.styles

    normal = styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    # Keeps at least two lines of a paragraph together when a page (or a row) breaks.
    normal.paragraph_format.widow_control = True

    title = _plain(styles["Title"])
    title.font.size = Pt(22)
    title.font.bold = True
    title.font.color.rgb = DARK_BLUE
    title.paragraph_format.space_after = Pt(2)
    _outline_level(title, 1)  # a section of the pack starts with its document's title

    for name, size, before, after in (("Heading 1", 13, 16, 5), ("Heading 2", 11, 10, 3)):
        heading = _plain(styles[name])
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.color.rgb = DARK_BLUE
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(after)
        heading.paragraph_format.keep_with_next = True
    _rule_below(styles["Heading 1"].element.get_or_add_pPr(), RULE, size=6)

    subtitle = _paragraph_style(document, "Panel name")
    subtitle.font.size = Pt(13)
    subtitle.font.color.rgb = GREY
    subtitle.paragraph_format.space_after = Pt(10)

    cell = _paragraph_style(document, "Table text")
    cell.font.size = Pt(10)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.line_spacing = 1.0

    label = _paragraph_style(document, "Table label", base="Table text")
    label.font.bold = True
    label.font.color.rgb = DARK_BLUE

    column = _paragraph_style(document, "Table heading", base="Table label")
    column.paragraph_format.keep_with_next = True

    field_label = _paragraph_style(document, "Field label")
    field_label.font.bold = True
    field_label.font.color.rgb = DARK_BLUE
    field_label.paragraph_format.space_before = Pt(6)
    field_label.paragraph_format.space_after = Pt(2)
    field_label.paragraph_format.keep_with_next = True
    _outline_level(field_label, 2)

    empty = _paragraph_style(document, "Note")
    empty.font.italic = True
    empty.font.color.rgb = GREY

    intro = _paragraph_style(document, "Intro", base="Note")
    intro.paragraph_format.keep_with_next = True

    views = _paragraph_style(document, "Child's views")
    views.font.italic = True
    views.font.size = Pt(11.5)
    views.paragraph_format.left_indent = Cm(0.6)
    views.paragraph_format.right_indent = Cm(0.6)
    views.paragraph_format.space_before = Pt(4)
    views.paragraph_format.space_after = Pt(8)
    _rule_left(views.element.get_or_add_pPr(), RULE, size=18)

    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)

    header = _paragraph_style(document, "Page header")
    header.font.size = Pt(9)
    header.font.color.rgb = GREY
    header.paragraph_format.space_after = Pt(0)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    marking = _paragraph_style(document, "Protective marking", base="Page header")
    marking.font.size = Pt(10)
    marking.font.bold = True
    marking.font.color.rgb = RGBColor(0, 0, 0)

    footer = _paragraph_style(document, "Page footer", base="Page header")
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    tabs = footer.paragraph_format.tab_stops
    tabs.add_tab_stop(TEXT_WIDTH // 2, WD_TAB_ALIGNMENT.CENTER)
    tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)


def _outline_level(style: ParagraphStyle, level: int) -> None:
    """The style is a heading of `level` (1-9) for navigation, tags and PDF bookmarks."""
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    style.element.get_or_add_pPr().insert_element_before(
        outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def _paragraph_style(document: DocumentObject, name: str, base: str = "Normal") -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles[base]
    style.quick_style = True
    return style


def _plain(style: ParagraphStyle) -> ParagraphStyle:
    """Drop a built-in style's theme fonts and colours so the house font and colour apply."""
    rpr = style.element.get_or_add_rPr()
    for child in rpr.findall(qn("w:rFonts")):
        rpr.remove(child)
    ppr = style.element.pPr
    if ppr is not None:
        for child in ppr.findall(qn("w:pBdr")):
            ppr.remove(child)
    return style


def _document_defaults(document: DocumentObject) -> None:
    # python-docx has no API for docDefaults: one font for every script (Arabic and Hebrew
    # text uses the complex-script slot), and British English for spelling and dates.
    rpr = (
        document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    fonts = rpr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")


def _border(tag: str, color: str, size: int, space: int = 1) -> OxmlElement:
    edge = OxmlElement(tag)
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    return edge


# Elements that follow w:pBdr in a w:pPr (the schema fixes the order; Word enforces it).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _rule_below(ppr: OxmlElement, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(_border("w:bottom", color, size, space=2))
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _rule_left(ppr: OxmlElement, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(_border("w:left", color, size, space=8))
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def page_header(document: DocumentObject, title: str) -> None:
    """Protective marking (bold) over the panel's name and the document's title.

    Only panel-level data belongs here: the header is on every page, and a child's name
    must never be.
    """
    header = document.sections[0].header
    marking = header.paragraphs[0]
    marking.style = document.styles["Protective marking"]
    marking.add_run("{{ panel.protective_marking }}")
    line = header.add_paragraph("{{ panel.name }}  |  " + title, style="Page header")
    _rule_below(line._p.get_or_add_pPr(), RULE, size=4)


def page_footer(document: DocumentObject, reference: str) -> None:
    """`reference` (e.g. the case ID) on the left, the marking centred, Page X of Y right."""
    footer = document.sections[0].footer
    line = footer.paragraphs[0]
    line.style = document.styles["Page footer"]
    line.add_run(reference)
    line.add_run("\t")
    line.add_run("{{ panel.protective_marking }}").bold = True
    line.add_run("\tPage ")
    _field(line, "PAGE")
    line.add_run(" of ")
    _field(line, "NUMPAGES")


def _field(paragraph: Paragraph, instruction: str) -> None:
    # python-docx has no field API. No cached result: Word and LibreOffice compute page
    # numbers when they lay the document out.
    for kind in ("begin", "instr", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


# --- body helpers ------------------------------------------------------------------------


def heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    return document.add_paragraph(text, style=f"Heading {level}")


def text(document: DocumentObject, content: str, style: str = "Normal") -> Paragraph:
    """A paragraph of ONE run, so a Jinja tag in it is never split (docxtpl needs that)."""
    return document.add_paragraph(content, style=style)


def tag(document: DocumentObject, statement: str) -> Paragraph:
    """A paragraph-level tag ({%p if ... %}): docxtpl removes the paragraph that holds it."""
    return document.add_paragraph(f"{{%p {statement} %}}")


def bullets(
    document: DocumentObject,
    loop: str,
    item: str,
    *,
    empty: str = NONE_RECORDED,
    otherwise: Callable[[DocumentObject], object] | None = None,
) -> None:
    """A bulleted list, or `empty`; `otherwise` (with its own condition tag) may come first."""
    tag(document, f"if {loop.split(' in ', 1)[1]}")
    tag(document, f"for {loop}")
    text(document, item, style="List Bullet")
    tag(document, "endfor")
    if otherwise is not None:
        otherwise(document)
    tag(document, "else")
    text(document, empty, style="Note")
    tag(document, "endif")


@dataclass(frozen=True)
class Column:
    title: str
    value: str  # the cell's template text, e.g. "{{ a.title }}"
    width: float  # cm
    long: bool = False  # free text that may run past a page (LongText in the models)
    blank: str = ""  # what a blank row to write in shows (e.g. tick boxes)


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
    tag(document, f"if {show_if or items}")
    long = any(column.long for column in columns)
    rows = 4 + (3 if blank_rows else 0)
    table = _table(document, rows, [column.width for column in columns], rows_split=long)
    header, opening, row, closing = table.rows[:4]
    _repeat_as_header(header)
    for cell, column in zip(header.cells, columns, strict=True):
        _fill(cell, column.title, "Table heading", HEADER_FILL)
    _fill(opening.cells[0], f"{{%tr for {loop} %}}", "Table text")
    for cell, column in zip(row.cells, columns, strict=True):
        _fill(cell, column.value, "Table text")
    _fill(closing.cells[0], "{%tr endfor %}", "Table text")
    if blank_rows:
        count, condition = blank_rows
        opening, row, closing = table.rows[4:]
        _fill(
            opening.cells[0], f"{{%tr for blank in range({count}) if {condition} %}}", "Table text"
        )
        for cell, column in zip(row.cells, columns, strict=True):
            _fill(cell, column.blank, "Table text")
        _write_in_height(row, WRITE_IN_ROW)
        _fill(closing.cells[0], "{%tr endfor %}", "Table text")
    tag(document, "else")
    text(document, empty, style="Note")
    tag(document, "endif")


def label_table(
    document: DocumentObject,
    rows: Sequence[tuple[str, str] | str],
    widths: Sequence[float] = (5.0, 12.0),
    *,
    long: bool = False,
    keep_next: bool = False,
) -> Table:
    """Label and value rows; a bare string is a {%tr ... %} row (if/endif around rows).

    `long`: a value may be free text of any length, so its row may split over pages.
    `keep_next`: the whole table keeps with the paragraph after it.
    """
    table = _table(document, len(rows), widths, rows_split=long)
    for table_row, row in zip(table.rows, rows, strict=True):
        if isinstance(row, str):
            _fill(table_row.cells[0], f"{{%tr {row} %}}", "Table text")
            continue
        label, value = row
        _fill(table_row.cells[0], label, "Table label", LABEL_FILL)
        _fill(table_row.cells[1], value, "Table text")
    last = max(i for i, row in enumerate(rows) if not isinstance(row, str))
    _keep_on_one_page(table, last=len(rows) if keep_next else last)
    return table


def summary_table(document: DocumentObject, pairs: Sequence[tuple[str, str]]) -> Table:
    """Label, value, label, value: a compact block for the facts a reader needs first."""
    rows = [pairs[index : index + 2] for index in range(0, len(pairs), 2)]
    table = _table(document, len(rows), (3.4, 5.1, 3.4, 5.1))
    for table_row, row in zip(table.rows, rows, strict=True):
        for offset, (label, value) in enumerate(row):
            _fill(table_row.cells[2 * offset], label, "Table label", LABEL_FILL)
            _fill(table_row.cells[2 * offset + 1], value, "Table text")
    _keep_on_one_page(table, last=len(rows) - 1)
    return table


def _keep_on_one_page(table: Table, last: int) -> None:
    """Keep a short table whole: each row up to `last` keeps with the row after it."""
    for row in table.rows[:last]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _table(
    document: DocumentObject, rows: int, widths: Sequence[float], *, rows_split: bool = False
) -> Table:
    """A fixed-width table; `rows_split` lets a row run on to the next page.

    Rows of short values are kept whole. A row that may hold pages of text must be free
    to split: LibreOffice cuts off the end of an unsplittable row taller than a page.
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
    if not rows_split:
        for row in table.rows:
            _keep_together(row)
    _table_look(table)
    return table


def _fill(cell: _Cell, content: str, style: str, shade: str | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if content:
        paragraph.add_run(content)
    if shade:
        _shade(cell, shade)


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _repeat_as_header(row: _Row) -> None:
    """Repeat the row at the top of each page the table runs onto."""
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = Cm(0.6)
    row._tr.get_or_add_trPr().insert_element_before(
        OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc", "w:hidden"
    )


def _keep_together(row: _Row) -> None:
    # A short row split over two pages strands a word or two on the next page.
    row._tr.get_or_add_trPr().insert_element_before(
        OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc"
    )


CELL_PADDING = 100  # twips either side of a cell's text


def _table_look(table: Table) -> None:
    """Light grey rules, a little room around the text in each cell, borders on the margins."""
    tblpr = table._tbl.tblPr
    # In Word 2010 layout (the template's compatibility mode, and LibreOffice's) the indent
    # is measured to the first cell's text: indenting by the padding puts the left border
    # on the margin, in line with the headings' rules, and the right border on the other.
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(CELL_PADDING))
    indent.set(qn("w:type"), "dxa")
    tblpr.insert_element_before(
        indent, "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"
    )
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_border(f"w:{edge}", BORDER, 4, space=0))
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    margins = OxmlElement("w:tblCellMar")
    for edge, twips in (
        ("top", 45),
        ("left", CELL_PADDING),
        ("bottom", 45),
        ("right", CELL_PADDING),
    ):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


# --- the templates -----------------------------------------------------------------------


def build_referral(path: Path) -> None:
    """The formal referral: the ToR 13.ii contents, in its order, from the accepted data."""
    document = new_document("Complex Child Panel referral {{ case_id }}")
    page_header(document, "Referral")
    page_footer(document, "Case {{ case_id }}")
    r = "referral"
    child = f"{r}.child"

    text(document, "Complex Child Panel referral", style="Title")
    text(document, "{{ panel.name }}", style="Panel name")
    summary_table(
        document,
        [
            ("Case ID", "{{ case_id }}"),
            ("Panel meeting", f"{{{{ {r}.meeting|uk_date }}}}"),
            ("Referring agency", "{{ referring_agency }}"),
            ("Accepted on", "{{ accepted_on|uk_date }}"),
        ],
    )

    heading(document, "1. The child and family")
    label_table(
        document,
        [
            ("Name", f"{{{{ {child}.name }}}}"),
            ("Preferred name", f'{{{{ {child}.preferred_name|blank("Not given") }}}}'),
            (
                "Date of birth",
                f"{{{{ {child}.date_of_birth|uk_date }}}} (aged "
                f"{{{{ {child}.date_of_birth|age({r}.meeting) }}}} on the panel date)",
            ),
            ("Gender", f"{{{{ {child}.gender }}}}"),
            ("Ethnicity", f"{{{{ {child}.ethnicity|blank }}}}"),
            ("Local case number", f"{{{{ {child}.local_id }}}}"),
            ("Living situation", f"{{{{ {child}.living_situation|words }}}}"),
            ("Placement location", f"{{{{ {child}.placement_location|blank }}}}"),
            ("Placed out of area", f"{{{{ {child}.out_of_area|yesno }}}}"),
            ("Legal status", f"{{{{ {child}.legal_status|words }}}}"),
            ("Legal status since", f"{{{{ {child}.legal_status_since|uk_date|blank }}}}"),
        ],
    )
    text(document, "Family and network", style="Field label")
    text(document, f"{{{{ {r}.family }}}}")

    heading(document, "2. Relevant history")
    text(document, f"{{{{ {r}.history }}}}")

    heading(document, "3. Assessments")
    list_table(
        document,
        f"a in {r}.assessments",
        [
            Column("Assessment", "{{ a.title }}", 3.5),
            Column("Date", "{{ a.date|uk_date }}", 3.1),
            Column("Author", "{{ a.author }}", 3.4),
            Column("Summary", "{{ a.summary }}", 7.0, long=True),
        ],
    )

    heading(document, "4. Professionals involved")
    list_table(
        document,
        f"p in {r}.professionals",
        [
            Column("Name", "{{ p.name }}", 3.2),
            Column("Role", "{{ p.role }}", 3.2),
            Column("Agency", "{{ p.agency }}", 4.0),
            Column(
                "Contact", '{{ [p.email, p.phone]|select|join("\\n")|blank("Not given") }}', 4.4
            ),
            Column("Key worker", '{{ p.key_worker|yesno("Yes", "") }}', 2.2),
        ],
    )

    heading(document, "5. Current risks")
    text(
        document,
        "Known risks, and risks that are unknown or only suspected, as the referrer sees them.",
        style="Intro",
    )
    list_table(
        document,
        f"k in {r}.risks",
        [
            Column("Category", "{{ k.category|words }}", 3.2),
            Column("Description", "{{ k.description }}", 7.4, long=True),
            Column("Level", "{{ k.level|words }}", 2.3),
            Column(
                "Known or suspected", '{{ k.known|yesno("Known", "Unknown or suspected") }}', 4.1
            ),
        ],
    )

    heading(document, "6. Obstacles to effective planning")
    list_table(
        document,
        f"o in {r}.obstacles",
        [
            Column("Obstacle", "{{ o.type|words }}", 4.0),
            Column("Detail", "{{ o.detail }}", 13.0, long=True),
        ],
    )

    heading(document, "7. Criteria met")
    bullets(document, f"c in {r}.criteria", "{{ c|words }}")
    text(document, "How the criteria are met", style="Field label")
    text(document, f"{{{{ {r}.criteria_detail }}}}")

    heading(document, "8. Processes already tried")
    list_table(
        document,
        f"t in {r}.processes_tried",
        [
            Column("Process", "{{ t.process|words }}", 4.4),
            Column("Date", "{{ t.date|uk_date }}", 3.1),
            Column("Outcome", "{{ t.outcome }}", 9.5, long=True),
        ],
    )

    heading(document, "9. Benefits sought from the panel")
    text(document, f"{{{{ {r}.benefits }}}}")

    heading(document, "10. Outcomes sought")
    bullets(document, f"o in {r}.outcomes_sought", "{{ o }}")

    heading(document, "11. The child's views")
    text(document, f"{{{{ {r}.child_views }}}}", style="Child's views")

    heading(document, "12. Consultation and authorisation")
    referrer = f"{r}.referrer"
    social_worker = f"{r}.key_social_worker"
    manager = f"{r}.authorised_by"
    label_table(
        document,
        [
            (
                "Referrer",
                f"{{{{ {referrer}.name }}}}, {{{{ {referrer}.role }}}}, {{{{ {referrer}.agency }}}}"
                f'\n{{{{ [{referrer}.email, {referrer}.phone]|select|join("  ·  ") }}}}',
            ),
            (
                "Key social worker",
                f"{{{{ {social_worker}.name }}}}, {{{{ {social_worker}.team }}}}"
                f'{{{{ ("\\n" ~ {social_worker}.email) if {social_worker}.email else "" }}}}',
            ),
            ("Key social worker consulted", f"{{{{ {social_worker}.consulted_on|uk_date }}}}"),
            (
                "IRO or independent chair",
                f'{{{{ {r}.iro.name if {r}.iro else "Not applicable" }}}}',
            ),
            (
                "IRO consulted",
                f'{{{{ {r}.iro.consulted_on|uk_date if {r}.iro else "Not applicable" }}}}',
            ),
            (
                "Authorised by",
                f"{{{{ {manager}.name }}}}, {{{{ {manager}.role }}}}, {{{{ {manager}.agency }}}}",
            ),
            ("Date authorised", f"{{{{ {manager}.date|uk_date }}}}"),
            ("Family aware of the referral", f"{{{{ {r}.family_aware|yesno }}}}"),
            f"if {r}.late_accepted_by",
            ("Late referral accepted by", f"{{{{ {r}.late_accepted_by }}}} (panel chair)"),
            "endif",
        ],
    )

    heading(document, "13. Special invitations")
    list_table(
        document,
        f"s in {r}.special_invitations",
        [
            Column("Name", "{{ s.name }}", 3.3),
            Column("Role", "{{ s.role }}", 3.2),
            Column("Agency", "{{ s.agency }}", 3.3),
            Column("Reason", "{{ s.reason }}", 7.2, long=True),
        ],
    )

    heading(document, "14. Papers for circulation")
    papers = f"{r}.attachments"
    supplied = '"Supplied" if {} else "Not supplied"'
    label_table(
        document,
        [
            ("Chronology", f"{{{{ {supplied.format(papers + '.chronology')} }}}}"),
            (
                "Current risk assessment",
                f"{{{{ {supplied.format(papers + '.risk_assessment')} }}}}",
            ),
            ("Last review report", f"{{{{ {supplied.format(papers + '.last_review_report')} }}}}"),
        ],
    )
    save(document, path)


# --- pieces shared by the agenda, pack cover, minutes and extract -------------------------

TEXT_CM = 17.0  # the text width, for one-column tables
WRITE_IN_ROW = Cm(0.85)  # a table row tall enough to write one line in by hand
WRITE_IN_REASON = Cm(1.6)  # two handwritten lines
WRITE_IN_LINE = 0.8  # cm of box per handwritten line
BOX = "\u2610"  # a tick box on the note-taker's draft
RAG_FILLS = {"Red": "FF7C80", "Amber": "FFC000", "Green": "92D050"}
OVERDUE_FILL = "F8CBAD"
DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)
NOTHING = "Nothing recorded."  # minutes never say "None": on the draft it would read as data


def _write_in_height(row: _Row, height: Length) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = height


def _middle(row: _Row) -> None:
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def write_in(document: DocumentObject, lines: int) -> Table:
    """An empty box, about `lines` handwritten lines tall, for the note-taker's draft."""
    table = _table(document, 1, [TEXT_CM])
    _fill(table.rows[0].cells[0], "", "Table text")
    _write_in_height(table.rows[0], Cm(WRITE_IN_LINE * lines))
    return table


def record_table(document: DocumentObject, columns: Sequence[Column], *, draft: bool) -> Table:
    """Column headings over one row of values (a record that is not a list).

    `draft`: on the note-taker's draft the row is tall enough to write in by hand.
    """
    rows = ["if draft", "values", "else", "values", "endif"] if draft else ["values"]
    table = _table(document, 1 + len(rows), [column.width for column in columns])
    _repeat_as_header(table.rows[0])
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        _fill(cell, column.title, "Table heading", HEADER_FILL)
    for row, kind in zip(table.rows[1:], rows, strict=True):
        if kind != "values":
            _fill(row.cells[0], f"{{%tr {kind} %}}", "Table text")
            continue
        for cell, column in zip(row.cells, columns, strict=True):
            _fill(cell, column.value, "Table text")
    if draft:
        _roomy(table, 2)
    _keep_on_one_page(table, last=len(table.rows) - 1)
    return table


@dataclass(frozen=True)
class Decision:
    """A label-and-value row of a case's decisions; `write_in`: tall on the draft."""

    label: str
    value: str
    write_in: Length | None = None


def decision_table(
    document: DocumentObject, rows: Sequence[Decision | str], *, draft: bool, keep: bool = False
) -> Table:
    """A label table whose `write_in` rows are tall on the draft and plain on the record.

    `keep`: keep the table with the paragraph after it (the signature after the last one).
    """
    expanded: list[tuple[str, str] | str] = []
    tall: dict[int, Length] = {}
    for row in rows:
        if isinstance(row, str):
            expanded.append(row)
        elif draft and row.write_in:
            expanded.append("if draft")
            tall[len(expanded)] = row.write_in
            expanded += [(row.label, row.value), "else", (row.label, row.value), "endif"]
        else:
            expanded.append((row.label, row.value))
    table = label_table(document, expanded, long=True)
    for index, height in tall.items():
        _roomy(table, index, height=height)
    if keep:
        _keep_on_one_page(table, last=len(table.rows))
    return table


def _roomy(table: Table, *rows: int, height: Length = WRITE_IN_ROW) -> None:
    """Rows a hand can write in on the draft; their short values sit in the middle."""
    for index in rows:
        _write_in_height(table.rows[index], height)
        _middle(table.rows[index])


def signature(document: DocumentObject) -> Paragraph:
    """The chair's signature line: the last paragraph of signed minutes and extracts."""
    return text(
        document,
        "Signed as a true record by {{ signed.name }}, {{ signed.role }}, "
        "{{ signed.date|uk_date }}",
        style="Signature",
    )


def _minutes_styles(document: DocumentObject) -> None:
    draft = _paragraph_style(document, "Draft notice")
    draft.font.bold = True
    draft.font.size = Pt(12)
    draft.font.color.rgb = DRAFT_RED
    draft.paragraph_format.space_before = Pt(4)
    draft.paragraph_format.space_after = Pt(4)
    draft.paragraph_format.keep_with_next = True
    _box(draft.element.get_or_add_pPr(), "C00000", size=8)

    header_draft = _paragraph_style(document, "Draft mark", base="Page header")
    header_draft.font.bold = True
    header_draft.font.size = Pt(10)
    header_draft.font.color.rgb = DRAFT_RED

    signed = _paragraph_style(document, "Signature")
    signed.font.bold = True
    signed.paragraph_format.space_before = Pt(24)
    signed.paragraph_format.keep_together = True
    _rule_above(signed.element.get_or_add_pPr(), RULE, size=6)

    page_break = _paragraph_style(document, "Page break")
    page_break.font.size = Pt(1)
    page_break.paragraph_format.space_after = Pt(0)
    page_break.paragraph_format.line_spacing = 1.0

    notice = _paragraph_style(document, "Notice", base="Note")
    notice.paragraph_format.space_before = Pt(6)

    level = _paragraph_style(document, "Minute line")
    level.paragraph_format.space_after = Pt(4)
    level.paragraph_format.keep_with_next = True


def _box(ppr: OxmlElement, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        borders.append(_border(f"w:{edge}", color, size, space=4))
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _rule_above(ppr: OxmlElement, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(_border("w:top", color, size, space=6))
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def minute_text(
    document: DocumentObject,
    label: str | None,
    value: str,
    *,
    draft: bool,
    empty: str = NOTHING,
    lines: int = 3,
    keep: bool = False,
) -> None:
    """A label and what was typed; on the draft, a box to write in while it is blank.

    `keep`: keep the text with the paragraph after it (the signature after the last one).
    """
    if label:
        text(document, label, style="Field label")
    tag(document, f"if {value}")
    typed = text(document, f"{{{{ {value} }}}}")
    if draft:
        tag(document, "elif draft")
        write_in(document, lines)
    tag(document, "else")
    none = text(document, empty, style="Note")
    tag(document, "endif")
    if keep:
        typed.paragraph_format.keep_with_next = none.paragraph_format.keep_with_next = True


def _choice(boxes: Sequence[str], value: str, *, draft: bool, when: str = "draft") -> str:
    """Tick boxes on the draft (while `when` holds), the decision in words otherwise."""
    if not draft:
        return f"{{{{ {value} }}}}"
    ticks = "    ".join(f"{BOX} {option}" for option in boxes)
    return f'{{{{ "{ticks}" if {when} else {value} }}}}'


def actions_table(document: DocumentObject, actions: str, *, draft: bool) -> None:
    """Actions by named agencies and professionals with timescales (ToR 12)."""
    list_table(
        document,
        f"a in {actions} if a.description",
        [
            # The register's action ID, the one the agenda and reminders quote.
            Column("Action ID", '{{ a.action_id|default("") }}', 3.1),
            Column("Action", "{{ a.description }}", 5.3, long=True),
            Column("Agency", "{{ a.agency }}", 3.0),
            Column("Owner", "{{ a.owner }}", 2.9),
            Column("Due", "{{ a.due|uk_date }}", 2.7),
        ],
        empty="No actions agreed.",
        show_if=f"draft or {actions}" if draft else None,
        blank_rows=(3, "draft") if draft else None,
    )


def case_minutes(document: DocumentObject, c: str, number: str, *, draft: bool) -> None:
    """One case as the panel decided it, under the headings of ToR section 12.

    The minutes and the key worker's extract share this block. `draft`: the template
    also renders the note-taker's draft (its `draft` is true, nearly every value blank),
    so a blank value gets a box or tick boxes to fill in rather than nothing.
    """
    if draft:
        # Each case starts a page of the note-taker's draft; the record runs on.
        tag(document, "if draft")
        document.add_paragraph(style="Page break").add_run().add_break(WD_BREAK.PAGE)
        tag(document, "endif")
    heading(document, f"{number}Case {{{{ {c}.case_id }}}}: {{{{ {c}.kind|words }}}}")
    decision_table(
        document,
        [Decision("Presented by", f"{{{{ {c}.presented_by }}}}", WRITE_IN_ROW)],
        draft=draft,
        keep=True,
    )

    minute_text(document, "Discussion", f"{c}.discussion", draft=draft, lines=8)

    text(document, "Agreed risk level and rationale", style="Field label")
    line = document.add_paragraph(style="Minute line")
    line.add_run("Agreed risk level: ")
    if draft:
        line.add_run(
            f"{{% if draft %}}{'    '.join(f'{BOX} {level}' for level in RISK_LEVELS)}"
            f'{{{{ ("    (before the meeting: " ~ ({c}.risk_level|words) ~ ")") '
            f'if {c}.risk_level else "" }}}}'
            f"{{% else %}}{{{{ {c}.risk_level|words }}}}{{% endif %}}"
        ).bold = True
    else:
        line.add_run(f"{{{{ {c}.risk_level|words }}}}").bold = True
    minute_text(document, None, f"{c}.risk_rationale", draft=draft, lines=3)

    text(document, "Accountable senior manager", style="Field label")
    manager = f"{c}.accountable_manager"
    record_table(
        document,
        [
            Column("Name", f"{{{{ {manager}.name }}}}", 5.0),
            Column("Role", f"{{{{ {manager}.role }}}}", 6.0),
            Column("Agency", f"{{{{ {manager}.agency }}}}", 6.0),
        ],
        draft=draft,
    )

    minute_text(document, "Risk management plan", f"{c}.risk_management_plan", draft=draft, lines=6)
    minute_text(document, "Contingencies", f"{c}.contingencies", draft=draft, lines=4)

    text(document, "Actions", style="Field label")
    actions_table(document, f"{c}.actions", draft=draft)

    text(document, "Resources (in principle or confirmed)", style="Field label")
    list_table(
        document,
        f"r in {c}.resources",
        [
            Column("Agency", "{{ r.agency }}", 3.4),
            Column("Resource", "{{ r.description }}", 7.4, long=True),
            Column(
                "Amount",
                '{{ "£{:,.2f}".format(r.amount) if r.amount is not none else "" }}',
                2.8,
            ),
            Column(
                "Agreement",
                '{{ "Confirmed" if r.confirmed else "In principle" }}',
                3.4,
                blank=f"{BOX} In principle\n{BOX} Confirmed" if draft else "",
            ),
        ],
        empty="No resources agreed.",
        show_if=f"draft or {c}.resources" if draft else None,
        blank_rows=(2, "draft") if draft else None,
    )

    minute_text(document, "Communication", f"{c}.communication", draft=draft, lines=3)
    minute_text(document, "Monitoring", f"{c}.monitoring", draft=draft, lines=3)

    text(document, "Progress report", style="Field label")
    report = f"{c}.progress_report"
    tag(document, f"if {report}")
    decision_table(
        document,
        [
            Decision(
                "Report to the panel",
                f"{{{{ {report}.format|words if {report}.format else "
                f'"{BOX} In writing    {BOX} In person" }}}}'
                if draft
                else f"{{{{ {report}.format|words }}}}",
            ),
            Decision(
                "Due at the panel of", f"{{{{ {report}.due_meeting|uk_date }}}}", WRITE_IN_ROW
            ),
        ],
        draft=draft,
    )
    tag(document, "else")
    text(document, "No further progress report is required.", style="Note")
    tag(document, "endif")

    text(document, "Escalation to the Safeguarding Partnership", style="Field label")
    escalate = f"{c}.escalate_to_partnership"
    decision_table(
        document,
        [
            Decision(
                "Escalate for a practice review",
                _choice(("Yes", "No"), f"{escalate}|yesno", draft=draft),
            ),
            f"if {escalate} or {c}.escalation_reason" + (" or draft" if draft else ""),
            Decision("Reason", f"{{{{ {c}.escalation_reason }}}}", WRITE_IN_REASON),
            "endif",
        ],
        draft=draft,
    )

    text(document, "Themes (service gaps seen)", style="Field label")

    def themes_box(document: DocumentObject) -> None:
        tag(document, "elif draft")
        write_in(document, 2)

    bullets(
        document,
        f"t in {c}.themes",
        "{{ t|words }}",
        empty="No themes recorded.",
        otherwise=themes_box if draft else None,
    )

    text(document, "Case closure", style="Field label")
    close = f"{c}.close_case"
    decision_table(
        document,
        [
            Decision(
                "Close the case",
                _choice(
                    ("Yes, close the case", "No, the case stays open"),
                    f'{close}|yesno("Yes: the case is closed", "No: the case stays open")',
                    draft=draft,
                ),
            ),
            f"if {close} or {c}.closure_reason" + (" or draft" if draft else ""),
            Decision("Reason", f"{{{{ {c}.closure_reason }}}}", WRITE_IN_REASON),
            "endif",
        ],
        draft=draft,
        keep=True,
    )


RISK_LEVELS = ("Low", "Medium", "High", "Very high")


def build_agenda(path: Path) -> None:
    """The agenda (ToR 13.iii): new referrals, progress reviews due, strategic items.

    The order of business fits on one page for a typical meeting (six cases, two strategic
    items): one row per case with its time and presenter. The open actions of the cases
    under review follow in an annex.
    """
    document = new_document("Agenda of the {{ panel.name }}, {{ meeting.date|uk_date }}")
    page_header(document, "Agenda")
    page_footer(document, "Agenda, {{ meeting.date|uk_date }}")
    document.styles["Heading 1"].paragraph_format.space_before = Pt(12)

    text(document, "Agenda", style="Title")
    text(document, "{{ panel.name }}", style="Panel name")
    summary_table(
        document,
        [
            ("Date", "{{ meeting.date|uk_date }}"),
            ("Time", '{{ meeting.time|blank("To be confirmed") }}'),
            ("Venue", '{{ meeting.venue|blank("To be confirmed") }}'),
            ("Chair", "{{ chair.name }}, {{ chair.role }}"),
        ],
    )

    heading(document, "1. Welcome, introductions and apologies")
    text(
        document,
        "Chaired by {{ chair.name }}, {{ chair.role }}, {{ chair.agency }}. Members who cannot "
        "attend send apologies and a deputy who can agree actions and resources for their "
        "agency.",
    )

    heading(document, "2. Minutes of the last meeting and matters arising")
    text(
        document,
        "{% if previous %}To agree the minutes of the meeting on {{ previous|uk_date }}"
        '{{ " (in this pack)" if last_minutes_available else " (not yet signed)" }}'
        ", and to review matters arising.{% else %}No previous meeting.{% endif %}",
    )

    time = Column("Time", '{{ x.time|default("", true) }}', 2.3)
    heading(document, "3. New referrals")
    tag(document, "if new_referrals")
    text(
        document,
        "Each case is presented by the referring practitioner; the referral and its papers "
        "follow in this pack.",
        style="Intro",
    )
    tag(document, "endif")
    list_table(
        document,
        "x in new_referrals",
        [
            time,
            Column(
                "Case ID",
                '{{ x.case_id }}{{ "\\n(late referral)" if x.late_accepted_by else "" }}',
                2.9,
            ),
            Column("Presented by", "{{ x.presenter }}", 5.0),
            Column("Risk at referral", "{{ x.risk_level }}", 2.3),
            Column(
                "Papers",
                '{{ ("Not supplied: " ~ x.missing_papers|join(", ")) if x.missing_papers '
                'else "All supplied" }}',
                4.5,
            ),
        ],
        empty="None.",
    )
    tag(document, "for x in new_referrals if x.late_accepted_by")
    text(
        document,
        "Late referral: {{ x.case_id }} reached the panel after the referral deadline and was "
        "accepted by {{ x.late_accepted_by }}, the chair.",
        style="Note",
    )
    tag(document, "endfor")

    heading(document, "4. Progress reviews due")
    tag(document, "if progress_reviews")
    text(
        document,
        "Cases the panel asked to hear again, presented by the key worker. Status: Red, "
        "actions overdue by the meeting date or risk very high; Amber, work or the progress "
        "report outstanding; Green, on track.",
        style="Intro",
    )
    tag(document, "endif")
    list_table(
        document,
        "x in progress_reviews",
        [
            time,
            Column("Case ID", "{{ x.case_id }}", 2.9),
            Column("Presented by", "{{ x.presenter }}", 4.2),
            Column("Latest risk", "{{ x.risk_latest }}", 1.9),
            Column("Status", _rag_cell("x.status"), 1.7),
            Column(
                "Report and actions",
                '{{ "Report received" if x.report_received else "Report not yet received" }}'
                '\n{{ x.open_actions|length }} open action{{ "" if x.open_actions|length == 1 '
                'else "s" }}{{ (", " ~ x.overdue_count ~ " overdue by the meeting date") '
                'if x.overdue_count else "" }}',
                4.0,
            ),
        ],
        empty="None.",
    )

    heading(document, "5. Strategic safeguarding items")
    list_table(
        document,
        "x in strategic_items",
        [
            time,
            Column("Item", "{{ x.title }}", 4.6),
            Column("Lead", "{{ x.lead }}", 3.4),
            Column("Notes", "{{ x.notes }}", 6.7, long=True),
        ],
        empty="None.",
    )

    heading(document, "6. Any other business")
    text(document, "Members tell the chair of any other business at the start of the meeting.")

    heading(document, "7. Date of next meeting")
    text(document, '{{ next|uk_date if next else "To be arranged." }}')

    tag(document, "if progress_reviews|selectattr('open_actions')|list")
    annex = heading(document, "Annex: open actions of the cases under review")
    annex.paragraph_format.page_break_before = True
    text(
        document,
        "From the register. Overdue: due before the meeting date, {{ meeting.date|uk_date }}.",
        style="Intro",
    )
    tag(document, "for p in progress_reviews if p.open_actions")
    heading(document, "{{ p.case_id }}", level=2)
    list_table(
        document,
        "a in p.open_actions",
        [
            Column("Action ID", "{{ a.action_id }}", 3.1),
            Column("Action", "{{ a.action }}", 4.2, long=True),
            Column("Agency", "{{ a.agency }}", 2.5),
            Column("Owner", "{{ a.owner }}", 2.3),
            Column("Due", "{{ a.due|uk_date }}", 2.7),
            Column(
                "Status",
                f'{{% cellbg "{OVERDUE_FILL}" if a.overdue else "FFFFFF" %}}'
                '{{ "Overdue" if a.overdue else a.status }}',
                2.2,
            ),
        ],
        empty="No open actions.",
    )
    tag(document, "endfor")
    tag(document, "endif")
    save(document, path)


def _rag_cell(status: str) -> str:
    """A cell shaded red, amber or green behind the status in words (never colour alone)."""
    fill = " else ".join(
        f'"{colour}" if {status} == "{name}"' for name, colour in RAG_FILLS.items()
    )
    return f'{{% cellbg {fill} else "FFFFFF" %}}{{{{ {status} }}}}'


def build_pack_cover(path: Path) -> None:
    """The circulation pack's cover, whose header and footer the whole merged pack keeps.

    The pack code appends the contents lines after the last paragraph ("Contents"), then
    each section under a Heading 1 or 2 with a page break, so those styles live here too.
    """
    document = new_document("Circulation pack of the {{ panel.name }}, {{ meeting.date|uk_date }}")
    page_header(document, "Circulation pack")
    page_footer(document, "Circulation pack, {{ meeting.date|uk_date }}")
    _cover_styles(document)

    tag(document, "if panel.authority")
    text(document, "{{ panel.authority }}", style="Cover authority")
    tag(document, "endif")
    text(document, "{{ panel.name }}", style="Cover title")
    text(document, "Circulation pack", style="Cover subtitle")
    text(document, "{{ meeting.date|uk_date }}", style="Cover meeting")
    text(
        document,
        '{{ [meeting.time, meeting.venue]|select|join("  ·  ")|blank("Time and venue to be '
        'confirmed") }}',
        style="Cover detail",
    )
    text(
        document,
        '{{ case_count if case_count else "No" }} new referral'
        '{{ "" if case_count == 1 else "s" }} and '
        '{{ review_count if review_count else "no" }} progress review'
        '{{ "" if review_count == 1 else "s" }}'
        '{{ "." if outstanding else ", with their papers." }}',
        style="Cover detail",
    )
    # An honest cover: what readiness found missing, before anyone reads on.
    tag(document, "if outstanding")
    text(
        document,
        'Not complete: {{ outstanding|length }} item{{ "" if outstanding|length == 1 else "s" }} '
        "outstanding",
        style="Cover warning title",
    )
    tag(document, "for o in outstanding")
    text(document, "\u2022\t{{ o }}", style="Cover warning")
    tag(document, "endfor")
    tag(document, "endif")
    text(document, "{{ panel.protective_marking }}", style="Cover marking")

    # A boxed notice made of paragraphs: a one-cell table would read as a data table.
    text(document, "Handling these papers", style="Cover notice title")
    for line in (
        "For panel members only: they hold personal information about children and families.",
        "Do not forward, copy or share them, in whole or in part.",
        "Store them securely, on your agency's secure systems only; do not print them "
        "unless you must.",
        "Destroy your copy after the meeting: delete it, and securely shred any printout.",
    ):
        text(document, f"\u2022\t{line}", style="Cover notice")

    text(
        document,
        "Prepared by {{ administrator.name }}, {{ administrator.role }}, "
        "{{ administrator.agency }}, on {{ prepared_on|uk_date }}.",
        style="Cover prepared",
    )
    tag(document, "if administrator.email")
    text(document, "Questions about this pack: {{ administrator.email }}", style="Note")
    tag(document, "endif")
    # Last: the pack code adds one line per section after it.
    text(document, "Contents", style="Contents heading")
    save(document, path)


def _cover_styles(document: DocumentObject) -> None:
    authority = _paragraph_style(document, "Cover authority", base="Panel name")
    authority.font.size = Pt(12)
    authority.paragraph_format.space_before = Pt(72)
    authority.paragraph_format.space_after = Pt(6)

    title = _paragraph_style(document, "Cover title", base="Title")
    title.font.size = Pt(28)
    title.paragraph_format.space_after = Pt(6)

    subtitle = _paragraph_style(document, "Cover subtitle", base="Panel name")
    subtitle.font.size = Pt(20)
    subtitle.paragraph_format.space_after = Pt(30)
    _rule_below(subtitle.element.get_or_add_pPr(), RULE, size=12)

    meeting = _paragraph_style(document, "Cover meeting")
    meeting.font.size = Pt(18)
    meeting.font.bold = True
    meeting.font.color.rgb = DARK_BLUE
    meeting.paragraph_format.space_after = Pt(4)

    detail = _paragraph_style(document, "Cover detail")
    detail.font.size = Pt(12)
    detail.paragraph_format.space_after = Pt(4)

    marking = _paragraph_style(document, "Cover marking")
    marking.font.size = Pt(20)
    marking.font.bold = True
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_before = Pt(36)
    marking.paragraph_format.space_after = Pt(24)
    marking.paragraph_format.left_indent = marking.paragraph_format.right_indent = Cm(3)
    _box(marking.element.get_or_add_pPr(), "000000", size=18)

    notice = _paragraph_style(document, "Cover notice", base="Table text")
    notice.paragraph_format.space_after = Pt(3)
    notice.paragraph_format.left_indent = Cm(0.6)
    notice.paragraph_format.right_indent = Cm(0.2)
    notice.paragraph_format.first_line_indent = Cm(-0.4)
    notice.paragraph_format.keep_with_next = True
    _panel(notice, BORDER, LABEL_FILL)

    notice_title = _paragraph_style(document, "Cover notice title", base="Cover notice")
    notice_title.font.bold = True
    notice_title.font.color.rgb = DARK_BLUE
    notice_title.paragraph_format.first_line_indent = Cm(0)
    notice_title.paragraph_format.left_indent = Cm(0.2)
    notice_title.paragraph_format.space_after = Pt(4)

    warning = _paragraph_style(document, "Cover warning", base="Cover notice")
    _panel(warning, "C00000", "FBE4E4")
    warning_title = _paragraph_style(document, "Cover warning title", base="Cover warning")
    warning_title.font.bold = True
    warning_title.font.size = Pt(11)
    warning_title.font.color.rgb = DRAFT_RED
    warning_title.paragraph_format.first_line_indent = Cm(0)
    warning_title.paragraph_format.left_indent = Cm(0.2)
    warning_title.paragraph_format.space_before = Pt(10)

    prepared = _paragraph_style(document, "Cover prepared")
    prepared.paragraph_format.space_before = Pt(96)
    prepared.paragraph_format.space_after = Pt(2)

    contents = _paragraph_style(document, "Contents heading")
    contents.font.size = Pt(16)
    contents.font.bold = True
    contents.font.color.rgb = DARK_BLUE
    contents.paragraph_format.page_break_before = True
    contents.paragraph_format.space_after = Pt(12)
    _outline_level(contents, 1)
    _rule_below(contents.element.get_or_add_pPr(), RULE, size=6)


def _panel(style: ParagraphStyle, color: str, fill: str) -> None:
    """A box round, and shading behind, consecutive paragraphs of the style (one panel)."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        borders.append(_border(f"w:{edge}", color, 4, space=4))
    ppr.insert_element_before(borders, *_AFTER_PBDR)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    ppr.insert_element_before(shading, *_AFTER_PBDR[1:])


def _draft_header(document: DocumentObject) -> None:
    """DRAFT on every page of the note-taker's draft, under the marking."""
    header = document.sections[0].header
    panel_line = header.paragraphs[1]
    for content, style in (
        ("{%p if draft %}", "Page header"),
        ("DRAFT \u2014 not a record until signed by the chair", "Draft mark"),
        ("{%p endif %}", "Page header"),
    ):
        panel_line.insert_paragraph_before(content, style=style)


def build_minutes(path: Path) -> None:
    """The minutes: the note-taker's draft (`draft`) and the signed record, one template."""
    document = new_document(
        "Minutes of the {{ panel.name }}, {{ meeting.date|uk_date }}"
        '{{ (", version " ~ version) if version else " (draft)" }}'
    )
    _minutes_styles(document)
    page_header(document, "Minutes")
    _draft_header(document)
    page_footer(
        document,
        "Minutes, {{ meeting.date|uk_date }}"
        '{{ (", version " ~ version) if version else " (draft)" }}',
    )

    text(document, "Minutes", style="Title")
    text(document, "{{ panel.name }}", style="Panel name")
    tag(document, "if draft")
    text(document, "DRAFT \u2014 not a record until signed by the chair", style="Draft notice")
    text(
        document,
        "For notes during the meeting. The minutes are a record once they are recorded and "
        "the chair has signed them.",
        style="Note",
    )
    tag(document, "endif")
    summary_table(
        document,
        [
            ("Date", "{{ meeting.date|uk_date }}"),
            ("Chair", "{{ record.chair }}"),
            ("Time", "{{ meeting.time }}"),
            ("Venue", "{{ meeting.venue }}"),
            ("Version", '{{ version if version else "Draft" }}'),
            (
                "Signed",
                '{{ (signed.name ~ ", " ~ signed.date|uk_date) if signed else "Not yet signed" }}',
            ),
            ("Minute-taker", '{{ record.minute_taker|default(none)|blank("Not recorded") }}'),
            (
                "Next meeting",
                '{{ meeting.next_date|default(none)|uk_date|blank("To be arranged") }}',
            ),
        ],
    )
    tag(document, "if changes")
    heading(document, "Changes in this version")
    tag(document, "for change in changes")
    text(document, "{{ change }}", style="List Bullet")
    tag(document, "endfor")
    tag(document, "endif")

    people = [
        Column("Name", "{{ p.name }}", 5.0),
        Column("Role", "{{ p.role }}", 6.0),
        Column("Agency", "{{ p.agency }}", 6.0),
    ]
    heading(document, "1. Present and apologies")
    text(document, "Present", style="Field label")
    tag(document, "if draft")
    text(
        document,
        "Strike through anyone absent and list them under apologies; add anyone else present.",
        style="Note",
    )
    tag(document, "endif")
    list_table(document, "p in record.present", people, empty=NOTHING, blank_rows=(2, "draft"))
    text(document, "Apologies", style="Field label")
    list_table(
        document,
        "p in record.apologies",
        people,
        empty="No apologies.",
        show_if="draft or record.apologies",
        blank_rows=(3, "draft"),
    )

    tag(document, "for case in record.cases")
    case_minutes(document, "case", "{{ loop.index + 1 }}. ", draft=True)
    tag(document, "endfor")

    heading(document, "{{ record.cases|length + 2 }}. Strategic safeguarding items")
    tag(document, "if record.strategic_items")
    tag(document, "for s in record.strategic_items")
    heading(document, "{{ s.title }}", level=2)
    minute_text(document, "Notes", "s.notes", draft=True, lines=5)
    text(document, "Actions", style="Field label")
    actions_table(document, "s.actions", draft=True)
    tag(document, "endfor")
    tag(document, "else")
    text(document, "No strategic items.", style="Note")
    tag(document, "endif")

    heading(document, "{{ record.cases|length + 3 }}. Any other business")
    minute_text(
        document,
        None,
        "record.any_other_business",
        draft=True,
        empty="No other business.",
        keep=True,
    )

    tag(document, "if signed")
    signature(document)
    tag(document, "endif")
    save(document, path)


def build_minutes_extract(path: Path) -> None:
    """One child's case from the signed minutes, for their key worker (ToR 13.iv)."""
    document = new_document(
        "Minutes extract for case {{ case.case_id }}, {{ meeting.date|uk_date }}"
    )
    _minutes_styles(document)
    page_header(document, "Minutes extract")
    page_footer(document, "Case {{ case.case_id }}")

    text(document, "Extract from the minutes of the {{ panel.name }}", style="Title")
    text(document, "Meeting of {{ meeting.date|uk_date }}", style="Panel name")
    text(
        document,
        "For {{ key_worker.name }}, {{ key_worker.role }}, {{ key_worker.agency }} "
        "(key worker / lead professional)",
        style="Minute line",
    ).runs[0].bold = True
    summary_table(
        document,
        [
            ("Child", "{{ child.name }}"),
            ("Local ID", "{{ child.local_id }}"),
            ("Case ID", "{{ case.case_id }}"),
            ("Meeting", "{{ meeting.date|uk_date }}"),
            ("Chair", "{{ chair }}"),
            ("Minutes version", "{{ version }}"),
        ],
    )
    text(
        document,
        "This extract holds only this child's case from the signed minutes. Act on the "
        "panel's actions with the core group, keep the extract on the child's record, and "
        "share it only as the child's plan needs.",
        style="Notice",
    )

    heading(document, "1. Present at the meeting")
    list_table(
        document,
        "p in present",
        [
            Column("Name", "{{ p.name }}", 5.0),
            Column("Role", "{{ p.role }}", 6.0),
            Column("Agency", "{{ p.agency }}", 6.0),
        ],
        empty=NOTHING,
    )
    case_minutes(document, "case", "2. ", draft=False)
    signature(document)
    save(document, path)


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


def build_annual_report(path: Path) -> None:
    """The annual report to the Board: scripts/build_annual_template.py, with these helpers."""
    import importlib.util

    script = Path(__file__).with_name("build_annual_template.py")
    spec = importlib.util.spec_from_file_location("build_annual_template", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(path, sys.modules[__name__])


def build_progress_report(path: Path) -> None:
    """A case's progress report: scripts/build_progress_template.py, with these helpers."""
    import importlib.util

    script = Path(__file__).with_name("build_progress_template.py")
    spec = importlib.util.spec_from_file_location("build_progress_template", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(path, sys.modules[__name__])


# The shipped templates, by file name; a new template is one more builder here.
BUILDERS: dict[str, Callable[[Path], None]] = {
    "referral.docx": build_referral,
    "agenda.docx": build_agenda,
    "pack-cover.docx": build_pack_cover,
    "minutes.docx": build_minutes,
    "minutes-extract.docx": build_minutes_extract,
    "progress-report.docx": build_progress_report,
    "annual-report.docx": build_annual_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=TEMPLATES, help="directory to write (default: templates/)"
    )
    parser.add_argument(
        "names", nargs="*", help=f"templates to build (default: all of {list(BUILDERS)})"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BUILDERS))
    if unknown:
        parser.error(f"no builder for {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or BUILDERS:
        BUILDERS[name](args.out / name)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
