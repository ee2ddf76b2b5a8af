"""What a command's changes to one sheet come to: the cells to write, found by row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow.core.errors import RegisterCellInvalid, RegisterError
from workflow.register.cells import CellProblem, Table, cell_problems, check_storable
from workflow.register.schema import AUDIT_ARCHIVE, SHEETS, Column
from workflow.xlsx.rows import SheetEdits


@dataclass
class LoadedSheet:
    """One sheet as read, plus what the command has done to it since."""

    table: Table
    # id(row) -> (row number, the row's values as read, in its key order); kept as a tuple
    # (not a second dict) to halve what a big sheet costs in memory.
    originals: dict[int, tuple[int, tuple[Any, ...]]]
    removed: set[int]  # row numbers to take out (a migration only; ccp never drops data)
    # Only the header was read (to append without reading the rows): table.rows holds just
    # the rows appended since.
    partial: bool = False
    problems: list[CellProblem] | None = None  # worked out when first asked for


def sheet_edits(
    sheet: str,
    loaded: LoadedSheet,
    order: list[str],
    header_style_of: Callable[[], Any],
    file_name: str,
) -> SheetEdits:
    """The cells to write for one sheet: changed cells of rows read, and every new row.

    ``order`` is the keys of the rows as read; ``header_style_of`` gives the style of a new
    column's header. A typed value that does not fit its column is never written over.
    """
    table = loaded.table
    columns = {column.key: column for column in sheet_columns(sheet)}
    appends = any(id(row) not in loaded.originals for row in table.rows)
    if appends or not callable(table.last):
        last_data_row = table.last_row
    else:
        # Only rows read are changed: no need to read through the sheet for its last row
        # (nothing grows, and the rows changed lie at or above it).
        numbers = [number for number, _ in loaded.originals.values()]
        last_data_row = max([table.header_row, *numbers, *loaded.removed])
    edits = SheetEdits(last_data_row=last_data_row, header_row=table.header_row)
    positions = table.positions
    header_style = None

    def position(key: str) -> int:
        nonlocal header_style
        if key not in positions:
            # A column added to ccp after this register was made: its header goes in the
            # first free column, styled like the first header.
            if header_style is None:
                header_style = header_style_of()
            index = max(positions.values(), default=-1) + 1
            positions[key] = index
            edits.set(table.header_row, index, columns[key].header, None, header_style)
        return positions[key]

    width = len(order)
    seen = set()
    next_row = last_data_row + 1
    for row in table.rows:
        seen.add(id(row))
        entry = loaded.originals.get(id(row))
        if entry is None:
            number = next_row
            next_row += 1
            changed = {key: value for key, value in row.items() if value not in (None, "")}
        else:
            number, before = entry
            if len(row) == width and tuple(row.values()) == before:
                continue  # the usual case, decided without looking at each cell
            was = dict(zip(order, before, strict=True))
            changed = {
                key: value
                for key, value in row.items()
                if key not in was or not same(was[key], value)
            }
            # What a person typed that does not fit is never written over: it may be
            # the only record of it. Other cells of the row are written as usual.
            clashes = [
                problem
                for problem in cell_problems(sheet, sheet_columns(sheet), number, was)
                if problem.key in changed
            ]
            if clashes:
                raise RegisterCellInvalid(
                    [str(problem) for problem in clashes]
                    + ["correct it in the register, then run the command again"]
                )
        unknown = [key for key in changed if key not in positions and key not in columns]
        if unknown:
            where = f"row {number}" if entry is not None else "a new row"
            raise ValueError(
                f"{sheet}: {where}: no column with key {', '.join(map(repr, unknown))}"
            )
        for key, value in changed.items():
            column = columns.get(key)
            try:
                check_storable(value, "")
            except ValueError as err:
                raise RegisterError(
                    f"{file_name}: sheet {sheet}, row {number}, "
                    f"{column.header if column else key}{err}"
                ) from None
            edits.set(number, position(key), value, column.kind if column else None)
    lost = [number for key, (number, _) in loaded.originals.items() if key not in seen]
    if lost:
        raise ValueError(f"{sheet}: rows {lost} were dropped; use Register.remove")
    edits.removed_rows = set(loaded.removed)
    return edits


def same(before: Any, after: Any) -> bool:
    return (
        type(before) is type(after)
        and before == after
        or (before is None and after == "" or before == "" and after is None)
    )


def sheet_columns(sheet: str) -> tuple[Column, ...]:
    if AUDIT_ARCHIVE.fullmatch(sheet):
        return SHEETS["Audit"]
    try:
        return SHEETS[sheet]
    except KeyError:
        raise ValueError(
            f"no register sheet {sheet!r}; the sheets are {', '.join(SHEETS)}"
        ) from None
