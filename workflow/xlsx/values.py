"""Cell values as a spreadsheet holds them: column letters, dates as serials, what fits a cell."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
# Excel refuses longer cell text, and openpyxl would silently cut it.
MAX_CELL_TEXT = 32_767
# How a yes/no value is written: words a person reads and types, not TRUE/FALSE.
YES, NO = "Yes", "No"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def column_letter(index: int) -> str:
    # openpyxl has one, but reading must not pay openpyxl's import time.
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def storable_problem(value: Any) -> str | None:
    """Why Excel cannot hold this value, or None when it can."""
    if value is None or isinstance(value, bool | int | date | time | timedelta):
        if isinstance(value, datetime | time) and value.tzinfo is not None:
            return f"Excel cannot store a time zone ({value!r})"
        return None
    if isinstance(value, float | Decimal):
        return None if math.isfinite(value) else f"Excel cannot store {value!r}"
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            return f"text longer than Excel's {MAX_CELL_TEXT:,} characters"
        bad = _XML_ILLEGAL.search(value)
        if bad:
            return f"control character U+{ord(bad.group()):04X} cannot be stored in Excel"
        return None
    return f"a {type(value).__name__} cannot be stored in the register"


def column_index(letters: str) -> int:
    """0-based index of a column letter (A -> 0)."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number - 1


# Excel counts days from 31 December 1899 as if 1900 were a leap year (Lotus 1-2-3 did):
# serial 60 is a 29 February 1900 that never was, so serials below it are one day later
# than a count from 30 December 1899 gives. The 1904 system has no such day.
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_PHANTOM_DAY = 60


def serial(value: date | datetime | time | timedelta, date1904: bool) -> float | int:
    """The number Excel stores for a date, time or duration."""
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + (
            value.microsecond / 86_400_000_000
        )
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - epoch
    days = delta.days
    if not date1904 and days <= _PHANTOM_DAY:
        days -= 1
    fraction = delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return days if not fraction else days + fraction


def from_serial(number: float, date1904: bool) -> date | datetime | time:
    """What a stored serial shows in a date cell: a date, a moment, or (below 1) a time of
    day. Serial 60 (the phantom 29 February 1900) reads as 28 February, the day Excel's count
    had reached; rounded to the second, as Excel shows it."""
    days = number
    if not date1904 and number < _PHANTOM_DAY + 1 and number >= 1:
        days = number + 1 if number < _PHANTOM_DAY else _PHANTOM_DAY
    moment = (_EPOCH_1904 if date1904 else _EPOCH_1900) + timedelta(days=days)
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    if number < 1:
        return moment.time()
    if moment.time() == time():
        return date(moment.year, moment.month, moment.day)
    return moment


@dataclass
class CellWrite:
    value: Any
    kind: str | None = None  # the column kind, so Yes/No columns get words
    style: int | None = None  # for a new cell: this style rather than the one above


def plain(value: Any) -> Any:
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


def number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def escape_text(raw: bytes) -> bytes:
    return raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
