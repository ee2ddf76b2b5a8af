"""Editing an .xlsx in place: only the cells and rows a command writes change.

Why not a library: openpyxl loads and saves the whole workbook, which drops the charts and
images it did not create and costs 0.8 s to load plus 0.55 s to save a 287 KiB register
(about 50 times the file size in memory); a rewrite from our own tables (what ccp did
before) lost every fill, comment, table and formula a person added (TECHNOTES, "Register
writes"). An .xlsx is a zip of XML parts, so this module copies every part it does not
change byte for byte (raw, not even recompressed) and, in a sheet it changes, parses and
rewrites only the ``<row>`` elements it touches (lxml, no entity resolution, no DTD). The
cost follows the change, not the history.

Text is written as an inline string, never as a formula; a rewritten cell keeps its style;
an appended cell takes the style of the cell above it (or of its column), so a column the
administrator formatted stays formatted. An Excel table, an autofilter, a conditional
format or a validation that ends on the last data row grows with an appended row. Formulas
anywhere stay formulas: the calculation chain is dropped (Excel rebuilds it) and the
workbook is marked to recalculate when opened (calcPr fullCalcOnLoad). Excel honours that
mark; LibreOffice Calc (7.4, measured) ignores it and shows the cached results until it
recalculates (Data > Calculate, or "Recalculation on file load: Always" in its options).
Only a formula cell without a cached value makes Calc recalculate on its own, so the cached
value of every formula on the administrator's own sheets that names a changed sheet
(`=COUNTA(Cases!A:A)-1` on a Summary) is taken out: that sheet's part changes by exactly
those values (``_refresh_dependent_formulas``). Formulas inside ccp's own sheets keep their
cached values, which the next command reads.

One path edits a sheet: its part is inflated whole, the touched rows are parsed and
rewritten, the bytes between them are kept, and the part is deflated again; every other
part is copied as stored (``package``). Measured at ten years' scale this costs no more
than a user notices (issue 21), and a reader can follow it.
"""

from __future__ import annotations

import bisect
import copy
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from lxml import etree

from workflow.xlsx.package import (
    _PARSER,
    Package,
    WorkbookDamaged,
    WorkbookRefused,
    rels_name,
    resolve,
    serialise,
)
from workflow.xlsx.values import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    NO,
    TIME_FORMAT,
    YES,
    column_letter,
    storable_problem,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = REL_NS + "/worksheet"
TABLE_TYPE = REL_NS + "/table"
CALC_CHAIN_TYPE = REL_NS + "/calcChain"
SHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*>")
_R_ATTR = re.compile(rb'\sr="(\d+)"')
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
# A cell with a value (or a formula) in it, in a row's bytes.
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s>]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")
_BUILTIN_DATE_FORMATS = frozenset(range(14, 23)) | frozenset(range(45, 48))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_DURATION_CODE = re.compile(r"\[(?:h+|m+|s+)\]", re.I)
# A formula cell and its cached value: <c ...><f ...>...</f><v>...</v> (any prefix).
_FORMULA_VALUE = re.compile(
    rb"(<(?:[\w.-]+:)?c\b[^>]*>)"
    rb"(<((?:[\w.-]+:)?f)\b[^>]*?(?:/>|>[^<]*</\3>))"
    rb"<(?:[\w.-]+:)?v>[^<]*</(?:[\w.-]+:)?v>"
)
_SHARED_MASTER = re.compile(rb'<(?:[\w.-]+:)?f\b[^>]*\bsi="(\d+)"[^>]*>([^<]+)</')
_SHARED_INDEX = re.compile(rb'\bsi="(\d+)"')
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_A1_STYLE = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*\sr="A1"[^>]*?\ss="(\d+)"')
_HEAD_CHUNK = 16 << 10  # a sheet's head (widths, views) and first row fit in a few of these


def _head_read(data: bytes) -> bool:
    return b"sheetData" in data


# The end of a sheet's first row, or of a sheetData without rows.
_FIRST_ROW_END = re.compile(
    rb"</(?:[\w.-]+:)?(?:row|sheetData)>|<(?:[\w.-]+:)?(?:row|sheetData)\b[^>]*/>"
)


def _first_row_read(data: bytes) -> bool:
    """Whether ``data`` (the start of a sheet) holds its first row whole, or has no rows."""
    start = data.find(b"sheetData")
    return start >= 0 and _FIRST_ROW_END.search(data, start) is not None


