"""Cell values as a spreadsheet holds them: column letters, number formats, what fits a cell."""

from __future__ import annotations

import math
import re
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
