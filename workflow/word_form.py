"""The referral as a fillable Word form generated from the model, and reading it back."""

from __future__ import annotations

import calendar
import functools
import hashlib
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic.fields import FieldInfo

from .blank_forms import _is_enum, _is_model, _unwrap
from .dates import uk_date
from .docx_safety import (
    FORM_LIMITS,
    OLE2_MAGIC,
    ZIP_MAGIC,
    main_document,
    open_zip,
    package_targets,
    part_name,
    read_bounded,
    xml_part,
)
from .errors import FileUnreadable, FormInvalid, Problem
from .files import write_atomic
from .models import LABELS, Referral

FORM_KIND = "referral"
FORM_VERSION = 1
MARKER = "ccp-form"  # custom document property and the tag of the version control
TEMPLATE_HINT = "fill in the form from `ccp referral template --format docx`"


@dataclass(frozen=True)
class FormSpec:
    """One kind of Word form generated from a model: its model, title, marker and command."""

    kind: str  # the marker's first word: 'referral v1'
    model: Any
    title: str
    command: str  # writes a blank one, e.g. `ccp referral template --format docx`
    version: int = 1

    @property
    def hint(self) -> str:
        return f"fill in the form from `{self.command}`"


REFERRAL_FORM = FormSpec(
    FORM_KIND, Referral, "Complex Child Panel referral", "ccp referral template --format docx"
)

LONG_TEXT = 20_000  # max_length of models.LongText: those answers get a multi-line box
BLANK_ROWS = 3

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_PREFIXES = {"w": W, "w14": W14, "xml": XML_NS}


CHECKED, UNCHECKED = "\u2612", "\u2610"
BOX_FONT = "MS Gothic"  # what Word itself uses for check box glyphs

# A4 with 2 cm margins leaves 17 cm of line: widths are in twentieths of a point.
CM = 567
PAGE_WIDTH = 9638
LABEL_WIDTH = 6 * CM
COLUMN_WIDTHS = {"bool": 1020, "date": 1701, "choice": 2041, "text": 1984}
NUMBER_WIDTH = 454
MIN_LONG_WIDTH = 5 * CM

GRID_COLOUR = "8C8C8C"
HINT_COLOUR = "6E6E6E"
FONT = "Arial"
LABEL_FILL = "F2F2F2"
HEADER_FILL = "DCE6F2"


def _qn(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_PREFIXES[prefix]}}}{local}"


# --- the form's fields, from the model ---------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One answer box: its tag (field path) and how it is shown and read."""

    path: str  # 'child.name', 'risks[].level', 'outcomes_sought[]', 'criteria[]=high_risk'
    key: str  # its key in the mapping it belongs to ('' for an entry of a list of text)
    title: str
    help: str
    kind: str  # text, long, date, choice or bool
    choices: tuple[str, ...] = ()
    optional: bool = False

    @property
    def is_column(self) -> bool:
        return "[]" in self.path and "=" not in self.path

    @property
    def list_name(self) -> str:
        return self.path.split("[]", 1)[0]

    @property
    def placeholder(self) -> str:
        if self.kind == "choice":
            return f"{self.help.rstrip('.')} (choose from the list)."
        return self.help

    @property
    def shown_title(self) -> str:
        return f"{self.title} (optional)" if self.optional else self.title

    @property
    def bookmark(self) -> str:
        # LibreOffice drops w:tag but keeps bookmarks, so every box is also bookmarked.
        # A leading underscore hides it from Word's bookmark list; Word allows 40 characters.
        name = "_ccp_" + re.sub(r"\W+", "_", self.path).strip("_")
        if len(name) > 40:
            name = f"{name[:31]}_{hashlib.sha1(self.path.encode()).hexdigest()[:8]}"
        return name


@dataclass(frozen=True)
class _Section:
    """One numbered heading of the form: a top-level field of the referral."""

    number: int
    name: str
    title: str
    help: str
    layout: str  # single, group, table or options
    fields: tuple[_Field, ...]
    optional: bool
    item: str = ""  # what one table row is, e.g. 'Risk'


def _kind(info: FieldInfo) -> tuple[str, tuple[str, ...]]:
    inner, _ = _unwrap(info.annotation)
    if inner is bool:
        return "bool", ()
    if inner is date:
        return "date", ()
    if _is_enum(inner):
        return "choice", tuple(member.value for member in inner)
    if inner is str:
        return ("long" if _max_length(info) >= LONG_TEXT else "text"), ()
    raise TypeError(f"the Word form has no answer box for {info.annotation!r}")


def _max_length(info: FieldInfo) -> int:
    """The longest text allowed, from the field's constraints or inside its Annotated type."""
    found = [getattr(item, "max_length", None) for item in info.metadata]
    stack: list[Any] = [info.annotation]
    while stack:
        annotation = stack.pop()
        found += [
            getattr(item, "max_length", None) for item in getattr(annotation, "__metadata__", ())
        ]
        stack.extend(typing.get_args(annotation))
    return max((n for n in found if isinstance(n, int)), default=0)


# The model's help is written for YAML: in Word a box is ticked and a date picked.
_WORDING: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"\bISO date\b"), "Date"),
    (re.compile(r"\btrue (if|for)\b"), r"Tick \1"),
    (re.compile(r";\s*false if [^.;]*"), ""),
    (re.compile(r"\b(\d{4}-\d{2}-\d{2})\b"), lambda m: uk_date(date.fromisoformat(m[1]))),
]


def _word_help(text: str, columns: dict[str, str] | None = None) -> str:
    for pattern, replacement in _WORDING:
        text = pattern.sub(replacement, text)
    for name, title in (columns or {}).items():
        text = re.sub(
            rf"\bmark exactly one {name}: true\b", f"tick {title} in exactly one row", text
        )
    return text


