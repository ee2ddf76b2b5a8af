"""The workbook opened for editing: its sheets and parts, a sheet's header and last row.

Why not a library: openpyxl loads and saves the whole workbook, which drops the charts and
images it did not create and costs 0.8 s to load plus 0.55 s to save a 287 KiB register; a
rewrite from our own tables lost every fill, comment, table and formula a person added
(TECHNOTES, "Register writes"). So one path edits a sheet (``rows``): its part streams from
the old file into the new one in runs of whole rows (``stream``), the touched rows are parsed
and rewritten, the bytes between them are kept, and no sheet is ever held whole; every other
part is copied as stored (``package``); ranges, tables and filter names that end on the last
row grow with it (``ranges``); formulas are made to show fresh values (``formulas``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

from lxml import etree

from workflow.xlsx.formulas import drop_cached_values, recalculate_on_open
from workflow.xlsx.package import (
    _PARSER,
    CT_NS,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    SHEET_CONTENT_TYPE,
    STRICT_NS,
    WORKSHEET_TYPE,
    Package,
    WorkbookDamaged,
    WorkbookRefused,
    local_name,
    rels_name,
    resolve,
    serialise,
)
from workflow.xlsx.ranges import grow_defined_names, grow_tables, rename_in_local_names
from workflow.xlsx.rows import (
    _R_ATTR,
    _ROW_START,
    SheetEditor,
    SheetEdits,
    declared_column_styles,
)
from workflow.xlsx.scrub import scrub_package
from workflow.xlsx.stream import sheet_pieces
from workflow.xlsx.styles import Styles
from workflow.xlsx.values import column_index

# A cell with a value (or a formula) in it, in a row's bytes.
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s>]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")
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
        # Sheet -> columns whose formulas keep their cached values (the register reads them);
        # asked only of a sheet holding formulas.
        self.keep_cached: Callable[[str], set[int]] = lambda sheet: set()
        # Texts to take out of every part as the file is written (erasure): see ``scrub``.
        self.scrub: tuple[tuple[str, ...], str] | None = None

    def _main_part(self) -> str:
        root = self.package.xml("_rels/.rels")
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return resolve("", rel.get("Target"))
        raise WorkbookDamaged("no workbook part in the package")

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def sheet_header(self, sheet: str) -> tuple[int, list[Any]]:
        """(header row number, its values by column), reading the sheet only that far."""
        header_row, header, _ = self.sheet_head(sheet, last=False)
        return header_row, header

    def sheet_head(self, sheet: str, *, last: bool = True) -> tuple[int, list[Any], int]:
        """(header row number, its values by column, last row holding a value): enough to
        append to the sheet without reading the rows in between (which stream by). Without
        ``last``, the reading stops at the header (and the last row given is the header's)."""
        find_last = last
        where = f"sheet {sheet}"
        part = self.sheets[sheet].part
        # A sheet being rewritten is known by what the file holds (its rows are counted by
        # whoever asked for the rewrite).
        changed = self.package.changed.get(part)
        source = (
            self.package.stream_stored(part) if callable(changed) else self.package.stream(part)
        )
        pieces = sheet_pieces(source, where)
        head = next(pieces).data
        opening = next(pieces).data
        if not opening:
            return 1, [], 1
        found = re.match(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData", opening)
        prefix = found.group(1) + b":" if found and found.group(1) else b""
        head_end = head.find(b">", head.find(b"worksheet")) + 1
        namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', head[:head_end])
        opening_tag = b"<wrap " + b" ".join(ns.strip() for ns in namespaces) + b">"
        close = b"</" + prefix + b"row>"
        opener = b"<" + prefix + b"row"
        header_row, header = 1, None
        previous = 0  # the number of the last row of the runs before
        last = 0
        for piece in pieces:
            if piece.kind != "rows":
                break
            data = piece.data
            numbers: list[tuple[int, re.Match[bytes]]] | None = None
            if header is None:
                for number, row_match in self._each_numbered(data, previous):
                    if row_match.group().endswith(b"/>"):
                        continue
                    row_end = data.find(close, row_match.end())
                    if row_end < 0:
                        raise WorkbookDamaged(f"{where}: row {number} is not closed")
                    fragment = data[row_match.start() : row_end + len(close)]
                    if not _HAS_VALUE.search(fragment):
                        continue
                    try:
                        row = etree.fromstring(opening_tag + fragment + b"</wrap>", _PARSER)[0]
                    except etree.XMLSyntaxError as err:
                        raise WorkbookDamaged(f"{where}: row {number} is not well-formed") from err
                    values = self._row_values(row)
                    if any(value not in (None, "") for value in values):
                        header_row, header = number, values
                        break
            if not find_last and header is not None:
                pieces.close()
                break
            # The last row of this run holding a value (usually its last row).
            cursor = len(data)
            while cursor > 0:
                row_start = data.rfind(opener, 0, cursor)
                if row_start < 0:
                    break
                if _holds_typed_value(data[row_start:cursor]):
                    number_match = _R_ATTR.search(data, row_start, data.find(b">", row_start))
                    if number_match is not None:
                        last = int(number_match.group(1))
                    else:  # numbered by place: one more than the row before
                        if numbers is None:
                            numbers = self._numbered(data, previous)
                        last = next(n for n, m in numbers if m.start() == row_start)
                    break
                cursor = row_start
            last_start = data.rfind(opener)
            number_match = _R_ATTR.search(data, last_start, data.find(b">", last_start))
            if number_match is not None:
                previous = int(number_match.group(1))
            else:
                if numbers is None:
                    numbers = self._numbered(data, previous)
                previous = numbers[-1][0] if numbers else previous
        if header is None:
            header_row, header = 1, []
        return header_row, header, max(last, header_row)

    @staticmethod
    def _each_numbered(data: bytes, previous: int) -> Iterator[tuple[int, re.Match[bytes]]]:
        """Each row of a run with its number (a row without r="N" follows the one before)."""
        for row_match in _ROW_START.finditer(data):
            number_match = _R_ATTR.search(row_match.group())
            previous = int(number_match.group(1)) if number_match else previous + 1
            yield previous, row_match

    @classmethod
    def _numbered(cls, data: bytes, previous: int) -> list[tuple[int, re.Match[bytes]]]:
        return list(cls._each_numbered(data, previous))

    def formula_rows(self, sheet: str) -> set[int]:
        """Rows below the header holding nothing but formulas (a block the administrator
        filled down, M2:M1000): free rows that new rows fill, as in an Excel table, so that
        rows land where those formulas expect them whichever program saved last."""
        found = set()
        previous = 0
        for piece in sheet_pieces(self.package.stream(self.sheets[sheet].part), sheet):
            if piece.kind != "rows":
                continue
            data = piece.data
            if b"<f" not in data and b":f" not in data:
                last_start = data.rfind(b"<row ")
                number_match = _R_ATTR.search(data, last_start, data.find(b">", last_start))
                if number_match is not None:
                    previous = int(number_match.group(1))
                    continue
            for number, match in self._numbered(data, previous):
                previous = number
                if match.group().endswith(b"/>"):
                    continue
                end = data.find(b"row>", match.end())
                fragment = data[match.end() : end]
                if _FORMULA.search(fragment) and not _holds_typed_value(fragment):
                    found.add(number)
        return found

    def _row_values(self, row: Any) -> list[Any]:
        values: list[Any] = []
        implicit = 0
        for cell in row:
            if local_name(cell.tag) != "c":
                continue
            match = _CELL_REF.fullmatch(cell.get("r") or "")
            index = column_index(match.group(1)) if match else implicit
            implicit = index + 1
            kind = cell.get("t") or "n"
            text = next((child.text for child in cell if local_name(child.tag) == "v"), None)
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
                        if local_name(t.getparent().tag) != "rPh"  # phonetic guides are not text
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
        return declared_column_styles(self._leading_bytes(self.sheets[sheet].part, _head_read))

    def _leading_bytes(self, part: str, enough: Callable[[bytes], bool]) -> bytes:
        """The start of a part, inflated piece by piece until ``enough`` says so (or whole)."""
        data = b""
        for piece in self.package.stream(part, _HEAD_CHUNK):
            data += piece
            if enough(data):
                break
        return data

    def edit_sheet(self, sheet: str, edits: SheetEdits) -> None:
        """Rewrite the rows ``edits`` names when the file is written, as the part streams by
        (see ``rows.SheetEditor``); ranges, tables and names grow with the rows now."""
        if not edits:
            return
        info = self.sheets[sheet]
        editor = SheetEditor(f"sheet {sheet}", self.styles, self.date1904)
        column_styles = self.column_styles(sheet)
        part = info.part
        source = self.package.changed.get(part)
        if source is not None and not isinstance(source, bytes):
            raise ValueError(f"sheet {sheet} is already being edited")

        def chunks() -> Iterator[bytes]:
            if isinstance(source, bytes):  # a sheet added by this command
                yield source
            else:
                yield from self.package.stream_stored(part)

        self.package.put(part, lambda: editor.stream(chunks(), edits, column_styles))
        self._edited.add(sheet)
        last = max([edits.last_data_row, *edits.cells]) if edits.cells else edits.last_data_row
        if last > edits.last_data_row:
            grow_tables(self, info, edits.last_data_row, last)
            grow_defined_names(self, sheet, edits.last_data_row, last)
        recalculate_on_open(self)

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
        # Chart sheets hold ids too: a repeated id is a file Excel offers to repair.
        taken = [int(tab.get("sheetId", 0)) for tab in sheets.iter(f"{{{MAIN_NS}}}sheet")]
        sheet_id = max(taken, default=0) + 1
        element = etree.SubElement(sheets, f"{{{MAIN_NS}}}sheet", name=name, sheetId=str(sheet_id))
        element.set(f"{{{REL_NS}}}id", rel_id)
        self.sheets[name] = SheetInfo(name, part, sheet_id, rel_id)
        self._workbook_changed = True

    def rename_sheet(self, old: str, new: str) -> None:
        """Give worksheet ``old`` the tab name ``new``; its part, rows and decorations stay
        as they are (nothing is read or rewritten but the workbook part)."""
        if new.casefold() in {name.casefold() for name in self.tab_names()}:
            raise WorkbookRefused(
                f"a tab named '{new}' is already in the workbook, and ccp needs that name for "
                f"the tab now called '{old}'; rename the other tab and run the command again"
            )
        tabs = list(self.workbook_xml.iter(f"{{{MAIN_NS}}}sheet"))
        # localSheetId counts every tab, chart sheets too.
        tab = next(index for index, element in enumerate(tabs) if element.get("name") == old)
        tabs[tab].set("name", new)
        rename_in_local_names(self, tab, old, new)
        self.sheets = {
            (new if name == old else name): (replace(info, name=new) if name == old else info)
            for name, info in self.sheets.items()
        }
        self._workbook_changed = True

    def tab_names(self) -> list[str]:
        """Every tab's name, chart sheets too, in order."""
        return [tab.get("name") for tab in self.workbook_xml.iter(f"{{{MAIN_NS}}}sheet")]

    def header_style(self, sheet: str) -> int | None:
        """The style of the first header cell of ``sheet`` (bold, in a register ccp made)."""
        # Cell A1 is in row 1, the first row: no need to inflate the rows below it.
        data = self._leading_bytes(self.sheets[sheet].part, _first_row_read)
        match = _A1_STYLE.search(data)
        return int(match.group(1)) if match else None

    def write(self, handle: IO[bytes]) -> None:
        if self.scrub is not None:
            scrub_package(self.package, *self.scrub)
        drop_cached_values(self)
        self.styles.save()
        if self._workbook_changed:
            self.package.put(self.workbook_part, serialise(self.workbook_xml))
        self.package.write(handle)

    def misread_cells(self, sheet: str) -> list[str]:
        return [
            ref
            for piece in sheet_pieces(self.package.stream(self.sheets[sheet].part), sheet)
            if piece.kind == "rows"
            for ref in misread_cells(piece.data)
        ]

    def changed_parts(self) -> Iterable[str]:
        return [*self.package.changed, *self.package.removed]


_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")


def _holds_typed_value(fragment: bytes) -> bool:
    """Whether some cell in ``fragment`` (rows' bytes) holds a value that is not a formula's."""
    if not _HAS_VALUE.search(fragment):
        return False
    if not _FORMULA.search(fragment):
        return True
    return any(
        content and _HAS_VALUE.search(content) and not _FORMULA.search(content)
        for content in _CELL.findall(fragment)
    )


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
