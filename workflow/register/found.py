"""Rows of a sheet known by its header, found by number: joined to its live rows
(``adopt``), and the latest by a date column (``latest``: the dashboard's "what changed
recently" reads the Audit's dates alone, not 20,000 rows)."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workflow.core.errors import RegisterError
from workflow.register.cells import typed_rows
from workflow.register.edits import LoadedSheet, sheet_columns
from workflow.register.schema import Column
from workflow.xlsx.package import REPAIR, WorkbookRefused
from workflow.xlsx.scan import ScanUnsupported, SheetScan

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


def latest(register: Register, sheet: str, key: str, count: int) -> list[dict[str, Any]]:
    """The ``count`` rows with the latest date-times in column ``key``, latest first (a
    value that is not a date-time counts as the oldest; ties: the earlier row first):
    the live rows, found by reading that column alone (the others of 20,000 Audit rows
    are not read) when the sheet is in the usual form, else by reading every row."""

    def when(row: dict[str, Any]) -> datetime:
        value = row.get(key)
        return value if isinstance(value, datetime) else datetime.min

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
