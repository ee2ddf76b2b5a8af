"""Cell values: reading what Excel or LibreOffice stored into typed values, by column kind.

Reading is lenient (a date typed as text is a date); a value that does not fit its column
is kept as typed and reported as a ``CellProblem`` naming its sheet, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from workflow.register.schema import Column
from workflow.xlsx.values import column_letter, storable_problem

# Readers decode _xHHHH_ in cell text as a character; a literal one must be escaped as _x005F_.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))

_YES_WORDS = frozenset(("yes", "y", "true", "1"))
_NO_WORDS = frozenset(("no", "n", "false", "0"))
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_WORDS_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]+)\.?,?[ -](\d{4})")
_DATETIME_TEXT = re.compile(r"(.+?)(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?")
_INT_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def blank(value: Any) -> bool:
    return value is None or value == ""


def header_text(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if not blank(value) else ""


def extra_key(header: Any, index: int, used: set[str]) -> str:
    if blank(header):
        from_header = ""
    else:
        from_header = (header if isinstance(header, str) else shown(header)).strip()
    base = from_header or f"Column {column_letter(index)}"
    key, number = base, 2
    while key in used:
        key = f"{base} ({number})"
        number += 1
    return key


def shown(value: Any) -> str:
    """A non-text value as Excel shows it, for a text column: what the person saw."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if value.second == 0 else "%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _text_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if type(value) is str:
            return value or None
        return None if value is None else shown(value)

    return read


def _choice_reader(column: Column) -> Callable[[Any], Any]:
    canonical = {choice.casefold(): choice for choice in column.choices}

    def read(value: Any) -> Any:
        if blank(value):
            return None
        text = value if type(value) is str else shown(value)
        return canonical.get(" ".join(text.split()).casefold(), text)

    return read


def _date_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if blank(value):
            return None
        if isinstance(value, datetime):
            # A time of day typed into a date column is kept rather than dropped.
            return value.date() if value.time() == time() else value
        if isinstance(value, str):
            return _parse_date(value) or value
        return value

    return read


def _datetime_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if blank(value):
            return None
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        if isinstance(value, str):
            return _parse_datetime(value) or value
        return value

    return read


def _int_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
            return int(value.strip().partition(".")[0])
        return value

    return read


def _number_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if blank(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            plain = value.strip().removeprefix("£").replace(",", "")
            if _NUMBER_TEXT.fullmatch(plain):
                return float(plain)
        return value

    return read


def _yesno_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if blank(value):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in _YES_WORDS:
                return True
            if word in _NO_WORDS:
                return False
        return value

    return read


READERS: dict[str, Callable[[Column], Callable[[Any], Any]]] = {
    "text": _text_reader,
    "long_text": _text_reader,
    "choice": _choice_reader,
    "date": _date_reader,
    "datetime": _datetime_reader,
    "int": _int_reader,
    "number": _number_reader,
    "yesno": _yesno_reader,
}


def _parse_date(text: str) -> date | None:
    """A date typed as text, the British way or ISO; None when it is not one."""
    text = text.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day)
        if match := _UK_DATE.fullmatch(text):
            day, month = int(match[1]), int(match[2])
            year = int(match[3]) if len(match[3]) == 4 else _full_year(int(match[3]))
            return date(year, month, day)
        if match := _WORDS_DATE.fullmatch(text):
            month = _MONTHS.get(match[2].casefold())
            return date(int(match[3]), month, int(match[1])) if month else None
    except ValueError:  # 31/02/2027 and the like: not a date, kept as typed
        return None
    return None


def _full_year(two_digits: int) -> int:
    # Excel's own rule for a two-digit year: 00-29 is 20xx, 30-99 is 19xx.
    return 2000 + two_digits if two_digits < 30 else 1900 + two_digits


def _parse_datetime(text: str) -> datetime | None:
    """A date and time typed as text (the time optional); None when it is not one."""
    text = text.strip()
    if match := _DATETIME_TEXT.fullmatch(text):
        day = _parse_date(match[1])
        try:
            clock = time(int(match[2]), int(match[3]), int(match[4] or 0))
        except ValueError:
            return None
        return datetime.combine(day, clock) if day else None
    day = _parse_date(text)
    return datetime.combine(day, time()) if day else None


def check_storable(value: Any, where: str) -> None:
    problem = storable_problem(value)
    if problem:
        raise ValueError(f"{where}: {problem}")


@dataclass(frozen=True)
class CellProblem:
    """A value typed into the register that does not fit its column."""

    sheet: str
    row: int
    header: str
    value: Any
    rule: str
    key: str = ""

    def __str__(self) -> str:
        return (
            f"register.xlsx: sheet {self.sheet}, row {self.row}, column '{self.header}': "
            f"{shown(self.value)!r} {self.rule}"
        )


def _fits(column: Column, value: Any) -> str | None:
    """Why a read value does not fit the column, or None when it does."""
    if value is None:
        return None
    kind = column.kind
    if kind == "date" and not isinstance(value, date):
        return "is not a date (type it as 11/03/2027)"
    if kind == "datetime" and not isinstance(value, datetime):
        return "is not a date and time"
    if kind == "int" and (type(value) is not int):
        return "is not a whole number"
    if kind == "number" and not isinstance(value, float):
        return "is not a number"
    if kind == "yesno" and not isinstance(value, bool):
        return "is not Yes or No"
    if kind == "choice" and value not in column.choices:
        return f"is not one of: {', '.join(column.choices)}"
    return None


