"""Rows and values of a sheet known by its header, found without reading it whole: rows
by number joined to its live rows (``adopt``); the latest by a date column (``latest``:
the dashboard's "what changed recently" reads the Audit's dates alone, not 20,000 rows);
the latest date in a column; the tokens its text holds; one column's values."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workflow.core.errors import RegisterError
from workflow.register.cells import typed_rows
from workflow.register.edits import LoadedSheet, sheet_columns
from workflow.register.schema import Column
from workflow.xlsx.package import REPAIR, WorkbookRefused
from workflow.xlsx.scan import ScanUnsupported, SheetScan
from workflow.xlsx.values import from_serial

if TYPE_CHECKING:
    from workflow.register import Register


def adopt(
    columns: tuple[Column, ...], loaded: LoadedSheet, found: list[tuple[int, list[Any]]]
) -> None:
    """Rows read by number from a sheet known by its header join its live rows (a row
    read before stays the same object), in file order, before the rows appended since."""
    table = loaded.table
    held = {entry[0]: row for row in table.rows if (entry := loaded.originals.get(id(row)))}
    fresh_numbers = [number for number, _ in found if number not in held]
    fresh_rows = typed_rows(
        columns,
        table.positions,
        table.extras,
        [raw for number, raw in found if number not in held],
    )
    for number, row in zip(fresh_numbers, fresh_rows, strict=True):
        loaded.originals[id(row)] = (number, tuple(row.values()))
        held[number] = row
    # Read rows go before the rows appended since, in file order.
    appended = [row for row in table.rows if id(row) not in loaded.originals]
    table.rows[:] = (
        sorted((row for row in held.values()), key=lambda row: loaded.originals[id(row)][0])
        + appended
    )


def dated_by(key: str) -> Callable[[dict[str, Any]], datetime]:
    """A sort key: the row's date-time in column ``key`` (a value that is not one: the
    oldest)."""

    def when(row: dict[str, Any]) -> datetime:
        value = row.get(key)
        return value if isinstance(value, datetime) else datetime.min

    return when


def latest(register: Register, sheet: str, key: str, count: int) -> list[dict[str, Any]]:
    """The ``count`` rows with the latest date-times in column ``key``, latest first (a
    value that is not a date-time counts as the oldest; ties: the earlier row first):
    the live rows, found by reading that column alone (the others of 20,000 Audit rows
    are not read) when the sheet is in the usual form, else by reading every row."""
    when = dated_by(key)
    loaded = register._head(sheet)
    actual = register._actual_or_added(sheet)
    table = loaded.table
    if loaded.partial and actual is not None and key in table.positions:
        try:
            scan = SheetScan(register._workbook, actual)
            numbers = scan.latest(table.positions[key], count, table.header_row)
            if numbers is not None:
                found = [item for item in scan.numbered(numbers) if item[0] in set(numbers)]
                adopt(sheet_columns(sheet), loaded, found)
                rows = {
                    entry[0]: row for row in table.rows if (entry := loaded.originals.get(id(row)))
                }
                chosen = [rows[number] for number in numbers if number in rows]
                appended = [row for row in table.rows if id(row) not in loaded.originals]
                if len(chosen) == count and all(
                    isinstance(row.get(key), datetime) for row in chosen
                ):
                    return heapq.nlargest(count, chosen + appended, key=when)
        except ScanUnsupported:
            pass
        except WorkbookRefused as err:
            raise RegisterError(f"{register._name}: {err}; {REPAIR}; nothing was changed") from err
    return heapq.nlargest(count, register.rows(sheet), key=when)


def tokens(register: Register, sheet: str, prefix: str) -> set[str]:
    """Every token of the sheet's text that starts with ``prefix`` (then letters, digits,
    hyphens), in any column: ``tokens("Audit", "CCP-2027-")`` is every case or action
    ID of 2027 the Audit sheet names, found without reading its rows. In a file saved by
    a spreadsheet program the shared texts of every sheet count too (one table serves
    them all): a question like "which numbers were ever used" wants no less."""
    import re

    pattern = re.compile(re.escape(prefix) + "[A-Za-z0-9-]*")
    loaded = register._sheets.get(sheet)
    actual = register._actual_or_added(sheet) if loaded is None else register._actual(sheet)
    if loaded is not None and not loaded.partial or actual is None:
        texts = [value for row in register.rows(sheet) for value in row.values()]
    else:
        try:
            found = SheetScan(register._workbook, actual).tokens(prefix)
        except ScanUnsupported:
            found = None
        except WorkbookRefused as err:
            raise RegisterError(f"{register._name}: {err}; {REPAIR}; nothing was changed") from err
        if found is not None:
            appended = [] if loaded is None else loaded.table.rows
            texts = [value for row in appended for value in row.values()]
            return found | {
                token for text in texts if isinstance(text, str) for token in pattern.findall(text)
            }
        texts = [value for row in register._grid(actual) for value in row]
    return {token for text in texts if isinstance(text, str) for token in pattern.findall(text)}


def column_values(register: Register, sheet: str, key: str) -> list[Any]:
    """One column's values as stored, below the header, without reading whole rows.

    For a question about a big sheet that needs one column (which case numbers were ever
    used): no row dicts are built. Blank cells are left out.
    """
    loaded = register._sheets.get(sheet)
    if loaded is not None and not loaded.partial:
        return [row.get(key) for row in loaded.table.rows if row.get(key) not in (None, "")]
    head = register._head(sheet).table
    actual = register._actual_or_added(sheet)
    if actual is None or key not in head.positions:
        return []
    index = head.positions[key]
    grid = register._grid(actual)
    return [
        row[index]
        for row in grid[head.header_row :]
        if index < len(row) and row[index] not in (None, "")
    ]


def latest_date(register: Register, sheet: str, key: str) -> datetime | None:
    """The latest date-time in column ``key`` of ``sheet``, found by reading that column's
    cells alone when the sheet is in the usual form (else every value of the column)."""
    loaded = register._head(sheet)
    actual = register._actual_or_added(sheet)
    table = loaded.table
    appended = [row.get(key) for row in table.rows if id(row) not in loaded.originals]
    found: list[Any] = []
    if loaded.partial and actual is not None and key in table.positions:
        try:
            serial = SheetScan(register._workbook, actual).latest_date(
                table.positions[key], table.header_row
            )
        except ScanUnsupported:
            serial = None
        except WorkbookRefused as err:
            raise RegisterError(f"{register._name}: {err}; {REPAIR}; nothing was changed") from err
        if serial is not None:
            found = [from_serial(serial, register._workbook.date1904)]
    if not found:
        found = register.column_values(sheet, key)
    dates = [value for value in [*found, *appended] if isinstance(value, date)]
    return max((_as_datetime(value) for value in dates), default=None)


def _as_datetime(value: date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
