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

A sheet a command only appends to is not read: its header and last row are found in the
XML (``Workbook.sheet_head``), and rows are found by their number, not by walking them all.

Big sheets are streamed, never whole in memory. At ten years' scale the Actions sheet is
37 MB of XML in a 4 MB file; inflating it, then joining an edited copy, held 74 MB to change
a few rows (a command needed 80 times the file size). So a sheet is inflated piece by piece,
cut where rows begin (``stream.SheetPieces``), the pieces without a row to write go straight
into a raw-deflate stream with its CRC and sizes counted as it goes (``stream.Deflater``),
and the zip entry is written from those bytes (``Package._write_deflated``): a piece of
256 KiB and the rows being rewritten are all that is in memory. ``_StreamEditor`` gives
byte for byte what the whole-part ``SheetEditor`` gives (they share ``_RowWriter``); a part
in a form the cutting cannot be sure of (CDATA, rows without numbers or out of order, an
empty ``<sheetData/>``, a refusal) goes to ``SheetEditor``, which handles every form.
``sheet_head``, ``header_style`` and ``column_styles`` stream too, reading only as far as
they need; a big part read whole (``Package.read``) is not kept.

A part ccp streams is deflated as three segments (head, rows, tail) with an index in its zip
entry (``segments``), so that rows appended to it later (an Audit row, by every command)
cost the new rows: the rows' deflated bytes are kept as they are (``_edit_segmented``), and
``sheet_head`` reads only the header. A part without a valid index is edited the long way.
"""

from __future__ import annotations

import bisect
import copy
import io
import itertools
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from lxml import etree

from workflow.core.errors import CcpError
from workflow.xlsx.segments import Rows, SegmentIndex, index_record, inflate_segment, read_index
from workflow.xlsx.stream import CDATA, Deflated, Deflater, SheetPieces, Unusual
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

# Parts larger than this are recompressed fast rather than small (a 40 MB sheet costs
# 0.27 s at level 6 and 0.10 s at level 1; the file is ~20% larger until Excel saves it).
_FAST_COMPRESS_OVER = 4 << 20
_MAX_PART = 512 << 20  # no register part is this large; a zip bomb is
# Parts up to this size are kept once inflated (a small sheet is read for its rows, then
# again to edit it); a bigger one is streamed when edited, so keeping it would only hold
# 37 MB of Actions for nothing.
_KEEP_READ_UP_TO = 1 << 20
# A segment of a sheet's rows (``segments``) ends after the piece that makes it this big: an
# edit inflates and deflates again only the segments it touches.
SEGMENT_ROWS = 1 << 20
# Pieces a sheet is streamed in: big enough that each costs little Python, small enough
# that a piece and the row it ends on are all that is in memory.
STREAM_CHUNK = 256 << 10

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=False
)
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


class WorkbookRefused(CcpError):
    """The workbook cannot be edited safely; the message says why and what to do."""


# What a person can do about a damaged workbook.
REPAIR = "open it in Excel or LibreOffice and save it again, or put back a copy from backups/"


class WorkbookDamaged(WorkbookRefused):
    """A part of the workbook cannot be read or parsed; the message adds what to do."""

    def __str__(self) -> str:
        return f"{super().__str__()}; {REPAIR}"


def column_index(letters: str) -> int:
    """0-based index of a column letter (A -> 0)."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number - 1


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# --- the zip ---------------------------------------------------------------------------------