@dataclass
class Table:
    """One sheet as read: rows keyed by column key, each with its Excel row number."""

    rows: list[dict[str, Any]]
    numbers: list[int]
    positions: dict[str, int]  # key -> 0-based column index (known and hand-added columns)
    extras: list[tuple[str, Any]]  # (key, header as found) of hand-added columns
    header_row: int  # 1-based
    # 1-based number of the last row holding anything (the header at least); for a sheet
    # known by its header, what finds it: only a command that adds rows needs to know.
    last: int | Callable[[], int]

    @property
    def last_row(self) -> int:
        if callable(self.last):
            self.last = max(self.last(), self.header_row, 1)
        return self.last


class MissingColumns(Exception):
    """The header lacks some known columns (their headers, in schema order)."""

    def __init__(self, headers: list[str]):
        super().__init__(", ".join(headers))
        self.headers = headers


def match_header(columns: tuple[Column, ...], header: list[Any]) -> dict[str, int]:
    """Known column key -> index in ``header``; MissingColumns when one is not there."""
    positions: dict[str, int] = {}
    taken: set[int] = set()
    for column in columns:
        wanted = header_text(column.header)
        for index, value in enumerate(header):
            if index not in taken and header_text(value) == wanted:
                positions[column.key] = index
                taken.add(index)
                break
    missing = [
        column.header for column in columns if column.key not in positions and not column.later
    ]
    if missing:
        raise MissingColumns(missing)
    return positions


def head_table(
    columns: tuple[Column, ...],
    header: list[Any],
    header_row: int,
    last_row: int | Callable[[], int],
) -> Table:
    """A sheet known by its header alone (to append to it without reading its rows)."""
    positions = match_header(columns, header)
    taken = set(positions.values())
    used = set(positions)
    extras: list[tuple[str, Any]] = []
    for index, value in enumerate(header):
        if index in taken or blank(value):
            continue
        key = extra_key(value, index, used)
        used.add(key)
        extras.append((key, value))
        positions[key] = index
    return Table([], [], positions, extras, header_row, last_row)


def read_table(
    sheet: str,
    columns: tuple[Column, ...],
    grid: list[list[Any]],
    free: Collection[int] = (),
) -> Table:
    """A sheet's grid (from A1) as a Table, columns found by their header text. Rows in
    ``free`` (numbers of rows holding only the administrator's formulas) are not rows of
    data: new rows fill them."""
    # The header is the first row with anything in it (rows above it are blank).
    start = next((i for i, row in enumerate(grid) if not all(map(blank, row))), len(grid))
    header = grid[start] if start < len(grid) else []
    positions = match_header(columns, header)
    taken = set(positions.values())

    body = grid[start + 1 :]
    width = max((len(row) for row in grid), default=0)
    used = set(positions)
    extras: list[tuple[str, Any]] = []
    for index in range(width):
        if index in taken:
            continue
        value = header[index] if index < len(header) else ""
        has_data = any(index < len(row) and not blank(row[index]) for row in body)
        if blank(value) and not has_data:
            continue
        key = extra_key(value, index, used)
        used.add(key)
        extras.append((key, None if blank(value) else value))
        positions[key] = index

    numbers: list[int] = []
    kept: list[list[Any]] = []
    last = start + 1 if start < len(grid) else 0
    number = start + 1
    for raw in body:
        number += 1
        if number in free or all(map(blank, raw)):
            continue
        last = number
        numbers.append(number)
        kept.append(raw)
    rows = typed_rows(columns, positions, extras, kept)
    return Table(rows, numbers, positions, extras, start + 1, max(last, 1))


def cell_problems(
    sheet: str, columns: tuple[Column, ...], number: int, values: dict[str, Any]
) -> list[CellProblem]:
    """What in one row, as read, does not fit its column."""
    problems = []
    for column in columns:
        value = values.get(column.key)
        rule = _fits(column, value) if value is not None else None
        if rule:
            problems.append(CellProblem(sheet, number, column.header, value, rule, column.key))
    return problems


def typed_rows(
    columns: tuple[Column, ...],
    positions: dict[str, int],
    extras: list[tuple[str, Any]],
    kept: list[list[Any]],
) -> list[dict[str, Any]]:
    """Rows of raw cell values (by column from A) as dicts keyed by column key, each value
    read by its column's kind: the known columns in schema order, then those added by hand.
    """
    readers = [
        (column.key, positions[column.key], column.kind, READERS[column.kind](column))
        for column in columns
        if column.key in positions
    ]
    absent = [column.key for column in columns if column.key not in positions]
    # Column by column: a cell already of its column's type (text in a text column, most
    # of them) costs no function call. A sheet of 60,000 actions reads ~3x faster so.
    columns_read: list[list[Any]] = []
    keys: list[str] = []
    for key, index, kind, read in readers:
        values = [raw[index] if index < len(raw) else None for raw in kept]
        if kind in ("text", "long_text"):
            values = [v if type(v) is str and v else read(v) for v in values]
        elif kind == "date":
            values = [v if type(v) is date or v is None else read(v) for v in values]
        elif kind == "int":
            values = [
                int(v) if type(v) is float and v.is_integer() else None if v is None else read(v)
                for v in values
            ]
        else:
            values = [None if v is None else read(v) for v in values]
        columns_read.append(values)
        keys.append(key)
    for key in absent:
        columns_read.append([None] * len(kept))
        keys.append(key)
    for key, _ in extras:
        index = positions[key]
        columns_read.append(
            [
                None if index >= len(raw) or raw[index] is None or raw[index] == "" else raw[index]
                for raw in kept
            ]
        )
        keys.append(key)
    rows = [dict(zip(keys, values, strict=True)) for values in zip(*columns_read, strict=True)]
    if not columns_read:
        rows = [{} for _ in kept]
    return rows
