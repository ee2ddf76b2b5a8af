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
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
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
    properties.title = title
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

    empty = _paragraph_style(document, "Note")
    empty.font.italic = True
    empty.font.color.rgb = GREY

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


def bullets(document: DocumentObject, loop: str, item: str) -> None:
    tag(document, f"if {loop.split(' in ', 1)[1]}")
    tag(document, f"for {loop}")
    text(document, item, style="List Bullet")
    tag(document, "endfor")
    tag(document, "else")
    text(document, NONE_RECORDED, style="Note")
    tag(document, "endif")


@dataclass(frozen=True)
class Column:
    title: str
    value: str  # the cell's template text, e.g. "{{ a.title }}"
    width: float  # cm
    long: bool = False  # free text that may run past a page (LongText in the models)


def list_table(document: DocumentObject, loop: str, columns: Sequence[Column]) -> None:
    """One row per item of a list (`loop` is Jinja's "x in xs"), or a line saying none.

    The header row repeats on every page; a row per item comes from {%tr for %}.
    """
    items = loop.split(" in ", 1)[1]
    tag(document, f"if {items}")
    long = any(column.long for column in columns)
    table = _table(document, 4, [column.width for column in columns], rows_split=long)
    header, opening, row, closing = table.rows
    _repeat_as_header(header)
    for cell, column in zip(header.cells, columns, strict=True):
        _fill(cell, column.title, "Table heading", HEADER_FILL)
    _fill(opening.cells[0], f"{{%tr for {loop} %}}", "Table text")
    for cell, column in zip(row.cells, columns, strict=True):
        _fill(cell, column.value, "Table text")
    _fill(closing.cells[0], "{%tr endfor %}", "Table text")
    tag(document, "else")
    text(document, NONE_RECORDED, style="Note")
    tag(document, "endif")


def label_table(
    document: DocumentObject,
    rows: Sequence[tuple[str, str] | str],
    widths: Sequence[float] = (5.0, 12.0),
) -> Table:
    """Label and value rows; a bare string is a {%tr ... %} row (if/endif around rows)."""
    table = _table(document, len(rows), widths)
    for table_row, row in zip(table.rows, rows, strict=True):
        if isinstance(row, str):
            _fill(table_row.cells[0], f"{{%tr {row} %}}", "Table text")
            continue
        label, value = row
        _fill(table_row.cells[0], label, "Table label", LABEL_FILL)
        _fill(table_row.cells[1], value, "Table text")
    _keep_on_one_page(table, last=max(i for i, row in enumerate(rows) if not isinstance(row, str)))
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
    document = new_document("Complex Child Panel referral")
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
        style="Note",
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


# The shipped templates, by file name; a new template is one more builder here.
BUILDERS: dict[str, Callable[[Path], None]] = {
    "referral.docx": build_referral,
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