def _item_name(kind: Any, title: str) -> str:
    """'Risk' for list[Risk], 'Process tried' for list[ProcessTried]; 'Outcome sought'."""
    if _is_model(kind):
        words = re.findall(r"[A-Z][a-z]*", kind.__name__)
        return " ".join([words[0], *(word.lower() for word in words[1:])])
    first, _, rest = title.partition(" ")
    if first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


def _leaf(path: str, key: str, info: FieldInfo, columns: dict[str, str] | None = None) -> _Field:
    kind, choices = _kind(info)
    return _Field(
        path=path,
        key=key,
        title=str(info.title),
        help=_word_help(str(info.description), columns),
        kind=kind,
        choices=choices,
        optional=not info.is_required(),
    )


@functools.cache
def _sections(spec: FormSpec = REFERRAL_FORM) -> tuple[_Section, ...]:
    """The form's layout, walked from the model's fields in their (terms-of-reference) order."""
    sections = []
    for number, (name, info) in enumerate(spec.model.model_fields.items(), start=1):
        inner, is_list = _unwrap(info.annotation)
        optional = not info.is_required()
        title, help_text = str(info.title), str(info.description)
        if is_list and _is_model(inner):
            titles = {key: str(sub.title) for key, sub in inner.model_fields.items()}
            columns = tuple(
                _leaf(f"{name}[].{key}", key, sub) for key, sub in inner.model_fields.items()
            )
            for column in columns:
                if column.kind not in COLUMN_WIDTHS and column.kind != "long":
                    raise TypeError(f"the Word form has no table column for {column.path}")
            layout, fields = "table", columns
            help_text = _word_help(help_text, titles)
            item = _item_name(inner, title)
        elif is_list and _is_enum(inner):
            layout, item = "options", ""
            fields = tuple(
                _Field(f"{name}[]={member.value}", member.value, LABELS[member.value], "", "bool")
                for member in inner
            )
        elif is_list:
            column = _leaf(f"{name}[]", "", info)
            layout, item = "table", _item_name(inner, title)
            fields = (_Field(column.path, "", item, column.help, column.kind),)
        elif _is_model(inner):
            layout, item = "group", ""
            fields = tuple(
                _leaf(f"{name}.{key}", key, sub) for key, sub in inner.model_fields.items()
            )
            for leaf in fields:
                if _unwrap(inner.model_fields[leaf.key].annotation)[1]:
                    raise TypeError(f"the Word form has no layout for a list in {leaf.path}")
        else:
            layout, item = "single", ""
            fields = (_leaf(name, name, info),)
        sections.append(
            _Section(number, name, title, _word_help(help_text), layout, fields, optional, item)
        )
    return tuple(sections)


@functools.cache
def _fields_by_name(spec: FormSpec = REFERRAL_FORM) -> dict[str, _Field]:
    """Every answer box by its tag and by its bookmark name."""
    found: dict[str, _Field] = {}
    for section in _sections(spec):
        for leaf in section.fields:
            for name in (leaf.path, leaf.bookmark):
                if found.setdefault(name, leaf) is not leaf:
                    raise ValueError(f"{leaf.path} and {found[name].path} share the name {name}")
    return found


@functools.cache
def _labels(spec: FormSpec = REFERRAL_FORM) -> dict[str, str]:
    """The label a practitioner saw, by field path pattern ('risks[].level' for a cell)."""
    single_titles = [
        leaf.title
        for section in _sections(spec)
        if section.layout in ("single", "group")
        for leaf in section.fields
    ]
    labels: dict[str, str] = {}
    for section in _sections(spec):
        labels[section.name] = section.title
        for leaf in section.fields:
            if section.layout == "table":
                labels[leaf.path] = f"{section.item} {{n}}" + (
                    f": {leaf.title}" if leaf.key else ""
                )
            elif section.layout == "group":
                ambiguous = single_titles.count(leaf.title) > 1
                labels[leaf.path] = f"{section.title}: {leaf.title}" if ambiguous else leaf.title
        if section.layout == "table":
            labels[f"{section.name}[]"] = f"{section.item} {{n}}"
        elif section.layout == "options":
            labels[f"{section.name}[]"] = section.title
    return labels


def form_label(field: str, spec: FormSpec = REFERRAL_FORM) -> str | None:
    """The Word form's label for a field path: 'risks[2].level' -> 'Risk 2: Level'."""
    match = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", field)
    if not match:
        return None
    name, number, key = match.groups()
    pattern = name + ("[]" if number else "") + (f".{key}" if key else "")
    label = _labels(spec).get(pattern)
    if label is None and number and key is None:
        label = _labels(spec).get(f"{name}[]")
    return label.replace("{n}", number or "") if label else None


# --- writing the form --------------------------------------------------------------------


def _add(
    parent: Any, name: str, attrs: dict[str, str] | None = None, text: str | None = None
) -> Any:
    element = etree.SubElement(parent, _qn(name))
    for key, value in (attrs or {}).items():
        element.set(_qn(key), value)
    if text is not None:
        element.text = text
    return element


