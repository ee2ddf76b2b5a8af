"""A blank Word form from its layout: python-docx in the house style, content controls."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.packuri import PackURI
from docx.opc.part import Part as PackagePart
from docx.shared import Cm, Pt
from lxml import etree

from workflow.contract import LABELS
from workflow.core.dates import today
from workflow.core.files import write_atomic
from workflow.documents import house_style as house
from workflow.documents import oxml
from workflow.forms.word.controls import (
    CONTEXT_STYLE,
    HINT_STYLE,
    MARKER,
    add,
    add_bookmark,
    add_control,
    qn,
    text_run,
)
from workflow.forms.word.layout import (
    DATE_EXAMPLE,
    Field,
    FormSpec,
    Part,
    Section,
    parts,
    sections,
)

BLANK_ROWS = 3
# Widths in cm of a table's columns by kind; long text (else text) shares what is left.
NUMBER_CM = 0.8
COLUMN_CM = {"bool": 1.8, "date": 3.0, "text": 3.4}
CHOICE_CM = (2.6, 4.6)  # a list's column: room for its choices in about five lines
CHARACTERS_PER_CM = 4.5  # of a hint's italic 9-point text
MIN_LONG_CM = 5.0
LABEL_CM = 5.0  # the label column of a group, as in the generated documents
TICK_CM = 1.0
ROW_HEIGHT = {"long": Cm(2.5), "table": Cm(1.2), "short": Cm(0.75)}  # room to write by hand
SINGLE_LONG = Cm(4.0)

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

INSTRUCTIONS = [
    "Click in a box and type: the grey hint goes as you type. Answer everything not "
    "marked (optional) or (if any).",
    f"Dates: type them like {DATE_EXAMPLE}, or pick them from the calendar. Boxes with a "
    "list: click and choose. Tick boxes: click to tick. On paper: write in the boxes, "
    "and circle one of the choices a box lists.",
    "Keep the boxes and the layout: they are how the answers are read. Save it as a Word "
    "document (.docx) and send it, with any papers it asks for, to the panel administrator.",
]
# Only on a form with a table the person adds rows to.
ROWS_INSTRUCTION = (
    "Tables: one row each. For more rows, select a whole row, copy it and paste it below; "
    "leave spare rows empty."
)


def write_form(
    out: Path,
    spec: FormSpec,
    *,
    protective_marking: str = "OFFICIAL-SENSITIVE",
    panel_name: str = "Complex Child Panel",
) -> Path:
    """Write a blank, fillable Word form of ``spec`` (content controls) from its model."""
    document = house.new_document(
        spec.title,
        created=datetime.combine(today(), time()),
        subject=f"ccp {spec.kind} form v{spec.version}",
    )
    form_name = spec.title.removeprefix("Complex Child Panel ").capitalize() + " form"
    house.page_header(document, form_name, marking=protective_marking, panel=panel_name)
    house.page_footer(document, form_name, marking=protective_marking)
    _form_styles(document)
    writer = _Writer(document, spec)
    front, *numbered = sections(spec)
    writer.title_block(spec, front, panel_name)
    for section in numbered:
        writer.section(section)
    _add_custom_property(document, MARKER, f"{spec.kind} v{spec.version}")
    oxml.rows_kept_whole(document)
    return write_atomic(Path(out), document.save)


def _form_styles(document: Any) -> None:
    hint = document.styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
    hint.font.italic = True
    hint.font.size = Pt(9)
    hint.font.color.rgb = house.GREY
    if hint.style_id != HINT_STYLE:
        raise ValueError(f"the hint style is {hint.style_id}, not Word's {HINT_STYLE}")
    optional = document.styles.add_style("Form note", WD_STYLE_TYPE.CHARACTER)
    optional.font.bold = False
    optional.font.italic = True
    optional.font.size = Pt(10)
    optional.font.color.rgb = house.GREY
    version = house.paragraph_style(document, "Form version", base="Note")
    version.font.size = Pt(8)
    office = house.paragraph_style(document, "Office use", base="Table text")
    office.font.color.rgb = house.GREY
    context = house.paragraph_style(document, "Form context", base="Table text")
    if context.style_id != CONTEXT_STYLE:
        raise ValueError(f"the context style is {context.style_id}, not {CONTEXT_STYLE}")


class _Writer:
    """Adds the form's paragraphs, tables and answer boxes to a python-docx document."""

    def __init__(self, document: Any, spec: FormSpec):
        self.document = document
        self.spec = spec
        self.numbering = document.part.numbering_part.element
        self.next_id = 1000
        self.next_bookmark = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # the first page

    def title_block(self, spec: FormSpec, front: Section, panel_name: str) -> None:
        document = self.document
        document.add_paragraph(spec.title, style="Title")
        document.add_paragraph(panel_name, style="Panel name")
        if spec.office_use:
            self.office_box(spec.office_use)
        document.add_paragraph("How to fill in this form", style="Field label")
        growing = [
            part
            for part in parts(spec)
            if part.layout == "table" and part.name not in spec.fixed_rows
        ]
        lines = [*INSTRUCTIONS[:2], *([ROWS_INSTRUCTION] if growing else []), *INSTRUCTIONS[2:]]
        for line in lines:
            document.add_paragraph(line, style="List Bullet")
        marker = document.add_paragraph("Form version: ", style="Form version")
        add_control(
            marker._p,
            tag=MARKER,
            alias="Form version",
            control_id=self.new_id(),
            kind="fixed",
            hint=f"{spec.kind} v{spec.version}",
        )
        self.front(front)

    def office_box(self, labels: tuple[str, ...]) -> None:
        """Shaded boxes the administrator writes in (never read back): the case ID."""
        table = house.grid_table(self.document, 2, (3.4, 5.1, 3.4, 5.1))
        title = table.rows[0].cells[0].merge(table.rows[0].cells[3])
        house.fill(title, "For office use", "Table label", house.LABEL_FILL)
        cells = table.rows[1].cells
        for index, label in enumerate(labels[:2]):
            house.fill(cells[2 * index], label, "Table label", house.LABEL_FILL)
            house.fill(cells[2 * index + 1], "", "Office use", house.LABEL_FILL)
        table.rows[1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        table.rows[1].height = Cm(0.8)
        house.keep_on_one_page(table, last=1)
        self.caption(table, "For office use")

    def front(self, front: Section) -> None:
        """The answers before section 1 (the panel meeting), as label and box rows."""
        single = [part for part in front.parts if part.layout == "single"]
        if single:
            widths = (LABEL_CM, house.TEXT_CM - LABEL_CM)
            table = house.grid_table(self.document, len(single), widths)
            for row, part in zip(table.rows, single, strict=True):
                [leaf] = part.fields
                house.fill(row.cells[0], leaf.shown_title, "Table label", house.LABEL_FILL)
                self.answer(row.cells[1], leaf, locked=True)
            house.keep_on_one_page(table, last=len(single) - 1)
            self.caption(table, front.title)
        for part in front.parts:
            if part.layout != "single":
                self.part(part, labelled=True)

    # sections and parts

    def section(self, section: Section) -> None:
        heading = self.document.add_paragraph(
            f"{section.number}. {section.title}", style="Heading 1"
        )
        if section.note:
            heading.add_run(f" {section.note}", style="Form note")
        for part in section.parts:
            self.part(part, labelled=part in section.labelled)

    def part(self, part: Part, *, labelled: bool) -> None:
        if labelled:
            label = self.document.add_paragraph(part.title, style="Field label")
            if part.note:
                label.add_run(f" {part.note}", style="Form note")
        getattr(self, f"_{part.layout}")(part)

    def help(self, text: str) -> None:
        if text:
            self.document.add_paragraph(text, style="Intro")

    def _single(self, part: Part) -> None:
        [leaf] = part.fields
        table = house.grid_table(self.document, 1, (house.TEXT_CM,))
        if leaf.kind == "long":
            _at_least(table.rows[0], SINGLE_LONG)
        self.answer(table.rows[0].cells[0], leaf, locked=True)
        self.caption(table, part.title)

    def _group(self, part: Part) -> None:
        self.help(part.help)
        widths = (LABEL_CM, house.TEXT_CM - LABEL_CM)
        table = house.grid_table(self.document, len(part.fields), widths)
        for row, leaf in zip(table.rows, part.fields, strict=True):
            _at_least(row, ROW_HEIGHT["long" if leaf.kind == "long" else "short"])
            house.fill(row.cells[0], leaf.shown_title, "Table label", house.LABEL_FILL)
            self.answer(row.cells[1], leaf, locked=True)
        house.keep_on_one_page(table, last=len(part.fields) - 1)
        self.caption(table, part.title)

    def _options(self, part: Part) -> None:
        self.help(f"{part.help} Tick every one that applies.")
        widths = (TICK_CM, house.TEXT_CM - TICK_CM)
        table = house.grid_table(self.document, len(part.fields), widths)
        for row, leaf in zip(table.rows, part.fields, strict=True):
            paragraph = house.fill(row.cells[0], "", "Table text")
            add_bookmark(paragraph._p, leaf.bookmark, self.bookmark_number())
            self.control(paragraph, leaf, locked=True, alias=f"{part.title}: {leaf.title}")
            house.fill(row.cells[1], leaf.title, "Table text")
        house.keep_on_one_page(table, last=len(part.fields) - 1)
        self.caption(table, part.title)

    def _table(self, part: Part) -> None:
        notes = [part.help]
        notes += [f"{leaf.title}: {leaf.help}" for leaf in part.fields if leaf.kind == "bool"]
        fixed = part.name in self.spec.fixed_rows
        if not fixed:
            notes.append("One row each; for more rows, copy a row and paste it below.")
        self.help(" ".join(notes))
        widths = [NUMBER_CM, *_column_widths(part.fields, dict(self.spec.column_cm))]
        # Rows kept whole, like the form's other boxes (a row is rarely a page long).
        table = house.grid_table(self.document, 1 + BLANK_ROWS, widths)
        header = table.rows[0]
        oxml.repeat_as_header(header)
        house.fill(header.cells[0], "", "Table heading", house.HEADER_FILL)
        for cell, leaf in zip(header.cells[1:], part.fields, strict=True):
            paragraph = house.fill(cell, "", "Table heading", house.HEADER_FILL)
            add_bookmark(paragraph._p, leaf.bookmark, self.bookmark_number())
            paragraph.add_run(leaf.shown_title)
        number = self.row_numbering()
        for row in table.rows[1:]:
            _at_least(row, ROW_HEIGHT["table"])
            paragraph = house.fill(row.cells[0], "", "Table text")
            _numbered(paragraph, number)
            for cell, leaf in zip(row.cells[1:], part.fields, strict=True):
                paragraph = house.fill(cell, "", "Table text")
                if leaf.kind == "bool":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                # Rows are copied to add entries, so the boxes are left unlocked and the
                # columns are known from the header's bookmarks, not from unique names.
                self.control(paragraph, leaf, locked=False)
        house.keep_on_one_page(table, last=1)
        self.caption(table, part.title)

    # answer boxes

    def answer(self, cell: Any, leaf: Field, *, locked: bool) -> None:
        paragraph = house.fill(cell, "", "Table text")
        add_bookmark(paragraph._p, leaf.bookmark, self.bookmark_number())
        self.control(paragraph, leaf, locked=locked)
        if leaf.kind == "bool" and leaf.help:
            text_run(paragraph._p, f"  {leaf.help}")

    def control(self, paragraph: Any, leaf: Field, *, locked: bool, alias: str = "") -> Any:
        return add_control(
            paragraph._p,
            tag=leaf.path,
            alias=alias or leaf.title,
            control_id=self.new_id(),
            kind=leaf.kind if leaf.kind != "long" else "text",
            hint=leaf.placeholder,
            choices=tuple((code, LABELS[code]) for code in leaf.choices),
            locked=locked,
        )

    def bookmark_number(self) -> int:
        self.next_bookmark += 1
        return self.next_bookmark - 1

    def caption(self, table: Any, text: str) -> None:
        """The table's title for screen readers (Word's Alt Text > Title)."""
        caption = etree.Element(qn("w:tblCaption"))
        caption.set(qn("w:val"), text)
        table._tbl.tblPr.insert_element_before(caption, "w:tblDescription")

    def row_numbering(self) -> str:
        """A numbering list of its own for one table: rows count 1, 2, 3, even when copied."""
        numbering = self.numbering
        abstracts = [
            int(el.get(qn("w:abstractNumId"))) for el in numbering.iter(qn("w:abstractNum"))
        ]
        abstract_id = str(max(abstracts, default=0) + 1)
        nums = [int(el.get(qn("w:numId"))) for el in numbering.iter(qn("w:num"))]
        num_id = str(max(nums, default=0) + 1)
        abstract = etree.SubElement(numbering, qn("w:abstractNum"))
        abstract.set(qn("w:abstractNumId"), abstract_id)
        add(abstract, "w:multiLevelType", {"w:val": "singleLevel"})
        level = add(abstract, "w:lvl", {"w:ilvl": "0"})
        add(level, "w:start", {"w:val": "1"})
        add(level, "w:numFmt", {"w:val": "decimal"})
        add(level, "w:lvlText", {"w:val": "%1."})
        add(level, "w:lvlJc", {"w:val": "left"})
        add(add(level, "w:pPr"), "w:ind", {"w:left": "0", "w:hanging": "0"})
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)  # every abstractNum must precede every num
        num = add(numbering, "w:num", {"w:numId": num_id})
        add(num, "w:abstractNumId", {"w:val": abstract_id})
        return num_id