def column_index(letters: str) -> int:
    """0-based index of a column letter (A -> 0)."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number - 1


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# --- styles ----------------------------------------------------------------------------------


class Styles:
    """What a cell style is (a date format or not); new date styles when none fits."""

    def __init__(self, package: Package, name: str | None):
        self.package = package
        self.name = name
        self.root = package.xml(name) if name and package.has(name) else None
        self.date_styles: set[int] = set()
        self.changed = False
        self._made: dict[tuple[str, int], int] = {}
        if self.root is None:
            return
        xfs = self._cell_xfs()
        codes = self._codes()
        for index, xf in enumerate(xfs if xfs is not None else []):
            number = int(xf.get("numFmtId") or 0)
            if number in _BUILTIN_DATE_FORMATS or (
                number in codes and _is_date_code(codes[number])
            ):
                self.date_styles.add(index)

    def _codes(self) -> dict[int, str]:
        """numFmtId -> format code, of the formats styles.xml defines (as it now is)."""
        if self.root is None:
            return {}
        return {
            int(fmt.get("numFmtId")): fmt.get("formatCode") or ""
            for fmt in self.root.iter(f"{{{MAIN_NS}}}numFmt")
        }

    def _cell_xfs(self) -> Any:
        return None if self.root is None else self.root.find(f"{{{MAIN_NS}}}cellXfs")

    def is_date(self, style: int | None) -> bool:
        return style is not None and style in self.date_styles

    def duration_styles(self) -> set[int]:
        """The date styles that show an elapsed time ([h]:mm:ss) rather than a moment."""
        xfs = self._cell_xfs()
        codes = self._codes()
        found = set()
        for index in self.date_styles:
            if xfs is None or index >= len(xfs):
                continue
            number = int(xfs[index].get("numFmtId") or 0)
            if number == 46 or _DURATION_CODE.search(codes.get(number, "")):
                found.add(index)
        return found

    def date_style(self, code: str, like: int | None = None) -> int | None:
        """Style ``like`` (fill, font, borders...) showing ``code`` (dd/mm/yyyy...) instead.

        An equal style already in styles.xml is reused; otherwise one is added (and the number
        format too), as Excel does when a date is typed into a formatted cell.
        """
        key = (code, like or 0)
        if key in self._made:
            return self._made[key]
        xfs = self._cell_xfs()
        if xfs is None or not len(xfs):
            return None
        number = self._number_format(code)
        base = xfs[like] if like is not None and 0 <= like < len(xfs) else xfs[0]
        wanted = _xf_key(base, number)
        index = next(
            (i for i, xf in enumerate(xfs) if _xf_key(xf, int(xf.get("numFmtId") or 0)) == wanted),
            None,
        )
        if index is None:
            clone = copy.deepcopy(base)
            clone.set("numFmtId", str(number))
            clone.set("applyNumberFormat", "1")
            xfs.append(clone)
            xfs.set("count", str(len(xfs)))
            index = len(xfs) - 1
            self.changed = True
        self.date_styles.add(index)
        self._made[key] = index
        return index

    def _number_format(self, code: str) -> int:
        root = self.root
        formats = root.find(f"{{{MAIN_NS}}}numFmts")
        if formats is not None:
            for fmt in formats:
                if fmt.get("formatCode") == code:
                    return int(fmt.get("numFmtId"))
        if formats is None:
            formats = etree.Element(f"{{{MAIN_NS}}}numFmts")
            root.insert(0, formats)
        used = [int(fmt.get("numFmtId")) for fmt in formats]
        number = max([163, *used]) + 1
        etree.SubElement(formats, f"{{{MAIN_NS}}}numFmt", numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))
        self.changed = True
        return number

    def snapshot(self) -> tuple[Any, ...]:
        """What ``restore`` needs to undo the date styles an abandoned edit added."""
        root = copy.deepcopy(self.root) if self.root is not None else None
        return root, set(self.date_styles), self.changed, dict(self._made)

    def restore(self, state: tuple[Any, ...]) -> None:
        root, date_styles, changed, made = state
        self.root, self.changed = root, changed
        self.date_styles, self._made = set(date_styles), dict(made)

    def save(self) -> None:
        if self.changed and self.name:
            self.package.put(self.name, serialise(self.root))


def _xf_key(xf: Any, number: int) -> bytes:
    """A cell format as bytes, with its number format ``number``: equal keys look the same."""
    clone = copy.deepcopy(xf)
    clone.tail = None
    clone.set("numFmtId", str(number))
    clone.attrib.pop("applyNumberFormat", None)
    return etree.tostring(clone, method="c14n")


def _is_date_code(code: str) -> bool:
    # Strip quoted literals, escapes and [colour]/[$-locale] blocks, then look for d m y h s.
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return bool(_DATE_CODE.search(plain)) and "General" not in plain


# --- values ----------------------------------------------------------------------------------


def _serial(value: date | datetime | time | timedelta, date1904: bool) -> float | int:
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + (
            value.microsecond / 86_400_000_000
        )
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - epoch
    days = delta.days
    if not date1904 and days < 61:  # Excel's phantom 29 February 1900
        days -= 1
    fraction = delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return days if not fraction else days + fraction


@dataclass
class CellWrite:
    value: Any
    kind: str | None = None  # the column kind, so Yes/No columns get words
    style: int | None = None  # for a new cell: this style rather than the one above


def _plain(value: Any) -> Any:
    """Enum and other subclasses as their plain value."""
    if isinstance(value, bool):
        return bool(value)
    for base in (str, int, float, Decimal):
        if isinstance(value, base) and type(value) is not base:
            return base(value)
    if type(value) is datetime or type(value) is date:
        return value
    if isinstance(value, datetime):
        return datetime(*value.timetuple()[:6], value.microsecond)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


# --- one sheet -------------------------------------------------------------------------------


@dataclass
class SheetEdits:
    """The cells to write in one sheet: row number -> column index -> value."""

    cells: dict[int, dict[int, CellWrite]] = field(default_factory=dict)
    removed_rows: set[int] = field(default_factory=set)
    last_data_row: int = 1  # before the edits: tables and filters ending here grow
    header_row: int = 1

    def set(
        self, row: int, column: int, value: Any, kind: str | None = None, style: int | None = None
    ) -> None:
        self.cells.setdefault(row, {})[column] = CellWrite(value, kind, style)

    def __bool__(self) -> bool:
        return bool(self.cells or self.removed_rows)


class _RowWriter:
    """Rewrites one row as ccp writes it, and the dimension and ranges around the rows: what
    the whole-part editor (``SheetEditor``) and the streaming one (``_StreamEditor``) share,
    so both give the same bytes."""

    def __init__(
        self,
        where: str,
        styles: Styles,
        date1904: bool,
        prefix: str,
        namespaces: list[bytes],
    ):
        self.where = where  # "sheet Actions", for messages
        self.styles = styles
        self.date1904 = date1904
        self.prefix = prefix
        self.namespaces = namespaces

    def _check_protection(self, tail: bytes) -> None:
        match = re.search(rb"<(?:[\w.-]+:)?sheetProtection\b[^>]*>", tail)
        if match and re.search(rb'\ssheet="(1|true)"', match.group()):
            raise WorkbookRefused(
                f"{self.where} is protected; unprotect it in Excel (Review > "
                "Unprotect Sheet), save, and run the command again"
            )

    def _wrap(self, fragment: bytes) -> Any:
        opening = b"<wrap " + b" ".join(ns.strip() for ns in self.namespaces) + b">"
        try:
            return etree.fromstring(opening + fragment + b"</wrap>", _PARSER)
        except etree.XMLSyntaxError as err:
            raise WorkbookDamaged(f"{self.where}: a row is not well-formed XML ({err})") from err

    def _unwrap(self, wrapper: Any) -> bytes:
        text = etree.tostring(wrapper, encoding="UTF-8")
        if text.startswith(b"<?xml"):
            text = text[text.find(b"?>") + 2 :]
        start = text.find(b">") + 1
        end = text.rfind(b"</wrap>")
        return text[start:end]

    def _q(self, name: str) -> str:
        return f"{{{MAIN_NS}}}{name}"

    def _rewrite(
        self,
        fragment: bytes | None,
        number: int,
        writes: dict[int, CellWrite],
        above: Mapping[int, int],
        column_styles: dict[int, int],
        appended: bool,
    ) -> tuple[bytes, dict[int, int]]:
        """Row ``number`` (``fragment`` as in the file, None for a new row) with ``writes``
        made: its new bytes, and the cell styles it now lends to a row appended below."""
        if fragment is None:
            fragment = f'<{self.prefix}row r="{number}"/>'.encode()
        wrapper = self._wrap(fragment)
        row = wrapper[0]
        self._write_row(row, number, writes, above, column_styles, appended)
        return self._unwrap(wrapper), _LazyStyles(lambda: self._styles_of(row))

    @staticmethod
    def _styles_of(row: Any) -> dict[int, int]:
        styles = {}
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            match = _CELL_REF.fullmatch(cell.get("r") or "")
            if match and cell.get("s") is not None:
                styles[column_index(match.group(1))] = int(cell.get("s"))
        return styles

    def _write_row(
        self,
        row: Any,
        number: int,
        writes: dict[int, CellWrite],
        above: Mapping[int, int],
        column_styles: dict[int, int],
        appended: bool,
    ) -> None:
        q = self._q
        cells: dict[int, Any] = {}
        implicit = 0
        for cell in list(row):
            if _local(cell.tag) != "c":
                continue
            ref = cell.get("r")
            match = _CELL_REF.fullmatch(ref or "")
            if match:
                implicit = column_index(match.group(1))
            else:
                cell.set("r", f"{column_letter(implicit)}{number}")
            cells[implicit] = cell
            implicit += 1
        # The optional spans hint may no longer cover the row's cells.
        if "spans" in row.attrib:
            del row.attrib["spans"]

        def add_cell(column: int, style: int | None) -> Any:
            cell = etree.Element(q("c"), r=f"{column_letter(column)}{number}")
            if style is not None:
                cell.set("s", str(style))
            later = [c for c in cells if c > column]
            if later:
                cells[min(later)].addprevious(cell)
            else:
                row.append(cell)
            cells[column] = cell
            return cell

        if appended:
            # A new row takes the styles of the row above, written or not, as Excel's "insert
            # row below" does: a column the administrator coloured stays coloured. A blank
            # cell a spreadsheet program left below the data takes it too.
            for column, style in above.items():
                cell = cells.get(column)
                if cell is None:
                    add_cell(column, style)
                elif not len(cell):
                    cell.set("s", str(style))
        for column, write in sorted(writes.items()):
            cell = cells.get(column)
            if cell is None:
                style = write.style if write.style is not None else column_styles.get(column)
                cell = add_cell(column, style)
            elif write.style is not None and not len(cell):
                cell.set("s", str(write.style))
            self._set_value(
                cell, write, lambda column=column: above.get(column, column_styles.get(column))
            )

    def _set_value(self, cell: Any, write: CellWrite, neighbour: Callable[[], int | None]) -> None:
        """``neighbour`` gives the style of the cell above (or of the column), asked only
        for a date written into a cell without a style."""
        for child in list(cell):
            if _local(child.tag) == "f" and (
                child.get("t") in ("shared", "array") and child.get("ref")
            ):
                raise WorkbookRefused(
                    f"{self.where}, cell {cell.get('r')} holds a formula that other cells share; "
                    "type a plain value there instead, then run the command again"
                )
        for child in list(cell):
            cell.remove(child)
        for attribute in ("t", "cm", "vm", "ph"):
            cell.attrib.pop(attribute, None)
        value = _plain(write.value)
        if value is None or value == "":
            return
        q = self._q
        if isinstance(value, bool):
            if write.kind == "yesno":
                value = YES if value else NO
            else:
                cell.set("t", "b")
                etree.SubElement(cell, q("v")).text = "1" if value else "0"
                return
        if isinstance(value, str):
            problem = storable_problem(value)
            if problem:
                raise ValueError(problem)
            cell.set("t", "inlineStr")
            text = etree.SubElement(etree.SubElement(cell, q("is")), q("t"))
            if value != value.strip() or "\n" in value:
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            text.text = _EXCEL_ESCAPE.sub(r"_x005F_\1", value) if "_x" in value else value
            return
        if isinstance(value, date | time | timedelta):
            if isinstance(value, datetime | time) and value.tzinfo is not None:
                raise ValueError(f"Excel cannot store a time zone ({value!r})")
            code = (
                DATETIME_FORMAT
                if isinstance(value, datetime)
                else DATE_FORMAT
                if isinstance(value, date)
                else TIME_FORMAT
                if isinstance(value, time)
                else "[h]:mm:ss"
            )
            current = cell.get("s")
            current_style = int(current) if current is not None else None
            neighbour_style = neighbour() if current_style is None else None
            if current_style is None and self.styles.is_date(neighbour_style):
                style = neighbour_style
            elif self.styles.is_date(current_style):
                style = current_style
            else:
                # Only the number format changes: a coloured cell stays coloured.
                style = self.styles.date_style(code, current_style)
            if style is not None and style != current_style:
                cell.set("s", str(style))
            etree.SubElement(cell, q("v")).text = _number_text(_serial(value, self.date1904))
            return
        if isinstance(value, int | float | Decimal):
            if isinstance(value, float | Decimal) and not math.isfinite(value):
                raise ValueError(f"Excel cannot store {value!r}")
            etree.SubElement(cell, q("v")).text = _number_text(value)
            return
        raise ValueError(f"a {type(value).__name__} cannot be stored in the register")

    # -- around the rows --

    def _finish_head(self, head: bytes, edits: SheetEdits) -> bytes:
        """The part up to ``<sheetData>``, its dimension grown to the rows written."""
        if not edits.cells:
            return head
        new_last = max([edits.last_data_row, *edits.cells])
        max_column = max(max(row) for row in edits.cells.values() if row)
        return self._grow_dimension(head, new_last, max_column)

    @staticmethod
    def _finish_tail(tail: bytes, edits: SheetEdits) -> bytes:
        """The part from ``</sheetData>`` on, its ranges grown to an appended row."""
        if not edits.cells:
            return tail
        new_last = max([edits.last_data_row, *edits.cells])
        if new_last > edits.last_data_row:
            tail = _grow_ranges(tail, edits.last_data_row, new_last)
        return tail

    @staticmethod
    def _grow_dimension(head: bytes, last_row: int, max_column: int) -> bytes:
        match = re.search(rb'(<(?:[\w.-]+:)?dimension\s+ref=")([^"]*)(")', head)
        if not match:
            return head
        found = _RANGE.match(match.group(2).decode())
        if not found:
            return head
        first_col, first_row = found.group(1), int(found.group(2))
        end_col = found.group(3) or first_col
        end_row = int(found.group(4) or first_row)
        end_col_index = max(column_index(end_col), max_column)
        ref = f"{first_col}{first_row}:{column_letter(end_col_index)}{max(end_row, last_row)}"
        return head[: match.start(2)] + ref.encode() + head[match.end(2) :]


class SheetEditor(_RowWriter):
    """Rewrites the touched rows of one worksheet part, leaving every other byte alone."""

    def __init__(self, data: bytes, where: str, styles: Styles, date1904: bool):
        if b"<![CDATA[" in data:
            # A row boundary cannot be found by searching text that may hide "</row>"; CDATA
            # is only another spelling of text, so it is spelt the usual way first.
            data = _CDATA.sub(lambda m: _escape_text(m.group(1)), data)
        self.data = data
        root = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet\b", data)
        if root is None:
            raise WorkbookDamaged(f"{where} has no worksheet element")
        if b"<!DOCTYPE" in data[: root.start()] or b"<!ENTITY" in data[: root.start()]:
            raise WorkbookRefused(
                f"{where} declares a DTD or entities, which a workbook never does"
            )
        head_end = data.find(b">", root.end()) + 1
        self.root_start = data[:head_end]
        if STRICT_NS.encode() in self.root_start:
            raise WorkbookRefused(f"{where} is Strict Open XML")
        match = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>", data)
        if match is None:
            raise WorkbookDamaged(f"{where} has no sheetData")
        prefix = (match.group(1).decode() + ":") if match.group(1) else ""
        namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', self.root_start)
        super().__init__(where, styles, date1904, prefix, namespaces)
        if match.group(2):  # <sheetData/>: open it up
            p = self.prefix.encode()
            self.data = (
                data[: match.start()]
                + b"<"
                + p
                + b"sheetData></"
                + p
                + b"sheetData>"
                + data[match.end() :]
            )
            self.body_start = match.start() + len(p) + 11
        else:
            self.body_start = match.end()
        close = f"</{self.prefix}sheetData>".encode()
        self.body_end = self.data.find(close, self.body_start)
        if self.body_end < 0:
            raise WorkbookDamaged(f"{where}: sheetData is not closed")
        self._check_protection(self.data[self.body_end :])

    # -- rows --

    def _row_index(self) -> list[tuple[int, int, int]]:
        """(row number, start, end) of every <row> element, in file order."""
        rows = []
        data = self.data
        close = f"</{self.prefix}row>".encode()
        previous = 0
        for match in _ROW_START.finditer(data, self.body_start, self.body_end):
            number_match = _R_ATTR.search(match.group())
            number = int(number_match.group(1)) if number_match else previous + 1
            previous = number
            if match.group().endswith(b"/>"):
                end = match.end()
            else:
                end = data.find(close, match.end(), self.body_end)
                if end < 0:
                    raise WorkbookDamaged(f"{self.where}: row {number} is not closed")
                end += len(close)
            rows.append((number, match.start(), end))
        return rows

    def _rows_near(self, wanted: list[int], header_row: int) -> list[tuple[int, int, int]]:
        """(number, start, end) of the wanted rows that exist and of the row above each.

        Rows are looked up by their r="N" attribute, at memory speed, rather than by walking
        every row of the sheet; anything unusual (rows without numbers, a wanted row not
        where the order says) falls back to walking them all.
        """
        data, end_of_body = self.data, self.body_end
        first = _ROW_START.search(data, self.body_start, end_of_body)
        if first is None:
            return []
        opener = f'<{self.prefix}row r="'.encode()
        if not first.group().startswith(opener):
            return self._row_index()
        last_start = data.rfind(f"<{self.prefix}row".encode(), self.body_start, end_of_body)
        last_number = _R_ATTR.search(data, last_start, data.find(b">", last_start) + 1)
        if last_number is None:
            return self._row_index()
        last_existing = int(last_number.group(1))
        close = f"</{self.prefix}row>".encode()

        def locate(number: int, cursor: int) -> tuple[int, int] | None:
            start = data.find(opener + b'%d"' % number, cursor, end_of_body)
            if start < 0:
                return None
            tag_end = data.find(b">", start) + 1
            if data[tag_end - 2 : tag_end] == b"/>":
                return start, tag_end
            end = data.find(close, tag_end, end_of_body)
            if end < 0:
                raise WorkbookDamaged(f"{self.where}: row {number} is not closed")
            return start, end + len(close)

        found: dict[int, tuple[int, int]] = {}
        cursor = self.body_start
        for number in sorted(wanted):
            for above in range(number - 1, max(header_row, number - 6), -1):
                if above in found or above > last_existing:
                    break
                hit = locate(above, cursor)
                if hit is not None:
                    found[above] = hit
                    cursor = hit[0]
                    break
            if number <= last_existing:
                hit = locate(number, cursor)
                if hit is None:
                    return self._row_index()
                found[number] = hit
                cursor = hit[0]
        if any(number > last_existing for number in wanted) and last_existing > header_row:
            found.setdefault(last_existing, locate(last_existing, last_start) or (0, 0))
        return sorted((number, start, end) for number, (start, end) in found.items())

    def apply(self, edits: SheetEdits, column_styles: dict[int, int]) -> bytes:
        index = self._rows_near(sorted(set(edits.cells) | edits.removed_rows), edits.header_row)
        existing = {number: (start, end) for number, start, end in index}
        # Only data rows lend their styles: a first row under the header is not bold.
        lenders = sorted(number for number in existing if number > edits.header_row)
        lent: dict[int, Mapping[int, int]] = {}  # row number -> column -> style, parsed once

        def styles_above(number: int) -> Mapping[int, int]:
            """The cell styles of the nearest data row above ``number`` (as now written)."""
            position = bisect.bisect_left(lenders, number)
            if not position:
                return {}
            lender = lenders[position - 1]
            if lender not in lent:
                start, end = existing[lender]
                lent[lender] = self._styles_of(self._wrap(self.data[start:end])[0])
            return lent[lender]

        replacements: list[tuple[int, int, bytes]] = []
        new_rows: list[tuple[int, bytes]] = []
        for number in sorted(set(edits.cells) | edits.removed_rows):
            if number in edits.removed_rows:
                if number in existing:
                    start, end = existing[number]
                    replacements.append((start, end, b""))
                continue
            start, end = existing.get(number, (0, 0))
            above = styles_above(number) if number > edits.header_row else {}
            fragment, styles = self._rewrite(
                self.data[start:end] if number in existing else None,
                number,
                edits.cells[number],
                above,
                column_styles,
                number > edits.last_data_row,
            )
            if number > edits.header_row:
                lent[number] = styles
                if number not in existing:
                    bisect.insort(lenders, number)
            if number in existing:
                replacements.append((*existing[number], fragment))
            else:
                new_rows.append((number, fragment))
        # New rows go before the first existing row with a higher number (usually the end).
        starts = [(number, start) for number, start, _ in index]
        insertions: list[tuple[int, int, bytes]] = []
        for number, fragment in new_rows:
            later = [start for other, start in starts if other > number]
            position = min(later) if later else self.body_end
            insertions.append((position, position, fragment))
        pieces = sorted(replacements + insertions, key=lambda item: (item[0], item[1]))
        out = [self._finish_head(self.data[: self.body_start], edits)]
        cursor = self.body_start
        for start, end, fragment in pieces:
            out.append(self.data[cursor:start])
            out.append(fragment)
            cursor = end
        out.append(self.data[cursor : self.body_end])
        out.append(self._finish_tail(self.data[self.body_end :], edits))
        return b"".join(out)


class _LazyStyles(Mapping[int, int]):
    """Cell styles worked out only if a cell asks: a row whose cells are all rewritten in
    place (a carried-forward count on 13,000 open actions) never needs its neighbour's."""

    def __init__(self, compute: Callable[[], Mapping[int, int]]):
        self._compute: Callable[[], Mapping[int, int]] | None = compute
        self._styles: Mapping[int, int] = {}

    def _known(self) -> Mapping[int, int]:
        if self._compute is not None:
            self._styles, self._compute = self._compute(), None
        return self._styles

    def __getitem__(self, column: int) -> int:
        return self._known()[column]

    def __iter__(self) -> Iterator[int]:
        return iter(self._known())

    def __len__(self) -> int:
        return len(self._known())