class _Writer:
    """Builds the body of the form inside a python-docx document."""

    def __init__(self, document: Any):
        self.body = document.element.body
        self.sect_pr = self.body.find(_qn("w:sectPr"))
        self.numbering = document.part.numbering_part.element
        self.next_id = 1000
        self.next_bookmark = 1

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def block(self, name: str) -> Any:
        element = _add(self.body, name)
        self.sect_pr.addprevious(element)
        return element

    # paragraphs

    def paragraph(
        self, parent: Any, text: str = "", style: str | None = None, *, keep_next: bool = False
    ) -> Any:
        p = self.block("w:p") if parent is None else _add(parent, "w:p")
        ppr = _add(p, "w:pPr")
        if style:
            _add(ppr, "w:pStyle", {"w:val": style})
        if keep_next:
            _add(ppr, "w:keepNext")
        if text:
            self.run(p, text)
        return p

    def run(self, p: Any, text: str, *, style: str | None = None, hint: bool = False) -> Any:
        r = _add(p, "w:r")
        if style or hint:
            rpr = _add(r, "w:rPr")
            if style:
                _add(rpr, "w:rStyle", {"w:val": style})
            if hint:
                # Direct colour too: LibreOffice drops the character style inside text boxes.
                _add(rpr, "w:color", {"w:val": HINT_COLOUR})
        t = _add(r, "w:t", text=text)
        t.set(_qn("xml:space"), "preserve")
        return r

    # tables

    def table(self, widths: list[int], caption: str) -> Any:
        tbl = self.block("w:tbl")
        pr = _add(tbl, "w:tblPr")
        _add(pr, "w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"})
        borders = _add(pr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _add(borders, f"w:{side}", {"w:val": "single", "w:sz": "4", "w:color": GRID_COLOUR})
        _add(pr, "w:tblLayout", {"w:type": "fixed"})
        margins = _add(pr, "w:tblCellMar")
        for side, width in (("top", "40"), ("left", "85"), ("bottom", "40"), ("right", "85")):
            _add(margins, f"w:{side}", {"w:w": width, "w:type": "dxa"})
        _add(pr, "w:tblLook", {"w:val": "0000"})
        _add(pr, "w:tblCaption", {"w:val": caption})
        grid = _add(tbl, "w:tblGrid")
        for width in widths:
            _add(grid, "w:gridCol", {"w:w": str(width)})
        return tbl

    def row(self, tbl: Any, *, header: bool = False, height: int = 0) -> Any:
        tr = _add(tbl, "w:tr")
        pr = _add(tr, "w:trPr")
        _add(pr, "w:cantSplit")
        if height:
            _add(pr, "w:trHeight", {"w:val": str(height), "w:hRule": "atLeast"})
        if header:
            _add(pr, "w:tblHeader")
        return tr

    def cell(self, tr: Any, width: int, *, fill: str | None = None) -> Any:
        tc = _add(tr, "w:tc")
        pr = _add(tc, "w:tcPr")
        _add(pr, "w:tcW", {"w:w": str(width), "w:type": "dxa"})
        if fill:
            _add(pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill})
        return tc

    def keep_together(self, rows: list[Any]) -> None:
        """Keep-with-next on every row but the last, so a short table is not split."""
        for tr in rows[:-1]:
            for p in tr.iter(_qn("w:p")):
                ppr = p.find(_qn("w:pPr"))
                style = ppr.find(_qn("w:pStyle"))
                keep = etree.SubElement(ppr, _qn("w:keepNext"))
                if style is not None:
                    style.addnext(keep)
                else:
                    ppr.insert(0, keep)

    def numbered(self, tc: Any, num_id: str) -> Any:
        p = _add(tc, "w:p")
        ppr = _add(p, "w:pPr")
        _add(ppr, "w:pStyle", {"w:val": "FormCell"})
        numpr = _add(ppr, "w:numPr")
        _add(numpr, "w:ilvl", {"w:val": "0"})
        _add(numpr, "w:numId", {"w:val": num_id})
        return p

    def row_numbering(self) -> str:
        """A numbering list of its own for one table: rows count 1, 2, 3, even when copied."""
        existing = [
            int(el.get(_qn("w:abstractNumId"))) for el in self.numbering.iter(_qn("w:abstractNum"))
        ]
        abstract_id = str(max(existing, default=0) + 1)
        nums = [int(el.get(_qn("w:numId"))) for el in self.numbering.iter(_qn("w:num"))]
        num_id = str(max(nums, default=0) + 1)
        abstract = etree.SubElement(self.numbering, _qn("w:abstractNum"))
        abstract.set(_qn("w:abstractNumId"), abstract_id)
        _add(abstract, "w:multiLevelType", {"w:val": "singleLevel"})
        lvl = _add(abstract, "w:lvl", {"w:ilvl": "0"})
        _add(lvl, "w:start", {"w:val": "1"})
        _add(lvl, "w:numFmt", {"w:val": "decimal"})
        _add(lvl, "w:lvlText", {"w:val": "%1."})
        _add(lvl, "w:lvlJc", {"w:val": "left"})
        _add(_add(lvl, "w:pPr"), "w:ind", {"w:left": "0", "w:hanging": "0"})
        first_num = self.numbering.find(_qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)  # every abstractNum must precede every num
        num = _add(self.numbering, "w:num", {"w:numId": num_id})
        _add(num, "w:abstractNumId", {"w:val": abstract_id})
        return num_id

    # answer boxes

    def bookmark(self, p: Any, leaf: _Field) -> None:
        number = str(self.next_bookmark)
        self.next_bookmark += 1
        _add(p, "w:bookmarkStart", {"w:id": number, "w:name": leaf.bookmark})
        _add(p, "w:bookmarkEnd", {"w:id": number})

    def control(self, p: Any, leaf: _Field, *, locked: bool, alias: str | None = None) -> Any:
        sdt = _add(p, "w:sdt")
        pr = _add(sdt, "w:sdtPr")
        _add(pr, "w:alias", {"w:val": alias or leaf.title})
        _add(pr, "w:tag", {"w:val": leaf.path})
        _add(pr, "w:id", {"w:val": self.new_id()})
        if locked:
            _add(pr, "w:lock", {"w:val": "sdtLocked"})
        if leaf.kind != "bool":
            _add(pr, "w:showingPlcHdr")
        if leaf.kind in ("text", "long"):
            _add(pr, "w:text", {"w:multiLine": "1"} if leaf.kind == "long" else None)
        elif leaf.kind == "date":
            picker = _add(pr, "w:date")
            _add(picker, "w:dateFormat", {"w:val": "d MMMM yyyy"})
            _add(picker, "w:lid", {"w:val": "en-GB"})
            _add(picker, "w:storeMappedDataAs", {"w:val": "date"})
            _add(picker, "w:calendar", {"w:val": "gregorian"})
        elif leaf.kind == "choice":
            listing = _add(pr, "w:dropDownList")
            for code in leaf.choices:
                _add(listing, "w:listItem", {"w:displayText": LABELS[code], "w:value": code})
        else:
            box = _add(pr, "w14:checkbox")
            _add(box, "w14:checked", {"w14:val": "0"})
            _add(box, "w14:checkedState", {"w14:val": f"{ord(CHECKED):04X}", "w14:font": BOX_FONT})
            _add(
                box,
                "w14:uncheckedState",
                {"w14:val": f"{ord(UNCHECKED):04X}", "w14:font": BOX_FONT},
            )
        content = _add(sdt, "w:sdtContent")
        if leaf.kind == "bool":
            r = _add(content, "w:r")
            rpr = _add(r, "w:rPr")
            _add(rpr, "w:rFonts", {k: BOX_FONT for k in ("w:ascii", "w:eastAsia", "w:hAnsi")})
            _add(rpr, "w:sz", {"w:val": "24"})
            _add(r, "w:t", text=UNCHECKED)
        else:
            self.run(content, leaf.placeholder, style="PlaceholderText", hint=True)
        return sdt

    def answer(self, tc: Any, leaf: _Field, *, locked: bool, bookmark: bool) -> None:
        p = self.paragraph(tc, style="FormCell")
        if bookmark:
            self.bookmark(p, leaf)
        self.control(p, leaf, locked=locked)
        if leaf.kind == "bool" and leaf.help:
            self.run(p, f"  {leaf.help}")

    def version_marker(self, spec: FormSpec = REFERRAL_FORM) -> None:
        """A locked box tagged ccp-form: the version travels with the text if it is copied."""
        p = self.paragraph(None, "Form version: ", "FormSmall")
        sdt = _add(p, "w:sdt")
        pr = _add(sdt, "w:sdtPr")
        _add(pr, "w:alias", {"w:val": "Form version"})
        _add(pr, "w:tag", {"w:val": MARKER})
        _add(pr, "w:id", {"w:val": self.new_id()})
        _add(pr, "w:lock", {"w:val": "sdtContentLocked"})
        _add(pr, "w:text")
        self.run(_add(sdt, "w:sdtContent"), f"{spec.kind} v{spec.version}")

    # sections

    def heading(self, section: _Section) -> None:
        p = self.paragraph(None, f"{section.number}. {section.title}", "Heading1", keep_next=True)
        if section.optional:
            self.run(p, " (optional)", style="FormOptional")

    def help(self, text: str) -> None:
        self.paragraph(None, text, "FormHelp", keep_next=True)

    def section(self, section: _Section) -> None:
        self.heading(section)
        getattr(self, f"_{section.layout}")(section)

    def _single(self, section: _Section) -> None:
        [leaf] = section.fields
        tbl = self.table([PAGE_WIDTH], section.title)
        tr = self.row(tbl, height=2268 if leaf.kind == "long" else 0)
        self.answer(self.cell(tr, PAGE_WIDTH), leaf, locked=True, bookmark=True)

    def _group(self, section: _Section) -> None:
        self.help(section.help)
        answer_width = PAGE_WIDTH - LABEL_WIDTH
        tbl = self.table([LABEL_WIDTH, answer_width], section.title)
        for leaf in section.fields:
            tr = self.row(tbl, height=1417 if leaf.kind == "long" else 0)
            label = self.cell(tr, LABEL_WIDTH, fill=LABEL_FILL)
            self.paragraph(label, leaf.shown_title, "FormLabel")
            self.answer(self.cell(tr, answer_width), leaf, locked=True, bookmark=True)
        self.keep_together(tbl.findall(_qn("w:tr")))

    def _options(self, section: _Section) -> None:
        self.help(f"{section.help} Tick every one that applies.")
        box_width = 680
        tbl = self.table([box_width, PAGE_WIDTH - box_width], section.title)
        for leaf in section.fields:
            tr = self.row(tbl)
            p = self.paragraph(self.cell(tr, box_width), style="FormCell")
            self.bookmark(p, leaf)
            self.control(p, leaf, locked=True, alias=f"{section.title}: {leaf.title}")
            self.paragraph(self.cell(tr, PAGE_WIDTH - box_width), leaf.title, "FormCell")
        self.keep_together(tbl.findall(_qn("w:tr")))

    def _table(self, section: _Section) -> None:
        notes = [section.help]
        notes += [f"{leaf.title}: {leaf.help}" for leaf in section.fields if leaf.kind == "bool"]
        notes.append("One row each; for more rows, copy a row and paste it below.")
        self.help(" ".join(notes))
        widths = [NUMBER_WIDTH, *_column_widths(section.fields)]
        tbl = self.table(widths, section.title)
        header = self.row(tbl, header=True)
        self.paragraph(self.cell(header, NUMBER_WIDTH, fill=HEADER_FILL), "", "FormLabel")
        for leaf, width in zip(section.fields, widths[1:], strict=True):
            p = self.paragraph(self.cell(header, width, fill=HEADER_FILL), style="FormLabel")
            self.bookmark(p, leaf)
            self.run(p, leaf.shown_title)
        num_id = self.row_numbering()
        first_row = None
        for _ in range(BLANK_ROWS):
            tr = self.row(tbl, height=680)
            first_row = first_row if first_row is not None else tr
            self.numbered(self.cell(tr, NUMBER_WIDTH), num_id)
            for leaf, width in zip(section.fields, widths[1:], strict=True):
                p = self.paragraph(self.cell(tr, width), style="FormCell")
                if leaf.kind == "bool":
                    ppr = p.find(_qn("w:pPr"))
                    _add(ppr, "w:jc", {"w:val": "center"})
                # Rows are copied to add entries, so the boxes are left unlocked and the
                # columns are known from the header's bookmarks, not from unique names.
                self.control(p, leaf, locked=False)
        self.keep_together([header, first_row])


