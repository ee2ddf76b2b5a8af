"""Row writing: the touched rows of one worksheet part rewritten, every other byte kept."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterator, Mapping
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
    escape_text,
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
    """Rewrites the touched rows of one worksheet part, leaving every other byte alone."""

    def __init__(self, data: bytes, where: str, styles: Styles, date1904: bool):
        if b"<![CDATA[" in data:
            # A row boundary cannot be found by searching text that may hide "</row>"; CDATA
            # is only another spelling of text, so it is spelt the usual way first.
            data = _CDATA.sub(lambda m: escape_text(m.group(1)), data)
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
            # Parsed only if asked (a new row's cells, a date without a style): a changed count
            # in each of 13,000 open actions needs no neighbour.
            above: Mapping[int, int] = (
                _LazyStyles(lambda number=number: styles_above(number))
                if number > edits.header_row
                else {}
            )
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