def _column_styles(head: bytes) -> dict[int, int]:
    """Column index -> the style a person gave the whole column (<col style>), from the part
    up to its sheetData."""
    cut = head.find(b"sheetData")
    styles: dict[int, int] = {}
    for match in re.finditer(rb"<(?:[\w.-]+:)?col\b([^>]*)/?>", head[:cut]):
        attributes = dict(re.findall(rb'(\w+)="([^"]*)"', match.group(1)))
        if b"style" in attributes and b"min" in attributes and b"max" in attributes:
            low, high = int(attributes[b"min"]), int(attributes[b"max"])
            for column in range(low - 1, min(high, low + 100)):
                styles[column] = int(attributes[b"style"])
    return styles


def _grow_ranges(tail: bytes, old_last: int, new_last: int) -> bytes:
    """Autofilter, conditional formats and validations that end on the old last row grow
    (``tail``: the part from ``</sheetData>`` on, where they are)."""

    def grow(match: re.Match[bytes]) -> bytes:
        return (
            match.group(1)
            + grow_ref(match.group(2).decode(), old_last, new_last).encode()
            + match.group(3)
        )

    tail = re.sub(rb'(<(?:[\w.-]+:)?autoFilter\s+ref=")([^"]*)(")', grow, tail)
    return re.sub(rb'(\ssqref=")([^"]*)(")', grow, tail)