def _column_widths(columns: tuple[_Field, ...]) -> list[int]:
    """Fixed widths for short answers; long text shares what is left (or text does)."""
    room = PAGE_WIDTH - NUMBER_WIDTH
    stretch = [leaf for leaf in columns if leaf.kind == "long"] or [
        leaf for leaf in columns if leaf.kind == "text"
    ]
    fixed = sum(COLUMN_WIDTHS[leaf.kind] for leaf in columns if leaf not in stretch)
    share = (room - fixed) // max(len(stretch), 1)
    if stretch and share < (MIN_LONG_WIDTH if stretch[0].kind == "long" else 1000):
        raise ValueError(f"too many columns for one table: {[leaf.path for leaf in columns]}")
    widths = [share if leaf in stretch else COLUMN_WIDTHS[leaf.kind] for leaf in columns]
    widths[-1] += room - sum(widths)
    return widths


INSTRUCTIONS = [
    "Click in a box and type: the grey hint goes as you type. Fill in everything not "
    "marked (optional).",
    "Dates: pick from the calendar, or type them like 14/01/2027. Boxes with a list: click "
    "and choose. Tick boxes: click to tick.",
    "Tables: one row each. For more rows, select a whole row, copy it and paste it below; "
    "leave spare rows empty.",
    "Keep the boxes and the layout: they are how the answers are read. Save as a Word "
    "document (.docx) and send it to the panel administrator.",
]


