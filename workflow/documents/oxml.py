"""WordprocessingML by hand, where python-docx has no API: borders, shading, fields,
bookmarks, row and table properties.

The one place ccp writes Word XML for its documents; the house style decides colours and
sizes and calls these. (The Word forms keep their content-control XML in ``forms/word``.)
"""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph


def outline_level(style: ParagraphStyle, level: int) -> None:
    """The style is a heading of `level` (1-9) for navigation, tags and PDF bookmarks."""
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    style.element.get_or_add_pPr().insert_element_before(
        outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def plain(style: ParagraphStyle) -> ParagraphStyle:
    """Drop a built-in style's theme fonts and colours so the house font and colour apply."""
    rpr = style.element.get_or_add_rPr()
    for child in rpr.findall(qn("w:rFonts")):
        rpr.remove(child)
    ppr = style.element.pPr
    if ppr is not None:
        for child in ppr.findall(qn("w:pBdr")):
            ppr.remove(child)
    return style


def document_defaults(document: DocumentObject, font: str) -> None:
    # python-docx has no API for docDefaults: one font for every script (Arabic and Hebrew
    # text uses the complex-script slot), and British English for spelling and dates.
    rpr = (
        document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    fonts = rpr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")


def border(tag: str, color: str, size: int, space: int = 1) -> Any:
    edge = OxmlElement(tag)
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    return edge


# Elements that follow w:pBdr in a w:pPr (the schema fixes the order; Word enforces it).
AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def rule_below(ppr: Any, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(border("w:bottom", color, size, space=2))
    ppr.insert_element_before(borders, *AFTER_PBDR)


def rule_left(ppr: Any, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(border("w:left", color, size, space=8))
    ppr.insert_element_before(borders, *AFTER_PBDR)


def rule_above(ppr: Any, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    borders.append(border("w:top", color, size, space=6))
    ppr.insert_element_before(borders, *AFTER_PBDR)


def box(ppr: Any, color: str, size: int) -> None:
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        borders.append(border(f"w:{edge}", color, size, space=4))
    ppr.insert_element_before(borders, *AFTER_PBDR)


def panel(style: ParagraphStyle, color: str, fill: str) -> None:
    """A box round, and shading behind, consecutive paragraphs of the style (one panel)."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        borders.append(border(f"w:{edge}", color, 4, space=4))
    ppr.insert_element_before(borders, *AFTER_PBDR)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    ppr.insert_element_before(shading, *AFTER_PBDR[1:])


def field(paragraph: Paragraph, instruction: str) -> None:
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


def shade(cell: _Cell, fill_colour: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill_colour)
    cell._tc.get_or_add_tcPr().insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def repeat_as_header(row: _Row) -> None:
    """Repeat the row at the top of each page the table runs onto."""
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = Cm(0.6)
    row._tr.get_or_add_trPr().insert_element_before(
        OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc", "w:hidden"
    )


def keep_together(row: _Row) -> None:
    # A short row split over two pages strands a word or two on the next page.
    properties = row._tr.get_or_add_trPr()
    if properties.find(qn("w:cantSplit")) is not None:
        return
    properties.insert_element_before(
        OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc"
    )


# What may come before w:cantSplit in a w:trPr (the schema fixes the order).
_BEFORE_CANT_SPLIT = {
    qn(f"w:{name}")
    for name in ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter")
}
_TR_PR = qn("w:trPr")
_TBL_PR_EX = qn("w:tblPrEx")
_CANT_SPLIT = qn("w:cantSplit")


def rows_kept_whole(document: Any) -> int:
    """Every table row of `document` moves to the next page whole rather than breaking.

    An action's text on one page and its due date on the next is a record misread, so
    every row of every table ccp makes, and of every paper merged into a pack, is kept
    whole. A row taller than a page still runs on (Word and LibreOffice both break it
    rather than lose text). `document` is a python-docx Document or any lxml element
    (a body); returns how many rows were changed.
    """
    root = getattr(getattr(document, "element", None), "body", document)
    changed = 0
    for row in root.iter(qn("w:tr")):
        properties = row.find(_TR_PR)
        if properties is None:
            properties = row.makeelement(_TR_PR, {})
            exceptions = row.find(_TBL_PR_EX)
            row.insert(0 if exceptions is None else row.index(exceptions) + 1, properties)
        elif properties.find(_CANT_SPLIT) is not None:
            continue
        position = 0
        for index, child in enumerate(properties):
            if child.tag in _BEFORE_CANT_SPLIT:
                position = index + 1
        properties.insert(position, properties.makeelement(_CANT_SPLIT, {}))
        changed += 1
    return changed


CELL_PADDING = 100  # twips either side of a cell's text


def table_look(table: Table, border_colour: str) -> None:
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
        borders.append(border(f"w:{edge}", border_colour, 4, space=0))
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


def cached_field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A Word field (PAGEREF, PAGE ...) showing `cached` until it is updated."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(cached)
    char("end")


def bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(0, start) if paragraph._p.pPr is None else paragraph._p.pPr.addnext(start)
    paragraph._p.append(end)


def update_fields_on_open(document: DocumentObject) -> None:
    """Ask Word to refresh the contents' page numbers when the pack is opened."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        settings.append(element)


# The order WordprocessingML requires inside <w:tcPr>. docxtpl's {% cellbg %} puts the
# shading first; LibreOffice does not mind, but Word may call the file damaged.
_TC_PR_ORDER = [
    qn(f"w:{name}")
    for name in (
        "cnfStyle",
        "tcW",
        "gridSpan",
        "hMerge",
        "vMerge",
        "tcBorders",
        "shd",
        "noWrap",
        "tcMar",
        "textDirection",
        "tcFitText",
        "vAlign",
        "hideMark",
        "headers",
        "cellIns",
        "cellDel",
        "cellMerge",
        "tcPrChange",
    )
]


def cell_properties_in_schema_order(body: Any) -> None:
    rank = {tag: index for index, tag in enumerate(_TC_PR_ORDER)}
    for properties in body.iter(f"{qn('w:tcPr')}"):
        children = list(properties)
        ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
        if ordered != children:
            for child in children:
                properties.remove(child)
            properties.extend(ordered)