def grow_ref(ref: str, old_last: int, new_last: int) -> str:
    """A range list with every range that ends on ``old_last`` extended to ``new_last``."""
    out = []
    for part in ref.split():
        match = _RANGE.match(part)
        if (
            match
            and match.group(3)
            and int(match.group(4)) == old_last
            and int(match.group(2)) <= old_last
        ):
            out.append(f"{match.group(1)}{match.group(2)}:{match.group(3)}{new_last}")
        else:
            out.append(part)
    return " ".join(out)


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _escape_text(raw: bytes) -> bytes:
    return raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


# --- the workbook ----------------------------------------------------------------------------


@dataclass
class SheetInfo:
    name: str
    part: str
    sheet_id: int
    rel_id: str


class Workbook:
    """An .xlsx opened for editing: its sheets, their parts, styles and date system."""

    def __init__(self, data: bytes):
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise WorkbookRefused(
                "an old-format .xls or a password-protected workbook, which ccp cannot edit; "
                "open it in Excel, remove any password and save it as Excel Workbook (.xlsx)"
            )
        if data[:2] != b"PK":
            raise WorkbookRefused("not an .xlsx workbook (not a zip package)")
        self.package = Package(data)
        if self.package.has("xl/workbook.bin"):
            raise WorkbookRefused(
                "an Excel binary workbook (.xlsb) named .xlsx; save it as Excel Workbook (.xlsx)"
            )
        self.workbook_part = self._main_part()
        self.workbook_xml = self.package.xml(self.workbook_part)
        if etree.QName(self.workbook_xml).namespace == STRICT_NS:
            raise WorkbookRefused(
                "saved as Strict Open XML; save it as the ordinary Excel Workbook (.xlsx) type"
            )
        self.rels_part = rels_name(self.workbook_part)
        self.rels_xml = self.package.xml(self.rels_part)
        targets = {
            rel.get("Id"): (rel.get("Type"), resolve(self.workbook_part, rel.get("Target")))
            for rel in self.rels_xml
        }
        self._targets = targets
        self._shared: list[str] = []
        self._shared_iter: Any = None
        self.sheets: dict[str, SheetInfo] = {}
        for sheet in self.workbook_xml.iter(f"{{{MAIN_NS}}}sheet"):
            rel_id = sheet.get(f"{{{REL_NS}}}id")
            kind, target = targets.get(rel_id, (None, None))
            if kind == WORKSHEET_TYPE and target:
                self.sheets[sheet.get("name")] = SheetInfo(
                    sheet.get("name"), target, int(sheet.get("sheetId")), rel_id
                )
        properties = self.workbook_xml.find(f"{{{MAIN_NS}}}workbookPr")
        self.date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        styles = next((t for k, t in targets.values() if k == REL_NS + "/styles"), None)
        self.styles = Styles(self.package, styles)
        self._workbook_changed = False
        self._edited: set[str] = set()
        # Sheet names (as in the file) the register owns; set by the Register.
        self.data_sheets: set[str] = set()

    def _main_part(self) -> str:
        root = self.package.xml("_rels/.rels")
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return resolve("", rel.get("Target"))
        raise WorkbookDamaged("no workbook part in the package")

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def sheet_head(self, sheet: str) -> tuple[int, list[Any], int]:
        """(header row number, its values by column, last row holding a value): enough to
        append to the sheet without reading the rows in between."""
        data = self.package.read(self.sheets[sheet].part)
        if b"<![CDATA[" in data:
            data = _CDATA.sub(lambda m: _escape_text(m.group(1)), data)
        match = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>", data)
        if match is None:
            raise WorkbookDamaged(f"sheet {sheet} has no sheetData")
        if match.group(2):
            return 1, [], 1
        prefix = match.group(1) + b":" if match.group(1) else b""
        start = match.end()
        end = data.find(b"</" + prefix + b"sheetData>", start)
        if end < 0:
            raise WorkbookDamaged(f"sheet {sheet}: sheetData is not closed")
        head_end = data.find(b">", data.find(b"worksheet")) + 1
        namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', data[:head_end])
        opening = b"<wrap " + b" ".join(ns.strip() for ns in namespaces) + b">"
        close = b"</" + prefix + b"row>"
        header_row, header = 1, []
        previous = 0
        for row_match in _ROW_START.finditer(data, start, end):
            number_match = _R_ATTR.search(row_match.group())
            number = int(number_match.group(1)) if number_match else previous + 1
            previous = number
            if row_match.group().endswith(b"/>"):
                continue
            row_end = data.find(close, row_match.end(), end)
            if row_end < 0:
                raise WorkbookDamaged(f"sheet {sheet}: row {number} is not closed")
            fragment = data[row_match.start() : row_end + len(close)]
            if not _HAS_VALUE.search(fragment):
                continue
            try:
                row = etree.fromstring(opening + fragment + b"</wrap>", _PARSER)[0]
            except etree.XMLSyntaxError as err:
                raise WorkbookDamaged(f"sheet {sheet}: row {number} is not well-formed") from err
            values = self._row_values(row)
            if any(value not in (None, "") for value in values):
                header_row, header = number, values
                break
        last = header_row
        cursor = end
        opener = b"<" + prefix + b"row"
        while cursor > start:
            row_start = data.rfind(opener, start, cursor)
            if row_start < 0:
                break
            if _HAS_VALUE.search(data, row_start, cursor):
                number_match = _R_ATTR.search(data, row_start, data.find(b">", row_start))
                if number_match is None:  # rows numbered by position: count them all
                    last = sum(1 for _ in _ROW_START.finditer(data, start, row_start)) + 1
                else:
                    last = int(number_match.group(1))
                break
            cursor = row_start
        return header_row, header, max(last, header_row)

    def _row_values(self, row: Any) -> list[Any]:
        values: list[Any] = []
        implicit = 0
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            match = _CELL_REF.fullmatch(cell.get("r") or "")
            index = column_index(match.group(1)) if match else implicit
            implicit = index + 1
            kind = cell.get("t") or "n"
            text = next((child.text for child in cell if _local(child.tag) == "v"), None)
            if kind == "inlineStr":
                value: Any = "".join(t.text or "" for t in cell.iter(f"{{{MAIN_NS}}}t"))
            elif kind == "s":
                value = self.shared_string(int(text)) if text else None
            elif kind in ("str", "e"):
                value = text
            elif kind == "b":
                value = text == "1"
            else:
                value = float(text) if text else None
            values.extend([None] * (index + 1 - len(values)))
            values[index] = value
        return values

    def shared_string(self, index: int) -> str:
        """One shared string, parsing sharedStrings.xml only as far as ``index``."""
        if self._shared_iter is None:
            part = next(
                (t for k, t in self._targets.values() if k == REL_NS + "/sharedStrings"), None
            )
            if part is None or not self.package.has(part):
                raise WorkbookDamaged("a cell refers to shared strings the workbook lacks")
            data = self.package.read(part)
            if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
                raise WorkbookRefused(f"part {part} declares a DTD or entities")
            self._shared_iter = etree.iterparse(
                io.BytesIO(data),
                events=("end",),
                tag=f"{{{MAIN_NS}}}si",
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=True,
            )
        try:
            while len(self._shared) <= index:
                _, element = next(self._shared_iter)
                self._shared.append(
                    "".join(
                        t.text or ""
                        for t in element.iter(f"{{{MAIN_NS}}}t")
                        if _local(t.getparent().tag) != "rPh"  # phonetic guides are not text
                    )
                )
                element.clear()
        except StopIteration:
            raise WorkbookDamaged(f"shared string {index} is missing") from None
        except etree.XMLSyntaxError as err:
            raise WorkbookDamaged(f"the shared strings are not well-formed ({err})") from err
        return self._shared[index]

    def column_styles(self, sheet: str) -> dict[int, int]:
        """Column index -> the style a person gave the whole column (<col style>)."""
        return _column_styles(self._leading_bytes(self.sheets[sheet].part, _head_read))

    def _leading_bytes(self, part: str, enough: Callable[[bytes], bool]) -> bytes:
        """The start of a part, inflated piece by piece until ``enough`` says so (or whole)."""
        data = b""
        for piece in self.package.stream(part, _HEAD_CHUNK):
            data += piece
            if enough(data):
                break
        return data

    def edit_sheet(self, sheet: str, edits: SheetEdits) -> None:
        if not edits:
            return
        info = self.sheets[sheet]
        editor = SheetEditor(
            self.package.read(info.part), f"sheet {sheet}", self.styles, self.date1904
        )
        self.package.put(info.part, editor.apply(edits, self.column_styles(sheet)))
        self._edited.add(sheet)
        last = max([edits.last_data_row, *edits.cells]) if edits.cells else edits.last_data_row
        if last > edits.last_data_row:
            self._grow_tables(info, edits.last_data_row, last)
            self._grow_filter_name(info, edits.last_data_row, last)
        self._recalculate_on_open()

    def _grow_tables(self, info: SheetInfo, old_last: int, new_last: int) -> None:
        rels = rels_name(info.part)
        if not self.package.has(rels):
            return
        for rel in self.package.xml(rels):
            if rel.get("Type") != TABLE_TYPE:
                continue
            part = resolve(info.part, rel.get("Target"))
            root = self.package.xml(part)
            if int(root.get("totalsRowCount") or 0):
                continue  # rows go above a totals row, which Excel does itself
            ref = root.get("ref") or ""
            grown = grow_ref(ref, old_last, new_last)
            if grown == ref:
                continue
            root.set("ref", grown)
            for child in root:
                if _local(child.tag) == "autoFilter" and child.get("ref"):
                    child.set("ref", grow_ref(child.get("ref"), old_last, new_last))
            self.package.put(part, serialise(root))

    def _grow_filter_name(self, info: SheetInfo, old_last: int, new_last: int) -> None:
        position = list(self.sheets).index(info.name)
        for name in self.workbook_xml.iter(f"{{{MAIN_NS}}}definedName"):
            if name.get("name") == "_xlnm._FilterDatabase" and name.get("localSheetId") == str(
                position
            ):
                text = name.text or ""
                sheet_part, _, ref = text.rpartition("!")
                grown = grow_ref(ref.replace("$", ""), old_last, new_last)
                if grown != ref.replace("$", ""):
                    match = _RANGE.match(grown)
                    if match and match.group(3):
                        name.text = (
                            f"{sheet_part}!${match.group(1)}${match.group(2)}:"
                            f"${match.group(3)}${match.group(4)}"
                        )
                        self._workbook_changed = True

    def _recalculate_on_open(self) -> None:
        """Formulas stay formulas and show fresh values: no stale chain, recalc on open."""
        if getattr(self, "_recalc_done", False):
            return
        self._recalc_done = True
        for rel in list(self.rels_xml):
            if rel.get("Type") == CALC_CHAIN_TYPE:
                chain = resolve(self.workbook_part, rel.get("Target"))
                self.package.remove(chain)
                self.rels_xml.remove(rel)
                self.package.put(self.rels_part, serialise(self.rels_xml))
                types = self.package.xml("[Content_Types].xml")
                for override in list(types):
                    if override.get("PartName") == "/" + chain:
                        types.remove(override)
                self.package.put("[Content_Types].xml", serialise(types))
        calc = self.workbook_xml.find(f"{{{MAIN_NS}}}calcPr")
        if calc is None:
            calc = etree.SubElement(self.workbook_xml, f"{{{MAIN_NS}}}calcPr")
            # calcPr belongs before these in the schema order.
            for later in (
                "oleSize",
                "customWorkbookViews",
                "pivotCaches",
                "smartTagPr",
                "smartTagTypes",
                "webPublishing",
                "fileRecoveryPr",
                "webPublishObjects",
                "extLst",
            ):
                found = self.workbook_xml.find(f"{{{MAIN_NS}}}{later}")
                if found is not None:
                    found.addprevious(calc)
                    break
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self._workbook_changed = True

    def add_sheet(self, name: str, sheet_xml: bytes) -> None:
        """A new worksheet at the end of the tabs."""
        numbers = [
            int(m.group(1))
            for part in [*self.package.names, *self.package.added]
            if (m := re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", part))
        ]
        part = f"xl/worksheets/sheet{max(numbers, default=0) + 1}.xml"
        self.package.put(part, sheet_xml)
        ids = [rel.get("Id") for rel in self.rels_xml]
        number = 1
        while f"rId{number}" in ids:
            number += 1
        rel_id = f"rId{number}"
        etree.SubElement(
            self.rels_xml,
            f"{{{PKG_REL_NS}}}Relationship",
            Id=rel_id,
            Type=WORKSHEET_TYPE,
            Target="/" + part,
        )
        self.package.put(self.rels_part, serialise(self.rels_xml))
        types = self.package.xml("[Content_Types].xml")
        etree.SubElement(
            types, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=SHEET_CONTENT_TYPE
        )
        self.package.put("[Content_Types].xml", serialise(types))
        sheets = self.workbook_xml.find(f"{{{MAIN_NS}}}sheets")
        sheet_id = max((info.sheet_id for info in self.sheets.values()), default=0) + 1
        element = etree.SubElement(sheets, f"{{{MAIN_NS}}}sheet", name=name, sheetId=str(sheet_id))
        element.set(f"{{{REL_NS}}}id", rel_id)
        self.sheets[name] = SheetInfo(name, part, sheet_id, rel_id)
        self._workbook_changed = True

    def header_style(self, sheet: str) -> int | None:
        """The style of the first header cell of ``sheet`` (bold, in a register ccp made)."""
        # Cell A1 is in row 1, the first row: no need to inflate the rows below it.
        data = self._leading_bytes(self.sheets[sheet].part, _first_row_read)
        match = _A1_STYLE.search(data)
        return int(match.group(1)) if match else None

    def _refresh_dependent_formulas(self) -> None:
        """Formula cells that read a sheet this command changed lose their cached value.

        Excel recalculates on open (fullCalcOnLoad), but LibreOffice Calc shows a cached
        value until it is told to recalculate; a formula cell without one it calculates on
        its own. So `=COUNTA(Cases!A:A)-1` on the administrator's Summary sheet shows the
        new count in both. Only those cells change: the formulas, and every other cell of
        their sheet, stay as they were.
        """
        if not self._edited:
            return
        names = [re.escape(_escape_text(name.encode("utf-8"))) for name in self._edited]
        mention = re.compile(rb"(?:" + rb"|".join(names) + rb")'?!")
        for sheet, info in self.sheets.items():
            # Only the administrator's own sheets (a Summary): ccp's data sheets are read back
            # by the next command, which needs their cached values, and can hold 40 MB of XML.
            if sheet in self.data_sheets:
                continue
            if not self.package.has(info.part):
                continue
            data = self.package.read(info.part)
            if b"<f" not in data and b":f" not in data:
                continue

            # Cells sharing a formula carry only its number (si): the first cell has the text.
            shared = {
                found.group(1)
                for found in _SHARED_MASTER.finditer(data)
                if mention.search(found.group(2))
            }

            def strip(match: re.Match[bytes], shared: set[bytes] = shared) -> bytes:
                # A formula naming no sheet reads its own sheet: ccp's sheets are read back
                # by the next command, which must see their cached values.
                formula = match.group(2)
                number = _SHARED_INDEX.search(formula) if b"shared" in formula else None
                if not mention.search(formula) and not (number and number.group(1) in shared):
                    return match.group(0)
                opening = re.sub(rb'\st="(?:str|n|b|e)"', b"", match.group(1))
                return opening + formula

            changed = _FORMULA_VALUE.sub(strip, data)
            if changed != data:
                self.package.put(info.part, changed)

    def write(self, handle: IO[bytes]) -> None:
        self._refresh_dependent_formulas()
        self.styles.save()
        if self._workbook_changed:
            self.package.put(self.workbook_part, serialise(self.workbook_xml))
        self.package.write(handle)

    def misread_cells(self, sheet: str) -> list[str]:
        return misread_cells(self.package.read(self.sheets[sheet].part))

    def changed_parts(self) -> Iterable[str]:
        return [*self.package.changed, *self.package.removed]


def misread_cells(data: bytes) -> list[str]:
    """Cells the fast reader is known to misread: an inline string that also stores a value
    (python-calamine reads it as empty). Returns their references."""
    return [ref for refs in _misread_by_marker(data) for ref in refs]


def _misread_by_marker(data: bytes) -> tuple[list[str], list[str]]:
    """``misread_cells``, the value after the text and the value before it apart."""
    if b":is>" not in data and not any(
        marker in data for marker in (b"</is><v>", b"</is><v ", b"</v><is>")
    ):
        return [], []  # the usual case, found at memory speed (no prefixed names either)
    found: tuple[list[str], list[str]] = ([], [])
    for refs, marker in zip(
        found,
        (rb"</(?:[\w.-]+:)?is><(?:[\w.-]+:)?v>", rb"</(?:[\w.-]+:)?v><(?:[\w.-]+:)?is>"),
        strict=True,
    ):
        for match in re.finditer(marker, data):
            cell = data.rfind(b'r="', 0, match.start())
            ref = re.match(rb'r="([A-Z]+\d+)"', data[cell : cell + 20])
            refs.append(ref.group(1).decode() if ref else "?")
    return found