class Package:
    """The zip parts of one .xlsx, read once; changed parts are replaced on save."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError) as err:
            raise WorkbookDamaged(f"not an .xlsx workbook ({err})") from err
        self.names = {info.filename: info for info in self.infos}
        self.changed: dict[str, bytes] = {}
        # Parts rewritten as they were streamed: raw deflate, written without inflating.
        self.streamed: dict[str, Deflated] = {}
        self._read: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.added: list[str] = []

    def has(self, name: str) -> bool:
        return (
            name in self.names or name in self.changed or name in self.streamed
        ) and name not in self.removed

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.streamed:
            return self.streamed[name].inflate()
        if name in self._read:
            return self._read[name]
        info = self.names.get(name)
        if info is None:
            raise WorkbookDamaged(f"part {name} is missing")
        if info.file_size > _MAX_PART:
            raise WorkbookDamaged(f"part {name} is implausibly large ({info.file_size:,} bytes)")
        try:
            data = self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError) as err:
            raise WorkbookDamaged(f"part {name} is damaged ({err})") from err
        # Kept when small: a sheet is read for its rows, then again to edit it, and inflating
        # it twice would cost as much as the edit. A big one is edited as a stream.
        if info.file_size <= _KEEP_READ_UP_TO:
            self._read[name] = data
        return data

    def stream(self, name: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The part's bytes in pieces of about ``chunk``, inflated as they are needed: a
        40 MB sheet is searched or rewritten without ever being whole in memory."""
        if name in self.streamed and name not in self.changed:
            yield from self.streamed[name].inflated_pieces(chunk)
            return
        if name in self.changed or name in self._read:
            data = self.changed.get(name, self._read.get(name, b""))
            for start in range(0, len(data), chunk):
                yield data[start : start + chunk]
            return
        info = self.names.get(name)
        if info is None:
            raise WorkbookDamaged(f"part {name} is missing")
        if info.file_size > _MAX_PART:
            raise WorkbookDamaged(f"part {name} is implausibly large ({info.file_size:,} bytes)")
        try:
            with self.zip.open(info) as source:
                while piece := source.read(chunk):
                    yield piece
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
            raise WorkbookDamaged(f"part {name} is damaged ({err})") from err

    def xml(self, name: str) -> Any:
        return parse_xml(self.read(name), name)

    def put(self, name: str, data: bytes) -> None:
        if name not in self.names and name not in self.changed:
            self.added.append(name)
        self.changed[name] = data
        self.streamed.pop(name, None)
        self._read.pop(name, None)
        self.removed.discard(name)

    def put_streamed(self, name: str, content: Deflated) -> None:
        """The new content of an existing part, already deflated (``stream.Deflater``)."""
        self.streamed[name] = content
        self.changed.pop(name, None)
        self._read.pop(name, None)  # stale now, and possibly big

    def remove(self, name: str) -> None:
        self.removed.add(name)
        self.changed.pop(name, None)
        self.streamed.pop(name, None)

    def write(self, handle: IO[bytes]) -> None:
        """The package with unchanged parts copied raw (same bytes, same compression)."""
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self.infos:
                name = info.filename
                if name in self.removed:
                    continue
                if name in self.changed:
                    self._write_new(target, name, self.changed[name], info)
                elif name in self.streamed:
                    self._write_deflated(target, name, self.streamed[name], info)
                else:
                    self._copy_raw(target, info)
            for name in self.added:
                if name not in self.removed:
                    self._write_new(target, name, self.changed[name], None)

    @staticmethod
    def _write_new(
        target: zipfile.ZipFile, name: str, data: bytes, like: zipfile.ZipInfo | None
    ) -> None:
        info = zipfile.ZipInfo(name, date_time=like.date_time if like else (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        level = 1 if len(data) > _FAST_COMPRESS_OVER else 6
        target.writestr(info, data, compresslevel=level)

    @staticmethod
    def _write_deflated(
        target: zipfile.ZipFile, name: str, content: Deflated, like: zipfile.ZipInfo
    ) -> None:
        """A part deflated as it was streamed, written raw as ``_copy_raw`` does, with its
        new CRC and sizes in the local header (so no data descriptor follows)."""
        info = zipfile.ZipInfo(name, date_time=like.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # as ZipFile.writestr gives a new part
        info.CRC = content.crc
        info.file_size = content.size
        info.compress_size = content.compressed_size
        info.extra = content.extra  # its segment index (``segments``), if it has one
        zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
        info.header_offset = target.fp.tell()
        target.fp.write(info.FileHeader(zip64))
        for piece in content.pieces:
            target.fp.write(piece)
        target.filelist.append(info)
        target.NameToInfo[info.filename] = info
        target.start_dir = target.fp.tell()

    def deflated(self, info: zipfile.ZipInfo) -> bytes:
        """A part's bytes as stored in the zip (compressed), without inflating them."""
        offset = info.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise WorkbookDamaged(f"part {info.filename} is damaged (bad local header)")
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        start = offset + 30 + name_length + extra_length
        return self.data[start : start + info.compress_size]

    def _copy_raw(self, target: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        raw = self.deflated(info)
        clone = copy.copy(info)
        # The sizes go in the local header, so no data descriptor follows the data.
        clone.flag_bits &= ~0x08
        # Only ccp's segment index is kept: it describes these very bytes.
        clone.extra = index_record(info.extra)
        clone.header_offset = target.fp.tell()
        target.fp.write(clone.FileHeader(False))
        target.fp.write(raw)
        target.filelist.append(clone)
        target.NameToInfo[clone.filename] = clone
        target.start_dir = target.fp.tell()


def parse_xml(data: bytes, name: str) -> Any:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise WorkbookRefused(
            f"part {name} declares a DTD or entities, which a workbook never does"
        )
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        raise WorkbookDamaged(f"part {name} is not well-formed XML ({err})") from err


def _serialise(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


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
            self.package.put(self.name, _serialise(self.root))


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
        elif not appended and not self.prefix:
            quick = _numbers_in_place(fragment, number, writes, column_styles)
            if quick is not None:
                return quick, _LazyStyles(lambda: self._styles_of(self._wrap(quick)[0]))
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


_PLAIN_ROW = re.compile(rb'<row r="(\d+)"((?: [\w:]+="[^"<]*")*)>')
_SPANS = re.compile(rb' spans="[^"]*"')
_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})\d+"')
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"( s="\d+")?(?: t="n")?(?:><v>[^<]*</v></c>|/>|></c>)'
    rb'|<c r="([A-Z]{1,3})\d+"[^>]*>(?:(?!</c>).)*</c>',
    re.S,
)


def _numbers_in_place(
    fragment: bytes,
    number: int,
    writes: dict[int, CellWrite],
    column_styles: dict[int, int],
) -> bytes | None:
    """The row with numbers written into its numeric cells (a missing one added, styled as
    its column), by replacing their <v>: what parsing and rewriting the row gives (the same
    bytes for a row in the plain form), at a fraction of the cost. Carrying 13,000 open
    actions forward writes one count in each. None for anything else (text, dates, a style,
    an unusual row)."""
    if not all(
        type(write.value) in (int, float) and write.style is None and math.isfinite(write.value)
        for write in writes.values()
    ):
        return None
    opening = _PLAIN_ROW.match(fragment)
    if opening is None or int(opening.group(1)) != number or not fragment.endswith(b"</row>"):
        return None
    if fragment.count(b"<c ") != fragment.count(b'<c r="'):
        return None  # a cell numbered by its place: the row rewriter numbers it
    pieces = [b'<row r="%d"' % number, _SPANS.sub(b"", opening.group(2)), b">"]
    cursor = opening.end()
    end = len(fragment) - len(b"</row>")
    for index, write in sorted(writes.items()):
        value = b"<v>" + _number_text(write.value).encode() + b"</v></c>"
        reference = f'<c r="{column_letter(index)}{number}"'.encode()
        start = fragment.find(reference, cursor)
        if start < 0:
            # No such cell: it goes before the first cell of a later column, as the row
            # rewriter adds it, with its column's style.
            start = end
            for later in _CELL_START.finditer(fragment, cursor, end):
                if column_index(later.group(1).decode()) > index:
                    start = later.start()
                    break
            style = column_styles.get(index)
            styled = b' s="%d"' % style if style is not None else b""
            pieces += [fragment[cursor:start], reference, styled, b">", value]
            cursor = start
            continue
        cell = _PLAIN_CELL.match(fragment, start)
        if cell is None or cell.group(1) is None:
            return None  # not a plain number: the row rewriter decides
        # As the row rewriter does: the style kept, the type (t="n") dropped.
        pieces += [fragment[cursor:start], reference, cell.group(3) or b"", b">", value]
        cursor = cell.end()
    pieces.append(fragment[cursor:])
    return b"".join(pieces)


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


@dataclass
class _Lender:
    """A row whose cell styles an appended row below it may take: as written (``styles``)
    or as in the file (``fragment``, parsed only if a row asks)."""

    number: int
    fragment: bytes | None = None
    styles: Mapping[int, int] | None = None
    valued: bool | None = None  # whether the row holds a value (as sheet_head counts one)

    def cell_styles(self, writer: _RowWriter) -> Mapping[int, int]:
        if self.styles is None:
            self.has_value()
            self.styles = writer._styles_of(writer._wrap(self.fragment or b"")[0])
            self.fragment = None
        return self.styles

    def has_value(self) -> bool:
        if self.valued is None:
            self.valued = bool(self.fragment) and _HAS_VALUE.search(self.fragment) is not None
        return self.valued


class _StreamEditor(_RowWriter):
    """``SheetEditor.apply`` in one pass over a part streamed in pieces cut at rows.

    Pieces without a row to write go straight to the deflater; only the touched rows are
    parsed. The result is byte for byte the one ``SheetEditor`` gives, including where a new
    row takes its styles from: that editor looks rows up by number (the row above within
    five rows, else the row written before) and, when a row to write is missing below the
    last one, walks them all (the nearest row above). Both are followed here; when the two
    already disagreed before the walk would have begun, ``Unusual`` sends the caller to
    ``SheetEditor``. So does any part not in the plain form: rows without a leading number,
    rows out of order, CDATA, an empty ``<sheetData/>``, or a refusal (read whole, the part
    gives the same error in the same order).
    """

    def __init__(self, pieces: SheetPieces, where: str, styles: Styles, date1904: bool):
        head = pieces.head
        if CDATA in head:
            raise Unusual("CDATA")
        root = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet\b", head)
        if root is None or b"<!DOCTYPE" in head[: root.start()] or b"<!ENTITY" in head:
            raise Unusual("no plain worksheet element")
        root_start = head[: head.find(b">", root.end()) + 1]
        if STRICT_NS.encode() in root_start:
            raise Unusual("Strict Open XML")
        namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', root_start)
        super().__init__(where, styles, date1904, pieces.prefix.decode(), namespaces)
        self.pieces = pieces
        self._row_start = b"<" + pieces.prefix + b"row"
        self._row_close = b"</" + pieces.prefix + b"row>"
        self._numbered = re.compile(re.escape(self._row_start + b' r="') + rb'(\d+)"')
        self._empty_row = re.compile(re.escape(self._row_start) + rb"\b[^>]*/>")

    def _start(self, edits: SheetEdits, sink: Deflater, head: bytes) -> None:
        self.edits = edits
        self.sink = sink
        self.column_styles = _column_styles(head)
        self.wanted = sorted(set(edits.cells) | edits.removed_rows)
        self.next = 0  # index in wanted of the next row to write
        self.previous = 0  # number of the last row met, to check the order
        self.recent: _Lender | None = None  # the nearest data row above, as now written
        self.written: _Lender | None = None  # the last data row written or removed
        self.walk_all = False  # SheetEditor walks every row (a row to write is missing)
        self.diverged = False  # the two ways of finding a lender have disagreed
        self.rows: list[Rows] | None = []  # the body's segments so far (None: no index)
        sink.write(self._finish_head(head, edits))
        self.head_segment = sink.boundary()

    def run(self, edits: SheetEdits, sink: Deflater) -> None:
        self._start(edits, sink, self.pieces.head)
        for piece in self.pieces.body():
            self._piece(piece)
            if sink.segment_size >= SEGMENT_ROWS:
                self._cut()
        self._finish(self.pieces.tail())

    def run_segmented(
        self,
        edits: SheetEdits,
        sink: Deflater,
        index: SegmentIndex,
        head: bytes,
        bodies: list[bytes],
        tail: bytes,
    ) -> None:
        """``run`` for a part ccp wrote in segments (``segments``): a segment holding no row
        to write is kept as deflated; the others are inflated and edited as pieces. The same
        XML ``run`` gives, at the cost of the segments touched."""
        self._start(edits, sink, head)
        wanted = self.wanted
        for number, (rows, deflated) in enumerate(zip(index.body, bodies, strict=True)):
            last = number == len(index.body) - 1
            touched = self.next < len(wanted) and (last or wanted[self.next] <= rows.last_row)
            if not touched:
                if sink.segment_size:
                    raise Unusual("a kept segment would follow rows not yet cut")
                sink.keep(deflated, rows.segment)
                self.rows.append(rows)
                self.previous = rows.last_row
                self.recent = _Lender(rows.last_row, styles=rows.last_styles, valued=True)
                continue
            piece = inflate_segment(deflated, rows.segment, last=False)
            if piece is None:
                raise Unusual("a segment does not inflate to what its index says")
            if piece:
                self._piece(piece)
            if not last or sink.segment_size >= SEGMENT_ROWS:
                self._cut()
        self._finish(tail)

    def _cut(self) -> None:
        """End the body's segment after the row written last (``segments``)."""
        last = self.recent
        if self.rows is None or last is None:
            return  # nothing but the header yet: the segment goes on (``run_segmented``
            # never meets this: each segment it was given ends after a data row)
        segment = self.sink.boundary()
        styles = {int(c): int(v) for c, v in last.cell_styles(self).items()}
        self.rows.append(Rows(segment, self.sink.ended_deflated_crc, last.number, styles))

    def _finish(self, tail: bytes) -> None:
        """Rows beyond the last one in the sheet (appended before </sheetData>), the tail,
        and what the segment index needs (``Deflater.noted``)."""
        while self.next < len(self.wanted):
            self._new_row(self.wanted[self.next])
            self.next += 1
            if self.sink.segment_size >= SEGMENT_ROWS:
                self._cut()
        last = self.recent
        if last is None or not last.has_value() or self.prefix or self.rows is None:
            # No index: without a last row holding a value, sheet_head could not trust it.
            self.sink.boundary()
        else:
            self._cut()
            self.sink.noted = (self.head_segment, tuple(self.rows))
        if CDATA in tail:
            raise Unusual("CDATA")
        self._check_protection(tail)
        self.sink.write(self._finish_tail(tail, self.edits))

    def _piece(self, piece: bytes) -> None:
        if CDATA in piece:
            raise Unusual("CDATA")
        found = self._numbered.findall(piece)
        if piece.count(self._row_start) != len(found):
            raise Unusual("a row without a leading number")
        if not found:
            if piece.strip():
                raise Unusual("something other than rows in sheetData")
            self.sink.write(piece)
            return
        closed = piece.count(self._row_close)
        if closed != len(found) and closed + len(self._empty_row.findall(piece)) != len(found):
            # A row left open: SheetEditor's walk over every row says which.
            raise Unusual("a row is not closed")
        numbers = list(map(int, found))
        if numbers[0] <= self.previous or any(
            a >= b for a, b in zip(numbers, numbers[1:], strict=False)
        ):
            raise Unusual("rows out of order")
        self.previous = numbers[-1]
        header_row = self.edits.header_row
        wanted = self.wanted
        if self.next >= len(wanted) or wanted[self.next] > numbers[-1]:
            # The usual piece: nothing to write in it.
            self.sink.write(piece)
            if numbers[-1] > header_row:
                self.recent = _Lender(numbers[-1], piece[piece.rfind(self._row_start) :])
            return
        starts = [match.start() for match in self._numbered.finditer(piece)]
        view = memoryview(piece)
        cursor = 0
        while self.next < len(wanted) and wanted[self.next] <= numbers[-1]:
            number = wanted[self.next]
            index = bisect.bisect_left(numbers, number)
            self._pass_row(numbers, starts, index - 1, piece)
            start = starts[index]
            self.sink.write(view[cursor:start])
            if numbers[index] == number:
                end = self._row_end(piece, start)
                self._existing_row(number, piece[start:end])
                cursor = end
            else:
                # No such row, but a later one: SheetEditor walks every row from the start.
                if not self.walk_all:
                    if self.diverged:
                        raise Unusual("a row to write is missing where the order says")
                    self.walk_all = True
                self._new_row(number)
                cursor = start
            self.next += 1
        self.sink.write(view[cursor:])
        self._pass_row(numbers, starts, len(numbers) - 1, piece)

    def _pass_row(self, numbers: list[int], starts: list[int], index: int, piece: bytes) -> None:
        """Row ``index`` of the piece, left as it is, is now the nearest row above."""
        if index < 0 or numbers[index] <= self.edits.header_row:
            return
        if self.recent is not None and self.recent.number >= numbers[index]:
            return  # that row was written (or a later one was)
        end = starts[index + 1] if index + 1 < len(starts) else len(piece)
        self.recent = _Lender(numbers[index], piece[starts[index] : end])

    def _row_end(self, piece: bytes, start: int) -> int:
        tag_end = piece.find(b">", start) + 1
        if piece[tag_end - 2 : tag_end] == b"/>":
            return tag_end
        end = piece.find(self._row_close, tag_end)
        if end < 0:
            raise Unusual("a row is not closed")
        return end + len(self._row_close)

    def _existing_row(self, number: int, fragment: bytes) -> None:
        edits = self.edits
        if number in edits.removed_rows:
            if number > edits.header_row:
                self.recent = self.written = _Lender(number, fragment)
            return
        above: Mapping[int, int] = {}
        if number > edits.header_row:
            lender = self.recent
            if not self.walk_all:
                # SheetEditor finds the row above only within five rows; further up, the
                # nearest row it has found is the one written before.
                if lender is not None and lender.number < number - 5:
                    lender = self.written
                if lender is not self.recent:
                    self.diverged = True
            if lender is not None:
                above = _LazyStyles(lambda: lender.cell_styles(self))
        self._write(number, fragment, above)

    def _new_row(self, number: int) -> None:
        edits = self.edits
        if number in edits.removed_rows:
            return
        above: Mapping[int, int] = {}
        if number > edits.header_row and self.recent is not None:
            above = self.recent.cell_styles(self)
        self._write(number, None, above)

    def _write(self, number: int, fragment: bytes | None, above: Mapping[int, int]) -> None:
        edits = self.edits
        data, styles = self._rewrite(
            fragment,
            number,
            edits.cells[number],
            above,
            self.column_styles,
            number > edits.last_data_row,
        )
        self.sink.write(data)
        if number > edits.header_row:
            valued = _HAS_VALUE.search(data) is not None
            self.recent = self.written = _Lender(number, styles=styles, valued=valued)


def _indexed(sink: Deflater) -> Deflated:
    """The deflated part, with its segment index as a zip extra field when it has one."""
    result = sink.finish()
    if sink.noted is not None:
        head, body = sink.noted
        result.extra = SegmentIndex(head, body, result.segments[-1]).extra()
    return result


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
        self.rels_part = _rels_name(self.workbook_part)
        self.rels_xml = self.package.xml(self.rels_part)
        targets = {
            rel.get("Id"): (rel.get("Type"), _resolve(self.workbook_part, rel.get("Target")))
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
        self.stream_chunk = STREAM_CHUNK  # tests make it small, so rows straddle pieces
        # Sheet names (as in the file) the register owns; set by the Register.
        self.data_sheets: set[str] = set()

    def _main_part(self) -> str:
        root = self.package.xml("_rels/.rels")
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target"))
        raise WorkbookDamaged("no workbook part in the package")

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def sheet_head(self, sheet: str) -> tuple[int, list[Any], int]:
        """(header row number, its values by column, last row holding a value), found in the
        sheet's XML without reading the rows in between: enough to append to the sheet.

        The part is streamed: the header is in the first pieces, the last row in the last
        ones, and only a piece at a time is in memory (the Audit sheet, appended to by every
        command, is 9 MB of XML at ten years' scale).
        """
        part = self.sheets[sheet].part
        info = self.package.names.get(part)
        indexed = None
        streamed = self.package.streamed
        if info is not None and part not in self.package.changed and part not in streamed:
            indexed = self._segments(info)
        try:
            # A part ccp wrote in segments knows its last row: only the header is read.
            return self._sheet_head_streamed(part, indexed[0].last_row if indexed else None)
        except Unusual:
            return self._sheet_head_whole(sheet, self.package.read(part))

    def _sheet_head_streamed(
        self, part: str, last_row: int | None = None
    ) -> tuple[int, list[Any], int]:
        pieces = SheetPieces(self.package.stream(part, self.stream_chunk))
        head = pieces.head
        if CDATA in head or b"worksheet" not in head:
            raise Unusual("not a plain worksheet")
        head_end = head.find(b">", head.find(b"worksheet")) + 1
        namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', head[:head_end])
        opening = b"<wrap " + b" ".join(ns.strip() for ns in namespaces) + b">"
        close = b"</" + pieces.prefix + b"row>"
        opener = b"<" + pieces.prefix + b"row"
        header_row, header = 1, []
        previous = 0
        found = False
        last: int | None = None
        for piece in pieces.body():
            if CDATA in piece:
                raise Unusual("CDATA")
            # The header: the first row holding a value (as _sheet_head_whole finds it).
            for row_match in [] if found else _ROW_START.finditer(piece):
                number_match = _R_ATTR.search(row_match.group())
                number = int(number_match.group(1)) if number_match else previous + 1
                previous = number
                if row_match.group().endswith(b"/>"):
                    continue
                row_end = piece.find(close, row_match.end())
                if row_end < 0:
                    raise Unusual("a row is not closed")
                fragment = piece[row_match.start() : row_end + len(close)]
                if not _HAS_VALUE.search(fragment):
                    continue
                try:
                    row = etree.fromstring(opening + fragment + b"</wrap>", _PARSER)[0]
                except etree.XMLSyntaxError:
                    raise Unusual("a row is not well-formed") from None
                values = self._row_values(row)
                if any(value not in (None, "") for value in values):
                    header_row, header, found = number, values, True
                    break
            if found and last_row is not None:
                return header_row, header, max(last_row, header_row)
            # The last row holding a value, so far: searched from the piece's end.
            cursor = len(piece)
            while cursor > 0:
                row_start = piece.rfind(opener, 0, cursor)
                if row_start < 0:
                    break
                if _HAS_VALUE.search(piece, row_start, cursor):
                    number_match = _R_ATTR.search(piece, row_start, piece.find(b">", row_start))
                    if number_match is None:
                        raise Unusual("rows numbered by position")  # counted in the whole
                    last = int(number_match.group(1))
                    break
                cursor = row_start
        return header_row, header, max(header_row if last is None else last, header_row)

    def _sheet_head_whole(self, sheet: str, data: bytes) -> tuple[int, list[Any], int]:
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
        if not self._edit_segmented(sheet, info.part, edits) and not self._edit_streamed(
            sheet, info.part, edits
        ):
            editor = SheetEditor(
                self.package.read(info.part), f"sheet {sheet}", self.styles, self.date1904
            )
            data = editor.apply(edits, self.column_styles(sheet))
            self.package.put(info.part, data)
        self._edited.add(sheet)
        last = max([edits.last_data_row, *edits.cells]) if edits.cells else edits.last_data_row
        if last > edits.last_data_row:
            self._grow_tables(info, edits.last_data_row, last)
            self._grow_filter_name(info, edits.last_data_row, last)
        self._recalculate_on_open()

    def _edit_streamed(self, sheet: str, part: str, edits: SheetEdits) -> bool:
        """The edit made in one pass over the part as a stream (False: not done, because
        the part is not in the plain form that needs, or was added by this command)."""
        package = self.package
        if part in package.changed or not package.has(part):
            return False
        info = package.names.get(part)
        size = info.file_size if info is not None else package.streamed[part].size

        def edit(sink: Deflater) -> None:
            pieces = SheetPieces(package.stream(part, self.stream_chunk))
            _StreamEditor(pieces, f"sheet {sheet}", self.styles, self.date1904).run(edits, sink)

        return self._deflate_edit(part, size, edit)

    def _deflate_edit(self, part: str, size: int, edit: Callable[[Deflater], None]) -> bool:
        """Run ``edit`` into a new deflated part; False (nothing done, styles as they were)
        when it meets what only the whole-part editor handles."""
        # The size before the edit decides: the new one is known only at the end (a part that
        # grows past the mark in one command is compressed small, once, rather than fast).
        sink = Deflater(1 if size > _FAST_COMPRESS_OVER else 6)
        before = self.styles.snapshot()
        try:
            edit(sink)
        except (Unusual, WorkbookRefused, ValueError):
            # SheetEditor reads the part whole: it handles every form, and a refusal then
            # says the same thing a whole read would have said first.
            self.styles.restore(before)
            return False
        self.package.put_streamed(part, _indexed(sink))
        return True

    def _edit_segmented(self, sheet: str, part: str, edits: SheetEdits) -> bool:
        """The edit made to a part ccp wrote in segments (``segments``): segments without a
        row to write kept as deflated, only the others (and the head and tail) inflated and
        deflated again. False (nothing done) for a part whose index does not check."""
        package = self.package
        info = package.names.get(part)
        if info is None or part in package.changed or part in package.streamed:
            return False
        found = self._segments(info)
        if found is None:
            return False
        index, head, bodies, tail = found
        if edits.last_data_row != index.last_row:
            return False

        def edit(sink: Deflater) -> None:
            pieces = SheetPieces([head])
            editor = _StreamEditor(pieces, f"sheet {sheet}", self.styles, self.date1904)
            editor.run_segmented(edits, sink, index, pieces.head, bodies, tail)

        return self._deflate_edit(part, info.file_size, edit)

    def _segments(
        self, info: zipfile.ZipInfo
    ) -> tuple[SegmentIndex, bytes, list[bytes], bytes] | None:
        """The part's segment index, its head and tail inflated and each body segment as
        stored, when every check holds; else None."""
        index = read_index(info.extra)
        if index is None or info.compress_type != zipfile.ZIP_DEFLATED:
            return None
        if (index.size, index.compressed, index.crc) != (
            info.file_size,
            info.compress_size,
            info.CRC,
        ):
            return None
        data = self.package.deflated(info)
        position = index.head.compressed
        bodies = []
        for rows in index.body:
            deflated = data[position : position + rows.segment.compressed]
            if zlib.crc32(deflated) != rows.deflated_crc:
                return None
            bodies.append(deflated)
            position += rows.segment.compressed
        head = inflate_segment(data[: index.head.compressed], index.head, last=False)
        tail = inflate_segment(data[position:], index.tail, last=True)
        if head is None or tail is None or not head.rstrip().endswith(b"<sheetData>"):
            return None
        return index, head, bodies, tail

    def _grow_tables(self, info: SheetInfo, old_last: int, new_last: int) -> None:
        rels = _rels_name(info.part)
        if not self.package.has(rels):
            return
        for rel in self.package.xml(rels):
            if rel.get("Type") != TABLE_TYPE:
                continue
            part = _resolve(info.part, rel.get("Target"))
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
            self.package.put(part, _serialise(root))

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
                chain = _resolve(self.workbook_part, rel.get("Target"))
                self.package.remove(chain)
                self.rels_xml.remove(rel)
                self.package.put(self.rels_part, _serialise(self.rels_xml))
                types = self.package.xml("[Content_Types].xml")
                for override in list(types):
                    if override.get("PartName") == "/" + chain:
                        types.remove(override)
                self.package.put("[Content_Types].xml", _serialise(types))
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
        self.package.put(self.rels_part, _serialise(self.rels_xml))
        types = self.package.xml("[Content_Types].xml")
        etree.SubElement(
            types, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=SHEET_CONTENT_TYPE
        )
        self.package.put("[Content_Types].xml", _serialise(types))
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
            self.package.put(self.workbook_part, _serialise(self.workbook_xml))
        self.package.write(handle)

    def misread_cells(self, sheet: str) -> list[str]:
        """``misread_cells`` of a sheet, its part streamed rather than inflated whole."""
        part = self.sheets[sheet].part
        try:
            pieces = SheetPieces(self.package.stream(part, self.stream_chunk))
            found: tuple[list[str], list[str]] = ([], [])
            # Pieces end where rows begin, so a cell and its marker are in the same piece.
            for piece in itertools.chain([pieces.head], pieces.body()):
                after, before = _misread_by_marker(piece)
                found[0].extend(after)
                found[1].extend(before)
            after, before = _misread_by_marker(pieces.tail())
            found[0].extend(after)
            found[1].extend(before)
        except Unusual:
            return misread_cells(self.package.read(part))
        return [*found[0], *found[1]]

    def changed_parts(self) -> Iterable[str]:
        return [*self.package.changed, *self.package.streamed, *self.package.removed]


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