def _numbered(paragraph: Any, num_id: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = etree.Element(qn("w:numPr"))
    add(numpr, "w:ilvl", {"w:val": "0"})
    add(numpr, "w:numId", {"w:val": num_id})
    ppr.insert_element_before(numpr, "w:suppressLineNumbers", "w:pBdr", *oxml.AFTER_PBDR)


def _at_least(row: Any, height: Any) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = height


def _column_widths(
    columns: tuple[Field, ...], chosen: dict[str, float] | None = None
) -> list[float]:
    """Fixed widths for short answers (or as `chosen` by path); long text shares the rest."""
    chosen = chosen or {}
    room = house.TEXT_CM - NUMBER_CM
    stretch = [leaf for leaf in columns if leaf.kind == "long" and leaf.path not in chosen] or [
        leaf for leaf in columns if leaf.kind == "text" and leaf.path not in chosen
    ]

    def width(leaf: Field) -> float:
        return chosen.get(leaf.path) or _width(leaf)

    fixed = sum(width(leaf) for leaf in columns if leaf not in stretch)
    share = round((room - fixed) / max(len(stretch), 1), 2)
    if stretch and share < (MIN_LONG_CM if stretch[0].kind == "long" else 2.0):
        raise ValueError(f"too many columns for one table: {[leaf.path for leaf in columns]}")
    widths = [share if leaf in stretch else width(leaf) for leaf in columns]
    widths[-1] = round(widths[-1] + room - sum(widths), 2)
    return widths


def _width(leaf: Field) -> float:
    if leaf.kind != "choice":
        return COLUMN_CM[leaf.kind]
    narrow, wide = CHOICE_CM
    return round(min(max(len(leaf.placeholder) / CHARACTERS_PER_CM / 5, narrow), wide), 1)


def _add_custom_property(document: Any, name: str, value: str) -> None:
    """docProps/custom.xml: Word and LibreOffice both keep custom properties on save."""
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property")
    prop.set("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")  # user-defined properties
    prop.set("pid", "2")
    prop.set("name", name)
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    part = PackagePart(PackURI("/docProps/custom.xml"), CUSTOM_TYPE, blob, package)
    package.relate_to(part, CUSTOM_REL)
