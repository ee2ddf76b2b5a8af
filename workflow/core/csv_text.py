"""CSV that a spreadsheet opens as text: no typed cell ever runs as a formula.

Excel and Calc treat a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP "CSV injection"). Such a cell gets a leading
apostrophe, which both programs show as the start of text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """The value as a CSV cell: text that could start a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header line, then one line per row (keys as in ``header``), every cell inert."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: inert(value) for key, value in row.items()})
    return buffer.getvalue()


def csv_line(values: Sequence[Any]) -> str:
    """One CSV line of inert cells (for logs appended a line at a time)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([inert(value) for value in values])
    return buffer.getvalue()