def write_referral_form(out: Path, *, protective_marking: str = "OFFICIAL-SENSITIVE") -> Path:
    """Write a blank, fillable Word referral form (content controls) generated from the model."""
    return write_form(out, REFERRAL_FORM, protective_marking=protective_marking)


def write_form(
    out: Path, spec: FormSpec, *, protective_marking: str = "OFFICIAL-SENSITIVE"
) -> Path:
    """Write a blank, fillable Word form of ``spec`` (content controls) from its model."""
    import docx  # the writer alone needs python-docx; reading uses lxml only

    out = Path(out)
    document = docx.Document()
    _page_setup(document, protective_marking, spec.title)
    _styles(document)
    writer = _Writer(document)
    writer.paragraph(None, spec.title, "Title")
    writer.paragraph(None, "How to fill in this form", "FormLabel", keep_next=True)
    for line in INSTRUCTIONS:
        writer.paragraph(None, line, "ListBullet")
    writer.version_marker(spec)
    for section in _sections(spec):
        writer.section(section)

    core = document.core_properties
    core.title = spec.title
    core.subject = f"ccp {spec.kind} form v{spec.version}"
    core.author = "ccp"
    _add_custom_property(document, MARKER, f"{spec.kind} v{spec.version}")

    return write_atomic(out, document.save)


def _page_setup(document: Any, protective_marking: str, title: str = REFERRAL_FORM.title) -> None:
    from docx.shared import Cm

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1)
    header = section.header._element
    for p in header.findall(_qn("w:p")):
        header.remove(p)
    p = _add(header, "w:p")
    ppr = _add(p, "w:pPr")
    _add(ppr, "w:jc", {"w:val": "center"})
    r = _add(p, "w:r")
    _add(_add(r, "w:rPr"), "w:b")
    _add(r, "w:t", text=protective_marking)

    footer = section.footer._element
    for p in footer.findall(_qn("w:p")):
        footer.remove(p)
    p = _add(footer, "w:p")
    ppr = _add(p, "w:pPr")
    _add(ppr, "w:pStyle", {"w:val": "FormSmall"})
    _add(ppr, "w:jc", {"w:val": "center"})
    for text, field in (
        (f"{protective_marking}  \u00b7  {title}  \u00b7  Page ", "PAGE"),
        (" of ", "NUMPAGES"),
    ):
        t = _add(_add(p, "w:r"), "w:t", text=text)
        t.set(_qn("xml:space"), "preserve")
        simple = _add(p, "w:fldSimple", {"w:instr": f" {field} "})
        _add(_add(simple, "w:r"), "w:t", text="1")


