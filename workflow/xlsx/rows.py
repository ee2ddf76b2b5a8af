"""Row writing: the touched rows of one worksheet part rewritten, every other byte kept."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

from workflow.xlsx.package import (
    _PARSER,
    MAIN_NS,
    STRICT_NS,
    WorkbookDamaged,
    WorkbookRefused,
    local_name,
)
from workflow.xlsx.ranges import _RANGE, grow_ranges
from workflow.xlsx.stream import sheet_pieces
from workflow.xlsx.styles import Styles
from workflow.xlsx.values import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    NO,
    TIME_FORMAT,
    YES,
    CellWrite,
    column_index,
    column_letter,
    number_text,
    plain,
    serial,
    storable_problem,
)

_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*>")
# A row's number: Excel and Calc write r="5", but XML lets any writer quote it r='5'.
_R_ATTR = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


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
    """Rewrites one row as ccp writes it, and the dimension and ranges around the rows;
    ``SheetEditor`` finds the rows in the part and puts the rewritten ones back."""

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
            if local_name(cell.tag) != "c":
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
            if local_name(cell.tag) != "c":
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
            if local_name(child.tag) == "f":
                # A formula a person typed where ccp keeps a value: writing over it would
                # lose it without a word, so the command stops and says where it is.
                shared = child.get("t") in ("shared", "array") and child.get("ref")
                raise WorkbookRefused(
                    f"{self.where}, cell {cell.get('r')} holds a formula"
                    f"{' that other cells share' if shared else ''} (={child.text or ''}); "
                    "type a plain value there instead, then run the command again"
                )
        for child in list(cell):
            cell.remove(child)
        for attribute in ("t", "cm", "vm", "ph"):
            cell.attrib.pop(attribute, None)
        value = plain(write.value)
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
            etree.SubElement(cell, q("v")).text = number_text(serial(value, self.date1904))
            return
        if isinstance(value, int | float | Decimal):
            if isinstance(value, float | Decimal) and not math.isfinite(value):
                raise ValueError(f"Excel cannot store {value!r}")
            etree.SubElement(cell, q("v")).text = number_text(value)
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
            tail = grow_ranges(tail, edits.last_data_row, new_last)
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
    """Rewrites the touched rows of one worksheet part, leaving every other byte alone.

    The part goes through piece by piece (``stream.sheet_pieces``): runs of whole rows are
    searched for the rows to change (by their r="N", at memory speed), new rows go before
    the first row with a higher number (usually at the end), and nothing holds the sheet
    whole: the Audit sheet of a ten-times-busier register is 77 MB of XML.
    """

    def __init__(self, where: str, styles: Styles, date1904: bool):
        super().__init__(where, styles, date1904, "", [])

    def stream(
        self, chunks: Iterable[bytes], edits: SheetEdits, column_styles: dict[int, int]
    ) -> Iterator[bytes]:
        """The part's new bytes, in pieces, from its inflated ``chunks``."""
        pieces = sheet_pieces(chunks, self.where)
        head = next(pieces).data
        opening = next(pieces).data
        root = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet\b", head)
        if root is None:
            raise WorkbookDamaged(f"{self.where} has no worksheet element")
        if b"<!DOCTYPE" in head[: root.start()] or b"<!ENTITY" in head[: root.start()]:
            raise WorkbookRefused(
                f"{self.where} declares a DTD or entities, which a workbook never does"
            )
        root_start = head[: head.find(b">", root.end()) + 1]
        if STRICT_NS.encode() in root_start:
            raise WorkbookRefused(f"{self.where} is Strict Open XML")
        self.namespaces = re.findall(rb'\sxmlns(?::[\w.-]+)?="[^"]*"', root_start)
        empty = not opening
        if opening:
            found = re.match(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData", opening)
            self.prefix = found.group(1).decode() + ":" if found and found.group(1) else ""
        else:  # <sheetData/>: open it up (the element names' prefix is the worksheet's)
            found = re.match(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet", head[root.start() :])
            self.prefix = found.group(1).decode() + ":" if found and found.group(1) else ""
            opening = f"<{self.prefix}sheetData>".encode()
        rows = _Rows(self, edits, column_styles)
        # The protection is in the tail: an edit refused there has written nothing yet
        # (the new file is a temporary one until the end).
        yield self._finish_head(head, edits) + opening
        for piece in pieces:
            if piece.kind == "rows":
                yield from rows.run(piece.data)
            else:
                self._check_protection(piece.data)
                yield from rows.rest()
                closing = f"</{self.prefix}sheetData>".encode() if empty else b""
                yield self._finish_tail(closing + piece.data, edits)


class _Rows:
    """The row edits of one sheet applied to its runs of rows, in file order."""

    def __init__(self, editor: SheetEditor, edits: SheetEdits, column_styles: dict[int, int]):
        self.editor = editor
        self.edits = edits
        self.column_styles = column_styles
        self.pending = sorted(set(edits.cells) | edits.removed_rows)
        self.next = 0  # index in pending of the first row not yet written
        self.previous = 0  # the number of the last row met (a row without r="N" follows it)
        self.lender: tuple[int, bytes] | None = None  # the last data row met, as written
        self.lent: tuple[tuple[int, bytes], Mapping[int, int]] | None = None
        p = editor.prefix.encode()
        self.opener = b"<" + p + b'row r="'
        self.row_tag = b"<" + p + b"row"
        self.close = b"</" + p + b"row>"

    def _styles(self, number: int, fragment: bytes) -> Mapping[int, int]:
        """The cell styles of a row (the last one asked is remembered: new rows in a row
        each ask for the one before)."""
        if self.lent is None or self.lent[0] != (number, fragment):
            self.lent = ((number, fragment), self.editor._styles_of(self.editor._wrap(fragment)[0]))
        return self.lent[1]

    def _write(self, number: int, fragment: bytes | None, above: tuple[int, bytes] | None) -> bytes:
        """Row ``number`` with its edits (``fragment`` None for a new row); b"" if removed."""
        if number in self.edits.removed_rows:
            return b""
        header = self.edits.header_row
        lender = above if above is not None and number > header and above[0] > header else None
        styles: Mapping[int, int] = (
            _LazyStyles(lambda: self._styles(*lender)) if lender is not None else {}
        )
        written, _ = self.editor._rewrite(
            fragment,
            number,
            self.edits.cells[number],
            styles,
            self.column_styles,
            number > self.edits.last_data_row,
        )
        return written

    def _new_rows_before(self, limit: int) -> Iterator[bytes]:
        """The pending rows numbered below ``limit``: rows the file does not have."""
        while self.next < len(self.pending) and self.pending[self.next] < limit:
            number = self.pending[self.next]
            self.next += 1
            if number in self.edits.removed_rows:
                continue
            written = self._write(number, None, self.lender)
            self.lender = (number, written)
            yield written

    def rest(self) -> Iterator[bytes]:
        """The rows added after every row in the file."""
        yield from self._new_rows_before(1 << 62)

    def run(self, data: bytes) -> Iterator[bytes]:
        """One run of whole rows with its edits made."""
        first = _ROW_START.search(data)
        if first is None:
            yield data
            return
        last_start = data.rfind(self.row_tag)
        last = _R_ATTR.search(data, last_start, data.find(b">", last_start) + 1)
        if not first.group().startswith(self.opener) or last is None:
            yield from self._indexed(data)
            return
        first_number = int(_R_ATTR.search(first.group()).group(1))
        last_number = int(last.group(1))
        if first_number <= self.previous or last_number < first_number:
            yield from self._indexed(data)  # rows out of order: walk them all
            return
        yield from self._new_rows_before(first_number)
        wanted = []
        while self.next < len(self.pending) and self.pending[self.next] <= last_number:
            wanted.append(self.pending[self.next])
            self.next += 1
        found: list[tuple[int, int, int]] = []
        cursor = 0
        for number in wanted:
            start = data.find(self.opener + b'%d"' % number, cursor)
            if start < 0:
                self.next -= len(wanted)  # not where the order says: walk every row
                yield from self._indexed(data)
                return
            end = self._row_end(data, start, number)
            found.append((number, start, end))
            cursor = end
        yield from self._replace(data, found, last_number, last_start)

    def _row_end(self, data: bytes, start: int, number: int) -> int:
        tag_end = data.find(b">", start) + 1
        if data[tag_end - 2 : tag_end] == b"/>":
            return tag_end
        end = data.find(self.close, tag_end)
        if end < 0:
            raise WorkbookDamaged(f"{self.editor.where}: row {number} is not closed")
        return end + len(self.close)

    def _replace(
        self, data: bytes, found: list[tuple[int, int, int]], last_number: int, last_start: int
    ) -> Iterator[bytes]:
        cursor = 0
        previous_start = -1  # where the last row written began
        last_written: bytes | None = None
        for number, start, end in found:
            before = data.rfind(self.row_tag, 0, start)
            above = self.lender  # the row written just before, or the last of the runs before
            if before >= 0 and before != previous_start:
                match = _R_ATTR.search(data, before, data.find(b">", before) + 1)
                above = (int(match.group(1)), data[before:start]) if match else None
            written = self._write(number, data[start:end], above)
            yield data[cursor:start]
            yield written
            cursor, previous_start = end, start
            if written:
                self.lender = (number, written)
            if start == last_start:
                last_written = written
        yield data[cursor:]
        self.previous = last_number
        if last_written is None:
            self.lender = (last_number, data[last_start:])
        elif last_written:
            self.lender = (last_number, last_written)

    def _indexed(self, data: bytes) -> Iterator[bytes]:
        """A run of rows walked one by one: rows without numbers, out of order, or a new
        row to put between two of them."""
        index = []
        for match in _ROW_START.finditer(data):
            number_match = _R_ATTR.search(match.group())
            number = int(number_match.group(1)) if number_match else self.previous + 1
            self.previous = number
            index.append((number, match.start(), self._row_end(data, match.start(), number)))
        cursor = 0
        for number, start, end in index:
            # New rows go before the first row with a higher number.
            yield data[cursor:start]
            cursor = start
            yield from self._new_rows_before(number)
            if self.next < len(self.pending) and self.pending[self.next] == number:
                self.next += 1
                written = self._write(number, data[start:end], self.lender)
                yield written
                cursor = end
                if written:
                    self.lender = (number, written)
            else:
                self.lender = (number, data[start:end])
        yield data[cursor:]


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


def declared_column_styles(head: bytes) -> dict[int, int]:
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