def _styles(document: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = document.styles
    defaults = styles.element.find(_qn("w:docDefaults"))
    for lang in defaults.iter(_qn("w:lang")):
        lang.set(_qn("w:val"), "en-GB")
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1

    # Arial, not the theme's Cambria: plain forms read better in a sans face, and Liberation
    # Sans stands in for it with the same metrics where Arial is missing.
    for name in ("Normal", "Title", "Heading 1"):
        styles[name].font.name = FONT
        fonts = styles[name].element.find(f"{_qn('w:rPr')}/{_qn('w:rFonts')}")
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(_qn(theme), None)
    title = styles["Title"]
    title.font.size = Pt(20)
    title.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
    title.paragraph_format.space_after = Pt(8)

    heading = styles["Heading 1"]
    heading.font.size = Pt(13)
    heading.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
    heading.paragraph_format.space_before = Pt(16)
    heading.paragraph_format.space_after = Pt(4)
    heading.paragraph_format.keep_with_next = True

    def paragraph_style(name: str, size: float, **font: Any) -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        for key, value in font.items():
            setattr(style.font, key, value)
        return style

    help_style = paragraph_style("Form Help", 9.5, italic=True)
    help_style.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    help_style.paragraph_format.keep_with_next = True
    help_style.paragraph_format.space_after = Pt(4)
    cell = paragraph_style("Form Cell", 10)
    cell.paragraph_format.space_before = Pt(2)
    cell.paragraph_format.space_after = Pt(2)
    label = paragraph_style("Form Label", 10, bold=True)
    label.base_style = cell
    small = paragraph_style("Form Small", 8)
    small.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    placeholder = styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
    placeholder.font.color.rgb = RGBColor(0x6E, 0x6E, 0x6E)
    optional = styles.add_style("Form Optional", WD_STYLE_TYPE.CHARACTER)
    optional.font.bold = False
    optional.font.size = Pt(10)
    optional.font.color.rgb = RGBColor(0x59, 0x59, 0x59)


def _add_custom_property(document: Any, name: str, value: str) -> None:
    """docProps/custom.xml: Word and LibreOffice both keep custom properties on save."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property")
    prop.set("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")  # user-defined properties
    prop.set("pid", "2")
    prop.set("name", name)
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_TYPE, blob, package)
    package.relate_to(part, CUSTOM_REL)


# --- reading a filled form ---------------------------------------------------------------

_T, _R, _P, _TC, _TR, _TBL = (_qn(f"w:{n}") for n in ("t", "r", "p", "tc", "tr", "tbl"))
_SDT, _SDT_PR, _SDT_CONTENT, _TAG = (_qn(f"w:{n}") for n in ("sdt", "sdtPr", "sdtContent", "tag"))
_BOOKMARK = _qn("w:bookmarkStart")
_CHECKBOX, _CHECKED = _qn("w14:checkbox"), _qn("w14:checked")
_RUN_TEXT = {
    _qn("w:tab"): "\t",
    _qn("w:br"): "\n",
    _qn("w:cr"): "\n",
    _qn("w:noBreakHyphen"): "\u2011",
    _qn("w:softHyphen"): "\u00ad",
}
# Tracked deletions and moved-away text are not part of the answer.
_NOT_TEXT = {_qn("w:del"), _qn("w:moveFrom")}
_TICKS = set("\u2612\u2611\u2713\u2714\u2717\u2718")
_YES = {"yes", "y", "true", "x"}
_NO = {"no", "n", "false"}


def read_referral_form(path: Path) -> dict[str, Any]:
    """The answers in a filled Word referral form, as the mapping the model validates.

    Reads the XML with lxml (no entities, no network), never python-docx, which cannot see
    inside content controls. Raises FileUnreadable for anything that is not a ccp referral
    form of this version, and FormInvalid where the form holds contradictory answers.
    """
    return read_form(path, REFERRAL_FORM)


def read_form(path: Path, spec: FormSpec) -> dict[str, Any]:
    """The answers in a filled Word form of ``spec``, with the referral form's defences."""
    path = Path(path)
    raw = _read_bytes(path, f"{spec.kind} form")
    document, custom = _unpack(raw, path.name, spec.hint)
    body = document.find(_qn("w:body"))
    if body is None:
        raise FileUnreadable(f"{path.name}: is not a Word document (it has no body)")
    _check_version(_marker(custom, body), path.name, spec)
    data, problems = _answers(body, spec)
    if problems:
        raise FormInvalid(path, problems)
    return data


def _read_bytes(path: Path, what: str = "referral form") -> bytes:
    return read_bounded(path, FORM_LIMITS.max_file_bytes, what)


def _unpack(raw: bytes, name: str, hint: str = TEMPLATE_HINT) -> tuple[Any, Any]:
    """The main document and the custom properties (or None), checked before unpacking."""
    if raw.startswith(OLE2_MAGIC):
        # Word keeps a password-protected .docx inside an OLE2 container whose streams are
        # named (in UTF-16) EncryptionInfo and EncryptedPackage.
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise FileUnreadable(
                f"{name}: is password-protected; open it in Word, remove the password "
                "(File > Info > Protect Document > Encrypt with Password, then clear it), "
                "save it and try again"
            )
        raise FileUnreadable(
            f"{name}: is an old Word 97-2003 (.doc) file, which cannot hold the form's answer "
            f"boxes; {hint} and save it as .docx"
        )
    if raw.startswith(b"%PDF"):
        raise FileUnreadable(f"{name}: is a PDF, not a Word form; {hint}")
    if not raw.startswith(ZIP_MAGIC):
        raise FileUnreadable(f"{name}: is not a Word .docx file; {hint}")
    with open_zip(raw, name) as archive:
        targets = package_targets(archive, name)
        document = main_document(archive, name, targets)
        custom_target = targets.get("custom-properties")
        custom = xml_part(archive, part_name(custom_target), name) if custom_target else None
    return document, custom


def _marker(custom: Any, body: Any) -> str | None:
    if custom is not None:
        for prop in custom.iter(f"{{{CUSTOM_NS}}}property"):
            if prop.get("name") == MARKER:
                return "".join(prop.itertext()).strip()
    for sdt in body.iter(_SDT):
        if _tag(sdt) == MARKER:
            content = sdt.find(_SDT_CONTENT)
            return _text(content).strip() if content is not None else ""
    return None


def _check_version(marker: str | None, name: str, spec: FormSpec = REFERRAL_FORM) -> None:
    hint, wanted = spec.hint, spec.kind
    if marker is None:
        raise FileUnreadable(f"{name}: not a ccp {wanted} form: {hint}")
    match = re.fullmatch(r"([\w-]+) v(\d+)", marker)
    if not match:
        raise FileUnreadable(f"{name}: has an unrecognised ccp form marker {marker!r}; {hint}")
    kind, version = match[1], int(match[2])
    if kind != wanted:
        raise FileUnreadable(f"{name}: is a ccp {kind} form, not a {wanted} form; {hint}")
    if version != spec.version:
        age = "an older" if version < spec.version else "a newer"
        raise FileUnreadable(
            f"{name}: is {age} {wanted} form (version {version}); this ccp reads version "
            f"{spec.version}: copy the answers into a new form from `{spec.command}`"
        )


# The answers, cell by cell. LibreOffice (7.4) keeps the boxes but drops their w:tag and
# placeholder flag, and moves line breaks out of them: so an answer is the whole table
# cell holding the box, the cell is found by its tag or its bookmark, a table's columns
# by its header row, and a placeholder by its text as well as its flag.


def _tag(sdt: Any) -> str | None:
    pr = sdt.find(_SDT_PR)
    tag = pr.find(_TAG) if pr is not None else None
    return tag.get(_qn("w:val")) if tag is not None else None


def _nearest(element: Any, tag: str) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _grouped(body: Any, tag: str, owner: str) -> dict[Any, list[Any]]:
    """Elements by their nearest `owner` ancestor (rows by table, cells by row), in order."""
    groups: dict[Any, list[Any]] = {}
    for element in body.iter(tag):
        groups.setdefault(_nearest(element, owner), []).append(element)
    return groups


def _names_in(container: Any, spec: FormSpec = REFERRAL_FORM) -> list[_Field]:
    known = _fields_by_name(spec)
    found = []
    for sdt in container.iter(_SDT):
        leaf = known.get(_tag(sdt) or "")
        if leaf is not None and leaf not in found:
            found.append(leaf)
    for mark in container.iter(_BOOKMARK):
        leaf = known.get(mark.get(_qn("w:name"), ""))
        if leaf is not None and leaf not in found:
            found.append(leaf)
    return found


def _unknown_tags(body: Any, spec: FormSpec = REFERRAL_FORM) -> list[str]:
    known = _fields_by_name(spec)
    return [
        tag for sdt in body.iter(_SDT) if (tag := _tag(sdt)) and tag != MARKER and tag not in known
    ]


def _answers(body: Any, spec: FormSpec = REFERRAL_FORM) -> tuple[dict[str, Any], list[Problem]]:
    scalars: dict[str, list[Any]] = {}
    lists: dict[str, list[Any]] = {}
    cells_by_row = _grouped(body, _TC, _TR)
    for rows in _grouped(body, _TR, _TBL).values():
        columns: dict[int, _Field] = {}
        for tr in rows:
            for index, tc in enumerate(cells_by_row.get(tr, [])):
                for leaf in _names_in(tc, spec):
                    if leaf.is_column:
                        columns.setdefault(index, leaf)
        for tr in rows:
            cells = cells_by_row.get(tr, [])
            for tc in cells:
                for leaf in _names_in(tc, spec):
                    if not leaf.is_column:
                        scalars.setdefault(leaf.path, []).append(_value(tc, leaf))
            if columns and not _is_header(tr, cells, columns):
                for list_name, item in _row_items(cells, columns):
                    lists.setdefault(list_name, []).append(item)
    for sdt in body.iter(_SDT):
        # A box moved out of its table (Word allows it) is still read, on its own.
        leaf = _fields_by_name(spec).get(_tag(sdt) or "")
        if leaf is not None and not leaf.is_column and _nearest(sdt, _TC) is None:
            scalars.setdefault(leaf.path, []).append(_value(sdt, leaf))

    problems = [
        Problem(tag, "is not a box of this form; copy the answer into the right box")
        for tag in _unknown_tags(body, spec)
    ]
    data: dict[str, Any] = {}
    for section in _sections(spec):
        if section.layout == "table":
            data[section.name] = lists.get(section.name, [])
        elif section.layout == "options":
            data[section.name] = [
                leaf.key
                for leaf in section.fields
                if any(value is True for value in scalars.get(leaf.path, []))
            ]
        else:
            answers = {}
            for leaf in section.fields:
                answer, problem = _one_answer(leaf, scalars.get(leaf.path, []))
                answers[leaf.key] = answer
                problems += [problem] if problem else []
            data[section.name] = answers[section.name] if section.layout == "single" else answers
    return data, problems


def _one_answer(leaf: _Field, values: list[Any]) -> tuple[Any, Problem | None]:
    if leaf.kind == "bool" and values:
        if any(value is True for value in values):
            return True, None
        typed = [value for value in values if isinstance(value, str)]
        return (typed[0] if typed else False), None
    given = list(dict.fromkeys(value for value in values if value is not None))
    if len(given) > 1:
        return None, Problem(
            leaf.path.split("=")[0], "is answered in more than one box; keep one answer"
        )
    return (given[0] if given else None), None


def _is_header(tr: Any, cells: list[Any], columns: dict[int, _Field]) -> bool:
    """The column titles (the original header or a copy of it), not an entry."""
    if next(tr.iter(_SDT), None) is not None:
        return False
    texts = {index: _text(cells[index]).strip() for index in columns if index < len(cells)}
    return all(text in ("", columns[index].shown_title) for index, text in texts.items())


def _row_items(cells: list[Any], columns: dict[int, _Field]) -> Iterator[tuple[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for index, leaf in columns.items():
        value = _value(cells[index], leaf) if index < len(cells) else None
        items.setdefault(leaf.list_name, {})[leaf.key] = value
    for list_name, item in items.items():
        if all(value in (None, False) for value in item.values()):
            continue  # a spare row left blank
        yield list_name, item[""] if list(item) == [""] else item


def _value(tc: Any, leaf: _Field) -> Any:
    """One answer from the cell holding its box, in the shape the model validates."""
    if leaf.kind == "bool":
        return _ticked(tc, leaf)
    text = _without_hint(_text(tc), leaf.placeholder)
    if not text.strip():
        return None
    if leaf.kind == "date":
        return _iso_date(text.strip())
    if leaf.kind == "choice":
        return _code(text, leaf)
    return text


def _without_hint(text: str, hint: str) -> str:
    """The answer without the box's hint, which LibreOffice leaves in as ordinary text."""
    stripped = text.strip()
    if stripped == hint:
        return ""
    if stripped.startswith(hint):
        return stripped[len(hint) :].lstrip()
    if stripped.endswith(hint):
        return stripped[: -len(hint)].rstrip()
    return text


def _ticked(tc: Any, leaf: _Field) -> bool | str:
    box = next(tc.iter(_CHECKBOX), None)
    if box is not None:
        checked = box.find(_CHECKED)
        return checked is not None and checked.get(_qn("w14:val"), "").lower() in {"1", "true"}
    # No box (a row added by hand, or a box deleted): read what was typed in the cell.
    text = _text(tc).replace(leaf.help, "").strip()
    if _TICKS & set(text) or text.lower() in _YES:
        return True
    if not text or UNCHECKED in text or text.lower() in _NO:
        return False
    return text


def _code(text: str, leaf: _Field) -> str:
    """Word stores a drop-down's displayed words: map them (or a typed code) to the code."""
    wanted = " ".join(text.split()).casefold()
    for code in leaf.choices:
        if wanted in (LABELS[code].casefold(), code):
            return code
    return text.strip()


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WORDY_DATE = re.compile(
    r"(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?")


def _iso_date(text: str) -> str:
    """'17 August 2010', '17/08/2010' or '2010-08-17' -> '2010-08-17'; else the text as typed."""
    parts: tuple[int, int, int] | None = None
    if match := _ISO_DATE.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _NUMERIC_DATE.fullmatch(text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif (match := _WORDY_DATE.fullmatch(text)) and match[2].lower() in _MONTHS:
        parts = (int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    if parts is None:
        return text
    try:
        return date(*parts).isoformat()
    except ValueError:
        return text  # not a real date: the model says so, naming the field


def _text(container: Any) -> str:
    """What a person typed: paragraphs and line breaks as '\\n', placeholders left out."""
    hidden = set()
    for sdt in container.iter(_SDT):
        pr = sdt.find(_SDT_PR)
        if pr is not None and pr.find(_qn("w:showingPlcHdr")) is not None:
            hidden.add(sdt.find(_SDT_CONTENT))
    hidden |= set(container.iter(*_NOT_TEXT))
    paragraphs = [p for p in container.iter(_P)] or [container]
    return "\n".join(_runs_text(p, hidden, container) for p in paragraphs)


def _runs_text(paragraph: Any, hidden: set[Any], container: Any) -> str:
    pieces: list[list[Any]] = []  # [the box a run is in (or None), its text], merged per box
    for run in paragraph.iter(_R):
        if _inside(run, hidden, container):
            continue
        text = []
        for child in run:
            if child.tag == _T:
                text.append(child.text or "")
            elif child.tag in _RUN_TEXT:
                text.append(_RUN_TEXT[child.tag])
            elif child.tag == _qn("w:sym"):
                text.append(chr(int(child.get(_qn("w:char"), "0"), 16)))
        box = _outermost(run, _SDT, paragraph)
        if pieces and pieces[-1][0] is box:
            pieces[-1][1] += "".join(text)
        else:
            pieces.append([box, "".join(text)])
    return "".join(_unsplit(pieces))


def _outermost(element: Any, tag: str, stop: Any) -> Any:
    found = None
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            found = parent
        parent = parent.getparent()
    return found


def _unsplit(pieces: list[list[Any]]) -> Iterator[str]:
    """Undo LibreOffice 7.4's export of a box whose text mixes writing directions.

    It writes one box per stretch of text, each holding that stretch and then the whole
    text again ('abc', 'مرحبا abc', ...). Adjacent boxes that all end with the first box's
    text, with the stretches adding up to that text's end, are that bug: the first box's
    text is the answer. Word never writes adjacent boxes in one answer cell.
    """
    index = 0
    while index < len(pieces):
        box, text = pieces[index]
        end = index + 1
        while end < len(pieces) and pieces[end][0] is not None:
            end += 1
        following = [piece[1] for piece in pieces[index + 1 : end]]
        if (
            box is not None
            and text
            and following
            and all(other.endswith(text) for other in following)
        ):
            stretches = "".join(other[: -len(text)] for other in following)
            if text.endswith(stretches):
                yield text
                index = end
                continue
        yield text
        index += 1


def _inside(element: Any, hidden: set[Any], container: Any) -> bool:
    if not hidden:
        return False
    parent = element.getparent()
    while parent is not None and parent is not container:
        if parent in hidden:
            return True
        parent = parent.getparent()
    return False
